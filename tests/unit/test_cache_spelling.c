/* One archive reached by different spellings -- relative from one
 * directory, absolute, from inside it as ".", through a link to it, with a
 * trailing slash -- shares one cache file and every entry in it: after the
 * first load, each other spelling takes every file from the cache and
 * leaves the file as it is (same inode: the cache is only ever replaced
 * whole), while the paths shown and the problems keep the spelling typed.
 * The trust checks still see a file replaced behind a link.
 *
 * Each test has its own directory holding the cache home and an archive of
 * old-dated files, and waits out the cache's racy window after making it. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/store.h"
#include "lede/util.h"

enum { OLD_SEC = 1600000000 };

static char *tmp, *archive, *home, *cwd0;

static void copy_old(const char *src, const char *dst)
{
	size_t len;
	char *data = slurp(src, &len);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "%s: %s", dst, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	struct timespec ts[2] = {{OLD_SEC, 0}, {OLD_SEC, 0}};
	cr_assert(utimensat(AT_FDCWD, dst, ts, 0) == 0);
	free(data);
}

static void put(const char *src, const char *name)
{
	char *dst = xasprintf("%s/%s", archive, name);
	copy_old(src, dst);
	free(dst);
}

/* Two seeds and a broken file (its problems go through the cache), under
 * tmp/archive/sub; tmp/link is a link to tmp/archive. */
static void setup(void)
{
	cwd0 = getcwd(NULL, 0);
	cr_assert_not_null(cwd0);
	char *t = temp_dir("cache-spelling");
	/* realpath: TMPDIR may itself be reached through a link */
	tmp = realpath(t, NULL);
	cr_assert_not_null(tmp);
	free(t);
	archive = xasprintf("%s/archive", tmp);
	home = xasprintf("%s/cache", tmp);
	char *sub = xasprintf("%s/sub", archive);
	char *link = xasprintf("%s/link", tmp);
	cr_assert(mkdir(archive, 0700) == 0 && mkdir(home, 0700) == 0 && mkdir(sub, 0700) == 0);
	cr_assert(symlink("archive", link) == 0);
	put("seeds/000_05f876dcdba3f9f7.txt", "a.txt");
	put("seeds/001_f1014d9369e0f1d9.txt", "sub/b.txt");
	put("tests/data/bad/no-close.md", "sub/broken.md");
	free(sub);
	free(link);
	wait_until_not_racy();
}

static void teardown(void)
{
	if (cwd0 && chdir(cwd0) != 0)
		cr_log_warn("chdir %s: %s", cwd0, strerror(errno));
	if (tmp)
		temp_dir_free(tmp);
	free(archive);
	free(home);
	free(cwd0);
	tmp = archive = home = cwd0 = NULL;
}

TestSuite(cache_spelling, .init = setup, .fini = teardown);

/* The cache file's name, as lede picks it, for root. */
static char *cache_file(const char *root)
{
	cr_assert(setenv("XDG_CACHE_HOME", home, 1) == 0);
	const char *roots[] = {root};
	char *p = cache_path_for(roots, 1);
	cr_assert_not_null(p);
	return p;
}

struct load {
	struct store s;
	ino_t cache_ino; /* of the cache file after the load */
	struct timespec cache_mtime;
};

/* Load root through the cache, from the current directory. */
static void load(struct load *l, const char *root, bool follow)
{
	char *cpath = cache_file(root);
	struct store_opts opts = {.cache_path = cpath, .threads = 1, .follow_links = follow};
	store_init(&l->s);
	store_load(&l->s, (const char *[]){root}, 1, &opts);
	struct stat st;
	cr_assert(stat(cpath, &st) == 0, "%s: %s", cpath, strerror(errno));
	l->cache_ino = st.st_ino;
	l->cache_mtime = st.st_mtim;
	cr_assert_eq(l->s.warnings.n, 0, "%s", l->s.warnings.v[0]);
	free(cpath);
}

/* Every file came from the cache and the cache was not written again. */
static void assert_all_cached(const struct load *first, const struct load *l, const char *how)
{
	cr_assert_eq(l->s.nfiles, 3, "%s: %zu files", how, l->s.nfiles);
	cr_assert_eq(l->s.cache_hits, l->s.nfiles, "%s: %zu of %zu files from the cache", how,
		     l->s.cache_hits, l->s.nfiles);
	cr_assert_eq(l->cache_ino, first->cache_ino, "%s: the cache file was replaced", how);
	cr_assert(l->cache_mtime.tv_sec == first->cache_mtime.tv_sec &&
			  l->cache_mtime.tv_nsec == first->cache_mtime.tv_nsec,
		  "%s: the cache file was written", how);
}

/* Articles and problems name the files as root spells them. */
static void assert_spelled(const struct load *l, const char *root)
{
	cr_assert_eq(l->s.n, 2);
	char *a = xasprintf("%s/a.txt", root), *b = xasprintf("%s/sub/b.txt", root);
	char *broken = xasprintf("%s/sub/broken.md:", root);
	cr_assert_str_eq(l->s.v[0]->path, a);
	cr_assert_str_eq(l->s.v[1]->path, b);
	cr_assert_gt(l->s.problems.n, 0);
	for (size_t i = 0; i < l->s.problems.n; i++)
		cr_assert(!strncmp(l->s.problems.v[i], broken, strlen(broken)),
			  "a problem not named as %s: %s", root, l->s.problems.v[i]);
	free(a);
	free(b);
	free(broken);
}

Test(cache_spelling, every_spelling_takes_every_file_from_the_cache)
{
	cr_assert(chdir(tmp) == 0);
	struct load first, l;
	load(&first, "archive", false);
	cr_assert_eq(first.s.cache_hits, 0);
	assert_spelled(&first, "archive");

	char *link = xasprintf("%s/link", tmp), *slash = xasprintf("%s/", archive);
	const char *spellings[] = {archive, "archive", "link", link, slash, "./archive", archive};
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
		load(&l, spellings[i], false);
		assert_all_cached(&first, &l, spellings[i]);
		/* "dir/" gives "dir/a.txt", as the walk spells it */
		const char *root = spellings[i];
		char *bare = xstrndup(root, strlen(root) - (root[strlen(root) - 1] == '/'));
		assert_spelled(&l, bare);
		free(bare);
		store_free(&l.s);
	}
	/* from inside the archive, and from elsewhere */
	cr_assert(chdir(archive) == 0);
	load(&l, ".", false);
	assert_all_cached(&first, &l, ".");
	assert_spelled(&l, ".");
	store_free(&l.s);
	cr_assert(chdir("sub") == 0);
	load(&l, "..", false);
	assert_all_cached(&first, &l, "..");
	assert_spelled(&l, "..");
	store_free(&l.s);
	store_free(&first.s);
	free(link);
	free(slash);
}

/* A link inside the archive, followed, pointed at another file: the file's
 * identity is taken through the link, so the entry of the old target is not
 * used for the new one, whatever the spelling. */
Test(cache_spelling, a_file_replaced_behind_a_link_is_read_again)
{
	char *target1 = xasprintf("%s/t1.yml", tmp), *target2 = xasprintf("%s/t2.yml", tmp);
	char *inside = xasprintf("%s/c.md", archive);
	copy_old("seeds/002_20383254385bc3bd.txt", target1);
	copy_old("seeds/003_ff85beba3be8e642.txt", target2);
	cr_assert(symlink(target1, inside) == 0);
	wait_until_not_racy();
	cr_assert(chdir(tmp) == 0);
	struct load first, l;
	load(&first, "archive", true);
	cr_assert_eq(first.s.n, 3);
	load(&l, archive, true);
	cr_assert_eq(l.s.cache_hits, 4);
	cr_assert_eq(l.cache_ino, first.cache_ino);
	char *title = xstrdup(l.s.v[1]->title);
	store_free(&l.s);

	/* the link now leads to another old file: same key, another inode */
	cr_assert(unlink(inside) == 0 && symlink(target2, inside) == 0);
	load(&l, "link", true);
	cr_assert_eq(l.s.n, 3);
	cr_assert_eq(l.s.cache_hits, 3, "the old target's entry was used");
	cr_assert_str_neq(l.s.v[1]->title, title);
	store_free(&l.s);
	store_free(&first.s);
	free(title);
	free(target1);
	free(target2);
	free(inside);
}

/* From the command line: --list and --check print the same as without the
 * cache (--check names the broken file as typed), and switching spellings
 * leaves the cache file alone. */
Test(cache_spelling, switching_spellings_does_not_rewrite_the_cache)
{
	char *env_home = xasprintf("XDG_CACHE_HOME=%s", home);
	char *link = xasprintf("%s/link", tmp), *dotted = xasprintf("%s/./archive", tmp);
	const char *env[] = {env_home, "TZ=UTC", NULL};
	struct run first;
	run_lede(&first, (const char *[]){"--list", archive, NULL}, env);
	char *cpath = cache_file(archive);
	struct stat before, after;
	cr_assert(stat(cpath, &before) == 0, "%s", cpath);
	const char *spellings[] = {link, dotted, archive, link};
	const char *modes[] = {"--list", "--check"};
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
		for (size_t m = 0; m < 2; m++) {
			struct run r, ref;
			run_lede(&r, (const char *[]){modes[m], spellings[i], NULL}, env);
			run_lede(&ref, (const char *[]){modes[m], "--no-cache", spellings[i], NULL},
				 env);
			cr_assert(stat(cpath, &after) == 0);
			cr_assert_eq(after.st_ino, before.st_ino, "%s %s: the cache was rewritten",
				     modes[m], spellings[i]);
			cr_assert_eq(r.status, ref.status);
			cr_assert_str_eq(r.out, ref.out);
			cr_assert_str_eq(r.err, ref.err);
			if (m == 1) {
				char *named = xasprintf("%s/sub/broken.md:", spellings[i]);
				cr_assert_not_null(strstr(r.err, named), "%s", r.err);
				free(named);
			}
			run_free(&r);
			run_free(&ref);
		}
	}
	run_free(&first);
	free(cpath);
	free(env_home);
	free(link);
	free(dotted);
}
