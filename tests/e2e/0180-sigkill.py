#!/usr/bin/env python3
"""sigkill: the program allocates, waits while the runtime's periodic rounds
write, and dies by SIGKILL. memscope run reports the death like the shell
would (killed by signal 9), and the trace is readable up to its last written
frame: report exits 0 with the events written before the death. The wait is
2 s (the target's argument), far more than a round."""
import os
import signal
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("sigkill")
    d = ms.tmpdir("sigkill")
    trace = os.path.join(d, "trace.mst")
    p = ms.ms_run([prog, "2000"], trace=trace, cwd=d)
    ms.check_eq("sigkill: memscope run dies by SIGKILL like the program (returncode -9)",
                p.returncode, -signal.SIGKILL)
    if not os.path.exists(trace):
        raise ms.Fatal("no trace after SIGKILL (files: %s)" % os.listdir(d))
    # the program could not remove its stats page and control socket: run does
    pid = struct.unpack_from("<I", open(trace, "rb").read(64), 16)[0]
    ms.check("sigkill: no stale stats page /dev/shm/memscope.%d" % pid, not os.path.exists("/dev/shm/memscope.%d" % pid))
    sock = "/tmp/memscope-%d/%d.sock" % (os.geteuid(), pid)
    ms.check("sigkill: no stale control socket %s" % sock, not os.path.exists(sock))
    r = ms.ms_report_raw(trace)
    ms.check_eq("sigkill: report exit status", r.returncode, 0)
    if r.returncode:
        ms.show(r, "report")
        return
    doc = ms.parse_report(r)
    s = doc["summary"]
    print("summary: %s" % s)
    ms.check_summary("sigkill", s, {"allocations": 10, "frees": 3, "bytes_allocated": 10000,
                                    "peak_bytes": 10000, "leaked_bytes": 7000, "leaked_blocks": 7})
    sa = ms.stacks_from(doc, "sigkill_alloc", index=0)
    ms.check_eq("sigkill_alloc stack: allocations", ms.sum_metric(sa, "allocations"), 10)
    # Valgrind sees the SIGKILL the program sends itself and prints its
    # summary: the same figures.
    vg, _, _ = ms.memcheck([prog, "0"], "sigkill")
    ms.check_vs_memcheck("sigkill", s, vg)


ms.main(test)
