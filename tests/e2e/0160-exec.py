#!/usr/bin/env python3
"""exec: an exec'd image (same pid) writes the standard trace name and the
image before the exec is kept as <name>.pre-exec, for a forked child that
execs another program (exec_child -> basic) and for a program that execs
itself (exec_self). With --no-follow the exec'd image is not traced."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

BASIC = {"allocations": 6, "frees": 5, "bytes_allocated": 4600, "peak_bytes": 3500,
         "leaked_bytes": 100, "leaked_blocks": 1}


def child_pid(p):
    m = re.search(rb"child (\d+)", p.stdout)
    if not m:
        ms.show(p, "exec_child")
        raise ms.Fatal("exec_child printed no child pid")
    return int(m.group(1))


def exec_child():
    prog = ms.target("exec_child")
    trace, p = ms.record([prog], "exec-child")
    pid = child_pid(p)
    d = os.path.dirname(trace)
    files = sorted(os.listdir(d))
    print("files: %s" % files)
    t = os.path.basename(trace)
    ms.check_eq("exec_child: trace files", files,
                sorted([t, "%s.%d" % (t, pid), "%s.%d.pre-exec" % (t, pid)]))
    par = ms.ms_report(trace)
    ms.check_summary("exec_child parent", par["summary"], {
        "allocations": 2, "frees": 1, "bytes_allocated": 192, "peak_bytes": 128,
        "leaked_bytes": 64, "leaked_blocks": 1})
    ms.check_leak_stack("exec_child parent", par, "parent_leak", "exec_child.c",
                        ms.marker_line("tests/targets/exec_child.c", "/* LEAK-LINE */"), 64)
    post = "%s.%d" % (trace, pid)
    if os.path.exists(post):
        doc = ms.ms_report(post)
        ms.check_summary("exec_child -> basic", doc["summary"], BASIC)
        ms.check_leak_stack("exec_child -> basic", doc, "leak_here", "basic.c",
                            ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */"), 100,
                            callers=("leak_outer", "main"))
    pre = post + ".pre-exec"
    if os.path.exists(pre):
        doc = ms.ms_report(pre)
        ms.check_eq("exec_child pre-exec image: allocations (inherited 128 + 256)",
                    doc["summary"]["allocations"], 2)
        ms.check_eq("exec_child pre-exec image: bytes_allocated", doc["summary"]["bytes_allocated"], 384)
        ms.check_eq("exec_child pre-exec image: frees", doc["summary"]["frees"], 0)
        ms.check_eq("exec_child pre-exec image: stacks of child_before_exec",
                    ms.sum_metric(ms.stacks_from(doc, "child_before_exec", index=0), "bytes_allocated"), 256)
    # valgrind on the same programs, following children
    root, per_pid, vp = ms.memcheck([prog], "exec-child", children=True)
    ms.check_vs_memcheck("exec_child parent", par["summary"], root)
    vchild = per_pid.get(child_pid(vp))
    if vchild and os.path.exists(post):
        ms.check_vs_memcheck("exec_child -> basic", ms.ms_report(post)["summary"], vchild)


def exec_self():
    prog = ms.target("exec_self")
    trace, p = ms.record([prog], "exec-self")
    d = os.path.dirname(trace)
    files = sorted(os.listdir(d))
    print("files: %s" % files)
    t = os.path.basename(trace)
    ms.check_eq("exec_self: trace files", files, sorted([t, t + ".pre-exec"]))
    doc = ms.ms_report(trace)
    ms.check_summary("exec_self second image", doc["summary"], {
        "allocations": 2, "frees": 1, "bytes_allocated": 777, "peak_bytes": 777,
        "leaked_bytes": 333, "leaked_blocks": 1})
    ms.check_leak_stack("exec_self second image", doc, "second_image", "exec_self.c",
                        ms.marker_line("tests/targets/exec_self.c", "/* LEAK-LINE */"), 333, callers=("main",))
    ms.check_eq("exec_self second image: no first_image stack", len(ms.stacks_from(doc, "first_image")), 0)
    if os.path.exists(trace + ".pre-exec"):
        pre = ms.ms_report(trace + ".pre-exec")
        ms.check_eq("exec_self first image: allocations", pre["summary"]["allocations"], 2)
        ms.check_eq("exec_self first image: frees", pre["summary"]["frees"], 1)
        ms.check_eq("exec_self first image: bytes_allocated", pre["summary"]["bytes_allocated"], 333)
        ms.check_eq("exec_self first image: no second_image stack",
                    len(ms.stacks_from(pre, "second_image")), 0)
    vg, _, _ = ms.memcheck([prog, "child"], "exec-self")
    ms.check_vs_memcheck("exec_self second image", doc["summary"], vg)

    # --no-follow: the exec'd image is not traced. Whatever name the first
    # image's trace has, no trace holds second_image's figures.
    d = ms.tmpdir("exec-self-nofollow")
    trace = os.path.join(d, "trace.mst")
    p = ms.ms_run([prog], trace=trace, opts=["--no-follow"], cwd=d)
    ms.check_eq("--no-follow: exit status", p.returncode, 0)
    files = sorted(os.listdir(d))
    print("files: %s" % files)
    ms.check_ge("--no-follow: at least one trace", len(files), 1)
    for f in files:
        doc = ms.ms_report(os.path.join(d, f))
        ms.check_eq("--no-follow: %s has no second_image stack" % f,
                    len(ms.stacks_from(doc, "second_image")), 0)
        ms.check_eq("--no-follow: %s holds the first image (bytes 333)" % f,
                    doc["summary"]["bytes_allocated"], 333)


def bad_exec():
    """A failed exec: recording goes on in the same trace, no .pre-exec."""
    prog = ms.target("exec_self")
    trace, p = ms.record([prog, "badexec"], "exec-bad")
    files = sorted(os.listdir(os.path.dirname(trace)))
    print("files: %s" % files)
    ms.check_eq("failed exec: trace files", files, [os.path.basename(trace)])
    doc = ms.ms_report(trace)
    ms.check_summary("failed exec", doc["summary"], {
        "allocations": 3, "frees": 1, "bytes_allocated": 888, "leaked_bytes": 666, "leaked_blocks": 2,
        "truncated": False})
    ms.check_leak_stack("failed exec", doc, "after_failed_exec", "exec_self.c",
                        ms.marker_line("tests/targets/exec_self.c", "/* LEAK-LINE-BADEXEC */"), 555,
                        callers=("main",))
    vg, _, _ = ms.memcheck([prog, "badexec"], "exec-bad")
    ms.check_vs_memcheck("failed exec", doc["summary"], vg)


def test():
    exec_child()
    exec_self()
    bad_exec()


ms.main(test)
