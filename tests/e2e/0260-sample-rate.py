#!/usr/bin/env python3
"""run --sample-rate: Poisson sampling by bytes. sample_mix (see its header)
frees every small block (same thread, other thread, realloc, realloc(p, 0))
and leaks 4 blocks of 4 MiB; at 16 KiB per sample every 4 MiB block is a
sample of weight 1 (1 - exp(-256) rounds to 1), so the leak is exact: any
missed FREE of a sampled small block would show as a leak. The small bytes
are estimates: about 2,400 samples, so the total is within 10% at over 6
standard deviations. The report's standard errors equal those of n samples
of one size where a stack has one size, and the estimates fall within 4.5
of them. Temporary allocations are unknown in a sampled trace: reports say
so and refuse to sort or draw by them. The header carries the rate, and snapshots of a
sampled run have no scan. Bad values get one line."""
import gzip
import json
import math
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

RATE = 16384
TOTAL = 56777216
BIG = 4 << 20


def test():
    prog = ms.target("sample_mix")
    trace, _ = ms.record([prog], "sample-rate", opts=["--sample-rate", "16K", "-q"])
    hdr = md.decode(trace).header
    ms.check_eq("header sample_rate", struct.unpack_from("<I", hdr, 60)[0], RATE)
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("summary.sample_rate", s["sample_rate"], RATE)
    ms.check_eq("leaked_bytes: exactly the 4 big blocks", s["leaked_bytes"], 4 * BIG)
    ms.check_eq("leaked_blocks", s["leaked_blocks"], 4)
    big = ms.stacks_from(doc, "big_block")
    ms.check_eq("big_block: bytes allocated", ms.sum_metric(big, "bytes_allocated"), 4 * BIG)
    ms.check_eq("big_block: samples", ms.sum_metric(big, "allocations"), 4)
    ms.check("bytes_allocated %d within 10%% of %d" % (s["bytes_allocated"], TOTAL),
             abs(s["bytes_allocated"] - TOTAL) <= TOTAL // 10)
    # ~2,444 samples expected (Poisson: sd 50): far from the 450,004 calls
    ms.check("samples %d between 1,500 and 3,500" % s["allocations"], 1500 <= s["allocations"] <= 3500)
    ms.check_eq("every sampled block freed or leaked", s["allocations"] - s["frees"], 4)
    for fn, size, want in (("small_block", 64, 12800000), ("cross_block", 128, 12800000)):
        st = ms.stacks_from(doc, fn)
        got = ms.sum_metric(st, "bytes_allocated")
        ms.check("%s: estimate %d within 25%% of %d" % (fn, got, want), abs(got - want) <= want // 4)
        # every sample of these stacks is of one size: n samples of weight
        # w = s / (1 - exp(-s/R)), each adding w^2 exp(-s/R) to the variance
        n = ms.sum_metric(st, "allocations")
        w = round(size / -math.expm1(-size / RATE))
        se = math.sqrt(sum(x["bytes_allocated_stderr"] ** 2 for x in st))
        want_se = math.sqrt(n * w * w * math.exp(-size / RATE))
        ms.check("%s: bytes_allocated_stderr %.0f = sqrt(%d samples x w^2 exp(-s/R)) = %.0f" % (fn, se, n, want_se),
                 abs(se - want_se) <= 1e-3 * want_se + 1)
        ms.check_eq("%s: all freed, nothing leaked, no error on it" % fn,
                    sum(x["leaked_bytes_stderr"] for x in st), 0)
        # 4.5 standard errors: a false alarm once in 150,000 runs
        ms.check("%s: estimate %d within 4.5 standard errors (%.0f) of %d" % (fn, got, se, want),
                 abs(got - want) <= 4.5 * se)
    ms.check_eq("big_block: always sampled, so no error", ms.sum_metric(big, "bytes_allocated_stderr"), 0)
    ms.check_eq("summary: the leak is exact", s["leaked_bytes_stderr"], 0)
    ms.check("summary: bytes_allocated %d within 4.5 standard errors (%d) of %d"
             % (s["bytes_allocated"], s["bytes_allocated_stderr"], TOTAL),
             0 < s["bytes_allocated_stderr"] and abs(s["bytes_allocated"] - TOTAL) <= 4.5 * s["bytes_allocated_stderr"])
    ms.check("summary: peak_bytes_stderr at most bytes_allocated_stderr",
             s["peak_bytes_stderr"] <= s["bytes_allocated_stderr"])
    ms.check_eq("summary: temporary allocations unknown: 0", s["temporary_allocations"], 0)
    text = ms.run([ms.MEMSCOPE, "report", trace]).stdout.decode()
    ms.check("text: temporary allocations unknown in a sampled trace",
             "\n  temporary allocations  unknown in a sampled trace\n" in text)
    ms.check("text: no stack line counts temporaries", " temporary, " not in text)
    d = ms.tmpdir("sample-temporary")
    svg = os.path.join(d, "t.svg")
    for what, cmd in (("report --by temporary", [ms.MEMSCOPE, "report", "--by", "temporary", trace]),
                      ("flamegraph --metric temporary",
                       [ms.MEMSCOPE, "flamegraph", "--metric", "temporary", trace, "-o", svg]),
                      ("export --metric temporary",
                       [ms.MEMSCOPE, "export", "--format", "collapsed", "--metric", "temporary", trace])):
        p = ms.run(cmd)
        ms.check_one_error_line("sampled trace, %s" % what, p, want_status=1)
        ms.check("sampled trace, %s: says why" % what, b"a sampled trace does not record" in p.stderr)
    ms.check("no flame graph written", not os.path.exists(svg))
    # exports say what their figures are
    massif, pb = os.path.join(d, "t.massif"), os.path.join(d, "t.pb.gz")
    ms.run([ms.MEMSCOPE, "export", "--format", "massif", trace, "-o", massif])
    ms.run([ms.MEMSCOPE, "export", "--format", "pprof", trace, "-o", pb])
    with open(massif) as f:
        first = f.readline()
    ms.check("massif desc: sampled (%r)" % first, "(sampled, one sample per 16384 bytes on average" in first)
    with gzip.open(pb) as f:
        ms.check("pprof comment: objects count samples",
                 b"alloc_objects and inuse_objects count samples, not calls" in f.read())
    ms.check("text: bytes allocated with its 95%% interval (%r)" % [l for l in text.splitlines() if "allocated  " in l],
             re.search(r"\n  bytes allocated +[0-9.]+ MiB \+/- [0-9.]+ (KiB|MiB)\n", text) is not None)
    ms.check("text: leaked at exit, exact: +/- 0 B",
             re.search(r"\n  leaked at exit +16\.0 MiB \+/- 0 B in 4 blocks\n", text) is not None)

    # snapshots are taken but not scanned
    snap = ms.target("snap_list")
    strace, _ = ms.record([snap], "sample-snap", opts=["--sample-rate", "1K", "-q"])
    t = md.decode(strace)
    ms.check("sampled snapshots are recorded", len(t.snapshots) >= 2)
    ms.check_eq("sampled snapshots have no SCAN_END", t.tags.count(0x1D), 0)
    # the exit snapshot's live set is the leak: same estimate, same error
    # (leak_tree holds 18 blocks of 32 B at exit; at 16 B per sample
    # none is sampled once in e^36 runs)
    ltrace, _ = ms.record([ms.target("leak_tree")], "sample-leak", opts=["--sample-rate", "16", "-q"])
    snaps = json.loads(ms.run([ms.MEMSCOPE, "snapshots", "--json", ltrace]).stdout.decode())["snapshots"]
    leak = ms.ms_report(ltrace)["summary"]
    ms.check("leak_tree at 16 B: some leak sampled, with an error (%d +/- %d)"
             % (leak["leaked_bytes"], leak["leaked_bytes_stderr"]), leak["leaked_bytes_stderr"] > 0)
    ex = [x for x in snaps if x["reason"] == "exit"]
    ms.check_eq("exit snapshot: (live_bytes, live_bytes_stderr) = the summary's leak",
                ex and (ex[0]["live_bytes"], ex[0]["live_bytes_stderr"]),
                (leak["leaked_bytes"], leak["leaked_bytes_stderr"]))
    ms.check("every sampled snapshot has live_bytes_stderr", all("live_bytes_stderr" in x for x in snaps))
    text = ms.run([ms.MEMSCOPE, "snapshots", ltrace]).stdout.decode()
    ms.check("snapshots text: a +/- 95% column", "+/- 95%" in text.splitlines()[1] if len(text.splitlines()) > 1
             else False)

    d = ms.tmpdir("sample-bad")
    for bad in (["--sample-rate", "0"], ["--sample-rate", "abc"], ["--sample-rate", "4G"], ["--sample-rate"],
                ["--sample-rate", "1K", "--leak-check", "definite"]):
        p = ms.ms_run([prog], trace=os.path.join(d, "t.mst"), opts=bad)
        ms.check_one_error_line("run %s" % " ".join(bad), p)
    ms.check("no trace written for bad options", not os.path.exists(os.path.join(d, "t.mst")))


ms.main(test)
