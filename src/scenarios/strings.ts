/**
 * The seed's tracemalloc example: `data = [str(i) for i in range(10000)]` under tracemalloc,
 * then `tracemalloc.get_traced_memory()`. tracemalloc's traced memory is `stats().requested`
 * (spec/stats.md §1): the sizes asked for by live blocks, and its peak.
 */
import { count, humanBytes, pythonInt } from "../core/format.ts";
import { allocatesInt, asciiStrSize, INT_OBJECT_SIZE } from "./cpython-objects.ts";
import { PyListArray } from "./py-list.ts";
import { scaled, type Scenario } from "./scenario.ts";

const ITEMS = 10_000;

export const strings: Scenario = {
  name: "strings",
  summary: "data = [str(i) for i in range(10000)] under tracemalloc: current and peak",
  python:
    "tracemalloc.start()\ndata = [str(i) for i in range(10000)]\ncurrent, peak = tracemalloc.get_traced_memory()",
  estimateSteps: (scale) => 3 * scaled(ITEMS, scale),
  run(heap, { geometry, scale }) {
    const n = scaled(ITEMS, scale);
    const list = new PyListArray(heap);
    let strBytes = 0;
    let previousInt: number | null = null;
    for (let i = 0; i < n; i++) {
      // FOR_ITER makes i; STORE_FAST i drops the previous one; str(i) is a new string; LIST_APPEND.
      const int = allocatesInt(i) ? heap.malloc(INT_OBJECT_SIZE) : null;
      if (previousInt !== null) heap.free(previousInt, INT_OBJECT_SIZE);
      previousInt = int;
      const size = asciiStrSize(geometry, String(i).length);
      heap.malloc(size);
      strBytes += size;
      list.append();
    }
    // The comprehension's frame ends and drops the last i.
    if (previousInt !== null) heap.free(previousInt, INT_OBJECT_SIZE);
    const end = heap.phase(`data = [str(i) for i in range(${pythonInt(n)})]`);
    const { current, peak } = end.requested;
    return {
      lines: [
        `${count(n)} str objects, ${count(strBytes)} bytes (sys.getsizeof(str(i)) = ${asciiStrSize(geometry, 0)} + len), and a pointer array of ${count(list.bytes)} bytes`,
        `print(f"Current: {current}, Peak: {peak}")  →  Current: ${current}, Peak: ${peak}   (${humanBytes(current)}, ${humanBytes(peak)})`,
        `mapped: ${humanBytes(end.mappedBytes)} for ${humanBytes(current)} traced`,
      ],
      figures: { strings: n, strBytes, arrayBytes: list.bytes, current, peak },
    };
  },
};
