"""A writer of memscope traces by hand (src/trace/format.h), for tests of
`memscope report` on traces whose every event is known. Frames are
compressed with the zstd command-line tool (content checksum on).

Usage:
    t = TraceWriter(pid=1234)
    t.process("/bin/synth", ["synth"])
    t.chunk(tid=100, base_ts=0)
    t.stack(1, [0x401000])
    t.alloc(ts=10, addr=0x10000, size=100, stack_id=1)
    t.flush()            # ends a frame
    t.end(ts=100)
    data = t.bytes()     # header + frames
"""

import struct
import subprocess

MAGIC = b"MEMSCOPE"
VERSION = 1
HEADER_SIZE = 64

REC_CHUNK, REC_ALLOC, REC_FREE, REC_REALLOC, REC_STACK, REC_THREAD, REC_THREAD_EXIT = range(1, 8)
REC_CLOCK_SYNC, REC_MODULE_LOAD, REC_MODULE_UNLOAD, REC_COUNTERS, REC_ROUND, REC_PROCESS, \
    REC_END, REC_EXEC, REC_EXEC_FAILED = range(0x10, 0x19)


def uvarint(v):
    assert v >= 0
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zvarint(v):
    return uvarint(((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF)


def sstr(s):
    if isinstance(s, str):
        s = s.encode()
    return uvarint(len(s)) + s


def zstd(raw):
    p = subprocess.run(["zstd", "-q", "--check", "-c", "-"], input=raw, stdout=subprocess.PIPE, check=True)
    return p.stdout


def header(pid=1234, ppid=1, flags=0, max_depth=64, version=VERSION, e_machine=62, ptr_size=8,
           header_size=HEADER_SIZE, clock_kind=1):
    h = MAGIC + struct.pack("<HHHBBIIQQQIIII", version, header_size, e_machine, ptr_size, clock_kind,
                            pid, ppid, 1700000000 * 10**9, 0, 0, flags, max_depth, 4096, 0)
    assert len(h) == 64
    return h


class TraceWriter:
    def __init__(self, **hdr):
        self.hdr = header(**hdr)
        self.frames = []
        self.buf = bytearray()
        self.in_chunk = False

    # writer records end a chunk
    def _w(self, tag, payload):
        self.in_chunk = False
        self.buf += bytes([tag]) + payload

    def process(self, exe, argv):
        self._w(REC_PROCESS, sstr(exe) + uvarint(len(argv)) + b"".join(sstr(a) for a in argv))

    def round(self, watermark):
        self._w(REC_ROUND, uvarint(watermark))

    def counters(self, ts, values):
        self._w(REC_COUNTERS, uvarint(ts) + uvarint(len(values)) + b"".join(uvarint(v) for v in values))

    def end(self, ts, reason=0, status=0, peak_rss=1 << 20):
        self._w(REC_END, uvarint(ts) + uvarint(reason) + uvarint(status) + uvarint(peak_rss))

    def chunk(self, tid, base_ts):
        self.buf += bytes([REC_CHUNK]) + uvarint(tid) + uvarint(base_ts)
        self.in_chunk = True
        self.prev_ts = base_ts
        self.prev_addr = 0

    def _ts(self, ts):
        assert self.in_chunk
        d = ts - self.prev_ts
        self.prev_ts = ts
        return zvarint(d)

    def stack(self, stack_id, ips):
        out = uvarint(stack_id) + uvarint(len(ips))
        prev = 0
        for ip in ips:
            out += zvarint(ip - prev)
            prev = ip
        self.buf += bytes([REC_STACK]) + out

    def thread(self, ts, name):
        self.buf += bytes([REC_THREAD]) + self._ts(ts) + sstr(name)

    def alloc(self, ts, addr, size, stack_id):
        self.buf += bytes([REC_ALLOC]) + self._ts(ts) + zvarint(addr - self.prev_addr) + uvarint(size) + \
            uvarint(stack_id)
        self.prev_addr = addr

    def free(self, ts, addr):
        self.buf += bytes([REC_FREE]) + self._ts(ts) + zvarint(addr - self.prev_addr)
        self.prev_addr = addr

    def realloc(self, ts_before, ts_after, old, new, size, stack_id):
        self.buf += bytes([REC_REALLOC]) + self._ts(ts_before) + uvarint(ts_after - ts_before) + \
            zvarint(old - self.prev_addr) + zvarint(new - old) + uvarint(size) + uvarint(stack_id)
        self.prev_ts = ts_after
        self.prev_addr = new

    def flush(self):
        """Ends the current frame (if it holds anything)."""
        if self.buf:
            raw = bytes(self.buf)
            c = zstd(raw)
            self.frames.append(struct.pack("<II", len(c), len(raw)) + c)
            self.buf = bytearray()
            self.in_chunk = False

    def bytes(self):
        self.flush()
        return self.hdr + b"".join(self.frames)

    def frame_ends(self):
        """File offsets where each frame ends."""
        out, off = [], len(self.hdr)
        for f in self.frames:
            off += len(f)
            out.append(off)
        return out
