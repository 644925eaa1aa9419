/* The walk: links inside an archive followed only on request (-L, set
 * follow-links yes), paths given always followed, loops detected either
 * way, many directories each entered once, and paths too long to open
 * reported, never skipped in silence. Each test builds its tree in its own
 * mkdtemp directory, removed afterwards. */
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
#include "lede/scan.h"
#include "lede/store.h"
#include "lede/util.h"

static char *tmp;

static void setup(void)
{
	tmp = temp_dir("scan");
}

static void teardown(void)
{
	temp_dir_free(tmp);
}

TestSuite(scan, .init = setup, .fini = teardown, .timeout = 60);

static void put_at(int dfd, const char *name, const char *title)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cr_assert(fd >= 0, "%s: %s", name, strerror(errno));
	char *text = xasprintf("---\ntitle: \"%s\"\nwebUrl: \"https://scan.example/%s\"\n---\n",
			       title, title);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(text);
}

/* An article at tmp/rel (its directories made). */
static void put(const char *rel, const char *title)
{
	char *p = xasprintf("%s/%s", tmp, rel);
	for (char *s = strchr(p + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "%s: %s", p, strerror(errno));
		*s = '/';
	}
	put_at(AT_FDCWD, p, title);
	free(p);
}

static void link_to(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", tmp, rel);
	cr_assert_eq(symlink(target, p), 0, "%s: %s", p, strerror(errno));
	free(p);
}

/* tmp/archive holds one article and links to what lies outside it: a
 * directory of two articles (by an absolute path, as a link to / would
 * be) and an article file. */
static void archive_with_links_out(void)
{
	put("archive/inside.md", "inside");
	put("outside/one.md", "one");
	put("outside/deeper/two.md", "two");
	put("elsewhere/file.md", "file");
	char *out = xasprintf("%s/outside", tmp);
	link_to(out, "archive/out");
	free(out);
	link_to("../elsewhere/file.md", "archive/linked.md");
}

static void load(struct store *s, const char *rel, bool follow)
{
	char *p = xasprintf("%s/%s", tmp, rel);
	const char *paths[] = {p};
	struct store_opts o = {.follow_links = follow};
	store_init(s);
	store_load(s, paths, 1, &o);
	free(p);
}

/* The loaded articles' paths below tmp, in load order, one a line. */
static char *loaded(const struct store *s)
{
	struct buf b = {0};
	size_t tl = strlen(tmp);
	for (size_t i = 0; i < s->n; i++) {
		buf_puts(&b, strncmp(s->v[i]->path, tmp, tl) ? s->v[i]->path : s->v[i]->path + tl + 1);
		buf_putc(&b, '\n');
	}
	return (char *)buf_str(&b);
}

Test(scan, links_inside_are_not_followed_by_default)
{
	archive_with_links_out();
	struct store s;
	load(&s, "archive", false);
	char *got = loaded(&s);
	cr_assert_str_eq(got, "archive/inside.md\n");
	/* skipped quietly: a link is not a problem */
	cr_assert_eq(s.problems.n, 0, "%s", s.problems.n ? s.problems.v[0] : "");
	cr_assert_eq(s.nfiles, 1);
	free(got);
	store_free(&s);
}

Test(scan, links_inside_are_followed_on_request)
{
	archive_with_links_out();
	struct store s;
	load(&s, "archive", true);
	char *got = loaded(&s);
	cr_assert_str_eq(got, "archive/inside.md\n"
			      "archive/linked.md\n"
			      "archive/out/deeper/two.md\n"
			      "archive/out/one.md\n");
	cr_assert_eq(s.problems.n, 0);
	free(got);
	store_free(&s);
}

/* "N files, M articles, N not articles, P problems" of lede --check with
 * these words. */
static void check(const char *const *args, const char *want, int status)
{
	const char *argv[16] = {"--check", "--no-cache"};
	size_t n = 2;
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct run r;
	run_lede(&r, argv, NULL);
	cr_assert_str_eq(r.out, want, "stderr: %s", r.err);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	run_free(&r);
}

Test(scan, follow_from_the_command_line_and_the_config)
{
	archive_with_links_out();
	char *arch = xasprintf("%s/archive", tmp);
	check((const char *[]){arch, NULL}, "1 file, 1 article, 0 not articles, 0 problems\n",
	      0);
	check((const char *[]){"-L", arch, NULL},
	      "4 files, 4 articles, 0 not articles, 0 problems\n", 0);
	check((const char *[]){"--follow", arch, NULL},
	      "4 files, 4 articles, 0 not articles, 0 problems\n", 0);

	char *conf = xasprintf("%s/config", tmp);
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	fputs("set follow-links yes\n", f);
	fclose(f);
	check((const char *[]){"-c", conf, arch, NULL},
	      "4 files, 4 articles, 0 not articles, 0 problems\n", 0);
	f = fopen(conf, "w");
	fputs("set follow-links no\n", f);
	fclose(f);
	check((const char *[]){"-c", conf, arch, NULL},
	      "1 file, 1 article, 0 not articles, 0 problems\n", 0);
	free(conf);
	free(arch);
}

Test(scan, a_path_given_that_is_a_link_is_followed)
{
	put("real/dir/a.md", "a");
	put("real/b.md", "b");
	char *dir = xasprintf("%s/real/dir", tmp), *file = xasprintf("%s/real/b.md", tmp);
	link_to(dir, "dir-link");
	link_to(file, "file-link.txt");
	char *dl = xasprintf("%s/dir-link", tmp), *fl = xasprintf("%s/file-link.txt", tmp);
	check((const char *[]){dl, fl, NULL},
	      "2 files, 2 articles, 0 not articles, 0 problems\n", 0);
	free(dir);
	free(file);
	free(dl);
	free(fl);
}

Test(scan, a_loop_is_detected_with_follow)
{
	put("loop/a.md", "a");
	put("loop/sub/b.md", "b");
	link_to("..", "loop/sub/up");
	char *top = xasprintf("%s/loop", tmp);
	link_to(top, "loop/sub/top");
	free(top);
	link_to(".", "loop/here");
	struct store s;
	load(&s, "loop", true);
	char *got = loaded(&s);
	cr_assert_str_eq(got, "loop/a.md\nloop/sub/b.md\n");
	cr_assert_eq(s.problems.n, 3);
	for (size_t i = 0; i < s.problems.n; i++)
		cr_assert(strstr(s.problems.v[i], ": directory loop (a link back to a parent), not followed"),
			  "%s", s.problems.v[i]);
	free(got);
	store_free(&s);
	/* and without it, the links are not even looked at */
	load(&s, "loop", false);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.problems.n, 0);
	store_free(&s);
}

enum { NDIRS = 3000 };

/* Page bundles: a directory for each article, each directory entered once
 * though links (followed) reach every one of them a second time. */
Test(scan, many_directories_each_entered_once)
{
	char rel[64];
	for (int i = 0; i < NDIRS; i++) {
		snprintf(rel, sizeof rel, "site/p%04d/index.md", i);
		put(rel, rel + 5);
	}
	char *site = xasprintf("%s/site", tmp);
	link_to(site, "site/again");
	free(site);
	struct store s;
	load(&s, "site", true);
	cr_assert_eq(s.n, NDIRS);
	cr_assert_eq(s.nfiles, NDIRS);
	cr_assert_eq(s.problems.n, 1, "%s", s.problems.n ? s.problems.v[0] : "");
	cr_assert(strstr(s.problems.v[0], "site/again: directory loop"), "%s", s.problems.v[0]);
	for (int i = 0; i < NDIRS; i++) {
		snprintf(rel, sizeof rel, "site/p%04d/index.md", i);
		cr_assert_not_null(find_article(&s, rel), "%s", rel);
	}
	/* each directory is looked up twice (entered, then left) and the
	 * link once: a few slots each, not a search of every one seen */
	size_t probes = scan_last_probes();
	cr_assert_lt(probes, (size_t)8 * NDIRS, "%zu slots visited for %d directories", probes,
		     NDIRS);
	store_free(&s);
}

/* A tree deeper than PATH_MAX, made a level at a time relative to the
 * last (no path that long can be given to the system), with an article at
 * the bottom; one short article beside it. */
Test(scan, a_path_too_long_is_a_problem)
{
	put("deep/short.md", "short");
	char *deep = xasprintf("%s/deep", tmp);
	int dfd = open(deep, O_RDONLY | O_DIRECTORY);
	cr_assert(dfd >= 0);
	char name[201];
	memset(name, 'd', 200);
	name[200] = '\0';
	size_t len = strlen(deep);
	while (len < PATH_MAX + 300) {
		cr_assert_eq(mkdirat(dfd, name, 0755), 0, "%s", strerror(errno));
		int next = openat(dfd, name, O_RDONLY | O_DIRECTORY);
		cr_assert(next >= 0);
		close(dfd);
		dfd = next;
		len += 1 + sizeof name - 1;
	}
	put_at(dfd, "bottom.md", "bottom");
	close(dfd);

	const char *argv[] = {"--check", "--no-cache", deep, NULL};
	struct run r;
	run_lede(&r, argv, NULL);
	cr_assert_str_eq(r.out,
	      "1 file, 1 article, 0 not articles, 1 problem\n", "stderr: %.300s", r.err);
	cr_assert_eq(r.status, 1);
	/* the first directory whose path is too long, named in full */
	const char *m = strstr(r.err, ": path longer than");
	cr_assert_not_null(m, "%.300s", r.err);
	cr_assert_eq(strncmp(r.err, deep, strlen(deep)), 0, "%.300s", r.err);
	size_t plen = (size_t)(m - r.err);
	cr_assert_geq(plen, PATH_MAX, "%zu", plen);
	cr_assert_lt(plen, PATH_MAX + 202, "%zu", plen);
	cr_assert_str_eq(m, ": path longer than 4095 bytes, not read\n");
	run_free(&r);
	free(deep);
}
