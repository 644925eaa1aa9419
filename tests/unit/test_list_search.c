/* The warm search of the printing modes (`--list -e`, `--check`): an
 * archive of many blocks of slots, whose blocks and paths a list's load
 * reuses as it goes, searched warm gives what a load without the cache
 * gives; a file changed after the cache was written is found, or no longer
 * found, by what it now says; caseless non-ASCII patterns, and text only
 * in the provider's name or a topic, match warm as they do cold; and the
 * numeric sorts order runs of equal values by the tie rules. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/fields.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/store.h"
#include "lede/util.h"

/* more blocks of slots (1024 files each) than a list's load keeps ahead
 * of its merge, so that blocks are reused */
enum { NDIRS = 9, PER_DIR = 1000 };

static char *many_files(void)
{
	char *dir = temp_dir("list-search");
	for (int d = 0; d < NDIRS; d++) {
		char *sub = xasprintf("%s/%d", dir, d);
		cr_assert_eq(mkdir(sub, 0700), 0);
		for (int i = 0; i < PER_DIR; i++) {
			char *path = xasprintf("%s/%04d.md", sub, i);
			char *text =
				i % 97 == 5 ? xasprintf("no front matter %d\n", i)
					    : xasprintf("---\ntitle: \"%s %d/%d\"\n"
							"publishedDateTime: 2020-01-%02dT00:00:00Z\n"
							"quality: %d\n"
							"webUrl: https://x.example/%d/%d\n---\n",
							i % 3 ? "robot" : "vision", d, i, 1 + i % 28,
							i % 5, d, i);
			write_text(path, text);
			age_file(path, 3600);
			free(text);
			free(path);
		}
		free(sub);
	}
	wait_until_not_racy(); /* their ctime, which age_file cannot set back */
	return dir;
}

/* lede's stdout and stderr for argv (NULL-terminated), with its cache in
 * cache_home (NULL: --no-cache is the caller's to pass). */
static char *lede_says(const char *const *argv, const char *cache_home)
{
	char *env0 = xasprintf("XDG_CACHE_HOME=%s", cache_home ? cache_home : "/nonexistent");
	const char *env[] = {env0, "TZ=UTC", NULL};
	struct run r;
	run_lede(&r, argv, env);
	char *both = xasprintf("status %d\n%s--\n%s", r.status, r.out, r.err);
	run_free(&r);
	free(env0);
	return both;
}

/* argv's output warm (the cache written by a run before) and without the
 * cache: the same, byte for byte. Returns the warm one. */
static char *warm_as_cold(const char *dir, const char *cache, const char *const *args)
{
	const char *argv[16], *cold[17];
	size_t n = 0;
	for (; args[n]; n++)
		argv[n] = cold[n + 1] = args[n];
	argv[n] = dir;
	argv[n + 1] = NULL;
	cold[0] = "--no-cache";
	cold[n + 1] = dir;
	cold[n + 2] = NULL;
	char *w = lede_says(argv, cache), *c = lede_says(cold, NULL);
	cr_assert_str_eq(w, c, "%s %s: warm and cold differ", args[0], args[1] ? args[1] : "");
	free(c);
	return w;
}

/* The lines lede printed on stdout, in what lede_says gave. */
static size_t lines(const char *s)
{
	const char *p = strchr(s, '\n') + 1; /* past the status */
	size_t n = 0;
	for (; strncmp(p, "--\n", 3); n++)
		p = strchr(p, '\n') + 1;
	return n;
}

Test(list_search, warm_search_over_many_blocks_is_the_cold_one, .timeout = 120)
{
	char *dir = many_files();
	char *cache = xasprintf("%s/c", dir);
	cr_assert_eq(mkdir(cache, 0700), 0);
	free(lede_says((const char *[]){"--list", dir, NULL}, cache)); /* writes it */
	char *w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "robot", NULL});
	/* two files in three say robot, but those with no front matter */
	size_t want = 0;
	for (int i = 0; i < PER_DIR; i++)
		want += i % 3 && i % 97 != 5;
	cr_assert_eq(lines(w), NDIRS * want, "%zu lines", lines(w));
	free(w);
	free(warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "VISION 8/", NULL}));
	free(warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "nothing says this", NULL}));
	free(warm_as_cold(dir, cache, (const char *[]){"--list", "-s", "quality:asc", "-e", "o", NULL}));
	free(warm_as_cold(dir, cache, (const char *[]){"--list", NULL}));
	free(warm_as_cold(dir, cache, (const char *[]){"--check", NULL}));
	free(warm_as_cold(dir, cache, (const char *[]){"--timeline", "-e", "robot", NULL}));
	free(cache);
	temp_dir_free(dir);
}

/* The same search through the store, two threads loading: the list's load
 * (its blocks reused) keeps the plain load's matches, in order, each
 * naming its file. */
Test(list_search, list_load_reusing_blocks_keeps_the_matches, .timeout = 120)
{
	char *dir = many_files();
	char *cpath = xasprintf("%s/a.cache", dir);
	char *err = NULL;
	struct search *re = search_compile("robot", &err);
	cr_assert_not_null(re, "%s", err);
	const char *paths[] = {dir};
	struct store plain, s;
	store_init(&plain);
	store_load(&plain, paths, 1, &(struct store_opts){.threads = 1});
	struct store_opts list = {.threads = 2,
				  .cache_path = cpath,
				  .list_only = true,
				  .match_only = re,
				  .only_matches = true,
				  .linking = STORE_LINK_NONE};
	for (int run = 0; run < 2; run++) { /* cold, then warm */
		store_init(&s);
		store_load(&s, paths, 1, &list);
		size_t *want = xmalloc(plain.n * sizeof *want), *got = xmalloc((s.n + 1) * sizeof *got);
		size_t nwant = query_filter(&plain, re, want), ngot = store_matches(&s, got);
		cr_assert_eq(ngot, nwant, "run %d", run);
		struct article tmp = {0};
		for (size_t k = 0; k < ngot; k++) {
			const struct article *a = store_list_view(&s, got[k], &tmp);
			cr_assert_str_eq(a->path, plain.v[want[k]]->path, "run %d", run);
			cr_assert_str_eq(a->title, plain.v[want[k]]->title, "run %d", run);
		}
		cr_assert_eq(s.problems.n, plain.problems.n);
		if (run)
			cr_assert_eq(s.cache_hits, plain.nfiles, "%zu hits", s.cache_hits);
		free(want);
		free(got);
		store_free(&s);
	}
	store_free(&plain);
	search_free(re);
	free(cpath);
	temp_dir_free(dir);
}

/* A small archive, cached: a.md about robots, b.md about vision. */
static char *small_archive(char **cache)
{
	char *dir = temp_dir("list-search-small");
	char *a = xasprintf("%s/a.md", dir), *b = xasprintf("%s/b.md", dir);
	write_text(a, "---\ntitle: \"robot story\"\nwebUrl: https://x.example/a\n---\n");
	write_text(b, "---\ntitle: \"vision story\"\nwebUrl: https://x.example/b\n---\n");
	age_file(a, 3600);
	age_file(b, 3600);
	wait_until_not_racy();
	*cache = xasprintf("%s/c", dir);
	cr_assert_eq(mkdir(*cache, 0700), 0);
	free(lede_says((const char *[]){"--list", dir, NULL}, *cache));
	free(a);
	free(b);
	return dir;
}

/* A file rewritten after the cache was written, with its old size and
 * mtime (only its ctime tells): what it says now is searched, never the
 * cache's copy. */
Test(list_search, file_changed_after_the_cache_is_searched_as_it_is_now)
{
	char *cache, *dir = small_archive(&cache);
	char *w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "robot", NULL});
	cr_assert_not_null(strstr(w, "robot story"));
	cr_assert_null(strstr(w, "vision story"));
	free(w);
	/* the same length, the same mtime: a swaps its word for b's */
	char *a = xasprintf("%s/a.md", dir), *b = xasprintf("%s/b.md", dir);
	struct stat before, after;
	cr_assert_eq(stat(a, &before), 0);
	write_text(a, "---\ntitle: \"visio story\"\nwebUrl: https://x.example/a\n---\n");
	write_text(b, "---\ntitle: \"robot story\"\nwebUrl: https://x.example/b\n---\n");
	struct timespec times[2] = {before.st_atim, before.st_mtim};
	cr_assert_eq(utimensat(AT_FDCWD, a, times, 0), 0);
	age_file(b, 3600);
	cr_assert_eq(stat(a, &after), 0);
	cr_assert_eq(after.st_size, before.st_size);
	cr_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
		  after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "robot", NULL});
	cr_assert_not_null(strstr(w, "https://x.example/b"), "%s", w);
	cr_assert_null(strstr(w, "https://x.example/a"), "%s", w);
	free(w);
	w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "visio", NULL});
	cr_assert_not_null(strstr(w, "https://x.example/a"), "%s", w);
	cr_assert_null(strstr(w, "https://x.example/b"), "%s", w);
	free(w);
	/* gone: no longer found */
	cr_assert_eq(unlink(b), 0);
	w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "robot", NULL});
	cr_assert_null(strstr(w, "robot story"), "%s", w);
	free(w);
	free(a);
	free(b);
	free(cache);
	temp_dir_free(dir);
}

/* A lower-case pattern is caseless, non-ASCII letters too; one with an
 * upper-case letter is not. */
Test(list_search, caseless_non_ascii_warm_as_cold)
{
	char *dir = temp_dir("list-search-case");
	const char *titles[] = {"ÉCOLE DES ROBOTS", "école des robots", "École des robots",
				"ecole des robots"};
	for (int i = 0; i < 4; i++) {
		char *p = xasprintf("%s/%d.md", dir, i);
		char *t = xasprintf("---\ntitle: \"%s\"\nwebUrl: https://x.example/%d\n---\n",
				    titles[i], i);
		write_text(p, t);
		age_file(p, 3600);
		free(p);
		free(t);
	}
	wait_until_not_racy();
	char *cache = xasprintf("%s/c", dir);
	cr_assert_eq(mkdir(cache, 0700), 0);
	free(lede_says((const char *[]){"--list", dir, NULL}, cache));
	char *w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "école", NULL});
	cr_assert_eq(lines(w), 3, "%s", w);
	cr_assert_null(strstr(w, "ecole des"), "%s", w);
	free(w);
	w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "École", NULL});
	cr_assert_eq(lines(w), 1, "%s", w);
	cr_assert_not_null(strstr(w, "École des robots"), "%s", w);
	free(w);
	free(cache);
	temp_dir_free(dir);
}

/* Text found only in the provider's name, or only in a topic. */
Test(list_search, provider_and_topic_alone_match_warm_as_cold)
{
	char *dir = temp_dir("list-search-fields");
	char *p = xasprintf("%s/p.md", dir), *t = xasprintf("%s/t.md", dir);
	write_text(p, "---\ntitle: \"plain one\"\nwebUrl: https://x.example/p\n"
		      "provider:\n  name: Zanzibar Wire\n---\n");
	write_text(t, "---\ntitle: \"plain two\"\nwebUrl: https://x.example/t\n"
		      "topics:\n  - Quokkalogy\n---\n");
	age_file(p, 3600);
	age_file(t, 3600);
	wait_until_not_racy();
	char *cache = xasprintf("%s/c", dir);
	cr_assert_eq(mkdir(cache, 0700), 0);
	free(lede_says((const char *[]){"--list", dir, NULL}, cache));
	char *w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "zanzibar", NULL});
	cr_assert_eq(lines(w), 1, "%s", w);
	cr_assert_not_null(strstr(w, "plain one"), "%s", w);
	free(w);
	w = warm_as_cold(dir, cache, (const char *[]){"--list", "-e", "quokka", NULL});
	cr_assert_eq(lines(w), 1, "%s", w);
	cr_assert_not_null(strstr(w, "plain two"), "%s", w);
	free(w);
	free(p);
	free(t);
	free(cache);
	temp_dir_free(dir);
}

/* ---- the numeric sorts' runs of one value ---- */

Test(list_search, numeric_sort_orders_long_and_short_runs_by_the_ties)
{
	/* few values, many titles alike, some untitled or undated: runs of
	 * one value both short and long, each ordered by title then path */
	char *dir = temp_dir("list-search-sort");
	for (int i = 0; i < 400; i++) {
		char *p = xasprintf("%s/%03d.md", dir, (i * 37) % 400);
		struct buf b = {0};
		buf_puts(&b, "---\n");
		if (i % 7)
			buf_printf(&b, "title: \"t%d\"\n", i % (i % 2 ? 3 : 40));
		if (i % 11)
			buf_printf(&b, "publishedDateTime: 2020-0%d-01T00:00:00Z\n", 1 + i % (i < 200 ? 2 : 9));
		if (i % 13)
			buf_printf(&b, "quality: %d\n", i % 5 - 1); /* -1: unknown */
		buf_printf(&b, "heat: %d\nwebUrl: https://x.example/%d\n---\n", i % 50, i);
		write_text(p, b.data);
		buf_free(&b);
		free(p);
	}
	struct store s;
	load_path(&s, dir);
	cr_assert_eq(s.n, 400);
	size_t *idx = xmalloc(s.n * sizeof *idx);
	static const enum sort_key keys[] = {SORT_DATE, SORT_QUALITY, SORT_HEAT};
	for (size_t k = 0; k < 3; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {keys[k], d != 0};
			for (size_t i = 0; i < s.n; i++)
				idx[i] = s.n - 1 - i;
			query_sort(&s, idx, s.n, o);
			for (size_t r = 1; r < s.n; r++)
				cr_assert(sort_rule_before(s.v[idx[r - 1]], s.v[idx[r]], query_sort_field(o.key),
						 o.desc),
					  "%s %s, row %zu: %s before %s", query_sort_name(o.key),
					  d ? "desc" : "asc", r, s.v[idx[r - 1]]->path,
					  s.v[idx[r]]->path);
		}
	}
	free(idx);
	store_free(&s);
	temp_dir_free(dir);
}
