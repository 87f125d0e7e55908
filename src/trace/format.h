/* The memscope trace format: constants shared by the runtime (writer) and the
 * analysis (reader). docs/trace-format.md is the prose version; the two must
 * agree. All multi-byte header fields are little-endian. */
#ifndef MS_TRACE_FORMAT_H
#define MS_TRACE_FORMAT_H

#include <stdint.h>

#define MS_TRACE_MAGIC "MEMSCOPE" /* 8 bytes, no terminator in the file */
#define MS_TRACE_VERSION 5 /* 5: column frames (columns.h); 4: ALLOC_TOP; 3: FREE_REF, ALLOC_REF;
                            * 2: SCAN_END has the stop fields; 1 to 4 are still read */
#define MS_TRACE_HEADER_SIZE 64

/* Clock kinds (header.clock_kind): what event timestamps count. */
enum ms_clock_kind {
	MS_CLOCK_MONOTONIC_NS = 1, /* CLOCK_MONOTONIC nanoseconds */
	MS_CLOCK_TSC = 2,          /* invariant TSC ticks; CLOCK_SYNC records map them to ns */
};

/* header.flags */
enum ms_header_flags {
	MS_HDR_FORKED = 1u << 0,    /* a fork child: first chunk re-declares inherited blocks */
	MS_HDR_POST_EXEC = 1u << 1, /* this image was started by an exec of a traced process */
};

/* The fixed header at offset 0 (64 bytes, little-endian, no padding issues:
 * the writer and reader encode it field by field). */
struct ms_trace_header {
	char magic[8];              /* 0: MS_TRACE_MAGIC */
	uint16_t version;           /* 8: MS_TRACE_VERSION */
	uint16_t header_size;       /* 10: MS_TRACE_HEADER_SIZE */
	uint16_t e_machine;         /* 12: ELF machine, 62 = x86-64 */
	uint8_t ptr_size;           /* 14: 8 */
	uint8_t clock_kind;         /* 15: enum ms_clock_kind */
	uint32_t pid;               /* 16 */
	uint32_t ppid;              /* 20 */
	uint64_t start_realtime_ns; /* 24: CLOCK_REALTIME at start, ns since the epoch */
	uint64_t start_ts;          /* 32: trace clock at start */
	uint64_t start_mono_ns;     /* 40: CLOCK_MONOTONIC at start, ns */
	uint32_t flags;             /* 48: enum ms_header_flags */
	uint32_t max_depth;         /* 52: stack depth limit used when recording */
	uint32_t page_size;         /* 56 */
	uint32_t sample_rate;       /* 60: mean bytes between samples; 0 = every allocation recorded */
};

/* After the header: frames until end of file. A frame is
 *   u32 compressed_size, u32 raw_size (little-endian), then exactly
 *   compressed_size bytes holding one zstd frame (content checksum on) whose
 *   content is raw_size bytes of records.
 * Records never span frames. A frame larger than these limits is corrupt. */
#define MS_FRAME_HEADER_SIZE 8
#define MS_FRAME_MAX_RAW (64u << 20)
#define MS_FRAME_MAX_COMPRESSED (72u << 20)

/* Record tags: one byte, then fields. "v" = unsigned LEB128 varint (at most
 * 10 bytes), "z" = zigzag-encoded signed varint, "s" = v length + bytes.
 *
 * Chunk records carry per-thread events. CHUNK starts a chunk and sets the
 * delta state: cur_tid = tid, prev_ts = base_ts, prev_addr = 0, and empties
 * the chunk's two address lists: the addresses of its ALLOC and ALLOC_REF
 * records, and of its FREE and FREE_REF records, in order. Inside a chunk
 * ts fields are z deltas to prev_ts (then prev_ts = ts) and address fields are
 * z deltas as documented per record. Any writer record ends the chunk.
 *
 * Writer records carry absolute values and may appear anywhere between
 * chunks. */
enum ms_record_tag {
	/* chunk records */
	MS_REC_CHUNK = 0x01,       /* v tid, v base_ts */
	MS_REC_ALLOC = 0x02,       /* z dts, z daddr (vs prev_addr), v size, v stack_id; prev_addr = addr */
	MS_REC_FREE = 0x03,        /* z dts, z daddr (vs prev_addr); prev_addr = addr */
	MS_REC_REALLOC = 0x04,     /* z dts (ts_before), v ts_after - ts_before, z dold (vs prev_addr),
	                            * z dnew (vs old), v size, v stack_id; prev_addr = new.
	                            * Means: free(old) at ts_before, then alloc(new, size) at ts_after.
	                            * Both old and new are non-zero. */
	MS_REC_STACK = 0x05,       /* v stack_id, v n, then n x z (ip - previous ip; first vs 0).
	                            * Return addresses, innermost first, memscope's own frames
	                            * already removed. Defines stack_id; may follow its first use. */
	MS_REC_THREAD = 0x06,      /* z dts, s name: cur_tid started or was renamed */
	MS_REC_THREAD_EXIT = 0x07, /* z dts */
	MS_REC_EVENT = 0x08,       /* z dts, v weight, v stack_id: memscope_event(weight) */
	/* --mmap only: mappings that are not the malloc heap's */
	MS_REC_MMAP = 0x09,        /* z dts, z daddr (vs prev_addr), v len, v kind (enum
	                            * ms_map_kind), v stack_id; prev_addr = addr: len bytes
	                            * (whole pages) at addr became mapped, at ts (after the
	                            * call returned) */
	MS_REC_MUNMAP = 0x0A,      /* z dts, z daddr (vs prev_addr), v len; prev_addr = addr:
	                            * [addr, addr + len) stopped being mapped, at ts (before
	                            * the call; written only if it succeeded) */
	MS_REC_MREMAP = 0x0B,      /* z dts (ts_before), v ts_after - ts_before, z dold (vs
	                            * prev_addr), z dnew (vs old), v old_len, v new_len,
	                            * v stack_id; prev_addr = new: mremap moved or resized
	                            * [old, old + old_len) to [new, new + new_len); only
	                            * what was recorded as mapped stays counted */
	MS_REC_FREE_REF = 0x0C,    /* z dts, v back (>= 1): a FREE of the address of this chunk's
	                            * back-th last ALLOC, ALLOC_REF or ALLOC_TOP; prev_addr = addr (since 3) */
	MS_REC_ALLOC_REF = 0x0D,   /* z dts, v back (>= 1), v size, v stack_id: an ALLOC at the
	                            * address of this chunk's back-th last FREE or FREE_REF;
	                            * prev_addr = addr (since 3) */
	MS_REC_ALLOC_TOP = 0x0E,   /* z dts, v size, v stack_id: an ALLOC at the address on top of
	                            * its size class (trace/sizeclass.h), which it pops;
	                            * prev_addr = addr (since 4) */

	/* writer records */
	MS_REC_CLOCK_SYNC = 0x10,    /* v ts, v mono_ns, v realtime_ns */
	MS_REC_MODULE_LOAD = 0x11,   /* v ts, v module_id, v load_bias, s path, s build_id,
	                              * v nseg, nseg x (v vaddr, v memsz, v p_flags) */
	MS_REC_MODULE_UNLOAD = 0x12, /* v ts, v module_id */
	MS_REC_COUNTERS = 0x13,      /* v ts, v n, n x v value (index: enum ms_counter) */
	MS_REC_ROUND = 0x14,         /* v watermark_ts: every event with ts < watermark is
	                              * in the file before this record */
	MS_REC_PROCESS = 0x15,       /* s exe_path, v argc, argc x s arg */
	MS_REC_END = 0x16,           /* v ts, v reason (enum ms_end_reason), v exit_status,
	                              * v peak_rss_bytes */
	MS_REC_EXEC = 0x17,          /* v ts, s path: the image is about to exec path */
	MS_REC_EXEC_FAILED = 0x18,   /* v ts: the exec failed, recording goes on */

	/* Snapshots and heap scans (writer records). A snapshot is taken with
	 * every other thread of the program stopped outside memscope's hooks.
	 * The runtime writes ROUND(ts) right before SNAPSHOT, so a reader that
	 * has applied every event before SNAPSHOT holds exactly the live set at
	 * the snapshot; the scan records that follow describe that live set. */
	MS_REC_SNAPSHOT = 0x19,   /* v ts, v snapshot_id (1, 2, ...), v reason (enum
	                           * ms_snapshot_reason), s label, v live_blocks,
	                           * v live_bytes (the runtime's own count, a check) */
	MS_REC_SCAN_ROOTS = 0x1A, /* v snapshot_id, v n, n x (v kind (enum ms_root_kind),
	                           * v ref, v where, v target_addr, v target_off):
	                           * a root word pointing into a live block; target_off
	                           * 0 = to its start, > 0 = interior pointer */
	MS_REC_SCAN_EDGES = 0x1B, /* v snapshot_id, v n, n x (z dfrom (vs the previous
	                           * from_addr of this record, first vs 0), v from_off,
	                           * z dto (to_addr - from_addr), v to_off): the word at
	                           * from_addr + from_off of a live block points to
	                           * to_addr + to_off of a live block. Per pair of
	                           * blocks only the first such word, and the first
	                           * start pointer after an interior first one */
	MS_REC_SCAN_TYPES = 0x1C, /* v snapshot_id, v n, n x (z daddr (vs previous, first
	                           * vs 0), v first_word): live blocks whose first word
	                           * points into a loaded module's read-only data (a
	                           * vtable candidate, decided offline by symbol) */
	MS_REC_SCAN_END = 0x1D,   /* v snapshot_id, v blocks_scanned, v roots, v edges,
	                           * v duration_ns, v stop_method (enum ms_stop_method
	                           * bits), v threads_stopped, v threads_missed: the
	                           * scan of snapshot_id is complete */

	MS_REC_SCAN_HEUR = 0x1F,  /* v snapshot_id, v n, n x (z daddr (vs previous, first vs
	                           * 0), v off, v kind (enum ms_heur)): a live block whose
	                           * interior pointers at off count as start pointers, by
	                           * one of memcheck's default leak-check heuristics;
	                           * before SCAN_END */

	MS_REC_INHERITED = 0x1E, /* v allocations, v frees, v bytes_allocated: in a fork
	                          * child, the parent's history before the fork that the
	                          * re-declared live blocks do not stand for (memcheck
	                          * counts a child's "total heap usage" from the start of
	                          * its parent); they add to the totals, not to stacks */
};

enum ms_map_kind {
	MS_MAP_ANON = 1, /* mmap(MAP_ANONYMOUS), private or shared */
	MS_MAP_BRK = 2,  /* the program's own brk()/sbrk() growth (not malloc's) */
};

enum ms_snapshot_reason {
	MS_SNAP_API = 1,      /* memscope_snapshot() in the program */
	MS_SNAP_SOCKET = 2,   /* memscope snapshot -p PID */
	MS_SNAP_INTERVAL = 3, /* --snapshot-interval */
	MS_SNAP_PEAK = 4,     /* --snapshot-at-peak */
	MS_SNAP_EXIT = 5,     /* at exit, after glibc's and libstdc++'s freeres */
};

/* memcheck's --leak-check-heuristics (all of them are on by default),
 * judged by the runtime, which can read the block (SCAN_HEUR). */
enum ms_heur {
	MS_HEUR_STDSTRING = 1, /* +24 into a block length, capacity, refcount, chars: size = 24 + capacity + 1 */
	MS_HEUR_LENGTH64 = 2,  /* +8 into a block whose first word is its size - 8 */
	MS_HEUR_NEWARRAY = 3,  /* +8 into a block whose first word n > 0 divides size - 8 (new[] cookie) */
};

/* How the other threads were stopped for a scan (SCAN_END, bits; 0: there
 * was no other thread to stop). */
enum ms_stop_method {
	MS_STOP_PTRACE = 1, /* ptrace from a tracer process: no signal handler ran */
	MS_STOP_SIGNAL = 2, /* the signal SIGRTMAX-2 (MEMSCOPE_STOP_SIGNAL=1, or ptrace refused) */
};

/* Where a root word lies (MS_REC_SCAN_ROOTS: ref and where by kind). */
enum ms_root_kind {
	MS_ROOT_MODULE = 1,   /* ref = module_id, where = word address - load bias */
	MS_ROOT_STACK = 2,    /* ref = tid, where = word address - start of the scanned
	                       * stack: sp - 128 (x86-64 red zone) for a thread stopped
	                       * by the signal, else the frame it parked in */
	MS_ROOT_REGISTER = 3, /* ref = tid, where = register index (ucontext gregs) */
	MS_ROOT_TLS = 4,      /* ref = tid, where = word address - start of static TLS */
	MS_ROOT_OTHER = 5,    /* ref = 0, where = word address */
};

enum ms_counter {
	MS_CTR_RSS_BYTES = 0,      /* resident set size */
	MS_CTR_PEAK_RSS_BYTES = 1, /* VmHWM */
	MS_CTR__COUNT
};

enum ms_end_reason {
	MS_END_EXIT = 0,  /* exit() or return from main */
	MS_END__EXIT = 1, /* _exit() / _Exit() */
	MS_END_ABORT = 2, /* abort() (or a failed assert): exit_status is SIGABRT */
};

#define MS_STACK_UNKNOWN 0u /* stack id 0: no frames known */
#define MS_MAX_DEPTH_LIMIT 1024u
#define MS_MAX_STRING 65536u /* longest path, name or build-id accepted by the reader */

#endif
