/**
 * Address normalisation (spec/cpython-model.md §7.6): the real and the model heap put their
 * arenas at different addresses, so an address is compared as a name: pools are numbered in order
 * of first use, a block is (its pool's number, its offset in the pool), and a raw block is "raw"
 * wherever it lies. Both sides name their own addresses, each with its own numbering.
 */

/** A normalised address: poolNumber · poolSize + offset, or one of these. */
export const RAW = -1;
export const NULL_ADDRESS = -2;

export class AddressNames {
  private readonly pools = new Map<number, number>();

  constructor(
    private readonly poolSize: number,
    /** Whether an address lies in a pool (an arena), not on the raw path. */
    private readonly inArena: (address: number) => boolean,
  ) {}

  name(address: number | null): number {
    if (address === null || address === 0) return NULL_ADDRESS;
    if (!this.inArena(address)) return RAW;
    const offset = address % this.poolSize;
    const pool = address - offset;
    let n = this.pools.get(pool);
    if (n === undefined) {
      n = this.pools.size;
      this.pools.set(pool, n);
    }
    return n * this.poolSize + offset;
  }
}

/** "pool 3 + 1,024", "raw", "null". */
export function formatName(name: number, poolSize: number): string {
  if (name === RAW) return "raw";
  if (name === NULL_ADDRESS) return "null";
  return `pool ${Math.floor(name / poolSize)} + ${name % poolSize}`;
}
