/**
 * Misuse-target generation: the call a misuse operation (ops.ts `misuse`) makes and the error
 * spec/errors.md expects of it, worked out from the shadow heap alone (invariant 9). Pure: the
 * same shadow and pick give the same call, so `canRun` and the step agree.
 */
import type { Geometry } from "../../../src/core/geometry.ts";
import type { CallKind, PlannedCall } from "../call.ts";
import { expectedPointerError } from "../expected-errors.ts";
import { BAD_SIZES, type MisuseKind } from "../ops.ts";
import type { ShadowHeap } from "../shadow-heap.ts";
import type { Subject } from "../subject.ts";

/** What a misuse target is worked out from. */
export interface MisuseScene {
  readonly subject: Subject;
  readonly shadow: ShadowHeap;
  readonly geometry: Geometry | undefined;
}

/**
 * The call a misuse operation makes, and the error errors.md expects; undefined if none fits.
 * A candidate pointer that happens to be a live block (an arena's first byte is block 0 when
 * H = 0) is no misuse, so the operation does not run.
 */
export function misuseTarget(
  scene: MisuseScene,
  kind: MisuseKind,
  pick: number,
): PlannedCall | undefined {
  const target = misuseCandidate(scene, kind, pick);
  // (A bad size is misuse whatever the pointer; realloc(live block, NaN) is the point of it.)
  const liveTarget = kind !== "bad-size" && target?.p != null && scene.shadow.isLive(target.p);
  return liveTarget ? undefined : target;
}

function misuseCandidate(
  scene: MisuseScene,
  kind: MisuseKind,
  pick: number,
): PlannedCall | undefined {
  const { subject, shadow, geometry: g } = scene;
  const pointer = (kind: CallKind, p: number, n?: number): PlannedCall =>
    n === undefined
      ? { kind, p, expectedError: expectedPointerError(shadow, p, kind) }
      : { kind, p, n, expectedError: expectedPointerError(shadow, p, kind) };
  const live = shadow.pick(pick);
  switch (kind) {
    case "double-free": {
      const p = shadow.freedAt(pick);
      return p === undefined ? undefined : pointer("free", p);
    }
    case "use-after-free": {
      const p = shadow.freedAt(pick);
      if (p === undefined) return undefined;
      return pick % 2 === 0 || subject.realloc === undefined
        ? optionalPointerCall(scene, p)
        : pointer("realloc", p, 8);
    }
    case "interior": {
      if (live === undefined) return undefined;
      const offset = 1 + (pick % Math.max(1, live.usable - 1));
      return pointer(
        pick % 3 === 0 ? "free" : pick % 3 === 1 && subject.realloc ? "realloc" : "free",
        live.address + offset,
        pick % 3 === 1 ? 8 : undefined,
      );
    }
    case "header": {
      if (g === undefined || g.poolOverhead === 0) return undefined;
      const small = shadow.live.find((b) => !b.raw);
      return small === undefined
        ? undefined
        : pointer("free", small.pool + (pick % (g.poolOverhead / g.alignment)) * g.alignment);
    }
    case "released-arena": {
      if (g === undefined) return undefined;
      const start = shadow.releasedArenas[pick % Math.max(1, shadow.releasedArenas.length)];
      if (start === undefined) return undefined;
      const firstPool = Math.ceil(start / g.poolSize) * g.poolSize;
      return pointer("free", firstPool + g.poolOverhead);
    }
    case "unknown":
      if (pick % 5 === 2 && subject.realloc !== undefined)
        return pointer("realloc", unknownPointer(scene, pick), 8);
      return pointer(
        pick % 5 === 1 && subject.usableSize !== undefined ? "usableSize" : "free",
        unknownPointer(scene, pick),
      );
    case "bad-size": {
      const n = BAD_SIZES[pick % BAD_SIZES.length]!;
      if (pick % 2 === 0 || subject.realloc === undefined || live === undefined)
        return { kind: "malloc", n, expectedError: "invalid-size" };
      return { kind: "realloc", p: live.address, n, expectedError: "invalid-size" };
    }
  }
}

/**
 * Something that is not a block address: never mapped, an arena's slack before its first pool
 * (misaligned arenas) or the guard space after it, a fraction inside it, or not an address at all. Address 0 only with
 * a geometry: to a general allocator, as to C's, it is NULL, and free(NULL) is valid
 * (spec/wasm.md §2); 4, below any heap, takes its place.
 */
function unknownPointer({ shadow, geometry: g }: MisuseScene, pick: number): number {
  const arenas = [...shadow.arenas.keys()];
  const arena = arenas[pick % Math.max(1, arenas.length)];
  const candidates: number[] = [
    g === undefined ? 4 : 0,
    8,
    2 ** 50 + 16 * (pick % 1000),
    NaN,
    -16,
    1.5,
    "0x10" as unknown as number,
  ];
  // In an arena: its start, the guard after it, and half a byte into its middle (inside a pool,
  // not an address: the bitmap allocator's pool lookup for an offset that is not an integer).
  if (g !== undefined && arena !== undefined)
    candidates.push(arena, arena + g.arenaSize + g.alignment, arena + g.arenaSize / 2 + 0.5);
  return candidates[Math.floor(pick / 5) % candidates.length]!;
}

/** usableSize of a freed block when the subject has it, else free: a use after free. */
function optionalPointerCall({ subject, shadow }: MisuseScene, p: number): PlannedCall {
  const kind: CallKind = subject.usableSize !== undefined ? "usableSize" : "free";
  return { kind, p, expectedError: expectedPointerError(shadow, p, kind) };
}
