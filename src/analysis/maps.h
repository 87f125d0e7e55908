/* Mappings recorded with `memscope run --mmap` (MMAP, MUNMAP, MREMAP
 * records): anonymous mmap regions and the program's own brk growth, kept
 * as disjoint address ranges, each owned by the call stack that mapped it.
 * Events from several threads are applied in time order at each ROUND, as
 * the heap's are. */
#ifndef MS_ANALYSIS_MAPS_H
#define MS_ANALYSIS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ms_model;
struct ms_record;

struct ms_map_range {
	uint64_t lo, hi; /* [lo, hi) */
	uint32_t stack;  /* index into ms_model.stacks */
};

struct ms_map_event {
	uint64_t ts, ts2;                    /* ts2: MREMAP's ts_after */
	uint64_t addr, len, new_addr, new_len;
	uint64_t seq;                        /* order of arrival */
	uint32_t stack;
	uint8_t kind;                        /* MS_REC_MMAP, MS_REC_MUNMAP, MS_REC_MREMAP */
	uint8_t map_kind;                    /* enum ms_map_kind (MMAP) */
};

struct ms_maps {
	bool recorded;                 /* the trace has --mmap records */
	struct ms_map_range *r;        /* sorted by lo, disjoint */
	size_t n, cap;
	struct ms_map_event *pend;     /* not applied yet */
	size_t npend, cappend;
	uint64_t seq;
	uint64_t cur, peak, peak_ts;   /* bytes mapped now (at the end: at exit), the maximum, when */
	uint64_t total;                /* bytes ever mapped (mremap growth included) */
	uint64_t maps, unmaps;         /* calls */
};

/* Queues one MMAP, MUNMAP or MREMAP record (stack: its model index; 0 for
 * MUNMAP). Returns 0 or -ENOMEM. */
int ms_maps_push(struct ms_maps *mp, const struct ms_record *r, uint32_t stack);
/* Applies the queued events with ts < watermark (all if all) in time order,
 * keeping the stacks' mapped_bytes / mapped_total in m. */
int ms_maps_flush(struct ms_model *m, uint64_t watermark, bool all);
void ms_maps_release(struct ms_maps *mp);

#endif
