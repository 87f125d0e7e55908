/* pprof export: a gzipped profile.proto message (github.com/google/pprof,
 * proto/profile.proto), encoded with export_pb.h. One sample per recorded
 * stack with four values, like Go's heap profiles: alloc_objects,
 * alloc_space, inuse_objects, inuse_space (inuse at exit or at the heap
 * peak). Every allocation is recorded, so the period is 1 byte.
 *
 * The message is built in memory: profile.proto lets repeated fields of
 * different numbers interleave, so functions and locations are appended as
 * they are first met, and the string table, whose indexes they use, last. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analysis/u64map.h"
#include "report/export.h"
#include "report/export_pb.h"
#include "report/export_strtab.h"

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3, PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12, PROFILE_COMMENT = 13, PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUETYPE_TYPE = 1, VALUETYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2,
	MAPPING_ID = 1, MAPPING_MEMORY_START = 2, MAPPING_MEMORY_LIMIT = 3, MAPPING_FILE_OFFSET = 4,
	MAPPING_FILENAME = 5, MAPPING_BUILD_ID = 6, MAPPING_HAS_FUNCTIONS = 7, MAPPING_HAS_FILENAMES = 8,
	MAPPING_HAS_LINE_NUMBERS = 9, MAPPING_HAS_INLINE_FRAMES = 10,
	LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1, LINE_LINE = 2,
	FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4,
};

/* A chained entry of the function and location tables: the u64map finds
 * the first entry of a key, `next` the others (same name or ip, another
 * file or module). Ids are index + 1 (0 means none in pprof). */
struct entry {
	const void *second; /* file (functions) or module (locations), interned */
	uint32_t next;
};

struct table {
	struct ms_u64map first;
	struct entry *e;
	size_t n, cap;
};

struct pprof {
	const struct ms_model *m;
	struct ms_pb prof, msg, line;
	struct ms_strtab strs;
	struct table fns, locs;
	struct ms_u64map mappings; /* module path (interned) -> mapping id */
	uint64_t next_mapping;
	uint64_t *ids;
	size_t cap_ids;
	bool oom;
};

/* The string's index in the table (NULL is ""). */
static uint64_t str(struct pprof *p, const char *s)
{
	int64_t i = ms_strtab_add(&p->strs, s ? s : "");
	if (i < 0) {
		p->oom = true;
		return 0;
	}
	return (uint64_t)i;
}

/* Finds (key, second) in t; adds it when absent, setting *added. Returns
 * the id (index + 1), or 0 when out of memory. */
static uint64_t table_get(struct pprof *p, struct table *t, uint64_t key, const void *second, bool *added)
{
	*added = false;
	uint32_t i = ms_u64map_get(&t->first, key), last = MS_U64MAP_NONE;
	for (; i != MS_U64MAP_NONE; i = t->e[i].next) {
		if (t->e[i].second == second)
			return (uint64_t)i + 1;
		last = i;
	}
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 1024;
		struct entry *e = realloc(t->e, c * sizeof(*e));
		if (!e)
			goto oom;
		t->e = e;
		t->cap = c;
	}
	i = (uint32_t)t->n++;
	t->e[i] = (struct entry){second, MS_U64MAP_NONE};
	if (last == MS_U64MAP_NONE) {
		if (ms_u64map_put(&t->first, key, i))
			goto oom;
	} else {
		t->e[last].next = i;
	}
	*added = true;
	return (uint64_t)i + 1;
oom:
	p->oom = true;
	return 0;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* The mapping id of a module path (interned by the symbolizer), written on
 * first use from the first loaded module of that path. */
static uint64_t mapping_id(struct pprof *p, const char *path)
{
	if (!path)
		return 0;
	uint32_t id = ms_u64map_get(&p->mappings, (uint64_t)(uintptr_t)path);
	if (id != MS_U64MAP_NONE)
		return id;
	const struct ms_module *mod = NULL;
	for (size_t i = 0; i < p->m->n_modules && !mod; i++)
		if (p->m->modules[i].path && !strcmp(p->m->modules[i].path, path))
			mod = &p->m->modules[i];
	uint64_t nid = ++p->next_mapping;
	if (ms_u64map_put(&p->mappings, (uint64_t)(uintptr_t)path, (uint32_t)nid)) {
		p->oom = true;
		return 0;
	}
	struct ms_pb *b = &p->msg;
	ms_pb_clear(b);
	ms_pb_uint(b, MAPPING_ID, nid);
	if (mod) {
		/* the file is mapped from offset 0 at its lowest segment in
		 * practice; pprof only needs it to symbolize again, which the
		 * has_* flags below tell it not to do */
		ms_pb_uint_nz(b, MAPPING_MEMORY_START, mod->lo);
		ms_pb_uint_nz(b, MAPPING_MEMORY_LIMIT, mod->hi);
	}
	ms_pb_uint_nz(b, MAPPING_FILENAME, str(p, path));
	if (mod && mod->build_id_len) {
		char *h = malloc(mod->build_id_len * 2 + 1);
		if (!h) {
			p->oom = true;
			return 0;
		}
		hex(h, mod->build_id, mod->build_id_len);
		ms_pb_uint_nz(b, MAPPING_BUILD_ID, str(p, h));
		free(h);
	}
	ms_pb_uint(b, MAPPING_HAS_FUNCTIONS, 1);
	ms_pb_uint(b, MAPPING_HAS_FILENAMES, 1);
	ms_pb_uint(b, MAPPING_HAS_LINE_NUMBERS, 1);
	ms_pb_uint(b, MAPPING_HAS_INLINE_FRAMES, 1);
	ms_pb_message(&p->prof, PROFILE_MAPPING, b);
	return nid;
}

static uint64_t function_id(struct pprof *p, const struct ms_frame *f)
{
	bool added;
	uint64_t id = table_get(p, &p->fns, (uint64_t)(uintptr_t)f->function, f->file, &added);
	if (added) {
		struct ms_pb *b = &p->msg;
		ms_pb_clear(b);
		ms_pb_uint(b, FUNCTION_ID, id);
		uint64_t name = str(p, f->function);
		ms_pb_uint_nz(b, FUNCTION_NAME, name);
		ms_pb_uint_nz(b, FUNCTION_SYSTEM_NAME, name);
		ms_pb_uint_nz(b, FUNCTION_FILENAME, str(p, f->file));
		ms_pb_message(&p->prof, PROFILE_FUNCTION, b);
	}
	return id;
}

/* The location of frames f[0..n): one address, the innermost inlined call
 * first and the function they were inlined into last, as pprof wants. */
static uint64_t location_id(struct pprof *p, const struct ms_frame *f, size_t n)
{
	bool added;
	uint64_t id = table_get(p, &p->locs, f[0].ip, f[0].module, &added);
	if (!added)
		return id;
	/* function ids first: a new function appends to prof, not to msg */
	uint64_t fids[n];
	for (size_t i = 0; i < n; i++)
		fids[i] = function_id(p, &f[i]);
	uint64_t map = mapping_id(p, f[0].module);
	struct ms_pb *b = &p->msg;
	ms_pb_clear(b);
	ms_pb_uint(b, LOCATION_ID, id);
	ms_pb_uint_nz(b, LOCATION_MAPPING_ID, map);
	ms_pb_uint_nz(b, LOCATION_ADDRESS, f[0].ip);
	for (size_t i = 0; i < n; i++) {
		ms_pb_clear(&p->line);
		ms_pb_uint_nz(&p->line, LINE_FUNCTION_ID, fids[i]);
		ms_pb_uint_nz(&p->line, LINE_LINE, f[i].line);
		ms_pb_message(b, LOCATION_LINE, &p->line);
	}
	ms_pb_message(&p->prof, PROFILE_LOCATION, b);
	return id;
}

static int add_sample(struct pprof *p, const struct ms_stack *s, const struct ms_frame *f, size_t nf,
                      enum ms_export_at at)
{
	if (nf > p->cap_ids) {
		uint64_t *ids = realloc(p->ids, nf * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		p->ids = ids;
		p->cap_ids = nf;
	}
	size_t n = 0;
	for (size_t i = 0; i < nf;) {
		size_t j = i;
		while (j + 1 < nf && f[j].inlined && f[j + 1].ip == f[i].ip)
			j++;
		p->ids[n++] = location_id(p, f + i, j - i + 1);
		i = j + 1;
	}
	uint64_t v[4] = {s->allocations, s->bytes_allocated, at == MS_AT_PEAK ? s->peak_blocks : s->live_blocks,
	                 at == MS_AT_PEAK ? s->peak_bytes : s->live_bytes};
	struct ms_pb *b = &p->msg;
	ms_pb_clear(b);
	ms_pb_packed(b, SAMPLE_LOCATION_ID, p->ids, n);
	ms_pb_packed(b, SAMPLE_VALUE, v, 4);
	ms_pb_message(&p->prof, PROFILE_SAMPLE, b);
	return p->oom ? -ENOMEM : 0;
}

static void value_type(struct pprof *p, uint32_t field, const char *type, const char *unit)
{
	ms_pb_clear(&p->msg);
	ms_pb_uint_nz(&p->msg, VALUETYPE_TYPE, str(p, type));
	ms_pb_uint_nz(&p->msg, VALUETYPE_UNIT, str(p, unit));
	ms_pb_message(&p->prof, field, &p->msg);
}

/* The header fields: sample types, period, times, comments. */
static void header(struct pprof *p, const struct ms_export_opts *o)
{
	const struct ms_model *m = p->m;
	str(p, ""); /* index 0 is always the empty string */
	value_type(p, PROFILE_SAMPLE_TYPE, "alloc_objects", "count");
	value_type(p, PROFILE_SAMPLE_TYPE, "alloc_space", "bytes");
	value_type(p, PROFILE_SAMPLE_TYPE, "inuse_objects", "count");
	value_type(p, PROFILE_SAMPLE_TYPE, "inuse_space", "bytes");
	value_type(p, PROFILE_PERIOD_TYPE, "space", "bytes");
	ms_pb_uint(&p->prof, PROFILE_PERIOD, 1);
	ms_pb_uint_nz(&p->prof, PROFILE_TIME_NANOS, m->hdr.start_realtime_ns);
	ms_pb_uint_nz(&p->prof, PROFILE_DURATION_NANOS, m->summary.wall_time_ns);
	ms_pb_uint(&p->prof, PROFILE_DEFAULT_SAMPLE_TYPE, str(p, "inuse_space"));
	char c[4200];
	snprintf(c, sizeof(c), "memscope export of %s%s%s", o->trace_path ? o->trace_path : "trace",
	         m->exe ? ": " : "", m->exe ? m->exe : "");
	ms_pb_uint(&p->prof, PROFILE_COMMENT, str(p, c));
	ms_pb_uint(&p->prof, PROFILE_COMMENT,
	           str(p, o->at == MS_AT_PEAK ? "inuse_objects, inuse_space: live at the heap peak"
	                                      : "inuse_objects, inuse_space: live at exit"));
	if (m->summary.truncated)
		ms_pb_uint(&p->prof, PROFILE_COMMENT, str(p, "the trace is incomplete: figures cover what was written"));
	if (m->hdr.sample_rate) {
		/* pprof's heap profiles scale objects too; a sample's count of
		 * calls is not recoverable from the trace's rounded weights for
		 * small blocks, so say what the counts are */
		snprintf(c, sizeof(c), "sampled trace, one sample per %u bytes on average: alloc_space and inuse_space "
		         "are estimates, alloc_objects and inuse_objects count samples, not calls", m->hdr.sample_rate);
		ms_pb_uint(&p->prof, PROFILE_COMMENT, str(p, c));
	}
}

/* Writes buf[0..n) gzipped (header without a name or a time: the same
 * profile gives the same bytes). */
static int gzip_write(FILE *out, const uint8_t *buf, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	uint8_t chunk[65536];
	int rc = 0, zrc;
	z.next_in = (Bytef *)buf;
	do {
		/* avail_in is 32 bits: feed at most 1 GiB at a time */
		size_t left = n - (size_t)(z.next_in - buf);
		z.avail_in = (uInt)(left > (1u << 30) ? (1u << 30) : left);
		int flush = left > z.avail_in ? Z_NO_FLUSH : Z_FINISH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			zrc = deflate(&z, flush);
			size_t have = sizeof(chunk) - z.avail_out;
			if (have && fwrite(chunk, 1, have, out) != have) {
				rc = -EIO;
				break;
			}
		} while (z.avail_out == 0 && rc == 0);
	} while (rc == 0 && zrc != Z_STREAM_END && zrc != Z_STREAM_ERROR);
	if (rc == 0 && zrc != Z_STREAM_END)
		rc = -ENOMEM;
	deflateEnd(&z);
	return rc;
}

static void pprof_release(struct pprof *p)
{
	ms_pb_release(&p->prof);
	ms_pb_release(&p->msg);
	ms_pb_release(&p->line);
	ms_strtab_release(&p->strs);
	ms_u64map_release(&p->fns.first);
	free(p->fns.e);
	ms_u64map_release(&p->locs.first);
	free(p->locs.e);
	ms_u64map_release(&p->mappings);
	free(p->ids);
}

int ms_export_pprof(FILE *out, const struct ms_model *m, struct ms_symbolizer *sym, const struct ms_export_opts *o)
{
	struct pprof p;
	memset(&p, 0, sizeof(p));
	p.m = m;
	ms_u64map_init(&p.fns.first);
	ms_u64map_init(&p.locs.first);
	ms_u64map_init(&p.mappings);
	header(&p, o);
	size_t n;
	uint32_t *order = ms_model_sort_stacks(m, MS_BY_BYTES, &n);
	int rc = !order && n ? -ENOMEM : 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ms_frame *f;
		size_t nf;
		rc = ms_symbolize_stack(sym, order[i], &f, &nf);
		if (!rc)
			rc = add_sample(&p, &m->stacks[order[i]], f, nf, o->at);
	}
	free(order);
	for (size_t i = 0; i < p.strs.n && !rc; i++)
		ms_pb_bytes(&p.prof, PROFILE_STRING_TABLE, p.strs.strs[i], strlen(p.strs.strs[i]));
	if (!rc && (p.oom || p.prof.failed || p.msg.failed || p.line.failed))
		rc = -ENOMEM;
	if (!rc)
		rc = gzip_write(out, p.prof.buf, p.prof.len);
	pprof_release(&p);
	return rc;
}
