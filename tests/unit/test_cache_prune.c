/* The cache directory keeps at most CACHE_KEEP cache files, one per set
 * of roots: twenty archives loaded one after another leave the most
 * recently used; a cache used (opened, not rewritten) counts as used; the
 * current run's own cache is kept whatever the others' times; files not
 * of lede's naming are never touched.
 *
 * The times of the caches already there are set by the test (access time
 * only, as lede marks a use), so that the order does not rest on how fast
 * the runs follow each other. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/util.h"

enum { NARCHIVES = 20, OLD_SEC = 1600000000 };

static char *tmp, *cachedir, *cache_env;
/* The cache file each archive's first run wrote (a bare name). */
static char *names[NARCHIVES];

static char *archive_of(int i)
{
	return xasprintf("%s/a%02d", tmp, i);
}

/* Twenty archives of one old article each. */
static void setup(void)
{
	tmp = temp_dir("cache-prune");
	cachedir = xasprintf("%s/cache/lede", tmp);
	char *home = xasprintf("%s/cache", tmp);
	cr_assert(mkdir(home, 0700) == 0 && mkdir(cachedir, 0700) == 0);
	cache_env = xasprintf("XDG_CACHE_HOME=%s", home);
	free(home);
	size_t len;
	char *seed = slurp("seeds/000_05f876dcdba3f9f7.txt", &len);
	for (int i = 0; i < NARCHIVES; i++) {
		char *dir = archive_of(i);
		cr_assert(mkdir(dir, 0700) == 0);
		char *file = xasprintf("%s/article.txt", dir);
		write_text(file, seed);
		age_file(file, 100000);
		free(file);
		free(dir);
	}
	free(seed);
	wait_until_not_racy();
}

static void teardown(void)
{
	for (int i = 0; i < NARCHIVES; i++) {
		free(names[i]);
		names[i] = NULL;
	}
	if (tmp)
		temp_dir_free(tmp);
	free(cachedir);
	free(cache_env);
	tmp = cachedir = cache_env = NULL;
}

TestSuite(cache_prune, .init = setup, .fini = teardown, .timeout = 120);

static bool present(const char *name)
{
	char *p = xasprintf("%s/%s", cachedir, name);
	struct stat st;
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

/* A cache file of lede's naming: 16 lowercase hex digits, ".cache", a
 * regular file. */
static bool lede_cache(const char *name)
{
	if (strlen(name) != 22 || strcmp(name + 16, ".cache"))
		return false;
	for (int i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	char *p = xasprintf("%s/%s", cachedir, name);
	struct stat st;
	bool r = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return r;
}

/* The number of lede's cache files in the directory. */
static size_t count_caches(void)
{
	DIR *d = opendir(cachedir);
	cr_assert_not_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += lede_cache(e->d_name);
	closedir(d);
	return n;
}

/* A cache file not among names[0..upto). */
static char *new_cache(int upto)
{
	DIR *d = opendir(cachedir);
	cr_assert_not_null(d);
	char *found = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!lede_cache(e->d_name))
			continue;
		bool known = false;
		for (int i = 0; i < upto && !known; i++)
			known = names[i] && strcmp(names[i], e->d_name) == 0;
		if (!known) {
			cr_assert_null(found, "two new caches: %s and %s", found, e->d_name);
			found = xstrdup(e->d_name);
		}
	}
	closedir(d);
	return found;
}

/* A use of name at sec (its access time; its modification time kept). */
static void set_used(const char *name, time_t sec)
{
	char *p = xasprintf("%s/%s", cachedir, name);
	struct timespec t[2] = {{sec, 0}, {0, UTIME_OMIT}};
	cr_assert(utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW) == 0, "%s: %s", p,
		  strerror(errno));
	free(p);
}

static void load(int i)
{
	char *dir = archive_of(i);
	const char *env[] = {cache_env, "TZ=UTC", NULL};
	struct run r;
	run_lede(&r, (const char *[]){"--list", dir, NULL}, env);
	cr_assert_eq(r.status, 0, "lede --list %s: %s", dir, r.err);
	run_free(&r);
	free(dir);
}

/* Archive i loaded for the first time: its cache is written, found, and
 * given the use time sec. */
static void load_first(int i, time_t sec)
{
	load(i);
	names[i] = new_cache(i);
	cr_assert_not_null(names[i], "archive %d wrote no cache", i);
	set_used(names[i], sec);
}

Test(cache_prune, twenty_archives_leave_the_most_recently_used)
{
	for (int i = 0; i < NARCHIVES; i++) {
		load_first(i, OLD_SEC + i);
		cr_assert_leq(count_caches(), CACHE_KEEP, "after %d archives", i + 1);
	}
	cr_assert_eq(count_caches(), CACHE_KEEP);
	for (int i = 0; i < NARCHIVES; i++)
		cr_assert_eq(present(names[i]), i >= NARCHIVES - CACHE_KEEP, "archive %d's cache %s",
			     i, names[i]);
}

/* A warm start rewrites nothing, but opening its cache is a use. The
 * caches' access times are set after their last change and in the past,
 * so that the kernel's own update on a read (relatime's) does not happen
 * and only lede's mark can make the first the most recent. */
Test(cache_prune, a_cache_used_counts_as_recent)
{
	for (int i = 0; i < CACHE_KEEP; i++)
		load_first(i, OLD_SEC + i);
	struct timespec base;
	clock_gettime(CLOCK_REALTIME, &base);
	for (int i = 0; i < CACHE_KEEP; i++) {
		char *p = xasprintf("%s/%s", cachedir, names[i]);
		struct timespec t[2] = {{base.tv_sec + 1, i * 1000000L}, {0, UTIME_OMIT}};
		cr_assert(utimensat(AT_FDCWD, p, t, 0) == 0);
		free(p);
	}
	wait_until_not_racy();
	struct stat before, after;
	char *p0 = xasprintf("%s/%s", cachedir, names[0]);
	cr_assert(stat(p0, &before) == 0);
	load(0);
	cr_assert(stat(p0, &after) == 0);
	cr_assert_eq(before.st_ino, after.st_ino, "the warm start rewrote the cache");
	cr_assert_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec, "a use moved the write time");
	cr_assert_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec, "a use moved the write time");
	cr_assert_gt(after.st_atim.tv_sec, base.tv_sec + 1, "the use was not marked");
	free(p0);
	load_first(CACHE_KEEP, OLD_SEC + 100);
	cr_assert(present(names[0]), "the cache used last was removed");
	cr_assert(!present(names[1]), "the least recently used was kept");
	cr_assert_eq(count_caches(), CACHE_KEEP);
}

/* The current run's cache is kept even when every other is "newer". */
Test(cache_prune, the_current_run_keeps_its_own_cache)
{
	time_t future = time(NULL) + 100000;
	for (int i = 0; i < CACHE_KEEP; i++)
		load_first(i, future + i);
	load(CACHE_KEEP);
	char *own = new_cache(CACHE_KEEP);
	cr_assert_not_null(own, "the current run's cache was removed");
	cr_assert_eq(count_caches(), CACHE_KEEP);
	cr_assert(!present(names[0]), "the oldest other was kept");
	for (int i = 1; i < CACHE_KEEP; i++)
		cr_assert(present(names[i]), "archive %d's cache", i);
	free(own);
}

/* Only lede's own names are pruned: others, temporaries of a write in
 * progress, a directory and a link of the pattern are left alone. */
Test(cache_prune, other_files_are_left_alone)
{
	static const char *const others[] = {
		"notes.txt",
		"ABCDEF0123456789.cache",
		"0123456789abcdef.cache.tmp.1.0123456789abcdef",
		"0123456789abcde.cache",
		"0123456789abcdef0.cache",
	};
	size_t nothers = sizeof others / sizeof *others;
	for (size_t k = 0; k < nothers; k++) {
		char *p = xasprintf("%s/%s", cachedir, others[k]);
		write_text(p, "not a cache\n");
		age_file(p, 1000000);
		free(p);
	}
	char *sub = xasprintf("%s/1111111111111111.cache", cachedir);
	cr_assert(mkdir(sub, 0700) == 0);
	char *link = xasprintf("%s/2222222222222222.cache", cachedir);
	cr_assert(symlink("notes.txt", link) == 0);
	for (int i = 0; i < NARCHIVES; i++)
		load_first(i, OLD_SEC + i);
	for (size_t k = 0; k < nothers; k++)
		cr_assert(present(others[k]), "%s was removed", others[k]);
	struct stat st;
	cr_assert(lstat(sub, &st) == 0 && S_ISDIR(st.st_mode), "the directory was removed");
	cr_assert(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link was removed");
	free(sub);
	free(link);
}
