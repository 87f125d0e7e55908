#!/usr/bin/env python3
"""memscope export on bad input: every refusal is one 'memscope: ' line on
stderr with a non-zero exit status and leaves no output file; a trace
without allocations gives a valid, empty export of every format (exit 0,
one note on stderr) that the real consumers still read; a truncated trace
is exported up to its last complete frame with one warning line."""
import json
import os
import pty
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import mstrace

FORMATS = ("pprof", "massif", "dhat", "collapsed", "json")


def export(args):
    cmd = [ms.MEMSCOPE, "export"] + args
    print("$ %s" % " ".join(cmd))
    return ms.run(cmd)


def refused(what, args, status, out=None, mentions=None):
    p = export(args)
    line = ms.check_one_error_line(what, p, want_status=status)
    if mentions:
        ms.check("%s: the message names %r (%r)" % (what, mentions, line), mentions in line)
    if out:
        ms.check("%s: no output file left" % what, not os.path.exists(out))
    return line


def synthetic(d, allocations=True):
    """(path, frame end offsets): 0400's first two frames (A B C, then D E F)."""
    t = mstrace.TraceWriter(pid=4242, ppid=1)
    t.process("/usr/bin/synth", ["synth"])
    t.chunk(tid=100, base_ts=5)
    if allocations:
        t.stack(1, [0x7000001000])
        t.stack(2, [0x7000003000])
        t.alloc(10, 0x10000, 100, 1)
        t.alloc(20, 0x20000, 200, 2)
        t.free(30, 0x10000)
        t.alloc(40, 0x30000, 50, 1)
        t.free(50, 0x30000)
    t.round(51)
    t.flush()
    t.chunk(tid=100, base_ts=55)
    if allocations:
        t.realloc(60, 61, 0x20000, 0x40000, 300, 2)
        t.alloc(70, 0x50000, 1000, 1)
    t.round(81)
    t.flush()
    t.end(100, status=0)
    path = os.path.join(d, "synth-%s.mst" % ("allocs" if allocations else "none"))
    open(path, "wb").write(t.bytes())
    return path, t.frame_ends()


def test():
    d = ms.tmpdir("files")
    trace, ends = synthetic(d)
    out = os.path.join(d, "out")

    refused("unknown format", ["--format", "svg", "-o", out, trace], 2, out, "'svg'")
    refused("missing --format", ["-o", out, trace], 2, out, "--format")
    refused("unknown metric", ["--format", "collapsed", "--metric", "size", "-o", out, trace], 2, out, "'size'")
    refused("unknown --at", ["--format", "pprof", "--at", "start", "-o", out, trace], 2, out, "'start'")
    refused("--at with massif", ["--format", "massif", "--at", "peak", "-o", out, trace], 2, out, "--at")
    refused("--metric with pprof", ["--format", "pprof", "--metric", "peak", "-o", out, trace], 2, out, "--metric")
    refused("--snapshots 0", ["--format", "massif", "--snapshots", "0", "-o", out, trace], 2, out, "--snapshots")
    refused("--threshold 200", ["--format", "massif", "--threshold", "200", "-o", out, trace], 2, out, "--threshold")
    refused("unknown option", ["--format", "json", "--frobnicate", trace], 2, None, "--frobnicate")
    refused("two traces", ["--format", "json", trace, trace], 2)
    refused("no trace", ["--format", "json"], 2, None, "trace")
    missing_dir = os.path.join(d, "no-such-dir", "x.pb.gz")
    refused("-o in a missing directory", ["--format", "pprof", "-o", missing_dir, trace], 1, missing_dir,
            "no-such-dir")
    if os.path.exists("/dev/full"):
        refused("write error (-o /dev/full)", ["--format", "json", "-o", "/dev/full", trace], 1, None, "/dev/full")
        ms.check("-o /dev/full: the device is not removed", os.path.exists("/dev/full"))
    refused("missing trace", ["--format", "json", "-o", out, os.path.join(d, "nope.mst")], 1, out, "nope.mst")
    # A failed export leaves an earlier file as it was (it writes a temporary
    # file and renames it over the output only when complete).
    earlier = os.path.join(d, "earlier.json")
    open(earlier, "w").write("earlier\n")
    refused("missing trace, existing output", ["--format", "json", "-o", earlier, os.path.join(d, "nope.mst")], 1)
    ms.check_eq("a failed export keeps the earlier file", open(earlier).read(), "earlier\n")
    ms.check_eq("no temporary file left", sorted(f for f in os.listdir(d) if ".tmp." in f), [])
    # The trace as its own output: read in full before it is replaced.
    copy = os.path.join(d, "copy.mst")
    shutil.copy(trace, copy)
    p = export(["--format", "collapsed", "-o", copy, copy])
    ms.check_eq("-o is the trace: exit status", p.returncode, 0)
    ms.check_eq("-o is the trace: the export", open(copy).read(), "0x7000001000 1150\n0x7000003000 500\n")
    junk = os.path.join(d, "junk.mst")
    open(junk, "wb").write(b"this is not a trace\n" * 10)
    refused("not a trace", ["--format", "collapsed", "-o", out, junk], 1, out, "junk.mst")

    # pprof is binary: not to a terminal, but to a pipe it is fine.
    master, slave = pty.openpty()
    p = subprocess.run([ms.MEMSCOPE, "export", "--format", "pprof", trace], stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    os.close(master)
    err = p.stderr.decode(errors="replace").splitlines()
    ms.check_eq("pprof to a terminal: exit status", p.returncode, 2)
    ms.check("pprof to a terminal: one 'memscope: ' line naming -o (%r)" % err,
             len(err) == 1 and err[0].startswith("memscope: ") and "-o" in err[0])
    p = export(["--format", "pprof", trace])
    ms.check_eq("pprof to a pipe: exit status", p.returncode, 0)
    ms.check_eq("pprof to a pipe: gzip magic", p.stdout[:2], b"\x1f\x8b")
    p = export(["--format", "collapsed", "-o", "-", trace])
    ms.check_eq("-o - is stdout: exit status", p.returncode, 0)
    # stack 1: A 100 + C 50 + E 1000; stack 2: B 200 + D 300 (frames in no module)
    ms.check_eq("-o - is stdout: folded lines", p.stdout.decode(), "0x7000001000 1150\n0x7000003000 500\n")

    # No allocations: valid, empty exports, one note, exit 0.
    empty, _ = synthetic(d, allocations=False)
    for f in FORMATS:
        o = os.path.join(d, "empty." + f)
        p = export(["--format", f, "-o", o, empty])
        err = p.stderr.decode(errors="replace").splitlines()
        ms.check_eq("no allocations, %s: exit status" % f, p.returncode, 0)
        ms.check("no allocations, %s: one note saying so (%r)" % (f, err),
                 len(err) == 1 and err[0].startswith("memscope: ") and "no allocations" in err[0])
        ms.check("no allocations, %s: the file exists" % f, os.path.exists(o))
    ms.check_eq("no allocations: collapsed is empty", open(os.path.join(d, "empty.collapsed")).read(), "")
    dh = json.load(open(os.path.join(d, "empty.dhat")))
    ms.check_eq("no allocations: dhat pps", dh["pps"], [])
    js = json.load(open(os.path.join(d, "empty.json")))
    ms.check_eq("no allocations: json stacks", js["stacks"], [])
    ms.check_eq("no allocations: json allocations", js["summary"]["allocations"], 0)
    p = ms.run(["ms_print", os.path.join(d, "empty.massif")])
    ms.check_eq("no allocations: ms_print reads the massif file", p.returncode, 0)
    if shutil.which("go"):
        p = ms.run(["go", "tool", "pprof", "-raw", os.path.join(d, "empty.pprof")],
                   env={"HOME": ms.TMP, "PPROF_TMPDIR": ms.TMP})
        ms.check_eq("no allocations: go tool pprof reads the profile", p.returncode, 0)
        ms.check("no allocations: pprof lists the four sample types",
                 b"alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes" in p.stdout)

    # Truncated after the first frame: A B C and two frees only.
    cut = os.path.join(d, "cut.mst")
    open(cut, "wb").write(open(trace, "rb").read()[:ends[0]])
    for f in FORMATS:
        o = os.path.join(d, "cut." + f)
        p = export(["--format", f, "-o", o, cut])
        err = p.stderr.decode(errors="replace").splitlines()
        ms.check_eq("truncated, %s: exit status" % f, p.returncode, 0)
        ms.check("truncated, %s: one warning line (%r)" % (f, err),
                 len(err) == 1 and err[0].startswith("memscope: warning: ") and "cut.mst" in err[0])
    rows = [l.rpartition(" ") for l in open(os.path.join(d, "cut.collapsed")).read().splitlines()]
    ms.check_eq("truncated: collapsed bytes of the first frame", sum(int(c) for _, _, c in rows), 350)
    js = json.load(open(os.path.join(d, "cut.json")))
    ms.check_eq("truncated: json summary", (js["summary"]["allocations"], js["summary"]["truncated"]), (3, True))


ms.main(test)
