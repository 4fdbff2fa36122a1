/**
 * The simulated address space (spec/model.md §2): deterministic arena slots, the excess rule,
 * the raw region, real memory per mapping, the event log and mapped bytes.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, MAX_MAPPING_BYTES } from "../../src/core/address-space.ts";
import { ALLOCATOR_KINDS, createAllocator, defineGeometry, geometries } from "../../src/index.ts";

const tiny = defineGeometry({
  alignment: 16,
  smallThreshold: 64,
  poolSize: 128,
  arenaSize: 512,
  poolOverhead: 16,
  poolAlignedArenas: false,
  maxArenas: 4,
  keepEmptyArena: true,
});

describe("arena mapping", () => {
  it("maps at the lowest free slot and reports -1 at the limit", () => {
    const space = new AddressSpace(tiny);
    expect([space.mapArena(), space.mapArena(), space.mapArena()]).toEqual([0, 1, 2]);
    space.unmapArena(1);
    space.unmapArena(0);
    expect(space.mapArena()).toBe(0);
    expect(space.mapArena()).toBe(1);
    expect(space.mapArena()).toBe(3);
    expect(space.mapArena()).toBe(-1);
    expect(space.arenas).toEqual({ current: 4, allocatedTotal: 6, highwater: 4 });
  });

  it("applies CPython's excess rule: a misaligned arena loses one pool, its pools stay pool-aligned", () => {
    const space = new AddressSpace(tiny);
    const slot = space.mapArena();
    const start = space.arenaStart(slot);
    expect(start % tiny.poolSize).toBe(tiny.arenaExcess);
    expect(tiny.poolsPerArena).toBe(3);
    for (let i = 0; i < tiny.poolsPerArena; i++) {
      const q = space.poolAddress(slot, i);
      expect(q % tiny.poolSize).toBe(0);
      expect(q).toBeGreaterThanOrEqual(start);
      expect(q + tiny.poolSize).toBeLessThanOrEqual(start + tiny.arenaSize);
      expect(space.slotOf(q + 40)).toBe(slot);
      expect(space.poolIndexIn(slot, q + 127)).toBe(i);
    }
    // The slack before the first pool and after the last belongs to no pool.
    expect(space.slotOf(start)).toBe(-1);
    expect(space.slotOf(start + tiny.arenaSize - 1)).toBe(-1);
  });

  it("cpython-3.12 arenas start one page past a pool boundary: 63 pools, 16 KiB lost", () => {
    const g = geometries["cpython-3.12"];
    const space = new AddressSpace(g);
    const start = space.arenaStart(space.mapArena());
    expect(start % 16384).toBe(4096);
    expect(space.poolAddress(0, 0) - start).toBe(16384 - 4096);
    expect(start + g.arenaSize - (space.poolAddress(0, 62) + 16384)).toBe(4096);
  });

  it("backs every arena with its own zeroed memory and drops it on unmap", () => {
    const space = new AddressSpace(tiny);
    const slot = space.mapArena();
    const q = space.poolAddress(slot, 0);
    space.view(q, 4).set([1, 2, 3, 4]);
    expect([...space.view(q, 4)]).toEqual([1, 2, 3, 4]);
    space.unmapArena(slot);
    expect(() => space.view(q, 4)).toThrow(RangeError);
    expect(space.mapArena()).toBe(slot);
    expect([...space.view(q, 4)]).toEqual([0, 0, 0, 0]);
  });

  it("makes an arena's memory on its first view: later views of any part share it", () => {
    const space = new AddressSpace(tiny);
    const slot = space.mapArena();
    const q = space.poolAddress(slot, 1);
    const first = space.view(q + 8, 8);
    first.set([5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...space.view(q + 10, 3)]).toEqual([7, 8, 9]);
    space.view(q + 12, 1)[0] = 99;
    expect(first[4]).toBe(99);
    // Another arena, never viewed before it is unmapped: mapped again, it reads as zeros.
    const other = space.mapArena();
    const r = space.poolAddress(other, 0);
    space.unmapArena(other);
    expect(() => space.view(r, 1)).toThrow(RangeError);
    expect(space.mapArena()).toBe(other);
    expect([...space.view(r, 3)]).toEqual([0, 0, 0]);
    expect([...space.view(q + 11, 2)]).toEqual([8, 99]);
  });
});

describe("the raw region", () => {
  it("maps max(n, 1) bytes at addresses that are never reused", () => {
    const space = new AddressSpace(tiny);
    const a = space.mapRaw(0);
    const b = space.mapRaw(100);
    expect(space.rawSize(a)).toBe(1);
    expect(space.rawRequested(a)).toBe(0);
    expect(space.rawSize(b)).toBe(100);
    expect(a % 16).toBe(0);
    expect(b % 16).toBe(0);
    expect(b).toBeGreaterThan(a);
    space.unmapRaw(a);
    const c = space.mapRaw(0);
    expect(c).toBeGreaterThan(b + 100);
    expect(space.wasRawFreed(a)).toBe(true);
    expect(space.wasRawFreed(c)).toBe(false);
    expect(space.slotOf(a)).toBe(-1);
  });

  it("grants at most rawLimit live bytes", () => {
    const space = new AddressSpace(tiny);
    expect(space.mapRaw(tiny.rawLimit + 1)).toBe(-1);
    const a = space.mapRaw(tiny.rawLimit);
    expect(a).not.toBe(-1);
    expect(space.mapRaw(0)).toBe(-1);
    space.unmapRaw(a);
    expect(space.mapRaw(0)).not.toBe(-1);
  });
});

describe("the event log and mapped bytes", () => {
  it("records every map and unmap in order, with current and peak mapped bytes", () => {
    const space = new AddressSpace(tiny);
    const slot = space.mapArena();
    const raw = space.mapRaw(40);
    space.unmapArena(slot);
    space.unmapRaw(raw);
    const start = space.arenaStart(slot);
    expect(space.events()).toEqual([
      { kind: "map-arena", address: start, size: 512 },
      { kind: "map-raw", address: raw, size: 40 },
      { kind: "unmap-arena", address: start, size: 512 },
      { kind: "unmap-raw", address: raw, size: 40 },
    ]);
    expect(space.events(2)).toHaveLength(2);
    expect(space.mappedBytes).toEqual({ current: 0, peak: 552 });
  });

  it("keeps a long log (it grows by doubling)", () => {
    const space = new AddressSpace(tiny);
    for (let i = 0; i < 1000; i++) space.unmapRaw(space.mapRaw(i));
    expect(space.eventsLogged).toBe(2000);
    expect(space.events(1998)).toEqual([
      { kind: "map-raw", address: expect.any(Number), size: 999 },
      { kind: "unmap-raw", address: expect.any(Number), size: 999 },
    ]);
  });
});

describe("a raw request larger than the host can back (spec/model.md §2)", () => {
  const sizes = [MAX_MAPPING_BYTES + 1, 2 ** 33, Number.MAX_SAFE_INTEGER];
  for (const kind of ALLOCATOR_KINDS) {
    it(`${kind}: malloc and realloc of 2^32 + 1 … 2^53 − 1 bytes return null and change nothing`, () => {
      const heap = createAllocator(kind, "cpython-3.11");
      const small = heap.malloc(24)!;
      const raw = heap.malloc(4000)!;
      heap.bytes(small).fill(7);
      const before = {
        stats: heap.stats(),
        snapshot: heap.snapshot(),
        events: heap.addressSpace.eventsLogged,
      };
      for (const n of sizes) {
        expect(heap.malloc(n), `malloc(${n})`).toBeNull();
        expect(heap.realloc(null, n), `realloc(null, ${n})`).toBeNull();
        expect(heap.realloc(small, n), `realloc(small, ${n})`).toBeNull();
        expect(heap.realloc(raw, n), `realloc(raw, ${n})`).toBeNull();
      }
      expect(heap.stats()).toEqual(before.stats);
      expect(heap.snapshot()).toEqual(before.snapshot);
      expect(heap.addressSpace.eventsLogged).toBe(before.events);
      expect([...heap.bytes(small)].every((b) => b === 7)).toBe(true);
      heap.free(small);
      heap.free(raw);
      heap.check();
    });
  }

  it("the address space refuses the mapping without logging or counting it", () => {
    const space = new AddressSpace(geometries["cpython-3.11"]);
    expect(space.mapRaw(MAX_MAPPING_BYTES + 1)).toBe(-1);
    expect(space.liveRawBlocks).toBe(0);
    expect(space.eventsLogged).toBe(0);
    expect(space.mappedBytes.current).toBe(0);
  });
});
