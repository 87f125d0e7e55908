"""A small reader of memscope traces for tests (src/trace/format.h), python3
standard library plus the zstd command-line tool. It decodes every record,
replays allocations, and collects snapshots with their scan records, so a
test can check the runtime's snapshot records at the trace level.

    t = decode(path)
    t.snapshots   # list of Snapshot: id, reason, label, live_blocks,
                  # live_bytes, replay_blocks/bytes (the live set the
                  # events before it give), roots, edges, types, end
    t.events      # list of (tid, weight, stack_id) of MS_REC_EVENT
    t.modules     # id -> (bias, path, [(vaddr, memsz, flags)])
    t.stamps      # (tid, ts) of every ALLOC, FREE and REALLOC, in file order
    t.late        # how many of them came after a ROUND(W) with ts < W
    t.round_chunks  # per writer round (CLOCK_SYNC starts one): (tid, base_ts)
                    # of its chunks, in file order
"""

import itertools
import struct
import subprocess

STOP_PTRACE, STOP_SIGNAL = 1, 2
SNAP_API, SNAP_SOCKET, SNAP_INTERVAL, SNAP_PEAK, SNAP_EXIT = 1, 2, 3, 4, 5
ROOT_MODULE, ROOT_STACK, ROOT_REGISTER, ROOT_TLS, ROOT_OTHER = 1, 2, 3, 4, 5


class Snapshot:
    def __init__(self, ts, sid, reason, label, live_blocks, live_bytes, live):
        self.ts, self.id, self.reason, self.label = ts, sid, reason, label
        self.live_blocks, self.live_bytes = live_blocks, live_bytes
        self.live = dict(live)  # addr -> size, replayed from the events before it
        self.roots = []   # (kind, ref, where, to, to_off)
        self.edges = []   # (from, from_off, to, to_off)
        self.types = []   # (addr, first_word)
        self.heur = []    # (addr, off, kind): memcheck heuristics (SCAN_HEUR)
        self.end = None   # (blocks_scanned, roots, edges, duration_ns)
        self.stop = None  # (method bits: 1 ptrace, 2 signal; threads stopped, missed)
        self.round_before = None


class Trace:
    def __init__(self):
        self.header = None
        self.snapshots = []
        self.events = []
        self.stamps = []
        self.modules = {}
        self.end = None
        self.tags = []
        self.maps = []  # --mmap records, in file order
        self.late = 0
        self.round_chunks = [[]]


class _R:
    def __init__(self, b):
        self.b, self.i = b, 0

    def u(self):
        v = s = 0
        while True:
            c = self.b[self.i]
            self.i += 1
            v |= (c & 0x7F) << s
            s += 7
            if not c & 0x80:
                return v

    def z(self):
        v = self.u()
        return (v >> 1) ^ -(v & 1)

    def s(self):
        n = self.u()
        r = self.b[self.i:self.i + n]
        self.i += n
        return r

    def byte(self):
        c = self.b[self.i]
        self.i += 1
        return c


# Version 5 frames (src/trace/columns.h): where each field of each record
# lies. m MAIN, t TS, a ADDR, k STACK, i IPS: a varint of that stream; s a
# size (first byte in SIZE, the rest in SIZE_HI); S a string in MAIN; # a
# count in MAIN, then the rest of the fields that many times.
_MAIN, _TS, _ADDR, _SIZE, _SIZE_HI, _STACK, _IPS = range(7)
_STREAM = {"m": _MAIN, "t": _TS, "a": _ADDR, "k": _STACK, "i": _IPS}
_FIELDS = {
    0x01: "mm", 0x02: "task", 0x03: "ta", 0x04: "ttaask", 0x05: "m#i", 0x06: "tS", 0x07: "t",
    0x08: "tmk", 0x09: "tammk", 0x0A: "tam", 0x0B: "ttaammk", 0x0C: "ta", 0x0D: "task", 0x0E: "tsk",
    0x10: "mmm", 0x11: "mmmSS#mmm", 0x12: "mm", 0x13: "m#m", 0x14: "m", 0x15: "S#S", 0x16: "mmmm",
    0x17: "mS", 0x18: "m", 0x19: "mmmSmm", 0x1A: "m#mmmmm", 0x1B: "m#mmmm", 0x1C: "m#mm",
    0x1D: "mmmmmmmm", 0x1E: "mmm", 0x1F: "m#mmm",
}


def _join(payload):
    """The records a version 5 frame's streams were split from."""
    r = _R(payload)
    n = r.u()
    assert n == 7, "column frame with %d streams" % n
    lens = [r.u() for _ in range(n)]
    streams, at = [], r.i
    for ln in lens:
        streams.append(_R(payload[at:at + ln]))
        at += ln
    assert at == len(payload), "column frame: streams do not fill the payload"
    out = bytearray()

    def varint(first, rest):
        src = streams[first]
        while True:
            c = src.byte()
            out.append(c)
            if not c & 0x80:
                return
            src = streams[rest]

    def fields(spec):
        for i, f in enumerate(spec):
            if f in _STREAM:
                varint(_STREAM[f], _STREAM[f])
            elif f == "s":
                varint(_SIZE, _SIZE_HI)
            elif f == "S":
                start = len(out)
                varint(_MAIN, _MAIN)
                ln = _R(out[start:]).u()
                m = streams[_MAIN]
                out.extend(m.b[m.i:m.i + ln])
                m.i += ln
            else:  # '#'
                start = len(out)
                varint(_MAIN, _MAIN)
                for _ in range(_R(out[start:]).u()):
                    fields(spec[i + 1:])
                return

    main = streams[_MAIN]
    while main.i < len(main.b):
        tag = main.byte()
        out.append(tag)
        fields(_FIELDS[tag])
    assert all(s.i == len(s.b) for s in streams), "column frame: a stream not used up"
    return bytes(out)


def _frames(data):
    version = struct.unpack_from("<H", data, 8)[0]
    off = 64
    while off + 8 <= len(data):
        csize, rsize = struct.unpack_from("<II", data, off)
        off += 8
        comp = data[off:off + csize]
        off += csize
        p = subprocess.run(["zstd", "-q", "-d", "-c", "-"], input=comp, stdout=subprocess.PIPE, check=True)
        assert len(p.stdout) == rsize, "frame raw size mismatch"
        yield _join(p.stdout) if version >= 5 else p.stdout


def size_class(size):
    """trace/sizeclass.h: glibc's chunk size / 16, or 64 (none) past 1000."""
    return 64 if size > 1000 else 2 if size <= 24 else (size + 23) >> 4


def decode(path):
    data = open(path, "rb").read()
    t = Trace()
    t.header = data[:64]
    version = struct.unpack_from("<H", data, 8)[0]
    live = {}
    snaps = {}
    pending = []  # (ts, seq, addr, size or None for a free) not applied yet
    seq = itertools.count()

    def apply(pend, watermark):
        """Applies the events before watermark in time order (threads write
        their chunks in any order; ROUND says when a time is complete)."""
        now = sorted(e for e in pend if e[0] < watermark)
        for ts, _, addr, size in now:
            if size is None:
                live.pop(addr, None)
            else:
                live[addr] = size
        return [e for e in pend if e[0] >= watermark]

    last_round = None

    def stamp(tid, ts):
        t.stamps.append((tid, ts))
        if last_round is not None and ts < last_round:
            t.late += 1

    for raw in _frames(data):
        r = _R(raw)
        tid = prev_ts = prev_addr = 0
        while r.i < len(raw):
            tag = r.byte()
            t.tags.append(tag)
            if tag == 0x01:
                tid, prev_ts, prev_addr = r.u(), r.u(), 0
                t.round_chunks[-1].append((tid, prev_ts))
                chunk_allocs, chunk_frees = [], []  # for ALLOC_REF and FREE_REF
                lifos = {}  # size class -> [entries, top], for ALLOC_TOP
            elif tag in (0x02, 0x0D, 0x0E):  # ALLOC, ALLOC_REF, ALLOC_TOP
                prev_ts += r.z()
                if tag == 0x02:
                    prev_addr += r.z()
                elif tag == 0x0D:
                    prev_addr = chunk_frees[-r.u()]
                size, _ = r.u(), r.u()
                if tag == 0x0E:
                    entries = lifos[size_class(size)]
                    entries[1] -= 1
                    prev_addr = entries[0][entries[1] % 8]
                chunk_allocs.append((prev_addr, size_class(size)))
                pending.append((prev_ts, next(seq), prev_addr, size))
                stamp(tid, prev_ts)
            elif tag in (0x03, 0x0C):  # FREE, FREE_REF
                prev_ts += r.z()
                if tag == 0x03:
                    prev_addr += r.z()
                else:
                    prev_addr, cls = chunk_allocs[-r.u()]
                    if cls < 64:
                        entries = lifos.setdefault(cls, [[0] * 8, 0])
                        entries[0][entries[1] % 8] = prev_addr
                        entries[1] += 1
                chunk_frees.append(prev_addr)
                pending.append((prev_ts, next(seq), prev_addr, None))
                stamp(tid, prev_ts)
            elif tag == 0x04:
                prev_ts += r.z()
                stamp(tid, prev_ts)
                pending.append((prev_ts, next(seq), prev_addr + 0, None))
                before = prev_ts
                prev_ts += r.u()
                old = prev_addr + r.z()
                new = old + r.z()
                size, _ = r.u(), r.u()
                pending[-1] = (before, pending[-1][1], old, None)
                pending.append((prev_ts, next(seq), new, size))
                prev_addr = new
            elif tag == 0x05:
                r.u()
                for _ in range(r.u()):
                    r.z()
            elif tag == 0x06:
                prev_ts += r.z()
                r.s()
            elif tag == 0x07:
                prev_ts += r.z()
            elif tag == 0x08:
                prev_ts += r.z()
                t.events.append((tid, r.u(), r.u()))
            elif tag == 0x09:  # MMAP: (tid, ts, addr, len, kind, stack)
                prev_ts += r.z()
                prev_addr += r.z()
                t.maps.append(("map", tid, prev_ts, prev_addr, r.u(), r.u(), r.u()))
            elif tag == 0x0A:  # MUNMAP
                prev_ts += r.z()
                prev_addr += r.z()
                t.maps.append(("unmap", tid, prev_ts, prev_addr, r.u()))
            elif tag == 0x0B:  # MREMAP
                prev_ts += r.z()
                before = prev_ts
                prev_ts += r.u()
                old = prev_addr + r.z()
                new = old + r.z()
                prev_addr = new
                t.maps.append(("remap", tid, before, prev_ts, old, new, r.u(), r.u(), r.u()))
            elif tag == 0x10:
                r.u(), r.u(), r.u()
                t.round_chunks.append([])
            elif tag == 0x11:
                r.u()
                mid, bias, p, _ = r.u(), r.u(), r.s(), r.s()
                segs = [(r.u(), r.u(), r.u()) for _ in range(r.u())]
                t.modules[mid] = (bias, p.decode(errors="replace"), segs)
            elif tag == 0x12:
                r.u(), r.u()
            elif tag == 0x13:
                r.u()
                for _ in range(r.u()):
                    r.u()
            elif tag == 0x14:
                last_round = r.u()
                pending = apply(pending, last_round)
            elif tag == 0x15:
                r.s()
                for _ in range(r.u()):
                    r.s()
            elif tag == 0x16:
                t.end = (r.u(), r.u(), r.u(), r.u())
            elif tag == 0x17:
                r.u(), r.s()
            elif tag == 0x18:
                r.u()
            elif tag == 0x19:
                ts, sid, reason, label, lb, ly = r.u(), r.u(), r.u(), r.s(), r.u(), r.u()
                s = Snapshot(ts, sid, reason, label.decode(errors="replace"), lb, ly, live)
                s.round_before = last_round
                snaps[sid] = s
                t.snapshots.append(s)
            elif tag == 0x1A:
                s = snaps[r.u()]
                for _ in range(r.u()):
                    s.roots.append((r.u(), r.u(), r.u(), r.u(), r.u()))
            elif tag == 0x1B:
                s = snaps[r.u()]
                prev = 0
                for _ in range(r.u()):
                    frm = prev + r.z()
                    prev = frm
                    off = r.u()
                    to = frm + r.z()
                    s.edges.append((frm, off, to, r.u()))
            elif tag == 0x1C:
                s = snaps[r.u()]
                prev = 0
                for _ in range(r.u()):
                    prev += r.z()
                    s.types.append((prev, r.u()))
            elif tag == 0x1D:
                s = snaps[r.u()]
                s.end = (r.u(), r.u(), r.u(), r.u())
                if version >= 2:
                    s.stop = (r.u(), r.u(), r.u())
            elif tag == 0x1F:  # SCAN_HEUR: (addr, off, kind)
                s = snaps[r.u()]
                prev = 0
                for _ in range(r.u()):
                    prev += r.z()
                    s.heur.append((prev, r.u(), r.u()))
            elif tag == 0x1E:  # INHERITED (fork child): totals only
                r.u(), r.u(), r.u()
            else:
                raise ValueError("unknown record tag 0x%x at %d" % (tag, r.i - 1))
    apply(pending, 1 << 64)
    t.live_at_end = live
    return t
