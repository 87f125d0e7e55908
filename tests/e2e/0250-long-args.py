#!/usr/bin/env python3
"""Arguments and environment at the kernel's limits: one argument of
100000 bytes (Linux allows up to 131072 per string), 20000 arguments, and a
100000-byte environment variable. The program sees them unchanged and the
trace can be reported (the trace format caps strings at 65536 bytes, so the
runtime must cut what it records, not write a trace its reader refuses)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("passthrough")
    cases = [
        ("one 100000-byte argument", ["x" * 100000], None),
        ("20000 arguments", [str(i) for i in range(20000)], None),
        ("a 100000-byte environment variable", ["a"], {"MS_BIG_VAR": "y" * 100000}),
    ]
    for i, (what, args, env) in enumerate(cases):
        d = ms.tmpdir("long-%d" % i)
        trace = os.path.join(d, "t.mst")
        p = ms.ms_run([prog, "args"] + args, trace=trace, cwd=d, env=env)
        ms.check_eq("%s: exit status" % what, p.returncode, 0)
        ms.check("%s: arguments passed unchanged" % what,
                 p.stdout == b"".join(a.encode() + b"\n" for a in args))
        r = ms.ms_report_raw(trace)
        if not ms.check_eq("%s: report exit status" % what, r.returncode, 0):
            ms.show(r, "report")


ms.main(test)
