/* Internal to src/analysis: what replay.c calls for snapshots and scans
 * (snapshots.c). Each returns 0 or -ENOMEM. */
#ifndef MS_ANALYSIS_REPLAY_HOOKS_H
#define MS_ANALYSIS_REPLAY_HOOKS_H

#include "analysis/model.h"
#include "trace/read.h"

/* At SNAPSHOT, once every event before it is applied. */
int ms_replay_on_snapshot(struct ms_model *m, const struct ms_record *r);
/* At SCAN_ROOTS, SCAN_EDGES, SCAN_TYPES, SCAN_END. */
int ms_replay_on_scan(struct ms_model *m, const struct ms_record *r);
/* When the heap first holds m->peak_watch bytes. */
int ms_replay_on_peak(struct ms_model *m);
/* After the last event: start/end heaps, then leak figures of heaps[0]. */
int ms_replay_heaps_finish(struct ms_model *m);

#endif
