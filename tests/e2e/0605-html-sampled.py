#!/usr/bin/env python3
"""memscope html on a sampled trace (sample_mix at 16 KiB per sample, see
0260): the data carries each stack's standard errors equal to report
--json's, and the page says the trace is sampled, shows the summary's
estimates with their 95% intervals (the exact leak with +/- 0 B), names
the allocation count a count of samples, says why there are no leak
classes, and gives every byte cell of the stack table its interval."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms

STDERR_COLS = ("peak_bytes_stderr", "leaked_bytes_stderr", "bytes_allocated_stderr")


def ci95(se):
    return int(1.959963984540054 * se + 0.5)


def size(v):
    """report.js's size(): B, then KiB.. with 2, 1 or 0 decimals."""
    units, u, x = ["B", "KiB", "MiB", "GiB", "TiB"], 0, float(v)
    while x >= 1024 and u < len(units) - 1:
        x /= 1024
        u += 1
    return "%d B" % v if u == 0 else "%.*f %s" % (2 if x < 10 else 1 if x < 100 else 0, x, units[u])


def test():
    prog = ms.target("sample_mix")
    trace, _ = ms.record([prog], "sampled", opts=["--sample-rate", "16K", "-q"])
    rep = ms.ms_report(trace)
    s = rep["summary"]
    d = ms.tmpdir("out")
    page = os.path.join(d, "sampled.html")
    p = htmllib.run_html(trace, page)
    ms.check_eq("html: exit status", p.returncode, 0)
    if p.returncode:
        ms.show(p, "html")
        raise ms.Fatal("memscope html failed")
    doc, _, _ = htmllib.page_parts(page)
    ms.check_eq("data: summary equals report --json's (with the standard errors)", doc["report"]["summary"], s)
    cols = doc["stack_columns"]
    ms.check_eq("data: the last columns are the standard errors", tuple(cols[-3:]), STDERR_COLS)
    by_id = {st["stack_id"]: st for st in rep["stacks"]}
    ms.check_eq("data: every stack is listed", sorted(r[0] for r in doc["stacks"]), sorted(by_id))
    for row in doc["stacks"]:
        st = by_id.get(row[0], {})
        ms.check_eq("data: stack %d standard errors" % row[0], [row[cols.index(c)] for c in STDERR_COLS],
                    [st.get(c) for c in STDERR_COLS])
    ms.check("some stack has a non-zero standard error", any(row[cols.index("bytes_allocated_stderr")]
                                                            for row in doc["stacks"]))

    out = htmllib.browser(page, os.path.join(d, "sampled.png"))
    htmllib.check_clean_page("browser", out)
    ms.check("banner: a sampled trace, one sample per 16.0 KiB (%r)" % out["banner"],
             "Sampled trace: one sample per 16.0 KiB allocated on average" in (out["banner"] or ""))
    cards = {c["id"]: c["text"] for c in out["cards"]}
    want_peak = "{:,} B \u00b1 {} (95%)".format(s["peak_bytes"], size(ci95(s["peak_bytes_stderr"])))
    ms.check("card-peak: %r in %r" % (want_peak, cards.get("card-peak")), want_peak in cards.get("card-peak", ""))
    ms.check_eq("summary: the leak is exact", s["leaked_bytes_stderr"], 0)
    ms.check("card-leaked: the exact leak, +/- 0 B (%r)" % cards.get("card-leaked"),
             "{:,} B \u00b1 0 B (95%)".format(s["leaked_bytes"]) in cards.get("card-leaked", ""))
    ms.check("card-temporary: unknown in a sampled trace (%r)" % cards.get("card-temporary"),
             "unknown" in cards.get("card-temporary", "").lower())
    ms.check("card-allocations: counts of samples (%r)" % cards.get("card-allocations"),
             "allocation samples" in cards.get("card-allocations", "").lower())
    ms.check("leak note: no scan because the trace is sampled (%r)" % out["leak_note"],
             out["leak_note"].startswith("A sampled trace has no heap scan"))
    # the stack table: bytes allocated of the big blocks' stack, exact
    big = ms.stacks_from(rep, "big_block")
    ms.check_eq("big_block: one stack", len(big), 1)
    if big:
        cell = "%s \u00b1 0 B" % size(big[0]["bytes_allocated"])
        ms.check("page text: big_block's %r" % cell, cell in out["text"])
    small = ms.stacks_from(rep, "small_block")
    if small:
        cell = "%s \u00b1 %s" % (size(small[0]["bytes_allocated"]), size(ci95(small[0]["bytes_allocated_stderr"])))
        ms.check("page text: small_block's bytes allocated %r" % cell, cell in out["text"])


ms.main(test)
