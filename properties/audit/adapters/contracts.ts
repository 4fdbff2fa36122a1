/**
 * What each production allocator promises (spec/invariants.md §Contracts), apart from its adapter
 * so that the audit can name it without loading the runtime. Both are C's malloc: misuse is
 * undefined behaviour and out of memory is null (WASM_DEFAULT_CONTRACT); they differ in reuse.
 */
import { WASM_DEFAULT_CONTRACT } from "../../../src/wasm/index.ts";
import type { Contract } from "../../model/contract.ts";

/** dlmalloc: free chunks coalesce with their free neighbours (best fit over bins). */
export const DLMALLOC_CONTRACT: Contract = WASM_DEFAULT_CONTRACT;

/**
 * mimalloc: a free list per page of one size class, no coalescing (`coalesces: false`): a freed
 * block is reused only by a request of its class.
 */
export const MIMALLOC_CONTRACT: Contract = { ...WASM_DEFAULT_CONTRACT, coalesces: false };
