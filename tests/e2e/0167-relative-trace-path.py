#!/usr/bin/env python3
"""A relative -o path is relative to where memscope was started, also for
the trace of a child forked after the program changed directory and for
the .pre-exec rename after it changed directory (chdir_fork)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("chdir_fork")
    d = ms.tmpdir("relative")
    p = ms.ms_run([prog], trace="rel.mst", cwd=d)
    ms.check_eq("chdir_fork: exit status", p.returncode, 0)
    if p.returncode:
        ms.show(p, "run")
    m = re.search(rb"child (\d+)", p.stdout)
    if not m:
        raise ms.Fatal("no child pid printed")
    pid = int(m.group(1))
    top = sorted(f for f in os.listdir(d) if f != "sub")
    sub = sorted(os.listdir(os.path.join(d, "sub"))) if os.path.isdir(os.path.join(d, "sub")) else []
    print("files: %s, under sub/: %s" % (top, sub))
    ms.check_eq("trace files next to where memscope started", top,
                sorted(["rel.mst", "rel.mst.pre-exec", "rel.mst.%d" % pid]))
    ms.check_eq("no trace under sub/", sub, [])
    if "rel.mst" in top:
        ms.check_eq("rel.mst: basic's allocations", ms.ms_report(os.path.join(d, "rel.mst"))["summary"]["allocations"], 6)
    if "rel.mst.pre-exec" in top:
        doc = ms.ms_report(os.path.join(d, "rel.mst.pre-exec"))
        ms.check_eq("pre-exec: allocations", doc["summary"]["allocations"], 1)
        ms.check_eq("pre-exec: bytes", doc["summary"]["bytes_allocated"], 200)
    if "rel.mst.%d" % pid in top:
        doc = ms.ms_report(os.path.join(d, "rel.mst.%d" % pid))
        ms.check_eq("child: allocations", doc["summary"]["allocations"], 1)
        ms.check_eq("child: bytes", doc["summary"]["bytes_allocated"], 100)


ms.main(test)
