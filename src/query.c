/* query: comparison with the tie and missing-value rules, and filtering. */
#define _GNU_SOURCE
#include "lede/query.h"
#include "lede/compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lede/fields.h"
#include "lede/hash.h"
#include "lede/util.h"

/* What each sort key reads: the one place a key is tied to a field. Names,
 * default directions and missing values come from the field table. */
static const enum field_id sort_field[SORT_NKEYS] = {
	[SORT_DATE] = FIELD_DATE,   [SORT_QUALITY] = FIELD_QUALITY, [SORT_HEAT] = FIELD_HEAT,
	[SORT_TITLE] = FIELD_TITLE, [SORT_PROVIDER] = FIELD_PROVIDER,
};

const struct field *query_sort_field(enum sort_key key)
{
	return key < SORT_NKEYS ? &fields_table[sort_field[key]] : NULL;
}

const char *query_sort_name(enum sort_key key)
{
	return key < SORT_NKEYS ? fields_table[sort_field[key]].name : "?";
}

bool query_sort_default_desc(enum sort_key key)
{
	return key < SORT_NKEYS && (fields_table[sort_field[key]].flags & FIELD_DESC);
}

int query_parse_sort(const char *s, struct sort_order *out)
{
	const char *colon = strchr(s, ':');
	const struct field *f = fields_find(s, colon ? (size_t)(colon - s) : strlen(s));
	for (int k = 0; f && k < SORT_NKEYS; k++) {
		if (&fields_table[sort_field[k]] != f)
			continue;
		out->key = (enum sort_key)k;
		if (!colon)
			out->desc = query_sort_default_desc(out->key);
		else if (!strcmp(colon + 1, "asc"))
			out->desc = false;
		else if (!strcmp(colon + 1, "desc"))
			out->desc = true;
		else
			return -1;
		return 0;
	}
	return -1;
}

struct ctx {
	const struct store *s;
	const struct field *f; /* the order's field */
	bool desc;
};

static int cmp_str_missing_last(const char *a, const char *b, bool *decided)
{
	*decided = !a || !b;
	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	return strcmp(a, b);
}

/* The key comparison alone: <0, 0, >0 in the requested direction, with a
 * missing value after any present one. */
static int cmp_key(const struct article *a, const struct article *b, const struct field *f,
		   bool desc)
{
	int c;
	bool decided;
	if (f->kind == FIELD_IS_STRING) {
		c = cmp_str_missing_last(fields_str(f, a), fields_str(f, b), &decided);
	} else {
		bool ha = fields_has(f, a), hb = fields_has(f, b);
		decided = !ha || !hb;
		if (decided)
			return ha ? -1 : hb ? 1 : 0;
		int64_t va = fields_int(f, a), vb = fields_int(f, b);
		c = va < vb ? -1 : va > vb;
	}
	if (decided)
		return c;
	return desc ? -c : c;
}

/* Ties are broken by the title ascending, then by the path, whatever the
 * order (query.h): the title's own order is the tie order. The members are
 * named here, not read through the table, as every sort compares ties. */
static const struct field *const tie_field = &fields_table[FIELD_TITLE];

static int cmp_tie(const struct article *a, const struct article *b)
{
	bool decided;
	int c = cmp_str_missing_last(a->title, b->title, &decided);
	return c ? c : strcmp(a->path, b->path);
}

static int cmp_idx(const void *pa, const void *pb, void *arg)
{
	const struct ctx *x = arg;
	const struct article *a = x->s->v[*(const size_t *)pa], *b = x->s->v[*(const size_t *)pb];
	int c = cmp_key(a, b, x->f, x->desc);
	return c ? c : cmp_tie(a, b);
}

void query_sort(const struct store *s, size_t *idx, size_t n, struct sort_order order)
{
	struct ctx x = {s, query_sort_field(order.key), order.desc};
	compat_qsort_r(idx, n, sizeof *idx, cmp_idx, &x);
}

size_t query_filter(const struct store *s, struct search *re, size_t *out)
{
	return query_filter_marks(s, re, NULL, MARKS_ALL, out);
}

const char *query_mark_filter_name(enum mark_filter f)
{
	return f == MARKS_UNREAD ? "unread" : f == MARKS_STARRED ? "starred" : "all";
}

void query_counts_fill(struct query_counts *c, const unsigned char *marks, size_t n)
{
	*c = (struct query_counts){0, 0};
	for (size_t i = 0; i < n; i++)
		query_counts_change(c, MARK_READ, marks ? marks[i] : 0);
}

void query_counts_change(struct query_counts *c, unsigned was, unsigned now)
{
	c->unread += !(now & MARK_READ);
	c->unread -= !(was & MARK_READ);
	c->starred += (now & MARK_STARRED) != 0;
	c->starred -= (was & MARK_STARRED) != 0;
}

size_t query_filter_marks(const struct store *s, struct search *re, const unsigned char *marks,
			  enum mark_filter mf, size_t *out)
{
	size_t n = 0;
	struct store_texts *t = re ? store_texts_new(s) : NULL;
	struct search_space *sp = re ? search_space_new(re) : NULL;
	for (size_t i = 0; i < s->n; i++) {
		unsigned m = marks ? marks[i] : 0;
		if (mf == MARKS_UNREAD && (m & MARK_READ))
			continue;
		if (mf == MARKS_STARRED && !(m & MARK_STARRED))
			continue;
		if (store_is_hidden(s, i))
			continue;
		/* the cheap test first: the regex only for what is left */
		if (!re || store_texts_match(t, i, re, sp))
			out[n++] = i;
	}
	store_texts_free(t);
	if (sp)
		search_space_free(sp);
	return n;
}

/* The engine ---------------------------------------------------------------- */

struct query {
	const struct store *s;
	/* every article's place in the order (title, then path): the tie-break
	 * of every sort, computed once */
	uint32_t *tie;
	/* per key, the ascending order and, in the same walk, the descending
	 * one; a lock each, as the warm-up thread fills them too */
	size_t *perm[SORT_NKEYS][2];
	/* with each order its inverse, where article i stands in it: keeping
	 * the selection on one article is then a lookup, not a scan */
	uint32_t *inv[SORT_NKEYS][2];
	pthread_mutex_t lock[SORT_NKEYS];
	pthread_t warm;
	bool warming;
	/* from this many articles on, sorts are warmed up and regex scans run
	 * on a thread per core (QUERY_THREAD_MIN, else LEDE_THREAD_MIN) */
	size_t thread_min;
	/* For plain, caseless, ASCII patterns (most of what people type): every
	 * article's searched text, ASCII lowered, in one buffer, article i at
	 * hay[hay_at[i]]; the few articles whose text holds a character that
	 * folds to ASCII (KELVIN SIGN, LONG S) are left to PCRE2. */
	char *hay;
	size_t *hay_at;
	size_t *odd, nodd;
	pthread_mutex_t hay_lock;
	/* the last two patterns' matches (a search and a filter may both be
	 * on): one byte per article; [0] is the most recent */
	struct match_set {
		unsigned char *match;
		char *pattern;
		bool literal;
		size_t count; /* of articles matched */
	} sets[2];
	/* query_set_topic and query_set_provider: NULL keeps all; and their
	 * ids among the interned names */
	char *topic, *provider;
	uint32_t topic_id, provider_id;
	struct name_ids *names; /* built once, on first need */
	pthread_mutex_t names_lock;
};

static struct name_ids *name_ids(struct query *q);
static void name_ids_free(struct name_ids *ni);

static int cmp_tie_idx(const void *pa, const void *pb, void *arg)
{
	const struct store *s = arg;
	return cmp_tie(s->v[*(const size_t *)pa], s->v[*(const size_t *)pb]);
}

/* LEDE_THREAD_MIN, a decimal count, lets the tests reach the threaded
 * paths with a few articles; anything else in it is ignored. */
static size_t thread_min_default(void)
{
	const char *e = getenv("LEDE_THREAD_MIN");
	if (e && *e >= '0' && *e <= '9') {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(e, &end, 10);
		if (!*end && errno == 0 && n <= SIZE_MAX)
			return (size_t)n;
	}
	return QUERY_THREAD_MIN;
}

struct query *query_new(const struct store *s)
{
	struct query *q = xcalloc(1, sizeof *q);
	q->s = s;
	q->thread_min = thread_min_default();
	for (int k = 0; k < SORT_NKEYS; k++)
		pthread_mutex_init(&q->lock[k], NULL);
	pthread_mutex_init(&q->hay_lock, NULL);
	pthread_mutex_init(&q->names_lock, NULL);
	size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof *idx);
	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	compat_qsort_r(idx, s->n, sizeof *idx, cmp_tie_idx, (void *)s);
	q->tie = xmalloc((s->n ? s->n : 1) * sizeof *q->tie);
	for (size_t i = 0; i < s->n; i++)
		q->tie[idx[i]] = (uint32_t)i;
	free(idx);
	return q;
}

void query_free(struct query *q)
{
	if (!q)
		return;
	if (q->warming)
		pthread_join(q->warm, NULL);
	free(q->tie);
	free(q->hay);
	free(q->hay_at);
	free(q->odd);
	pthread_mutex_destroy(&q->hay_lock);
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			free(q->perm[k][d]);
			free(q->inv[k][d]);
		}
		pthread_mutex_destroy(&q->lock[k]);
	}
	for (int i = 0; i < 2; i++) {
		free(q->sets[i].match);
		free(q->sets[i].pattern);
	}
	free(q->topic);
	free(q->provider);
	name_ids_free(q->names);
	pthread_mutex_destroy(&q->names_lock);
	free(q);
}

struct keyed {
	int64_t key; /* INT64_MAX: missing, last in both directions */
	uint32_t tie;
	uint32_t idx;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->tie < b->tie ? -1 : a->tie > b->tie;
}

struct str_ctx {
	const struct store *s;
	const struct field *f;
};

static int cmp_str_idx(const void *pa, const void *pb, void *arg)
{
	const struct str_ctx *x = arg;
	return strcmp(fields_str(x->f, x->s->v[*(const size_t *)pa]),
		      fields_str(x->f, x->s->v[*(const size_t *)pb]));
}

/* A number or a date: its value is the key. */
static void keys_of_numbers(const struct store *s, const struct field *f, struct keyed *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (fields_has(f, s->v[i]))
			k[i].key = fields_int(f, s->v[i]);
}

/* The tie field (the title): the tie rank sorts it already; then equal
 * titles are given the key of the first of them. Leaves k sorted. */
static void keys_of_tie_field(const struct store *s, const struct field *f, struct keyed *k)
{
	size_t n = s->n;
	for (size_t i = 0; i < n; i++)
		if (fields_str(f, s->v[i]))
			k[i].key = k[i].tie;
	qsort(k, n, sizeof *k, cmp_keyed);
	int64_t run = 0;
	for (size_t i = 0; i < n && k[i].key != INT64_MAX; i++) {
		if (i == 0 || strcmp(fields_str(f, s->v[k[i - 1].idx]), fields_str(f, s->v[k[i].idx])))
			run = (int64_t)i;
		k[i].key = run;
	}
}

/* Any other string: sorted, and equal strings given one key, their rank. */
static void keys_of_strings(const struct store *s, const struct field *f, struct keyed *k)
{
	size_t n = s->n, m = 0;
	size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		if (fields_str(f, s->v[i]))
			idx[m++] = i;
	struct str_ctx x = {s, f};
	compat_qsort_r(idx, m, sizeof *idx, cmp_str_idx, &x);
	int64_t run = 0;
	for (size_t i = 0; i < m; i++) {
		if (i && strcmp(fields_str(f, s->v[idx[i - 1]]), fields_str(f, s->v[idx[i]])))
			run = (int64_t)i;
		k[idx[i]].key = run;
	}
	free(idx);
}

/* From keys sorted by (key, tie), the ascending order and the descending
 * one: the runs of equal present keys, last run first, each run in its
 * tie order, and the missing ones last. */
static void orders_of_keys(const struct keyed *k, size_t n, size_t *asc, size_t *desc)
{
	size_t present = 0;
	for (size_t i = 0; i < n; i++) {
		asc[i] = k[i].idx;
		present += k[i].key != INT64_MAX;
	}
	size_t out = 0, end = present;
	while (end > 0) {
		size_t start = end - 1;
		while (start > 0 && k[start - 1].key == k[end - 1].key)
			start--;
		for (size_t i = start; i < end; i++)
			desc[out++] = k[i].idx;
		end = start;
	}
	for (size_t i = present; i < n; i++)
		desc[out++] = k[i].idx;
}

/* Both orders of one key: ascending by (key, tie); descending reverses the
 * runs of equal keys but keeps each run's tie order, and missing stays last. */
static void compute_key(struct query *q, enum sort_key key)
{
	const struct store *s = q->s;
	const struct field *f = query_sort_field(key);
	size_t n = s->n;
	struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){INT64_MAX, q->tie[i], (uint32_t)i};
	if (f->kind != FIELD_IS_STRING)
		keys_of_numbers(s, f, k);
	else if (f == tie_field)
		keys_of_tie_field(s, f, k);
	else
		keys_of_strings(s, f, k);
	qsort(k, n, sizeof *k, cmp_keyed);
	size_t *asc = xmalloc((n ? n : 1) * sizeof *asc), *desc = xmalloc((n ? n : 1) * sizeof *desc);
	orders_of_keys(k, n, asc, desc);
	free(k);
	q->perm[key][0] = asc;
	q->perm[key][1] = desc;
	for (int d = 0; d < 2; d++) {
		uint32_t *inv = xmalloc((n ? n : 1) * sizeof *inv);
		for (size_t r = 0; r < n; r++)
			inv[q->perm[key][d][r]] = (uint32_t)r;
		q->inv[key][d] = inv;
	}
}

static void compute_once(struct query *q, enum sort_key key)
{
	pthread_mutex_lock(&q->lock[key]);
	if (!q->perm[key][0])
		compute_key(q, key);
	pthread_mutex_unlock(&q->lock[key]);
}

static const size_t *permutation(struct query *q, struct sort_order o)
{
	compute_once(q, o.key);
	return q->perm[o.key][o.desc];
}

static const uint32_t *inverse(struct query *q, struct sort_order o)
{
	compute_once(q, o.key);
	return q->inv[o.key][o.desc];
}

static void build_hay(struct query *q);

static void *warm_up(void *arg)
{
	struct query *q = arg;
	/* in the order the s key visits them; the date comes first on its own */
	for (int k = 1; k <= SORT_NKEYS; k++)
		permutation(q, (struct sort_order){(enum sort_key)(k % SORT_NKEYS), false});
	build_hay(q);
	name_ids(q);
	return NULL;
}

void query_set_thread_min(struct query *q, size_t n)
{
	q->thread_min = n;
}

void query_settle(struct query *q)
{
	if (q->warming)
		pthread_join(q->warm, NULL);
	q->warming = false;
}

bool query_warm_up(struct query *q)
{
	if (q->warming || q->s->n < q->thread_min)
		return false;
	q->warming = pthread_create(&q->warm, NULL, warm_up, q) == 0;
	return q->warming;
}

struct scan_job {
	const struct store *s;
	struct search *re;
	unsigned char *match;
	const unsigned char *only; /* test only these (NULL: all) */
	size_t from, to;
};

static void *scan_part(void *arg)
{
	struct scan_job *j = arg;
	struct search_space *sp = search_space_new(j->re);
	struct store_texts *t = store_texts_new(j->s);
	for (size_t i = j->from; i < j->to; i++)
		j->match[i] = (!j->only || j->only[i]) && store_texts_match(t, i, j->re, sp);
	store_texts_free(t);
	search_space_free(sp);
	return NULL;
}

static void hay_add(struct buf *b, const char *s, size_t len, bool *odd)
{
	/* U+212A KELVIN SIGN and U+017F LONG S match k and s caselessly */
	if (memmem(s, len, "\xe2\x84\xaa", 3) || memmem(s, len, "\xc5\xbf", 2))
		*odd = true;
	size_t from = b->len;
	buf_add(b, s, len);
	for (char *p = b->data + from, *end = p + len; p < end; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	buf_putc(b, '\n');
}

static void build_hay_locked(struct query *q);

static void build_hay(struct query *q)
{
	pthread_mutex_lock(&q->hay_lock);
	if (!q->hay)
		build_hay_locked(q);
	pthread_mutex_unlock(&q->hay_lock);
}

static void build_hay_locked(struct query *q)
{
	const struct store *s = q->s;
	struct buf b = {0};
	/* the texts from the store: a lazy article's excerpt is only in its
	 * cache entry's head, which this copies from straight */
	struct store_texts *t = store_texts_new(s);
	q->hay_at = xmalloc((s->n + 1) * sizeof *q->hay_at);
	for (size_t i = 0; i < s->n; i++) {
		q->hay_at[i] = b.len;
		bool odd = false;
		const struct cache_text *v;
		for (size_t k = 0, nt = store_texts_of(t, i, &v); k < nt; k++)
			hay_add(&b, v[k].s, v[k].len, &odd);
		if (odd) {
			q->odd = xrealloc(q->odd, (q->nodd + 1) * sizeof *q->odd);
			q->odd[q->nodd++] = i;
		}
	}
	store_texts_free(t);
	q->hay_at[s->n] = b.len;
	q->hay = b.data ? b.data : xstrdup("");
}

/* Can the plain-text path answer for re? Not for a pattern with a line
 * break: the text holds its fields one a line, and a match across two
 * fields is none. */
static bool plain_ascii(const struct search *re)
{
	if (!search_is_literal(re) || !search_caseless(re))
		return false;
	for (const char *p = search_pattern(re); *p; p++)
		if ((unsigned char)*p >= 0x80 || *p == '\n')
			return false;
	return true;
}

/* memmem over the text of articles [from, to), one stretch of the buffer:
 * a hit marks its article and the search goes on from the next article. */
static void match_plain_run(const struct query *q, const char *pat, size_t plen, size_t from,
			   size_t to, unsigned char *match)
{
	size_t end = q->hay_at[to], at = q->hay_at[from], art = from;
	while (at < end) {
		const char *hit = memmem(q->hay + at, end - at, pat, plen);
		if (!hit)
			break;
		size_t off = (size_t)(hit - q->hay);
		/* hits come in order: walk on to the article holding this one */
		while (q->hay_at[art + 1] <= off)
			art++;
		match[art] = 1;
		at = q->hay_at[++art];
	}
}

/* The plain path over every article, or only over those only marks (a
 * match set: bytes 0 or 1), each run of them one memmem. */
static void match_plain(struct query *q, struct search *re, const unsigned char *only,
			unsigned char *match)
{
	build_hay(q);
	size_t n = q->s->n;
	memset(match, 0, n ? n : 1);
	const char *pat = search_pattern(re);
	size_t plen = strlen(pat);
	if (!plen) { /* the empty pattern: every article with any text field */
		for (size_t i = 0; i < n; i++)
			match[i] = (!only || only[i]) && q->hay_at[i + 1] > q->hay_at[i];
	} else if (!only) {
		match_plain_run(q, pat, plen, 0, n, match);
	} else {
		for (size_t i = 0; i < n;) {
			const unsigned char *p = memchr(only + i, 1, n - i);
			if (!p)
				break;
			size_t from = (size_t)(p - only), to = from + 1;
			while (to < n && only[to])
				to++;
			match_plain_run(q, pat, plen, from, to, match);
			i = to;
		}
	}
	if (q->nodd) {
		struct search_space *sp = search_space_new(re);
		struct store_texts *t = store_texts_new(q->s);
		for (size_t i = 0; i < q->nodd; i++) {
			size_t k = q->odd[i];
			match[k] = (!only || only[k]) && store_texts_match(t, k, re, sp);
		}
		store_texts_free(t);
		search_space_free(sp);
	}
}

/* The kept pattern whose matches re's can only be part of, or NULL: both
 * plain text, re's starting with the kept one's. Any case or none: a
 * case-sensitive match of the longer one (smart case, an upper-case letter
 * typed) is a match of the shorter in any case as well. */
static const struct match_set *superset(const struct query *q, const struct search *re)
{
	const char *pat = search_pattern(re);
	if (!search_is_literal(re))
		return NULL;
	for (int i = 0; i < 2; i++) {
		const struct match_set *m = &q->sets[i];
		if (m->match && m->literal && !strncmp(pat, m->pattern, strlen(m->pattern)))
			return m;
	}
	return NULL;
}

static const unsigned char *match_set(struct query *q, struct search *re)
{
	const char *pat = search_pattern(re);
	for (int i = 0; i < 2; i++) {
		if (q->sets[i].match && !strcmp(q->sets[i].pattern, pat)) {
			if (i) { /* most recent first */
				struct match_set t = q->sets[0];
				q->sets[0] = q->sets[1];
				q->sets[1] = t;
			}
			return q->sets[0].match;
		}
	}
	const struct store *s = q->s;
	/* a plain pattern that extends a plain one: only that one's matches */
	const struct match_set *last = superset(q, re);
	const unsigned char *only = last ? last->match : NULL;
	unsigned char *match = xmalloc(s->n ? s->n : 1);
	if (plain_ascii(re)) {
		/* one memmem a run of them: measured, that gains while they are
		 * few (at a million articles, 21 ms instead of 75 with 3% left)
		 * and loses a little past a third, where one pass does better */
		match_plain(q, re, last && last->count <= s->n / 4 ? only : NULL, match);
		goto keep;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = s->n < q->thread_min || cpus < 2 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
	struct scan_job jobs[8];
	pthread_t tid[8];
	bool started[8] = {false};
	for (size_t t = 0; t < nthreads; t++) {
		jobs[t] = (struct scan_job){s, re, match, only, s->n * t / nthreads,
					    s->n * (t + 1) / nthreads};
		if (t)
			started[t] = pthread_create(&tid[t], NULL, scan_part, &jobs[t]) == 0;
	}
	scan_part(&jobs[0]);
	for (size_t t = 1; t < nthreads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			scan_part(&jobs[t]); /* no thread to be had: do it here */
	}
keep:
	free(q->sets[1].match);
	free(q->sets[1].pattern);
	q->sets[1] = q->sets[0];
	size_t count = 0;
	for (size_t i = 0; i < s->n; i++)
		count += match[i];
	q->sets[0] = (struct match_set){match, xstrdup(pat), search_is_literal(re), count};
	return match;
}

bool query_matches(struct query *q, struct search *re, size_t i)
{
	return i < q->s->n && match_set(q, re)[i];
}

/* Topic and provider ------------------------------------------------------ */

/* Topics and provider names are interned once per engine, each spelling
 * under its ASCII-lowered form (what strcasecmp compares in the C and
 * UTF-8 locales, without its turns in a few others), so that keeping the
 * articles with one is an id compare per article, not a caseless compare
 * of strings. */
enum { NAME_NONE = UINT32_MAX, NAME_ABSENT = UINT32_MAX - 1 };

struct names {
	uint32_t *slots; /* open addressing: an id + 1, 0 for empty */
	size_t mask;
	struct name {
		char *folded;      /* ASCII letters lowered (owned) */
		uint64_t hash;     /* of folded */
		const char *first; /* of its spellings the first by bytes (the article's) */
	} *v;                      /* by id */
	size_t n, cap;
};

struct name_ids {
	struct names topics, providers;
	uint32_t *provider_of;   /* per article; NAME_NONE: no provider name */
	size_t *topic_at;        /* article i's topics are topic_ids[topic_at[i] .. topic_at[i + 1]) */
	uint32_t *topic_ids;
};

static const char *fold_name(struct buf *b, const char *name)
{
	b->len = 0;
	buf_puts(b, name);
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] + 32);
	return buf_str(b);
}

/* The slot of folded (its hash h): the one holding it, or the empty one
 * where it would go. */
static size_t names_slot(const struct names *t, const char *folded, uint64_t h)
{
	size_t at = (size_t)h & t->mask;
	while (t->slots[at]) {
		const struct name *nm = &t->v[t->slots[at] - 1];
		if (nm->hash == h && !strcmp(nm->folded, folded))
			break;
		at = (at + 1) & t->mask;
	}
	return at;
}

static void names_grow(struct names *t)
{
	size_t nslots = t->slots ? (t->mask + 1) * 2 : 64;
	free(t->slots);
	t->slots = xcalloc(nslots, sizeof *t->slots);
	t->mask = nslots - 1;
	for (size_t id = 0; id < t->n; id++)
		t->slots[names_slot(t, t->v[id].folded, t->v[id].hash)] = (uint32_t)id + 1;
}

static uint32_t names_intern(struct names *t, struct buf *scratch, const char *name)
{
	const char *folded = fold_name(scratch, name);
	uint64_t h = hash_bytes(folded, scratch->len);
	if (!t->slots)
		names_grow(t);
	size_t at = names_slot(t, folded, h);
	if (t->slots[at]) {
		struct name *nm = &t->v[t->slots[at] - 1];
		if (strcmp(name, nm->first) < 0)
			nm->first = name;
		return t->slots[at] - 1;
	}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	uint32_t id = (uint32_t)t->n++;
	t->v[id] = (struct name){xstrdup(folded), h, name};
	t->slots[at] = id + 1;
	if (t->n * 2 > t->mask + 1) /* at most half full */
		names_grow(t);
	return id;
}

/* The id of name in any case, or NAME_ABSENT when no article has it. */
static uint32_t names_find(const struct names *t, const char *name)
{
	if (!t->slots)
		return NAME_ABSENT;
	struct buf b = {0};
	const char *folded = fold_name(&b, name);
	size_t at = names_slot(t, folded, hash_bytes(folded, b.len));
	buf_free(&b);
	return t->slots[at] ? t->slots[at] - 1 : NAME_ABSENT;
}

static void names_free(struct names *t)
{
	for (size_t id = 0; id < t->n; id++)
		free(t->v[id].folded);
	free(t->v);
	free(t->slots);
}

static void build_names_locked(struct query *q)
{
	const struct store *s = q->s;
	struct name_ids *ni = xcalloc(1, sizeof *ni);
	struct buf scratch = {0};
	ni->provider_of = xmalloc((s->n ? s->n : 1) * sizeof *ni->provider_of);
	ni->topic_at = xmalloc((s->n + 1) * sizeof *ni->topic_at);
	size_t ntopics = 0;
	for (size_t i = 0; i < s->n; i++)
		ntopics += s->v[i]->ntopics;
	ni->topic_ids = xmalloc((ntopics ? ntopics : 1) * sizeof *ni->topic_ids);
	size_t at = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct article *ar = s->v[i];
		ni->provider_of[i] = ar->provider.name
					     ? names_intern(&ni->providers, &scratch, ar->provider.name)
					     : NAME_NONE;
		ni->topic_at[i] = at;
		for (size_t t = 0; t < ar->ntopics; t++)
			ni->topic_ids[at++] = names_intern(&ni->topics, &scratch, ar->topics[t]);
	}
	ni->topic_at[s->n] = at;
	buf_free(&scratch);
	q->names = ni;
}

static struct name_ids *name_ids(struct query *q)
{
	pthread_mutex_lock(&q->names_lock);
	if (!q->names)
		build_names_locked(q);
	pthread_mutex_unlock(&q->names_lock);
	return q->names;
}

static void name_ids_free(struct name_ids *ni)
{
	if (!ni)
		return;
	names_free(&ni->topics);
	names_free(&ni->providers);
	free(ni->provider_of);
	free(ni->topic_at);
	free(ni->topic_ids);
	free(ni);
}

static bool keep_by_name(const struct query *q, size_t i)
{
	const struct name_ids *ni = q->names;
	if (q->provider && ni->provider_of[i] != q->provider_id)
		return false;
	if (!q->topic)
		return true;
	for (size_t t = ni->topic_at[i]; t < ni->topic_at[i + 1]; t++)
		if (ni->topic_ids[t] == q->topic_id)
			return true;
	return false;
}

static void set_name(char **slot, const char *name)
{
	free(*slot);
	*slot = name && *name ? xstrdup(name) : NULL;
}

void query_set_topic(struct query *q, const char *name)
{
	set_name(&q->topic, name);
	if (q->topic)
		q->topic_id = names_find(&name_ids(q)->topics, q->topic);
}

void query_set_provider(struct query *q, const char *name)
{
	set_name(&q->provider, name);
	if (q->provider)
		q->provider_id = names_find(&name_ids(q)->providers, q->provider);
}

const char *query_topic(const struct query *q)
{
	return q->topic;
}

const char *query_provider(const struct query *q)
{
	return q->provider;
}

static int cmp_name(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int c = strcasecmp(a, b);
	return c ? c : strcmp(a, b);
}

void query_names(struct query *q, enum query_names kind, struct strlist *out)
{
	const struct names *t =
		kind == QUERY_TOPICS ? &name_ids(q)->topics : &name_ids(q)->providers;
	/* one spelling per name in any case: the first by bytes */
	const char **v = xmalloc((t->n ? t->n : 1) * sizeof *v);
	size_t n = 0;
	for (size_t id = 0; id < t->n; id++)
		if (*t->v[id].first)
			v[n++] = t->v[id].first;
	if (n)
		qsort(v, n, sizeof *v, cmp_name);
	for (size_t i = 0; i < n; i++)
		strlist_push(out, xstrdup(v[i]));
	free(v);
}

/* Rows ------------------------------------------------------------------- */

size_t query_rows_view(struct query *q, struct sort_order order, struct search *re,
		       const unsigned char *marks, enum mark_filter mf, size_t *out,
		       const size_t **rows)
{
	const size_t *perm = permutation(q, order);
	bool by_marks = mf == MARKS_STARRED || (mf == MARKS_UNREAD && marks);
	if (!re && !by_marks && !q->topic && !q->provider && !q->s->nhidden) {
		*rows = perm; /* nothing filters: the order is the list */
		return q->s->n;
	}
	const unsigned char *match = re ? match_set(q, re) : NULL;
	size_t n = 0;
	for (size_t k = 0; k < q->s->n; k++) {
		size_t i = perm[k];
		unsigned m = marks ? marks[i] : 0;
		if (mf == MARKS_UNREAD && (m & MARK_READ))
			continue;
		if (mf == MARKS_STARRED && !(m & MARK_STARRED))
			continue;
		if (match && !match[i])
			continue;
		if ((q->topic || q->provider) && !keep_by_name(q, i))
			continue;
		if (store_is_hidden(q->s, i))
			continue;
		out[n++] = i;
	}
	*rows = out;
	return n;
}

size_t query_rows(struct query *q, struct sort_order order, struct search *re,
		  const unsigned char *marks, enum mark_filter mf, size_t *out)
{
	const size_t *rows;
	size_t n = query_rows_view(q, order, re, marks, mf, out, &rows);
	if (rows != out)
		memcpy(out, rows, n * sizeof *out);
	return n;
}

long query_row_of(struct query *q, struct sort_order order, const size_t *rows, size_t n,
		  size_t i)
{
	if (i >= q->s->n)
		return -1;
	const uint32_t *inv = inverse(q, order);
	size_t rank = inv[i];
	if (rank < n && rows[rank] == i) /* the whole order, or filters that left all before i */
		return (long)rank;
	/* rows are a part of the order, so their ranks rise: a binary search,
	 * and i can stand no later than its rank */
	size_t lo = 0, hi = rank < n ? rank : n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (inv[rows[mid]] < rank)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && rows[lo] == i ? (long)lo : -1;
}
