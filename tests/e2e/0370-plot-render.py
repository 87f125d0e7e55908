#!/usr/bin/env python3
"""memscope plot: the SVG of a monitor log is well-formed XML with a line,
a trend line, a legend and axes in human units, and headless Chromium
renders it to a PNG that is not blank (many colours, the line's blue among
them, ink across the plot area)."""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import monlib as m

csv, svg, png = m.tmp("grow.csv"), m.tmp("grow.svg"), m.tmp("grow.png")
rc, _, err = m.memscope(["monitor", "-q", "-i", "50ms", "--csv", csv, "--", m.target("mon_grow"), "20"])
m.check_eq("monitor exit status (%s)" % err.strip()[-200:], rc, 0)
rc, out, err = m.memscope(["plot", csv, "-o", svg])
m.check_eq("plot exit status (%s)" % err.strip(), rc, 0)

NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(svg).getroot()  # raises on malformed XML
m.check_eq("root element", root.tag, NS + "svg")
texts = [t.text or "" for t in root.iter(NS + "text")]
lines = list(root.iter(NS + "polyline"))
m.check_eq("one line per default counter (rss, private, heap)", len(lines), 3)
m.check("a line has the samples", all(len(l.get("points").split()) >= 30 for l in lines))
m.check("dashed trend lines", sum(1 for l in root.iter(NS + "line") if l.get("stroke-dasharray")) >= 3)
m.check("y axis in MiB", any(t.endswith(" MiB") for t in texts), str(texts[:20]))
m.check("x axis in seconds", any(t.endswith(" s") for t in texts))
for name in ("rss", "private", "heap"):
    m.check("legend names %s" % name, name in texts)
m.check("legend gives the verdict and the slope", any(t.startswith(", +") and t.endswith("MiB/min") for t in
                                                    ["".join(e.itertext())[7:] for e in root.iter(NS + "text")
                                                     if "".join(e.itertext()).startswith("growing")]))
m.check("a verdict-change marker", len(list(root.iter(NS + "circle"))) >= 2)

# Bad output path: one line, non-zero.
rc, _, err = m.memscope(["plot", csv, "-o", "/no/such/dir/x.svg"])
m.check_eq("plot to a missing directory fails", rc, 1)
m.check_eq("with one line", err, "memscope: cannot write '/no/such/dir/x.svg': No such file or directory\n")

chromium = shutil.which("chromium") or shutil.which("chromium-browser")
m.check("chromium is installed (scripts/install-deps.sh test)", chromium is not None)
if chromium:
    profile = tempfile.mkdtemp(dir=m.TMP)
    p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1000,600",
                        "file://" + svg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m.check_eq("chromium renders the SVG (%s)" % p.stderr.decode(errors="replace")[-300:], p.returncode, 0)
    if os.path.exists(png):
        w, h, rows = m.png_pixels(png)
        m.check_eq("PNG size", (w, h), (1000, 600))
        colours = {px for row in rows for px in row}
        m.check("the picture is not blank: > 50 colours", len(colours) > 50, str(len(colours)))
        # The rss line's blue (#1f77b4) is drawn (anti-aliasing keeps the core exact).
        m.check("the rss line is drawn", (0x1f, 0x77, 0xb4) in colours)
        # Ink inside the plot area (x 90..720, y 70..490): the lines cross it.
        inked = sum(1 for y in range(75, 485, 5) for x in range(95, 715, 5) if rows[y][x] != (255, 255, 255))
        m.check("ink inside the plot area", inked > 200, str(inked))
m.finish()
