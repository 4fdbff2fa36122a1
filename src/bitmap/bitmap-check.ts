/**
 * `check()` for the bitmap allocator (invariant 12): recounts everything from the bits and the
 * per-pool arrays and compares it with every derived structure. O(mapped pools · region words +
 * set members + classes); it is meant for tests, not for hot paths.
 */
import { sizeClassOf } from "../geometry.ts";
import type { BitmapHeap } from "./bitmap-heap.ts";

export function bitmapProblems(heap: BitmapHeap): string[] {
  const { geometry: g, addressSpace: space, table, bitmaps, requestedSizes, classes, buckets, emptyPools } = heap;
  const ppa = g.poolsPerArena;
  const problems: string[] = [];

  // Mapped slots equal the address space's.
  const mine: number[] = [];
  for (let slot = 0; slot < table.capacity; slot++) {
    if (table.mapped[slot] === 1) mine.push(slot);
    else if (table.mapped[slot] !== 0) problems.push(`mapped[${slot}] = ${table.mapped[slot]}`);
  }
  const theirs = [...space.mappedSlots()];
  if (mine.join() !== theirs.join()) problems.push(`mapped slots [${mine}] differ from the address space's [${theirs}]`);

  const poolsPerClass = new Int32Array(g.sizeClasses);
  const blocksPerClass = new Int32Array(g.sizeClasses);
  let requested = 0;
  let whollyEmpty = 0;
  for (let slot = 0; slot < table.capacity; slot++) {
    const mapped = table.mapped[slot] === 1;
    let empty = 0;
    for (let index = 0; index < ppa; index++) {
      const gp = slot * ppa + index;
      const where = `arena ${slot} pool ${index}`;
      const c = table.sizeClass[gp]!;
      const live = table.live[gp]!;
      if (!mapped) {
        if (c !== -1 || live !== 0) problems.push(`${where} (unmapped): class ${c}, ${live} live`);
        if (emptyPools.has(gp)) problems.push(`${where} (unmapped) is in the empty-pool set`);
        continue;
      }
      if (c < -1 || c >= g.sizeClasses) {
        problems.push(`${where}: class ${c} out of range`);
        continue;
      }
      if (table.address[gp] !== space.poolAddress(slot, index)) problems.push(`${where}: address ${table.address[gp]} but the pool is at ${space.poolAddress(slot, index)}`);
      if ((c === -1) !== (live === 0)) problems.push(`${where}: class ${c} with ${live} live blocks`);
      if (emptyPools.has(gp) !== (live === 0)) problems.push(`${where}: ${live} live but empty-pool membership ${emptyPools.has(gp)}`);
      if (live === 0) {
        empty++;
        continue;
      }
      if (c === -1) continue;
      const bpp = g.blocksPerPool[c]!;
      if (live > bpp) problems.push(`${where}: ${live} live blocks in a pool of ${bpp}`);
      const partly = live < bpp;
      if (classes.partly[c]!.has(gp) !== partly) problems.push(`${where}: ${live}/${bpp} live but partly-used membership ${!partly}`);
      poolsPerClass[c]!++;
      blocksPerClass[c]! += live;
      problems.push(...bitmaps.problems(gp, c, live, where));
      const size = g.classSizes[c]!;
      for (let k = 0; k < bpp; k++) {
        if (bitmaps.isFree(gp, k)) continue;
        const asked = size - requestedSizes.get(gp, k);
        requested += asked;
        const fits = asked >= 0 && asked <= size && (sizeClassOf(g, asked) === c || 4 * asked > 3 * size);
        if (!fits) problems.push(`${where}: block ${k} holds a request of ${asked} bytes in class ${c}`);
      }
    }
    if (!mapped) continue;
    if (table.emptyPools[slot] !== empty) problems.push(`arena ${slot}: emptyPools = ${table.emptyPools[slot]} but ${empty} pools are empty`);
    if (empty > 0 && !buckets.has(slot, empty)) problems.push(`arena ${slot} with ${empty} empty pools is not in bucket ${empty}`);
    if (empty === ppa) whollyEmpty++;
  }

  for (let c = 0; c < g.sizeClasses; c++) {
    if (classes.pools[c] !== poolsPerClass[c]) problems.push(`class ${c}: pools = ${classes.pools[c]} but ${poolsPerClass[c]} pools are used`);
    if (classes.blocks[c] !== blocksPerClass[c]) problems.push(`class ${c}: blocks = ${classes.blocks[c]} but ${blocksPerClass[c]} are live`);
    const partly = classes.partly[c]!;
    for (const gp of partly) {
      const slot = Math.floor(gp / ppa);
      const live = table.live[gp];
      if (!table.isMapped(slot) || table.sizeClass[gp] !== c || !(live! > 0 && live! < g.blocksPerPool[c]!)) {
        problems.push(`partly-used set of class ${c} holds pool ${gp} (arena ${slot}), which is not a partly used pool of that class`);
      }
    }
    if (classes.lowest[c] !== partly.first()) problems.push(`class ${c}: lowest partly used pool cached as ${classes.lowest[c]} but the set's first is ${partly.first()}`);
    problems.push(...partly.summaryProblems().map((p) => `partly-used set of class ${c}: ${p}`));
  }
  for (const gp of emptyPools) {
    if (!table.isMapped(Math.floor(gp / ppa)) || table.live[gp] !== 0) problems.push(`empty-pool set holds pool ${gp}, which is not an empty pool of a mapped arena`);
  }
  problems.push(...emptyPools.summaryProblems().map((p) => `empty-pool set: ${p}`));
  problems.push(...buckets.problems((slot) => (table.isMapped(slot) ? table.emptyPools[slot] : undefined)));

  if (heap.whollyEmptyArenas !== whollyEmpty) problems.push(`whollyEmptyArenas = ${heap.whollyEmptyArenas} but ${whollyEmpty} arenas are wholly empty`);
  if (buckets.size(ppa) !== whollyEmpty) problems.push(`bucket ${ppa} holds ${buckets.size(ppa)} arenas but ${whollyEmpty} are wholly empty`);
  if (whollyEmpty > (g.keepEmptyArena ? 1 : 0)) problems.push(`${whollyEmpty} wholly empty arenas are mapped (invariant 6)`);

  for (const raw of space.rawBlocks()) requested += raw.requested;
  if (requested !== heap.requested.current) problems.push(`requested.current = ${heap.requested.current} but live blocks asked for ${requested}`);
  return problems;
}
