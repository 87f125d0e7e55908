#!/usr/bin/env python3
"""Missing debug information falls back to module + offset, never to an
error: a stripped copy of basic, and a copy deleted after the run. The
figures stay exact; frames keep their module."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

FIG = {"allocations": 6, "frees": 5, "bytes_allocated": 4600, "peak_bytes": 3500,
       "leaked_bytes": 100, "leaked_blocks": 1}


def leak_frame0(doc):
    st = [s for s in doc["stacks"] if s["leaked_blocks"]]
    if not ms.check_eq("one leaking stack", len(st), 1):
        return None
    print("   stack: %s" % ms.describe_stack(st[0]))
    return st[0]["frames"][0] if st[0]["frames"] else None


def test():
    d = ms.tmpdir("stripped")
    prog = os.path.join(d, "basic-stripped")
    shutil.copy(ms.target("basic"), prog)
    subprocess.run(["strip", "--strip-all", prog], check=True)
    trace, _ = ms.record([prog], "stripped-run")
    doc = ms.ms_report(trace)
    ms.check_summary("stripped", doc["summary"], FIG)
    f = leak_frame0(doc)
    if f:
        ms.check_eq("stripped: frame 0 module", os.path.basename(str(f.get("module"))), "basic-stripped")
        ms.check("stripped: frame 0 has a function name or address (%r)" % f.get("function"),
                 bool(f.get("function")))
    ms.check_stack_sums("stripped", doc)

    d = ms.tmpdir("deleted")
    prog = os.path.join(d, "basic-deleted")
    shutil.copy(ms.target("basic"), prog)
    trace, _ = ms.record([prog], "deleted-run")
    os.unlink(prog)
    doc = ms.ms_report(trace)
    ms.check_summary("deleted", doc["summary"], FIG)
    f = leak_frame0(doc)
    if f:
        ms.check_eq("deleted: frame 0 module", os.path.basename(str(f.get("module"))), "basic-deleted")


ms.main(test)
