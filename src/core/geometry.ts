/**
 * Geometry: the validated numbers that shape a pymalloc-style heap (spec/model.md §1).
 *
 *   arena (arenaSize bytes, mapped from the simulated OS)
 *   ┌──────┬─────────────┬─────────────┬─────┬─────────────┬──────┐
 *   │slack │   pool 0    │   pool 1    │ ... │  pool n-1   │slack │  slack only when the arena
 *   └──────┴─────────────┴─────────────┴─────┴─────────────┴──────┘  start is not pool-aligned
 *          │<- poolSize ->│                                          (CPython's "excess" rule)
 *   pool:  ┌────────┬───────┬───────┬─────┬───────┬──────────────┐
 *          │ header │ blk 0 │ blk 1 │ ... │ blk k │ quantization │
 *          └────────┴───────┴───────┴─────┴───────┴──────────────┘
 *          │<- H  ->│<-size->│  size = classSize(c) = (c+1)·A
 *
 * Every allocator takes one Geometry; every derived number (class sizes, blocks per pool, pools
 * per arena) is computed here once, so the allocators and the tests cannot disagree about it.
 */
import { LEVEL_BITSET_MAX_CAPACITY } from "./bits/level-bitset.ts";

/** The independent parameters. A preset spread into `defineGeometry` and overridden is valid. */
export interface GeometryOptions {
  /** A: every address is a multiple of it; size classes are A apart. Power of two, >= 4. */
  readonly alignment: number;
  /** T: requests of 1..T bytes are small; 0 and > T go to the raw region. Multiple of A. */
  readonly smallThreshold: number;
  /** P: pool size; pools are P-aligned, so a block finds its pool by rounding down. Power of two. */
  readonly poolSize: number;
  /** R: arena size, a multiple of P. */
  readonly arenaSize: number;
  /** H: bytes of pool header before the first block; a multiple of A (CPython: 48 on 64-bit). */
  readonly poolOverhead: number;
  /** Whether arenas start pool-aligned. If not, each arena loses one pool (CPython's "excess"). */
  readonly poolAlignedArenas: boolean;
  /** The arena limit: the simulated address space holds this many arenas (out of memory beyond). */
  readonly maxArenas: number;
  /** The empty-arena rule: true keeps at most one wholly empty arena mapped (3.9+), false none (3.8). */
  readonly keepEmptyArena: boolean;
  /** The largest request size accepted at all; larger is `invalid-size`. Default 2^53 - 1. */
  readonly maxRequest?: number;
}

export interface Geometry extends Required<GeometryOptions> {
  /** The preset's name, or a description of a custom geometry. */
  readonly name: string;
  /** log2(alignment). */
  readonly alignmentShift: number;
  /** Number of size classes: T / A. */
  readonly sizeClasses: number;
  /** classSizes[c] = (c + 1) * A. */
  readonly classSizes: readonly number[];
  /** blocksPerPool[c] = floor((P - H) / classSizes[c]) (CPython's NUMBLOCKS). */
  readonly blocksPerPool: readonly number[];
  /** Usable pools per arena: R / P, or one fewer when arenas are not pool-aligned. */
  readonly poolsPerArena: number;
  /** Offset of an arena's start past a pool boundary: 0 when pool-aligned (spec/model.md §2). */
  readonly arenaExcess: number;
  /** Bytes of raw (size 0 or > T) mappings the simulated OS grants at one time. */
  readonly rawLimit: number;
}

export class GeometryError extends Error {
  override readonly name = "GeometryError";
  /** The broken constraint, e.g. "poolSize is a power of two". */
  readonly constraint: string;
  constructor(constraint: string, detail: string) {
    super(`invalid geometry: ${constraint} (${detail})`);
    this.constraint = constraint;
  }
}

const MAX_POOL_SIZE = 1 << 24;
const MAX_ARENA_SIZE = 2 ** 31;
const MAX_SIZE_CLASSES = 4096;
/** Keeps every simulated address, raw ones included, far below 2^53 (spec/model.md §2). */
const MAX_ARENA_REGION = 2 ** 46;

const isPowerOfTwo = (n: number): boolean =>
  Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 30;

function demand(ok: boolean, constraint: string, detail: string): void {
  if (!ok) throw new GeometryError(constraint, detail);
}

function requireInteger(value: unknown, field: string): asserts value is number {
  demand(
    typeof value === "number" && Number.isSafeInteger(value),
    `${field} is an integer`,
    `got ${String(value)}`,
  );
}

/** The smallest power of two >= n. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Validates the options and computes every derived number. Throws `GeometryError` naming the
 * first broken constraint. Derived fields in `options` (from spreading a preset) are ignored and
 * recomputed, so `defineGeometry({ ...geometries["cpython-3.12"], maxArenas: 4 })` is valid.
 */
export function defineGeometry(options: GeometryOptions, name?: string): Geometry {
  if (typeof options !== "object" || options === null)
    throw new GeometryError(
      "geometry options are an object",
      `got ${options === null ? "null" : typeof options}`,
    );
  const {
    alignment: A,
    smallThreshold: T,
    poolSize: P,
    arenaSize: R,
    poolOverhead: H,
    maxArenas,
  } = options;
  for (const [field, value] of Object.entries({
    alignment: A,
    smallThreshold: T,
    poolSize: P,
    arenaSize: R,
    poolOverhead: H,
    maxArenas,
  })) {
    requireInteger(value, field);
  }
  demand(
    typeof options.poolAlignedArenas === "boolean",
    "poolAlignedArenas is a boolean",
    `got ${String(options.poolAlignedArenas)}`,
  );
  demand(
    typeof options.keepEmptyArena === "boolean",
    "keepEmptyArena is a boolean",
    `got ${String(options.keepEmptyArena)}`,
  );

  demand(isPowerOfTwo(A) && A >= 4, "alignment is a power of two >= 4", `got ${A}`);
  demand(
    T > 0 && T % A === 0,
    "smallThreshold is a positive multiple of alignment",
    `got ${T} with alignment ${A}`,
  );
  demand(
    T / A <= MAX_SIZE_CLASSES,
    `smallThreshold / alignment <= ${MAX_SIZE_CLASSES} size classes`,
    `got ${T / A}`,
  );
  demand(
    isPowerOfTwo(P),
    "poolSize is a power of two (a block finds its pool by rounding down)",
    `got ${P}`,
  );
  demand(P <= MAX_POOL_SIZE, `poolSize <= ${MAX_POOL_SIZE}`, `got ${P}`);
  demand(
    H >= 0 && H % A === 0,
    "poolOverhead is a non-negative multiple of alignment",
    `got ${H} with alignment ${A}`,
  );
  demand(
    P - H >= T,
    "poolSize - poolOverhead >= smallThreshold (the largest class needs one block per pool)",
    `${P} - ${H} < ${T}`,
  );
  demand(
    R > 0 && R % P === 0,
    "arenaSize is a positive multiple of poolSize",
    `got ${R} with poolSize ${P}`,
  );
  demand(R <= MAX_ARENA_SIZE, `arenaSize <= ${MAX_ARENA_SIZE}`, `got ${R}`);
  if (!options.poolAlignedArenas) {
    demand(
      R / P >= 2,
      "an arena that is not pool-aligned holds at least two pools (it loses one)",
      `arenaSize / poolSize = ${R / P}`,
    );
    demand(
      P >= 2 * A,
      "an arena that is not pool-aligned needs poolSize >= 2 * alignment",
      `poolSize ${P}, alignment ${A}`,
    );
  }
  demand(maxArenas >= 1, "maxArenas >= 1", `got ${maxArenas}`);
  const stride = arenaStride(R, P);
  demand(
    maxArenas * stride <= MAX_ARENA_REGION,
    "maxArenas * arena stride <= 2^46 (addresses stay exact in a double)",
    `${maxArenas} * ${stride}`,
  );
  const poolsPerArena = options.poolAlignedArenas ? R / P : R / P - 1;
  // The bitmap allocator's sets over global pool indices are five-level bitsets (src/core/bits/).
  demand(
    maxArenas * poolsPerArena <= LEVEL_BITSET_MAX_CAPACITY,
    "maxArenas * poolsPerArena <= 2^25 (a pool index fits the five-level sets)",
    `${maxArenas} * ${poolsPerArena}`,
  );
  const maxRequest = options.maxRequest ?? Number.MAX_SAFE_INTEGER;
  requireInteger(maxRequest, "maxRequest");
  demand(maxRequest > T, "maxRequest > smallThreshold", `got ${maxRequest}`);

  const sizeClasses = T / A;
  const classSizes = Array.from({ length: sizeClasses }, (_, c) => (c + 1) * A);
  const blocksPerPool = classSizes.map((size) => Math.floor((P - H) / size));
  const canonical = {
    alignment: A,
    smallThreshold: T,
    poolSize: P,
    arenaSize: R,
    poolOverhead: H,
    poolAlignedArenas: options.poolAlignedArenas,
    maxArenas,
    keepEmptyArena: options.keepEmptyArena,
    maxRequest,
  };
  return Object.freeze({
    name:
      name ?? presetNameOf(canonical, (options as { name?: unknown }).name) ?? describe(canonical),
    ...canonical,
    alignmentShift: Math.log2(A),
    sizeClasses,
    classSizes: Object.freeze(classSizes),
    blocksPerPool: Object.freeze(blocksPerPool),
    poolsPerArena,
    arenaExcess: options.poolAlignedArenas ? 0 : Math.min(4096, P / 2),
    rawLimit: maxArenas * R,
  });
}

/** Distance between arena slots: room for the arena plus at least one unmapped guard pool. */
export function arenaStride(arenaSize: number, poolSize: number): number {
  return nextPowerOfTwo(arenaSize + poolSize);
}

function describe(g: Required<GeometryOptions>): string {
  return (
    `custom(A=${g.alignment} T=${g.smallThreshold} P=${g.poolSize} R=${g.arenaSize} H=${g.poolOverhead}` +
    `${g.poolAlignedArenas ? "" : " unaligned"} arenas<=${g.maxArenas} ${g.keepEmptyArena ? "keep1" : "keep0"})`
  );
}

/** Size class of a request, or -1 for the raw path (size 0 or above T). spec/model.md §3. */
export function sizeClassOf(geometry: Geometry, n: number): number {
  return n === 0 || n > geometry.smallThreshold ? -1 : (n - 1) >> geometry.alignmentShift;
}

/** Byte offset within the pool of block k of class c: H + k * classSize (invariant 3). */
export function blockOffset(geometry: Geometry, sizeClass: number, k: number): number {
  return geometry.poolOverhead + k * geometry.classSizes[sizeClass];
}

/** CPython's realloc rule: keep the block when n <= size and 4n > 3·size (spec/policy.md §4). */
export function reallocStaysInPlace(classSize: number, n: number): boolean {
  return n <= classSize && 4 * n > 3 * classSize;
}

/**
 * Whether a live block of class c can hold a request of n bytes (invariant 4): n is in class c,
 * or a shrinking realloc kept a block of class c in place.
 */
export function classHoldsRequest(geometry: Geometry, sizeClass: number, n: number): boolean {
  return (
    sizeClassOf(geometry, n) === sizeClass ||
    reallocStaysInPlace(geometry.classSizes[sizeClass]!, n)
  );
}

/**
 * The presets (spec/model.md §1, with the CPython sources). 64-bit unless named otherwise.
 * CPython has no arena limit by default; ours bounds the simulated address space.
 */
const CPYTHON_38_39 = {
  alignment: 16,
  smallThreshold: 512,
  poolSize: 4096,
  arenaSize: 256 << 10,
  poolOverhead: 48,
  poolAlignedArenas: true,
  maxArenas: 16384,
};
const CPYTHON_310_313 = {
  alignment: 16,
  smallThreshold: 512,
  poolSize: 16384,
  arenaSize: 1 << 20,
  poolOverhead: 48,
  poolAlignedArenas: false,
  maxArenas: 16384,
};

export const PRESET_OPTIONS = {
  /** 3.8: 4 KiB pools, 256 KiB arenas, every wholly empty arena released (no bpo-37257). */
  "cpython-3.8": { ...CPYTHON_38_39, keepEmptyArena: false },
  /** 3.9: as 3.8, but one wholly empty arena is kept (bpo-37257). */
  "cpython-3.9": { ...CPYTHON_38_39, keepEmptyArena: true },
  /** 3.10+: 16 KiB pools, 1 MiB arenas from mmap, page- not pool-aligned: 63 usable pools. */
  "cpython-3.10": { ...CPYTHON_310_313, keepEmptyArena: true },
  "cpython-3.11": { ...CPYTHON_310_313, keepEmptyArena: true },
  "cpython-3.12": { ...CPYTHON_310_313, keepEmptyArena: true },
  "cpython-3.13": { ...CPYTHON_310_313, keepEmptyArena: true },
  /** 32-bit builds, 3.9+: 8-byte classes, 32-byte header, 4 KiB pools, 256 KiB arenas. */
  "cpython-32bit": {
    alignment: 8,
    smallThreshold: 512,
    poolSize: 4096,
    arenaSize: 256 << 10,
    poolOverhead: 32,
    poolAlignedArenas: true,
    maxArenas: 4096,
    keepEmptyArena: true,
    maxRequest: 2 ** 31 - 1,
  },
} as const satisfies Record<string, GeometryOptions>;

export type PresetName = keyof typeof PRESET_OPTIONS;

/** The preset these parameters equal (the spread-in preset's own name first), if any. */
function presetNameOf(g: Required<GeometryOptions>, spreadName: unknown): PresetName | undefined {
  const entries = Object.entries(PRESET_OPTIONS) as [PresetName, GeometryOptions][];
  entries.sort(([a], [b]) => Number(b === spreadName) - Number(a === spreadName));
  for (const [name, preset] of entries) {
    const full = { maxRequest: Number.MAX_SAFE_INTEGER, ...preset };
    if ((Object.keys(full) as (keyof GeometryOptions)[]).every((k) => full[k] === g[k]))
      return name;
  }
  return undefined;
}

/** Every preset, validated, by name. */
export const geometries: Readonly<Record<PresetName, Geometry>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(PRESET_OPTIONS) as [PresetName, GeometryOptions][]).map(([name, options]) => [
      name,
      defineGeometry(options, name),
    ]),
  ) as Record<PresetName, Geometry>,
);

/** A preset name or a Geometry value (from `defineGeometry` or `geometries`). */
export type GeometryInput = PresetName | Geometry;

export function resolveGeometry(input: GeometryInput): Geometry {
  if (typeof input === "string") {
    // Own presets only: "__proto__" or "toString" name no geometry.
    const preset = Object.hasOwn(geometries, input)
      ? (geometries as Record<string, Geometry>)[input]
      : undefined;
    if (preset === undefined) {
      throw new GeometryError(
        "geometry is a preset name or a defineGeometry value",
        `unknown preset "${input}"; presets: ${Object.keys(geometries).join(", ")}`,
      );
    }
    return preset;
  }
  // Re-validate: a hand-built object must not bypass the constraints (null and the like are a
  // GeometryError of defineGeometry's, not a TypeError here).
  return defineGeometry(input, (input as Partial<Geometry> | null)?.name);
}
