/* The memscope trace format: constants shared by the runtime (writer) and the
 * analysis (reader). docs/trace-format.md is the prose version; the two must
 * agree. All multi-byte header fields are little-endian. */
#ifndef MS_TRACE_FORMAT_H
#define MS_TRACE_FORMAT_H

#include <stdint.h>

#define MS_TRACE_MAGIC "MEMSCOPE" /* 8 bytes, no terminator in the file */
#define MS_TRACE_VERSION 1
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
	uint32_t reserved;          /* 60: 0 */
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
 * delta state: cur_tid = tid, prev_ts = base_ts, prev_addr = 0. Inside a chunk
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
};

enum ms_counter {
	MS_CTR_RSS_BYTES = 0,      /* resident set size */
	MS_CTR_PEAK_RSS_BYTES = 1, /* VmHWM */
	MS_CTR__COUNT
};

enum ms_end_reason {
	MS_END_EXIT = 0,  /* exit() or return from main */
	MS_END__EXIT = 1, /* _exit() / _Exit() */
};

#define MS_STACK_UNKNOWN 0u /* stack id 0: no frames known */
#define MS_MAX_DEPTH_LIMIT 1024u
#define MS_MAX_STRING 65536u /* longest path, name or build-id accepted by the reader */

#endif
