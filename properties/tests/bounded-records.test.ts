/**
 * The simulated OS's records stay bounded (spec/model.md §2 "Freed raw blocks", "Memory", "Event
 * log"; issue 16 item 5, issue 19 item 1): a recently freed raw block is still a double free and
 * one 2^16 mappings older is forgotten, exactly at the boundary, on all three kinds and in the
 * shadow's expectation; the event log is a window read with cursors, and a read of a dropped
 * position throws; raw blocks in slabs keep their bytes apart, start zero-filled and give the
 * slabs back. Every expectation comes from the test's own records, never from the space's.
 */
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  EVENT_WINDOW,
  EventLogError,
  RAW_STARTS_REMEMBERED,
  type AddressSpaceEvent,
} from "../../src/core/address-space.ts";
import { AddressTable } from "../../src/core/address-table.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { SLAB_BLOCK_MAX, SLAB_BYTES, slotSizeIndex, slotSizeOf } from "../../src/core/raw-slabs.ts";
import { RecentRawStarts } from "../../src/core/recent-raw-starts.ts";
import { expectedPointerError } from "../../properties/model/expected-errors.ts";
import { ShadowHeap } from "../../properties/model/shadow-heap.ts";
import { ALLOCATOR_KINDS, createAllocator, geometries } from "../../src/index.ts";
import { expectMisuse } from "./support/expect-misuse.ts";

const SEED = 20261204;
const g = geometries["cpython-3.12"];
const RAW = g.smallThreshold + 1;

describe("freed raw blocks: remembered among the last 2^16 mapped (errors.md §2 row 2)", () => {
  it.each(ALLOCATOR_KINDS)(
    "%s: a second free is double-free until 2^16 more raw blocks are mapped, then invalid-pointer",
    (kind) => {
      const a = createAllocator(kind, g);
      const p = a.malloc(RAW)!;
      a.free(p);
      expectMisuse(a, "double-free", () => a.free(p));
      expectMisuse(a, "invalid-pointer", () => a.realloc(p, 8));
      // p and RAW_STARTS_REMEMBERED − 1 more: p is still among the last 2^16 mapped.
      for (let i = 1; i < RAW_STARTS_REMEMBERED; i++) a.free(a.malloc(RAW + (i % 64))!);
      expectMisuse(a, "double-free", () => a.free(p));
      a.free(a.malloc(RAW)!); // one more mapping: p is forgotten
      expectMisuse(a, "invalid-pointer", () => a.free(p));
      expectMisuse(a, "invalid-pointer", () => a.usableSize(p));
    },
  );

  it("the shadow expects the same codes across the boundary (its own count of raw blocks made)", () => {
    const shadow = new ShadowHeap(g);
    let address = 1 << 40;
    const first = shadow.add(address, RAW);
    shadow.remove(first);
    for (let i = 1; i < RAW_STARTS_REMEMBERED; i++) {
      address += 4096;
      shadow.remove(shadow.add(address, RAW));
    }
    expect(expectedPointerError(shadow, first.address, "free")).toBe("double-free");
    expect(expectedPointerError(shadow, first.address, "realloc")).toBe("invalid-pointer");
    shadow.remove(shadow.add(address + 4096, RAW));
    expect(expectedPointerError(shadow, first.address, "free")).toBe("invalid-pointer");
    expect(expectedPointerError(shadow, address, "free")).toBe("double-free");
  });

  // 8: the ring never grows; 200: it grows 64 → 128 → 200 (not a power of two) before it wraps.
  it.each([8, 200])(
    "RecentRawStarts(%i) holds exactly the last `capacity` starts, as it grows and across the ring's wrap",
    (capacity) => {
      const starts = new RecentRawStarts(capacity);
      const added: number[] = [];
      const adds = 3 * capacity + 7;
      for (let i = 1; i <= adds; i++) {
        const address = i * 48 + (i % 3) * 16;
        starts.add(address);
        added.push(address);
        const kept = new Set(added.slice(-capacity));
        for (let probe = 0; probe <= (adds + 1) * 48 + 32; probe += 16)
          expect(starts.has(probe), `after ${i} adds, ${probe}`).toBe(kept.has(probe));
      }
    },
  );
});

describe("the event log: a window of EVENT_WINDOW events read with cursors (model.md §2)", () => {
  it("keeps between EVENT_WINDOW and twice that, counts every event, and a cursor reading after every call sees each once", () => {
    const space = new AddressSpace(g);
    const expected: AddressSpaceEvent[] = [];
    const seen: AddressSpaceEvent[] = [];
    let cursor = 0;
    const total = 2 * EVENT_WINDOW + 1000;
    while (expected.length < total) {
      const size = 1 + (expected.length % 5000);
      const p = space.mapRaw(size);
      expected.push({ kind: "map-raw", address: p, size });
      space.unmapRaw(p);
      expected.push({ kind: "unmap-raw", address: p, size });
      const fresh = space.events(cursor);
      seen.push(...fresh);
      cursor += fresh.length;
    }
    expect(seen).toEqual(expected);
    expect(space.eventsLogged).toBe(expected.length);
    const trimmed = space.eventsTrimmed;
    expect(trimmed).toBeGreaterThan(0);
    const kept = space.events();
    expect(kept.length).toBe(expected.length - trimmed);
    expect(kept.length).toBeGreaterThanOrEqual(EVENT_WINDOW);
    expect(kept.length).toBeLessThanOrEqual(2 * EVENT_WINDOW);
    expect(kept).toEqual(expected.slice(trimmed));
  });

  it("a read from a dropped position throws EventLogError events-trimmed, never a silent gap", () => {
    const space = new AddressSpace(g);
    for (let i = 0; i < 2 * EVENT_WINDOW + 2; i++) space.unmapRaw(space.mapRaw(600));
    const trimmed = space.eventsTrimmed;
    expect(trimmed).toBeGreaterThan(0);
    let thrown: unknown;
    try {
      space.events(trimmed - 1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventLogError);
    expect((thrown as EventLogError).code).toBe("events-trimmed");
    expect(space.events(trimmed)).toHaveLength(space.eventsLogged - trimmed);
  });

  it("a long run on an allocator: invariant 11's comparison from a position still works", () => {
    const a = createAllocator("bitmap", g);
    const b = createAllocator("reference", g);
    let compared = 0;
    for (let i = 0; i < 3 * EVENT_WINDOW; i++) {
      a.free(a.malloc(RAW)!);
      b.free(b.malloc(RAW)!);
      if (i % 1000 === 0) {
        expect(a.addressSpace.events(compared)).toEqual(b.addressSpace.events(compared));
        compared = b.addressSpace.eventsLogged;
      }
    }
    expect(a.addressSpace.eventsLogged).toBe(6 * EVENT_WINDOW);
  });
});

describe("raw blocks in slabs (model.md §2 Memory)", () => {
  it("slot sizes: the smallest that holds the block; above 128 bytes at most 12.5% over", () => {
    const wrong: number[] = [];
    for (let size = 1; size <= SLAB_BLOCK_MAX; size++) {
      const index = slotSizeIndex(size);
      const slot = slotSizeOf(index);
      const smallest = slot >= size && (index === 0 || slotSizeOf(index - 1) < size);
      const tight = size > 128 ? slot / size <= 1.125 : slot % 16 === 0 && slot - size < 16;
      if (!(smallest && tight)) wrong.push(size);
    }
    expect(wrong).toEqual([]);
  });

  it("blocks keep their bytes apart, start zero-filled, and freeing all gives the slabs back", () => {
    const a = createAllocator("bitmap", g);
    const space = a.addressSpace as AddressSpace;
    const rng = mulberry32(SEED);
    const live = new Map<number, { size: number; byte: number }>();
    const make = () => {
      // Mostly slab sizes, some above SLAB_BLOCK_MAX (their own ArrayBuffer).
      const size =
        rng() < 0.05
          ? SLAB_BLOCK_MAX + 1 + Math.floor(rng() * 3000)
          : RAW + Math.floor(rng() * 6000);
      const p = a.malloc(size)!;
      const bytes = a.bytes(p);
      expect(bytes.length).toBe(size);
      expect(bytes.every((x) => x === 0)).toBe(true);
      const byte = 1 + Math.floor(rng() * 255);
      bytes.fill(byte);
      live.set(p, { size, byte });
    };
    for (let i = 0; i < 3000; i++) make();
    for (let round = 0; round < 4; round++) {
      for (const p of [...live.keys()]) {
        if (rng() < 0.5) continue;
        a.free(p);
        live.delete(p);
      }
      for (let i = 0; i < 1500; i++) make();
      for (const [p, { size, byte }] of live) {
        const bytes = a.bytes(p);
        expect(bytes.length).toBe(size);
        expect(bytes.every((x) => x === byte)).toBe(true);
      }
    }
    a.check();
    const sizesUsed = new Set([...Array(6000).keys()].map((i) => slotSizeIndex(RAW + i))).size;
    for (const p of live.keys()) a.free(p);
    expect(space.liveRawBlocks).toBe(0);
    // At most one empty slab per slot size is kept.
    expect(space.rawSlabBytes).toBeLessThanOrEqual(sizesUsed * (SLAB_BYTES + SLAB_BLOCK_MAX));
    expect(a.stats().mappedBytes.current).toBe(g.arenaSize * a.stats().arenas.current);
  });

  it("a slot written through a view kept past its block's free starts zero-filled for every later block", () => {
    const a = createAllocator("bitmap", g);
    const keep = a.malloc(RAW)!; // keeps the slab alive while the slot is freed and taken again
    const p = a.malloc(RAW)!;
    const stale = a.bytes(p); // the only view of the slot: later blocks in it are read through it
    a.free(p);
    for (let round = 0; round < 3; round++) {
      stale.fill(0xee); // a use after free through the old view
      const q = a.malloc(RAW)!; // the freed slot again (the slab's free slots are a stack)
      expect(stale.every((x) => x === 0)).toBe(true);
      a.free(q);
    }
    a.free(keep);
  });
});

describe("AddressTable against a Map", () => {
  it.each([true, false])(
    "get, set and delete agree with a Map through growth, collisions and draining (fixed seed), shrink %s",
    (shrink) => {
      const table = new AddressTable({ shrink });
      let peakSlots = 0;
      let shrunk = false;
      const model = new Map<number, number>();
      const rng = mulberry32(SEED);
      const wrong: string[] = [];
      // Keys on a coarse grid above 2^32, so the hash sees both halves and collides often.
      const key = () => 2 ** 33 + 16 * Math.floor(rng() * 5000) * 65536;
      for (let step = 0; step < 200_000; step++) {
        const phase = Math.floor(step / 25_000) % 2; // fill, then drain to about 260 of 5000 keys, and again
        const k = key();
        if (rng() < (phase === 0 ? 0.7 : 0.05)) {
          const v = Math.floor(rng() * 1e6);
          table.set(k, v);
          model.set(k, v);
        } else if (table.delete(k) !== model.delete(k)) wrong.push(`step ${step}: delete ${k}`);
        if (table.get(k) !== (model.get(k) ?? -1)) wrong.push(`step ${step}: get ${k}`);
        if (table.size !== model.size) wrong.push(`step ${step}: size ${table.size}`);
        if (2 * table.size > table.slots)
          wrong.push(`step ${step}: ${table.size} in ${table.slots}`);
        shrunk ||= table.slots < peakSlots;
        peakSlots = Math.max(peakSlots, table.slots);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      // A shrinking table gave slots back while it drained; the other kept its largest size.
      expect(shrunk).toBe(shrink);
      expect(peakSlots).toBeGreaterThanOrEqual(4096);
      for (const [k, v] of model) expect(table.get(k)).toBe(v);
      const listed = new Map<number, number>();
      table.forEach((k, v) => listed.set(k, v));
      expect(listed).toEqual(model);
      expect(table.get(0)).toBe(-1);
      expect(table.delete(0)).toBe(false);
    },
  );
});
