"""Helpers of the watch-side e2e tests (ps, monitor, trend, plot): running
memscope, reading /proc the way the kernel documents it, decoding a PNG.
Standard library only. Every check records a failure and the test goes on;
finish() exits 1 when any check failed."""
import json
import math
import os
import shutil
import subprocess
import sys
import zlib

MEMSCOPE = os.environ["MEMSCOPE"]
TARGETS = os.environ["MS_TARGETS"]
TMP = os.environ["MS_TMP"]
MIB = 1024 * 1024
failures = []

shutil.rmtree(TMP, ignore_errors=True)
os.makedirs(TMP, exist_ok=True)


def tmp(name):
    return os.path.join(TMP, name)


def target(name):
    return os.path.join(TARGETS, name)


def check(what, ok, detail=""):
    if not ok:
        failures.append(what)
        print("FAIL: %s%s" % (what, (": " + detail) if detail else ""), file=sys.stderr)


def check_eq(what, got, want):
    check(what, got == want, "got %r, want %r" % (got, want))


def check_near(what, got, want, rel):
    check(what, abs(got - want) <= rel * abs(want), "got %r, want %r within %g%%" % (got, want, rel * 100))


def check_grid(what, times, interval, slots):
    """Sample times (s) on monitor's grid of absolute deadlines
    (cmd_monitor.c): a tick is taken at or after its deadline, and one that
    comes late skips the slots it missed instead of bunching up, so no two
    samples share an interval-long slot and there are at most `slots` of
    them. How many slots a loaded machine skips is its own affair: a count
    that must be about `slots` failed under `ctest -j3` on 2 cores (42 of
    60), so the floor is a quarter. The last sample may be the one taken
    when the program exits, off the grid."""
    tol = 0.0005  # the logs round times to 1 ms
    grid = times[:-1]
    bunched = [(a, b) for a, b in zip(grid, grid[1:])
               if math.floor((b + tol) / interval) <= math.floor((a - tol) / interval)]
    check("%s: no two samples in one slot of %g s" % (what, interval), not bunched, str(bunched[:3]))
    check("%s: at most one sample per slot (%d slots)" % (what, slots), len(times) <= slots + 1, str(len(times)))
    check("%s: at least a quarter of the %d slots sampled" % (what, slots), len(times) >= slots // 4,
          str(len(times)))


def memscope(args, stdin=None, input_bytes=None):
    """Runs memscope; returns (exit status, stdout, stderr) as text."""
    p = subprocess.run([MEMSCOPE] + args, input=input_bytes, stdin=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def trend_json(csv):
    rc, out, err = memscope(["trend", "--json", csv])
    check_eq("trend %s exit status (stderr: %s)" % (csv, err.strip()), rc, 0)
    return json.loads(out) if rc == 0 else []


def read_csv(path):
    with open(path) as f:
        lines = f.read().splitlines()
    head = lines[0].split(",")
    return [dict(zip(head, line.split(","))) for line in lines[1:]]


def num(cell):
    """A CSV cell as an int; an empty cell (the counter could not be read
    for that sample) as None, which is what the JSONL log writes."""
    return int(cell) if cell != "" else None


def proc_kib(pid, fname, key):
    with open("/proc/%d/%s" % (pid, fname)) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def proc_heap(pid):
    """[heap] plus private writable anonymous mappings, from maps."""
    total = 0
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            path = parts[5].strip() if len(parts) > 5 else ""
            perms = parts[1]
            if path == "[heap]" or (perms[1] == "w" and perms[3] == "p" and (path == "" or path.startswith("[anon:"))):
                total += hi - lo
    return total


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA non-interlaced PNG (what Chromium writes):
    returns (width, height, list of rows of pixel tuples)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            depth, ctype, interlace = body[8], body[9], body[12]
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def finish():
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("ok")
