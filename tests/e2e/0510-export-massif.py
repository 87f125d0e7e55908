#!/usr/bin/env python3
"""memscope export --format massif, read back by valgrind's ms_print and by
a parser of the format written here: the peak snapshot holds exactly
peak_bytes from report --json (and valgrind's own massif agrees on basic),
the last snapshot holds leaked_bytes, every tree node is the sum of its
children, times never go back, and nodes under --threshold are folded into
massif's "in N places" line.

basic: peak 3500 = d 2000 (main) + b 1000 + c 500; leak 100 from leak_here.
The synthetic trace (as in 0400-report-synthetic) has three stacks live at
the peak (1000, 300 and 64 bytes of 1364): with --threshold 10 the 64-byte
one (4.7%) is folded."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import mstrace


def parse_massif(text):
    """{"cmd", "time_unit", "snapshots": [{n, time, heap, kind, tree}]}; a
    tree is (bytes, label, [children]). Raises ValueError on any deviation."""
    lines = text.splitlines()
    i = 0
    doc = {"snapshots": []}
    if not lines[i].startswith("desc:"):
        raise ValueError("no desc line")
    while lines[i].startswith("desc:"):
        i += 1
    doc["cmd"] = re.match(r"^cmd: (.*)$", lines[i]).group(1)
    doc["time_unit"] = re.match(r"^time_unit: (.*)$", lines[i + 1]).group(1)
    i += 2

    def node(i, depth):
        m = re.match(r"^( *)n(\d+): (\d+) (.*)$", lines[i])
        if not m or len(m.group(1)) != depth:
            raise ValueError("line %d: bad tree node %r" % (i + 1, lines[i]))
        kids, i = [], i + 1
        for _ in range(int(m.group(2))):
            k, i = node(i, depth + 1)
            kids.append(k)
        return (int(m.group(3)), m.group(4), kids), i

    while i < len(lines):
        if lines[i] != "#-----------" or lines[i + 2] != "#-----------":
            raise ValueError("line %d: no snapshot separator" % (i + 1))
        snap = {"n": int(lines[i + 1].split("=")[1])}
        keys = ("time", "mem_heap_B", "mem_heap_extra_B", "mem_stacks_B", "heap_tree")
        for k, line in zip(keys, lines[i + 3:i + 8]):
            name, _, val = line.partition("=")
            if name != k:
                raise ValueError("line %r, want %s=" % (line, k))
            snap[k] = val if k == "heap_tree" else int(val)
        i += 8
        snap["tree"] = None
        if snap["heap_tree"] in ("detailed", "peak"):
            snap["tree"], i = node(i, 0)
        elif snap["heap_tree"] != "empty":
            raise ValueError("heap_tree=%s" % snap["heap_tree"])
        doc["snapshots"].append(snap)
    return doc


def check_sums(what, tree):
    """Every node with children: its bytes are at least their sum (a stack
    may end at a node); the root's children add up to the root exactly."""
    bad = []

    def walk(n):
        b, label, kids = n
        if kids and sum(k[0] for k in kids) > b:
            bad.append(label)
        for k in kids:
            walk(k)
    walk(tree)
    ms.check_eq("%s: nodes whose children exceed them" % what, bad, [])
    ms.check_eq("%s: root children sum to the root" % what, sum(k[0] for k in tree[2]), tree[0])


def export(trace, name, opts=()):
    out = os.path.join(ms.TMP, name)
    p = ms.run([ms.MEMSCOPE, "export", "--format", "massif", "-o", out] + list(opts) + [trace])
    if p.returncode != 0 or p.stderr:
        ms.show(p, "export " + name)
    ms.check_eq("%s: export exit status" % name, p.returncode, 0)
    text = open(out).read()
    try:
        doc = parse_massif(text)
    except (ValueError, AttributeError, IndexError) as e:
        raise ms.Fatal("%s: not massif's format: %s" % (name, e))
    p = ms.run(["ms_print", out])
    if p.returncode != 0 or p.stderr:
        ms.show(p, "ms_print " + name)
    ms.check_eq("%s: ms_print exit status" % name, p.returncode, 0)
    ms.check_eq("%s: ms_print stderr" % name, p.stderr.decode(errors="replace"), "")
    return doc, p.stdout.decode(errors="replace")


def common_checks(name, doc, s, nsnap):
    snaps = doc["snapshots"]
    ms.check_eq("%s: time_unit" % name, doc["time_unit"], "ms")
    ms.check_eq("%s: snapshot numbers" % name, [x["n"] for x in snaps], list(range(len(snaps))))
    ms.check("%s: %d snapshots (start, %d points, peak)" % (name, len(snaps), nsnap),
             nsnap + 1 <= len(snaps) <= nsnap + 2)
    times = [x["time"] for x in snaps]
    ms.check("%s: times never go back" % name, times == sorted(times))
    ms.check_eq("%s: max time is the run's, in ms" % name, times[-1], s["wall_time_ns"] // 1000000)
    peaks = [x for x in snaps if x["heap_tree"] == "peak"]
    if ms.check_eq("%s: one peak snapshot" % name, len(peaks), 1):
        pk = peaks[0]
        ms.check_eq("%s: peak mem_heap_B == peak_bytes" % name, pk["mem_heap_B"], s["peak_bytes"])
        ms.check_eq("%s: peak tree root == peak_bytes" % name, pk["tree"][0], s["peak_bytes"])
        ms.check_eq("%s: peak time" % name, pk["time"], s["peak_time_ns"] // 1000000)
        ms.check_eq("%s: no snapshot above the peak" % name, max(x["mem_heap_B"] for x in snaps), s["peak_bytes"])
        check_sums(name + " peak tree", pk["tree"])
    last = snaps[-1]
    ms.check_eq("%s: last snapshot is detailed" % name, last["heap_tree"], "detailed")
    ms.check_eq("%s: last mem_heap_B == leaked_bytes" % name, last["mem_heap_B"], s["leaked_bytes"])
    if last["tree"]:
        ms.check_eq("%s: last tree root == leaked_bytes" % name, last["tree"][0], s["leaked_bytes"])
        check_sums(name + " end tree", last["tree"])
    for x in snaps:
        ms.check("%s: snapshot %d extra and stacks are 0" % (name, x["n"]),
                 x["mem_heap_extra_B"] == 0 and x["mem_stacks_B"] == 0)
    return peaks[0] if peaks else None


def massif_peak(prog, name):
    """mem_heap_B of valgrind massif's peak snapshot on prog."""
    d = ms.tmpdir(name + "-valgrind")
    out = os.path.join(d, "massif.out")
    p = ms.run(["valgrind", "--tool=massif", "--massif-out-file=" + out, prog], cwd=d)
    if not os.path.exists(out):
        ms.show(p, "valgrind massif")
        raise ms.Fatal("no massif output")
    doc = parse_massif(open(out).read())
    return [x for x in doc["snapshots"] if x["heap_tree"] == "peak"][0]["mem_heap_B"]


def test():
    prog = ms.target("basic")
    trace, _ = ms.record([prog], "basic")
    s = ms.ms_report(trace)["summary"]
    doc, printed = export(trace, "massif.out.basic")
    pk = common_checks("basic", doc, s, 50)
    if pk:
        labels = [k[1] for k in pk["tree"][2]]
        ms.check("basic: peak sites are main's lines (%r)" % labels,
                 len(labels) == 3 and all(re.match(r"^0x[0-9A-F]+: main \(basic\.c:\d+\)$", l) for l in labels))
        ms.check_eq("basic: peak sites' bytes", [k[0] for k in pk["tree"][2]], [2000, 1000, 500])
    line = ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */")
    end = doc["snapshots"][-1]["tree"]
    ms.check("basic: the end tree is leak_here at LEAK-LINE",
             end and len(end[2]) == 1 and end[2][0][1].endswith(": leak_here (basic.c:%d)" % line))
    ms.check("basic: ms_print shows the peak as 100%% of 3,500B",
             "100.00% (3,500B) (heap allocation functions)" in printed)
    m = re.search(r"Detailed snapshots: \[(\d+) \(peak\), (\d+)\]", printed)
    ms.check("basic: ms_print lists the peak and the end as detailed (%r)" % (m.group(0) if m else None),
             m is not None and int(m.group(2)) == len(doc["snapshots"]) - 1)
    ms.check_eq("basic: valgrind massif's peak equals the export's", massif_peak(prog, "basic"), s["peak_bytes"])

    # --snapshots changes the number of points.
    doc, _ = export(trace, "massif.out.basic-10", ["--snapshots", "10"])
    common_checks("basic --snapshots 10", doc, s, 10)

    # The synthetic trace: exact figures, and the threshold fold.
    t = mstrace.TraceWriter(pid=4242, ppid=1)
    t.process("/usr/bin/synth", ["synth", "--flag"])
    t.chunk(tid=100, base_ts=5)
    t.stack(1, [0x7000001000, 0x7000002000])
    t.stack(2, [0x7000003000, 0x7000002000])
    t.stack(3, [0x7000004000])
    t.alloc(10, 0x10000, 100, 1)
    t.alloc(20, 0x20000, 200, 2)
    t.free(30, 0x10000)
    t.realloc(60, 61, 0x20000, 0x40000, 300, 2)
    t.alloc(70, 0x50000, 1000, 1)
    t.alloc(75, 0x60000, 64, 3)
    t.free(80, 0x50000)
    t.round(81)
    t.flush()
    t.end(100, status=0)
    synth = os.path.join(ms.tmpdir("synth"), "synth.mst")
    open(synth, "wb").write(t.bytes())
    ss = ms.ms_report(synth)["summary"]
    ms.check_summary("synthetic", ss, {"peak_bytes": 1364, "leaked_bytes": 364})
    doc, printed = export(synth, "massif.out.synth", ["--threshold", "10"])
    ms.check_eq("synthetic: cmd", doc["cmd"], "synth --flag")
    pk = common_checks("synthetic", doc, ss, 50)
    if pk:
        kids = pk["tree"][2]
        ms.check_eq("synthetic: peak children", [(k[0], k[1]) for k in kids],
                    [(1000, "0x7000001000: ???"), (300, "0x7000003000: ???"),
                     (64, "in 1 place, below massif's threshold (10.00%)")])
        ms.check_eq("synthetic: a shown site has its caller", [(c[0], c[1]) for c in kids[0][2]],
                    [(1000, "0x7000002000: ???")])
    ms.check("synthetic: ms_print shows the folded line", "(64B) in 1 place, below massif's threshold" in printed)
    # threshold 0 shows everything
    doc, _ = export(synth, "massif.out.synth0", ["--threshold", "0"])
    pk = [x for x in doc["snapshots"] if x["heap_tree"] == "peak"][0]
    ms.check_eq("synthetic --threshold 0: peak children", [k[0] for k in pk["tree"][2]], [1000, 300, 64])


ms.main(test)
