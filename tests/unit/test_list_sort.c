/* The plain sort by a number (what --list prints in): checked against the
 * sort rules themselves, pair by pair, rather than against another sort. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/fields.h"
#include "lede/query.h"

/* Every numeric order of the articles idx[0..n) names (every one, or
 * every third): each article once, each row before the next. */
static void check_orders(const struct store *s, size_t step)
{
	size_t *idx = malloc((s->n ? s->n : 1) * sizeof *idx);
	unsigned char *seen = malloc(s->n ? s->n : 1);
	static const enum sort_key keys[] = {SORT_DATE, SORT_QUALITY, SORT_HEAT};
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {keys[k], d != 0};
			size_t n = 0;
			for (size_t i = s->n; i-- > 0;) /* backwards: the sort must reorder */
				if (i % step == 0)
					idx[n++] = i;
			query_sort(s, idx, n, o);
			memset(seen, 0, s->n ? s->n : 1);
			for (size_t r = 0; r < n; r++) {
				cr_assert_lt(idx[r], s->n);
				cr_assert_not(seen[idx[r]], "%s: article %zu twice",
					      query_sort_name(o.key), idx[r]);
				seen[idx[r]] = 1;
				if (r)
					cr_assert(sort_rule_before(s->v[idx[r - 1]], s->v[idx[r]],
							 query_sort_field(o.key), o.desc),
						  "%s %s, row %zu: %s before %s", query_sort_name(o.key),
						  d ? "desc" : "asc", r, s->v[idx[r - 1]]->path,
						  s->v[idx[r]]->path);
			}
		}
	}
	free(seen);
	free(idx);
}

Test(list_sort, numeric_orders_follow_the_rules)
{
	static const char *const dirs[] = {"tests/corpus", "tests/corpus-site", "tests/data"};
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		struct store s;
		load_path(&s, dirs[d]);
		cr_assert_gt(s.n, 10, "%s: %zu articles", dirs[d], s.n);
		check_orders(&s, 1);
		check_orders(&s, 3);
		store_free(&s);
	}
}

/* A long list is made on two threads, in blocks written in order: the same
 * bytes as one thread makes, whatever the block (LEDE_LIST_BLOCK, for
 * tests: blocks of a line or a few, so that the corpora are long lists),
 * sorted any way, and a reader that stops early stops it, with no hang. */
Test(list_sort, a_list_made_on_two_threads_is_the_same, .timeout = 60)
{
	static const char *const orders[] = {"date", "heat", "title"};
	for (size_t o = 0; o < sizeof orders / sizeof *orders; o++) {
		const char *argv[] = {"--no-cache", "--list", "--sort", orders[o], "tests/corpus",
				      "tests/corpus-site", NULL};
		struct run one;
		run_lede(&one, argv, (const char *[]){"LEDE_LIST_BLOCK=100000", "TZ=UTC", NULL});
		cr_assert_eq(one.status, 0, "%s", one.err);
		cr_assert_gt(one.out_len, 1000);
		static const char *const blocks[] = {"1", "2", "3", "7"};
		for (size_t k = 0; k < sizeof blocks / sizeof *blocks; k++) {
			char *env = xasprintf("LEDE_LIST_BLOCK=%s", blocks[k]);
			struct run two;
			run_lede(&two, argv, (const char *[]){env, "TZ=UTC", NULL});
			cr_assert_eq(two.status, 0, "%s", two.err);
			cr_assert(two.out_len == one.out_len && !memcmp(two.out, one.out, one.out_len),
				  "--sort %s, blocks of %s lines: not the same list", orders[o],
				  blocks[k]);
			run_free(&two);
			free(env);
		}
		run_free(&one);
	}
	char *cmd = xasprintf("LEDE_LIST_BLOCK=1 %s --no-cache --list tests/corpus tests/corpus-site"
			      " | head -c 10 >/dev/null",
			      getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede");
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}
