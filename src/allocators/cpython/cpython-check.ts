/**
 * `check()` of the CPython model (invariant 12): pymalloc's structures agree with each other and
 * with the simulated address space. What is checked, and the C assertion or fact behind it:
 *
 * - arenas: the mapped arena objects are exactly the mapped slots; every other object of the
 *   vector is on unused_arena_objects with address 0; the arena counters match the OS's.
 * - per arena: ntotalpools (the excess rule), pool_address = the next uncarved pool,
 *   nfreepools = uncarved pools + freepools, and freepools = exactly the carved pools with count 0.
 * - per pool: free list ∪ live blocks ∪ uncarved blocks = all blocks, disjointly (count = live,
 *   free list = carved − count); a pool with a free block has one on its free list (the pre-carved
 *   block); usedpools[c] holds exactly the pools of class c with 0 < count < capacity.
 * - usable_arenas: a well linked list, sorted ascending by nfreepools, holding exactly the arenas
 *   with nfreepools > 0; nfp2lasta[n] is the rightmost arena with n free pools, or null.
 * - at most one wholly free arena, and only with keepEmptyArena; it is the tail of usable_arenas.
 * - requested bytes: the live blocks add up to requested.current.
 */
import { classHoldsRequest } from "../../core/geometry.ts";
import { Hex, Problems, sameNumbers } from "../../core/integrity.ts";
import type { ArenaObject } from "./arena-object.ts";
import { NULL_BLOCK, type PoolHeader } from "./pool-header.ts";
import type { Pymalloc } from "./pymalloc.ts";

export function checkCPythonHeap(pm: Pymalloc, requestedCurrent: number, kind: string): void {
  const problems = new Problems();
  const requested = { small: 0 };
  checkArenaObjects(pm, problems);
  const partlyUsed = new Array<number>(pm.geometry.sizeClasses).fill(0);
  for (const ao of pm.mappedArenas()) checkArena(pm, ao, problems, partlyUsed, requested);
  checkUsedpools(pm, problems, partlyUsed);
  checkUsableArenas(pm, problems);
  let total = requested.small;
  for (const raw of pm.space.rawBlocks()) total += raw.requested;
  problems.expect(
    total === requestedCurrent,
  )`requested.current = ${requestedCurrent} but live blocks asked for ${total}`;
  problems.throwIfAny(kind);
}

function checkArenaObjects(pm: Pymalloc, problems: Problems): void {
  const space = pm.space;
  const mapped = [...space.mappedSlots()];
  const slots = pm.mappedArenas().map((ao) => ao.slot);
  problems.expect(
    sameNumbers(slots, mapped),
  )`arena objects are mapped in slots [${slots}] but the address space has [${mapped}]`;
  const os = space.arenas;
  const counters = [pm.narenasCurrentlyAllocated, pm.ntimesArenaAllocated, pm.narenasHighwater];
  const expected = [os.current, os.allocatedTotal, os.highwater];
  problems.expect(
    sameNumbers(counters, expected),
  )`narenas_currently_allocated, ntimes_arena_allocated, narenas_highwater = [${counters}] but the OS counted [${expected}]`;
  const unused = new Set<ArenaObject>();
  for (let ao = pm.arenas.unused; ao !== null && !unused.has(ao); ao = ao.nextarena) {
    unused.add(ao);
    problems.expect(
      ao.address === 0,
    )`arena object ${ao.index} is on unused_arena_objects with address ${new Hex(ao.address)}`;
  }
  for (const ao of pm.arenas.all) {
    const isMapped = pm.arenaBySlot.get(ao.slot) === ao;
    problems.expect(
      isMapped !== unused.has(ao),
    )`arena object ${ao.index}: mapped ${isMapped}, on unused_arena_objects ${unused.has(ao)}`;
    problems.expect(
      isMapped === (ao.address !== 0),
    )`arena object ${ao.index}: mapped ${isMapped} but address ${new Hex(ao.address)}`;
  }
  problems.expect(
    unused.size + pm.arenaBySlot.size === pm.arenas.maxarenas,
  )`${unused.size} unused + ${pm.arenaBySlot.size} mapped arena objects, but maxarenas = ${pm.arenas.maxarenas}`;
}

function checkArena(
  pm: Pymalloc,
  ao: ArenaObject,
  problems: Problems,
  partlyUsed: number[],
  requested: { small: number },
): void {
  const g = pm.geometry;
  const space = pm.space;
  const where = `arena ${ao.slot}`;
  problems.expect(
    ao.address === space.arenaStart(ao.slot),
  )`${where}: address ${new Hex(ao.address)}, the mapping starts at ${new Hex(space.arenaStart(ao.slot))}`;
  problems.expect(
    ao.ntotalpools === g.poolsPerArena,
  )`${where}: ntotalpools = ${ao.ntotalpools}, the geometry has ${g.poolsPerArena}`;
  const carved = ao.pools.length;
  problems.expect(carved <= ao.ntotalpools)`${where}: ${carved} pools carved of ${ao.ntotalpools}`;
  problems.expect(
    ao.poolAddress === space.poolAddress(ao.slot, carved),
  )`${where}: pool_address ${new Hex(ao.poolAddress)} is not the pool after the ${carved} carved`;
  const freepools = new Set<PoolHeader>();
  for (let p = ao.freepools; p !== null && !freepools.has(p); p = p.nextFreePool) {
    freepools.add(p);
    problems.expect(
      p.arena === ao && p.count === 0,
    )`${where}: freepools holds pool ${new Hex(p.address)} (arena ${p.arena.slot}, count ${p.count})`;
  }
  const empty = ao.pools.filter((p) => p.count === 0).length;
  problems.expect(
    empty === freepools.size,
  )`${where}: ${empty} carved pools are empty but freepools holds ${freepools.size}`;
  problems.expect(
    ao.nfreepools === ao.ntotalpools - carved + freepools.size,
  )`${where}: nfreepools = ${ao.nfreepools}, but ${ao.ntotalpools - carved} pools are uncarved and ${freepools.size} cached`;
  ao.pools.forEach((pool, index) => {
    problems.expect(
      pool.index === index &&
        pool.arena === ao &&
        pool.address === space.poolAddress(ao.slot, index),
    )`${where}: pool ${index} is at ${new Hex(pool.address)} (index ${pool.index})`;
    checkPool(pm, pool, problems, `${where} pool ${index}`, requested);
    const capacity = g.blocksPerPool[pool.szidx] ?? 0;
    if (pool.count > 0 && pool.count < capacity) partlyUsed[pool.szidx]!++;
  });
}

function checkPool(
  pm: Pymalloc,
  pool: PoolHeader,
  problems: Problems,
  where: string,
  requested: { small: number },
): void {
  const g = pm.geometry;
  const c = pool.szidx;
  problems.expect(c >= 0 && c < g.sizeClasses)`${where}: szidx ${c} is no class`;
  const size = g.classSizes[c] ?? 1;
  const capacity = g.blocksPerPool[c] ?? 0;
  problems.expect(
    pool.link.length === capacity && pool.requested.length === capacity,
  )`${where}: side tables for ${pool.link.length} blocks, class ${c} has ${capacity}`;
  problems.expect(
    pool.maxnextoffset === g.poolSize - size,
  )`${where}: maxnextoffset ${pool.maxnextoffset}, expected ${g.poolSize - size}`;
  const carvedBytes = pool.nextoffset - g.poolOverhead;
  // Initialisation carves two blocks (one, for a one-block class, with nextoffset past the second).
  const carvedOk =
    carvedBytes % size === 0 &&
    carvedBytes >= 2 * size &&
    carvedBytes <= Math.max(capacity, 2) * size;
  problems.expect(
    carvedOk,
  )`${where}: nextoffset ${pool.nextoffset} is not past block 2 … ${capacity} of class ${c}`;
  const carved = Math.min(carvedBytes / size, capacity);
  let live = 0;
  pool.requested.forEach((n, k) => {
    if (n < 0) return;
    live++;
    requested.small += n;
    problems.expect(k < carved)`${where}: block ${k} is live but not carved (${carved} carved)`;
    // A malloc'd block is in its own class; one kept by a shrinking realloc may be smaller (invariant 4).
    problems.expect(
      classHoldsRequest(g, c, n),
    )`${where}: block ${k} holds a request of ${n} bytes in class ${c}`;
  });
  problems.expect(
    live === pool.count,
  )`${where}: ref.count = ${pool.count} but ${live} blocks are live`;
  const free = new Set<number>();
  for (let k = pool.freeblock; k !== NULL_BLOCK && !free.has(k); k = pool.link[k] ?? NULL_BLOCK) {
    free.add(k);
    problems.expect(
      k >= 0 && k < carved && pool.requested[k]! < 0,
    )`${where}: free list holds block ${k} (carved ${carved}, requested ${pool.requested[k]})`;
  }
  problems.expect(
    free.size === carved - pool.count,
  )`${where}: ${free.size} blocks on the free list, ${carved} carved and ${pool.count} live`;
  // The pre-carved block: a pool with any free block has one on its free list.
  const hasFree = pool.count < capacity;
  problems.expect(
    hasFree === (pool.freeblock !== NULL_BLOCK),
  )`${where}: ${pool.count} of ${capacity} blocks live but freeblock is ${pool.freeblock}`;
  problems.expect(
    pool.freeblock !== NULL_BLOCK || pool.nextoffset > pool.maxnextoffset,
  )`${where}: the free list is empty but nextoffset ${pool.nextoffset} leaves a virgin block`;
}

function checkUsedpools(pm: Pymalloc, problems: Problems, partlyUsed: number[]): void {
  const g = pm.geometry;
  for (let c = 0; c < g.sizeClasses; c++) {
    const list = pm.usedpools.list(c);
    problems.expect(
      pm.usedpools.backLinksAgree(c),
    )`usedpools[${c}]: the prevpool links disagree with the nextpool links`;
    problems.expect(
      list.length === partlyUsed[c],
    )`usedpools[${c}] holds ${list.length} pools but ${partlyUsed[c]} pools of the class are partly used`;
    for (const pool of list) {
      const ok =
        pool.szidx === c &&
        pool.count > 0 &&
        pool.count < g.blocksPerPool[c]! &&
        pm.arenaBySlot.get(pool.arena.slot) === pool.arena;
      problems.expect(
        ok,
      )`usedpools[${c}] holds pool ${new Hex(pool.address)} of class ${pool.szidx} with ${pool.count} live blocks`;
    }
  }
}

function checkUsableArenas(pm: Pymalloc, problems: Problems): void {
  const list = pm.usable.list();
  const withFree = pm.mappedArenas().filter((ao) => ao.nfreepools > 0).length;
  problems.expect(
    list.length === withFree,
  )`usable_arenas holds ${list.length} arenas but ${withFree} have a free pool`;
  const counts = list.map((ao) => ao.nfreepools);
  problems.expect(
    list.every(
      (ao, i) => ao.prevarena === (list[i - 1] ?? null) && pm.arenaBySlot.get(ao.slot) === ao,
    ),
  )`usable_arenas: broken prevarena links or an unmapped arena`;
  problems.expect(
    counts.every((n, i) => n > 0 && (i === 0 || n >= counts[i - 1]!)),
  )`usable_arenas is not sorted ascending by nfreepools, all > 0: [${counts}]`;
  pm.usable.nfp2lasta.forEach((ao, n) => {
    const rightmost = list.findLast((a) => a.nfreepools === n) ?? null;
    problems.expect(
      ao === rightmost,
    )`nfp2lasta[${n}] is arena ${ao?.slot ?? "NULL"}, the rightmost with ${n} free pools is ${rightmost?.slot ?? "NULL"}`;
  });
  const wholly = pm.mappedArenas().filter((ao) => ao.nfreepools === ao.ntotalpools);
  problems.expect(
    wholly.length <= Number(pm.geometry.keepEmptyArena),
  )`${wholly.length} wholly free arenas are mapped (keepEmptyArena ${pm.geometry.keepEmptyArena})`;
  problems.expect(
    wholly.every((ao) => ao === list[list.length - 1]),
  )`a wholly free arena is not the last element of usable_arenas`;
}
