/**
 * Invariant 2, contained: a small block lies inside the payload of a pool of a mapped arena; a
 * raw block inside its own raw mapping. Mapped arenas come from the simulated OS's log, read into
 * the shadow call by call (event-log-reader.ts: the log is a window, spec/model.md §2 "Event
 * log", and the reader's cursor never falls behind it). A general allocator's block, header
 * included, lies inside the region it manages.
 */
import { hex } from "../../src/core/errors.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needsPymallocStyleOrRegion, type Invariant } from "./invariant.ts";

export const contained: Invariant = defineInvariant({
  number: 2,
  title: "contained: a small block lies inside the payload of a pool of a mapped arena",
  inapplicable: needsPymallocStyleOrRegion,
  check: ({ subject, shadow, geometry }) => ({
    invariant: 2,
    after(call) {
      const block = call.created;
      if (block === undefined) return;
      if (geometry === undefined) {
        const { start, end, blockOverhead } = subject.region!;
        if (block.address - blockOverhead < start || block.address + block.n > end) {
          throw violation(
            2,
            `block [${hex(block.address)}, ${hex(block.address + block.n)}) with its ${blockOverhead}-byte header is not inside the region [${hex(start)}, ${hex(end)})`,
          );
        }
        return;
      }
      const g = geometry;
      if (block.raw) {
        const size = shadow.rawMappings.get(block.address);
        if (size === undefined || size < block.usable) {
          throw violation(
            2,
            `raw block ${hex(block.address)} of ${block.usable} bytes is not inside a raw mapping${size === undefined ? "" : ` (mapping holds ${size})`}`,
          );
        }
        return;
      }
      if (block.address + block.usable > block.pool + g.poolSize) {
        throw violation(
          2,
          `block [${hex(block.address)}, ${hex(block.address + block.usable)}) runs past the end of pool ${hex(block.pool)}`,
        );
      }
      if (shadow.arenaContaining(block.pool, g.poolSize) === -1) {
        throw violation(
          2,
          `block ${hex(block.address)}: its pool ${hex(block.pool)} is not inside a mapped arena`,
        );
      }
    },
  }),
});
