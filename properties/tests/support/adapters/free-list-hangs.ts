/**
 * A hostile adapter module: the correct free list, except that its third free of a run never
 * returns (a corrupted free list walked forever). Only an isolated run (verifyAllocator's
 * `adapterModule`, `allocheck verify --adapter`) can report it, as a "hang" with its steps.
 */
import type { SubjectFactory } from "../../../model/subject.ts";
import { FreeListAllocator } from "../free-list-allocator.ts";

const factory: SubjectFactory = () => {
  const allocator = new FreeListAllocator();
  const free = allocator.free.bind(allocator);
  let frees = 0;
  allocator.free = (p) => {
    if (p !== null && ++frees === 3) for (;;);
    free(p);
  };
  return allocator;
};
export default factory;
