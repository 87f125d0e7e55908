#!/usr/bin/env python3
"""The HTML report's snapshots, leak classes, retention paths and diff view,
on targets whose figures are known (and checked by 0700, 0800, 0810, 0820):

- snap_list: snapshots "built" (376 B in 9 blocks), "freed" (216 B in 4)
  and the exit one (128 B in 2): the data's markers equal report --json's
  snapshots, the chart draws a labelled line for each, hovering one shows
  its name, live bytes and blocks, clicking it fills the snapshot panel;
  the diff built -> freed frees the 5 list nodes (160 B) and adds nothing;
- diff_grow: the diff before -> after, picked in the two selects, shows
  exactly +100 blocks / +4,800 B, all on grow_list's stack, nothing freed,
  and every changed stack equals `memscope diff --json TRACE 1 2`;
- leak_list: the class card, the class table and each stack's class cells
  equal report --json and valgrind memcheck (definitely lost 48 B in 1,
  indirectly 144 B in 3, still reachable 240 B in 5), and each retention
  path is the text `memscope why --stack ID TRACE` prints;
- retain_map: the entries' path g_map -> map_new -> alloc_buckets ->
  entry_new, as `memscope why` prints it;
- sigkill (killed: no exit scan): the page says only "live at exit" is
  known, and the diff view says a diff needs two snapshots.
Every page loads without console errors and draws a non-blank chart
(screenshots checked for colours, as 0600)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms

CLASS_KEYS = (("definite", "definitely_lost"), ("indirect", "indirectly_lost"), ("possible", "possibly_lost"),
              ("reachable", "reachable"))


def page_of(name, trace, pairs=""):
    """memscope html on trace, then the browser's findings (with the diff
    view's snapshot pairs picked) and the data document."""
    d = ms.tmpdir("page-" + name)
    page = os.path.join(d, name + ".html")
    p = htmllib.run_html(trace, page)
    ms.check_eq("%s: html exit status" % name, p.returncode, 0)
    if p.returncode:
        ms.show(p, "html")
        raise ms.Fatal("memscope html failed on %s" % name)
    doc, _, _ = htmllib.page_parts(page)
    os.environ["MS_DIFF_PAIRS"] = pairs
    os.environ["MS_FULL_PAGE"] = "1"
    out = htmllib.browser(page, os.path.join(d, name + ".png"))
    htmllib.check_clean_page("%s: browser" % name, out)
    ms.check_ge("%s: chart colours (non-blank)" % name, out["chart_colours"], 20)
    ms.check_ge("%s: flame graph colours (non-blank)" % name, out["flame_colours"], 20)
    shot = os.path.join(d, name + ".png")
    ms.check("%s: full-page screenshot written (%d bytes)" % (name, os.path.getsize(shot) if os.path.exists(shot) else 0),
             os.path.exists(shot) and os.path.getsize(shot) > 10000)
    return doc, out


def run_json(args):
    cmd = [ms.MEMSCOPE] + args
    print("$ %s" % " ".join(cmd))
    p = ms.run(cmd)
    if p.returncode:
        ms.show(p, args[0])
        raise ms.Fatal("memscope %s exited with %d" % (args[0], p.returncode))
    return p.stdout.decode()


def check_snap_list():
    trace, _ = ms.record([ms.target("snap_list")], "snap_list")
    rep = ms.ms_report(trace)
    doc, out = page_of("snap_list", trace, "1:2")
    known = [(1, "built", "api", 376, 9), (2, "freed", "api", 216, 4), (3, "exit", "exit", 128, 2)]
    marks = doc["timeline"]["markers"]
    ms.check_eq("snap_list: data markers equal report --json's snapshots", marks, rep["summary"]["snapshots"])
    ms.check_eq("snap_list: markers (id, label, reason, live bytes, blocks)",
                [(m["id"], m["label"], m["reason"], m["live_bytes"], m["live_blocks"]) for m in marks], known)
    ms.check_eq("snap_list: markers_total", doc["timeline"]["markers_total"], 3)
    ms.check_eq("snap_list: drawn markers (id, label, labelled)",
                [(m["id"], m["label"], m["labelled"]) for m in out["markers_drawn"]],
                [(k[0], k[1], True) for k in known])
    xs = [m["x"] for m in out["markers_drawn"]]
    ms.check("snap_list: marker lines left to right in time order (%r)" % xs, xs == sorted(xs) and len(set(xs)) == 3)
    ms.check_eq("snap_list: the list under the chart",
                [(m["id"], m["label"], m["reason"]) for m in out["marker_list"]], [k[:3] for k in known])
    for (sid, label, reason, nbytes, nblocks), h in zip(known, out["marker_hover"]):
        want = 'snapshot %d "%s" (%s) at ' % (sid, label, reason)
        tail = ": %d B live in %d blocks" % (nbytes, nblocks)
        tip = h.get("tip") or ""
        ms.check("snap_list: hovering marker %d shows %r ... %r (%r)" % (sid, want, tail, tip),
                 tip.startswith(want) and tail in tip)
        info = h.get("info") or {}
        ms.check("snap_list: clicking marker %d fills the panel (%r)" % (sid, info),
                 info.get("id") == sid and (info.get("text") or "").startswith(want) and tail in info.get("text", ""))
    ms.check_eq("snap_list: the peak is still marked", doc["timeline"]["live"][doc["timeline"]["peak"]],
                rep["summary"]["peak_bytes"])
    ms.check("snap_list: a click on the chart shows another moment (%r -> %r)"
             % (out.get("moment_before"), out.get("moment_after_click")),
             (out.get("moment_after_click") or "").startswith("At ") and out.get("moment_after_click") != out.get("moment_before"))

    # the diff view: defaults first -> last; built -> freed frees the list
    ms.check_eq("snap_list: diff snapshots", out.get("diff_snapshots"), [1, 2, 3])
    dd = out.get("diff_default") or {}
    ms.check_eq("snap_list: diff defaults (first, last)", (dd.get("a"), dd.get("b")), (0, 2))
    ms.check_eq("snap_list: default diff live (before, after)",
                ((dd.get("total") or {}).get("a_bytes"), (dd.get("total") or {}).get("b_bytes")), (376, 128))
    d12 = out["diff_pairs"].get("1:2") or {}
    t = d12.get("total") or {}
    ms.check_eq("snap_list: built -> freed (added, freed, net)",
                (t.get("added_blocks"), t.get("added_bytes"), t.get("freed_blocks"), t.get("freed_bytes"),
                 t.get("net_bytes")), (0, 0, 5, 160, -160))
    ms.check_eq("snap_list: built -> freed changed stacks",
                [(r["function"], r["freed_blocks"], r["freed_bytes"]) for r in d12.get("rows", [])], [("build", 5, 160)])


def diff_rows_of(cli):
    return sorted((g["stack_id"], g["added_blocks"], g["added_bytes"], g["freed_blocks"], g["freed_bytes"], g["net_bytes"])
                  for g in cli["groups"] if g["added_blocks"] or g["freed_blocks"])


def check_diff_grow():
    trace, _ = ms.record([ms.target("diff_grow")], "diff_grow")
    doc, out = page_of("diff_grow", trace, "1:2,2:1")
    ms.check_eq("diff_grow: markers", [(m["id"], m["label"]) for m in doc["timeline"]["markers"]],
                [(1, "before"), (2, "after"), (3, "exit")])
    d = out["diff_pairs"].get("1:2") or {}
    t = d.get("total") or {}
    ms.check_eq("diff_grow: before -> after: +blocks, +bytes, freed, net",
                (t.get("added_blocks"), t.get("added_bytes"), t.get("freed_blocks"), t.get("net_bytes")), (100, 4800, 0, 4800))
    ms.check_eq("diff_grow: live before, after", ((t.get("a_blocks"), t.get("a_bytes")), (t.get("b_blocks"), t.get("b_bytes"))),
                ((1, 500), (101, 5300)))
    ms.check("diff_grow: the page says +100 blocks (+4,800 B) added (%r)" % d.get("summary"),
             "+100 blocks (+4,800 B) added, 0 blocks (0 B) freed, net +4,800 B" in (d.get("summary") or ""))
    rows = d.get("rows", [])
    ms.check_eq("diff_grow: changed stacks on the page", [(r["function"], r["added_blocks"], r["added_bytes"]) for r in rows],
                [("grow_list", 100, 4800)])
    cli = json.loads(run_json(["diff", "--json", trace, "1", "2"]))
    ms.check_eq("diff_grow: the page's changed stacks equal memscope diff --json's",
                sorted((r["stack_id"], r["added_blocks"], r["added_bytes"], r["freed_blocks"], r["freed_bytes"], r["net"])
                       for r in rows), diff_rows_of(cli))
    ms.check_eq("diff_grow: the page's totals equal memscope diff --json's",
                (t.get("added_blocks"), t.get("added_bytes"), t.get("freed_blocks"), t.get("freed_bytes"), t.get("net_bytes"),
                 t.get("a_blocks"), t.get("a_bytes"), t.get("b_blocks"), t.get("b_bytes")),
                tuple(cli["total"][k] for k in ("added_blocks", "added_bytes", "freed_blocks", "freed_bytes", "net_bytes",
                                                "before_blocks", "before_bytes", "after_blocks", "after_bytes")))
    back = (out["diff_pairs"].get("2:1") or {}).get("total") or {}
    ms.check_eq("diff_grow: after -> before frees the 100 nodes",
                (back.get("added_blocks"), back.get("freed_blocks"), back.get("freed_bytes"), back.get("net_bytes")),
                (0, 100, 4800, -4800))


def check_classes(name, rep, vg, out, known):
    s = rep["summary"]
    card = {r["class"]: (r["bytes"], r["blocks"]) for r in out["class_card"]}
    table = {r["class"]: (r["bytes"], r["blocks"]) for r in out["leak_classes"]}
    for key, jk in CLASS_KEYS:
        want = (s[jk + "_bytes"], s[jk + "_blocks"])
        ms.check_eq("%s: card %s equals report --json" % (name, key), card.get(key), want)
        ms.check_eq("%s: class table %s equals report --json" % (name, key), table.get(key), want)
        ms.check_eq("%s: %s equals valgrind memcheck" % (name, key), table.get(key),
                    (vg.get(jk + "_bytes"), vg.get(jk + "_blocks")))
        if key in known:
            ms.check_eq("%s: %s by construction" % (name, key), table.get(key), known[key])
    by_id = {st["stack_id"]: st for st in rep["stacks"]}
    ms.check_eq("%s: leak table rows" % name, sorted(r["stack_id"] for r in out["leak_stacks"]),
                sorted(i for i, st in by_id.items() if st["leaked_blocks"]))
    for r in out["leak_stacks"]:
        st = by_id.get(r["stack_id"], {})
        ms.check_eq("%s: stack %d classes on the page equal report --json" % (name, r["stack_id"]), r["classes"],
                    {k: [st.get(jk + "_bytes"), st.get(jk + "_blocks")] for k, jk in CLASS_KEYS})


def check_paths(name, trace, out, want_n):
    ms.check_eq("%s: retention paths shown" % name, len(out["paths"]), want_n)
    for p in out["paths"]:
        why = run_json(["why", "--stack", str(p["stack_id"]), trace]).rstrip("\n")
        ms.check_eq("%s: path of stack %d is what memscope why prints" % (name, p["stack_id"]), p["text"], why)
    return {p["stack_id"]: p["text"] for p in out["paths"]}


def check_leak_list():
    prog = ms.target("leak_list")
    trace, _ = ms.record([prog], "leak_list")
    rep = ms.ms_report(trace)
    vg, _, _ = ms.memcheck([prog], "leak_list")
    doc, out = page_of("leak_list", trace)
    ms.check_eq("leak_list: data leaks.scan", doc["leaks"]["scan"], True)
    check_classes("leak_list", rep, vg, out, {"definite": (48, 1), "indirect": (144, 3), "possible": (0, 0),
                                              "reachable": (240, 5)})
    texts = check_paths("leak_list", trace, out, len(doc["leaks"]["paths"]))
    ms.check_eq("leak_list: paths for both lists' stacks", len(texts), 2)
    kept = [t for t in texts.values() if "global kept_list+0 (leak_list)" in t]
    ms.check("leak_list: the reachable list's path starts at the global kept_list", len(kept) == 1 and
             "still reachable, retains 240 B" in kept[0] and "kept alive by (1 hop):" in kept[0])
    ms.check_eq("leak_list: one diff needs two snapshots", doc["diff"], None)
    ms.check("leak_list: the diff view says it needs two snapshots (%r)" % out.get("diff_summary"),
             "a diff needs two" in (out.get("diff_summary") or ""))


def check_retain_map():
    prog = ms.target("retain_map")
    trace, _ = ms.record([prog], "retain_map")
    doc, out = page_of("retain_map", trace)
    texts = check_paths("retain_map", trace, out, len([p for p in doc["leaks"]["paths"]]))
    chain = [t for t in texts.values() if "kept alive by (3 hops):" in t]
    ms.check("retain_map: an entry's path g_map -> map_new -> alloc_buckets -> entry_new is shown", len(chain) == 1)
    if chain:
        lines = chain[0].split("\n")
        hops = [ln for ln in lines if ln.startswith("    -> ") or ln.startswith("    global")]
        ms.check_eq("retain_map: hops", [h.split(" allocated in ")[-1].split(" ")[0] if "->" in h else h.strip()
                                         for h in hops],
                    ["global g_map+0 (retain_map)", "map_new", "alloc_buckets", "entry_new"])


def check_no_scan():
    trace, _ = ms.record([ms.target("sigkill")], "sigkill", want_status=-9)  # run dies by the same signal
    d = ms.tmpdir("page-sigkill")
    page = os.path.join(d, "sigkill.html")
    p = htmllib.run_html(trace, page)
    ms.check_eq("sigkill: html exit status", p.returncode, 0)
    doc, _, _ = htmllib.page_parts(page)
    ms.check_eq("sigkill: data leaks", doc["leaks"], {"scan": False, "paths_top": 20, "paths": []})
    os.environ["MS_DIFF_PAIRS"] = ""
    out = htmllib.browser(page, os.path.join(d, "sigkill.png"))
    htmllib.check_clean_page("sigkill: browser", out)
    cards = {c["id"]: c for c in out["cards"]}
    ms.check("sigkill: the class card says there is no exit scan (%r)" % cards.get("card-classes"),
             "no exit scan" in cards.get("card-classes", {}).get("text", ""))
    ms.check("sigkill: the page says only the blocks live at exit are known (%r)" % out.get("leak_note"),
             "no heap scan at exit" in out.get("leak_note", "") and "only the blocks live at exit are known" in out.get("leak_note", ""))
    ms.check_eq("sigkill: no class table, no paths", (out["leak_classes"], out["paths"]), ([], []))
    ms.check_eq("sigkill: the leak table still lists the stack of the 7 live blocks", len(out["leak_stacks"]), 1)


def test():
    check_snap_list()
    check_diff_grow()
    check_leak_list()
    check_retain_map()
    check_no_scan()


ms.main(test)
