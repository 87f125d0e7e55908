/* The monitor's side of the stats page (src/proc/statsread.c): the test
 * plays the runtime, creating the page of its own pid as
 * src/trace/statspage.h says, and checks what the reader accepts, refuses,
 * and that snapshots are consistent while a writer publishes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mon_assert.h"
#include "proc/procfs.h"
#include "proc/statsread.h"

static char name[64];
static struct ms_statspage *page;
static uint64_t starttime;

static void create_page(mode_t mode, off_t size)
{
	shm_unlink(name);
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ_I64(ftruncate(fd, size), 0);
	ASSERT_EQ_I64(fchmod(fd, mode), 0); /* not subject to the umask */
	page = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(page != MAP_FAILED);
	close(fd);
	page->version = MS_STATSPAGE_VERSION;
	page->size = sizeof(*page);
	page->pid = (uint32_t)getpid();
	page->starttime = starttime;
	__atomic_store_n(&page->magic, MS_STATSPAGE_MAGIC, __ATOMIC_RELEASE);
}

static void drop_page(void)
{
	munmap(page, sizeof(*page));
	shm_unlink(name);
}

static int open_now(void)
{
	struct ms_statsread r;
	int rc = ms_statsread_open(&r, getpid(), geteuid(), starttime);
	ms_statsread_close(&r);
	return rc;
}

/* The runtime's publish step (statspage.h, writer's step 2). */
static void publish(uint64_t blocks)
{
	uint64_t g = __atomic_load_n(&page->generation, __ATOMIC_RELAXED);
	__atomic_store_n(&page->generation, g + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&page->live_blocks, blocks, __ATOMIC_RELAXED);
	__atomic_store_n(&page->live_bytes, blocks * 48, __ATOMIC_RELAXED);
	__atomic_store_n(&page->total_allocs, blocks * 2, __ATOMIC_RELAXED);
	__atomic_store_n(&page->total_frees, blocks, __ATOMIC_RELAXED);
	__atomic_store_n(&page->generation, g + 2, __ATOMIC_RELEASE);
}

static volatile int stop;

static void *writer(void *arg)
{
	for (uint64_t b = 1; !stop; b++)
		publish(b);
	return arg;
}

static void test_read_and_consistency(void)
{
	create_page(0600, sizeof(struct ms_statspage));
	publish(10);
	struct ms_statsread r;
	ASSERT_EQ_I64(ms_statsread_open(&r, getpid(), geteuid(), starttime), 0);
	struct ms_stats_snapshot s;
	ASSERT_EQ_I64(ms_statsread_get(&r, &s), 0);
	ASSERT_EQ_U64(s.live_blocks, 10);
	ASSERT_EQ_U64(s.live_bytes, 480);
	ASSERT_EQ_U64(s.total_allocs, 20);
	ASSERT_EQ_U64(s.total_frees, 10);
	ASSERT_EQ_U64(s.generation, 2);
	/* While another thread publishes, no snapshot mixes two publishes. */
	pthread_t t;
	ASSERT_EQ_I64(pthread_create(&t, NULL, writer, NULL), 0);
	int ok = 0;
	for (int i = 0; i < 200000; i++) {
		if (ms_statsread_get(&r, &s) != 0)
			continue;
		ASSERT_EQ_U64(s.live_bytes, s.live_blocks * 48);
		ASSERT_EQ_U64(s.total_allocs, s.live_blocks * 2);
		ASSERT_EQ_U64(s.total_frees, s.live_blocks);
		ASSERT_TRUE(s.generation % 2 == 0);
		ok++;
	}
	stop = 1;
	pthread_join(t, NULL);
	ASSERT_TRUE(ok > 0);
	ms_statsread_close(&r);
	ms_statsread_close(&r); /* closing twice is harmless */
	drop_page();
}

static void test_refusals(void)
{
	shm_unlink(name);
	ASSERT_EQ_I64(open_now(), -ENOENT); /* not under memscope */

	create_page(0622, sizeof(struct ms_statspage)); /* others may write: forged? */
	ASSERT_EQ_I64(open_now(), -EPERM);
	drop_page();

	create_page(0600, sizeof(struct ms_statspage));
	struct ms_statsread r;
	ASSERT_EQ_I64(ms_statsread_open(&r, getpid(), geteuid() + 1, starttime), -EPERM); /* not its user */
	page->pid = (uint32_t)getpid() + 1;
	ASSERT_EQ_I64(open_now(), -ESTALE);
	page->pid = (uint32_t)getpid();
	page->starttime = starttime + 1; /* an older process with this pid */
	ASSERT_EQ_I64(open_now(), -ESTALE);
	page->starttime = starttime;
	page->version = 99;
	ASSERT_EQ_I64(open_now(), -EPROTO);
	page->version = MS_STATSPAGE_VERSION;
	page->magic = 0;
	ASSERT_EQ_I64(open_now(), -EPROTO);
	drop_page();

	create_page(0600, 64); /* too small to hold the struct */
	ASSERT_EQ_I64(open_now(), -EPROTO);
	shm_unlink(name);
	struct ms_statsread closed = {0};
	struct ms_stats_snapshot s;
	ASSERT_EQ_I64(ms_statsread_get(&closed, &s), -EBADF);
}

int main(void)
{
	snprintf(name, sizeof(name), MS_STATSPAGE_NAME_FMT, (int)getpid());
	ASSERT_EQ_I64(ms_proc_read_stat(getpid(), NULL, NULL, NULL, NULL, &starttime), 0);
	test_read_and_consistency();
	test_refusals();
	return 0;
}
