/**
 * Invariant 8, payload integrity: bytes written to a live block survive every other operation,
 * and realloc keeps the first min(old usable size, n) bytes. Every new block gets its own fill
 * pattern over all its usable bytes; blocks are verified before they are freed or reallocated,
 * a rotating share of the live set after every step, and all of them at the end.
 */
import { hex } from "../../src/core/errors.ts";
import { patternMismatch, writePattern } from "../model/payload.ts";
import type { ShadowBlock } from "../model/shadow-heap.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

/** Live blocks verified after each step, round-robin. */
const SWEEP_PER_STEP = 24;

export const payloadIntegrity: Invariant = defineInvariant({
  number: 8,
  title: "payload integrity: block contents survive other operations; realloc keeps the prefix",
  inapplicable: (subject, geometry) => needs(subject, geometry, "bytes"),
  check: ({ subject, shadow, geometry }) => {
    let cursor = 0;
    let usableBefore = 0;
    // A pymalloc-style block has exactly its class size; a general allocator's at least n bytes,
    // of which the pattern covers the n (max(n, 1)) the caller may rely on.
    const view = (block: ShadowBlock): Uint8Array => {
      const bytes = subject.bytes!(block.address);
      const wrong =
        geometry === undefined ? bytes.length < block.usable : bytes.length !== block.usable;
      if (wrong)
        throw violation(
          8,
          `bytes(${hex(block.address)}) has ${bytes.length} bytes, the block has ${block.usable}`,
        );
      return bytes.length === block.usable ? bytes : bytes.subarray(0, block.usable);
    };
    const verify = (block: ShadowBlock, why: string): void => {
      const at = patternMismatch(view(block), block.fill);
      if (at !== -1)
        throw violation(
          8,
          `block ${hex(block.address)} (${block.usable} bytes) was overwritten at offset ${at}, found ${why}`,
        );
    };
    return {
      invariant: 8,
      before(call) {
        if (call.target === undefined || call.expectedError !== undefined) return;
        usableBefore = call.target.usable;
        verify(call.target, `before ${call.kind}`);
      },
      after(call) {
        if (call.inPlace === true) {
          // Same block, possibly resized: the prefix it kept must hold the pattern; refill the rest.
          const block = call.target!;
          const bytes = view(block);
          const kept = Math.min(usableBefore, block.usable);
          const at = patternMismatch(bytes, block.fill, kept);
          if (at !== -1)
            throw violation(
              8,
              `realloc(${hex(block.address)}, ${call.n}) in place lost byte ${at} of the ${kept} it must keep`,
            );
          writePattern(bytes, block.fill, kept);
          return;
        }
        const created = call.created;
        if (created === undefined) return;
        const bytes = view(created);
        const old = call.target;
        if (call.kind === "realloc" && old !== undefined) {
          const kept = Math.min(old.usable, call.n!);
          const at = patternMismatch(bytes, old.fill, kept);
          if (at !== -1)
            throw violation(
              8,
              `realloc(${hex(old.address)}, ${call.n}) to ${hex(created.address)} lost byte ${at} of the ${kept} it must keep`,
            );
        }
        writePattern(bytes, created.fill);
      },
      afterStep() {
        const live = shadow.live;
        for (let i = 0; i < Math.min(SWEEP_PER_STEP, live.length); i++) {
          cursor = (cursor + 1) % live.length;
          verify(live[cursor]!, "in the sweep after the step");
        }
      },
      finish() {
        for (const block of shadow.live) verify(block, "at the end");
      },
    };
  },
});
