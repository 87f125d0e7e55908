#!/usr/bin/env python3
"""memscope html on a program whose heap is known (node-html/html_demo.c):
the page is one self-contained file whose embedded data matches report
--json exactly (summary, per-stack figures, flame graph totals, the
timeline's peak and the stacks live at it), and in headless Chromium it
loads without console errors or network requests, shows the exact summary
numbers, draws the chart and the flame graph (non-blank screenshots), lists
what was live at a clicked moment, and zooms a clicked flame graph frame to
the full width."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms

KNOWN = {"peak_bytes": 3 * 1024 * 1024, "leaked_bytes": 5000, "leaked_blocks": 5, "allocations": 5029}


def check_data(doc, rep):
    s = rep["summary"]
    ms.check_eq("data: summary equals report --json's", doc["report"]["summary"], s)
    ms.check_eq("data: stacks_total", doc["stacks_total"], len(rep["stacks"]))
    cols = doc["stack_columns"]
    by_id = {st["stack_id"]: st for st in rep["stacks"]}
    ms.check_eq("data: every stack is listed (few stacks)", sorted(r[0] for r in doc["stacks"]), sorted(by_id))
    for row in doc["stacks"]:
        st = by_id.get(row[0], {})
        got = {c: row[i] for i, c in enumerate(cols) if c not in ("stack_id", "frames")}
        want = {c: st.get(c) for c in got}
        ms.check_eq("data: stack %d figures" % row[0], got, want)
        ms.check_eq("data: stack %d functions" % row[0], [doc["frames"][i][0] for i in row[1]],
                    [f["function"] for f in st.get("frames", [])])
    for view in ("top_down", "bottom_up"):
        for m in htmllib.METRICS:
            t = doc["flame"][view][m]
            ms.check_eq("data: %s %s root equals the summary" % (view, m), t["v"][0], s[htmllib.TOTAL_KEY[m]])
            ms.check("data: %s %s parents precede children" % (view, m),
                     all(0 <= p < i for i, p in enumerate(t["p"]) if i))
    tl = doc["timeline"]
    p = tl["peak"]
    ms.check_eq("timeline: live at the peak point", tl["live"][p], s["peak_bytes"])
    ms.check_eq("timeline: peak time", tl["t_ns"][p], s["peak_time_ns"])
    ms.check_eq("timeline: the maximum is the peak", max(tl["live"]), s["peak_bytes"])
    ms.check("timeline: times ascend", all(a <= b for a, b in zip(tl["t_ns"], tl["t_ns"][1:])))
    ms.check_eq("timeline: ends with the leaked bytes", tl["live"][-1], s["leaked_bytes"])
    k = len(tl["stack_rows"])
    for i, r in enumerate(tl["stack_rows"]):
        row = doc["stacks"][r]
        ms.check_eq("timeline: stack %d at the peak equals its peak_bytes" % row[0],
                    tl["by_stack"][p * k + i], row[cols.index("peak_bytes")])
    ok = all(sum(tl["by_stack"][q * k:(q + 1) * k]) + tl["other"][q] == tl["live"][q] for q in range(tl["points"]))
    ms.check("timeline: tracked stacks + other = live at every point", ok)


def test():
    exe = htmllib.demo_program()
    trace, _ = ms.record([exe], "demo")
    rep = ms.ms_report(trace)
    ms.check_summary("demo (known figures)", rep["summary"], KNOWN)
    d = ms.tmpdir("out")
    page = os.path.join(d, "demo.html")
    p = htmllib.run_html(trace, page)
    ms.check_eq("html: exit status", p.returncode, 0)
    ms.check_eq("html: stderr", p.stderr.decode(), "")
    if p.returncode:
        ms.show(p, "html")
        raise ms.Fatal("memscope html failed")
    size = os.path.getsize(page)
    print("report size: %d bytes" % size)
    doc, scripts, links = htmllib.page_parts(page)
    ms.check_eq("page: no src/href to fetch", links, [])
    ms.check_eq("page: inline scripts (data, d3, flame graph, uPlot, report)", len(scripts), 5)
    check_data(doc, rep)

    out = htmllib.browser(page, os.path.join(d, "demo.png"))
    htmllib.check_clean_page("browser", out)
    s = rep["summary"]
    cards = {c["id"]: c for c in out["cards"]}
    for cid, key in (("card-peak", "peak_bytes"), ("card-leaked", "leaked_bytes"), ("card-allocations", "allocations"),
                     ("card-temporary", "temporary_allocations"), ("card-time", "wall_time_ns"),
                     ("card-rss", "peak_rss_bytes")):
        c = cards.get(cid, {})
        ms.check_eq("card %s: data-value" % cid, c.get("value"), str(s[key]))
        ms.check("card %s shows %s exactly (%r)" % (cid, "{:,}".format(s[key]), c.get("text")),
                 "{:,}".format(s[key]) in c.get("text", ""))
    ms.check_eq("browser: no banner", out["banner"], None)
    ms.check_ge("browser: chart colours (non-blank)", out["chart_colours"], 20)
    ms.check_ge("browser: flame graph colours (non-blank)", out["flame_colours"], 20)
    ms.check_ge("browser: flame graph frames", out["flame_frames"], 8)
    ms.check_eq("browser: stack table rows", out["stack_rows"], len(rep["stacks"]))
    ms.check_eq("browser: leak table rows", out["leak_rows"], len([x for x in rep["stacks"] if x["leaked_bytes"]]))
    ms.check("browser: the moment panel lists the stacks live at the peak (%d rows)" % out["moment_rows"],
             out["moment_rows"] >= 2)
    ms.check("browser: a click on the chart shows another moment (%r -> %r)"
             % (out.get("moment_before"), out.get("moment_after_click")),
             (out.get("moment_after_click") or "").startswith("At ") and
             out.get("moment_after_click") != out.get("moment_before"))
    ms.check_eq("browser: the exit snapshot is marked", [(m["id"], m["label"]) for m in out["markers_drawn"]],
                [(m["id"], m["label"]) for m in rep["summary"]["snapshots"]])
    htmllib.check_flame_zoom("browser: flame zoom", out, 1400 - 2 * 24)
    for fn in ("load_index", "load_cache", "alloc_block"):
        ms.check("browser: page text names %s" % fn, fn in out["text"])


ms.main(test)
