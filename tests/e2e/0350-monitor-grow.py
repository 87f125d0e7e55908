#!/usr/bin/env python3
"""memscope monitor -- mon_grow (1 MiB written every 100 ms for 3 s): the
verdict is growing and the slope 600 MiB/min within 5% for rss, private,
pss and heap; threads are stable. The CSV round-trips through `trend` (same
verdicts, slopes within 0.5%: the log rounds times to 1 ms), the JSONL log
has the same samples and an exit event, and the program's exit status
passes through."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import monlib as m

csv, jsonl, svg = m.tmp("grow.csv"), m.tmp("grow.jsonl"), m.tmp("grow.svg")
rc, out, err = m.memscope(["monitor", "-i", "50ms", "--csv", csv, "--jsonl", jsonl, "--svg", svg,
                           "--", m.target("mon_grow")])
m.check_eq("monitor exit status = mon_grow's (stderr: %s)" % err[-500:], rc, 0)
m.check_eq("monitor writes nothing on the program's stdout", out, "")
m.check("monitor reports the exit", "(mon_grow) exited with status 0 after" in err, err[-300:])

# The verdict table at the end, one line per counter.
final = {}
for line in err.splitlines():
    words = line.split()
    if len(words) > 3 and words[0] in ("rss", "private", "pss", "heap", "threads", "virtual"):
        final[words[0]] = line
for c in ("rss", "private", "pss", "heap", "virtual"):
    m.check("monitor's final verdict for %s is growing" % c, final.get(c, "").endswith("growing"), final.get(c))
m.check("monitor's final verdict for threads is stable", final.get("threads", "").endswith("stable"))

doc = m.trend_json(csv)
m.check_eq("trend: one process", len(doc), 1)
if doc:
    cs = doc[0]["counters"]
    m.check_eq("trend: name", doc[0]["name"], "mon_grow")
    for c in ("rss", "rss_anon", "private", "pss", "heap", "virtual"):
        m.check_eq("trend: %s verdict" % c, cs[c]["verdict"], "growing")
        # 1 MiB per 100 ms = 600 MiB/min, by construction of mon_grow.
        m.check_near("trend: %s slope per minute" % c, cs[c]["slope_per_min"], 600 * m.MIB, 0.05)
        m.check("trend: %s interval holds the slope" % c,
                cs[c]["slope_lo_per_min"] <= cs[c]["slope_per_min"] <= cs[c]["slope_hi_per_min"])
        m.check("trend: %s R2 > 0.95" % c, cs[c]["r2_ppm"] > 950000, str(cs[c]["r2_ppm"]))
    m.check_eq("trend: threads verdict", cs["threads"]["verdict"], "stable")
    m.check_eq("trend: swap verdict", cs["swap"]["verdict"], "stable")
    m.check("trend: no runtime counters without memscope's runtime", "live_bytes" not in cs)

# Round trip: trend's text on the CSV says what monitor said at its end.
rc, text, err2 = m.memscope(["trend", csv])
m.check_eq("trend text exit status (%s)" % err2.strip(), rc, 0)
for line in text.splitlines()[2:]:
    name = line.split()[0]
    if name in final:
        m.check_eq("trend text verdict of %s equals monitor's" % name, line.split()[-1], final[name].split()[-1])
# --fail-if-growing turns the verdict into an exit status for CI.
rc, _, _ = m.memscope(["trend", "--fail-if-growing", "--counters", "rss", csv])
m.check_eq("trend --fail-if-growing on a growing log", rc, 3)
rc, _, _ = m.memscope(["trend", "--fail-if-growing", "--counters", "threads", csv])
m.check_eq("trend --fail-if-growing on a stable counter", rc, 0)

rows = m.read_csv(csv)
with open(jsonl) as f:
    events = [json.loads(line) for line in f]
samples = [e for e in events if e["event"] == "sample"]
m.check_eq("jsonl has the CSV's samples", len(samples), len(rows))
m.check_eq("jsonl ends with the exit event", events[-1]["event"], "exit")
m.check_eq("jsonl exit says how", events[-1].get("how"), "exited with status 0")
for r, s in zip(rows, samples):
    if m.num(r["rss"]) != s["rss"] or m.num(r["heap"]) != s["heap"]:
        m.check("jsonl and CSV rows agree at %s s" % r["time_s"], False)
        break
# A sample taken while the program exits can find its mappings gone: its
# heap is then unknown (empty), never 0, and only the last sample can be so.
m.check("only the last sample may lack a heap figure", all(r["heap"] != "" for r in rows[:-1]),
        str([r["time_s"] for r in rows if r["heap"] == ""]))
m.check("rss of the last sample is at least 30 MiB", int(rows[-1]["rss"]) >= 30 * m.MIB, rows[-1]["rss"])
m.check("times increase", all(float(a["time_s"]) < float(b["time_s"]) for a, b in zip(rows, rows[1:])))
# mon_grow runs 3 s: 60 slots of 50 ms, and trend counts every sample
m.check_grid("samples", [float(r["time_s"]) for r in rows], 0.05, 61)
if doc:
    m.check_eq("trend counts the log's samples", doc[0]["counters"]["rss"]["samples"], len(rows))
m.check("the chart was written", os.path.getsize(svg) > 1000)
m.finish()
