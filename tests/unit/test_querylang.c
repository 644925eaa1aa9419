/* The query language: every atom, every range form, relative dates from an
 * injected now, precedence and errors with their columns, held against an
 * evaluation written here over whole parsed articles (PCRE2 called
 * directly, fields read from the structs, links found by comparing URLs):
 * the sets of matching paths must be the same, for a whole load, for the
 * reader's lazy records read through the cache, and through the query
 * engine's rows (its patterns found on a thread). */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/querylang.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/util.h"

/* 2021-04-01T00:00:00Z: what relative dates count back from here. */
#define NOW INT64_C(1617235200)
#define DAY INT64_C(86400)
#define MIN INT64_MIN
#define MAX INT64_MAX

static const char *const archive[] = {"tests/corpus", "seeds", "tests/corpus-site"};
enum { NARCHIVE = sizeof archive / sizeof *archive };

/* ---- the evaluation written here ---- */

enum rk {
	R_AND, R_OR, R_NOT,
	R_TEXT, R_TITLE, R_EXCERPT, R_PROVIDER, R_TOPIC, R_URL, R_TYPE,
	R_DATE, R_QUALITY, R_HEAT, R_UNREAD, R_STARRED, R_LOCAL, R_BACKLINKED,
};

struct ref {
	enum rk k;
	const struct ref *a, *b;
	const char *pat;
	int64_t lo, hi;
};

#define AND(x, y) (&(const struct ref){R_AND, x, y, NULL, 0, 0})
#define OR(x, y) (&(const struct ref){R_OR, x, y, NULL, 0, 0})
#define NOT(x) (&(const struct ref){R_NOT, x, NULL, NULL, 0, 0})
#define PAT(k, p) (&(const struct ref){k, NULL, NULL, p, 0, 0})
#define TEXT(p) PAT(R_TEXT, p)
#define RANGE(k, l, h) (&(const struct ref){k, NULL, NULL, NULL, l, h})
#define FLAG(k) (&(const struct ref){k, NULL, NULL, NULL, 0, 0})

/* Smart case as the page says: caseless unless the pattern spells an
 * upper-case letter (the patterns here are ASCII). */
static bool re_match(const char *pat, const char *text)
{
	if (!text)
		return false;
	bool upper = false;
	for (const char *p = pat; *p; p++)
		upper |= *p >= 'A' && *p <= 'Z';
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_UCP | (upper ? 0 : PCRE2_CASELESS), &code,
				       &off, NULL);
	cr_assert_not_null(re, "test pattern %s", pat);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	bool m = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL) >= 0;
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return m;
}

static bool any_topic(const char *pat, const struct article *a)
{
	for (size_t t = 0; t < a->ntopics; t++)
		if (re_match(pat, a->topics[t]))
			return true;
	return false;
}

static bool same_url(const char *x, const char *y)
{
	return x && y && *x && !strcmp(x, y);
}

/* The first article (load order) with url as its webUrl, originalUrl or
 * ampWebUrl, or -1: where a related story leads. */
static long target(const struct store *s, const char *url)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct article *a = s->v[i];
		if (same_url(a->web_url, url) || same_url(a->original_url, url) ||
		    same_url(a->amp_web_url, url))
			return (long)i;
	}
	return -1;
}

static bool links_local(const struct store *s, size_t i)
{
	const struct article *a = s->v[i];
	for (size_t r = 0; r < a->nrelated; r++)
		if (target(s, a->related[r].web_url) >= 0)
			return true;
	return false;
}

static bool linked_from(const struct store *s, size_t i)
{
	for (size_t k = 0; k < s->n; k++) {
		const struct article *a = s->v[k];
		for (size_t r = 0; r < a->nrelated; r++)
			if (target(s, a->related[r].web_url) == (long)i)
				return true;
	}
	return false;
}

static bool in(const struct ref *r, bool has, int64_t v)
{
	return has && v >= r->lo && v <= r->hi;
}

static bool ref_eval(const struct ref *r, const struct store *s, size_t i,
		     const unsigned char *marks)
{
	const struct article *a = s->v[i];
	switch (r->k) {
	case R_AND: return ref_eval(r->a, s, i, marks) && ref_eval(r->b, s, i, marks);
	case R_OR: return ref_eval(r->a, s, i, marks) || ref_eval(r->b, s, i, marks);
	case R_NOT: return !ref_eval(r->a, s, i, marks);
	case R_TEXT:
		return re_match(r->pat, a->title) || re_match(r->pat, a->excerpt) ||
		       re_match(r->pat, a->provider.name) || any_topic(r->pat, a);
	case R_TITLE: return re_match(r->pat, a->title);
	case R_EXCERPT: return re_match(r->pat, a->excerpt);
	case R_PROVIDER:
		return re_match(r->pat, a->provider.name) || re_match(r->pat, a->provider.domain);
	case R_TOPIC: return any_topic(r->pat, a);
	case R_URL:
		return re_match(r->pat, a->web_url) || re_match(r->pat, a->original_url) ||
		       re_match(r->pat, a->amp_web_url) || re_match(r->pat, a->cdn_amp_web_url);
	case R_TYPE: return re_match(r->pat, a->type && *a->type ? a->type : "article");
	case R_DATE: return in(r, a->has & HAS_DATE, a->date);
	case R_QUALITY: return in(r, (a->has & HAS_QUALITY) && a->quality != -1, a->quality);
	case R_HEAT: return in(r, (a->has & HAS_HEAT) && a->heat != -1, a->heat);
	case R_UNREAD: return !(marks[i] & MARK_READ);
	case R_STARRED: return marks[i] & MARK_STARRED;
	case R_LOCAL: return links_local(s, i);
	case R_BACKLINKED: return linked_from(s, i);
	}
	return false;
}

/* ---- the queries ---- */

struct qcase {
	const char *query;
	const struct ref *ref;
};

static const struct qcase cases[] = {
	/* words, phrases, regexes: the search's fields, smart case */
	{"seer", TEXT("seer")},
	{"SEER", TEXT("SEER")},
	{"\"carbon footprint\"", TEXT("carbon footprint")},
	{"/^Facebook/", TEXT("^Facebook")},
	{"/a\\/b/", TEXT("a/b")},
	{"\"say \\\"hi\\\"\"", TEXT("say \"hi\"")},
	{"vision", TEXT("vision")},
	/* the fields */
	{"~T vision", PAT(R_TITLE, "vision")},
	{"~T \"^How\"", PAT(R_TITLE, "^How")},
	{"~e vision", PAT(R_EXCERPT, "vision")},
	{"~e /coral reefs?/", PAT(R_EXCERPT, "coral reefs?")},
	{"~p venturebeat", PAT(R_PROVIDER, "venturebeat")},
	{"~p \\.com$", PAT(R_PROVIDER, "\\.com$")},
	{"~p /^VentureBeat$/", PAT(R_PROVIDER, "^VentureBeat$")},
	{"~t \"^AI$\"", PAT(R_TOPIC, "^AI$")},
	{"~t \"^ai$\"", PAT(R_TOPIC, "^ai$")},
	{"~t \"Computer Vision\"", PAT(R_TOPIC, "Computer Vision")},
	{"~t health", PAT(R_TOPIC, "health")},
	{"~u venturebeat", PAT(R_URL, "venturebeat")},
	{"~u /amp/", PAT(R_URL, "amp")},
	{"~u ^http:", PAT(R_URL, "^http:")},
	{"~y video", PAT(R_TYPE, "video")},
	{"~y \"^article$\"", PAT(R_TYPE, "^article$")},
	{"~y c", PAT(R_TYPE, "c")},
	/* dates: a day, a month, a year, ranges either side open */
	{"~d 2021-03-04", RANGE(R_DATE, 1614816000, 1614902400 - 1)},
	{"~d 2021-03", RANGE(R_DATE, 1614556800, 1617235200 - 1)},
	{"~d 2021", RANGE(R_DATE, 1609459200, 1640995200 - 1)},
	{"~d 2020..2021-03", RANGE(R_DATE, 1577836800, 1617235200 - 1)},
	{"~d 2021-03-04..2021-03-25", RANGE(R_DATE, 1614816000, 1616630400 + DAY - 1)},
	{"~d 2021-03..", RANGE(R_DATE, 1614556800, MAX)},
	{"~d ..2020", RANGE(R_DATE, MIN, 1609459200 - 1)},
	{"~d ..2021-03-04", RANGE(R_DATE, MIN, 1614902400 - 1)},
	/* relative: from NOW, 2021-04-01 */
	{"~d <30d", RANGE(R_DATE, NOW - 30 * DAY, MAX)},
	{"~d <1w", RANGE(R_DATE, NOW - 7 * DAY, MAX)},
	{"~d <48h", RANGE(R_DATE, NOW - 2 * DAY, MAX)},
	{"~d <2m", RANGE(R_DATE, 1612137600, MAX)},
	{"~d >1y", RANGE(R_DATE, MIN, 1585699200 - 1)},
	{"~d >13m", RANGE(R_DATE, MIN, 1583020800 - 1)},
	/* numbers */
	{"~q 39", RANGE(R_QUALITY, 39, 39)},
	{"~q 50..", RANGE(R_QUALITY, 50, MAX)},
	{"~q ..40", RANGE(R_QUALITY, MIN, 40)},
	{"~q 40..80", RANGE(R_QUALITY, 40, 80)},
	{"~q >74", RANGE(R_QUALITY, 75, MAX)},
	{"~q <74", RANGE(R_QUALITY, MIN, 73)},
	{"~q >=74", RANGE(R_QUALITY, 74, MAX)},
	{"~q <=74", RANGE(R_QUALITY, MIN, 74)},
	{"~q ..-1", RANGE(R_QUALITY, MIN, -1)},
	{"~h 100..", RANGE(R_HEAT, 100, MAX)},
	{"~h <100", RANGE(R_HEAT, MIN, 99)},
	{"~h -1", RANGE(R_HEAT, -1, -1)},
	{"!~h 0..", NOT(RANGE(R_HEAT, 0, MAX))},
	/* marks and links */
	{"~N", FLAG(R_UNREAD)},
	{"~F", FLAG(R_STARRED)},
	{"~N ~F", AND(FLAG(R_UNREAD), FLAG(R_STARRED))},
	{"~L", FLAG(R_LOCAL)},
	{"~B", FLAG(R_BACKLINKED)},
	{"~L !~B", AND(FLAG(R_LOCAL), NOT(FLAG(R_BACKLINKED)))},
	/* precedence: juxtaposition binds tighter than |, ! tightest */
	{"seer dino", AND(TEXT("seer"), TEXT("dino"))},
	{"seer | dino", OR(TEXT("seer"), TEXT("dino"))},
	{"seer|dino", OR(TEXT("seer"), TEXT("dino"))},
	{"~q 70.. seer | ~h 100..",
	 OR(AND(RANGE(R_QUALITY, 70, MAX), TEXT("seer")), RANGE(R_HEAT, 100, MAX))},
	{"~q 70.. (seer | ~h 100..)",
	 AND(RANGE(R_QUALITY, 70, MAX), OR(TEXT("seer"), RANGE(R_HEAT, 100, MAX)))},
	{"vision | ~t health ~d 2021", OR(TEXT("vision"), AND(PAT(R_TOPIC, "health"),
							     RANGE(R_DATE, 1609459200,
								   1640995200 - 1)))},
	{"!seer ~d 2021-03", AND(NOT(TEXT("seer")), RANGE(R_DATE, 1614556800, 1617235200 - 1))},
	{"!(seer ~d 2021-03)", NOT(AND(TEXT("seer"), RANGE(R_DATE, 1614556800, 1617235200 - 1)))},
	{"!!seer", NOT(NOT(TEXT("seer")))},
	{"  ( ( ~N ) )  ", FLAG(R_UNREAD)},
	{"~N | ~F | ~L", OR(OR(FLAG(R_UNREAD), FLAG(R_STARRED)), FLAG(R_LOCAL))},
	{"~e carbon ~N | !~q 50.. ~F",
	 OR(AND(PAT(R_EXCERPT, "carbon"), FLAG(R_UNREAD)),
	    AND(NOT(RANGE(R_QUALITY, 50, MAX)), FLAG(R_STARRED)))},
	{"~t \"^AI$\" ~d 2021-03 ~q 30.. ~N",
	 AND(AND(AND(PAT(R_TOPIC, "^AI$"), RANGE(R_DATE, 1614556800, 1617235200 - 1)),
		 RANGE(R_QUALITY, 30, MAX)),
	     FLAG(R_UNREAD))},
};
enum { NCASES = sizeof cases / sizeof *cases };

/* Marks of every kind, by index. */
static unsigned char *some_marks(size_t n)
{
	unsigned char *m = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		m[i] = (unsigned char)((i % 3 == 0 ? MARK_READ : 0) | (i % 4 == 1 ? MARK_STARRED : 0));
	return m;
}

static struct store whole, lazy;
static char *tmp;

static void load_both(void)
{
	tmp = temp_dir("querylang");
	char *cache = xasprintf("%s/cache", tmp);
	struct store_opts opts = {.cache_path = cache};
	store_init(&whole);
	store_load(&whole, archive, NARCHIVE, &opts); /* writes the cache */
	wait_until_not_racy();
	struct store_opts lz = {.cache_path = cache, .lazy = true};
	store_init(&lazy);
	store_load(&lazy, archive, NARCHIVE, &lz);
	free(cache);
	cr_assert_eq(whole.n, lazy.n);
	cr_assert_gt(whole.n, 100);
	for (size_t i = 0; i < whole.n; i++) {
		cr_assert_str_eq(store_path(&whole, i), store_path(&lazy, i));
		cr_assert(store_is_lazy(&lazy, i), "%s: not lazy", store_path(&lazy, i));
	}
}

static void free_both(void)
{
	store_free(&whole);
	store_free(&lazy);
	temp_dir_free(tmp);
}

TestSuite(querylang, .init = load_both, .fini = free_both, .timeout = 120);

static struct querylang *compile_ok(const char *text)
{
	char *err = NULL;
	struct querylang *q = querylang_compile(text, NOW, &err);
	cr_assert_not_null(q, "%s: %s", text, err);
	return q;
}

/* "0101..." by article: which ones the query matches, evaluated alone. */
static char *matches_of(const struct querylang *q, const struct store *s,
			const unsigned char *marks)
{
	char *v = xmalloc(s->n + 1);
	struct querylang_eval *e = querylang_eval_new(q, s);
	querylang_eval_marks(e, marks);
	for (size_t i = 0; i < s->n; i++)
		v[i] = querylang_match(e, i) ? '1' : '0';
	v[s->n] = '\0';
	querylang_eval_free(e);
	return v;
}

/* The paths a string of matches names, for a message. */
static char *paths_differing(const struct store *s, const char *got, const char *want)
{
	struct buf b = {0};
	for (size_t i = 0; i < s->n; i++)
		if (got[i] != want[i])
			buf_printf(&b, "\n  %s %s", got[i] == '1' ? "extra" : "missing",
				   store_path(s, i));
	return (char *)buf_str(&b);
}

/* Each query against the evaluation written here, over the whole
 * articles and over the lazy records; and its patterns' outcomes, kept as
 * the engine keeps them, give the same answer. */
Test(querylang, every_case_matches_the_independent_evaluation)
{
	unsigned char *marks = some_marks(whole.n);
	size_t nonempty = 0;
	for (size_t c = 0; c < NCASES; c++) {
		struct querylang *q = compile_ok(cases[c].query);
		char *want = xmalloc(whole.n + 1);
		size_t nwant = 0;
		for (size_t i = 0; i < whole.n; i++) {
			want[i] = ref_eval(cases[c].ref, &whole, i, marks) ? '1' : '0';
			nwant += want[i] == '1';
		}
		want[whole.n] = '\0';
		nonempty += nwant > 0 && nwant < whole.n;
		char *got = matches_of(q, &whole, marks);
		char *diff = paths_differing(&whole, got, want);
		cr_expect_str_eq(got, want, "%s (whole):%s", cases[c].query, diff);
		free(diff);
		free(got);
		got = matches_of(q, &lazy, marks);
		diff = paths_differing(&lazy, got, want);
		cr_expect_str_eq(got, want, "%s (lazy):%s", cases[c].query, diff);
		free(diff);
		free(got);
		/* the patterns' bits, then the rest */
		struct querylang_eval *e = querylang_eval_new(q, &lazy);
		querylang_eval_marks(e, marks);
		for (size_t i = 0; i < lazy.n; i++)
			cr_expect_eq(querylang_match_with(e, i, querylang_slow(e, i)), want[i] == '1',
				     "%s (bits): %s", cases[c].query, store_path(&lazy, i));
		querylang_eval_free(e);
		free(want);
		querylang_free(q);
	}
	/* the cases tell articles apart: most match some, not all */
	cr_assert_gt(nonempty, NCASES * 3 / 4, "only %zu of %d cases split the corpus", nonempty,
		     NCASES);
	free(marks);
}

/* The engine's rows for a query are the rows of no filter, kept where the
 * query matches: before its patterns are known (a walk that tests each),
 * and after (from the bits a thread found), on a lazy store. */
Test(querylang, engine_rows_follow_the_query)
{
	unsigned char *marks = some_marks(lazy.n);
	struct query *eng = query_new(&lazy);
	query_set_thread_min(eng, 8); /* the threaded paths, with a hundred articles */
	uint32_t *all = xmalloc(lazy.n * sizeof *all), *out = xmalloc(lazy.n * sizeof *out);
	struct sort_order o = {SORT_DATE, true};
	size_t nall = query_rows(eng, o, NULL, NULL, MARKS_ALL, all);
	cr_assert_eq(nall, lazy.n);
	for (size_t c = 0; c < NCASES; c++) {
		struct querylang *q = compile_ok(cases[c].query);
		char *want = matches_of(q, &whole, marks);
		struct query_spec w = {o, NULL, marks, MARKS_ALL, q};
		const uint32_t *rows;
		struct query_walk walk;
		size_t n = query_rows_begin(eng, &w, 5, out, &rows, &walk);
		n = query_rows_extend(eng, &w, out, n, SIZE_MAX, -1, &walk);
		cr_assert(walk.complete);
		size_t k = 0;
		for (size_t r = 0; r < nall; r++) {
			if (want[all[r]] != '1')
				continue;
			cr_assert_lt(k, n, "%s: too few rows", cases[c].query);
			cr_assert_eq(rows[k], all[r], "%s: row %zu", cases[c].query, k);
			k++;
		}
		cr_assert_eq(k, n, "%s: %zu rows, %zu wanted", cases[c].query, n, k);
		/* again, with the patterns' outcomes known */
		query_settle(eng);
		query_poll(eng);
		cr_assert(query_rows_ready(eng, &w), "%s", cases[c].query);
		size_t again = query_rows_spec(eng, &w, out, &rows);
		cr_assert_eq(again, n, "%s", cases[c].query);
		/* a mark changed counts at once, the kept outcomes notwithstanding */
		if (querylang_needs(q) & QUERYLANG_MARKS) {
			size_t i = all[0];
			marks[i] ^= MARK_READ | MARK_STARRED;
			char *now = matches_of(q, &whole, marks);
			cr_assert_eq(query_rows_keeps(eng, &w, i), now[i] == '1', "%s",
				     cases[c].query);
			marks[i] ^= MARK_READ | MARK_STARRED;
			free(now);
		}
		free(want);
		querylang_free(q);
	}
	query_free(eng);
	free(all);
	free(out);
	free(marks);
}

/* ---- errors ---- */

struct ecase {
	const char *query, *err;
};

static const struct ecase errors[] = {
	{"~q", "query:3: expected a range after ~q"},
	{"~N ~F vision ~q", "query:16: expected a range after ~q"},
	{"~q abc", "query:4: expected a range after ~q"},
	{"~q 5..x", "query:4: expected a range after ~q"},
	{"~q ..", "query:4: expected a range after ~q"},
	{"~q >", "query:4: expected a range after ~q"},
	{"~h =5", "query:4: expected a range after ~h"},
	{"~d", "query:3: expected a date range after ~d"},
	{"~d 2021-13", "query:4: expected a date range after ~d"},
	{"~d 2021-02-29", "query:4: expected a date range after ~d"},
	{"~d 21-03", "query:4: expected a date range after ~d"},
	{"~d <7x", "query:4: expected a date range after ~d"},
	{"~d 2021..x", "query:4: expected a date range after ~d"},
	{"~T", "query:3: expected a pattern after ~T"},
	{"~t )", "query:4: expected a pattern after ~t"},
	{"~x", "query:1: unknown operator ~x (one of ~T ~e ~p ~t ~u ~y ~d ~q ~h ~N ~F ~L ~B ~C)"},
	{"a ~", "query:3: expected an operator after ~"},
	{"(a", "query:3: expected ) to close the ( at column 1"},
	{"a (b | c", "query:9: expected ) to close the ( at column 3"},
	{"()", "query:2: expected a query after ( (for a regex, write /regex/)"},
	{"~N ()", "query:5: expected a query after ("},
	{"a )", "query:3: unexpected )"},
	{"| a", "query:1: expected a query before | (for a regex, write /regex/)"},
	{"~N | (| a)", "query:7: expected a query before |"},
	{"~N |", "query:5: expected a query after |"},
	{"~N | | b", "query:6: expected a query after |"},
	{"!", "query:2: expected a query after ! (for a regex, write /regex/)"},
	{"~N !)", "query:5: expected a query after !"},
	{"\"abc", "query:1: unterminated quote"},
	{"~N /abc", "query:4: unterminated /regex/"},
	{"~T [a", "query:4: invalid regex at offset 2: missing terminating ] for character class"},
	/* columns count characters, not bytes */
	{"caf\xc3\xa9 ~q", "query:8: expected a range after ~q"},
	/* a regex that is not a query: the advice to write it as one */
	{"foo|", "query:5: expected a query after | (for a regex, write /regex/)"},
	{"[a b]", "query:1: invalid regex at offset 2: missing terminating ] for character class "
		  "(for a regex, write /regex/)"},
};
enum { NERRORS = sizeof errors / sizeof *errors };

ParameterizedTestParameters(querylang, errors_say_the_column)
{
	static size_t idx[NERRORS];
	for (size_t i = 0; i < NERRORS; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, NERRORS);
}

ParameterizedTest(size_t *i, querylang, errors_say_the_column)
{
	char *err = NULL;
	struct querylang *q = querylang_compile(errors[*i].query, NOW, &err);
	cr_assert_null(q, "%zu: %s compiled", *i, errors[*i].query);
	cr_assert_str_eq(err, errors[*i].err, "%zu: %s", *i, errors[*i].query);
	free(err);
}

/* ---- the rest of the module's face ---- */

Test(querylang, blank_matches_everything)
{
	struct querylang *q = compile_ok("  ");
	char *got = matches_of(q, &whole, NULL);
	cr_assert_eq(strspn(got, "1"), whole.n);
	free(got);
	cr_assert_null(querylang_plain(q));
	querylang_free(q);
}

Test(querylang, plain_is_one_pattern_alone)
{
	static const struct {
		const char *query, *plain;
	} v[] = {{"seer", "seer"}, {"\"a b\"", "a b"}, {"/x\\/y/", "x/y"}, {"(seer)", "seer"},
		 {"seer dino", NULL}, {"~T seer", NULL}, {"!seer", NULL}, {"~N", NULL}};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct querylang *q = compile_ok(v[i].query);
		struct search *p = querylang_plain(q);
		if (v[i].plain)
			cr_assert(p && !strcmp(search_pattern(p), v[i].plain), "%s", v[i].query);
		else
			cr_assert_null(p, "%s", v[i].query);
		cr_assert_str_eq(querylang_text(q), v[i].query);
		querylang_free(q);
	}
}

/* -e's pattern as a query: the same search, whatever slashes it holds. */
Test(querylang, a_regex_quoted_is_the_same_search)
{
	static const char *const pats[] = {"seer", "a/b", "a\\/b", "^x$|/y", "\\\\", "(a|b) c",
					   "\"q\""};
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
		char *text = querylang_quote_regex(pats[i]);
		struct querylang *q = compile_ok(text);
		struct search *p = querylang_plain(q);
		cr_assert_not_null(p, "%s", text);
		/* the same pattern, but \/ (a slash either way) read as / */
		char *err = NULL;
		struct search *a = search_compile(pats[i], &err), *b = search_compile(search_pattern(p), &err);
		const char *probe[] = {"seer", "a/b", "x", "/y", "\\", "a c", "\"q\""};
		for (size_t k = 0; k < sizeof probe / sizeof *probe; k++)
			cr_assert_eq(search_match(a, probe[k], strlen(probe[k])),
				     search_match(b, probe[k], strlen(probe[k])), "%s on %s", text,
				     probe[k]);
		search_free(a);
		search_free(b);
		querylang_free(q);
		free(text);
	}
}

/* What a query reads besides the articles, for the command line to load
 * links and marks only when asked. */
Test(querylang, needs)
{
	static const struct {
		const char *query;
		unsigned needs;
	} v[] = {{"~q 5", 0},
		 {"~N", QUERYLANG_MARKS},
		 {"~F | ~B", QUERYLANG_MARKS | QUERYLANG_LINKS},
		 {"!~L x", QUERYLANG_LINKS | QUERYLANG_TEXTS},
		 {"~T x ~d 2021", QUERYLANG_TEXTS}};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct querylang *q = compile_ok(v[i].query);
		cr_assert_eq(querylang_needs(q), v[i].needs, "%s", v[i].query);
		querylang_free(q);
	}
}

/* More patterns than the engine keeps bits for: the rest are evaluated
 * each time, with the same answer. */
Test(querylang, many_patterns)
{
	struct buf b = {0};
	for (int k = 0; k < QUERYLANG_MAX_SLOW + 4; k++)
		buf_printf(&b, "%s~T zzz%d", k ? " | " : "", k);
	buf_puts(&b, " | ~T vision");
	struct querylang *q = compile_ok(buf_str(&b));
	cr_assert_eq(querylang_nslow(q), QUERYLANG_MAX_SLOW + 5);
	struct querylang *one = compile_ok("~T vision");
	char *want = matches_of(one, &lazy, NULL);
	struct querylang_eval *e = querylang_eval_new(q, &lazy);
	for (size_t i = 0; i < lazy.n; i++)
		cr_assert_eq(querylang_match_with(e, i, querylang_slow(e, i)), want[i] == '1');
	querylang_eval_free(e);
	free(want);
	querylang_free(one);
	querylang_free(q);
	buf_free(&b);
}

/* ~C: the articles --json gives a "cluster" (a coverage cluster of two or
 * more), and no other; on the seeds, the four outlets on one model. */
static size_t lines_with(const char *out, const char *needle, size_t *total)
{
	size_t n = 0;
	*total = 0;
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);
		n += strstr(line, needle) != NULL;
		++*total;
		free(line);
		p += len + (nl != NULL);
	}
	return n;
}

Test(querylang, cluster_atom_is_the_stories_of_two_or_more)
{
	struct run all, in, out;
	run_lede(&all, (const char *[]){"--json", "--no-cache", "tests/corpus", NULL}, NULL);
	run_lede(&in, (const char *[]){"--json", "--no-cache", "-q", "~C", "tests/corpus", NULL},
		 NULL);
	run_lede(&out, (const char *[]){"--json", "--no-cache", "-q", "!~C", "tests/corpus", NULL},
		 NULL);
	cr_assert_eq(in.status, 0, "%s", in.err);
	size_t nall, nin, nout;
	size_t clustered = lines_with(all.out, "\"cluster\":", &nall);
	cr_assert_gt(clustered, 1);
	cr_assert_eq(lines_with(in.out, "\"cluster\":", &nin), nin);
	cr_assert_eq(nin, clustered);
	cr_assert_eq(lines_with(out.out, "\"cluster\":", &nout), 0);
	cr_assert_eq(nin + nout, nall);
	run_free(&all);
	run_free(&in);
	run_free(&out);

	struct run seeds;
	run_lede(&seeds, (const char *[]){"--list", "--no-cache", "-q", "~C", "seeds", NULL}, NULL);
	size_t n, seer = lines_with(seeds.out, "Facebook", &n);
	cr_assert_eq(n, 4, "%s", seeds.out);
	cr_assert_eq(seer, 4);
	cr_assert_null(strstr(seeds.out, "segment images"), "%s", seeds.out);
	run_free(&seeds);
}
