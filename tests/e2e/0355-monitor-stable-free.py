#!/usr/bin/env python3
"""monitor on a stable program (mon_stable: 8 MiB held still) and on one
that grows 10 MiB in 1 s, holds it 0.3 s, then frees it all and holds
still for 4 s (mon_grow_free): both end stable, with |slope| under 1 MiB/min; the second
was growing first, and its chart marks the change. The started program's
stdin, stdout and exit status pass through."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import monlib as m

csv = m.tmp("stable.csv")
rc, out, err = m.memscope(["monitor", "-q", "-i", "50ms", "--csv", csv, "--", m.target("mon_stable"), "3", "7"])
m.check_eq("exit status 7 of mon_stable passes through (stderr: %s)" % err[-300:], rc, 7)
m.check_eq("the program's stdout is its own", out, "ready\n")
m.check("the exit is reported", "exited with status 7" in err, err[-300:])
doc = m.trend_json(csv)
if doc:
    cs = doc[0]["counters"]
    for c in ("rss", "private", "pss", "heap", "virtual", "threads"):
        m.check_eq("mon_stable: %s verdict" % c, cs[c]["verdict"], "stable")
    for c in ("rss", "private", "heap"):
        m.check("mon_stable: |%s slope| < 1 MiB/min" % c, abs(cs[c]["slope_per_min"]) < m.MIB,
                str(cs[c]["slope_per_min"]))
    m.check_eq("mon_stable: 2 threads at the end", cs["threads"]["last"], 2)
    m.check("mon_stable: rss holds the 8 MiB", cs["rss"]["last"] >= 8 * m.MIB, str(cs["rss"]["last"]))

csv, svg = m.tmp("free.csv"), m.tmp("free.svg")
rc, out, err = m.memscope(["monitor", "-q", "-i", "50ms", "--csv", csv, "--", m.target("mon_grow_free")])
m.check_eq("mon_grow_free exit status (stderr: %s)" % err[-300:], rc, 0)
doc = m.trend_json(csv)
if doc:
    cs = doc[0]["counters"]
    for c in ("rss", "private", "heap"):
        m.check_eq("mon_grow_free: %s verdict" % c, cs[c]["verdict"], "stable")
        m.check("mon_grow_free: |%s slope| < 1 MiB/min" % c, abs(cs[c]["slope_per_min"]) < m.MIB,
                str(cs[c]["slope_per_min"]))
rows = m.read_csv(csv)
peak = max(int(r["rss"]) for r in rows)
m.check("mon_grow_free: rss peaked 10 MiB above its end", peak - int(rows[-1]["rss"]) >= 9 * m.MIB,
        "peak %d, end %s" % (peak, rows[-1]["rss"]))
# The verdict changed: growing during the first second, stable at the end.
rc, _, err = m.memscope(["plot", csv, "-o", svg, "--counters", "rss"])
m.check_eq("plot exit status (%s)" % err.strip(), rc, 0)
with open(svg) as f:
    text = f.read()
m.check("the chart marks 'growing'", ">growing</text>" in text)
m.check("the chart marks 'stable' after it", text.find(">stable</text>") > text.find(">growing</text>") > 0)

# stdin passes through to the program, untouched.
rc, out, err = m.memscope(["monitor", "-q", "-i", "10ms", "--", "cat"], input_bytes=b"line one\nline two\n")
m.check_eq("cat under monitor: exit status (%s)" % err.strip()[-200:], rc, 0)
m.check_eq("cat under monitor: stdin reaches it, stdout is its own", out, "line one\nline two\n")
# Death by a signal passes through as the same signal.
rc, out, err = m.memscope(["monitor", "-q", "--", "sh", "-c", "kill -USR1 $$"])
m.check_eq("a program killed by SIGUSR1: memscope dies of SIGUSR1", rc, -10)
m.check("and says so", "killed by signal 10" in err, err[-200:])
# --duration ends a program that runs longer, as timeout(1) does.
rc, out, err = m.memscope(["monitor", "-q", "-i", "50ms", "-d", "1s", "--", m.target("mon_stable"), "30"])
m.check_eq("--duration 1s on a 30 s program: SIGTERM passes through", rc, -15)
m.check("the verdicts are printed", "too short to tell" in err or "stable" in err, err[-300:])
m.finish()
