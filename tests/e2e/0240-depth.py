#!/usr/bin/env python3
"""--depth N: stacks keep their innermost N frames. deep_recursion allocates
at the bottom of 101 recurse frames; --depth 16 keeps deep_alloc + 15
recurse frames, --depth 1 only deep_alloc, --depth 300 the whole stack down
to main. Bad values are refused with one error line."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("deep_recursion")
    line = ms.marker_line("tests/targets/deep_recursion.c", "/* LEAK-LINE */")
    for depth in (16, 1):
        trace, _ = ms.record([prog], "depth-%d" % depth, opts=["--depth", str(depth)])
        doc = ms.ms_report(trace)
        ms.check_summary("--depth %d" % depth, doc["summary"], {
            "allocations": 1, "frees": 0, "bytes_allocated": 1234, "leaked_bytes": 1234, "leaked_blocks": 1})
        st = ms.check_leak_stack("--depth %d" % depth, doc, "deep_alloc", "deep_recursion.c", line, 1234)
        if st:
            names = [ms.fn_name(f) for f in st["frames"]]
            ms.check_eq("--depth %d: frames" % depth, names, ["deep_alloc"] + ["recurse"] * (depth - 1))
    trace, _ = ms.record([prog], "depth-300", opts=["--depth", "300"])
    doc = ms.ms_report(trace)
    st = ms.check_leak_stack("--depth 300", doc, "deep_alloc", "deep_recursion.c", line, 1234)
    if st:
        names = [ms.fn_name(f) for f in st["frames"]]
        ms.check_eq("--depth 300: recurse frames", names.count("recurse"), 101)
        ms.check("--depth 300: main follows the recurse frames (%s)" % names[100:104],
                 len(names) > 102 and names[102] == "main")
    # default depth: 64 frames (docs/run.md)
    trace, _ = ms.record([prog], "depth-default")
    doc = ms.ms_report(trace)
    st = ms.check_leak_stack("default depth", doc, "deep_alloc", "deep_recursion.c", line, 1234)
    if st:
        ms.check_eq("default depth: number of frames", len(st["frames"]), 64)

    for bad in ("0", "1025", "-1", "abc", "", "99999999999999999999"):  # docs/run.md: 1 to 1024
        d = ms.tmpdir("depth-bad")
        p = ms.ms_run([prog], trace=os.path.join(d, "t.mst"), opts=["--depth", bad], cwd=d)
        ms.check_one_error_line("--depth %r" % bad, p, 2)
        ms.check_eq("--depth %r: no trace written" % bad, os.listdir(d), [])


ms.main(test)
