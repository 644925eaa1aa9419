/* Sorting and searching over a store. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"

/* The titles (or "-" for none) of a store sorted by spec, comma-joined. */
static char *sorted_titles(const char *dir, const char *spec)
{
	struct store s;
	struct sort_order o;
	load_path(&s, dir);
	cr_assert_eq(query_parse_sort(spec, &o), 0, "%s", spec);
	size_t *idx = malloc(s.n * sizeof *idx);
	size_t n = query_filter(&s, NULL, idx);
	query_sort(&s, idx, n, o);
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", s.v[idx[i]]->title ? s.v[idx[i]]->title : "-");
	free(idx);
	store_free(&s);
	return (char *)buf_str(&b);
}

struct sort_case {
	const char *spec, *want;
};

ParameterizedTestParameters(sort, missing_values_last)
{
	static struct sort_case cases[] = {
		{"date", "Bravo,Charlie,Alpha,-"},
		{"date:asc", "Charlie,Bravo,Alpha,-"},
		{"quality", "Charlie,-,Bravo,Alpha"},
		{"quality:asc", "Bravo,Charlie,-,Alpha"},
		{"heat", "Alpha,Bravo,Charlie,-"}, /* -1: not known */
		{"heat:asc", "Alpha,Bravo,Charlie,-"},
		{"title", "Alpha,Bravo,Charlie,-"},
		{"title:desc", "Charlie,Bravo,Alpha,-"},
		{"provider", "Charlie,Bravo,Alpha,-"},
		{"provider:desc", "Bravo,Charlie,Alpha,-"},
	};
	return cr_make_param_array(struct sort_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct sort_case *c, sort, missing_values_last)
{
	char *got = sorted_titles("tests/data/missing", c->spec);
	cr_assert_str_eq(got, c->want, "sort %s", c->spec);
	free(got);
}

Test(sort, parse_specs)
{
	struct sort_order o;
	cr_assert_eq(query_parse_sort("heat", &o), 0);
	cr_assert(o.key == SORT_HEAT && o.desc);
	cr_assert_eq(query_parse_sort("title", &o), 0);
	cr_assert(o.key == SORT_TITLE && !o.desc);
	cr_assert_eq(query_parse_sort("title:desc", &o), 0);
	cr_assert(o.desc);
	cr_assert_eq(query_parse_sort("date:asc", &o), 0);
	cr_assert(o.key == SORT_DATE && !o.desc);
	cr_assert_eq(query_parse_sort("dates", &o), -1);
	cr_assert_eq(query_parse_sort("date:up", &o), -1);
	cr_assert_eq(query_parse_sort("", &o), -1);
}

/* Search ----------------------------------------------------------------- */

struct search_case {
	const char *pattern;
	size_t want; /* seeds that match */
	bool caseless;
};

ParameterizedTestParameters(search, seeds)
{
	static struct search_case cases[] = {
		{"seer", 2, true},             /* smart case: caseless */
		{"SEER", 2, false},            /* capital: exact case, still in two */
		{"Seer", 0, false},            /* nothing spells it so */
		{"facebook\xe2\x80\x99s", 4, true}, /* a UTF-8 pattern */
		{"^\\p{Lu}\\p{L}+\xe2\x80\x99s new", 3, true}, /* Unicode properties */
		{"\\bsiliconangle\\b", 1, true}, /* provider name */
		{"computer vision", 2, true},  /* title and a topic */
		{"\\S+ details", 1, true},     /* \S is not a capital */
		{"venturebeat", 2, true},
		{"zzzz-nothing", 0, true},
	};
	return cr_make_param_array(struct search_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct search_case *c, search, seeds)
{
	struct store s;
	load_path(&s, "seeds");
	char *err = NULL;
	struct search *re = search_compile(c->pattern, &err);
	cr_assert_not_null(re, "%s: %s", c->pattern, err ? err : "");
	cr_assert_eq(search_caseless(re), c->caseless, "%s", c->pattern);
	size_t idx[5];
	size_t n = query_filter(&s, re, idx);
	cr_assert_eq(n, c->want, "%s matched %zu, want %zu", c->pattern, n, c->want);
	search_free(re);
	store_free(&s);
}

Test(search, invalid_pattern_names_offset)
{
	char *err = NULL;
	struct search *re = search_compile("a(b", &err);
	cr_assert_null(re);
	cr_assert_str_eq(err, "invalid regex at offset 3: missing closing parenthesis");
	free(err);
}

Test(search, spans_for_highlighting)
{
	char *err;
	struct search *re = search_compile("vi\\w+", &err);
	const char *t = "Visual vision, VIVID";
	struct span *sp;
	size_t n = search_spans(re, t, strlen(t), &sp);
	cr_assert_eq(n, 3);
	cr_assert_eq(sp[0].start, 0);
	cr_assert_eq(sp[0].end, 6);
	cr_assert_eq(sp[1].start, 7);
	cr_assert_eq(sp[1].end, 13);
	cr_assert_eq(sp[2].start, 15);
	cr_assert_eq(sp[2].end, 20);
	free(sp);
	search_free(re);
}

Test(search, empty_matches_step_over_characters)
{
	char *err;
	struct search *re = search_compile("x*", &err);
	const char *t = "\xc3\xa9x\xc3\xa9";
	struct span *sp;
	size_t n = search_spans(re, t, strlen(t), &sp);
	cr_assert_eq(n, 1);
	cr_assert_eq(sp[0].start, 2);
	cr_assert_eq(sp[0].end, 3);
	free(sp);
	search_free(re);
}

/* Related stories and backlinks ------------------------------------------ */

Test(store, related_resolve_by_url)
{
	struct store s;
	load_path(&s, "seeds");
	size_t local = 0;
	for (size_t i = 0; i < s.n; i++) {
		for (size_t r = 0; r < s.v[i]->nrelated; r++) {
			long t = s.v[i]->related[r].local;
			if (t < 0)
				continue;
			local++;
			const struct article *to = s.v[t];
			const char *u = s.v[i]->related[r].web_url;
			cr_assert(!strcmp(u, to->web_url) ||
				  (to->original_url && !strcmp(u, to->original_url)) ||
				  (to->amp_web_url && !strcmp(u, to->amp_web_url)));
			/* and the target lists i as a backlink */
			bool found = false;
			for (size_t b = s.backlink_start[t]; b < s.backlink_start[t + 1]; b++)
				found |= s.backlinks[b] == i;
			cr_assert(found);
		}
	}
	cr_assert_gt(local, 0, "the seeds name one another");
	cr_assert_eq(store_find_url(&s, "https://example.com/not-here"), -1);
	long w = store_find_url(&s, s.v[2]->web_url);
	cr_assert_eq(w, 2);
	store_free(&s);
}

/* The reader's engine gives exactly what the plain filter and sort give,
 * for every order, with and without a pattern and marks. */
Test(engine, same_rows_as_filter_and_sort)
{
	struct store s;
	store_init(&s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/missing", "tests/data/bad",
			       "tests/data/fold"};
	store_load(&s, paths, 5, NULL);
	cr_assert_gt(s.n, 90);
	struct query *q = query_new(&s);
	unsigned char *marks = calloc(s.n, 1);
	for (size_t i = 0; i < s.n; i += 3)
		marks[i] = (unsigned char)(i % 2 ? MARK_READ : MARK_READ | MARK_STARRED);
	/* plain ones (a fast path of their own), with KELVIN SIGN and LONG S in
	 * tests/data/fold; regexes; case-sensitive; nothing */
	const char *patterns[] = {NULL,  "ai",      "ai m",  "ai ma", "\\bthe\\b", "Facebook",
				  "zzz", "0 k",     "kelvin", "schol", "the sch",   "\xc3\xa9",
				  "",    "k, wrote"};
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *got = malloc(s.n * sizeof *got);
	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		char *err;
		struct search *re = patterns[p] ? search_compile(patterns[p], &err) : NULL;
		for (int k = 0; k < SORT_NKEYS; k++) {
			for (int d = 0; d < 2; d++) {
				for (int mf = 0; mf < 3; mf++) {
					struct sort_order o = {(enum sort_key)k, d};
					size_t n = query_filter_marks(&s, re, marks, (enum mark_filter)mf, want);
					query_sort(&s, want, n, o);
					size_t m = query_rows(q, o, re, marks, (enum mark_filter)mf, got);
					cr_assert_eq(m, n, "%s %s %d: %zu rows, want %zu",
						     query_sort_name(o.key), d ? "desc" : "asc", mf, m, n);
					for (size_t i = 0; i < n; i++)
						cr_assert_eq(got[i], want[i],
							     "pattern %s, %s %s, row %zu: %s, want %s",
							     patterns[p] ? patterns[p] : "-",
							     query_sort_name(o.key), d ? "desc" : "asc", i,
							     s.v[got[i]]->path, s.v[want[i]]->path);
				}
			}
		}
		for (size_t i = 0; re && i < s.n; i++)
			cr_assert_eq(query_matches(q, re, i), search_article(re, s.v[i]));
		search_free(re);
	}
	free(want);
	free(got);
	free(marks);
	query_free(q);
	store_free(&s);
}
