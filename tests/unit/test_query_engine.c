/* The reader's engine on its quick paths, each checked against the plain
 * filter and sort: the unfiltered rows are the kept order itself, an
 * article's row is found through the order's inverse, topics and
 * providers are kept by interned id, a pattern typed on searches only the
 * last one's matches, and the unread and starred counts follow the marks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"

/* Articles whose topics and provider names differ only in case (ASCII and
 * not), an empty topic and provider name, none at all, and a title and
 * excerpt that a pattern with a line break would join. */
static const char *const names_files[][2] = {
	{"n1.md", "---\ntitle: \"One\"\nwebUrl: \"https://n.example/1\"\npublishedDateTime: "
		  "2020-01-01\nprovider:\n  name: MarketWatch\ntopics:\n  - AI\n  - Robots\n---\n"},
	{"n2.md", "---\ntitle: \"Two\"\nwebUrl: \"https://n.example/2\"\nquality: 3\nprovider:\n"
		  "  name: marketwatch\ntopics:\n  - ai\n  - \xc3\x89" "conomie\n---\n"},
	{"n3.md", "---\ntitle: \"Three\"\nwebUrl: \"https://n.example/3\"\nheat: 7\nprovider:\n"
		  "  name: MARKETWATCH\ntopics:\n  - Ai\n  - \xc3\xa9" "conomie\n  - \"\"\n---\n"},
	{"n4.md", "---\ntitle: \"Alpha\"\nexcerpt: \"beta gamma\"\nwebUrl: \"https://n.example/4\"\n"
		  "provider:\n  name: \"\"\ntopics:\n  - robots\n  - ROBOTS\n---\n"},
	{"n5.md", "---\ntitle: \"Five\"\nwebUrl: \"https://n.example/5\"\nprovider:\n"
		  "  name: Zeta\n  domain: zeta.example\n---\n"},
	{"n6.md", "---\ntitle: \"Six\"\nwebUrl: \"https://n.example/6\"\n---\n"},
	{"n7.md", "---\ntitle: \"Seven\"\nwebUrl: \"https://n.example/7\"\nprovider:\n"
		  "  name: \"Market Watch\"\ntopics:\n  - \"AI \"\n---\n"},
};

/* The corpus, the seeds, the edge cases of other tests and the names
 * above, in one store; dir is the names' directory (temp_dir_free it). */
static void load_all(struct store *s, char **dir)
{
	*dir = temp_dir("query-engine");
	for (size_t i = 0; i < sizeof names_files / sizeof *names_files; i++) {
		char *p = xasprintf("%s/%s", *dir, names_files[i][0]);
		write_text(p, names_files[i][1]);
		free(p);
	}
	store_init(s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/missing", "tests/data/fold",
			       *dir};
	store_load(s, paths, 5, NULL);
	cr_assert_gt(s->n, 90);
	cr_assert_eq(s->problems.n, 0, "%s", s->problems.n ? s->problems.v[0] : "");
}

/* What the engine must give: the plain filter and sort, then the topic
 * and provider compared as the reader always compared them. */
static size_t reference(const struct store *s, struct search *re, const unsigned char *marks,
			enum mark_filter mf, const char *topic, const char *provider,
			struct sort_order o, size_t *out)
{
	size_t n = query_filter_marks(s, re, marks, mf, out), m = 0;
	query_sort(s, out, n, o);
	for (size_t k = 0; k < n; k++) {
		const struct article *ar = s->v[out[k]];
		if (provider && *provider &&
		    (!ar->provider.name || strcasecmp(ar->provider.name, provider)))
			continue;
		bool keep = !topic || !*topic;
		for (size_t t = 0; !keep && t < ar->ntopics; t++)
			keep = !strcasecmp(ar->topics[t], topic);
		if (keep)
			out[m++] = out[k];
	}
	return m;
}

static void same_rows(const struct store *s, const uint32_t *got, size_t ngot, const size_t *want,
		      size_t nwant, const char *what)
{
	cr_assert_eq(ngot, nwant, "%s: %zu rows, want %zu", what, ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		cr_assert_eq(got[i], want[i], "%s, row %zu: %s, want %s", what, i,
			     s->v[got[i]]->path, s->v[want[i]]->path);
}

/* Every article's row in rows by the inverse, against a walk. */
static void rows_found_by_inverse(struct query *q, const struct store *s, struct sort_order o,
				  const uint32_t *rows, size_t n, const char *what)
{
	long *pos = malloc(s->n * sizeof *pos);
	for (size_t i = 0; i < s->n; i++)
		pos[i] = -1;
	for (size_t k = 0; k < n; k++)
		pos[rows[k]] = (long)k;
	for (size_t i = 0; i < s->n; i++) {
		long r = query_row_of(q, o, rows, n, i);
		cr_assert_eq(r, pos[i], "%s: article %zu (%s) at row %ld, want %ld", what, i,
			     s->v[i]->path, r, pos[i]);
	}
	cr_assert_eq(query_row_of(q, o, rows, n, s->n), -1, "%s: past the store", what);
	cr_assert_eq(query_row_of(q, o, rows, 0, 0), -1, "%s: no rows", what);
	free(pos);
}

static char *order_name(struct sort_order o)
{
	return xasprintf("%s %s", query_sort_name(o.key), o.desc ? "desc" : "asc");
}

Test(engine_view, unfiltered_rows_are_the_order)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	struct query *q = query_new(&s);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {(enum sort_key)k, d};
			char *what = order_name(o);
			const uint32_t *rows = NULL;
			size_t n = query_rows_view(q, o, NULL, NULL, MARKS_ALL, out, &rows);
			cr_assert_neq(rows, out, "%s: nothing filters, yet the rows were copied", what);
			size_t nw = reference(&s, NULL, NULL, MARKS_ALL, NULL, NULL, o, want);
			same_rows(&s, rows, n, want, nw, what);
			rows_found_by_inverse(q, &s, o, rows, n, what);
			/* the same order again: the same kept array */
			const uint32_t *again = NULL;
			query_rows_view(q, o, NULL, NULL, MARKS_ALL, out, &again);
			cr_assert_eq(again, rows, "%s", what);
			/* and query_rows still copies it out */
			cr_assert_eq(query_rows(q, o, NULL, NULL, MARKS_ALL, out), nw);
			same_rows(&s, out, nw, want, nw, what);
			/* no marks at all: every article is unread, none starred */
			n = query_rows_view(q, o, NULL, NULL, MARKS_UNREAD, out, &rows);
			same_rows(&s, rows, n, want, nw, what);
			n = query_rows_view(q, o, NULL, NULL, MARKS_STARRED, out, &rows);
			cr_assert_eq(n, 0, "%s", what);
			free(what);
		}
	}
	free(want);
	free(out);
	query_free(q);
	store_free(&s);
	temp_dir_free(dir);
}

/* After every sort, with each filter on, every article's row is where the
 * rows have it (or nowhere): what keeps the selection on one article. */
Test(engine_view, inverse_after_every_sort_and_filter)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	struct query *q = query_new(&s);
	unsigned char *marks = calloc(s.n, 1);
	for (size_t i = 0; i < s.n; i += 3)
		marks[i] = (unsigned char)(i % 2 ? MARK_READ : MARK_READ | MARK_STARRED);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	struct {
		const char *pattern, *topic, *provider;
		enum mark_filter mf;
	} filters[] = {
		{NULL, NULL, NULL, MARKS_ALL},      {"ai", NULL, NULL, MARKS_ALL},
		{NULL, NULL, NULL, MARKS_UNREAD},   {NULL, NULL, NULL, MARKS_STARRED},
		{NULL, "ai", NULL, MARKS_ALL},      {NULL, NULL, "marketwatch", MARKS_UNREAD},
		{"e", "robots", NULL, MARKS_ALL},   {"zzz-nothing", NULL, NULL, MARKS_ALL},
	};
	/* the s key's walk, then each reversed, then back to the first */
	for (int step = 0; step < 3 * SORT_NKEYS; step++) {
		struct sort_order o = {(enum sort_key)(step % SORT_NKEYS), step / SORT_NKEYS == 1};
		for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
			char *err = NULL;
			struct search *re =
				filters[f].pattern ? search_compile(filters[f].pattern, &err) : NULL;
			query_set_topic(q, filters[f].topic);
			query_set_provider(q, filters[f].provider);
			const uint32_t *rows = NULL;
			size_t n = query_rows_view(q, o, re, marks, filters[f].mf, out, &rows);
			size_t nw = reference(&s, re, marks, filters[f].mf, filters[f].topic,
					      filters[f].provider, o, want);
			char *what = xasprintf("step %d, filter %zu", step, f);
			same_rows(&s, rows, n, want, nw, what);
			rows_found_by_inverse(q, &s, o, rows, n, what);
			free(what);
			search_free(re);
		}
	}
	free(want);
	free(out);
	free(marks);
	query_free(q);
	store_free(&s);
	temp_dir_free(dir);
}

/* Topics and providers ------------------------------------------------------ */

static const char *const names[] = {
	"AI", "ai", "aI", "AI ", "robots", "ROBOTS", "Robots", "\xc3\x89" "conomie",
	"\xc3\xa9" "conomie", "\xc3\x89" "CONOMIE", "marketwatch", "MarketWatch", "Market Watch",
	"zeta", "ZETA", "nowhere", "a", "Artificial Intelligence", "artificial intelligence",
	"VentureBeat", "venturebeat", "", NULL,
};

Test(engine_names, topic_and_provider_by_interned_id)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *got = malloc(s.n * sizeof *got);
	size_t nn = sizeof names / sizeof *names;
	/* every name as a topic, as a provider, and both at once */
	for (int kind = 0; kind < 3; kind++) {
		struct query *q = query_new(&s);
		for (size_t a = 0; a < nn; a++) {
			const char *topic = kind != 1 ? names[a] : NULL;
			const char *provider = kind == 1 ? names[a] : kind == 2 ? names[nn - 1 - a] : NULL;
			query_set_topic(q, topic);
			query_set_provider(q, provider);
			cr_assert_str_eq(query_topic(q) ? query_topic(q) : "",
					 topic ? topic : "");
			for (int k = 0; k < SORT_NKEYS; k++) {
				for (int d = 0; d < 2; d++) {
					struct sort_order o = {(enum sort_key)k, d};
					size_t n = query_rows(q, o, NULL, NULL, MARKS_ALL, got);
					size_t nw = reference(&s, NULL, NULL, MARKS_ALL, topic, provider,
							      o, want);
					char *what = xasprintf("topic '%s', provider '%s', %s %s",
							       topic ? topic : "(none)",
							       provider ? provider : "(none)",
							       query_sort_name(o.key), d ? "desc" : "asc");
					same_rows(&s, got, n, want, nw, what);
					free(what);
				}
			}
		}
		query_free(q);
	}
	free(want);
	free(got);
	store_free(&s);
	temp_dir_free(dir);
}

/* Every name once across cases, as a caseless sort of all of them gave
 * it: of names equal in any case, the first by bytes. */
static int cmp_name(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int c = strcasecmp(a, b);
	return c ? c : strcmp(a, b);
}

static void names_reference(const struct store *s, enum query_names kind, struct strlist *out)
{
	const char **v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct article *ar = s->v[i];
		size_t k = kind == QUERY_TOPICS ? ar->ntopics : ar->provider.name != NULL;
		v = realloc(v, (n + k + 1) * sizeof *v);
		for (size_t t = 0; t < k; t++)
			v[n++] = kind == QUERY_TOPICS ? ar->topics[t] : ar->provider.name;
	}
	qsort(v, n, sizeof *v, cmp_name);
	for (size_t i = 0; i < n; i++)
		if (*v[i] && (i == 0 || strcasecmp(v[i], v[i - 1])))
			strlist_push(out, xstrdup(v[i]));
	free(v);
}

Test(engine_names, names_once_in_any_case)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	for (int warm = 0; warm < 2; warm++) {
		struct query *q = query_new(&s);
		if (warm) { /* the names interned on the warm-up thread */
			query_set_thread_min(q, 1);
			cr_assert(query_warm_up(q));
			query_settle(q);
		}
		for (int kind = 0; kind < 2; kind++) {
			struct strlist got = {0}, want = {0};
			query_names(q, (enum query_names)kind, &got);
			names_reference(&s, (enum query_names)kind, &want);
			cr_assert_eq(got.n, want.n, "%s: %zu names, want %zu",
				     kind ? "providers" : "topics", got.n, want.n);
			for (size_t i = 0; i < want.n; i++)
				cr_assert_str_eq(got.v[i], want.v[i], "%s %zu",
						 kind ? "providers" : "topics", i);
			strlist_free(&got);
			strlist_free(&want);
		}
		query_free(q);
	}
	store_free(&s);
	temp_dir_free(dir);
}

/* Patterns typed on ------------------------------------------------------- */

/* Each sequence is typed into one engine, as the live search and filter
 * type it; every step must give what a fresh search gives. */
static const char *const typed[][12] = {
	/* plain, caseless: each one searches only the last one's matches */
	{"m", "ma", "mar", "mark", "marke", "market", NULL},
	{"s", "se", "sel", "self", "self-", "self-d", "self-dr", "self-driv", NULL},
	{"a", "ai", "ai ", "ai m", "ai ma", "ai mar", NULL},
	/* KELVIN SIGN and LONG S, which only PCRE2 folds */
	{"k", "ke", "kel", "kelvin", "s", "sc", "sch", "scholar", NULL},
	/* an upper-case letter typed: case-sensitive from there on, still
	 * part of what the caseless one matched */
	{"ai", "ai M", "ai Ma", "ai Mar", NULL},
	{"k", "kE", "kEL", NULL},
	{"f", "fa", "fac", "face", "faceb", "facebook", "facebookS", NULL},
	/* regex syntax typed: not a part of the last one's matches */
	{"the", "the|", "the|schol", "the|scholar", NULL},
	{"ai", "ai.", "ai.m", "ai.ma", NULL},
	{"a", "a*", "a*b", NULL},
	{"schol", "schol\\b", "schol\\b|kelvin", NULL},
	/* shorter again (a backspace), then on */
	{"market", "marke", "mark", "markets", "mar", NULL},
	/* a line break: never a match across two fields */
	{"alpha", "alpha\n", "alpha\nbeta", "beta", NULL},
	/* non-ASCII typed on: PCRE2 from there */
	{"\xc3\xa9", "\xc3\xa9" "c", "\xc3\xa9" "co", "e", "ec", NULL},
	{"", "z", "zz", "zzz", NULL},
};

static void type_sequences(size_t thread_min)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	struct query *q = query_new(&s);
	query_set_thread_min(q, thread_min);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *got = malloc(s.n * sizeof *got);
	const struct sort_order orders[] = {{SORT_DATE, true}, {SORT_TITLE, false}};
	for (size_t t = 0; t < sizeof typed / sizeof *typed; t++) {
		for (size_t step = 0; typed[t][step]; step++) {
			const char *pat = typed[t][step];
			char *err = NULL;
			struct search *re = search_compile(pat, &err);
			cr_assert_not_null(re, "%s: %s", pat, err ? err : "");
			/* a fresh engine's answer is the plain filter's */
			for (size_t o = 0; o < sizeof orders / sizeof *orders; o++) {
				size_t n = query_rows(q, orders[o], re, NULL, MARKS_ALL, got);
				size_t nw = reference(&s, re, NULL, MARKS_ALL, NULL, NULL, orders[o],
						      want);
				char *what = xasprintf("sequence %zu, '%s'", t, pat);
				same_rows(&s, got, n, want, nw, what);
				free(what);
			}
			for (size_t i = 0; i < s.n; i++)
				cr_assert_eq(query_matches(q, re, i), search_article(re, s.v[i]),
					     "sequence %zu, '%s', %s", t, pat, s.v[i]->path);
			search_free(re);
		}
	}
	free(want);
	free(got);
	query_free(q);
	store_free(&s);
	temp_dir_free(dir);
}

Test(engine_typed, each_step_as_a_fresh_search)
{
	type_sequences(QUERY_THREAD_MIN);
}

/* The same on the threaded scan, which tests only the last matches too. */
Test(engine_typed, each_step_as_a_fresh_search_threaded)
{
	type_sequences(1);
}

/* A line break in a plain pattern: the plain path keeps the fields one a
 * line, and must not match across them. */
Test(engine_typed, no_match_across_fields)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	struct query *q = query_new(&s);
	char *err = NULL;
	struct search *re = search_compile("alpha\nbeta", &err);
	cr_assert_not_null(re);
	uint32_t *got = malloc(s.n * sizeof *got);
	size_t *filtered = malloc(s.n * sizeof *filtered);
	cr_assert_eq(query_rows(q, (struct sort_order){SORT_DATE, true}, re, NULL, MARKS_ALL, got), 0,
		     "a title and an excerpt joined");
	cr_assert_eq(query_filter(&s, re, filtered), 0);
	free(filtered);
	free(got);
	search_free(re);
	query_free(q);
	store_free(&s);
	temp_dir_free(dir);
}

/* Counts ------------------------------------------------------------------ */

static void recount(const unsigned char *marks, size_t n, struct query_counts *c)
{
	*c = (struct query_counts){0, 0};
	for (size_t i = 0; i < n; i++) {
		c->unread += !(marks[i] & MARK_READ);
		c->starred += (marks[i] & MARK_STARRED) != 0;
	}
}

Test(engine_counts, kept_as_marks_change)
{
	enum { N = 257 };
	unsigned char marks[N] = {0};
	struct query_counts c, want;
	query_counts_fill(&c, marks, N);
	cr_assert(c.unread == N && c.starred == 0);
	query_counts_fill(&c, NULL, N);
	cr_assert(c.unread == N && c.starred == 0, "no marks: all unread");
	unsigned seed = 12345;
	for (int step = 0; step < 5000; step++) {
		seed = seed * 1103515245u + 12345u;
		size_t i = (seed >> 8) % N;
		unsigned now = (seed >> 20) & (MARK_READ | MARK_STARRED);
		query_counts_change(&c, marks[i], now);
		marks[i] = (unsigned char)now;
		recount(marks, N, &want);
		cr_assert(c.unread == want.unread && c.starred == want.starred,
			  "step %d: %zu unread, %zu starred; want %zu, %zu", step, c.unread,
			  c.starred, want.unread, want.starred);
	}
	query_counts_fill(&c, marks, N);
	cr_assert(c.unread == want.unread && c.starred == want.starred);
}

/* An engine freed while its warm-up runs (a reader that quits at once):
 * the warm-up leaves what it has not done, nothing half built is read or
 * leaked (the sanitizer run checks), and an engine made after it gives
 * the rows a plain filter and sort give, its search text whole. */
Test(engine_view, freed_while_warming_up)
{
	struct store s;
	char *dir;
	load_all(&s, &dir);
	for (int round = 0; round < 20; round++) {
		struct query *q = query_new(&s);
		query_set_thread_min(q, 1);
		cr_assert(query_warm_up(q));
		query_free(q); /* at once, or after some of the work */
	}
	char *err = NULL;
	struct search *re = search_compile("market", &err);
	cr_assert_not_null(re, "%s", err);
	struct query *q = query_new(&s);
	query_set_thread_min(q, 1);
	cr_assert(query_warm_up(q));
	query_settle(q);
	uint32_t *got = malloc(s.n * sizeof *got);
	size_t *want = malloc(s.n * sizeof *want);
	struct sort_order o = {SORT_DATE, true};
	size_t n = query_rows(q, o, re, NULL, MARKS_ALL, got);
	size_t nw = query_filter_marks(&s, re, NULL, MARKS_ALL, want);
	query_sort(&s, want, nw, o);
	cr_assert_gt(nw, 0);
	same_rows(&s, got, n, want, nw, "after engines freed while warming up");
	query_free(q);
	search_free(re);
	free(got);
	free(want);
	store_free(&s);
	temp_dir_free(dir);
}
