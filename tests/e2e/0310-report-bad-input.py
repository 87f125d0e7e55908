#!/usr/bin/env python3
"""memscope report --json on bad traces: a missing file, an empty file, a
directory, foreign files, a newer format version, a foreign architecture,
corrupt frames: exactly one line on stderr starting with 'memscope: ' and a
non-zero exit status. A truncated trace (cut anywhere after the header) is
reported: exit 0, "truncated": true, one warning line on stderr. No input
makes report crash or print more than one line."""
import os
import random
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import mstrace

HEADER = 64


def write(d, name, data):
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def patch(data, off, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)


def expect_error(what, path, contains=None):
    p = ms.ms_report_raw(path)
    line = ms.check_one_error_line(what, p)
    ms.check_eq("%s: nothing on stdout" % what, p.stdout, b"")
    if contains:
        ms.check("%s: message mentions %r (%r)" % (what, contains, line), contains in line.lower())


def synthetic_trace():
    """A small valid trace written by hand: 3 frames, 2 threads."""
    t = mstrace.TraceWriter(pid=77)
    t.process("/usr/bin/synth", ["synth"])
    t.chunk(tid=77, base_ts=0)
    t.stack(1, [0x7000001000])
    for i in range(20):
        t.alloc(10 + 2 * i, 0x10000 + 0x100 * i, 16 + i, 1)
    t.round(100)
    t.flush()
    t.chunk(tid=78, base_ts=100)
    for i in range(10):
        t.free(110 + i, 0x10000 + 0x100 * i)
    t.round(200)
    t.flush()
    t.end(300)
    return t.bytes()


def torture(label, good, full, d):
    """Cuts and bit flips of a good trace (its report: full)."""
    # Truncated anywhere after the first complete frame: exit 0, truncated
    # true, one warning line on stderr, figures never above the full trace's.
    # Cut before the first frame is complete: the same, or one error line.
    first_end = HEADER + 8 + struct.unpack_from("<I", good, HEADER)[0]
    cuts = sorted(set([HEADER, HEADER + 1, HEADER + 8, first_end - 1, first_end, len(good) - 1] +
                      list(range(HEADER, len(good), max(1, (len(good) - HEADER) // 60)))))
    bad_cuts = []
    for cut in cuts:
        path = write(d, "cut.mst", good[:cut])
        p = ms.ms_report_raw(path)
        err = p.stderr.decode(errors="replace").splitlines()
        one_line = len(err) == 1 and err[0].startswith("memscope: ")
        if p.returncode != 0 and cut < first_end:
            ok = one_line and 0 < p.returncode < 126 and not p.stdout
        else:
            ok = p.returncode == 0 and one_line
            if ok:
                try:
                    doc = ms.parse_report(p, "cut at %d" % cut)
                    s = doc["summary"]
                    ok = s["truncated"] is True and all(
                        s[k] <= full["summary"][k] for k in ("allocations", "frees", "bytes_allocated"))
                except ms.Fatal as e:
                    print(e)
                    ok = False
        if not ok:
            bad_cuts.append(cut)
            if len(bad_cuts) <= 3:
                ms.show(p, "report of the %s trace cut at %d of %d bytes" % (label, cut, len(good)))
    ms.check_eq("%s: truncated traces (cut at %d points) reported with truncated=true, exit 0, one warning"
                % (label, len(cuts)), bad_cuts, [])

    # Bit flips anywhere in the first 400 bytes: either a report (exit 0,
    # JSON) or one error line; never a crash.
    rnd = random.Random(3)
    crashes = []
    for i in range(min(400, len(good))):
        b = bytearray(good)
        b[i] ^= 1 << rnd.randrange(8)
        path = write(d, "fuzz.mst", bytes(b))
        p = ms.ms_report_raw(path)
        err = p.stderr.decode(errors="replace").splitlines()
        if p.returncode < 0 or p.returncode >= 126 or len(err) > 1 or (p.returncode and not err):
            crashes.append((i, p.returncode, err[:2]))
        elif p.returncode == 0:
            try:
                ms.parse_report(p, "flip at %d" % i)
            except ms.Fatal as e:
                crashes.append((i, "bad json", str(e)))
    ms.check_eq("%s: single-bit flips in the first 400 bytes: no crash, at most one line on stderr" % label,
                crashes[:10], [])


def bad_inputs(label, good, d):
    expect_error("%s: header only half there" % label, write(d, "half.mst", good[:20]))
    expect_error("%s: newer version" % label, write(d, "v99.mst", patch(good, 8, "<H", 99)), contains="version")
    expect_error("%s: foreign architecture (e_machine 183, aarch64)" % label,
                 write(d, "arm.mst", patch(good, 12, "<H", 183)))
    expect_error("%s: foreign pointer size 4" % label, write(d, "p4.mst", patch(good, 14, "<B", 4)))
    expect_error("%s: header_size 0" % label, write(d, "hs0.mst", patch(good, 10, "<H", 0)))
    expect_error("%s: frame with compressed size above the limit" % label,
                 write(d, "huge.mst", patch(good, HEADER, "<I", 0xFFFFFFF0)))
    expect_error("%s: frame with raw size above the limit" % label,
                 write(d, "hugeraw.mst", patch(good, HEADER + 4, "<I", 0xFFFFFFF0)))
    # flip a byte inside the first frame's zstd data (content checksum on)
    csize = struct.unpack_from("<I", good, HEADER)[0]
    bad = bytearray(good)
    bad[HEADER + 8 + csize // 2] ^= 0xFF
    expect_error("%s: corrupt zstd data in the first frame" % label, write(d, "flip.mst", bytes(bad)))


def test():
    d = ms.tmpdir("bad")
    expect_error("missing file", os.path.join(d, "nope.mst"))
    expect_error("empty file", write(d, "empty.mst", b""))
    expect_error("a directory", d)
    expect_error("foreign: an ELF file", write(d, "elf.mst", open("/bin/true", "rb").read()))
    expect_error("foreign: a text file", write(d, "text.mst", b"hello world\n" * 20))
    expect_error("foreign: random bytes",
                 write(d, "rnd.mst", bytes(random.Random(1).getrandbits(8) for _ in range(4096))))
    p = ms.run([ms.MEMSCOPE, "report", "--json", "--frobnicate", write(d, "x.mst", b"")])
    ms.check_one_error_line("report: unknown option", p)
    p = ms.run([ms.MEMSCOPE, "report", "--json"])
    ms.check_one_error_line("report: no trace given", p)

    synth = synthetic_trace()
    path = write(d, "synth-good.mst", synth)
    full = ms.ms_report(path)
    ms.check_summary("synthetic", full["summary"], {"allocations": 20, "frees": 10, "truncated": False})
    bad_inputs("synthetic", synth, d)
    torture("synthetic", synth, full, d)

    # The same on a trace the runtime wrote.
    trace, _ = ms.record([ms.target("basic")], "report-good")
    good = open(trace, "rb").read()
    full = ms.ms_report(trace)
    ms.check_eq("basic trace: truncated", full["summary"]["truncated"], False)
    ms.check_eq("basic trace: header magic", good[:8], b"MEMSCOPE")
    bad_inputs("basic", good, d)
    torture("basic", good, full, d)


ms.main(test)
