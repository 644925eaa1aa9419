/* The reader's threaded paths (the sort warm-up thread and the parallel
 * regex scan), reached with a few articles by lowering the engine's
 * threshold: the rows are the plain filter's and sort's while the warm-up
 * thread fills the same orders. `make test SANITIZE=thread` runs these
 * under ThreadSanitizer. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"

static void load_all(struct store *s)
{
	store_init(s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/fold"};
	store_load(s, paths, 3, NULL);
	cr_assert_gt(s->n, 50);
	cr_assert_lt(s->n, QUERY_THREAD_MIN, "the store should be below the usual threshold");
}

/* Every order, with regexes (the threaded scan) and plain patterns, while
 * the warm-up thread runs. */
Test(threads, rows_while_warming_up_match_filter_and_sort)
{
	struct store s;
	load_all(&s);
	struct query *q = query_new(&s);
	query_set_thread_min(q, 1);
	cr_assert(query_warm_up(q), "the warm-up thread did not start");
	const char *patterns[] = {"\\bthe\\b", "Facebook", "a.{0,3}i", "ai", NULL};
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *got = malloc(s.n * sizeof *got);
	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		char *err = NULL;
		struct search *re = patterns[p] ? search_compile(patterns[p], &err) : NULL;
		cr_assert(!patterns[p] || re, "%s: %s", patterns[p], err ? err : "");
		for (int k = 0; k < SORT_NKEYS; k++) {
			for (int d = 0; d < 2; d++) {
				struct sort_order o = {(enum sort_key)k, d};
				size_t n = query_filter_marks(&s, re, NULL, MARKS_ALL, want);
				query_sort(&s, want, n, o);
				size_t m = query_rows(q, o, re, NULL, MARKS_ALL, got);
				cr_assert_eq(m, n, "%s: %zu rows, want %zu", patterns[p] ? patterns[p] : "-", m, n);
				for (size_t i = 0; i < n; i++)
					cr_assert_eq(got[i], want[i], "%s %s row %zu",
						     patterns[p] ? patterns[p] : "-",
						     query_sort_name(o.key), i);
			}
		}
		search_free(re);
	}
	free(want);
	free(got);
	query_free(q);
	store_free(&s);
}

/* The environment sets the threshold for every engine; the default keeps a
 * small store on one thread. */
Test(threads, threshold_from_environment)
{
	struct store s;
	load_all(&s);
	struct query *q = query_new(&s);
	cr_assert_not(query_warm_up(q), "a small store started the warm-up thread");
	query_free(q);
	setenv("LEDE_THREAD_MIN", "2", 1);
	q = query_new(&s);
	cr_assert(query_warm_up(q), "LEDE_THREAD_MIN=2 did not start the warm-up thread");
	query_free(q);
	setenv("LEDE_THREAD_MIN", "lots", 1);
	q = query_new(&s);
	cr_assert_not(query_warm_up(q), "a malformed LEDE_THREAD_MIN was taken as a number");
	query_free(q);
	store_free(&s);
}
