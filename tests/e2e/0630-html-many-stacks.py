#!/usr/bin/env python3
"""The HTML report of a trace with 120,000 distinct stacks and 1,200
interval snapshots (written by ms_gen_many_stacks with the real encoders;
every figure follows from its rules, see node-html/gen_many_stacks.c) stays
small and opens: the tables, flame graphs, snapshot markers (1,000 of
1,200) and the diff view (64 snapshots, 200 stacks listed, the rest summed)
are pruned, the page says so, the heap over time is exact at every sampled
point (live bytes and RSS recomputed here), and the diff between any two
offered snapshots is exact (the allocations between them, nothing freed)."""
import bisect
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms

N = 120000
SNAPS = 1200
EVERY = N // SNAPS  # snapshot k follows allocation k * EVERY
START_TS = 1000  # tracegen.h's header: ns since the start = ts - START_TS
MAX_PAGE = 3 << 20


def size(i):
    return 16 * (1 + i % 97)


def events():
    """(ts, delta) of every allocation and free, in time order."""
    ev = [(2000 + 10 * i, size(i)) for i in range(1, N + 1)]
    ev += [(2000 + 10 * (N + i), -size(i)) for i in range(2, N + 1, 2)]
    return ev


def added(p, q):
    """Blocks and bytes allocated between snapshots p and q (ids)."""
    return (q - p) * EVERY, sum(size(i) for i in range(p * EVERY + 1, q * EVERY + 1))


def check_snapshots(doc):
    marks = doc["timeline"]["markers"]
    ms.check_eq("markers: total", doc["timeline"]["markers_total"], SNAPS)
    ms.check_eq("markers: 1000 kept", len(marks), 1000)
    ms.check_eq("markers: evenly spaced ids, first and last kept", [m["id"] for m in marks],
                [1 + i * (SNAPS - 1) // 999 for i in range(1000)])
    ms.check_eq("markers: live blocks by the rules", [m["live_blocks"] for m in marks], [m["id"] * EVERY for m in marks])
    df = doc["diff"]
    ids = [x["id"] for x in df["snapshots"]]
    ms.check_eq("diff: 64 snapshots offered, evenly spaced", ids, [1 + i * (SNAPS - 1) // 63 for i in range(64)])
    ms.check_eq("diff: snapshots_total", df["snapshots_total"], SNAPS)
    ms.check_eq("diff: stacks changed (every stack allocated after the first offered snapshot)",
                df["stacks_changed"], N - EVERY)
    ms.check_eq("diff: stacks listed", (df["stacks_listed"], len(df["rows"])), (200, 200))
    cells = [c for _, cs in df["rows"] for c in [cs[i:i + 4] for i in range(0, len(cs), 4)]]
    cells += [df["other"][i:i + 4] for i in range(0, len(df["other"]), 4)]
    bad = 0
    for a, b in ((0, 63), (0, 1), (10, 40), (62, 63)):
        blocks = sum(c[2] for c in cells if a < c[0] <= b < c[1])
        nbytes = sum(c[3] for c in cells if a < c[0] <= b < c[1])
        freed = sum(c[2] for c in cells if c[0] <= a < c[1] <= b)
        bad += (blocks, nbytes, freed) != added(ids[a], ids[b]) + (0,)
    ms.check_eq("diff: pairs whose added/freed differ from the rules", bad, 0)


def test():
    gen = os.path.join(htmllib.BUILD, "ms_gen_many_stacks")
    d = ms.tmpdir("many")
    trace = os.path.join(d, "many.mst")
    p = ms.run([gen, trace, str(N), str(SNAPS)])
    if p.returncode:
        ms.show(p, "ms_gen_many_stacks")
        raise ms.Fatal("cannot write the synthetic trace")
    total = sum(size(i) for i in range(1, N + 1))
    leaked = sum(size(i) for i in range(1, N + 1, 2))
    rep = ms.ms_report(trace, opts=["--top", "1"])
    ms.check_summary("synthetic", rep["summary"], {
        "allocations": N, "frees": N // 2, "bytes_allocated": total, "peak_bytes": total,
        "leaked_bytes": leaked, "leaked_blocks": N // 2, "truncated": False})

    page = os.path.join(d, "many.html")
    p = htmllib.run_html(trace, page)
    ms.check_eq("html: exit status", p.returncode, 0)
    n = os.path.getsize(page)
    print("report size: %d bytes for %d stacks" % (n, N))
    ms.check("html: page size %d bytes is at most %d" % (n, MAX_PAGE), n <= MAX_PAGE)
    doc, _, _ = htmllib.page_parts(page)
    ms.check_eq("data: summary equals report --json's", doc["report"]["summary"], rep["summary"])
    ms.check_eq("data: stacks_total", doc["stacks_total"], N)
    rows = len(doc["stacks"])
    listed = doc["diff"]["stacks_listed"]
    ms.check("data: %d table rows, at most 5 x %d + 50 + %d (diff)" % (rows, doc["rows_per_metric"], listed),
             0 < rows <= 5 * doc["rows_per_metric"] + 50 + listed)
    check_snapshots(doc)
    for view in ("top_down", "bottom_up"):
        for m in htmllib.METRICS:
            t = doc["flame"][view][m]
            ms.check("data: %s %s: %d nodes drawn of %d, at most %d" % (view, m, t["nodes"], t["all_nodes"],
                     doc["flame"]["max_nodes"]), t["nodes"] <= doc["flame"]["max_nodes"] and
                     len(t["v"]) == t["nodes"] and t["v"][0] == rep["summary"][htmllib.TOTAL_KEY[m]])
    t = doc["flame"]["top_down"]["peak"]
    ms.check("data: the smallest drawn peak frame is at least 0.1%% of the total (%d)" % min(t["v"]),
             min(t["v"]) * 1000 >= t["v"][0])

    # live and RSS at each point, recomputed from the generator's rules
    tl = doc["timeline"]
    ev = events()
    ts = [e[0] for e in ev]
    acc, live = 0, []
    for e in ev:
        acc += e[1]
        live.append(acc)
    ctr_ts = [2000 + 10 * i for i in range(1000, N + 1, 1000)]
    bad_live = bad_rss = 0
    for q in range(tl["points"]):
        t_abs = tl["t_ns"][q] + START_TS
        k = bisect.bisect_right(ts, t_abs)
        want = live[k - 1] if k else 0
        if q == tl["peak"]:
            want = total
        bad_live += tl["live"][q] != want
        c = bisect.bisect_right(ctr_ts, t_abs)
        want_rss = live[bisect.bisect_right(ts, ctr_ts[c - 1]) - 1] + (1 << 20) if c else None
        bad_rss += tl["rss"][q] != want_rss
    ms.check_eq("timeline: points whose live bytes differ from the rules", bad_live, 0)
    ms.check_eq("timeline: points whose RSS differs from the rules", bad_rss, 0)
    ms.check("timeline: at most 200 points + start + peak (%d)" % tl["points"], tl["points"] <= 202)

    out = htmllib.browser(page, os.path.join(d, "many.png"))
    htmllib.check_clean_page("browser", out)
    ms.check_ge("browser: chart colours (non-blank)", out["chart_colours"], 20)
    ms.check_ge("browser: flame graph colours (non-blank)", out["flame_colours"], 20)
    ms.check("browser: the page says the flame graph is pruned", "frames below 0.1% of the total are hidden" in out["text"])
    ms.check("browser: the page says the tables are pruned",
             "The trace has 120,000 distinct call stacks; the tables list" in out["text"])
    ms.check("browser: the page says the markers are pruned",
             "The trace has 1,200 snapshots; 1,000 of them, evenly spaced, are marked." in out["text"])
    ms.check("browser: the page says the diff view is pruned",
             "the diff offers 64 of them, evenly spaced" in out["text"] and
             "the 200 of the 119,900 stacks that change most between any snapshots are listed" in out["text"])
    t = (out.get("diff_default") or {}).get("total") or {}
    ms.check_eq("browser: default diff (first -> last snapshot): added, freed",
                (t.get("added_blocks"), t.get("added_bytes"), t.get("freed_blocks")), added(1, SNAPS) + (0,))
    ms.check_ge("browser: markers drawn", len(out["markers_drawn"]), 1000)


ms.main(test)
