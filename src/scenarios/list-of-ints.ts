/**
 * The seed's `lst = [i for i in range(1_000_000)]; del lst`: a million ints and the list's
 * growing pointer array, then everything freed. What stays mapped afterwards is the floor of the
 * empty-arena rule (spec/policy.md §2.6): one kept arena on 3.9+, none on 3.8.
 */
import { count, humanBytes, pythonInt } from "../core/format.ts";
import { allocatesInt, INT_OBJECT_SIZE } from "./cpython-objects.ts";
import { PyListArray } from "./py-list.ts";
import { scaled, type Scenario } from "./scenario.ts";

const ITEMS = 1_000_000;

export const listOfInts: Scenario = {
  name: "list-of-ints",
  summary:
    "lst = [i for i in range(1_000_000)]; del lst: a million ints and a growing array, then the floor",
  python: "lst = [i for i in range(1_000_000)]\ndel lst",
  estimateSteps: (scale) => 2 * scaled(ITEMS, scale),
  run(heap, { geometry, scale }) {
    const n = scaled(ITEMS, scale);
    const list = new PyListArray(heap);
    const ints: number[] = [];
    for (let i = 0; i < n; i++) {
      // FOR_ITER: range's iterator makes the int (a cached small int below 257), LIST_APPEND stores it.
      if (allocatesInt(i)) ints.push(heap.malloc(INT_OBJECT_SIZE));
      list.append();
    }
    const built = heap.phase(`lst = [i for i in range(${pythonInt(n)})]`);
    const arrayBytes = list.bytes;
    const resizes = list.resizes;
    // list_dealloc: Py_XDECREF of the items, last first, then the array.
    for (let k = ints.length - 1; k >= 0; k--) heap.free(ints[k]!, INT_OBJECT_SIZE);
    list.free();
    const after = heap.phase("del lst");
    const floor = geometry.keepEmptyArena ? geometry.arenaSize : 0;
    return {
      lines: [
        `${count(ints.length)} int objects of ${INT_OBJECT_SIZE} bytes (0 … 256 are CPython's cached small ints), a pointer array of ${count(arrayBytes)} bytes after ${resizes} reallocs`,
        `mapped with the list: ${humanBytes(built.mappedBytes)} in ${built.arenas} arenas; after del: ${humanBytes(after.mappedBytes)} in ${after.arenas} (the floor: ${geometry.keepEmptyArena ? "one empty arena kept, 3.9+" : "no empty arena kept, 3.8"})`,
      ],
      figures: {
        ints: ints.length,
        arrayBytes,
        resizes,
        floorBytes: floor,
        mappedWithList: built.mappedBytes,
        mappedAfterDel: after.mappedBytes,
      },
    };
  },
};
