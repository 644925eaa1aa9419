/* atomic: fresh temporaries, rename, directory sync, stale sweeping. */
#define _GNU_SOURCE /* O_DIRECTORY, O_NOFOLLOW */
#include "lede/atomic.h"
#include "lede/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lede/util.h"

/* How long a dead process's temporary is left alone, and how long anyone's. */
enum { STALE_DEAD_SECONDS = 60, STALE_ANY_SECONDS = 24 * 60 * 60 };

int atomic_write_fd(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* 64 unpredictable bits: the name must not be guessable ahead of time. The
 * clock and a counter stand in should the kernel refuse. */
static uint64_t random_bits(void)
{
	uint64_t v;
	if (compat_random(&v, sizeof v) == 0)
		return v;
	static uint64_t counter;
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	v = ((uint64_t)t.tv_sec << 30) ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 40) ^
	    ++counter * 0x9e3779b97f4a7c15ull;
	return v;
}

/* The directory of path ("." for a bare name). Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

int atomic_sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (dfd < 0)
		return -1;
	int r = fsync(dfd);
	int e = errno;
	close(dfd);
	errno = e;
	return r;
}

/* The PID in a temporary's name after "BASE.tmp.", or 0 when the rest is
 * not "DIGITS" (as older versions named them) or "DIGITS.RANDOM" as
 * atomic_begin draws it: a user's "marks.tmp.1.notes" is not ours. */
static long temp_pid(const char *rest)
{
	long pid = 0;
	const char *p = rest;
	for (; *p >= '0' && *p <= '9' && pid < 1L << 30; p++)
		pid = pid * 10 + (*p - '0');
	if (p == rest)
		return 0;
	if (!*p)
		return pid;
	if (*p++ != '.' || strlen(p) != 16)
		return 0;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return pid;
}

static bool stale(int dfd, const char *name, long pid)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
		return false;
	time_t age = time(NULL) - st.st_mtime;
	if (age > STALE_ANY_SECONDS)
		return true;
	/* kill(pid, 0) fails with ESRCH only when no such process exists;
	 * EPERM means it lives under another user. */
	bool dead = pid != (long)getpid() && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
	return dead && age > STALE_DEAD_SECONDS;
}

void atomic_sweep(const char *path)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	char *prefix = xasprintf("%s.tmp.", slash ? slash + 1 : path);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strncmp(e->d_name, prefix, plen))
				continue;
			long pid = temp_pid(e->d_name + plen);
			if (pid > 0 && stale(dirfd(d), e->d_name, pid))
				unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
	free(prefix);
	free(dir);
}

/* A fresh temporary beside path, "PATH.tmp.PID.RANDOM", opened with
 * flags: its descriptor and *tmp, or -1 with errno. EEXIST means
 * something, perhaps planted, holds the name: draw again. */
static int create_temp(const char *path, int flags, char **tmp)
{
	for (int tries = 0; tries < 16; tries++) {
		char *t = xasprintf("%s.tmp.%ld.%016llx", path, (long)getpid(),
				    (unsigned long long)random_bits());
		int fd = open(t, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			*tmp = t;
			return fd;
		}
		int e = errno;
		free(t);
		errno = e;
		if (e != EEXIST)
			return -1;
	}
	return -1;
}

int atomic_begin(struct atomic_file *af, const char *path)
{
	af->fd = -1;
	af->tmp = af->path = NULL;
	atomic_sweep(path);
	char *tmp;
	int fd = create_temp(path, O_WRONLY, &tmp);
	if (fd < 0)
		return -1;
	af->fd = fd;
	af->tmp = tmp;
	af->path = xstrdup(path);
	return 0;
}

int atomic_scratch(const char *path)
{
#ifdef O_TMPFILE
	char *dir = dir_of(path);
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(dir);
	if (fd >= 0)
		return fd;
#endif
	/* No O_TMPFILE here, or not on this file system: a temporary that
	 * atomic_sweep would take for a dead process's, unlinked at once. */
	char *tmp;
	int t = create_temp(path, O_RDWR, &tmp);
	if (t >= 0) {
		unlink(tmp);
		free(tmp);
	}
	return t;
}

int atomic_write(struct atomic_file *af, const void *data, size_t n)
{
	return atomic_write_fd(af->fd, data, n);
}

static void release(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	af->fd = -1;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	if (af->tmp)
		unlink(af->tmp);
	release(af);
}

/* Rename the temporary over the path, synced first when sync is set. */
static int commit(struct atomic_file *af, bool sync)
{
	int r = sync ? fsync(af->fd) : 0;
	int c = close(af->fd);
	af->fd = -1;
	if (r == 0 && c == 0)
		r = rename(af->tmp, af->path);
	else
		r = -1;
	if (r < 0) {
		int e = errno;
		atomic_abort(af);
		errno = e;
		return -1;
	}
	/* The rename is durable only once the directory is; a failure here
	 * leaves a whole file either way, so it is not an error. */
	if (sync)
		atomic_sync_dir(af->path);
	release(af);
	return 0;
}

int atomic_commit(struct atomic_file *af)
{
	return commit(af, true);
}

int atomic_commit_derived(struct atomic_file *af)
{
	return commit(af, false);
}

/* All of fd, from its start, to out. 0, or -1 with errno. */
static int copy_whole(int fd, int out)
{
	enum { PIECE = 1 << 20 };
	char *b = xmalloc(PIECE);
	off_t at = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = pread(fd, b, PIECE, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		if ((rc = atomic_write_fd(out, b, (size_t)n)) < 0)
			break;
		at += n;
	}
	int e = errno;
	free(b);
	errno = e;
	return rc;
}

int atomic_publish_scratch(int fd, const char *path)
{
	atomic_sweep(path);
#ifdef __linux__
	/* An O_TMPFILE file takes a name through its /proc link; one that
	 * had a name and lost it (the fallback of atomic_scratch) does not. */
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 16; tries++) {
		char *t = xasprintf("%s.tmp.%ld.%016llx", path, (long)getpid(),
				    (unsigned long long)random_bits());
		if (linkat(AT_FDCWD, proc, AT_FDCWD, t, AT_SYMLINK_FOLLOW) == 0) {
			int r = rename(t, path), e = errno;
			if (r < 0)
				unlink(t);
			free(t);
			errno = e;
			return r;
		}
		int e = errno;
		free(t);
		if (e != EEXIST)
			break;
	}
#endif
	struct atomic_file af;
	if (atomic_begin(&af, path) < 0)
		return -1;
	if (copy_whole(fd, af.fd) < 0) {
		int e = errno;
		atomic_abort(&af);
		errno = e;
		return -1;
	}
	return atomic_commit_derived(&af);
}

int atomic_lock(const char *lockpath, int op)
{
	/* A reader creates nothing: a shared lock is taken only on a lock file
	 * that a writer has made. O_NONBLOCK: a FIFO put at the name must not
	 * hold the open until some writer comes (flock still waits). */
	int flags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd = op == LOCK_SH ? open(lockpath, O_RDONLY | flags)
			       : open(lockpath, O_RDWR | O_CREAT | flags, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
