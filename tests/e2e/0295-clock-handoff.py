#!/usr/bin/env python3
"""The trace clock is coarse while one thread records and exact once a
second one does (src/runtime/clock.h): handoff's main thread stamps its
first 2,000 pairs alone, in whole coarse units, then every block it
allocates is freed by a worker and the other way round. Exact own figures
show that no free was merged before its allocation, or an allocation before
the free of the block it reuses. At the trace level: no event comes after a
ROUND past its stamp, and a round's chunks come in the order of their first
stamps."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import msdecode
import mslib as ms

CLOCK_TSC = 2
UNIT_TSC, UNIT_NS = 1 << 15, 1 << 13  # clock.h: MS_RT_COARSE_SHIFT_TSC, _NS


def test():
    prog = ms.target("handoff")
    trace, _ = ms.record([prog], "handoff")
    doc = ms.ms_report(trace)
    for func, n, size in (("handoff_pre", 2000, 32), ("handoff_send", 20000, 40), ("handoff_reply", 20000, 56)):
        st = ms.stacks_from(doc, func, index=0)
        ms.check_eq("%s: allocations" % func, ms.sum_metric(st, "allocations"), n)
        ms.check_eq("%s: frees" % func, ms.sum_metric(st, "frees"), n)
        ms.check_eq("%s: bytes" % func, ms.sum_metric(st, "bytes_allocated"), n * size)
        ms.check_eq("%s: leaked bytes" % func, ms.sum_metric(st, "leaked_bytes"), 0)
    ms.check_stack_sums("handoff", doc)

    t = msdecode.decode(trace)
    kind = t.header[15]
    unit = UNIT_TSC if kind == CLOCK_TSC else UNIT_NS
    main_tid = struct.unpack_from("<I", t.header, 16)[0]
    tids = sorted({tid for tid, _ in t.stamps})
    ms.check_eq("two threads stamped events", len(tids), 2)
    worker = [ts for tid, ts in t.stamps if tid != main_tid]
    first_worker = min(worker)
    alone = [ts for tid, ts in t.stamps if tid == main_tid and ts < first_worker]
    ms.check("main's %d events before the worker's first are >= 4,000" % len(alone), len(alone) >= 4000)
    ms.check("main's events alone are stamped in whole units of %d" % unit,
             all(ts % unit == 0 for ts in alone))
    fine = sum(1 for ts in worker if ts % unit)
    ms.check("the worker's stamps are exact (%d of %d not whole units)" % (fine, len(worker)),
             fine >= len(worker) * 0.99)

    # ROUND(W) promises that every event before W is in the file before it;
    # the writer stages a round's chunks by their first stamps, with a ROUND
    # up to the next one after each, so that a reader holds about a chunk
    # per thread, not the round (src/runtime/writer.c)
    ms.check_eq("events read after a ROUND past their stamp", t.late, 0)
    both = [c for c in t.round_chunks if len({tid for tid, _ in c}) == 2]
    ms.check("rounds with chunks of both threads: %d" % len(both), len(both) >= 1)
    unsorted = [c for c in t.round_chunks if [ts for _, ts in c] != sorted(ts for _, ts in c)]
    ms.check_eq("rounds whose chunks are not in the order of their first stamps", len(unsorted), 0)


ms.main(test)
