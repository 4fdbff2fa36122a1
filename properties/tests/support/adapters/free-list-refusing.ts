/**
 * An adapter module (default export: the factory) of the free list with its seeded bug: it
 * reports out of memory for any request over 1 KiB (RefusesLargeRequests, invariant 10).
 */
import type { SubjectFactory } from "../../../model/subject.ts";
import { RefusesLargeRequests } from "../free-list-allocator.ts";

const factory: SubjectFactory = () => new RefusesLargeRequests();
export default factory;
