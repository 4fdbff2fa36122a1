/**
 * An adapter module as a user writes one for `allocheck replay FILE --adapter MODULE`: its default
 * export is the factory of the correct free-list allocator (../free-list-allocator.ts).
 */
import type { SubjectFactory } from "../../../model/subject.ts";
import { FreeListAllocator } from "../free-list-allocator.ts";

const factory: SubjectFactory = () => new FreeListAllocator();
export default factory;
