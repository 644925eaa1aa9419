/* compat: the non-POSIX calls of include/lede/compat.h, one definition each
 * per system family. */
#define _GNU_SOURCE /* pipe2, qsort_r, getrandom */
#include "lede/compat.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <sys/random.h>
#elif defined(__FreeBSD__) || defined(__DragonFly__) || defined(__NetBSD__)
#include <sys/sysctl.h>
#endif

int compat_pipe_cloexec(int fds[2])
{
#if defined(__APPLE__)
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
#else
	return pipe2(fds, O_CLOEXEC);
#endif
}

#if defined(__GLIBC__) || defined(__linux__)
void compat_qsort_r(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *, void *), void *arg)
{
	qsort_r(base, n, size, cmp, arg);
}
#else
/* The BSD order: the context first, to the call and to the comparison. */
struct qsort_thunk {
	int (*cmp)(const void *, const void *, void *);
	void *arg;
};

static int qsort_thunk_cmp(void *t, const void *a, const void *b)
{
	struct qsort_thunk *th = t;
	return th->cmp(a, b, th->arg);
}

void compat_qsort_r(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *, void *), void *arg)
{
	struct qsort_thunk th = {cmp, arg};
	qsort_r(base, n, size, &th, qsort_thunk_cmp);
}
#endif

int compat_random(void *buf, size_t n)
{
#if defined(__linux__)
	return getrandom(buf, n, GRND_NONBLOCK) == (ssize_t)n ? 0 : -1;
#else
	unsigned char *p = buf;
	while (n > 0) { /* getentropy gives at most 256 bytes a call */
		size_t k = n < 256 ? n : 256;
		if (getentropy(p, k) < 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
#endif
}

ssize_t compat_exe_path(char *buf, size_t size)
{
	if (size < 2)
		return -1;
#if defined(__linux__)
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
#elif defined(__APPLE__)
	uint32_t len = (uint32_t)size;
	if (_NSGetExecutablePath(buf, &len) != 0)
		return -1;
	return (ssize_t)strlen(buf);
#elif defined(__FreeBSD__) || defined(__DragonFly__) || defined(__NetBSD__)
#if defined(__NetBSD__)
	int mib[4] = {CTL_KERN, KERN_PROC_ARGS, -1, KERN_PROC_PATHNAME};
#else
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
#endif
	size_t len = size;
	if (sysctl(mib, 4, buf, &len, NULL, 0) < 0 || len < 2)
		return -1;
	buf[len - 1] = '\0';
	return (ssize_t)(len - 1);
#else
	(void)buf;
	return -1;
#endif
}

void compat_release_free_memory(void)
{
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
}

void compat_map_blocks_from(size_t n)
{
#if defined(__GLIBC__)
	(void)mallopt(M_MMAP_THRESHOLD, n > INT32_MAX ? INT32_MAX : (int)n);
#else
	(void)n;
#endif
}

#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* the pages then come by faults, as malloc's */
#endif

void *compat_map_prefaulted(size_t n)
{
	void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		/* as xmalloc does: there is no way on without the memory */
		fprintf(stderr, "lede: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *compat_map_huge(size_t n)
{
#if defined(MADV_HUGEPAGE) && defined(MADV_POPULATE_WRITE)
	enum { HUGE = 2u << 20 };
	if (n % HUGE == 0) {
		/* room to align in, the rest given back */
		unsigned char *m = mmap(NULL, n + HUGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			uintptr_t a = ((uintptr_t)m + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
			unsigned char *p = (unsigned char *)a;
			if (p > m)
				munmap(m, (size_t)(p - m));
			munmap(p + n, (size_t)(m + HUGE - p)); /* never empty: p < m + HUGE */
			(void)madvise(p, n, MADV_HUGEPAGE); /* else small pages */
			(void)madvise(p, n, MADV_POPULATE_WRITE);
			return p;
		}
	}
#endif
	return compat_map_prefaulted(n);
}

void compat_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a = (uintptr_t)p;
	uintptr_t start = (a + page - 1) / page * page, end = (a + n) / page * page;
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE); /* else by faults */
#else
	(void)p;
	(void)n;
#endif
}

void compat_map_release(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
	/* Linux drops the pages and refills them from the file on the next
	 * touch; other systems' MADV_DONTNEED may keep them, so nothing there */
	if (p && n)
		(void)madvise(p, n, MADV_DONTNEED);
#else
	(void)p;
	(void)n;
#endif
}

void compat_unmap(void *p, size_t n)
{
	if (p)
		munmap(p, n ? n : 1);
}

void compat_lower_thread_priority(void)
{
#if defined(__linux__)
	/* Linux gives each thread its own nice value, set through its id */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
}

void compat_child_signals(void)
{
	static const int sigs[] = {SIGINT,  SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN,
				   SIGTTOU, SIGCHLD, SIGHUP,  SIGTERM, SIGWINCH};
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
