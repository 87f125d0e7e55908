/* Size-class allocator over mmap for the runtime's own objects (see arena.h).
 * Each block has a 16-byte header holding its class (or its mapping size for
 * large blocks) so that ms_rt_free needs no size. */
#include "runtime/arena.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/spin.h"

#define MIN_SHIFT 4
#define MAX_SHIFT 18 /* 256 KiB: larger blocks get their own mapping */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)
#define SLAB (1u << 20)
#define HDR 16

struct hdr {
	uint64_t size; /* class block size, or mapping size when large */
	uint64_t large;
};

struct freeblk {
	struct freeblk *next;
};

static ms_spin lock = MS_SPIN_INIT;
static struct freeblk *freelist[NCLASS];
static uint8_t *bump, *bump_end;

void *ms_rt_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void ms_rt_unmap(void *p, size_t size) { munmap(p, size); }

static unsigned class_of(size_t total)
{
	unsigned c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < total)
		c++;
	return c;
}

void *ms_rt_alloc(size_t size)
{
	size_t total = size + HDR;
	if (total > ((size_t)1 << MAX_SHIFT)) {
		size_t len = (total + 4095) & ~(size_t)4095;
		struct hdr *h = ms_rt_map(len);
		if (!h)
			return NULL;
		h->size = len;
		h->large = 1;
		return (uint8_t *)h + HDR;
	}
	unsigned c = class_of(total);
	size_t bsz = (size_t)1 << (c + MIN_SHIFT);
	ms_spin_lock(&lock);
	struct hdr *h;
	if (freelist[c]) {
		h = (struct hdr *)freelist[c];
		freelist[c] = freelist[c]->next;
		ms_spin_unlock(&lock);
		memset(h, 0, bsz);
	} else {
		if ((size_t)(bump_end - bump) < bsz) {
			uint8_t *s = ms_rt_map(SLAB);
			if (!s) {
				ms_spin_unlock(&lock);
				return NULL;
			}
			bump = s; /* the tail of the old slab is abandoned */
			bump_end = s + SLAB;
		}
		h = (struct hdr *)bump;
		bump += bsz;
		ms_spin_unlock(&lock); /* fresh mmap memory is already zero */
	}
	h->size = bsz;
	h->large = 0;
	return (uint8_t *)h + HDR;
}

void ms_rt_free(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)((uint8_t *)p - HDR);
	if (h->large) {
		munmap(h, h->size);
		return;
	}
	unsigned c = class_of(h->size);
	ms_spin_lock(&lock);
	((struct freeblk *)h)->next = freelist[c];
	freelist[c] = (struct freeblk *)h;
	ms_spin_unlock(&lock);
}

void ms_rt_arena_lock(void) { ms_spin_lock(&lock); }
void ms_rt_arena_unlock(void) { ms_spin_unlock(&lock); }
