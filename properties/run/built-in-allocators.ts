/**
 * allocheck's own allocators by name: a counterexample of one of them replays without an
 * adapter, and its regression test makes the allocator with createAllocator.
 */
import {
  ALLOCATOR_KINDS,
  createAllocator,
  type AllocatorKind,
} from "../../src/allocators/create-allocator.ts";
import type { SubjectFactory } from "../model/subject.ts";

export function isBuiltInAllocator(name: string): name is AllocatorKind {
  return (ALLOCATOR_KINDS as readonly string[]).includes(name);
}

/** The factory of a built-in allocator, or undefined for any other name. */
export function builtInFactory(name: string): SubjectFactory | undefined {
  return isBuiltInAllocator(name) ? (geometry) => createAllocator(name, geometry) : undefined;
}
