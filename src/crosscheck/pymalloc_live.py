#!/usr/bin/env python3
"""A live pymalloc: this interpreter's PyObject_Malloc / _Free / _Realloc, called over a pipe.

allocheck's random cross-check (spec/cpython-model.md §7.6) starts one of these per batch of
sequences and sends it calls; live-pymalloc.ts is the other end.

    python3 -S pymalloc_live.py STATS_FILE

It prints one JSON line (the environment, with "skip" when the check does not apply, and where
the OS will map arenas), then serves binary requests on stdin until QUIT or end of input. A
request is a header of two little-endian u32, (command, n), and for most commands n triples of
u32; every answer is a u32 count followed by that many u64:

    RUN n, n × (op, slot, size)    op 1 malloc, 2 free, 3 realloc, 4 snapshot; one u64 per call:
                                   the address malloc/realloc returned (0 for free and snapshot)
    FILL n, n × (size, count, 0)   permanent ballast: `count` blocks of `size`, kept forever
    NEW_ARENA 1, (size, cap, 0)    ballast of `size` until a block lands in the arena the OS maps
                                   next (OsArenas), at most `cap`; that block is freed again:
                                   answers (its address, blocks allocated)
    FREE_ALL 1, (slots, 0, 0)      frees every non-empty slot below `slots`, then a snapshot
    CYCLE 1, (size, count, 0)      `count` blocks of `size`, the last freed at once, then the
                                   others: with count = unused pools × blocks per pool + 1 the
                                   last lands in a new arena, which is kept empty, and the arena
                                   the others filled is released; then a snapshot. Answers the
                                   first and the last address
    SNAPSHOT 0                     a snapshot
    QUIT 0

A snapshot is sys._debugmallocstats(), preceded by a marker, written to fd 2, which points at
STATS_FILE: the caller reads and parses it, so that no parse runs in this process.

Keeping the measurement exact is the probe's business (pymalloc_probe.py: gc off, a warm-up of
every code path, the OS's arena placement pinned by OsArenas, pointers in array('Q') tables, never
in Python ints that stay alive); the canonical start and the noise check are the caller's, from
the snapshots. The loop below allocates nothing that outlives a call: the int a call returns and
the ctypes argument objects (32 and 64 bytes) are freed at once.
"""
import array
import ctypes
import json
import os
import sys

from pymalloc_probe import OsArenas, capture_once, environment, parse_stats, pymalloc_api

RUN, FILL, NEW_ARENA, FREE_ALL, CYCLE, SNAPSHOT, QUIT = 1, 2, 3, 4, 5, 6, 7
MALLOC, FREE, REALLOC, CHECKPOINT = 1, 2, 3, 4
MARK = b"\n@@allocheck-snapshot\n"
SLOTS = 1 << 17
BATCH = 1 << 16
FILLS = 1 << 20
ARENA_RUN = 64


def serve(stats_path):
    malloc, free, realloc = pymalloc_api()
    debug_stats = sys._debugmallocstats
    info = environment()
    if info["skip"] is not None:
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        return 0

    # Every table exists before the first call is measured.
    slots = array.array("Q", bytes(8 * SLOTS))
    fills = array.array("Q", bytes(8 * FILLS))
    temp = array.array("Q", bytes(8 * FILLS))
    header = array.array("I", [0, 0])
    request = array.array("I", bytes(4 * 3 * BATCH))
    answer = array.array("Q", bytes(8 * (BATCH + 1)))
    header_view = memoryview(header).cast("B")
    request_view = memoryview(request).cast("B")
    answer_view = memoryview(answer).cast("B")
    stdin = open(0, "rb", buffering=0, closefd=False)
    stdout = open(1, "wb", buffering=0, closefd=False)
    zero = 0
    filled = 0

    def read_exactly(view, n):
        got = 0
        while got < n:
            k = stdin.readinto(view[got:n])
            if not k:
                return False
            got += k
        return True

    def snapshot():
        os.write(2, MARK)
        debug_stats()

    def reply(count):
        answer[0] = count
        n = 8 * (count + 1)
        sent = 0
        while sent < n:
            sent += stdout.write(answer_view[sent:n])

    os_arenas = OsArenas()
    # Warm-up: every code path once, before anything is measured.
    for _ in range(64):
        free(zero)
        slots[0] = realloc(zero, zero) or 0
        free(slots[0])
        slots[0] = malloc(200) or 0
        slots[0] = realloc(slots[0], 300) or 0
        free(slots[0])
        slots[0] = zero
    warm = parse_stats(capture_once())
    os_arenas.prepare(warm["arenaSize"], warm["poolSize"], ARENA_RUN)
    arena_size = warm["arenaSize"]
    del warm
    info["nextArena"] = os_arenas.next_arena[0] if os_arenas.next_arena[1] else None
    info["arenaRegion"] = (
        [min(os_arenas.mapped[i] for i in range(len(os_arenas.mapped)) if os_arenas.mapped[i]), os_arenas.next_arena[0] + arena_size]
        if os_arenas.next_arena[1]
        else None
    )
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()

    fd = os.open(stats_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.close(fd)
    del info

    while read_exactly(header_view, 8):
        command = header[0]
        n = header[1]
        if command == QUIT:
            break
        if n > BATCH or not read_exactly(request_view, 12 * n):
            break
        if command == RUN:
            k = 1
            it = iter(request)
            for op, s, size in zip(it, it, it):
                if k > n:
                    break
                if op == MALLOC:
                    answer[k] = slots[s] = malloc(size) or 0
                elif op == FREE:
                    free(slots[s])
                    answer[k] = slots[s] = zero
                elif op == REALLOC:
                    answer[k] = slots[s] = realloc(slots[s], size) or 0
                else:
                    snapshot()
                    answer[k] = zero
                k += 1
            reply(n)
        elif command == FILL:
            for j in range(n):
                size = request[3 * j]
                for _ in range(request[3 * j + 1]):
                    fills[filled] = malloc(size) or 0
                    filled += 1
            reply(0)
        elif command == NEW_ARENA:
            size = request[0]
            lo = os_arenas.next_arena[0]
            hi = lo + arena_size
            count = 0
            while count < request[1]:
                fills[filled] = malloc(size) or 0
                count += 1
                if lo <= fills[filled] < hi:
                    break
                filled += 1
            answer[1] = fills[filled]
            answer[2] = count
            free(fills[filled])
            fills[filled] = zero
            reply(2)
        elif command == FREE_ALL:
            for s in range(request[0]):
                if slots[s]:
                    free(slots[s])
                    slots[s] = zero
            snapshot()
            reply(0)
        elif command == CYCLE:
            size = request[0]
            count = request[1]
            for j in range(count):
                temp[j] = malloc(size) or 0
            answer[1] = temp[0]
            answer[2] = temp[count - 1]
            free(temp[count - 1])
            temp[count - 1] = zero
            for j in range(count - 1):
                free(temp[j])
                temp[j] = zero
            snapshot()
            reply(2)
        elif command == SNAPSHOT:
            snapshot()
            reply(0)
        else:
            break
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
