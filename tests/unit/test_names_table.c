/* The table of interned names the facets (exact) and the query's filters
 * (folding case) share: ids dense in the order first met, one id per
 * spelling or per name in any case, the first spelling by bytes kept,
 * and every id found again after the table has grown. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "lede/names.h"
#include "lede/util.h"

Test(names_table, exact_table_tells_case_apart)
{
	struct names t = {0};
	cr_assert_eq(names_find(&t, "Tech"), NAMES_ABSENT, "an empty table holds nothing");
	cr_assert_eq(names_intern(&t, "Tech"), 0);
	cr_assert_eq(names_intern(&t, "tech"), 1);
	cr_assert_eq(names_intern(&t, "Tech"), 0);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.v[0].first, "Tech");
	cr_assert_str_eq(t.v[1].first, "tech");
	cr_assert_eq(names_find(&t, "tech"), 1);
	cr_assert_eq(names_find(&t, "TECH"), NAMES_ABSENT);
	names_free(&t);
}

Test(names_table, folding_table_keeps_the_first_spelling_by_bytes)
{
	struct names t = {.fold = true};
	const char *a = "tech", *b = "Tech", *c = "TECH";
	cr_assert_eq(names_intern(&t, a), 0);
	cr_assert_eq(names_intern(&t, "World"), 1);
	cr_assert_eq(names_intern(&t, b), 0);
	cr_assert_eq(names_intern(&t, a), 0);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.v[0].first, b, "of tech and Tech, Tech comes first by bytes");
	cr_assert_eq(names_intern(&t, c), 0);
	cr_assert_eq(t.v[0].first, c);
	cr_assert_eq(names_find(&t, "tEcH"), 0);
	cr_assert_eq(names_find(&t, "world"), 1);
	cr_assert_eq(names_find(&t, "worlds"), NAMES_ABSENT);
	cr_assert_eq(names_find(&t, ""), NAMES_ABSENT);
	names_free(&t);
}

/* Past the first 64 slots the table grows (at most half full): every name
 * keeps its id, exact and folded alike. */
Test(names_table, ids_survive_growth)
{
	enum { N = 1000 };
	for (int fold = 0; fold <= 1; fold++) {
		struct names t = {.fold = fold};
		char *s[N];
		for (int i = 0; i < N; i++) {
			s[i] = xasprintf("Name %d", i);
			cr_assert_eq(names_intern(&t, s[i]), (uint32_t)i);
		}
		cr_assert_eq(t.n, N);
		for (int i = 0; i < N; i++) {
			char want[32];
			snprintf(want, sizeof want, fold ? "NAME %d" : "Name %d", i);
			cr_assert_eq(names_find(&t, want), (uint32_t)i, "fold %d, name %d", fold, i);
			cr_assert_str_eq(t.v[i].first, s[i]);
		}
		names_free(&t);
		for (int i = 0; i < N; i++)
			free(s[i]);
	}
}
