/* Offline symbolization of a model's stacks with elfutils libdw: function
 * (demangled), file, line, inlined frames and module for every return
 * address. One Dwfl per distinct module file, opened on first use and
 * checked against the recorded build-id; debug info is found by build-id
 * (/usr/lib/debug/.build-id). A file that vanished or changed gives
 * "module+0xOFFSET" frames, never an error. Results are cached per
 * (module, offset).
 *
 * Steps:
 *  1. s = ms_symbolizer_new(&model) (the model must outlive s);
 *  2. ms_symbolize_stack(s, stack_index, &frames, &n) for each stack shown;
 *  3. ms_symbolizer_free(s). */
#ifndef MS_ANALYSIS_SYMBOLIZE_H
#define MS_ANALYSIS_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/model.h"

struct ms_frame {
	const char *function; /* demangled; "module+0xOFF" or "0xIP" when unknown; never NULL */
	const char *file;     /* source file, NULL when unknown */
	uint32_t line;        /* 0 when unknown */
	const char *module;   /* module path, NULL when the ip is in no known module */
	bool inlined;         /* an inlined call: the next frame is its caller at the same ip */
	uint64_t ip;          /* the return address */
	uint64_t offset;      /* ip relative to the module's load bias (its ELF vaddr) */
};

struct ms_symbolizer;

/* Returns NULL when out of memory. */
struct ms_symbolizer *ms_symbolizer_new(const struct ms_model *m);
void ms_symbolizer_free(struct ms_symbolizer *s);

/* Symbolizes stack (an index into m->stacks), innermost frame first, with
 * memscope's and the allocator's own frames removed from the top. *frames
 * is owned by s and valid until the next call; the strings it points to
 * live as long as s. Returns 0 or -ENOMEM. */
int ms_symbolize_stack(struct ms_symbolizer *s, uint32_t stack, const struct ms_frame **frames, size_t *n);

/* A copy of str that lives as long as s; NULL when out of memory. */
const char *ms_symbolize_intern(struct ms_symbolizer *s, const char *str);

/* A data symbol: a global variable, a vtable. */
struct ms_datasym {
	const char *module;   /* module path, NULL when outside every module */
	const char *name;     /* demangled symbol, NULL when none covers the address */
	const char *raw_name; /* as in the symbol table */
	uint64_t offset;      /* from the symbol's start */
};

/* The data symbol (STT_OBJECT) at offset off (address - load bias) of module
 * (an index into m->modules). Strings live as long as s. Returns 0 (out
 * zeroed but for module when nothing is known) or -ENOMEM. */
int ms_symbolize_data(struct ms_symbolizer *s, uint32_t module, uint64_t off, struct ms_datasym *out);
/* The same for an absolute address at time ts (the module loaded then). */
int ms_symbolize_data_addr(struct ms_symbolizer *s, uint64_t addr, uint64_t ts, struct ms_datasym *out);
/* The C++ class whose vtable first_word points into ("Derived", "ns::T<int>"),
 * or NULL when it is no vtable. */
const char *ms_symbolize_type(struct ms_symbolizer *s, uint64_t first_word, uint64_t ts);

/* Debug information opened ahead. A symbolizer's first lookup in a module
 * opens its file and has libdw decompress all of its debug sections: with
 * Debian's compressed debug files that is most of a report's symbolization
 * (libc's alone, ~50 ms). While a trace replays, a thread of its own does
 * it, on the core the replay leaves free, for each module in turn as the
 * first stack that points into it arrives.
 *  1. m.warm = ms_symwarm_new() before ms_replay_file (NULL: no warm-up);
 *  2. the replay hands it each module (ms_symwarm_add);
 *  3. ms_symbolizer_new(&m) stops it after the file in hand, and takes the
 *     files it opened;
 *  4. ms_model_release(&m) frees it (ms_symwarm_free). */
struct ms_symwarm;

/* NULL when out of memory or no thread can be started. */
struct ms_symwarm *ms_symwarm_new(void);
/* Queues a module's file (copied); a file already queued is skipped.
 * Returns 0 or -ENOMEM. */
int ms_symwarm_add(struct ms_symwarm *w, const char *path, const uint8_t *build_id, size_t build_id_len);
void ms_symwarm_free(struct ms_symwarm *w);

/* The basename of a path (no allocation). */
const char *ms_basename(const char *path);

#endif
