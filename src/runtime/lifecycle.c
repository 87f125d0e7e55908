/* Process lifecycle: initialization (constructor, or the first hook if
 * another library allocates earlier), fork, exec, exit and _exit. The
 * program must behave exactly as without memscope: nothing here prints to
 * stdout, changes signal handling or exit status. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/arena.h"
#include "runtime/clock.h"
#include "runtime/rt.h"
#include "runtime/snap.h"
#include "runtime/sys.h"

_Atomic int ms_rt_state;
uint32_t ms_rt_gen = 1;
pid_t ms_rt_pid;

static int exit_status;



/* ---- fork ---- */

static void fork_prepare(void)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY)
		return;
	ms_rt_threads_fork_prepare();
	ms_rt_modules_lock();
	ms_rt_writer_fork_prepare();
	ms_rt_arena_lock();
}

static void fork_parent(void)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY)
		return;
	ms_rt_arena_unlock();
	ms_rt_writer_fork_parent();
	ms_rt_modules_unlock();
	ms_rt_threads_fork_parent();
}

static void fork_child(void)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY)
		return;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	ms_rt_arena_unlock();
	ms_stacktab_fork_child();
	ms_rt_writer_fork_child();
	ms_rt_modules_unlock();
	ms_rt_threads_fork_child();
	ms_rt_pid = getpid();
	ms_rt_gen++; /* a new file: every stack must be defined again */
	if (ms_rt_writer_open(MS_HDR_FORKED)) {
		atomic_store(&ms_rt_state, MS_ST_DISABLED);
	} else {
		ms_rt_statspage_fork_child();
		tl->foreign = 0;
		struct ms_tstate *t = ms_rt_thread_get();
		if (t)
			ms_rt_redeclare_live(t);
		tl->foreign = 1;
		ms_rt_writer_start();
	}
	tl->guard = g;
	tl->foreign = f;
}

/* ---- init ---- */

int ms_rt_init(void)
{
	for (;;) {
		int s = atomic_load(&ms_rt_state);
		if (s == MS_ST_READY)
			return 1;
		if (s == MS_ST_DISABLED)
			return 0;
		if (s == MS_ST_INIT) {
			if (ms_rt_tls.guard)
				return 0; /* our own nested call */
			sched_yield();
			continue;
		}
		if (atomic_compare_exchange_strong(&ms_rt_state, &s, MS_ST_INIT))
			break;
	}
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	int errno_saved = errno;
	ms_rt_resolve_real();
	ms_rt_options_load();
	if (!ms_rt_wanted()) { /* linked with -lmemscope, not run under memscope: inert */
		atomic_store(&ms_rt_state, MS_ST_DISABLED);
		errno = errno_saved;
		tl->guard = g;
		tl->foreign = f;
		return 0;
	}
	ms_rt_environ_fixup();
	ms_rt_clock_init();
	ms_rt_pid = getpid();
	int ok = !ms_stacktab_init() && !ms_livetab_init();
	if (ok) {
		ms_rt_unwind_init();
		ms_rt_thread_key_init();
		pthread_atfork(fork_prepare, fork_parent, fork_child);
		ok = !ms_rt_writer_open(ms_rt_opt.post_exec ? MS_HDR_POST_EXEC : 0);
	}
	if (ok)
		ms_rt_statspage_open();
	atomic_store(&ms_rt_state, ok ? MS_ST_READY : MS_ST_DISABLED);
	if (ok)
		ms_rt_writer_start();
	errno = errno_saved;
	tl->guard = g;
	tl->foreign = f;
	return ok;
}

__attribute__((constructor)) static void ms_rt_ctor(void) { ms_rt_init(); }

/* ---- exit ---- */

void ms_rt_exit_status(int status) { exit_status = status; }

static int only_thread(void)
{
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[4096];
	int n = 0;
	long r;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < r;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] != '.')
				n++;
			off += d->d_reclen;
		}
	}
	close(fd);
	return n == 1;
}

/* Runs after the program's atexit handlers and static destructors: we are
 * first in load order, so our ELF destructor is among the last. */
__attribute__((destructor)) static void ms_rt_dtor(void)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY || getpid() != ms_rt_pid)
		return;
	struct ms_tls *tl = &ms_rt_tls;
	/* Joining the writer may push a program thread's cached stack out of
	 * glibc's stack cache, freeing its DTV: a program free, so no guard. */
	ms_rt_snap_stop(); /* the control thread too, before only_thread() */
	ms_rt_writer_stop();
	tl->guard = 1;
	tl->foreign = 1;
	ms_rt_statspage_remove();
	if (only_thread()) {
		/* Like valgrind: give back libc's and libstdc++'s process-lifetime
		 * memory (stdio buffers, the 72 KiB emergency EH pool) so that it
		 * does not show as leaked. The lookups are ours (dlsym may allocate
		 * an error string); the frees are the program's and are recorded. */
		void (*libc_fr)(void), (*cxx_fr)(void);
		*(void **)&libc_fr = dlsym(RTLD_DEFAULT, "__libc_freeres");
		*(void **)&cxx_fr = dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
		tl->guard = 0;
		tl->foreign = 0;
		if (libc_fr)
			libc_fr();
		if (cxx_fr)
			cxx_fr();
	}
	tl->guard = 1;
	/* the exit snapshot: leak classes for the whole run */
	ms_rt_snapshot(MS_SNAP_EXIT, "exit", (uintptr_t)__builtin_frame_address(0));
	ms_rt_writer_end(MS_END_EXIT, exit_status);
	tl->guard = 0;
}

void ms_rt_on__exit(int status)
{
	if (atomic_load(&ms_rt_state) != MS_ST_READY || getpid() != ms_rt_pid)
		return; /* a vfork child shares our memory: touch nothing */
	ms_rt_tls.guard = 1;
	ms_rt_tls.foreign = 1;
	ms_rt_statspage_remove();
	/* memcheck checks leaks at _exit too: the exit snapshot, without the
	 * freeres that exit() gets (it would flush stdio: a visible change) */
	ms_rt_snapshot(MS_SNAP_EXIT, "exit", (uintptr_t)__builtin_frame_address(0));
	ms_rt_snap_unlink();
	ms_rt_writer_end(MS_END__EXIT, status);
}

void ms_rt_on_abort(void)
{
	struct ms_tls *tl = &ms_rt_tls;
	if (atomic_load(&ms_rt_state) != MS_ST_READY || getpid() != ms_rt_pid || tl->guard)
		return;
	int e = errno;
	tl->guard = 1;
	tl->foreign = 1;
	ms_rt_statspage_remove();
	ms_rt_snap_unlink();
	ms_rt_writer_end(MS_END_ABORT, SIGABRT);
	/* a SIGABRT handler may longjmp and go on: unrecorded, but unharmed */
	tl->guard = 0;
	tl->foreign = 0;
	errno = e;
}

/* ---- exec ---- */

char **ms_rt_exec_prepare(const char *path, char *const *envp, int *prepared)
{
	*prepared = 0;
	if (atomic_load(&ms_rt_state) != MS_ST_READY || getpid() != ms_rt_pid)
		return NULL;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	ms_rt_writer_exec_begin(path ? path : "");
	ms_rt_statspage_remove(); /* the new image creates its own */
	*prepared = 1;
	char **env = ms_rt_opt.follow ? ms_rt_env_with_post_exec(envp) : NULL;
	tl->guard = g;
	tl->foreign = f;
	return env;
}

void ms_rt_exec_failed(char **newenv, int prepared)
{
	int e = errno;
	struct ms_tls *tl = &ms_rt_tls;
	uint8_t g = tl->guard, f = tl->foreign;
	tl->guard = 1;
	tl->foreign = 1;
	if (prepared) {
		ms_rt_writer_exec_failed();
		ms_rt_statspage_open();
	}
	ms_rt_free(newenv);
	tl->guard = g;
	tl->foreign = f;
	errno = e;
}
