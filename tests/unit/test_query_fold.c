/* The engine's plain path reads the articles' texts from the store (a lazy
 * article's from its cache entry) and folds a batch of them at a time into
 * one buffer of about a window's bytes: whatever the window, and wherever
 * a batch ends (inside a long article's text, between two articles, at a
 * match), every search finds what the plain filter finds. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/store.h"
#include "lede/util.h"

enum { NFILES = 240 };

/* Article k: the word "needle" at the very start or end of a field, now
 * and then; long excerpts (longer than the small windows); an article
 * without any searched text; KELVIN SIGN now and then. */
static void write_archive(const char *dir)
{
	for (size_t k = 0; k < NFILES; k++) {
		struct buf b = {0};
		buf_puts(&b, "---\n");
		if (k % 17 != 5) {
			buf_printf(&b, "title: \"%s title %zu%s\"\n", k % 3 == 0 ? "Needle" : "Plain",
				   k, k % 5 == 1 ? " needle" : "");
		}
		buf_printf(&b, "webUrl: \"https://fold.example/%zu\"\n", k);
		if (k % 4 == 2) {
			buf_puts(&b, "excerpt: \"");
			for (size_t r = 0; r < k % 23; r++)
				buf_puts(&b, "filler words of a long excerpt ");
			buf_puts(&b, k % 8 == 2 ? "NEEDLE\"\n" : "end\"\n");
		}
		if (k % 11 == 3)
			buf_puts(&b, "provider:\n  name: \"Needles \xe2\x84\xaa" "ept\"\n");
		if (k % 13 == 7)
			buf_puts(&b, "topics:\n  - needlework\n");
		buf_puts(&b, "---\n");
		char *p = xasprintf("%s/f%03zu.md", dir, k);
		write_text(p, buf_str(&b));
		free(p);
		buf_free(&b);
	}
}

static void load(struct store *s, const char *dir, const char *cache, bool lazy)
{
	struct store_opts opts = {.cache_path = cache, .lazy = lazy};
	const char *paths[] = {dir};
	store_init(s);
	store_load(s, paths, 1, &opts);
	cr_assert_eq(s->n, NFILES);
}

Test(query_fold, every_window_finds_what_the_filter_finds, .timeout = 120)
{
	static const char *const patterns[] = {"needle", "needle\"", "title 1", "e", "",
					       "end", "filler words", "kept", "zzz", "s"};
	static const size_t windows[] = {1, 7, 64, 200, 1000, 0};
	char *dir = temp_dir("query-fold");
	char *arch = xasprintf("%s/a", dir), *cache = xasprintf("%s/x.cache", dir);
	cr_assert_eq(mkdir(arch, 0700), 0);
	write_archive(arch);
	wait_until_not_racy();
	struct store plain, lazy, warm;
	load(&plain, arch, NULL, false);
	load(&warm, arch, cache, false); /* writes the cache */
	store_free(&warm);
	load(&lazy, arch, cache, true);
	cr_assert(store_is_lazy(&lazy, 0));
	size_t *want = xmalloc(NFILES * sizeof *want);
	uint32_t *got = xmalloc(NFILES * sizeof *got);
	const struct store *stores[] = {&plain, &lazy};
	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		char *err = NULL;
		struct search *re = search_compile(patterns[p], &err);
		cr_assert_not_null(re, "%s", err);
		size_t nwant = query_filter(&plain, re, want);
		for (size_t st = 0; st < 2; st++) {
			for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
				for (size_t min = 1; min <= NFILES * 2; min += NFILES * 2 - 1) {
					struct query *q = query_new(stores[st]);
					query_set_thread_min(q, min);
					query_set_fold_window(q, windows[w]);
					/* one by one, as / and n test them */
					for (size_t i = 0; i < NFILES; i++)
						cr_assert_eq(query_test(q, re, i),
							     search_article(re, plain.v[i]),
							     "'%s' alone, window %zu, %s: %s",
							     patterns[p], windows[w],
							     st ? "lazy" : "whole", plain.v[i]->path);
					/* the whole set, as f finds it */
					struct sort_order o = {SORT_TITLE, false};
					size_t n = query_rows(q, o, re, NULL, MARKS_ALL, got);
					size_t m = query_filter(stores[st], re, want);
					query_sort(stores[st], want, m, o);
					cr_assert_eq(m, nwant);
					cr_assert_eq(n, m, "'%s', window %zu, %s: %zu rows, want %zu",
						     patterns[p], windows[w], st ? "lazy" : "whole", n,
						     m);
					for (size_t r = 0; r < n; r++)
						cr_assert_eq(got[r], want[r], "'%s', row %zu", patterns[p], r);
					query_free(q);
					/* the first rows, the rest on the scan's thread */
					q = query_new(stores[st]);
					query_set_thread_min(q, min);
					query_set_fold_window(q, windows[w]);
					struct query_spec spec = {o, re, NULL, MARKS_ALL, NULL};
					struct query_walk walk;
					const uint32_t *rows;
					n = query_rows_begin(q, &spec, 3, got, &rows, &walk);
					if (rows != got)
						memcpy(got, rows, n * sizeof *got);
					n = query_rows_extend(q, &spec, got, n, SIZE_MAX, -1, &walk);
					cr_assert(walk.complete);
					cr_assert_eq(n, m, "'%s' begun, window %zu", patterns[p],
						     windows[w]);
					for (size_t r = 0; r < n; r++)
						cr_assert_eq(got[r], want[r], "'%s', row %zu", patterns[p], r);
					query_free(q);
				}
			}
		}
		search_free(re);
	}
	free(want);
	free(got);
	store_free(&plain);
	store_free(&lazy);
	free(arch);
	free(cache);
	temp_dir_free(dir);
}
