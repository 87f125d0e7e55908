/* Reading a trace file: header validation, frame iteration (zstd, checksum
 * verified) and record decoding. The file is untrusted: every length is
 * bounded and checked, a damaged file yields an error code, never a crash.
 * The reader allocates only buffers bounded by format.h's limits.
 *
 * Steps:
 *  1. ms_trace_reader_init(&r), then ms_trace_reader_open(&r, path): 0 or a
 *     negative code (see enum ms_trace_err; ms_trace_error_message());
 *  2. loop on ms_trace_reader_next(&r, &rec): 1 = a record in rec, 0 = end
 *     of the readable trace (check r.truncated), negative = corrupt data
 *     (r.frames and r.offset say how far it got; records delivered so far
 *     stay valid for the caller's model);
 *  3. ms_trace_reader_release(&r).
 * Strings and stack frames in a record point into the reader's buffers and
 * are valid until the next call to ms_trace_reader_next().
 *
 * Frames are decoded in the producer thread (decompressed, then their
 * records decoded straight from their streams, in batches), so that the
 * consumer's thread is left only the model's work: on churn's trace the
 * decoding was a third of the consumer's time. A frame that does not
 * decode hands over the records before the damage, then
 * MS_TRACE_E_CORRUPT. */
#ifndef MS_TRACE_READ_H
#define MS_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>

#include "trace/columns.h"
#include "trace/format.h"
#include "trace/sizeclass.h"

/* Errors: negative errno values for the system (-ENOENT, -EACCES, -ENOMEM,
 * -EIO, -EISDIR), and these for the content. */
enum ms_trace_err {
	MS_TRACE_E_EMPTY = -1000,   /* zero-length file */
	MS_TRACE_E_FOREIGN = -1001, /* no memscope magic */
	MS_TRACE_E_VERSION = -1002, /* a newer format than this reader */
	MS_TRACE_E_HEADER = -1003,  /* memscope magic but a bad header (short, bad sizes) */
	MS_TRACE_E_CORRUPT = -1004, /* a damaged frame or record */
	MS_TRACE_E_NODATA = -1005,  /* the header only, or not one complete frame */
	MS_TRACE_E_ARCH = -1006,    /* recorded on another architecture or pointer size */
};

/* The ELF machine and pointer size of traces this reader accepts: those of
 * the machine it runs on (stack addresses are symbolized against local
 * files). */
#if defined(__x86_64__)
#define MS_HOST_MACHINE 62
#elif defined(__aarch64__)
#define MS_HOST_MACHINE 183
#elif defined(__i386__)
#define MS_HOST_MACHINE 3
#elif defined(__riscv)
#define MS_HOST_MACHINE 243
#else
#define MS_HOST_MACHINE 0 /* unknown: accept any */
#endif

struct ms_str {
	const char *p; /* not NUL-terminated */
	size_t len;
};

/* One decoded record. Chunk records are reported with absolute values: the
 * reader applies the delta state, and tid is the chunk's thread. */
struct ms_record {
	uint8_t tag; /* enum ms_record_tag */
	uint64_t tid;
	union {
		struct { uint64_t base_ts; } chunk;
		struct { uint64_t ts, addr, size, stack_id; } alloc;
		struct { uint64_t ts, addr; } free;
		struct { uint64_t ts_before, ts_after, old_addr, new_addr, size, stack_id; } realloc;
		struct { uint64_t stack_id; uint32_t n; const uint64_t *ips; } stack;
		struct { uint64_t ts; struct ms_str name; } thread;
		struct { uint64_t ts; } thread_exit;
		struct { uint64_t ts, mono_ns, realtime_ns; } clock_sync;
		struct {
			uint64_t ts, module_id, load_bias;
			struct ms_str path, build_id;
			uint32_t nseg;
			const uint64_t *seg; /* nseg x (vaddr, memsz, p_flags) */
		} module_load;
		struct { uint64_t ts, module_id; } module_unload;
		struct { uint64_t ts; uint32_t n; const uint64_t *v; } counters;
		struct { uint64_t watermark; } round;
		struct {
			struct ms_str exe;
			uint32_t argc;
			const struct ms_str *argv;
		} process;
		struct { uint64_t ts, reason, exit_status, peak_rss; } end;
		struct { uint64_t ts; struct ms_str path; } exec;
		struct { uint64_t ts; } exec_failed;
		struct { uint64_t allocations, frees, bytes_allocated; } inherited;
		struct { uint64_t ts, weight, stack_id; } event;
		struct { uint64_t ts, addr, len, kind, stack_id; } mmap;
		struct { uint64_t ts, addr, len; } munmap;
		struct { uint64_t ts_before, ts_after, old_addr, new_addr, old_len, new_len, stack_id; } mremap;
		struct {
			uint64_t ts, id, reason;
			struct ms_str label;
			uint64_t live_blocks, live_bytes;
		} snapshot;
		/* SCAN_ROOTS, SCAN_EDGES, SCAN_TYPES, SCAN_HEUR: n entries of
		 * absolute values, v[k * width + field]: roots 5 (kind, ref, where,
		 * target_addr, target_off), edges 4 (from_addr, from_off, to_addr,
		 * to_off), types 2 (addr, first_word), heur 3 (addr, off, kind) */
		struct { uint64_t snapshot_id; uint32_t n; const uint64_t *v; } scan;
		struct { uint64_t snapshot_id, blocks, roots, edges, duration_ns, stop_method, stopped, missed; } scan_end;
	} u;
};

/* A record as the producer thread decoded it. The chunk records, which are
 * nearly all of a trace, are kept in 24 bytes: handing the consumer whole
 * ms_records would move 88 bytes each (and 32-byte ones cost churn's report
 * 4 MB more peak RSS). Any other record, and an allocation whose size or
 * stack id does not fit, is an ms_record in the slot's full[], at index
 * addr. */
enum ms_prerec_kind { MS_PRE_CHUNK, MS_PRE_ALLOC, MS_PRE_FREE, MS_PRE_FULL };
#define MS_PRE_STACK_BITS 24
struct ms_prerec {
	uint64_t ts;   /* ALLOC, FREE; CHUNK: base_ts */
	uint64_t addr; /* ALLOC, FREE; CHUNK: tid; FULL: index in full[] */
	uint32_t size; /* ALLOC */
	uint32_t kind_stack; /* the kind << MS_PRE_STACK_BITS | ALLOC's stack id */
};

static inline unsigned ms_prerec_kind(const struct ms_prerec *q) { return q->kind_stack >> MS_PRE_STACK_BITS; }
static inline uint32_t ms_prerec_stack(const struct ms_prerec *q)
{
	return q->kind_stack & ((1u << MS_PRE_STACK_BITS) - 1);
}

/* A batch of records the producer decoded, handed to the consumer: up to
 * MS_READ_BATCH of a frame's records, fewer when their arrays reach
 * MS_READ_BATCH_VALS values. The slots form a ring, so that the producer
 * runs most of a frame ahead (the replay applies a round at a frame's end,
 * and must not find the producer waiting) while what is decoded in flight
 * stays bounded: whole frames in two slots held churn's report 7 MB more.
 * A batch owns everything its records point to (strings, arrays), valid
 * until the consumer hands the slot back. */
#define MS_READ_SLOTS 4
#define MS_READ_BATCH 65536       /* records */
#define MS_READ_BATCH_VALS 131072 /* values of full records (a scan's entries): 1 MiB */
struct ms_frame_slot {
	struct ms_prerec *recs; /* the batch's records, in order */
	size_t nrec, reccap;
	struct ms_record *full; /* the records not kept compact */
	size_t nfull, fullcap;
	uint64_t *vals; /* ips, segments, counters and scan entries of full[] */
	size_t nvals, valcap;
	struct ms_str *argv; /* PROCESS records' arguments */
	size_t nargv, argvcap;
	char *strs; /* the bytes of full[]'s strings */
	size_t nstrs, strcap;
	uint64_t end_offset; /* file offset after the batch's frame */
	int result;          /* 1 a batch, 0 end, < 0 error */
	int bad;             /* result 1: an error after the records decoded, or 0 */
	bool first;          /* result 1: the batch starts a frame */
	bool truncated;      /* result 0: the file ends inside a frame */
	bool ready;          /* owned by the consumer until it hands it back */
};

/* Where the producer is in the frame it decodes: a cursor per stream (a
 * row frame uses the first only). */
struct ms_stream_cursors {
	const uint8_t *p[MS_COL_STREAMS], *e[MS_COL_STREAMS];
};

/* The producer's decoding state: chunks' deltas and references. */
struct ms_decoder {
	bool in_chunk;
	uint64_t tid, prev_ts, prev_addr;
	/* the chunk's ALLOC(_REF) and FREE(_REF) addresses, for ALLOC_REF and
	 * FREE_REF; bounded by the frame size */
	uint64_t *chunk_addr[2];
	size_t chunk_n[2], chunk_cap[2];
	uint8_t *chunk_cls; /* the size class of each of the chunk's ALLOCs */
	uint32_t chunk_seq; /* chunks begun, for the classes' entries */
	struct ms_class_lifo lifo[MS_NCLASS]; /* for ALLOC_TOP (version 4) */
};

struct ms_trace_reader {
	struct ms_trace_header hdr;
	uint64_t file_size;
	uint64_t offset;   /* file offset after the current frame */
	uint32_t frames;   /* frames decoded so far (whole ones, after an error) */
	bool truncated;    /* the file ends inside a frame */
	bool eof;
	int error;         /* sticky error once corrupt */

	/* the producer (a thread when one could be started): reads,
	 * decompresses and decodes frames ahead into the slots, in turn */
	FILE *f;
	struct ZSTD_DCtx_s *dctx;
	uint8_t *cbuf;
	size_t ccap;
	uint64_t prod_offset;
	struct ms_decoder dec;
	uint8_t *frame; /* the frame being decoded: a column frame's payload or a row frame's records */
	size_t frame_cap;
	bool in_frame; /* records of that frame are left to decode */
	struct ms_stream_cursors cur_frame;
	struct ms_frame_slot slots[MS_READ_SLOTS];
	int cur; /* the slot being consumed, -1 before the first */
	bool threaded, stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* the consumer: the next record of the current slot, the chunk's thread */
	size_t next;
	uint64_t tid;

	/* follow mode (ms_trace_reader_open_follow): at the end of what is
	 * written, ask follow(follow_ctx) whether more may come */
	int (*follow)(void *ctx);
	void *follow_ctx;
};

void ms_trace_reader_init(struct ms_trace_reader *r);
/* Opens path and validates the header. On failure r stays released-safe and
 * r->hdr.version holds the file's version for MS_TRACE_E_VERSION. */
int ms_trace_reader_open(struct ms_trace_reader *r, const char *path);
/* Like ms_trace_reader_open, for a trace still being written: where the
 * file ends (or ends inside a frame), the reader waits and reads on while
 * follow(ctx) returns non-zero; once it returns 0 (the writer is gone), what
 * the file then holds is read to its end as usual. Frames are decoded in the
 * caller's thread, on demand (no reading thread). */
int ms_trace_reader_open_follow(struct ms_trace_reader *r, const char *path, int (*follow)(void *ctx), void *ctx);
int ms_trace_reader_next(struct ms_trace_reader *r, struct ms_record *rec);
/* For a consumer that takes events in bulk: the run of allocations and
 * frees that comes next in the current frame, as *n records at *out of
 * kinds MS_PRE_ALLOC and MS_PRE_FREE, all of thread r->tid; they then count
 * as read. 0 when the next record is of another kind, or in another frame:
 * read it with ms_trace_reader_next. */
size_t ms_trace_reader_events(struct ms_trace_reader *r, const struct ms_prerec **out);
void ms_trace_reader_release(struct ms_trace_reader *r);

/* Decodes a 64-byte header; returns 0, MS_TRACE_E_FOREIGN,
 * MS_TRACE_E_VERSION (h->version set), MS_TRACE_E_HEADER or MS_TRACE_E_ARCH
 * (h->e_machine and h->ptr_size set). */
int ms_trace_header_decode(const uint8_t *buf, size_t len, struct ms_trace_header *h);

/* Writes a one-line, lowercase message about err for the trace at path
 * (e.g. "trace 'x.mst' is version 2, this memscope reads up to 1; upgrade
 * memscope") into buf, without the "memscope: " prefix. h is the header as
 * far as it was decoded (version, machine; may be NULL), frames how many
 * frames could be read (for MS_TRACE_E_CORRUPT). Any err works: negative
 * errno values are worded too. */
void ms_trace_error_message(char *buf, size_t n, const char *path, int err, const struct ms_trace_header *h,
                            uint32_t frames);

#endif
