/* Facets: the counts of a query's topics, providers and months held
 * against a count written here over the whole parsed articles of
 * tests/corpus (the query applied by querylang_match, the names read from
 * the structs, months from gmtime); the clause a facet adds, read back by
 * the query language, matching its name alone whatever characters the
 * name holds; adding and taking away a facet; the sparkline in block
 * elements and in ASCII; the job; and where the layout puts the pane. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "lede/date.h"
#include "lede/facets.h"
#include "lede/querylang.h"
#include "lede/store.h"
#include "lede/ui/layout.h"
#include "lede/util.h"

/* 2021-04-01T00:00:00Z: relative dates count back from here. */
#define NOW INT64_C(1617235200)

/* ---- the count written here ---- */

struct tally {
	struct strlist names;
	size_t *count;
	size_t cap;
};

static void tally_add(struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->names.n; i++)
		if (!strcmp(t->names.v[i], name)) {
			t->count[i]++;
			return;
		}
	strlist_push(&t->names, xstrdup(name));
	t->count = xgrow(t->count, &t->cap, t->names.n, sizeof *t->count);
	t->count[t->names.n - 1] = 1;
}

static size_t tally_of(const struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->names.n; i++)
		if (!strcmp(t->names.v[i], name))
			return t->count[i];
	return 0;
}

static void tally_free(struct tally *t)
{
	strlist_free(&t->names);
	free(t->count);
}

struct reference {
	struct tally topics, providers, months;
	size_t nrows, dated;
};

static void reference_add(struct reference *r, const struct article *a)
{
	r->nrows++;
	if (a->provider.name && *a->provider.name)
		tally_add(&r->providers, a->provider.name);
	for (size_t k = 0; k < a->ntopics; k++) {
		bool again = false;
		for (size_t j = 0; j < k; j++)
			again |= !strcmp(a->topics[j], a->topics[k]);
		if (!again && *a->topics[k])
			tally_add(&r->topics, a->topics[k]);
	}
	if (a->has & HAS_DATE) {
		time_t t = (time_t)a->date;
		struct tm tm;
		char m[16];
		cr_assert_not_null(gmtime_r(&t, &tm));
		strftime(m, sizeof m, "%Y-%m", &tm);
		tally_add(&r->months, m);
		r->dated++;
	}
}

static void reference_free(struct reference *r)
{
	tally_free(&r->topics);
	tally_free(&r->providers);
	tally_free(&r->months);
}

/* Every facet counted as the reference counts it, each name once, and the
 * reference has no name the facets miss; the order most frequent first
 * (months by date). */
static void same_facets(const struct facet *f, size_t n, const struct tally *t, bool months,
			const char *query)
{
	cr_assert_eq(n, t->names.n, "%s: %zu facets, %zu names", query, n, t->names.n);
	for (size_t k = 0; k < n; k++) {
		char m[FACETS_MONTH_LEN];
		const char *name = f[k].name;
		if (months) {
			facets_month_label(f[k].month, m, sizeof m);
			name = m;
		}
		cr_assert_eq(f[k].count, tally_of(t, name), "%s: %s counted %zu, not %zu", query,
			     name, f[k].count, tally_of(t, name));
		if (k && months)
			cr_assert_lt(f[k - 1].month, f[k].month, "%s: months in order", query);
		else if (k)
			cr_assert(f[k - 1].count > f[k].count ||
					  (f[k - 1].count == f[k].count &&
					   strcmp(f[k - 1].name, f[k].name) < 0),
				  "%s: %s before %s", query, f[k - 1].name, f[k].name);
	}
}

static const char *const queries[] = {
	"",
	"~d 2020-04",
	"~q 80.. | ~t \"^Computer Vision$\"",
	"!~p Forbes ~d 2019..2021",
	"coral",
	"~h 100..",
	"~d 1990", /* none */
};

ParameterizedTestParameters(facets, counts_match_a_count_over_the_articles)
{
	static size_t cases[sizeof queries / sizeof *queries];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cases[i] = i;
	return cr_make_param_array(size_t, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(size_t *qi, facets, counts_match_a_count_over_the_articles)
{
	const char *query = queries[*qi];
	struct store s;
	load_path(&s, "tests/corpus");
	char *err = NULL;
	struct querylang *q = querylang_compile(query, NOW, &err);
	cr_assert_not_null(q, "%s: %s", query, err);
	struct querylang_eval *e = querylang_eval_new(q, &s);
	uint32_t *rows = xmalloc(s.n * sizeof *rows);
	size_t n = 0;
	struct reference ref = {0};
	for (size_t i = 0; i < s.n; i++)
		if (querylang_match(e, i)) {
			rows[n++] = (uint32_t)i;
			reference_add(&ref, s.v[i]);
		}
	querylang_eval_free(e);
	struct facets_index *x = facets_index_new(&s, NULL);
	cr_assert_not_null(x);
	struct facets_counts c;
	cr_assert(facets_count(x, &s, rows, n, &c, NULL));
	cr_assert_eq(c.nrows, n);
	same_facets(c.topics, c.ntopics, &ref.topics, false, query);
	same_facets(c.providers, c.nproviders, &ref.providers, false, query);
	same_facets(c.months, c.nmonths, &ref.months, true, query);
	/* the timeline counts every dated row once */
	size_t sum = 0;
	for (size_t k = 0; k < c.timeline.n; k++)
		sum += c.timeline.count[k];
	cr_assert_eq(sum, ref.dated, "%s", query);
	/* and the query's own count over the archive is the rows' */
	cr_assert_eq(facets_count_query(q, &s, NULL, NULL), n, "%s", query);
	facets_counts_free(&c);
	facets_index_free(x);
	reference_free(&ref);
	free(rows);
	querylang_free(q);
	store_free(&s);
}

/* A cancelled count stops and says so. */
Test(facets, a_cancelled_count_says_so)
{
	struct store s;
	load_path(&s, "tests/corpus");
	atomic_bool cancel = true;
	cr_assert_null(facets_index_new(&s, &cancel));
	struct facets_index *x = facets_index_new(&s, NULL);
	uint32_t rows[] = {0, 1, 2};
	struct facets_counts c;
	cr_assert_not(facets_count(x, &s, rows, 3, &c, &cancel));
	struct querylang *all = querylang_compile("", NOW, NULL);
	cr_assert_eq(facets_count_query(all, &s, NULL, &cancel), SIZE_MAX);
	querylang_free(all);
	facets_index_free(x);
	store_free(&s);
}

/* The job gives what a count on this thread gives, the views counted. */
Test(facets, the_job_counts_as_this_thread_does)
{
	struct store s;
	load_path(&s, "tests/corpus");
	struct facets_job_in in = {.s = &s, .nrows = s.n};
	in.rows = xmalloc(s.n * sizeof *in.rows);
	for (size_t i = 0; i < s.n; i++)
		in.rows[i] = (uint32_t)i;
	in.nviews = 2;
	in.views = xcalloc(2, sizeof *in.views);
	in.views[0] = querylang_compile("~q 80..", NOW, NULL);
	in.views[1] = querylang_compile("~N", NOW, NULL);
	in.marks = xcalloc(s.n, 1);
	in.marks[0] = 1; /* MARK_READ: one read, the rest unread */
	struct facets_job *j = facets_job_start(&in);
	cr_assert_not_null(j);
	struct facets_result *r;
	cr_assert(facets_job_take(&j, true, &r));
	cr_assert_null(j);
	cr_assert_not_null(r);
	cr_assert_not_null(r->index, "the job built the index");
	cr_assert_eq(r->counts.nrows, s.n);
	cr_assert_eq(r->nviews, 2);
	struct querylang *best = querylang_compile("~q 80..", NOW, NULL);
	cr_assert_eq(r->view_counts[0], facets_count_query(best, &s, NULL, NULL));
	cr_assert_eq(r->view_counts[1], s.n - 1);
	querylang_free(best);
	facets_result_free(r);
	/* cancelled at once: nothing to take, nothing leaked */
	struct facets_job_in in2 = {.s = &s, .nrows = 0, .rows = xmalloc(4)};
	struct facets_job *j2 = facets_job_start(&in2);
	facets_job_cancel(&j2);
	cr_assert_null(j2);
	store_free(&s);
}

/* ---- the clauses ---- */

struct clause_case {
	enum facet_kind kind;
	const char *name;
	int64_t month;
	const char *clause;
};

ParameterizedTestParameters(facets, clauses)
{
	static struct clause_case cases[] = {
		{FACET_TOPIC, "AI", 0, "~t \"^AI$\""},
		{FACET_TOPIC, "Computer Vision", 0, "~t \"^Computer Vision$\""},
		{FACET_TOPIC, "C++ (lang)", 0, "~t \"^C\\+\\+ \\(lang\\)$\""},
		{FACET_TOPIC, "a.b*c?[d]{2}|e^$", 0, "~t \"^a\\.b\\*c\\?\\[d\\]\\{2\\}\\|e\\^\\$$\""},
		{FACET_PROVIDER, "say \"hi\"", 0, "~p \"^say \\\"hi\\\"$\""},
		{FACET_PROVIDER, "back\\slash", 0, "~p \"^back\\\\slash$\""},
		{FACET_MONTH, NULL, 2021 * 12 + 2, "~d 2021-03"},
		{FACET_MONTH, NULL, 1999 * 12 + 11, "~d 1999-12"},
	};
	return cr_make_param_array(struct clause_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct clause_case *c, facets, clauses)
{
	struct facet f = {c->kind, c->name, c->month, 0};
	char *got = facets_clause(&f);
	cr_assert_str_eq(got, c->clause);
	char *err = NULL;
	struct querylang *q = querylang_compile(got, NOW, &err);
	cr_assert_not_null(q, "%s: %s", got, err);
	querylang_free(q);
	free(got);
	struct facet v = {FACET_VIEW, "week", 0, 0};
	cr_assert_null(facets_clause(&v));
}

/* Names with every kind of character the language or PCRE2 reads: each
 * facet's clause matches the stories with that name and no other. */
static const char *const hostile_topics[] = {
	"C++ (lang)", "CCC (lang)", "C++ (lang) x", "back\\slash", "back\\\\slash",
	"a.b*c?",     "aXb*c?",     "quote\"\\",    "a\\\"b",      "ab\"",
	"x|y",        "(x",         "Ends$ ^Starts", "/slash/",   "ai",
	"AI",         "x-ray",
};
enum { NHOSTILE = sizeof hostile_topics / sizeof *hostile_topics };

/* name in YAML's single quotes: only the quote itself is doubled. */
static void yaml_single(struct buf *b, const char *name)
{
	buf_putc(b, '\'');
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

static char *hostile_archive(void)
{
	char *dir = temp_dir("facets");
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct buf b = {0};
		buf_printf(&b, "---\ntitle: story %zu\nwebUrl: https://example.com/%zu\n"
			       "publishedDateTime: 2021-03-0%zuT07:00:00Z\nprovider:\n  name: ",
			   i, i, i % 9 + 1);
		yaml_single(&b, hostile_topics[i]);
		buf_puts(&b, "\ntopics:\n  - ");
		yaml_single(&b, hostile_topics[i]);
		buf_puts(&b, "\n---\n");
		char path[512];
		snprintf(path, sizeof path, "%s/a%02zu.md", dir, i);
		write_text(path, buf_str(&b));
		buf_free(&b);
	}
	return dir;
}

Test(facets, a_clause_matches_its_name_alone)
{
	char *dir = hostile_archive();
	struct store s;
	load_path(&s, dir);
	cr_assert_eq(s.n, NHOSTILE, "%s", s.problems.n ? s.problems.v[0] : "");
	struct facets_index *x = facets_index_new(&s, NULL);
	uint32_t rows[NHOSTILE];
	for (size_t i = 0; i < NHOSTILE; i++)
		rows[i] = (uint32_t)i;
	struct facets_counts c;
	cr_assert(facets_count(x, &s, rows, NHOSTILE, &c, NULL));
	cr_assert_eq(c.ntopics, NHOSTILE, "every spelling is a topic of its own");
	cr_assert_eq(c.nproviders, NHOSTILE);
	const struct facet *lists[] = {c.topics, c.providers};
	for (int l = 0; l < 2; l++)
		for (size_t k = 0; k < NHOSTILE; k++) {
			const struct facet *f = &lists[l][k];
			char *clause = facets_clause(f);
			char *err = NULL;
			struct querylang *q = querylang_compile(clause, NOW, &err);
			cr_assert_not_null(q, "%s: %s", clause, err);
			struct querylang_eval *e = querylang_eval_new(q, &s);
			for (size_t i = 0; i < s.n; i++) {
				const char *name = l ? s.v[i]->provider.name : s.v[i]->topics[0];
				bool same = !strcmp(name, f->name);
				/* smart case: a name with no capital matches in any
				 * case, as the page says */
				bool folded = !strcasecmp(name, f->name) && !strcmp(f->name, "ai");
				cr_assert_eq(querylang_match(e, i), same || folded,
					     "%s against %s", clause, name);
			}
			querylang_eval_free(e);
			querylang_free(q);
			free(clause);
		}
	facets_counts_free(&c);
	facets_index_free(x);
	store_free(&s);
	temp_dir_free(dir);
}

/* ---- adding and taking away ---- */

struct toggle_case {
	const char *query, *clause, *want;
	bool had;
};

ParameterizedTestParameters(facets, toggles)
{
	static struct toggle_case cases[] = {
		/* 0 */ {"", "~d 2021-03", "~d 2021-03", false},
		/* 1 */ {"  ", "~d 2021-03", "~d 2021-03", false},
		/* 2 */ {"~q 50..", "~t \"^AI$\"", "~q 50.. ~t \"^AI$\"", false},
		/* 3 */ {"~q 50.. ~t \"^AI$\"", "~t \"^AI$\"", "~q 50..", true},
		/* 4 */ {"~t \"^AI$\" ~q 50..", "~t \"^AI$\"", "~q 50..", true},
		/* 5 */ {"~d 2021-03", "~d 2021-03", "", true},
		/* 6 */ {"a ~d 2021-03 b", "~d 2021-03", "a b", true},
		/* 7 */ {"a | b", "~d 2021-03", "(a | b) ~d 2021-03", false},
		/* 8 */ {"(a | b) ~d 2021-03", "~d 2021-03", "(a | b)", true},
		/* 9: on one side of a top-level | it narrows that side only */
		{"a | b ~d 2021-03", "~d 2021-03", "(a | b ~d 2021-03) ~d 2021-03", false},
		/* 10: negated, it is not the facet */
		{"!~d 2021-03", "~d 2021-03", "!~d 2021-03 ~d 2021-03", false},
		/* 11: inside a quoted pattern or a group, it is not either */
		{"\"x ~d 2021-03 y\"", "~d 2021-03", "\"x ~d 2021-03 y\" ~d 2021-03", false},
		/* 12 */ {"(a ~d 2021-03)", "~d 2021-03", "(a ~d 2021-03) ~d 2021-03", false},
		/* 13 */ {"/a|b/", "~d 2021-03", "/a|b/ ~d 2021-03", false},
		/* 14: a longer word that starts with it */
		{"~d 2021-03..2021-04", "~d 2021-03", "~d 2021-03..2021-04 ~d 2021-03", false},
		/* 15: quotes in the name */
		{"~p \"^say \\\"hi\\\"$\" x", "~p \"^say \\\"hi\\\"$\"", "x", true},
	};
	return cr_make_param_array(struct toggle_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct toggle_case *c, facets, toggles)
{
	cr_assert_eq(facets_query_has(c->query, c->clause), c->had, "%s", c->query);
	char *got = facets_query_toggle(c->query, c->clause);
	cr_assert_str_eq(got, c->want, "%s", c->query);
	/* what was added is held now; what was taken is not */
	cr_assert_eq(facets_query_has(got, c->clause), !c->had, "%s", got);
	char *err = NULL;
	struct querylang *q = querylang_compile(got, NOW, &err);
	cr_assert_not_null(q, "%s: %s", got, err);
	querylang_free(q);
	if (!c->had) { /* and the second Enter takes it away again */
		char *back = facets_query_toggle(got, c->clause);
		cr_assert_not(facets_query_has(back, c->clause), "%s", back);
		free(back);
	}
	free(got);
}

/* ---- the sparkline ---- */

static int64_t at(const char *iso)
{
	int64_t t;
	cr_assert_eq(date_parse(iso, strlen(iso), &t), 0, "%s", iso);
	return t;
}

static char *spark(const char *const *dates, size_t n, int width, bool ascii)
{
	struct facets_counts c = {0};
	int64_t d[16];
	for (size_t i = 0; i < n; i++)
		d[i] = at(dates[i]);
	timeline_make(&c.timeline, d, n);
	struct buf b = {0};
	facets_sparkline(&c, width, ascii, &b);
	timeline_free(&c.timeline);
	return (char *)buf_str(&b);
}

Test(facets, sparkline_in_blocks_and_in_ascii)
{
	/* three days: 2, none, 1 */
	const char *days[] = {"2021-03-04T07:00:00Z", "2021-03-04T09:00:00Z",
			      "2021-03-06T00:00:00Z"};
	char *u = spark(days, 3, 20, false), *a = spark(days, 3, 20, true);
	cr_assert_str_eq(u, "\u2588 \u2584");
	cr_assert_str_eq(a, "@ =");
	free(u);
	free(a);
	/* weeks past 31 days: 1, 0, 0, 0, 0, 3 (Mondays from 2021-03-01) */
	const char *weeks[] = {"2021-03-01", "2021-04-05", "2021-04-06", "2021-04-11"};
	u = spark(weeks, 4, 20, false);
	a = spark(weeks, 4, 20, true);
	cr_assert_str_eq(u, "\u2583    \u2588");
	cr_assert_str_eq(a, "-    @");
	free(u);
	free(a);
	/* narrower than the periods: resampled into the cells, never wider */
	u = spark(weeks, 4, 3, true);
	cr_assert_eq(strlen(u), 3);
	free(u);
	/* no date: nothing drawn */
	u = spark(NULL, 0, 10, false);
	cr_assert_str_eq(u, "");
	free(u);
}

/* ---- the layout ---- */

static bool inside(struct rect r, int cols, int rows)
{
	return r.w >= 0 && r.h >= 0 && r.x >= 0 && r.y >= 0 && r.x + r.w <= cols &&
	       r.y + r.h <= rows;
}

static int area(struct rect r)
{
	return r.w * r.h;
}

Test(facets, layout_above_at_80x24_beside_when_wide)
{
	struct layout_in in = {.cols = 80, .rows = 24, .bottom_open = true, .facets_open = true};
	struct layout_out o;
	layout_compute(&in, &o);
	cr_assert_eq(o.facets.y, 0);
	cr_assert_eq(o.facets.w, 80);
	cr_assert_eq(o.facets.h, 7);
	cr_assert_eq(o.list.y, 7);
	cr_assert_eq(o.list.h, 6);
	cr_assert_eq(o.story.y, 13);
	cr_assert_eq(o.story.h, 9);
	in.cols = 140;
	in.rows = 30;
	layout_compute(&in, &o);
	cr_assert_eq(o.facets.x, 0);
	cr_assert_eq(o.facets.h, 28);
	cr_assert_eq(o.facets_sep.x, o.facets.w);
	cr_assert_eq(o.list.x, o.facets.w + 1);
	cr_assert_eq(o.story.x, o.facets.w + 1);
	/* focused and zoomed, the facets take the main area */
	in.zoom = in.facets_focus = true;
	layout_compute(&in, &o);
	cr_assert_eq(area(o.facets), 140 * 28);
	cr_assert_eq(area(o.list) + area(o.story), 0);
}

/* At every size, with every other setting, the panes stay on the screen,
 * never overlap and fill the main area. */
Test(facets, layout_fills_the_screen_at_every_size)
{
	static const int sizes[][2] = {{0, 0}, {1, 1}, {20, 5}, {20, 8}, {80, 24}, {99, 24},
				       {100, 24}, {1000, 50}, {400, 8}};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		for (int bits = 0; bits < 32; bits++) {
			int cols = sizes[i][0], rows = sizes[i][1];
			struct layout_in in = {.cols = cols,
					       .rows = rows,
					       .vertical = bits & 1,
					       .bottom_open = bits & 2,
					       .zoom = bits & 4,
					       .focus = (bits & 8) ? 1 : 0,
					       .facets_open = true,
					       .facets_focus = bits & 16};
			struct layout_out o;
			layout_compute(&in, &o);
			struct rect all[] = {o.list, o.story, o.sep, o.facets, o.facets_sep};
			int sum = 0;
			for (size_t k = 0; k < 5; k++) {
				cr_assert(inside(all[k], cols, rows), "%dx%d %d", cols, rows, bits);
				sum += area(all[k]);
			}
			if (!o.too_small)
				cr_assert_eq(sum, cols * (rows - 2), "%dx%d %d", cols, rows, bits);
		}
}
