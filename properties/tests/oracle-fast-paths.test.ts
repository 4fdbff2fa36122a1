/**
 * The oracle's fast paths give the verdicts of the plain definitions they replace (issue 19
 * item 3): `sameValue` (i07-accounting.ts) agrees with the key-set walk it stands for, on random
 * JSON-like values and on their near copies; the fill pattern (payload.ts), kept as a running sum,
 * is byte for byte the pattern's formula, and a changed byte is found at its offset; the shadow
 * heap's list of recently freed addresses, with its filter in front of the search, is the plain
 * list (the last 64 freed, less those made live again).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { differences, sameValue } from "../invariants/i07-accounting.ts";
import { patternMismatch, writePattern } from "../model/payload.ts";
import { ShadowHeap } from "../model/shadow-heap.ts";

/** The definition: leaves by Object.is, objects over the union of their Object.keys. */
function sameByKeys(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true;
  if (
    typeof actual !== "object" ||
    typeof expected !== "object" ||
    actual === null ||
    expected === null
  )
    return false;
  const a = actual as Record<string, unknown>;
  const b = expected as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameByKeys(a[key], b[key]));
}

/** Values shaped like stats and snapshots: nested objects and arrays of numbers, with undefined. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(0, -0, 1, 2, NaN, undefined, null, "a"),
    fc.integer({ min: -3, max: 3 }),
  ),
  node: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "0", "1"), tie("node"), { maxKeys: 4 }),
  ),
})).node;

/** A copy of `v` with at most one leaf, key or element changed (or none). */
function nearCopy(v: unknown, change: number): unknown {
  let left = change;
  const copy = (x: unknown): unknown => {
    if (left-- === 0) return typeof x === "number" ? x + 1 : x === undefined ? 0 : undefined;
    if (Array.isArray(x)) return left-- === 0 ? [...x.map(copy), undefined] : x.map(copy);
    if (typeof x === "object" && x !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(x)) out[k] = copy(y);
      if (left-- === 0) out.extra = undefined;
      return out;
    }
    return x;
  };
  return copy(v);
}

describe("sameValue: the verdict of the key-set walk", () => {
  it("on random pairs and on near copies (a leaf changed, an undefined key or element added)", () => {
    fc.assert(
      fc.property(value, value, fc.nat(12), (a, b, change) => {
        const near = nearCopy(a, change);
        for (const [x, y] of [
          [a, b],
          [a, near],
          [near, a],
          [a, a],
        ]) {
          expect(sameValue(x, y)).toBe(sameByKeys(x, y));
          expect(differences(x, y).length === 0).toBe(sameByKeys(x, y));
        }
      }),
      { seed: 20261205, numRuns: 2000 },
    );
  });

  it("arrays of different lengths and holes follow the definition", () => {
    const cases: [unknown, unknown][] = [
      [[1], [1, undefined]],
      [[1], [1, 2]],
      // A hole: an array with no element 0.
      [Object.assign(new Array<unknown>(2), { 1: 1 }), [undefined, 1]],
      [[0], [-0]],
      [{ a: undefined }, { b: undefined }],
      [{ a: undefined }, { b: 1 }],
    ];
    for (const [x, y] of cases) {
      expect(sameValue(x, y)).toBe(sameByKeys(x, y));
      expect(sameValue(y, x)).toBe(sameByKeys(y, x));
    }
  });
});

describe("fill patterns: byte i of seed s is the top byte of s·0x9e3779b1 + (i + 1)·0x85ebca6b", () => {
  const formula = (seed: number, i: number): number =>
    (Math.imul(seed, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 24;

  // Views at every offset of a buffer modulo 4: four bytes at a time when the view starts on a
  // 4-byte boundary (offsets 0 and 4), one at a time otherwise (payload.ts); the bytes around the
  // view must stay as they were.
  it("writePattern writes the formula from any offset, within its view only; patternMismatch finds a changed byte", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 7 }),
        (seed, length, at, offset) => {
          const from = Math.min(at, length);
          const buffer = new Uint8Array(offset + length + 8).fill(7);
          const view = buffer.subarray(offset, offset + length);
          writePattern(view, seed, from);
          for (let i = 0; i < buffer.length; i++) {
            const inView = i - offset;
            const written = inView >= from && inView < length;
            expect(buffer[i]).toBe(written ? formula(seed, inView) : 7);
          }
          const whole = new Uint8Array(offset + length).subarray(offset);
          whole.set(Array.from({ length }, (_, i) => formula(seed, i)));
          expect(patternMismatch(whole, seed)).toBe(-1);
          if (from < length) {
            whole[from] ^= 0x10;
            expect(patternMismatch(whole, seed)).toBe(from);
            expect(patternMismatch(whole, seed, from)).toBe(-1);
            // The last byte: a word's or the tail's, whatever the length.
            whole[from] ^= 0x10;
            whole[length - 1] ^= 0x01;
            expect(patternMismatch(whole, seed)).toBe(length - 1);
          }
        },
      ),
      { seed: 20261205, numRuns: 400 },
    );
  });
});

describe("the shadow heap's recently freed addresses: the last 64 freed, less those live again", () => {
  it("through its filter, on random mallocs and frees over addresses that share filter buckets", () => {
    // Raw blocks (no geometry): the 96 addresses 16·(1 + k) + 16,384·j fall into 8 buckets of
    // the filter (j does not change the bucket), so most lookups meet a bucket in use by other
    // addresses, a freed address is often made again, and more than 64 are freed in a row.
    const address = fc.tuple(fc.nat(7), fc.nat(11)).map(([k, j]) => 16 * (1 + k) + 16_384 * j);
    const step = fc.oneof(
      address.map((p) => ({ malloc: p })),
      fc.nat().map((i) => ({ free: i })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const shadow = new ShadowHeap(undefined);
        const plain: number[] = [];
        for (const s of steps) {
          if ("malloc" in s) {
            if (shadow.isLive(s.malloc)) continue;
            shadow.add(s.malloc, 8);
            const at = plain.indexOf(s.malloc);
            if (at !== -1) plain.splice(at, 1);
          } else {
            const block = shadow.pick(s.free);
            if (block === undefined) continue;
            shadow.remove(block);
            plain.push(block.address);
            if (plain.length > 64) plain.shift();
          }
          expect(shadow.freed).toEqual(plain);
        }
      }),
      { seed: 20261205, numRuns: 200 },
    );
  });
});
