#!/usr/bin/env python3
"""Snapshots must not disturb threads blocked in system calls. snap_wait
holds 8 threads in nanosleep, poll, epoll_wait, select, sigtimedwait (2 s
each), pause, sigwaitinfo and an untimed epoll_wait while main takes 5
snapshots; each thread reports whether its call failed with EINTR or
returned early. Under `memscope run` (ptrace stop) every call behaves as
without memscope, SCAN_END says ptrace stopped the 8 threads and missed
none, each waiter's block is found from its own stack or registers, and
no thread is still traced afterwards. With MEMSCOPE_STOP_SIGNAL=1 the stop
signal is used (SCAN_END says so), the scan finds the same roots, and the
calls fail with EINTR: the target sees the difference. Under strace -f
(ptrace refused: already traced) the runtime falls back to the signal
silently."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

NAMES = ["nanosleep", "poll", "epoll_wait", "select", "sigtimedwait", "pause", "sigwaitinfo", "epoll_wait_inf"]


def parse(out):
    lines = out.decode(errors="replace").splitlines()
    tids = {l.split()[1]: int(l.split()[2]) for l in lines if l.startswith("tid ")}
    verdicts = {l.split()[0]: " ".join(l.split()[1:]) for l in lines if l.split() and l.split()[0] in NAMES}
    last = [l for l in lines if l.startswith("snapshots ")]
    return tids, verdicts, last[0] if last else None


def check_snapshot(what, s, tids, method):
    ms.check_eq("%s: SCAN_END roots = SCAN_ROOTS entries" % what, s.end and s.end[1], len(s.roots))
    ms.check_eq("%s: SCAN_END edges = SCAN_EDGES entries" % what, s.end and s.end[2], len(s.edges))
    ms.check_eq("%s: live_blocks equals the events' live set" % what, s.live_blocks, len(s.live))
    ms.check_eq("%s: stop (method, threads stopped, missed)" % what, s.stop, (method, 8, 0))
    for k, name in enumerate(NAMES):
        blocks = [a for a, z in s.live.items() if z == 1000 + k]
        ms.check_eq("%s: one live block of %d bytes (%s's)" % (what, 1000 + k, name), len(blocks), 1)
        if len(blocks) != 1:
            continue
        roots = sorted(set((r[0], r[1]) for r in s.roots if r[3] == blocks[0]))
        ms.check("%s: %s's block is a root of its own thread's stack or registers (%r)" % (what, name, roots),
                 roots and all(k2 in (md.ROOT_STACK, md.ROOT_REGISTER) and ref == tids.get(name)
                               for k2, ref in roots))


def test():
    prog = ms.target("snap_wait")

    p = ms.run([prog])
    tids, verdicts, last = parse(p.stdout)
    ms.check_eq("plain: exit status", p.returncode, 0)
    ms.check_eq("plain: every call behaves", verdicts, {n: "ok" for n in NAMES})
    ms.check_eq("plain: no snapshot", last, "snapshots 0 covered yes traced 0")

    # ptrace (the default)
    trace, p = ms.record([prog], "ptrace")
    tids, verdicts, last = parse(p.stdout)
    if verdicts != {n: "ok" for n in NAMES}:
        ms.show(p, "ptrace")
    ms.check_eq("ptrace: no call failed with EINTR or returned early", verdicts, {n: "ok" for n in NAMES})
    ms.check_eq("ptrace: 5 snapshots while every waiter was blocked; no tracer left", last,
                "snapshots 5 covered yes traced 0")
    ms.check("ptrace: nothing said on stderr about stopping threads", b"did not stop" not in p.stderr)
    t = md.decode(trace)
    api = [s for s in t.snapshots if s.reason == md.SNAP_API]
    ms.check_eq("ptrace: 5 API snapshots", len(api), 5)
    for s in api:
        check_snapshot("ptrace snapshot %d" % s.id, s, tids, md.STOP_PTRACE)
    ex = [s for s in t.snapshots if s.reason == md.SNAP_EXIT]
    ms.check_eq("ptrace: the exit snapshot had no other thread to stop", ex and ex[0].stop, (0, 0, 0))
    # `memscope snapshots` says how the threads were stopped
    q = ms.run([ms.MEMSCOPE, "snapshots", "--json", trace])
    snaps = json.loads(q.stdout.decode())["snapshots"]
    ms.check_eq("snapshots --json: (stop_method, threads_stopped, threads_missed) of each snapshot",
                [(x["stop_method"], x["threads_stopped"], x["threads_missed"]) for x in snaps],
                [("ptrace", 8, 0)] * 5 + [("none", 0, 0)])
    text = ms.run([ms.MEMSCOPE, "snapshots", trace]).stdout.decode()
    ms.check_eq("snapshots: text rows saying 'yes, 8 threads stopped by ptrace'",
                text.count("yes, 8 threads stopped by ptrace\n"), 5)

    # the signal method, forced
    d = ms.tmpdir("signal")
    trace = os.path.join(d, "trace.mst")
    p = ms.ms_run([prog], trace=trace, cwd=d, env={"MEMSCOPE_STOP_SIGNAL": "1"})
    ms.check_eq("signal: exit status", p.returncode, 0)
    tids, verdicts, last = parse(p.stdout)
    ms.check_eq("signal: nanosleep fails with EINTR (the difference ptrace removes)", verdicts.get("nanosleep"),
                "eintr")
    t = md.decode(trace)
    api = [s for s in t.snapshots if s.reason == md.SNAP_API]
    if api:
        check_snapshot("signal snapshot 1", api[0], tids, md.STOP_SIGNAL)
    else:
        ms.check("signal: an API snapshot", False)

    # ptrace refused (strace traces every thread): the signal, silently
    strace = shutil.which("strace")
    if not strace:
        print("skip: no strace on this machine (fallback when ptrace is refused)")
        return
    d = ms.tmpdir("strace")
    trace = os.path.join(d, "trace.mst")
    cmd = [strace, "-f", "-qq", "-e", "trace=none", "-o", os.path.join(d, "strace.out"),
           ms.MEMSCOPE, "run", "-o", trace, "--", prog]
    print("$ %s" % " ".join(cmd))
    p = ms.run(cmd, cwd=d)
    ms.check_eq("strace: exit status", p.returncode, 0)
    tids, verdicts, last = parse(p.stdout)
    ms.check_eq("strace: 5 snapshots", last and last.split()[:2], ["snapshots", "5"])
    ms.check("strace: nothing said on stderr about stopping threads", b"did not stop" not in p.stderr)
    t = md.decode(trace)
    api = [s for s in t.snapshots if s.reason == md.SNAP_API]
    if api:
        check_snapshot("strace snapshot 1", api[0], tids, md.STOP_SIGNAL)
    else:
        ms.check("strace: an API snapshot", False)


ms.main(test)
