#!/usr/bin/env python3
"""memscope export --format collapsed (folded stacks): parsed the way
flamegraph.pl and inferno read it (the count after the last space, frames
split at ';'), each metric's lines add up exactly to the summary figure of
report --json, zero lines are left out, identical stacks are one line, and
--with-lines adds file:line to every frame that has one.

basic: main's own five allocation lines fold into one 'main' line of 4500
bytes without --with-lines (five lines with it); leak_here's stack holds
the 100 leaked bytes."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

SUMMARY_KEY = {"bytes": "bytes_allocated", "allocations": "allocations", "peak": "peak_bytes",
               "leaked": "leaked_bytes", "temporary": "temporary_allocations"}


def folded(trace, opts, what):
    p = ms.run([ms.MEMSCOPE, "export", "--format", "collapsed"] + opts + [trace])
    ms.check_eq("%s: exit status" % what, p.returncode, 0)
    ms.check_eq("%s: stderr" % what, p.stderr.decode(errors="replace"), "")
    lines = p.stdout.decode().splitlines()
    out = []
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            ms.check("%s: line %r is 'STACK COUNT'" % (what, line), False)
            continue
        out.append((stack.split(";"), int(count)))
    return out


def test():
    trace, _ = ms.record([ms.target("basic")], "basic")
    s = ms.ms_report(trace)["summary"]
    for metric, key in SUMMARY_KEY.items():
        rows = folded(trace, ["--metric", metric], "--metric " + metric)
        ms.check_eq("--metric %s: sum == summary.%s" % (metric, key), sum(c for _, c in rows), s[key])
        ms.check("--metric %s: no zero line" % metric, all(c > 0 for _, c in rows))
        stacks = [";".join(f) for f, _ in rows]
        ms.check("--metric %s: no stack twice" % metric, len(stacks) == len(set(stacks)))
        ms.check("--metric %s: sorted" % metric, stacks == sorted(stacks))
    default = folded(trace, [], "default")
    ms.check_eq("the default metric is bytes", default, folded(trace, ["--metric", "bytes"], "bytes"))
    by_leaf = {f[-1]: c for f, c in default}
    ms.check_eq("main's five lines fold into one", by_leaf.get("main"), 4500)
    ms.check_eq("leak_here", by_leaf.get("leak_here"), 100)
    leak = [f for f, _ in default if f[-1] == "leak_here"]
    if leak:
        ms.check_eq("outermost first: ... main;leak_outer;leak_here", leak[0][-3:], ["main", "leak_outer", "leak_here"])

    rows = folded(trace, ["--with-lines"], "--with-lines")
    ms.check_eq("--with-lines: sum", sum(c for _, c in rows), s["bytes_allocated"])
    mains = [c for f, c in rows if re.match(r"^main \(basic\.c:\d+\)$", f[-1])]
    # a 1000, b 1000, c 500, d 2000; e = malloc(0) counts 0 bytes: left out
    ms.check_eq("--with-lines: main's lines apart", sorted(mains), [500, 1000, 1000, 2000])
    line = ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */")
    ms.check("--with-lines: leak_here (basic.c:LEAK-LINE)",
             any(f[-1] == "leak_here (basic.c:%d)" % line for f, _ in rows))
    leaked = folded(trace, ["--metric", "leaked"], "leaked")
    ms.check_eq("--metric leaked: only leak_here's stack", [(f[-1], c) for f, c in leaked], [("leak_here", 100)])

    # Many stacks: 1024 distinct paths, exact sums.
    trace, _ = ms.record([ms.target("many_stacks")], "many_stacks")
    ms_ = ms.ms_report(trace)["summary"]
    rows = folded(trace, ["--metric", "allocations"], "many_stacks")
    ms.check_eq("many_stacks: lines", len(rows), 1024)
    ms.check_eq("many_stacks: allocations", sum(c for _, c in rows), ms_["allocations"])
    rows = folded(trace, [], "many_stacks bytes")
    ms.check_eq("many_stacks: bytes", sum(c for _, c in rows), ms_["bytes_allocated"])


ms.main(test)
