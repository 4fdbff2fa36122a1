/**
 * `check()` for the bitmap allocator (invariant 12): recounts everything from the bits and the
 * per-pool arrays and compares it with every derived structure (spec/bitmap.md §5; its cost:
 * §4); it is meant for tests, not for hot paths.
 *
 * Every comparison is a `problems.expect` (src/core/integrity.ts); the control flow below (`continue`,
 * `if`) goes both ways on correct heaps, so the properties reach all of it.
 */
import { classHoldsRequest } from "../../core/geometry.ts";
import { Problems, sameNumbers } from "../../core/integrity.ts";
import type { BitmapHeap } from "./bitmap-heap.ts";

export function checkBitmapHeap(heap: BitmapHeap, problems: Problems): void {
  const {
    geometry: g,
    addressSpace: space,
    table,
    bitmaps,
    requestedSizes,
    classes,
    buckets,
    emptyPools,
  } = heap;
  const ppa = g.poolsPerArena;

  // Mapped slots equal the address space's.
  const mine: number[] = [];
  for (let slot = 0; slot < table.capacity; slot++) {
    const flag = table.mapped[slot]!;
    problems.expect(flag === 0 || flag === 1)`mapped[${slot}] = ${flag}`;
    if (flag === 1) mine.push(slot);
  }
  const theirs = [...space.mappedSlots()];
  problems.expect(
    sameNumbers(mine, theirs),
  )`mapped slots [${mine}] differ from the address space's [${theirs}]`;

  const poolsPerClass = new Int32Array(g.sizeClasses);
  const blocksPerClass = new Int32Array(g.sizeClasses);
  let requested = 0;
  let whollyEmpty = 0;
  for (let slot = 0; slot < table.capacity; slot++) {
    const mapped = table.mapped[slot] === 1;
    let empty = 0;
    for (let index = 0; index < ppa; index++) {
      const gp = slot * ppa + index;
      const c = table.sizeClass[gp]!;
      const live = table.live[gp]!;
      if (!mapped) {
        problems.expect(
          c === -1 && live === 0,
        )`arena ${slot} pool ${index} (unmapped): class ${c}, ${live} live`;
        problems.expect(
          !emptyPools.has(gp),
        )`arena ${slot} pool ${index} (unmapped) is in the empty-pool set`;
        continue;
      }
      problems.expect(
        c >= -1 && c < g.sizeClasses,
      )`arena ${slot} pool ${index}: class ${c} out of range`;
      problems.expect(
        table.address[gp] === space.poolAddress(slot, index),
      )`arena ${slot} pool ${index}: address ${table.address[gp]} but the pool is at ${space.poolAddress(slot, index)}`;
      problems.expect(
        (c === -1) === (live === 0),
      )`arena ${slot} pool ${index}: class ${c} with ${live} live blocks`;
      problems.expect(
        emptyPools.has(gp) === (live === 0),
      )`arena ${slot} pool ${index}: ${live} live but empty-pool membership ${emptyPools.has(gp)}`;
      if (live === 0) empty++;
      // Only a used pool is examined block by block, and only with a usable class: a bad one
      // (live blocks but class −1, or out of range) has been reported above.
      if (live === 0 || !(c >= 0 && c < g.sizeClasses)) continue;
      const bpp = g.blocksPerPool[c]!;
      problems.expect(
        live <= bpp,
      )`arena ${slot} pool ${index}: ${live} live blocks in a pool of ${bpp}`;
      const partly = live < bpp;
      problems.expect(
        classes.partly.has(c, gp) === partly,
      )`arena ${slot} pool ${index}: ${live}/${bpp} live but partly-used membership ${!partly}`;
      poolsPerClass[c]!++;
      blocksPerClass[c]! += live;
      problems.include(bitmaps.poolProblems(gp, c, live))`arena ${slot} pool ${index}: `;
      const size = g.classSizes[c]!;
      for (let k = 0; k < bpp; k++) {
        if (bitmaps.isFree(gp, k)) continue;
        const asked = size - requestedSizes.get(gp, k);
        requested += asked;
        // Both alternatives happen on a correct heap: a malloc'd block is in its own class, one
        // kept in place by a shrinking realloc may be in a smaller one (invariant 4).
        problems.expect(
          classHoldsRequest(g, c, asked),
        )`arena ${slot} pool ${index}: block ${k} holds a request of ${asked} bytes in class ${c}`;
      }
    }
    if (!mapped) continue;
    problems.expect(
      table.emptyPools[slot] === empty,
    )`arena ${slot}: emptyPools = ${table.emptyPools[slot]} but ${empty} pools are empty`;
    problems.expect(
      empty === 0 || buckets.has(slot, empty),
    )`arena ${slot} with ${empty} empty pools is not in bucket ${empty}`;
    if (empty === ppa) whollyEmpty++;
  }

  for (let c = 0; c < g.sizeClasses; c++) {
    problems.expect(
      classes.pools[c] === poolsPerClass[c],
    )`class ${c}: pools = ${classes.pools[c]} but ${poolsPerClass[c]} pools are used`;
    problems.expect(
      classes.blocks[c] === blocksPerClass[c],
    )`class ${c}: blocks = ${classes.blocks[c]} but ${blocksPerClass[c]} are live`;
    const partly = classes.partly;
    for (let gp = partly.next(c, 0); gp !== -1; gp = partly.next(c, gp + 1)) {
      const slot = Math.floor(gp / ppa);
      const live = table.live[gp]!;
      problems.expect(
        table.isMapped(slot) && table.sizeClass[gp] === c && live > 0 && live < g.blocksPerPool[c]!,
      )`partly-used set of class ${c} holds pool ${gp} (arena ${slot}), which is not a partly used pool of that class`;
    }
    // The cached lowest member (classes.lowest[c]) is the set's own: summaryProblems checks it.
    problems.include(partly.summaryProblems(c))`partly-used set of class ${c}: `;
  }
  for (const gp of emptyPools) {
    problems.expect(
      table.isMapped(Math.floor(gp / ppa)) && table.live[gp] === 0,
    )`empty-pool set holds pool ${gp}, which is not an empty pool of a mapped arena`;
  }
  problems.include(emptyPools.summaryProblems())`empty-pool set: `;
  problems.include(requestedSizes.regionProblems(table.sizeClass))`requested sizes: `;
  problems.include(bitmaps.regionProblems(table.sizeClass))`pool bits: `;
  buckets.check(problems, table);

  problems.expect(
    heap.whollyEmptyArenas === whollyEmpty,
  )`whollyEmptyArenas = ${heap.whollyEmptyArenas} but ${whollyEmpty} arenas are wholly empty`;
  problems.expect(
    buckets.size(ppa) === whollyEmpty,
  )`bucket ${ppa} holds ${buckets.size(ppa)} arenas but ${whollyEmpty} are wholly empty`;
  problems.expect(
    whollyEmpty <= Number(g.keepEmptyArena),
  )`${whollyEmpty} wholly empty arenas are mapped (invariant 6)`;

  for (const raw of space.rawBlocks()) requested += raw.requested;
  problems.expect(
    requested === heap.requested.current,
  )`requested.current = ${heap.requested.current} but live blocks asked for ${requested}`;
}
