/** The one way the unit tests assert a misuse: the code thrown, and nothing changed (invariant 9). */
import { expect } from "vitest";
import type { Allocator } from "../../../src/core/allocator.ts";
import { AllocatorError, type AllocatorErrorCode } from "../../../src/core/errors.ts";

/** Everything a call must leave unchanged when it throws or returns null. */
export function observe(a: Allocator) {
  return { snapshot: a.snapshot(), stats: a.stats(), events: a.addressSpace.events() };
}

export function expectMisuse(a: Allocator, code: AllocatorErrorCode, call: () => unknown): void {
  const before = observe(a);
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AllocatorError);
  expect((thrown as AllocatorError).code).toBe(code);
  expect(observe(a)).toEqual(before);
  a.check();
}
