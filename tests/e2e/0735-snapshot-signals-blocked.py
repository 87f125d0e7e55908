#!/usr/bin/env python3
"""A thread that blocks every signal cannot be stopped by the stop signal.
snap_sigblock holds such a thread, with a 3000-byte block only its stack
points to, while main takes one snapshot. Under ptrace (the default) the
thread is stopped like any other and its block is a root of its stack or
registers. With MEMSCOPE_STOP_SIGNAL=1 the snapshot gives the thread up
(the signal stays blocked and pending), says so once on stderr naming the
thread, records it as missed in SCAN_END, and does not scan its stack; the
program runs on as without memscope."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md


def parse(out):
    lines = out.decode(errors="replace").splitlines()
    tid = [int(l.split()[1]) for l in lines if l.startswith("tid ")]
    return (tid[0] if tid else None), [l for l in lines if not l.startswith("tid ")]


def api_snapshot(what, trace):
    """The trace's one API snapshot, or None (a failed check)."""
    api = [s for s in md.decode(trace).snapshots if s.reason == md.SNAP_API]
    ms.check_eq("%s: 1 API snapshot" % what, len(api), 1)
    return api[0] if api else None


def the_block(s):
    blocks = [a for a, z in s.live.items() if z == 3000]
    ms.check_eq("one live block of 3000 bytes", len(blocks), 1)
    return blocks[0] if blocks else None


def test():
    prog = ms.target("snap_sigblock")

    p = ms.run([prog])
    tid, rest = parse(p.stdout)
    ms.check_eq("plain: exit status", p.returncode, 0)
    ms.check_eq("plain: no snapshot", rest, ["snapshot 0", "done"])

    # ptrace (the default): a blocked signal does not matter
    trace, p = ms.record([prog], "ptrace")
    tid, rest = parse(p.stdout)
    ms.check_eq("ptrace: output", rest, ["snapshot 1", "done"])
    ms.check("ptrace: nothing said on stderr about stopping threads", b"did not stop" not in p.stderr)
    s = api_snapshot("ptrace", trace)
    if s:
        ms.check_eq("ptrace: stop (method, threads stopped, missed)", s.stop, (md.STOP_PTRACE, 1, 0))
        b = the_block(s)
        roots = sorted(set((r[0], r[1]) for r in s.roots if r[3] == b))
        ms.check("ptrace: the block is a root of the blocking thread's stack or registers (%r, tid %r)"
                 % (roots, tid),
                 roots and all(k in (md.ROOT_STACK, md.ROOT_REGISTER) and ref == tid for k, ref in roots))

    # the signal method: the thread is given up, and said to be
    d = ms.tmpdir("signal")
    trace = os.path.join(d, "trace.mst")
    p = ms.ms_run([prog], trace=trace, cwd=d, env={"MEMSCOPE_STOP_SIGNAL": "1"})
    ms.check_eq("signal: exit status", p.returncode, 0)
    tid, rest = parse(p.stdout)
    ms.check_eq("signal: output", rest, ["snapshot 1", "done"])
    err = p.stderr.decode(errors="replace")
    said = [l for l in err.splitlines() if "did not stop" in l]
    ms.check_eq("signal: one line on stderr about the thread that did not stop", len(said), 1)
    if said:
        ms.check("signal: it names the thread and one missed thread (%r)" % said[0],
                 "1 thread(s) (first: %d)" % tid in said[0] and "blocked" in said[0])
    s = api_snapshot("signal", trace)
    if s:
        ms.check_eq("signal: stop (method, threads stopped, missed)", s.stop, (md.STOP_SIGNAL, 0, 1))
        b = the_block(s)
        ms.check_eq("signal: the missed thread's stack was not scanned: no root reaches its block",
                    [r for r in s.roots if r[3] == b], [])
    q = ms.run([ms.MEMSCOPE, "snapshots", "--json", trace])
    snaps = json.loads(q.stdout.decode())["snapshots"]
    ms.check_eq("signal: snapshots --json (stop_method, threads_stopped, threads_missed)",
                [(x["stop_method"], x["threads_stopped"], x["threads_missed"]) for x in snaps][:1],
                [("signal", 0, 1)])


ms.main(test)
