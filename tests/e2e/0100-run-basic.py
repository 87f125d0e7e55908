#!/usr/bin/env python3
"""memscope run + report --json on tests/targets/basic.c: exact figures known
by construction, the same figures from valgrind memcheck and DHAT on the same
binary, and the leaking line (basic.c, LEAK-LINE, in leak_here called from
leak_outer called from main). run's own summary (replayed while the
program runs) gives the same figures."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("basic")
    trace, p = ms.record([prog], "basic")
    # run's own paragraph, replayed while the program ran
    err = p.stderr.decode()
    for want in ("memscope: 6 allocations, 5 frees, 4.49 KiB (4,600 B) allocated\n",
                 "memscope: peak heap 3.42 KiB (3,500 B) at ",
                 "memscope: leaked 100 B in 1 blocks, 1 temporary allocations\n",
                 "memscope: trace written to %s\n" % trace):
        ms.check("run's summary has %r (stderr: %r)" % (want, err[:600]), want in err)
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("basic", s, {
        "allocations": 6, "frees": 5, "bytes_allocated": 4600, "peak_bytes": 3500,
        "leaked_bytes": 100, "leaked_blocks": 1, "temporary_allocations": 1, "truncated": False})
    ms.check("basic: peak_rss_bytes > 0 (got %d)" % s["peak_rss_bytes"], s["peak_rss_bytes"] > 0)

    line = ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */")
    st = ms.check_leak_stack("basic", doc, "leak_here", "basic.c", line, 100,
                             callers=("leak_outer", "main"))
    if st:
        ms.check_eq("basic: leak stack allocations", st["allocations"], 1)
        ms.check_eq("basic: leak stack module", os.path.basename(str(st["frames"][0]["module"])), "basic")
    # main's own stacks: a 1000, b (calloc) 1000, c 500, d 2000, e 0.
    mains = ms.stacks_from(doc, "main", index=0)
    ms.check_eq("basic: allocations from main's own lines", ms.sum_metric(mains, "allocations"), 5)
    ms.check_eq("basic: bytes from main's own lines", ms.sum_metric(mains, "bytes_allocated"), 4500)
    ms.check_eq("basic: distinct stacks from main's own lines", len(mains), 5)
    ms.check_stack_sums("basic", doc)

    vg, _, _ = ms.memcheck([prog], "basic")
    ms.check_vs_memcheck("basic", s, vg)
    gmax, _ = ms.dhat([prog], "basic")
    ms.check_eq("basic: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)
