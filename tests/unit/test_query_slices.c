/* The reader's rows found a slice at a time, and the sort orders computed
 * by the warm-up thread while the reader asks for them: always the plain
 * filter-and-sort's rows. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lede/query.h"
#include "lede/search.h"
#include "lede/state.h"
#include "lede/store.h"

static void load_corpus(struct store *s)
{
	store_init(s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/missing"};
	store_load(s, paths, 3, NULL);
	cr_assert_gt(s->n, 90);
}

static size_t reference(const struct store *s, struct search *re, const unsigned char *marks,
			enum mark_filter mf, struct sort_order o, size_t *out)
{
	size_t n = query_filter_marks(s, re, marks, mf, out);
	query_sort(s, out, n, o);
	return n;
}

/* Every order, both directions, asked for at once after the warm-up
 * started (a thread minimum of 1): the thread and the reader compute the
 * same orders at the same time, and each is the plain sort's. */
Test(query_slices, orders_while_warming_up, .timeout = 120)
{
	struct store s;
	load_corpus(&s);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	for (int first = 0; first < SORT_NKEYS; first++) {
		struct query *q = query_new(&s);
		query_set_thread_min(q, 1);
		query_warm_up_after(q, (enum sort_key)first);
		cr_assert(query_warm_up(q));
		for (int k = SORT_NKEYS - 1; k >= 0; k--) {
			for (int d = 0; d < 2; d++) {
				struct sort_order o = {(enum sort_key)k, d};
				size_t n = query_rows(q, o, NULL, NULL, MARKS_ALL, out);
				size_t nw = reference(&s, NULL, NULL, MARKS_ALL, o, want);
				cr_assert_eq(n, nw);
				for (size_t i = 0; i < n; i++)
					cr_assert_eq(out[i], want[i], "key %d dir %d row %zu", k, d, i);
			}
		}
		query_free(q); /* while the warm-up may still run: it stops */
	}
	free(want);
	free(out);
	store_free(&s);
}

/* Filtered rows, all known (the marks), are begun by a short walk and
 * completed by slices of any size, the selection's article found where the
 * full rows have it. */
Test(query_slices, known_rows_by_slices, .timeout = 120)
{
	struct store s;
	load_corpus(&s);
	unsigned char *marks = calloc(s.n, 1);
	for (size_t i = 0; i < s.n; i += 2)
		marks[i] = MARK_READ;
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	static const size_t slices[] = {1, 2, 7, 64, 100000};
	for (size_t sl = 0; sl < sizeof slices / sizeof *slices; sl++) {
		struct query *q = query_new(&s);
		query_set_thread_min(q, 1);
		struct sort_order o = {SORT_DATE, true};
		struct query_spec w = {o, NULL, marks, MARKS_UNREAD, NULL};
		size_t nw = reference(&s, NULL, marks, MARKS_UNREAD, o, want);
		cr_assert(query_rows_ready(q, &w));
		struct query_walk walk;
		const uint32_t *rows;
		size_t n = query_rows_begin(q, &w, 3, out, &rows, &walk);
		cr_assert_not(walk.complete, "a walk over a store past the budget");
		cr_assert_leq(walk.pos, 4);
		cr_assert_eq(rows, out);
		size_t steps = 0;
		while (!walk.complete) {
			size_t was = walk.pos;
			n = query_rows_step(q, &w, out, n, slices[sl], &walk);
			cr_assert_leq(walk.pos - was, slices[sl]);
			steps++;
		}
		cr_assert_gt(steps, 0);
		cr_assert_eq(n, nw, "slice %zu: %zu rows, want %zu", slices[sl], n, nw);
		for (size_t i = 0; i < nw; i++)
			cr_assert_eq(out[i], want[i], "slice %zu, row %zu", slices[sl], i);
		for (size_t i = 0; i < nw; i += 7)
			cr_assert_eq(query_row_of(q, o, out, n, want[i]), (long)i);
		query_free(q);
	}
	free(want);
	free(out);
	free(marks);
	store_free(&s);
}
