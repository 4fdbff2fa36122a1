/**
 * `usable_arenas` and `nfp2lasta` (bpo-37029, Objects/obmalloc.c "Arena management" [3.8]+;
 * pycore_obmalloc.h [3.12][3.13]; spec/cpython-facts.md §3, §5.4).
 *
 * `usable_arenas` is a doubly linked list of the arenas with at least one free pool
 * (`nfreepools > 0`), sorted by `nfreepools` ascending, so that pools come from the most used
 * arena and nearly empty arenas get a chance to be released. An arena with no free pool is on no
 * list. `nfp2lasta[n]` is the rightmost arena in the list with exactly n free pools (or null): the
 * "search finger" that keeps the list sorted in constant time.
 *
 *   take a pool (only ever from the head):  head keeps the smallest count, stays the head; it
 *                                           leaves the list when its count reaches 0
 *   return a pool to arena ao (nf → nf+1):  release ao (the empty-arena rule), or
 *                                           nf+1 = 1: push at the head, or
 *                                           ao was the rightmost with nf: stays, or
 *                                           slide right, to just after nfp2lasta[nf]
 */
import type { ArenaObject } from "./arena-object.ts";

export class UsableArenas {
  /** `usable_arenas`: the head of the list, or null. */
  head: ArenaObject | null = null;
  /** `nfp2lasta[0 … MAX_POOLS_IN_ARENA]`; index 0 is never set. */
  readonly nfp2lasta: (ArenaObject | null)[];

  constructor(maxPoolsInArena: number) {
    this.nfp2lasta = new Array<ArenaObject | null>(maxPoolsInArena + 1).fill(null);
  }

  /**
   * `allocate_from_new_pool()`, when `usable_arenas == NULL`: the arena `new_arena()` just made
   * becomes the only element. [3.9]–[3.13] (inline in `pymalloc_alloc()` [3.8])
   */
  adopt(ao: ArenaObject): void {
    this.head = ao;
    ao.nextarena = null;
    ao.prevarena = null;
    this.nfp2lasta[ao.nfreepools] = ao;
  }

  /**
   * `allocate_from_new_pool()`: the head arena gives up one pool. The head has the smallest count,
   * so after the decrement it is the unique arena with the new smallest count and stays the head;
   * only the fingers change. When the count reaches 0 the arena is wholly allocated and leaves the
   * list. (C decrements after choosing the pool; the choice does not read the count.)
   */
  takePoolFromHead(): ArenaObject {
    const ao = this.head!;
    const nf = ao.nfreepools;
    // "It's the last of this size, so there won't be any."
    if (this.nfp2lasta[nf] === ao) this.nfp2lasta[nf] = null;
    // "If any free pools will remain, it will be the new smallest."
    if (nf > 1) this.nfp2lasta[nf - 1] = ao;
    ao.nfreepools = nf - 1;
    if (ao.nfreepools === 0) {
      // "Wholly allocated: remove."
      this.head = ao.nextarena;
      if (this.head !== null) this.head.prevarena = null;
      // C leaves ao's links stale; they are never read again while ntotalpools > 1 (see returnPool).
      ao.nextarena = null;
    }
    return ao;
  }

  /**
   * `insert_to_freepool()` [3.9]–[3.13] (inline in `pymalloc_free()` [3.8]), the arena half: one
   * more pool of `ao` is free. Returns true when the arena must be released; it has then been
   * unlinked, and the caller returns its memory and its object.
   *
   * The release test, evaluated **before** any re-sorting:
   *   3.8  (`keepEmptyArena: false`): `nf == ao->ntotalpools`: every wholly free arena goes;
   *   3.9+ (`keepEmptyArena: true`):  `nf == ao->ntotalpools && ao->nextarena != NULL`: a wholly
   *        free arena is kept when it is the last element of usable_arenas (bpo-37257).
   *
   * An arena that was wholly allocated (old count 0) is on no list; with ntotalpools ≥ 2 it cannot
   * become wholly free in one step, so C never reads its (stale) nextarena. Only a one-pool arena,
   * which CPython never has (MAX_POOLS_IN_ARENA ≥ 63), gets there: the model then asks whether
   * the arena would have a successor once pushed at the head, i.e. whether usable_arenas is non-empty
   * (spec/cpython-model.md §6).
   */
  returnPool(ao: ArenaObject, keepEmptyArena: boolean): boolean {
    const nfOld = ao.nfreepools;
    const lastnf = this.nfp2lasta[nfOld] ?? null;
    if (lastnf === ao) {
      // It was the rightmost with nfOld: the finger moves to its left neighbour if that one has nfOld too.
      const p = ao.prevarena;
      this.nfp2lasta[nfOld] = p !== null && p.nfreepools === nfOld ? p : null;
    }
    const nf = nfOld + 1;
    ao.nfreepools = nf;

    const onList = nfOld > 0;
    const successor = onList ? ao.nextarena : this.head;
    if (shouldReleaseEmptyArena(ao, nf, successor, keepEmptyArena)) {
      // Case 1: free the whole arena.
      if (onList) this.unlink(ao);
      return true;
    }
    if (nf === 1) {
      // Case 2: it was wholly allocated, so on no list: push it at the head.
      ao.nextarena = this.head;
      ao.prevarena = null;
      if (this.head !== null) this.head.prevarena = ao;
      this.head = ao;
      if (this.nfp2lasta[1] === null) this.nfp2lasta[1] = ao;
      return false;
    }
    // "If this is the only arena with nf, record that."
    if (this.nfp2lasta[nf] === null) this.nfp2lasta[nf] = ao;
    // Case 4: it was the rightmost of the old count, so the list is still sorted.
    if (ao === lastnf) return false;
    // Case 3: slide it right, to just after lastnf, the rightmost arena with the old count.
    this.unlink(ao);
    const anchor = lastnf!;
    ao.prevarena = anchor;
    ao.nextarena = anchor.nextarena;
    if (ao.nextarena !== null) ao.nextarena.prevarena = ao;
    anchor.nextarena = ao;
    return false;
  }

  /** Unlinks `ao` from the list, fixing the head. */
  private unlink(ao: ArenaObject): void {
    if (ao.prevarena === null) this.head = ao.nextarena;
    else ao.prevarena.nextarena = ao.nextarena;
    if (ao.nextarena !== null) ao.nextarena.prevarena = ao.prevarena;
    ao.nextarena = null;
    ao.prevarena = null;
  }

  /** The list, head to tail (for check() and introspection); stops at a repeat. */
  list(): ArenaObject[] {
    const out: ArenaObject[] = [];
    const seen = new Set<ArenaObject>();
    for (let ao = this.head; ao !== null && !seen.has(ao); ao = ao.nextarena) {
      seen.add(ao);
      out.push(ao);
    }
    return out;
  }
}

/**
 * The empty-arena rule as CPython has it (spec/policy.md §2.6 compares it with the
 * address-ordered one), evaluated before any re-sorting: 3.8 releases every wholly free arena;
 * 3.9+ keeps it when it is the last element of usable_arenas (`successor` null, bpo-37257).
 */
function shouldReleaseEmptyArena(
  ao: ArenaObject,
  nf: number,
  successor: ArenaObject | null,
  keepEmptyArena: boolean,
): boolean {
  return nf === ao.ntotalpools && (!keepEmptyArena || successor !== null);
}
