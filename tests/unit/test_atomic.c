/* Replacing a file whole: links planted where a temporary may be created
 * never redirect the write, and temporaries of dead processes are swept. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/atomic.h"
#include "lede/cache.h"
#include "lede/util.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/lede-atomic-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(atomic, .init = setup, .fini = teardown);

static const char VICTIM[] = "the victim's own text\n";

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void commit_empty_cache(const char *cpath)
{
	struct cache_writer *w = cache_writer_new();
	char *err = NULL;
	cr_assert_eq(cache_writer_commit(w, cpath, &err), 0, "%s", err ? err : "");
	cache_writer_free(w);
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err ? err : "no cache");
	cache_close(c);
}

/* A symbolic link at the name the temporary used to have (PATH.tmp.PID),
 * and at names one might guess: the cache is written all the same, and
 * what the links point at is untouched. */
Test(atomic, cache_write_ignores_planted_symlinks)
{
	char *cpath = in_dir("c.cache"), *victim = in_dir("victim");
	write_text(victim, VICTIM);
	char *plants[] = {xasprintf("%s.tmp.%ld", cpath, (long)getpid()),
			  xasprintf("%s.tmp.%ld.0", cpath, (long)getpid()),
			  xasprintf("%s.tmp", cpath)};
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(symlink(victim, plants[i]), 0);
	commit_empty_cache(cpath);
	char *text = slurp(victim, NULL);
	cr_assert_str_eq(text, VICTIM);
	free(text);
	struct stat st;
	cr_assert_eq(lstat(cpath, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	for (size_t i = 0; i < 3; i++)
		free(plants[i]);
	free(victim);
	free(cpath);
}

/* A hard link at the old temporary name would have been truncated and
 * written through, changing the file it shares an inode with. */
Test(atomic, cache_write_ignores_a_planted_hard_link)
{
	char *cpath = in_dir("c.cache"), *victim = in_dir("victim");
	write_text(victim, VICTIM);
	char *plant = xasprintf("%s.tmp.%ld", cpath, (long)getpid());
	cr_assert_eq(link(victim, plant), 0);
	commit_empty_cache(cpath);
	char *text = slurp(victim, NULL);
	cr_assert_str_eq(text, VICTIM);
	free(text);
	free(plant);
	free(victim);
	free(cpath);
}

static size_t count_prefixed(const char *prefix)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/* Temporaries of a process that died mid-write are removed by the next
 * write; those of live processes, and fresh ones, are left alone. */
Test(atomic, stale_temporaries_of_dead_processes_are_removed)
{
	char *cpath = in_dir("c.cache");
	long dead = dead_pid();
	char *old_style = xasprintf("%s.tmp.%ld", cpath, dead);
	char *new_style = xasprintf("%s.tmp.%ld.0123456789abcdef", cpath, dead);
	char *fresh = xasprintf("%s.tmp.%ld.1111111111111111", cpath, dead);
	char *alive = xasprintf("%s.tmp.%ld.2222222222222222", cpath, (long)getppid());
	char *ancient = xasprintf("%s.tmp.%ld.3333333333333333", cpath, (long)getppid());
	char *other = in_dir("d.cache.tmp.1");
	const char *all[] = {old_style, new_style, fresh, alive, ancient, other};
	for (size_t i = 0; i < 6; i++)
		write_text(all[i], "half a cache");
	age_file(old_style, 3600);
	age_file(new_style, 3600);
	age_file(alive, 3600);
	age_file(other, 3 * 24 * 3600);
	age_file(ancient, 3 * 24 * 3600);
	commit_empty_cache(cpath);
	cr_assert_neq(access(old_style, F_OK), 0, "the old-style temporary of a dead PID stays");
	cr_assert_neq(access(new_style, F_OK), 0, "the temporary of a dead PID stays");
	cr_assert_neq(access(ancient, F_OK), 0, "a temporary untouched for days stays");
	cr_assert_eq(access(fresh, F_OK), 0, "a temporary written a moment ago was removed");
	cr_assert_eq(access(alive, F_OK), 0, "a live process's temporary was removed");
	cr_assert_eq(access(other, F_OK), 0, "another file's temporary was removed");
	for (size_t i = 0; i < 6; i++)
		free((char *)all[i]);
	free(cpath);
}

/* The helper itself: a name taken by anything makes it draw another, and
 * nothing is left behind by a commit or an abort. */
Test(atomic, begin_commit_abort)
{
	char *p = in_dir("f");
	struct atomic_file af;
	cr_assert_eq(atomic_begin(&af, p), 0);
	cr_assert_eq(atomic_write(&af, "one\n", 4), 0);
	cr_assert_eq(atomic_commit(&af), 0);
	cr_assert_eq(atomic_begin(&af, p), 0);
	cr_assert_eq(atomic_write(&af, "two\n", 4), 0);
	atomic_abort(&af);
	char *text = slurp(p, NULL);
	cr_assert_str_eq(text, "one\n");
	free(text);
	cr_assert_eq(count_prefixed("f.tmp."), 0);
	char *missing = in_dir("no/such/dir/f");
	cr_assert_eq(atomic_begin(&af, missing), -1);
	cr_assert_eq(errno, ENOENT);
	free(missing);
	free(p);
}

/* An unnamed file given a name: whole, mode 0600, over what was there,
 * no temporary left; and one that lost its name (no O_TMPFILE) too, its
 * bytes copied. */
Test(atomic, publish_scratch)
{
	char *p = in_dir("f");
	write_text(p, "old\n");
	int fd = atomic_scratch(p);
	cr_assert_geq(fd, 0, "%s", strerror(errno));
	cr_assert_eq(atomic_write_fd(fd, "one\n", 4), 0);
	cr_assert_eq(count_prefixed("f."), 0, "the scratch has a name");
	cr_assert_eq(atomic_publish_scratch(fd, p), 0, "%s", strerror(errno));
	close(fd);
	char *text = slurp(p, NULL);
	cr_assert_str_eq(text, "one\n");
	free(text);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(count_prefixed("f.tmp."), 0);

	char *gone = in_dir("gone");
	fd = open(gone, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(unlink(gone), 0);
	cr_assert_eq(atomic_write_fd(fd, "two\n", 4), 0);
	cr_assert_eq(atomic_publish_scratch(fd, p), 0, "%s", strerror(errno));
	close(fd);
	text = slurp(p, NULL);
	cr_assert_str_eq(text, "two\n");
	free(text);
	cr_assert_eq(count_prefixed("f.tmp."), 0);
	cr_assert_eq(count_prefixed("gone"), 0);
	free(gone);
	free(p);
}

/* The lock file is never opened through a symbolic link. */
Test(atomic, lock_refuses_a_symlink)
{
	char *victim = in_dir("victim"), *lock = in_dir("marks.lock");
	write_text(victim, VICTIM);
	cr_assert_eq(symlink(victim, lock), 0);
	cr_assert_eq(atomic_lock(lock, LOCK_EX), -1);
	cr_assert_eq(errno, ELOOP);
	char *plain = in_dir("plain.lock");
	int fd = atomic_lock(plain, LOCK_EX);
	cr_assert_geq(fd, 0);
	close(fd);
	free(plain);
	free(lock);
	free(victim);
}
