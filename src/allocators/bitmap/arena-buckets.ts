/**
 * Arenas bucketed by their number of empty pools (spec/bitmap.md §1.5): the arena a new pool
 * comes from (spec/policy.md §2.3, the fewest empty pools, ties to the lowest address) in
 * O(levels), with no scan of the arenas.
 *
 *   counts      LevelBitset over e = 1 … poolsPerArena: member ⇔ some arena has e empty pools
 *   bucket[e]   LevelBitset over arena slots with exactly e empty pools
 *   size[e]     |bucket[e]|
 *
 *   best() = bucket[counts.first()].first()    the smallest e, then the lowest slot
 *
 * Arenas with no empty pool are in no bucket. A wholly empty arena is in bucket[poolsPerArena].
 */
import { LevelBitset } from "../../core/bits/level-bitset.ts";
import type { Problems } from "../../core/integrity.ts";
import type { PoolTable } from "./pool-table.ts";

export class ArenaBuckets {
  readonly poolsPerArena: number;
  private readonly buckets: (LevelBitset | undefined)[] = [];
  private readonly sizes: Int32Array;
  private readonly counts: LevelBitset;

  constructor(poolsPerArena: number) {
    this.poolsPerArena = poolsPerArena;
    this.sizes = new Int32Array(poolsPerArena + 1);
    this.counts = new LevelBitset(poolsPerArena + 1);
  }

  /** The arena to take an empty pool from, or −1 when no mapped arena has one. O(levels). */
  best(): number {
    const count = this.counts.first();
    return count === -1 ? -1 : this.buckets[count]!.first();
  }

  /** Puts the arena in bucket `count` (no bucket for 0). O(levels). */
  add(slot: number, count: number): void {
    if (count === 0) return;
    const bucket = this.buckets[count] ?? (this.buckets[count] = new LevelBitset(64));
    bucket.add(slot);
    if (this.sizes[count]!++ === 0) this.counts.add(count);
  }

  /** Takes the arena out of bucket `count`. O(levels). */
  remove(slot: number, count: number): void {
    if (count === 0) return;
    this.buckets[count]!.delete(slot);
    if (--this.sizes[count]! === 0) this.counts.delete(count);
  }

  /** The arena's empty-pool count went from `from` to `to`. */
  move(slot: number, from: number, to: number): void {
    this.remove(slot, from);
    this.add(slot, to);
  }

  /** Arenas with exactly `count` empty pools. */
  size(count: number): number {
    return this.sizes[count]!;
  }

  // ── for check() ─────────────────────────────────────────────────────────────────────────

  /**
   * Every (count, slot) membership against the arena table, and the internal consistency of the
   * buckets, the sizes and `counts` (invariant 12). O(buckets + members).
   */
  check(problems: Problems, table: Pick<PoolTable, "isMapped" | "emptyPools">): void {
    for (let count = 0; count <= this.poolsPerArena; count++) {
      const bucket = this.buckets[count];
      let members = 0;
      if (bucket !== undefined) {
        problems.expect(
          count !== 0,
        )`bucket 0 exists (arenas without an empty pool belong to no bucket)`;
        for (const slot of bucket) {
          members++;
          const mapped = table.isMapped(slot);
          const empty = table.emptyPools[slot];
          problems.expect(mapped)`bucket ${count} holds arena slot ${slot}, which is not mapped`;
          problems.expect(
            !mapped || empty === count,
          )`bucket ${count} holds arena slot ${slot}, which has ${empty} empty pools`;
        }
        problems.include(bucket.summaryProblems())`bucket ${count}: `;
      }
      problems.expect(
        members === this.sizes[count],
      )`bucket ${count} has ${members} arenas but its size says ${this.sizes[count]}`;
      problems.expect(
        count === 0 || this.counts.has(count) === members > 0,
      )`counts has ${count} = ${this.counts.has(count)} but bucket ${count} has ${members} arenas`;
    }
    // Members past poolsPerArena are past the set's capacity: its summary check reports them.
    for (const count of this.counts) problems.expect(count !== 0)`counts holds ${count}`;
    problems.include(this.counts.summaryProblems())`counts: `;
  }

  /** Whether the arena is in bucket `count` (a bucket never created has no members). */
  has(slot: number, count: number): boolean {
    const bucket = this.buckets[count];
    return bucket !== undefined && bucket.has(slot);
  }
}
