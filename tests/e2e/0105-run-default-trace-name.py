#!/usr/bin/env python3
"""Without -o, memscope run writes memscope.<program>.<pid>.mst in the
current directory (one file, nothing else), and passes the exit status."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("basic")
    d = ms.tmpdir("default-name")
    p = ms.ms_run([prog], cwd=d)
    ms.check_eq("exit status", p.returncode, 0)
    files = sorted(os.listdir(d))
    print("files: %s" % files)
    names = [f for f in files if re.fullmatch(r"memscope\.basic\.\d+\.mst", f)]
    ms.check_eq("trace files named memscope.basic.<pid>.mst", len(names), 1)
    ms.check_eq("no other file in the cwd", len(files), len(names))
    if names:
        doc = ms.ms_report(os.path.join(d, names[0]))
        ms.check_eq("figures of the default-named trace: allocations", doc["summary"]["allocations"], 6)

    # The program is found through PATH like a shell would.
    d2 = ms.tmpdir("default-name-path")
    p = ms.ms_run(["basic"], cwd=d2, env={"PATH": ms.TARGETS + ":" + os.environ.get("PATH", "")})
    ms.check_eq("program found through PATH: exit status", p.returncode, 0)
    if p.returncode:
        ms.show(p, "run basic via PATH")
    files = [f for f in os.listdir(d2) if re.fullmatch(r"memscope\.basic\.\d+\.mst", f)]
    ms.check_eq("program found through PATH: one trace", len(files), 1)


ms.main(test)
