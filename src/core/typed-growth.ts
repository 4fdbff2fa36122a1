/**
 * Growing typed arrays by doubling (spec/bitmap.md §1.7). Every bitmap-allocator table is sized
 * for the arena slots mapped so far, never for `maxArenas` up front (presets allow 16384 arenas),
 * and is copied into one twice as large when a higher slot gets mapped: amortised O(1) per arena.
 * In the core (not under allocators/bitmap/) so the property library grows its own typed arrays
 * with it too (invariant 1's live ranges).
 */

export type TypedArray =
  Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array;

/** A copy of `array` with `length` elements (length >= array.length); new elements are `fill`. */
export function resized<T extends TypedArray>(array: T, length: number, fill = 0): T {
  const Constructor = array.constructor as new (length: number) => T;
  const bigger = new Constructor(length);
  bigger.set(array);
  bigger.fill(fill, array.length);
  return bigger;
}

/**
 * `array` itself while it has `length` elements, else a copy at least twice as long: appending
 * one region or stack entry after another costs amortised O(1).
 */
export function withRoomFor<T extends TypedArray>(array: T, length: number): T {
  // Stryker disable next-line MethodExpression,ArithmeticOperator: equivalent: spec/audit.md §3.1 #4
  return length <= array.length ? array : resized(array, Math.max(2 * array.length, length));
}

/** The arena capacity after doubling `current` until it holds `needed` slots, capped at `limit`. */
export function doubledCapacity(current: number, needed: number, limit: number): number {
  let capacity = Math.max(1, current);
  while (capacity < needed) capacity *= 2;
  return Math.min(capacity, limit);
}
