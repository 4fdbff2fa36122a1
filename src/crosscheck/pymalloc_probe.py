#!/usr/bin/env python3
"""Drive this interpreter's own pymalloc and report what sys._debugmallocstats() says.

allocheck's cross-check (spec/cpython-model.md §7) runs this script once per workload:

    python3 -S pymalloc_probe.py --info          environment only: is pymalloc in use?
    python3 -S pymalloc_probe.py < workload.json run one workload, print one JSON object

The workload is a list of phases, each a list of operations on a pointer table (an array of
unsigned 64-bit slots, sized up front), made with ctypes.pythonapi.PyObject_Malloc / _Free /
_Realloc. sys._debugmallocstats() is taken before and after each phase; it writes to the C
stderr (fd 2), so fd 2 is pointed at a temporary file for the whole run and every snapshot is
preceded by a marker written with os.write. The text is parsed only after the last phase.

Keeping the measurement exact. Python objects are themselves allocated by pymalloc, so:
  - gc is disabled; every object the run needs (pointer tables, op lists, markers) exists before
    the first snapshot, and a warm-up runs every code path once first;
  - pointers live in array('Q') tables, never in Python ints that stay alive: a call's int
    result and a ctypes argument object are freed again at once (a malloc/free pair of the same
    class, which leaves a pool's counts as they were);
  - canonical start: after the first snapshot the script fills every partly used pool of the
    classes the workload uses (their "avail blocks"), then fills every free pool of every arena
    ("unused pools") with blocks of a ballast class (the largest), and goes on until the arena the
    OS maps next is full of ballast too (the count read from the first snapshot can be off by a
    pool that an object left alive by the parse took). From then on no arena has a free pool and
    no workload class has a partly used pool, so the workload starts as on a fresh heap: its pools
    come from arenas it maps itself. The caller checks this on the snapshot taken next
    ("canonical": 0 unused pools, 0 avail blocks in the workload's classes);
  - a "noise" snapshot follows a phase that runs the same call machinery without allocating
    (PyObject_Free(NULL), PyObject_Realloc(NULL, 0) + free of that raw block): the caller requires
    it to equal the canonical one;
  - where the arenas go is the OS's choice, and it decides their pool count (CPython drops one
    pool of an arena that is not pool-aligned): before the run the script makes the OS place every
    arena in one free stretch, one below the other (OsArenas), and reports the alignment they all
    share ("osArena": the first of them, which the ballast fills; the workload's follow below it).
"""
import array
import ctypes
import gc
import json
import mmap
import os
import sys
import tempfile

gc.collect()
gc.disable()

MARK = b"\n@@allocheck-snapshot "


def environment():
    """What the caller needs to decide whether the cross-check applies."""
    info = {
        "version": "%d.%d.%d" % sys.version_info[:3],
        "implementation": sys.implementation.name,
        "pythonmalloc": os.environ.get("PYTHONMALLOC", ""),
        "pointerBits": ctypes.sizeof(ctypes.c_void_p) * 8,
        "debugBuild": hasattr(sys, "gettotalrefcount"),
        "platform": sys.platform,
    }
    reason = None
    if info["implementation"] != "cpython":
        reason = "%s is not CPython" % info["implementation"]
    elif sys.version_info < (3, 8):
        reason = "Python %s predates the 16-byte classes of 3.8 the model follows" % info["version"]
    elif info["pythonmalloc"].endswith("debug"):
        reason = "PYTHONMALLOC=%s: the debug hooks pad every block (by 3 words), so sizes and classes differ" % info["pythonmalloc"]
    elif info["pythonmalloc"] not in ("", "pymalloc"):
        reason = "PYTHONMALLOC=%s: pymalloc is not the allocator" % info["pythonmalloc"]
    elif info["debugBuild"]:
        reason = "a debug build (Py_DEBUG) installs the debug hooks, which pad every block"
    elif getattr(sys, "_is_gil_enabled", lambda: True)() is False:
        reason = "a free-threaded build uses mimalloc, not pymalloc"
    elif not sys.platform.startswith("linux"):
        reason = "the probe pins where arenas are mapped with Linux's mmap placement; this is %s" % sys.platform
    text = capture_once()
    if reason is None and "Small block threshold" not in text:
        reason = "sys._debugmallocstats() prints no pymalloc section: pymalloc is not in use"
    info["skip"] = reason
    return info


def capture_once():
    """sys._debugmallocstats() output, read back from a temporary file (fd 2 redirected)."""
    with tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        try:
            sys.stderr.flush()
            os.dup2(tmp.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        return tmp.read().decode("ascii", "replace")


def parse_stats(text):
    """The pymalloc section of _PyObject_DebugMallocStats() as numbers."""
    out = {"classes": {}}
    in_table = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("Small block threshold"):
            # "Small block threshold = 512, in 32 size classes."
            words = s.replace(",", " ").split()
            out["threshold"] = int(words[4])
            out["sizeClasses"] = int(words[6])
            continue
        if s.startswith("class") and "size" in s:
            in_table = True
            continue
        if in_table:
            words = s.split()
            if s.startswith("-----"):
                continue
            if len(words) == 5 and all(w.isdigit() for w in words):
                c, size, pools, blocks, avail = (int(w) for w in words)
                out["classes"][str(c)] = {"size": size, "pools": pools, "blocks": blocks, "avail": avail}
                continue
            in_table = False
        label, eq, value = s.partition("=")
        value = value.strip().replace(",", "")
        if not eq or not value.isdigit():
            continue
        label = label.strip()
        number = int(value)
        if label.endswith("bytes/arena"):
            # "14 arenas * 1048576 bytes/arena"
            out["arenaSize"] = int(label.split("*")[1].split()[0])
        elif "unused pools" in label:
            # "25 unused pools * 16384 bytes"
            out["unusedPools"] = int(label.split()[0])
            out["poolSize"] = int(label.split("*")[1].split()[0])
        elif label in LABELS and LABELS[label] not in out:
            # The pymalloc section comes first; later sections reuse no label, but stay safe.
            out[LABELS[label]] = number
    return out


LABELS = {
    "# arenas allocated total": "arenasAllocatedTotal",
    "# arenas reclaimed": "arenasReclaimed",
    "# arenas highwater mark": "arenasHighwater",
    "# arenas allocated current": "arenasCurrent",
    "# bytes in allocated blocks": "bytesInAllocatedBlocks",
    "# bytes in available blocks": "bytesInAvailableBlocks",
    "# bytes lost to pool headers": "bytesLostToPoolHeaders",
    "# bytes lost to quantization": "bytesLostToQuantization",
    "# bytes lost to arena alignment": "bytesLostToArenaAlignment",
}


def pymalloc_section(text):
    """The report up to its first "Total" line: the part formatDebugMallocStats() prints."""
    lines = []
    for line in text.strip("\n").splitlines():
        lines.append(line)
        if line.startswith("Total"):
            break
    return "\n".join(lines)


def pool_overhead(alignment):
    """POOL_OVERHEAD: sizeof(struct pool_header) rounded up to ALIGNMENT (48 on 64-bit, 32 on 32-bit)."""
    header = 4 * ctypes.sizeof(ctypes.c_void_p) + 4 * 4
    return (header + alignment - 1) // alignment * alignment


class OsArenas:
    """Where the OS will put the arenas: the one thing about the run that is the OS's choice.

    new_arena() takes ARENA_SIZE bytes from mmap(NULL, ...), and Linux hands out the highest free
    gap that fits. The address decides the arena's pool count: CPython drops one pool when it is
    not pool-aligned (new_arena()'s "excess"). Holes left in the address space by earlier mappings
    would give arenas scattered addresses, so before the run this maps arena-sized regions until
    `run` of them come out contiguous, keeps the earlier ones (they plug the holes), and unmaps
    the contiguous run: every arena of the workload then lands in one free stretch, one below the
    other, and all share one alignment. With pools larger than a page, a one-page plug at the top
    makes that alignment "not pool-aligned", as mmap'd arenas usually are (63 of 64 pools), so
    that the CPython preset applies as it is. The ctypes objects are made up front: made later
    they would be garbage that only the (disabled) gc frees.
    """

    def __init__(self, limit=4096):
        self.ok = hasattr(mmap, "MAP_ANONYMOUS") and sys.platform.startswith("linux")
        self.mapped = array.array("Q", bytes(8 * limit))
        self.next_arena = array.array("Q", [0, 0])
        if not self.ok:
            return
        libc = ctypes.CDLL(None)
        self.mmap = libc.mmap
        self.mmap.restype = ctypes.c_void_p
        self.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        self.munmap = libc.munmap
        self.munmap.restype = ctypes.c_int
        self.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self.flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
        self.failed = ctypes.c_void_p(-1).value
        self.page = mmap.PAGESIZE

    def prepare(self, arena_size, pool_size, run):
        if not self.ok:
            return
        count = 0
        streak = 0
        while count < len(self.mapped):
            a = self.mmap(None, arena_size, 0, self.flags, -1, 0)
            if a is None or a == self.failed:
                break
            self.mapped[count] = a
            streak = streak + 1 if count > 0 and a + arena_size == self.mapped[count - 1] else 1
            count += 1
            if streak == run:
                break
        if streak != run:
            return
        top = self.mapped[count - run]
        for i in range(count - run, count):
            self.munmap(self.mapped[i], arena_size)
        self.next_arena[0] = top
        if top % pool_size == 0 and pool_size > self.page:
            hint = top + arena_size - self.page
            plug = self.mmap(hint, self.page, 0, self.flags, -1, 0)
            if plug == hint:
                self.next_arena[0] = top - self.page
            elif plug is not None and plug != self.failed:
                self.munmap(plug, self.page)
        self.next_arena[1] = 1


def pymalloc_api():
    """PyObject_Malloc, PyObject_Free and PyObject_Realloc through ctypes, typed for raw addresses."""
    api = ctypes.pythonapi
    malloc = api.PyObject_Malloc
    malloc.restype = ctypes.c_void_p
    malloc.argtypes = [ctypes.c_size_t]
    free = api.PyObject_Free
    free.restype = None
    free.argtypes = [ctypes.c_void_p]
    realloc = api.PyObject_Realloc
    realloc.restype = ctypes.c_void_p
    realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return malloc, free, realloc


def run_workload(workload):
    malloc, free, realloc = pymalloc_api()
    os_arenas = OsArenas()

    phases = workload["phases"]
    slots = array.array("Q", bytes(8 * max(4, workload["slots"])))
    scratch = array.array("Q", bytes(8 * 4))
    labels = ["start", "canonical", "noise"] + [p["name"] for p in phases]
    markers = [MARK + label.encode("ascii") + b"\n" for label in labels]
    sizes = list(workload["sizes"])
    # The numbers the canonical start needs, read from the first snapshot into arrays made now.
    want = array.array("B", bytes(4096))
    avail = array.array("q", bytes(8 * 4096))
    fill = array.array("Q", bytes(8 * workload.get("fillCapacity", 1 << 20)))
    zero = 0

    def snapshot(k):
        os.write(2, markers[k])
        sys._debugmallocstats()

    def run_op(op):
        kind = op["op"]
        if kind == "malloc":
            n = op["size"]
            for i in range(op["slot"], op["slot"] + op["count"]):
                slots[i] = malloc(n)
        elif kind == "malloc-cycle":
            cycle = op["sizes"]
            m = len(cycle)
            s = op["slot"]
            for i in range(op["count"]):
                slots[s + i] = malloc(cycle[i % m])
        elif kind == "free":
            for i in range(op["start"], op["stop"], op["step"]):
                free(slots[i])
                slots[i] = zero
        elif kind == "realloc":
            n = op["size"]
            for i in range(op["start"], op["stop"], op["step"]):
                slots[i] = realloc(slots[i], n)
        elif kind == "script":
            # [1, slot, size]: malloc into the slot; [0, slot, 0]: free the slot
            for k, s, n in op["steps"]:
                if k:
                    slots[s] = malloc(n)
                else:
                    free(slots[s])
                    slots[s] = zero
        else:
            raise ValueError("unknown op %r" % kind)

    def noop_phase():
        # The call machinery of every op, allocating nothing in pymalloc: free(NULL), and
        # realloc(NULL, 0), which is a raw malloc(1), freed again.
        for _ in range(64):
            free(zero)
            scratch[0] = realloc(zero, zero)
            free(scratch[0])
            scratch[0] = zero

    # Warm-up: every code path once, before anything is measured.
    noop_phase()
    run_op({"op": "malloc", "size": 200, "slot": 2, "count": 1})
    run_op({"op": "realloc", "start": 2, "stop": 3, "step": 1, "size": 300})
    run_op({"op": "free", "start": 2, "stop": 3, "step": 1})
    run_op({"op": "malloc-cycle", "sizes": [200, 300], "slot": 2, "count": 2})
    run_op({"op": "script", "steps": [[0, 2, 0], [0, 3, 0], [1, 2, 200], [0, 2, 0]]})
    warm = parse_stats(capture_once())
    os_arenas.prepare(warm["arenaSize"], warm["poolSize"], workload.get("arenaRun", 64))
    del warm

    with tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        sys.stderr.flush()
        os.dup2(tmp.fileno(), 2)
        try:
            snapshot(0)
            # Canonical start, from the first snapshot parsed in place; every object the parse makes
            # is freed again before the fill.
            tmp.seek(0)
            start = parse_stats(tmp.read().decode("ascii", "replace"))
            tmp.seek(0, 2)
            alignment = start["threshold"] // start["sizeClasses"]
            pool_size = start["poolSize"]
            pool_capacity = pool_size - pool_overhead(alignment)
            ballast_class = start["sizeClasses"] - 1
            for n in sizes:
                if 1 <= n <= start["threshold"]:
                    want[(n - 1) // alignment] = 1
            want[ballast_class] = 1
            for c in range(start["sizeClasses"]):
                row = start["classes"].get(str(c))
                avail[c] = 0 if row is None or not want[c] else row["avail"]
            ballast_blocks = start["unusedPools"] * (pool_capacity // ((ballast_class + 1) * alignment))
            size_classes = start["sizeClasses"]
            arena_size = start["arenaSize"]
            del start, row
            # Fill the workload's classes, then every free pool with the ballast class.
            filled = 0
            for c in range(size_classes):
                size = (c + 1) * alignment
                for _ in range(avail[c]):
                    fill[filled] = malloc(size)
                    filled += 1
            size = (ballast_class + 1) * alignment
            for _ in range(ballast_blocks):
                fill[filled] = malloc(size)
                filled += 1
            extra = 0
            if os_arenas.next_arena[1]:
                # The count came from the first snapshot, and an object the parse left alive may
                # since have taken a free pool (or returned one). So go on until a ballast block
                # lands in the arena the OS maps next, then fill that arena too: either way no
                # arena has a free pool afterwards.
                lo = os_arenas.next_arena[0]
                hi = lo + arena_size
                in_new = 0
                for i in range(filled):
                    if lo <= fill[i] < hi:
                        in_new += 1
                per_pool = pool_capacity // size
                while in_new == 0 and extra < 2 * per_pool * (arena_size // pool_size):
                    fill[filled] = malloc(size)
                    if lo <= fill[filled] < hi:
                        in_new += 1
                    filled += 1
                    extra += 1
                pools_in_arena = arena_size // pool_size - (1 if lo % pool_size else 0)
                for _ in range(pools_in_arena * per_pool - in_new):
                    fill[filled] = malloc(size)
                    filled += 1
                    extra += 1
            snapshot(1)
            noop_phase()
            snapshot(2)
            for k, phase in enumerate(phases):
                for op in phase["ops"]:
                    run_op(op)
                snapshot(3 + k)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode("ascii", "replace")
    snapshots = []
    for part in text.split(MARK.decode("ascii"))[1:]:
        label, _, body = part.partition("\n")
        snapshots.append({"label": label, "stats": parse_stats(body), "text": pymalloc_section(body)})
    address = os_arenas.next_arena[0]
    return {
        "setup": {
            "filled": {str(c): avail[c] for c in range(size_classes) if avail[c] > 0},
            "ballastClass": ballast_class,
            "ballastBlocks": ballast_blocks,
            "ballastBlocksAdded": extra,
        },
        "osArena": {"address": address, "poolAligned": address % pool_size == 0} if os_arenas.next_arena[1] else None,
        "snapshots": snapshots,
    }


def main():
    info = environment()
    if "--info" in sys.argv[1:] or info["skip"] is not None:
        json.dump({"environment": info}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    workload = json.load(sys.stdin)
    result = run_workload(workload)
    result["environment"] = info
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
