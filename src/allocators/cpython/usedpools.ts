/**
 * `usedpools[]`: per size class, a circular doubly linked list of the pools that are partly used
 * (0 < ref.count < capacity). In C, `usedpools[2c]` and `usedpools[2c+1]` are the `nextpool` and
 * `prevpool` of a fake pool header for class c (the "Major obscurity" comment); here each class
 * has a real list head. Allocation always takes the **first** pool; a pool that leaves the full
 * state is linked in at the **front** (`insert_to_usedpool()`); a pool is unlinked when it becomes
 * full (`pymalloc_pool_extend()`) or empty (`insert_to_freepool()`).
 * Objects/obmalloc.c [3.8]–[3.13].
 */
import { PoolHeader, type PoolLinks } from "./pool-header.ts";

class ListHead implements PoolLinks {
  nextpool: PoolLinks = this;
  prevpool: PoolLinks = this;
}

export class UsedPools {
  private readonly heads: ListHead[];

  constructor(sizeClasses: number) {
    this.heads = Array.from({ length: sizeClasses }, () => new ListHead());
  }

  /** `usedpools[size + size]`: the first pool of the class, or null when `pool == pool->nextpool`. */
  first(sizeClass: number): PoolHeader | null {
    const next = this.heads[sizeClass]!.nextpool;
    return next instanceof PoolHeader ? next : null;
  }

  /**
   * Links `pool` in at the front of its class list: between the head and the first pool.
   * `insert_to_usedpool()` [3.9]–[3.13] (inline in `pymalloc_free()` [3.8]), and the
   * "Frontlink to used pools" step of `allocate_from_new_pool()`, where the list is empty.
   */
  pushFront(sizeClass: number, pool: PoolHeader): void {
    const head = this.heads[sizeClass]!;
    const next = head.nextpool;
    pool.nextpool = next;
    pool.prevpool = head;
    next.prevpool = pool;
    head.nextpool = pool;
  }

  /** The standard unlink: `next->prevpool = prev; prev->nextpool = next`. */
  unlink(pool: PoolHeader): void {
    const next = pool.nextpool;
    const prev = pool.prevpool;
    next.prevpool = prev;
    prev.nextpool = next;
    pool.nextpool = pool;
    pool.prevpool = pool;
  }

  /** The pools of a class, front to back (for check() and introspection). */
  list(sizeClass: number): PoolHeader[] {
    const head = this.heads[sizeClass]!;
    const out: PoolHeader[] = [];
    const seen = new Set<PoolLinks>();
    // Stops at a repeat so that a corrupt list cannot loop forever inside check().
    for (
      let p = head.nextpool;
      p !== head && p instanceof PoolHeader && !seen.has(p);
      p = p.nextpool
    ) {
      seen.add(p);
      out.push(p);
    }
    return out;
  }

  /** Whether walking back from the head gives the same pools in reverse order. */
  backLinksAgree(sizeClass: number): boolean {
    const forward = this.list(sizeClass);
    const head = this.heads[sizeClass]!;
    let p = head.prevpool;
    for (let i = forward.length - 1; i >= 0; i--, p = p.prevpool)
      if (p !== forward[i]) return false;
    return p === head;
  }
}
