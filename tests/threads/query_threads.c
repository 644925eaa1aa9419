/* query_threads: the reader's threaded paths (the sort warm-up thread, the
 * parallel regex scan, and a filter's first rows while its matches and the
 * names are found on threads, cancelled as patterns are typed on, helped
 * and taken in) on a small store, with the threshold lowered,
 * checked against the plain filter and sort. A plain program rather than a
 * Criterion test because Criterion cannot start under ThreadSanitizer;
 * `make test SANITIZE=thread` runs it there. Exits 1 on a difference. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "lede/query.h"
#include "lede/search.h"
#include "lede/store.h"

static int check(struct query *q, const struct store *s, struct search *re, const char *pat)
{
	size_t *want = malloc((s->n + 1) * sizeof *want);
	uint32_t *got = malloc((s->n + 1) * sizeof *got);
	int bad = 0;
	for (int k = 0; k < SORT_NKEYS && !bad; k++) {
		for (int d = 0; d < 2 && !bad; d++) {
			struct sort_order o = {(enum sort_key)k, d};
			size_t n = query_filter_marks(s, re, NULL, MARKS_ALL, want);
			query_sort(s, want, n, o);
			size_t m = query_rows(q, o, re, NULL, MARKS_ALL, got);
			for (size_t i = 0; i < n && m == n; i++)
				bad |= got[i] != want[i];
			if (m != n || bad) {
				fprintf(stderr, "query_threads: %s, %s %s: rows differ\n", pat,
					query_sort_name(o.key), d ? "desc" : "asc");
				bad = 1;
			}
		}
	}
	free(want);
	free(got);
	return bad;
}

/* The first rows of each pattern typed on, then all of them, as the
 * reader asks for them, while the threads work; the last taken in. */
static int check_typed(struct query *q, const struct store *s, const char *topic)
{
	static const char *const typed[] = {"m", "ma", "mar", "market", "a|b", "s", "se", "self"};
	size_t *want = malloc((s->n + 1) * sizeof *want);
	uint32_t *out = malloc((s->n + 1) * sizeof *out);
	int bad = 0;
	query_set_topic(q, topic);
	for (size_t t = 0; t < sizeof typed / sizeof *typed && !bad; t++) {
		char *err = NULL;
		struct search *re = search_compile(typed[t], &err);
		struct sort_order o = {(enum sort_key)(t % SORT_NKEYS), t % 2};
		struct query_spec w = {o, re, NULL, MARKS_ALL};
		struct query_walk walk;
		const uint32_t *rows;
		size_t m = query_rows_begin(q, &w, 2, out, &rows, &walk);
		query_poll(q);
		if (t % 3 == 0) /* sometimes the rest now, sometimes left to the threads */
			m = query_rows_extend(q, &w, out, m, SIZE_MAX, -1, &walk);
		query_settle(q);
		query_poll(q);
		m = query_rows_extend(q, &w, out, m, SIZE_MAX, -1, &walk);
		query_set_topic(q, NULL);
		size_t n = query_filter_marks(s, re, NULL, MARKS_ALL, want);
		query_set_topic(q, topic);
		query_sort(s, want, n, o);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			const struct article *a = s->v[want[i]];
			int keep = !topic;
			for (size_t j = 0; !keep && j < a->ntopics; j++)
				keep = !strcasecmp(a->topics[j], topic);
			if (keep)
				want[k++] = want[i];
		}
		for (size_t i = 0; i < k && m == k; i++)
			bad |= rows[i] != want[i];
		if (m != k || bad) {
			fprintf(stderr, "query_threads: typed '%s': first rows, then all, differ\n",
				typed[t]);
			bad = 1;
		}
		search_free(re);
	}
	query_set_topic(q, NULL);
	free(want);
	free(out);
	return bad;
}

int main(void)
{
	struct store s;
	store_init(&s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/fold"};
	store_load(&s, paths, 3, NULL);
	if (s.n < 50) {
		fprintf(stderr, "query_threads: only %zu articles loaded (run from the tree)\n", s.n);
		return 1;
	}
	const char *patterns[] = {"\\bthe\\b", "Facebook", "a.{0,3}i", "ai", "zzz"};
	int bad = 0;
	for (int round = 0; round < 4; round++) {
		struct query *q = query_new(&s);
		query_set_thread_min(q, 1);
		if (!query_warm_up(q)) {
			fprintf(stderr, "query_threads: the warm-up thread did not start\n");
			bad = 1;
		}
		for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
			char *err = NULL;
			struct search *re = search_compile(patterns[p], &err);
			if (!re) {
				fprintf(stderr, "query_threads: %s: %s\n", patterns[p], err);
				return 1;
			}
			bad |= check(q, &s, re, patterns[p]);
			search_free(re);
		}
		query_free(q);
		q = query_new(&s);
		query_set_thread_min(q, 1);
		query_warm_up(q);
		bad |= check_typed(q, &s, round % 2 ? "ai" : NULL);
		query_free(q);
	}
	store_free(&s);
	if (!bad)
		printf("query_threads: the threaded paths agree with the plain filter and sort\n");
	return bad;
}
