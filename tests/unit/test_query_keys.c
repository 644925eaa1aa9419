/* The reader's keys at any size: sort orders made by radix sorts (rank.h)
 * against the plain comparison sort, the first rows of a filter given at
 * once and completed from another thread (always the plain filter's rows
 * in the end, with the threaded paths forced), / testing one article at a
 * time, and the slowest keys the headless player names. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/rank.h"
#include "lede/search.h"
#include "lede/util.h"

/* A small generator, the same sequence everywhere. */
static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Strings ------------------------------------------------------------------ */

static const char *str_at(const void *ctx, uint32_t i)
{
	return ((const char *const *)ctx)[i];
}

static const char *const *cmp_base;

/* strcmp, then the input order: a stable sort's order. */
static int cmp_stable(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = strcmp(cmp_base[a], cmp_base[b]);
	return c ? c : a < b ? -1 : a > b;
}

static void check_strings(const char *const *v, size_t n, const char *what)
{
	uint32_t *got = malloc((n ? n : 1) * sizeof *got), *want = malloc((n ? n : 1) * sizeof *want);
	unsigned char *same = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		got[i] = want[i] = (uint32_t)i;
	rank_sort_strings(got, n, str_at, v, same);
	cmp_base = v;
	qsort(want, n, sizeof *want, cmp_stable);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(got[i], want[i], "%s, place %zu: '%s' (%u), want '%s' (%u)", what, i,
			     v[got[i]], got[i], v[want[i]], want[i]);
		bool eq = i && !strcmp(v[want[i]], v[want[i - 1]]);
		cr_assert_eq(same[i], eq, "%s, place %zu: same is %d", what, i, same[i]);
	}
	free(got);
	free(want);
	free(same);
}

/* Lengths about 8 and 16 (where a key ends), one a prefix of another,
 * bytes past 0x7f (which sort after ASCII), the empty string, copies. */
Test(keys_rank, strings_sort_as_strcmp)
{
	static const char *const edge[] = {
		"", "a", "", "abcdefgh", "abcdefg", "abcdefghi", "abcdefgh", "abcdefghabcdefgh",
		"abcdefghabcdefg", "abcdefghabcdefghA", "abcdefghabcdefgh", "\xc3\xa9t\xc3\xa9",
		"zeta", "Zeta", "\x7f", "\xff\xfe", "abcdefgh\xc3\xa9", "abcdefgha", "b", "a",
	};
	check_strings(edge, sizeof edge / sizeof *edge, "edge cases");
	/* past the insertion sort's size: the radix path, three levels deep */
	enum { N = 3000 };
	static char buf[N][48];
	static const char *v[N];
	uint32_t seed = 7;
	for (size_t i = 0; i < N; i++) {
		size_t len = next_rand(&seed) % 40;
		/* a long shared prefix for most, then a small alphabet */
		size_t shared = next_rand(&seed) % 3 ? (next_rand(&seed) % 3) * 8 : 0;
		for (size_t k = 0; k < len; k++)
			buf[i][k] = k < shared ? 'p' : (char)("ab\xc3z"[next_rand(&seed) % 4]);
		buf[i][len] = '\0';
		v[i] = buf[i];
	}
	check_strings(v, N, "random");
	check_strings(v, 0, "none");
	check_strings(v, 1, "one");
}

Test(keys_rank, kv_sort_is_stable)
{
	enum { N = 5000 };
	struct rank_kv *v = malloc(N * sizeof *v);
	int64_t vals[] = {INT64_MIN, -1, 0, 1, INT64_MAX, 1000000, -1000000, 255, 256, 65536};
	uint32_t seed = 11;
	for (size_t n = 0; n <= N; n = n ? n * 4 : 1) {
		for (size_t i = 0; i < n; i++)
			v[i] = (struct rank_kv){rank_key_of_int(vals[next_rand(&seed) % 10]),
						(uint32_t)i};
		rank_sort_kv(v, n);
		for (size_t i = 1; i < n; i++)
			cr_assert(v[i - 1].key < v[i].key ||
					  (v[i - 1].key == v[i].key && v[i - 1].idx < v[i].idx),
				  "n %zu, place %zu: not in order or not stable", n, i);
	}
	cr_assert(rank_key_of_int(-1) < rank_key_of_int(0));
	cr_assert(rank_key_of_int(INT64_MIN) < rank_key_of_int(INT64_MAX));
	free(v);
}

/* Orders ------------------------------------------------------------------- */

/* A store made in memory: titles and provider names that share 8 or 16
 * bytes, are missing or empty, copies with other paths; values at the ends
 * of their range, missing, or equal. */
static void synthetic_store(struct store *s, size_t n)
{
	static const char *const titles[] = {
		NULL, "", "Same title", "Same title", "Same titlf", "Same titl",
		"A title that is long enough", "A title that is long enough!", "A title that is",
		"\xc3\x89t\xc3\xa9", "Zebra", "zebra", "abcdefgh", "abcdefghabcdefgh",
	};
	static const char *const providers[] = {
		NULL, "", "Reuters", "Reuters", "reuters", "The New York Times",
		"The New York Timez", "The New York", "MarketWatch", "\xc3\x89" "conomie",
	};
	static const int64_t dates[] = {INT64_MIN, -1, 0, 1616000000, 1616000000, INT64_MAX};
	uint32_t seed = 3;
	store_init(s);
	for (size_t i = 0; i < n; i++) {
		char path[64];
		/* paths that share their start, some only in the order of their digits */
		snprintf(path, sizeof path, "/archive/2021/%05u/%zu.md", next_rand(&seed) % 100, i);
		struct article *a = article_new(path);
		a->title = titles[next_rand(&seed) % (sizeof titles / sizeof *titles)];
		a->provider.name = providers[next_rand(&seed) % (sizeof providers / sizeof *providers)];
		uint32_t r = next_rand(&seed);
		if (r % 7) {
			a->has |= HAS_DATE;
			a->date = dates[r % 6];
		}
		if (r % 5) {
			a->has |= HAS_QUALITY;
			a->quality = (int32_t)(next_rand(&seed) % 5) - 2;
		}
		if (r % 3) {
			a->has |= HAS_HEAT;
			a->heat = (int32_t)(next_rand(&seed) % 70000) - 35000;
		}
		store_add(s, a);
	}
}

static void same_as_reference(struct query *q, const struct store *s, const char *what)
{
	size_t *want = malloc((s->n ? s->n : 1) * sizeof *want);
	uint32_t *got = malloc((s->n ? s->n : 1) * sizeof *got);
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {(enum sort_key)k, d};
			for (size_t i = 0; i < s->n; i++)
				want[i] = i;
			query_sort(s, want, s->n, o);
			size_t n = query_rows(q, o, NULL, NULL, MARKS_ALL, got);
			cr_assert_eq(n, s->n);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(got[i], want[i], "%s, %s %s, row %zu: %s, want %s", what,
					     query_sort_name(o.key), d ? "desc" : "asc", i,
					     s->v[got[i]]->path, s->v[want[i]]->path);
		}
	}
	free(want);
	free(got);
}

Test(keys_orders, radix_orders_as_the_comparison_sort)
{
	static const size_t sizes[] = {0, 1, 2, 31, 33, 700, 5000};
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		struct store s;
		synthetic_store(&s, sizes[z]);
		char what[32];
		snprintf(what, sizeof what, "%zu articles", sizes[z]);
		struct query *q = query_new(&s);
		same_as_reference(q, &s, what);
		query_free(q);
		/* and with the orders made on the warm-up thread */
		q = query_new(&s);
		query_set_thread_min(q, 1);
		query_warm_up(q);
		query_settle(q);
		same_as_reference(q, &s, what);
		query_free(q);
		store_free(&s);
	}
}

/* The first k articles of every order from one pass over the keys (what
 * the reader shows while the warm-up makes the order) are the order's
 * first k: ties, missing and unknown values, titles and names that share
 * their first bytes, any k. */
static void heads_as_orders(struct store *s, const char *what)
{
	size_t n = s->n;
	uint32_t *full = malloc((n ? n : 1) * sizeof *full);
	uint32_t *head = malloc((n + 4) * sizeof *head);
	struct query *q = query_new(s);
	size_t ks[] = {1, 2, 7, 64, n / 2, n ? n - 1 : 0, n, n + 3};
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {(enum sort_key)k, d};
			cr_assert_eq(query_rows(q, o, NULL, NULL, MARKS_ALL, full), n);
			for (size_t z = 0; z < sizeof ks / sizeof *ks; z++) {
				size_t got = query_order_head(q, o, ks[z], head);
				cr_assert_eq(got, ks[z] < n ? ks[z] : n, "%s, %s %s, %zu: %zu rows",
					     what, query_sort_name(o.key), d ? "desc" : "asc", ks[z],
					     got);
				for (size_t r = 0; r < got; r++)
					cr_assert_eq(head[r], full[r],
						     "%s, %s %s, head of %zu, row %zu: %s, want %s",
						     what, query_sort_name(o.key), d ? "desc" : "asc",
						     ks[z], r, store_path(s, head[r]),
						     store_path(s, full[r]));
			}
		}
	}
	query_free(q);
	free(full);
	free(head);
}

Test(keys_orders, heads_as_the_orders)
{
	static const size_t sizes[] = {0, 1, 2, 31, 700, 5000};
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		struct store s;
		synthetic_store(&s, sizes[z]);
		char what[32];
		snprintf(what, sizeof what, "%zu articles", sizes[z]);
		heads_as_orders(&s, what);
		store_free(&s);
	}
}

/* The same for the reader's compact records: providers by their
 * interned ids. */
Test(keys_orders, heads_as_the_orders_lazy, .timeout = 60)
{
	char *dir = corpus_copy("heads"), *cache = xasprintf("%s.cache", dir);
	struct store s;
	load_dir(&s, dir, cache, false); /* writes the cache */
	store_free(&s);
	load_dir(&s, dir, cache, true);
	cr_assert_gt(s.n, 50);
	cr_assert(store_is_lazy(&s, 0), "not loaded lazy");
	heads_as_orders(&s, "lazy");
	store_free(&s);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* Rows found as far as needed ---------------------------------------------- */

static void load_corpus(struct store *s)
{
	store_init(s);
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/missing", "tests/data/fold"};
	store_load(s, paths, 4, NULL);
	cr_assert_gt(s->n, 90);
}

/* The plain filter and sort, then the topic and provider. */
static size_t reference(const struct store *s, struct search *re, const unsigned char *marks,
			enum mark_filter mf, const char *topic, const char *provider,
			struct sort_order o, size_t *out)
{
	size_t n = query_filter_marks(s, re, marks, mf, out), m = 0;
	query_sort(s, out, n, o);
	for (size_t k = 0; k < n; k++) {
		const struct article *ar = s->v[out[k]];
		if (provider && (!ar->provider.name || strcasecmp(ar->provider.name, provider)))
			continue;
		bool keep = !topic;
		for (size_t t = 0; !keep && t < ar->ntopics; t++)
			keep = !strcasecmp(ar->topics[t], topic);
		if (keep)
			out[m++] = out[k];
	}
	return m;
}

struct rows_case {
	const char *pattern, *topic, *provider;
	enum mark_filter mf;
};

static const struct rows_case rows_cases[] = {
	{"ai", NULL, NULL, MARKS_ALL},        {"market", NULL, NULL, MARKS_UNREAD},
	{"marketw", NULL, NULL, MARKS_ALL},   {"\\bthe\\b", NULL, NULL, MARKS_ALL},
	{"kelvin", NULL, NULL, MARKS_ALL},    {"zzz-none", NULL, NULL, MARKS_ALL},
	{"", NULL, NULL, MARKS_STARRED},      {NULL, "ai", NULL, MARKS_ALL},
	{NULL, NULL, "marketwatch", MARKS_ALL}, {"e", "machine learning", NULL, MARKS_UNREAD},
	{"Facebook", NULL, "VentureBeat", MARKS_ALL}, {NULL, "no such topic", NULL, MARKS_ALL},
};

static unsigned char *some_marks(size_t n)
{
	unsigned char *marks = calloc(n, 1);
	for (size_t i = 0; i < n; i += 3)
		marks[i] = (unsigned char)(i % 2 ? MARK_READ : MARK_READ | MARK_STARRED);
	return marks;
}

/* Rows asked for at once while the warm-up thread makes the orders (their
 * heads walked, an article placed by its keys): always the first of the
 * full rows, and in the end all of them. */
Test(keys_rows, rows_while_the_orders_are_made, .timeout = 120)
{
	struct store s;
	synthetic_store(&s, 20000);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	unsigned char *marks = some_marks(s.n);
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < SORT_NKEYS; k++) {
			for (int f = 0; f < 2; f++) {
				struct sort_order o = {(enum sort_key)k, (k + round) % 2};
				enum mark_filter mf = f ? MARKS_UNREAD : MARKS_ALL;
				struct query *q = query_new(&s);
				query_set_thread_min(q, 1);
				query_warm_up(q);
				struct query_spec w = {o, NULL, marks, mf, NULL};
				size_t nw = reference(&s, NULL, marks, mf, NULL, NULL, o, want);
				struct query_walk walk;
				const uint32_t *rows;
				size_t n = query_rows_begin(q, &w, 40, out, &rows, &walk);
				cr_assert_leq(n, nw);
				for (size_t i = 0; i < n; i++)
					cr_assert_eq(rows[i], want[i], "%s, row %zu",
						     query_sort_name(o.key), i);
				/* an article's row among those found, or none */
				for (size_t i = 0; i < nw; i += 97) {
					long row = query_row_of(q, o, rows, n, want[i]);
					cr_assert_eq(row, i < n ? (long)i : -1, "%s, article of row %zu",
						     query_sort_name(o.key), i);
				}
				/* reaching an article: refused, or its row found */
				size_t m = n, mid = want[nw / 3];
				struct query_walk w2 = walk;
				if (!walk.complete &&
				    query_rows_reach(q, &w, out, &m, mid, &w2)) {
					cr_assert_gt(m, nw / 3);
					n = m;
					walk = w2;
				}
				n = query_rows_extend(q, &w, out, n, SIZE_MAX, -1, &walk);
				cr_assert(walk.complete);
				cr_assert_eq(n, nw);
				for (size_t i = 0; i < nw; i++)
					cr_assert_eq(rows[i], want[i], "%s, all, row %zu",
						     query_sort_name(o.key), i);
				query_free(q);
			}
		}
	}
	free(marks);
	free(want);
	free(out);
	store_free(&s);
}

/* With a thread minimum of 1, query_rows_begin tests at most 4 articles:
 * the first rows, a prefix of the full ones; the walk on (or the threads'
 * work, taken in) gives exactly the plain filter's rows. */
Test(keys_rows, first_rows_then_all_of_them, .timeout = 120)
{
	struct store s;
	load_corpus(&s);
	unsigned char *marks = some_marks(s.n);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	for (size_t c = 0; c < sizeof rows_cases / sizeof *rows_cases; c++) {
		const struct rows_case *rc = &rows_cases[c];
		for (int k = 0; k < SORT_NKEYS; k++) {
			struct sort_order o = {(enum sort_key)k, k % 2 == 0};
			char *err = NULL;
			struct search *re = rc->pattern ? search_compile(rc->pattern, &err) : NULL;
			struct query *q = query_new(&s);
			query_set_thread_min(q, 1);
			query_set_topic(q, rc->topic);
			query_set_provider(q, rc->provider);
			struct query_spec w = {o, re, marks, rc->mf, NULL};
			size_t nw = reference(&s, re, marks, rc->mf, rc->topic, rc->provider, o, want);
			struct query_walk walk;
			const uint32_t *rows;
			size_t n = query_rows_begin(q, &w, 3, out, &rows, &walk);
			cr_assert(walk.complete || walk.pos <= 4, "case %zu: the walk tested %zu", c,
				  walk.pos);
			/* each article alone: in the rows or not, as the full rows have it */
			unsigned char *in = calloc(s.n, 1);
			for (size_t i = 0; i < nw; i++)
				in[want[i]] = 1;
			for (size_t i = 0; i < s.n; i++)
				cr_assert_eq(query_rows_keeps(q, &w, i), in[i], "case %zu, %s", c,
					     s.v[i]->path);
			free(in);
			/* reaching the last row's article: refused while it is far and
			 * the threads work, never wrong */
			if (!walk.complete && nw) {
				size_t m = n;
				struct query_walk w2 = walk;
				if (query_rows_reach(q, &w, out, &m, want[nw - 1], &w2))
					cr_assert(m >= nw && out[nw - 1] == want[nw - 1], "case %zu", c);
				else
					cr_assert(m == n && w2.pos == walk.pos, "case %zu", c);
				n = m;
				walk = w2;
			}
			cr_assert(walk.complete || rows == out);
			cr_assert_leq(n, nw, "case %zu", c);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(rows[i], want[i], "case %zu, first rows, row %zu", c, i);
			if (!walk.complete) {
				/* a move finds more, up to a row or past an article */
				long through = nw ? (long)want[nw - 1] : -1;
				n = query_rows_extend(q, &w, out, n, n, through, &walk);
				cr_assert(nw == 0 || (n == nw && out[n - 1] == want[nw - 1]),
					  "case %zu: %zu rows past the last one's place, want %zu", c,
					  n, nw);
				n = query_rows_extend(q, &w, out, n, SIZE_MAX, -1, &walk);
				cr_assert(walk.complete, "case %zu", c);
			}
			for (size_t i = 0; i < nw; i++)
				cr_assert_eq(rows[i], want[i], "case %zu, row %zu", c, i);
			cr_assert_eq(n, nw, "case %zu: %zu rows, want %zu", c, n, nw);
			/* the threads' work taken in: all at once, the same rows */
			query_settle(q);
			query_poll(q);
			cr_assert(query_rows_ready(q, &w), "case %zu: not ready after settling", c);
			cr_assert_not(query_busy(q));
			/* known now, the rows are still begun by a short walk (the
			 * reader's key never walks a big store whole), and end the same */
			n = query_rows_begin(q, &w, 3, out, &rows, &walk);
			bool filtered = rc->pattern || rc->topic || rc->provider || rc->mf != MARKS_ALL;
			cr_assert(!filtered || walk.pos <= 4, "case %zu: the walk tested %zu, known", c,
				  walk.pos);
			while (!walk.complete)
				n = query_rows_step(q, &w, out, n, 2, &walk);
			cr_assert_eq(n, nw, "case %zu, taken in: %zu rows, want %zu", c, n, nw);
			for (size_t i = 0; i < nw; i++)
				cr_assert_eq(rows[i], want[i], "case %zu, taken in, row %zu", c, i);
			query_free(q);
			search_free(re);
		}
	}
	free(want);
	free(out);
	free(marks);
	store_free(&s);
}

/* Patterns typed on, each one's first rows asked for at once: the scan
 * for the last is cancelled, and each step is still the fresh filter. */
Test(keys_rows, typed_on_with_threads, .timeout = 120)
{
	static const char *const typed[] = {"m", "ma", "mar", "mark", "market", "marke", "s",
					    "se", "sel", "self", "self-d", "a|b", "a|bz", "k"};
	struct store s;
	load_corpus(&s);
	size_t *want = malloc(s.n * sizeof *want);
	uint32_t *out = malloc(s.n * sizeof *out);
	struct query *q = query_new(&s);
	query_set_thread_min(q, 1);
	struct sort_order o = {SORT_DATE, true};
	for (size_t t = 0; t < sizeof typed / sizeof *typed; t++) {
		char *err = NULL;
		struct search *re = search_compile(typed[t], &err);
		struct query_spec w = {o, re, NULL, MARKS_ALL, NULL};
		struct query_walk walk;
		const uint32_t *rows;
		size_t n = query_rows_begin(q, &w, 2, out, &rows, &walk);
		size_t nw = reference(&s, re, NULL, MARKS_ALL, NULL, NULL, o, want);
		n = query_rows_extend(q, &w, out, n, SIZE_MAX, -1, &walk);
		cr_assert_eq(n, nw, "'%s': %zu rows, want %zu", typed[t], n, nw);
		for (size_t i = 0; i < nw; i++)
			cr_assert_eq(rows[i], want[i], "'%s', row %zu", typed[t], i);
		query_poll(q);
		search_free(re);
	}
	query_settle(q);
	query_poll(q);
	cr_assert_not(query_busy(q));
	free(want);
	free(out);
	query_free(q);
	store_free(&s);
}

/* / tests article by article, with and without the search text built. */
Test(keys_find, one_article_as_search_article, .timeout = 120)
{
	static const char *const patterns[] = {"ai", "ai m", "kelvin", "schol", "\\bthe\\b",
					       "Facebook", "", "zzz", "\xc3\xa9", "alpha\nbeta"};
	struct store s;
	load_corpus(&s);
	for (int warm = 0; warm < 2; warm++) {
		struct query *q = query_new(&s);
		if (warm) { /* the search text built on the warm-up thread */
			query_set_thread_min(q, 1);
			cr_assert(query_warm_up(q));
			query_settle(q);
		}
		uint32_t *rows = malloc(s.n * sizeof *rows);
		for (size_t i = 0; i < s.n; i++)
			rows[i] = (uint32_t)(s.n - 1 - i);
		for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
			char *err = NULL;
			struct search *re = search_compile(patterns[p], &err);
			cr_assert_not_null(re);
			long first = -1, last = -1;
			for (size_t i = 0; i < s.n; i++) {
				bool m = search_article(re, s.v[rows[i]]);
				cr_assert_eq(query_test(q, re, rows[i]), m, "'%s', %s", patterns[p],
					     s.v[rows[i]]->path);
				if (m && first < 0)
					first = (long)i;
				if (m)
					last = (long)i;
			}
			cr_assert_eq(query_find(q, re, rows, 0, s.n, 1), first, "'%s'", patterns[p]);
			cr_assert_eq(query_find(q, re, rows, s.n - 1, s.n, -1), last, "'%s'",
				     patterns[p]);
			cr_assert_not(query_test(q, re, s.n));
			search_free(re);
		}
		free(rows);
		query_free(q);
	}
	store_free(&s);
}

/* The player's stats ------------------------------------------------------- */

/* stats names the slowest keys, each with its line and place in the
 * script, so that a slow key can be found. */
Test(keys_stats, slowest_keys_named, .timeout = 30)
{
	char *dir = temp_dir("keys-stats");
	char *script = xasprintf("%s/s.script", dir), *state = xasprintf("XDG_STATE_HOME=%s", dir);
	write_text(script, "key j j\n# a comment\ntype /ai\nstats\n");
	const char *argv[] = {"--script", script, "--size", "80x24", "seeds", NULL};
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache",
			     "NO_COLOR=1", state, NULL};
	struct run r;
	run_lede(&r, argv, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\nkeys 5\n"), "%s", r.out);
	static const char *const typed[] = {"j", "j", "/", "a", "i"};
	size_t lines = 0;
	bool keys[6] = {false};
	for (const char *p = strstr(r.out, "key-slow-ms "); p; p = strstr(p + 1, "key-slow-ms ")) {
		double ms;
		size_t line, nth;
		char key[16];
		cr_assert_eq(sscanf(p, "key-slow-ms %lf line %zu key %zu %15s", &ms, &line, &nth, key),
			     4, "%.60s", p);
		cr_assert(nth >= 1 && nth <= 5, "key %zu", nth);
		cr_assert_eq(line, nth <= 2 ? 1u : 3u, "key %zu on line %zu", nth, line);
		cr_assert_str_eq(key, typed[nth - 1]);
		cr_assert_not(keys[nth], "key %zu named twice", nth);
		keys[nth] = true;
		lines++;
	}
	cr_assert_eq(lines, 5, "%s", r.out);
	run_free(&r);
	free(script);
	free(state);
	temp_dir_free(dir);
}
