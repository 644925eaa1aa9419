/* Loading: a parallel load gives exactly what a serial one gives, and
 * progress is reported from the loading thread only. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/store.h"
#include "lede/util.h"

/* Good files, broken ones and scan problems together, so that the order
 * of problems is tested along with the order of articles. */
static const char *const load_paths[] = {"tests/corpus", "seeds", "tests/data/bad",
					 "tests/data/no-such-dir"};
enum { NLOAD_PATHS = sizeof load_paths / sizeof *load_paths };

static void load_with(struct store *s, int threads)
{
	store_init(s);
	struct store_opts opts = {.threads = threads};
	store_load(s, load_paths, NLOAD_PATHS, &opts);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void assert_same_related(const struct related *x, const struct related *y,
				const char *path, size_t r)
{
	cr_assert(str_same(x->title, y->title), "%s: related %zu: title", path, r);
	cr_assert(str_same(x->excerpt, y->excerpt), "%s: related %zu: excerpt", path, r);
	cr_assert(str_same(x->web_url, y->web_url), "%s: related %zu: webUrl", path, r);
	cr_assert(str_same(x->provider.name, y->provider.name), "%s: related %zu", path, r);
	cr_assert_eq(x->has, y->has, "%s: related %zu: has", path, r);
	cr_assert_eq(x->date, y->date, "%s: related %zu: date", path, r);
	cr_assert_eq(x->quality, y->quality, "%s: related %zu: quality", path, r);
	cr_assert_eq(x->nimages, y->nimages, "%s: related %zu: images", path, r);
	cr_assert_eq(x->local, y->local, "%s: related %zu: localPath", path, r);
}

/* The fields --json prints, a few from each part of an article. */
static void assert_same_article(const struct article *x, const struct article *y)
{
	const char *p = x->path;
	cr_assert_str_eq(x->path, y->path);
	cr_assert(str_same(x->title, y->title), "%s: title", p);
	cr_assert(str_same(x->excerpt, y->excerpt), "%s: excerpt", p);
	cr_assert(str_same(x->category, y->category), "%s: category", p);
	cr_assert(str_same(x->web_url, y->web_url), "%s: webUrl", p);
	cr_assert(str_same(x->original_url, y->original_url), "%s: originalUrl", p);
	cr_assert(str_same(x->amp_web_url, y->amp_web_url), "%s: ampWebUrl", p);
	cr_assert_eq(x->has, y->has, "%s: has", p);
	cr_assert_eq(x->date, y->date, "%s: date", p);
	cr_assert_eq(x->quality, y->quality, "%s: quality", p);
	cr_assert_eq(x->heat, y->heat, "%s: heat", p);
	cr_assert_eq(x->published, y->published, "%s: published", p);
	cr_assert(str_same(x->provider.name, y->provider.name), "%s: provider", p);
	cr_assert_eq(x->provider.nimages, y->provider.nimages, "%s: provider images", p);
	cr_assert_eq(x->ntopics, y->ntopics, "%s: topics", p);
	for (size_t t = 0; t < x->ntopics; t++)
		cr_assert_str_eq(x->topics[t], y->topics[t], "%s: topic %zu", p, t);
	cr_assert_eq(x->nimages, y->nimages, "%s: images", p);
	for (size_t i = 0; i < x->nimages; i++)
		cr_assert(str_same(x->images[i].url, y->images[i].url), "%s: image %zu", p, i);
	cr_assert_eq(x->nrelated, y->nrelated, "%s: related", p);
	for (size_t r = 0; r < x->nrelated; r++)
		assert_same_related(&x->related[r], &y->related[r], p, r);
}

static void assert_same_store(const struct store *x, const struct store *y)
{
	cr_assert_eq(x->nfiles, y->nfiles);
	cr_assert_eq(x->n, y->n);
	for (size_t i = 0; i < x->n; i++)
		assert_same_article(x->v[i], y->v[i]);
	cr_assert_eq(x->problems.n, y->problems.n);
	for (size_t i = 0; i < x->problems.n; i++)
		cr_assert_str_eq(x->problems.v[i], y->problems.v[i], "problem %zu", i);
	for (size_t i = 0; i <= x->n; i++)
		cr_assert_eq(x->backlink_start[i], y->backlink_start[i], "backlinks of %zu", i);
	for (size_t i = 0; i < x->backlink_start[x->n]; i++)
		cr_assert_eq(x->backlinks[i], y->backlinks[i], "backlink %zu", i);
}

/* 0 is the automatic choice: still the same result whatever it picks. */
ParameterizedTestParameters(store, parallel_equals_serial)
{
	static int threads[] = {2, 4, 0, 64};
	return cr_make_param_array(int, threads, sizeof threads / sizeof *threads);
}

ParameterizedTest(int *threads, store, parallel_equals_serial)
{
	struct store serial, parallel;
	load_with(&serial, 1);
	load_with(&parallel, *threads);
	/* The inputs hold what the comparison needs to mean something. */
	cr_assert_gt(serial.n, 90);
	cr_assert_gt(serial.problems.n, 10);
	cr_assert_gt(serial.backlink_start[serial.n], 0, "some related story is local");
	assert_same_store(&serial, &parallel);
	store_free(&serial);
	store_free(&parallel);
}

Test(store, parallel_load_keeps_argument_order)
{
	/* Files named in reverse, then a directory: arguments keep their
	 * order, a directory is walked in name order. */
	const char *paths[] = {"seeds/004_b985d409ac3f70d7.txt", "seeds/000_05f876dcdba3f9f7.txt",
			       "seeds"};
	struct store s;
	store_init(&s);
	struct store_opts opts = {.threads = 4};
	store_load(&s, paths, 3, &opts);
	cr_assert_eq(s.n, 7);
	cr_assert_str_eq(s.v[0]->path, paths[0]);
	cr_assert_str_eq(s.v[1]->path, paths[1]);
	for (size_t i = 3; i < s.n; i++)
		cr_assert_lt(strcmp(s.v[i - 1]->path, s.v[i]->path), 0, "%s", s.v[i]->path);
	store_free(&s);
}

struct progress_log {
	pthread_t loader;
	size_t calls, off_thread, last_done, total, backwards;
};

static void record_progress(void *ctx, size_t done, size_t total)
{
	struct progress_log *log = ctx;
	if (!pthread_equal(pthread_self(), log->loader))
		log->off_thread++;
	if (log->calls && done < log->last_done)
		log->backwards++;
	log->calls++;
	log->last_done = done;
	log->total = total;
}

ParameterizedTestParameters(store, progress_on_the_loading_thread)
{
	static int threads[] = {1, 2, 4};
	return cr_make_param_array(int, threads, sizeof threads / sizeof *threads);
}

ParameterizedTest(int *threads, store, progress_on_the_loading_thread)
{
	struct progress_log log = {.loader = pthread_self()};
	struct store s;
	store_init(&s);
	struct store_opts opts = {
		.threads = *threads,
		.progress = record_progress,
		.progress_ctx = &log,
		.progress_after_ms = -1, /* report at once: the corpus loads fast */
	};
	store_load(&s, load_paths, NLOAD_PATHS, &opts);
	cr_assert_geq(log.calls, 2, "a report while loading and a last one");
	cr_assert_eq(log.off_thread, 0, "%zu calls from a worker", log.off_thread);
	cr_assert_eq(log.backwards, 0);
	cr_assert_eq(log.total, s.nfiles);
	cr_assert_eq(log.last_done, log.total, "the last report says all is done");
	store_free(&s);
}

Test(store, no_progress_for_a_quick_load)
{
	struct progress_log log = {.loader = pthread_self()};
	struct store s;
	store_init(&s);
	struct store_opts opts = {.threads = 2, .progress = record_progress, .progress_ctx = &log,
				  .progress_after_ms = 60000};
	const char *path = "seeds";
	store_load(&s, &path, 1, &opts);
	cr_assert_eq(s.n, 5);
	cr_assert_eq(log.calls, 0);
	store_free(&s);
}

Test(store, nothing_to_load)
{
	struct store s;
	store_init(&s);
	struct store_opts opts = {.threads = 4};
	const char *path = "tests/data/no-such-dir";
	store_load(&s, &path, 1, &opts);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.nfiles, 0);
	cr_assert_eq(s.problems.n, 1);
	cr_assert_eq(store_find_url(&s, "https://example.com/"), -1);
	store_free(&s);
}

/* ---- with the cache ---- */

/* A load through a fresh cache, then a warm one from it: both the same as
 * a load without, serial or parallel. */
ParameterizedTestParameters(store, cached_load_equals_uncached)
{
	static int threads[] = {1, 2, 0};
	return cr_make_param_array(int, threads, sizeof threads / sizeof *threads);
}

ParameterizedTest(int *threads, store, cached_load_equals_uncached)
{
	char dir[] = "/tmp/lede-store-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *cpath = xasprintf("%s/lede/x.cache", dir);
	struct store plain, cold, warm;
	load_with(&plain, 1);
	struct store_opts opts = {.threads = *threads, .cache_path = cpath};
	store_init(&cold);
	store_load(&cold, load_paths, NLOAD_PATHS, &opts);
	store_init(&warm);
	store_load(&warm, load_paths, NLOAD_PATHS, &opts);
	assert_same_store(&plain, &cold);
	assert_same_store(&plain, &warm);
	cr_assert_eq(cold.warnings.n, 0);
	cr_assert_eq(warm.warnings.n, 0);
	cr_assert_eq(cold.cache_hits, 0);
	/* every file that could be read (the tree is older than the two
	 * seconds the cache leaves out) */
	cr_assert_gt(warm.cache_hits, 90);
	store_free(&plain);
	store_free(&cold);
	store_free(&warm);
	unlink(cpath);
	char *sub = xasprintf("%s/lede", dir);
	rmdir(sub);
	rmdir(dir);
	free(sub);
	free(cpath);
}

/* With match_only, what the cache holds and does not match is a stub (its
 * path alone); what matches is whole; the count and the problems are the
 * same as without. */
Test(store, match_only_leaves_stubs_that_match_nothing)
{
	char dir[] = "/tmp/lede-store-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *cpath = xasprintf("%s/x.cache", dir);
	char *err = NULL;
	struct search *re = search_compile("seer", &err);
	cr_assert_not_null(re);
	struct store plain, warm;
	load_with(&plain, 1);
	struct store_opts opts = {.threads = 2, .cache_path = cpath};
	store_init(&warm);
	store_load(&warm, load_paths, NLOAD_PATHS, &opts); /* writes the cache */
	store_free(&warm);
	opts.match_only = re;
	store_init(&warm);
	store_load(&warm, load_paths, NLOAD_PATHS, &opts);
	cr_assert_eq(warm.n, plain.n);
	cr_assert_eq(warm.problems.n, plain.problems.n);
	size_t matched = 0, stubs = 0;
	for (size_t i = 0; i < plain.n; i++) {
		cr_assert_str_eq(warm.v[i]->path, plain.v[i]->path);
		if (search_article(re, plain.v[i])) {
			/* links to stubs are lost, as store.h says */
			for (size_t r = 0; r < warm.v[i]->nrelated && r < plain.v[i]->nrelated; r++) {
				long l = plain.v[i]->related[r].local;
				if (l >= 0 && !search_article(re, plain.v[l]))
					warm.v[i]->related[r].local = l;
			}
			assert_same_article(plain.v[i], warm.v[i]);
			matched++;
		} else {
			cr_assert_not(search_article(re, warm.v[i]), "%s", warm.v[i]->path);
			stubs += warm.v[i]->title == NULL && warm.v[i]->nrelated == 0;
		}
	}
	cr_assert_gt(matched, 0);
	cr_assert_gt(stubs, 50, "the cache's non-matching articles are stubs");
	store_free(&plain);
	store_free(&warm);
	search_free(re);
	unlink(cpath);
	rmdir(dir);
	free(cpath);
}

/* More files than one block of slots (1024), in directories of uneven
 * size, so that runs are claimed across block ends while the scan is still
 * publishing: a parallel load, cold then warm, is still the serial one. */
Test(store, many_files_across_blocks)
{
	char dir[] = "/tmp/lede-store-many-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	for (int d = 0; d < 3; d++) {
		char *sub = xasprintf("%s/%d", dir, d);
		cr_assert(mkdir(sub, 0700) == 0);
		for (int i = 0; i < 700 + 300 * d; i++) {
			char *path = xasprintf("%s/%04d.md", sub, i);
			FILE *f = fopen(path, "w");
			cr_assert_not_null(f);
			if (i % 97 == 5) /* a problem now and then */
				fprintf(f, "---\ntitle: \"never closed %d\n---\n", i);
			else if (i % 89 == 7) /* and a file that is not an article */
				fprintf(f, "no front matter %d\n", i);
			else
				fprintf(f, "---\ntitle: \"%d/%d\"\nwebUrl: https://x.example/%d/%d\n"
					   "related:\n  - webUrl: https://x.example/%d/%d\n---\n",
					d, i, d, i, (d + 1) % 3, i / 2);
			fclose(f);
			struct timespec old[2] = {{1600000000, 0}, {1600000000, 0}};
			utimensat(AT_FDCWD, path, old, 0);
			free(path);
		}
		free(sub);
	}
	wait_until_not_racy(); /* so that the warm load takes every file */
	char *cpath = xasprintf("%s/x.cache", dir);
	const char *root = dir;
	struct store serial, par, cold, warm;
	store_init(&serial);
	store_load(&serial, &root, 1, &(struct store_opts){.threads = 1});
	store_init(&par);
	store_load(&par, &root, 1, &(struct store_opts){.threads = 3});
	store_init(&cold);
	store_load(&cold, &root, 1, &(struct store_opts){.threads = 2, .cache_path = cpath});
	store_init(&warm);
	store_load(&warm, &root, 1, &(struct store_opts){.threads = 4, .cache_path = cpath});
	cr_assert_eq(serial.nfiles, 700 + 1000 + 1300);
	cr_assert_gt(serial.problems.n, 20);
	cr_assert_gt(serial.not_articles, 20);
	cr_assert_gt(serial.backlink_start[serial.n], 1000);
	/* the cache knows a file that is not an article as one */
	cr_assert_eq(par.not_articles, serial.not_articles);
	cr_assert_eq(cold.not_articles, serial.not_articles);
	cr_assert_eq(warm.not_articles, serial.not_articles);
	assert_same_store(&serial, &par);
	assert_same_store(&serial, &cold);
	assert_same_store(&serial, &warm);
	cr_assert_eq(warm.cache_hits, serial.nfiles, "%zu hits of %zu", warm.cache_hits, serial.nfiles);
	store_free(&serial);
	store_free(&par);
	store_free(&cold);
	store_free(&warm);
	char *rm = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(cpath);
}
