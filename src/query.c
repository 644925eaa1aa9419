/* query: comparison with the tie and missing-value rules, and filtering. */
#define _GNU_SOURCE
#include "lede/query.h"
#include "lede/compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lede/fields.h"
#include "lede/hash.h"
#include "lede/names.h"
#include "lede/querylang.h"
#include "lede/rank.h"
#include "lede/util.h"
#include "lede/worker.h"

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
	/* a list_only load's rows read as articles (store_list_view) */
	struct article ta, tb;
};

static int cmp_str_missing_last(const char *a, const char *b, bool *decided)
{
	*decided = !a || !b;
	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	return strcmp(a, b);
}

/* Has a the number f sorts by? A score of -1 (article.h) is not known:
 * sorted with the missing ones. */
static bool key_known(const struct field *f, const struct article *a)
{
	return fields_has(f, a) &&
	       (f->kind != FIELD_IS_INT || fields_int(f, a) != ARTICLE_SCORE_UNKNOWN);
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
		bool ha = key_known(f, a), hb = key_known(f, b);
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
	struct ctx *x = arg;
	const struct article *a = store_list_view(x->s, *(const size_t *)pa, &x->ta);
	const struct article *b = store_list_view(x->s, *(const size_t *)pb, &x->tb);
	int c = cmp_key(a, b, x->f, x->desc);
	return c ? c : cmp_tie(a, b);
}

/* A lazy store's articles, for the plain sort: idx[k]'s row, decoded,
 * compared through a store of its own whose v[] holds them. */
static void sort_rows(const struct store *s, size_t *idx, size_t n, struct sort_order order)
{
	struct store rows = {0};
	rows.n = n;
	rows.v = xmalloc((n ? n : 1) * sizeof *rows.v);
	size_t *at = xmalloc((n ? n : 1) * sizeof *at);
	for (size_t k = 0; k < n; k++) {
		rows.v[k] = store_is_lazy(s, idx[k]) ? store_row_copy(s, idx[k]) : s->v[idx[k]];
		at[k] = k;
	}
	struct ctx x = {.s = &rows, .f = query_sort_field(order.key), .desc = order.desc};
	compat_qsort_r(at, n, sizeof *at, cmp_idx, &x);
	size_t *was = xmalloc((n ? n : 1) * sizeof *was);
	memcpy(was, idx, n * sizeof *was);
	for (size_t k = 0; k < n; k++) {
		idx[k] = was[at[k]];
		if (store_is_lazy(s, was[k]))
			article_free(rows.v[k]);
	}
	free(was);
	free(at);
	free(rows.v);
}

/* The tie order of a run of idx[] positions: insertion sort by the tie
 * rules for a short run, the tie order's radix sort over the run for a
 * long one; positions last, so that it is stable. */
struct run_ctx {
	const struct store *s;
	const size_t *idx;
	const uint32_t *pos; /* the run's positions in idx */
};

static const char *run_title(const void *ctx, uint32_t k)
{
	const struct run_ctx *x = ctx;
	size_t i = x->idx[x->pos[k]];
	return x->s->rows && x->s->rows[i] ? x->s->rows[i]->title : x->s->v[i]->title;
}

static const char *run_path(const void *ctx, uint32_t k)
{
	const struct run_ctx *x = ctx;
	return store_path(x->s, x->idx[x->pos[k]]);
}

enum { SHORT_RUN = 16 };

static void tie_run(const struct store *s, const size_t *idx, uint32_t *pos, size_t n)
{
	if (n < 2)
		return;
	if (n <= SHORT_RUN) {
		struct article ta = {0}, tb = {0};
		for (size_t i = 1; i < n; i++) {
			uint32_t p = pos[i];
			const struct article *a = store_list_view(s, idx[p], &ta);
			size_t j = i;
			for (; j > 0; j--) {
				int c = cmp_tie(store_list_view(s, idx[pos[j - 1]], &tb), a);
				if (c < 0 || (c == 0 && pos[j - 1] < p))
					break;
				pos[j] = pos[j - 1];
			}
			pos[j] = p;
		}
		return;
	}
	struct run_ctx x = {s, idx, pos};
	unsigned char *same;
	size_t nt;
	uint32_t *order = rank_tie_order(n, run_title, run_path, &x, &same, &nt);
	free(same);
	uint32_t *was = xmalloc(n * sizeof *was);
	memcpy(was, pos, n * sizeof *was);
	for (size_t k = 0; k < n; k++)
		pos[k] = was[order[k]];
	free(was);
	free(order);
}

/* query_sort by a number (date, quality, heat) without comparing pairs:
 * a stable radix sort of idx[] by the value, then each run of one value,
 * and the missing ones after, in the tie order (title, then path). What
 * cmp_idx orders, for what --list prints: a comparison sort there was
 * the whole of its single-threaded tail, and a tie order of every
 * article, most of whose values are their own, most of what was left. */
static void sort_by_number(const struct store *s, size_t *idx, size_t n, const struct field *f,
			   bool desc)
{
	struct rank_kv *kv = xmalloc((n ? n : 1) * sizeof *kv);
	uint32_t *pos = xmalloc((n ? n : 1) * sizeof *pos);
	size_t np = 0, nm = 0;
	struct article tmp = {0};
	for (size_t k = 0; k < n; k++) {
		const struct article *a = store_list_view(s, idx[k], &tmp);
		if (!key_known(f, a)) {
			pos[n - ++nm] = (uint32_t)k; /* backwards: turned below */
			continue;
		}
		uint64_t key = rank_key_of_int(fields_int(f, a));
		kv[np++] = (struct rank_kv){desc ? ~key : key, (uint32_t)k};
	}
	rank_sort_kv(kv, np);
	for (size_t k = 0; k < np; k++)
		pos[k] = kv[k].idx;
	for (size_t a = np, b = n; a + 1 < b; a++, b--) {
		uint32_t t = pos[a];
		pos[a] = pos[b - 1];
		pos[b - 1] = t;
	}
	for (size_t a = 0; a < np;) {
		size_t b = a + 1;
		while (b < np && kv[b].key == kv[a].key)
			b++;
		tie_run(s, idx, pos + a, b - a);
		a = b;
	}
	tie_run(s, idx, pos + np, nm);
	free(kv);
	size_t *was = xmalloc((n ? n : 1) * sizeof *was);
	memcpy(was, idx, n * sizeof *was);
	for (size_t k = 0; k < n; k++)
		idx[k] = was[pos[k]];
	free(was);
	free(pos);
}

void query_sort(const struct store *s, size_t *idx, size_t n, struct sort_order order)
{
	if (s->lazy) {
		sort_rows(s, idx, n, order);
		return;
	}
	const struct field *f = query_sort_field(order.key);
	if (f->kind != FIELD_IS_STRING && n <= UINT32_MAX) {
		sort_by_number(s, idx, n, f, order.desc);
		return;
	}
	struct ctx x = {.s = s, .f = f, .desc = order.desc};
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
		if (store_is_hidden(s, i) || store_dup_of(s, i) >= 0)
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

/* The last two patterns' matches (a search and a filter may both be on):
 * one byte per article. */
struct match_set {
	unsigned char *match;
	char *pattern;
	bool literal;
	size_t count; /* of articles matched */
};

/* One pattern's matches over the whole store, found on a thread while the
 * reader shows the first rows (query_rows_begin); the main thread takes
 * them in (query_poll), so that only it ever changes the kept sets. */
struct scan_task {
	struct query *q;
	struct worker w;
	struct search *re; /* compiled again: the reader may free its own meanwhile */
	char *pattern;
	unsigned char *only; /* a copy of a kept set re's is part of, or NULL */
	unsigned char *match;
	atomic_size_t next; /* the next stretch of articles to test */
	atomic_bool cancel;
	struct scan_task *next_dropped; /* query's dropped list */
};

struct query {
	const struct store *s;
	/* every article's place in the tie order (title ascending, a missing
	 * one last, then path): the tie-break of every sort, computed once;
	 * the articles in that order; and whether each there has the same
	 * title as the one before it */
	uint32_t *tie, *tie_order;
	unsigned char *same_title;
	size_t ntitled; /* the tie order's articles with a title come first */
	/* per key, the ascending order and, in the same walk, the descending
	 * one (where article i stands in one is found by its keys, a binary
	 * search: an inverse of each was 8 bytes an article a key); a lock
	 * each, as the warm-up thread fills them too, and ready[k] once they
	 * are in (read without the lock). A thread that needs an order the
	 * other is computing waits for it: computing it a second time beside
	 * it was measured slower on two cores (a million articles' orders
	 * cost more in page faults than in sorting). */
	uint32_t *perm[SORT_NKEYS][2];
	atomic_bool ready[SORT_NKEYS];
	pthread_mutex_t lock[SORT_NKEYS];
	pthread_t warm;
	bool warming;
	/* While the warm-up computes an order, its first rows (its head),
	 * found by one pass over the keys, on the reader's thread; and the
	 * providers' names ranked for that pass (struct name_ranks). */
	uint32_t *head[SORT_NKEYS][2];
	size_t nhead[SORT_NKEYS][2];
	uint32_t *own_head[SORT_NKEYS][2]; /* the reader's thread's, see order_now */
	size_t own_nhead[SORT_NKEYS][2];
	atomic_bool head_ready[SORT_NKEYS];
	pthread_mutex_t head_lock[SORT_NKEYS];
	struct name_ranks *ranks;
	pthread_mutex_t ranks_lock;
	enum sort_key first; /* the caller's first order: the warm-up's last */
	/* from this many articles on, sorts are warmed up and regex scans run
	 * on a thread per core (QUERY_THREAD_MIN, else LEDE_THREAD_MIN) */
	size_t thread_min;
	/* The main thread's folder, for one article tested alone (see
	 * struct folder); NULL until then. */
	struct folder *fold;
	/* The folders' window (bytes of folded text a batch holds; 0: the
	 * default), for the tests. */
	size_t fold_window;
	/* Set by query_free: the warm-up leaves what it has not done (a
	 * reader that quits never waits for a million articles' orders). */
	atomic_bool stopping;
	long long until; /* query_time_limit's, or 0 */
	/* a finished scan's copy of the set it searched within, kept for
	 * the next one's: its pages are in place (a fresh one is a page
	 * fault each 4 kB, milliseconds of a key at a million articles) */
	unsigned char *spare_only;
	struct match_set sets[2]; /* [0] is the most recent */
	struct scan_task *task;   /* the pattern being scanned for, or NULL */
	/* Scans told to stop for a pattern typed on, not waited for (the
	 * thread, below the reader's priority, may take a while to see it on
	 * a busy machine): reaped once they have stopped. */
	struct scan_task *dropped;
	/* The last query's patterns' outcomes (querylang.h), a bit each per
	 * article, kept by the query's text; and the query whose outcomes
	 * are being found on a thread, or NULL. */
	char *ql_text;
	uint32_t *ql_bits;
	struct ql_task *ql_task;
	/* query_set_topic and query_set_provider: NULL keeps all; and their
	 * ids among the interned names, once the names are in (ids_set) */
	char *topic, *provider;
	uint32_t topic_id, provider_id;
	bool ids_set;
	char *type; /* query_set_type: NULL keeps all */
	bool hide_dups; /* query_hide_dups */
	_Atomic(struct name_ids *) names; /* built once, on first need */
	pthread_mutex_t names_lock;
	struct worker names_worker;
};

struct name_ranks;
static void name_ranks_free(struct name_ranks *r);
static struct name_ids *name_ids(struct query *q);
static void folder_free(struct folder *f);
static void ql_task_stop(struct query *q);
static void name_ids_free(struct name_ids *ni);

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

static const char *title_of(const void *ctx, uint32_t i)
{
	return ((const struct store *)ctx)->v[i]->title;
}

static const char *path_of(const void *ctx, uint32_t i)
{
	return ((const struct store *)ctx)->v[i]->path;
}

/* The numbers numeric key k sorts by, each article's, from the store,
 * into key[] and has[] (room for every article): read when its order is
 * computed, by whichever thread computes it, so that the first screen
 * reads one key only. */
static bool number_of(const struct store *s, int k, size_t i, uint64_t *key)
{
	unsigned bit = k == SORT_DATE ? HAS_DATE : k == SORT_QUALITY ? HAS_QUALITY : HAS_HEAT;
	int64_t v = k == SORT_DATE ? store_date(s, i)
		  : k == SORT_QUALITY ? store_quality(s, i) : store_heat(s, i);
	*key = rank_key_of_int(v);
	/* a score of -1 is not known: sorted with the missing */
	return k == SORT_DATE ? (store_has(s, i) & bit) != 0
			      : article_score_known(store_has(s, i), bit, (int32_t)v);
}

static void read_numbers(const struct query *q, int k, uint64_t *key, unsigned char *has)
{
	for (size_t i = 0; i < q->s->n; i++)
		has[i] = number_of(q->s, k, i, &key[i]);
}

/* The tie order as the store made it while loading. */
static bool tie_from_store(struct query *q)
{
	const uint32_t *order;
	const unsigned char *same;
	size_t n = q->s->n, nt;
	if (!store_tie_order(q->s, &order, &same, &nt))
		return false;
	q->tie_order = xmalloc((n ? n : 1) * sizeof *q->tie_order);
	q->same_title = xmalloc(n ? n : 1);
	memcpy(q->tie_order, order, n * sizeof *order);
	memcpy(q->same_title, same, n);
	q->ntitled = nt;
	q->tie = xmalloc((n ? n : 1) * sizeof *q->tie);
	for (size_t r = 0; r < n; r++)
		q->tie[order[r]] = (uint32_t)r;
	return true;
}

static void compute_tie(struct query *q)
{
	const struct store *s = q->s;
	if (tie_from_store(q))
		return;
	/* a lazy store's articles added since its tie order was made: its
	 * lazy ones' rows decoded for the time of the sort */
	const struct store *lazy = s->lazy ? s : NULL;
	struct store whole = {0};
	if (lazy) {
		whole.n = s->n;
		whole.v = xmalloc((s->n ? s->n : 1) * sizeof *whole.v);
		for (size_t i = 0; i < s->n; i++)
			whole.v[i] = store_is_lazy(s, i) ? store_row_copy(s, i) : s->v[i];
		s = &whole;
	}
	size_t n = s->n, nt;
	unsigned char *same;
	uint32_t *order = rank_tie_order(n, title_of, path_of, s, &same, &nt);
	for (size_t i = 0; lazy && i < n; i++)
		if (store_is_lazy(lazy, i))
			article_free(whole.v[i]);
	free(whole.v);
	q->tie = xmalloc((n ? n : 1) * sizeof *q->tie);
	for (size_t r = 0; r < n; r++)
		q->tie[order[r]] = (uint32_t)r;
	q->tie_order = order;
	q->same_title = same;
	q->ntitled = nt;
}

struct query *query_new(const struct store *s)
{
	struct query *q = xcalloc(1, sizeof *q);
	q->s = s;
	q->thread_min = thread_min_default();
	for (int k = 0; k < SORT_NKEYS; k++) {
		pthread_mutex_init(&q->lock[k], NULL);
		atomic_init(&q->ready[k], false);
		pthread_mutex_init(&q->head_lock[k], NULL);
		atomic_init(&q->head_ready[k], false);
	}
	pthread_mutex_init(&q->ranks_lock, NULL);
	pthread_mutex_init(&q->names_lock, NULL);
	atomic_init(&q->stopping, false);
	atomic_init(&q->names, NULL);
	atomic_init(&q->names_worker.done, false);
	compute_tie(q);
	return q;
}

static void task_free(struct scan_task *t);
static void task_end(struct query *q, struct scan_task *t);

/* The dropped scans that have stopped (all of them, waiting, when wait)
 * joined and freed. */
static void tasks_reap(struct query *q, bool wait)
{
	for (struct scan_task **at = &q->dropped; *at;) {
		struct scan_task *t = *at;
		if (!wait && !worker_done(&t->w)) {
			at = &t->next_dropped;
			continue;
		}
		worker_join(&t->w);
		*at = t->next_dropped;
		task_end(q, t);
	}
}

void query_free(struct query *q)
{
	if (!q)
		return;
	atomic_store(&q->stopping, true);
	if (q->task) {
		atomic_store(&q->task->cancel, true);
		worker_join(&q->task->w);
		task_free(q->task);
	}
	tasks_reap(q, true);
	free(q->spare_only);
	ql_task_stop(q);
	free(q->ql_text);
	free(q->ql_bits);
	worker_join(&q->names_worker);
	if (q->warming)
		pthread_join(q->warm, NULL);
	free(q->tie);
	free(q->tie_order);
	free(q->same_title);
	folder_free(q->fold);
	name_ranks_free(q->ranks);
	pthread_mutex_destroy(&q->ranks_lock);
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			free(q->perm[k][d]);
			free(q->head[k][d]);
			free(q->own_head[k][d]);
		}
		pthread_mutex_destroy(&q->lock[k]);
		pthread_mutex_destroy(&q->head_lock[k]);
	}
	for (int i = 0; i < 2; i++) {
		free(q->sets[i].match);
		free(q->sets[i].pattern);
	}
	free(q->topic);
	free(q->provider);
	free(q->type);
	name_ids_free(atomic_load(&q->names));
	pthread_mutex_destroy(&q->names_lock);
	free(q);
}

/* Sort orders ------------------------------------------------------------- */

/* From the present articles sorted (sorted[0..np), same[k] when the k-th
 * has the same key as the one before) and the missing ones (in tie order):
 * the ascending order, and the descending one, which reverses the runs of
 * equal keys but keeps each run in its tie order; missing stays last. */
static void orders_of(const uint32_t *sorted, const unsigned char *same, size_t np,
		      const uint32_t *missing, size_t nm, uint32_t *asc, uint32_t *desc)
{
	for (size_t i = 0; i < np; i++)
		asc[i] = sorted[i];
	size_t out = 0;
	for (size_t end = np; end > 0;) {
		size_t start = end - 1;
		while (start > 0 && same[start])
			start--;
		for (size_t i = start; i < end; i++)
			desc[out++] = sorted[i];
		end = start;
	}
	for (size_t i = 0; i < nm; i++)
		asc[np + i] = desc[np + i] = missing[i];
}

/* Any string but the title: each article's rank among the distinct
 * strings (equal strings one rank), by the string sort. */
struct field_ctx {
	const struct store *s;
	const struct field *f;
};

/* A string key's value of article i: the provider's name through the
 * store (a lazy article's from its record); another's from the article. */
static const char *str_key(const struct store *s, const struct field *f, size_t i)
{
	if (f == &fields_table[FIELD_PROVIDER])
		return store_provider_name(s, i);
	return fields_str(f, s->v[i]);
}

static const char *field_of(const void *ctx, uint32_t i)
{
	const struct field_ctx *x = ctx;
	return str_key(x->s, x->f, i);
}

/* The first 16 bytes of s as two big-endian keys, zeros past its end: the
 * string itself when it is no longer. */
static void key16(const char *s, uint64_t k[2])
{
	k[0] = k[1] = 0;
	int i = 0;
	for (; i < 16 && s[i]; i++)
		k[i / 8] |= (uint64_t)(unsigned char)s[i] << (8 * (7 - i % 8));
}

/* The distinct strings of a sort key (providers' names: few), in a table
 * by their first 16 bytes, which are cheap to read and to compare; only a
 * longer string is compared further. */
struct distinct {
	uint32_t *slot; /* a distinct one's number + 1, 0: empty */
	size_t mask, n;
	uint64_t (*key)[2]; /* by number */
	uint32_t *first;    /* by number: an article that has it */
};

static uint32_t distinct_number(struct distinct *d, const struct store *s, const struct field *f,
				size_t i, const char *str)
{
	uint64_t k[2];
	key16(str, k);
	uint64_t h = (k[0] * 0x9e3779b97f4a7c15u) ^ (k[1] + (k[1] >> 29)) * 0xbf58476d1ce4e5b9u;
	size_t at = (size_t)(h >> 20) & d->mask;
	for (; d->slot[at]; at = (at + 1) & d->mask) {
		uint32_t x = d->slot[at] - 1;
		if (d->key[x][0] == k[0] && d->key[x][1] == k[1] &&
		    (!(k[1] & 0xff) || !strcmp(str_key(s, f, d->first[x]) + 16, str + 16)))
			return x;
	}
	d->key[d->n][0] = k[0];
	d->key[d->n][1] = k[1];
	d->first[d->n] = (uint32_t)i;
	d->slot[at] = (uint32_t)++d->n;
	return (uint32_t)(d->n - 1);
}

static uint32_t *string_ranks(const struct store *s, const struct field *f)
{
	size_t n = s->n;
	struct distinct d = {0};
	for (d.mask = 63; d.mask < 2 * n; d.mask = d.mask * 2 + 1)
		;
	d.slot = xcalloc(d.mask + 1, sizeof *d.slot);
	d.key = xmalloc((n ? n : 1) * sizeof *d.key);
	d.first = xmalloc((n ? n : 1) * sizeof *d.first);
	uint32_t *rank = xcalloc(n ? n : 1, sizeof *rank);
	/* a lazy article's provider name is an interned id: each id's
	 * distinct number found once, at its first article */
	bool by_id = f == &fields_table[FIELD_PROVIDER];
	size_t nids = by_id ? store_name_count(s) : 0;
	uint32_t *of_id = xmalloc((nids ? nids : 1) * sizeof *of_id);
	memset(of_id, 0xff, (nids ? nids : 1) * sizeof *of_id);
	for (size_t i = 0; i < n; i++) {
		uint32_t id = by_id ? store_provider_id(s, i) : (uint32_t)STORE_NO_NAME;
		if (id < nids && of_id[id] != UINT32_MAX) {
			rank[i] = of_id[id];
			continue;
		}
		const char *str = str_key(s, f, i);
		if (str) /* for now, its distinct string's number */
			rank[i] = distinct_number(&d, s, f, i, str);
		if (str && id < nids)
			of_id[id] = rank[i];
	}
	free(of_id);
	/* the distinct strings sorted: a number's rank is its place */
	uint32_t *order = xmalloc((d.n ? d.n : 1) * sizeof *order);
	uint32_t *place = xmalloc((d.n ? d.n : 1) * sizeof *place);
	struct field_ctx fx = {s, f};
	for (size_t x = 0; x < d.n; x++)
		order[x] = d.first[x];
	rank_sort_strings(order, d.n, field_of, &fx, NULL);
	for (size_t r = 0; r < d.n; r++)
		place[rank[order[r]]] = (uint32_t)r;
	for (size_t i = 0; i < n; i++)
		rank[i] = place[rank[i]];
	free(place);
	free(order);
	free(d.first);
	free(d.key);
	free(d.slot);
	return rank;
}

/* Room for n items of size bytes, its pages put in place at once: an
 * order's arrays at a million articles are tens of megabytes, which a page
 * fault each 4 kB made cost more than the sort on a virtual machine. */
static void *filled_array(size_t n, size_t size)
{
	void *p = xmalloc((n ? n : 1) * size);
	compat_prefault(p, (n ? n : 1) * size);
	return p;
}

/* Do the present keys lie within 2^32 of the smallest (*min)? Dates a
 * century apart and every score do. */
static bool span_fits_32(const uint64_t *key, const unsigned char *has, size_t n, uint64_t *min)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		if (!has[i])
			continue;
		lo = key[i] < lo ? key[i] : lo;
		hi = key[i] > hi ? key[i] : hi;
	}
	*min = lo;
	return lo > hi || hi - lo <= UINT32_MAX;
}

/* The articles with a key, taken in the tie order and sorted stably by
 * it, into sorted[] (same[k]: the k-th's key equals the one before), and
 * those without one into missing[] (*nm of them), in the tie order;
 * returns how many have one. Keys less min, in 32 bits: half the bytes
 * a radix pass moves, and no more than four passes. */
static size_t sort_keys32(const struct query *q, const uint64_t *key, const unsigned char *has,
			  uint64_t min, uint32_t *sorted, unsigned char *same, uint32_t *missing,
			  size_t *nm)
{
	size_t n = q->s->n, np = 0;
	struct rank_kv32 *kv = filled_array(n, sizeof *kv);
	for (size_t r = 0; r < n; r++) {
		uint32_t i = q->tie_order[r];
		if (has[i])
			kv[np++] = (struct rank_kv32){(uint32_t)(key[i] - min), i};
		else
			missing[(*nm)++] = i;
	}
	rank_sort_kv32(kv, np);
	for (size_t k = 0; k < np; k++) {
		sorted[k] = kv[k].idx;
		same[k] = k && kv[k].key == kv[k - 1].key;
	}
	free(kv);
	return np;
}

/* The same with whole 64-bit keys, for keys that lie further apart. */
static size_t sort_keys64(const struct query *q, const uint64_t *key, const unsigned char *has,
			  uint32_t *sorted, unsigned char *same, uint32_t *missing, size_t *nm)
{
	size_t n = q->s->n, np = 0;
	struct rank_kv *kv = filled_array(n, sizeof *kv);
	for (size_t r = 0; r < n; r++) {
		uint32_t i = q->tie_order[r];
		if (has[i])
			kv[np++] = (struct rank_kv){key[i], i};
		else
			missing[(*nm)++] = i;
	}
	rank_sort_kv(kv, np);
	for (size_t k = 0; k < np; k++) {
		sorted[k] = kv[k].idx;
		same[k] = k && kv[k].key == kv[k - 1].key;
	}
	free(kv);
	return np;
}

/* Both orders of one key, into perm[] (allocated here; the caller owns
 * them). The title's is the tie order
 * itself; any other key's is a stable radix sort of the articles taken in
 * the tie order, by the value, or by the string's rank. Reads only what
 * no thread changes: any thread may compute any key, at the same time. */
static void compute_key(const struct query *q, enum sort_key key, uint32_t *perm[2])
{
	const struct store *s = q->s;
	const struct field *f = query_sort_field(key);
	size_t n = s->n, np = 0, nm = 0;
	uint32_t *asc = filled_array(n, sizeof *asc), *desc = filled_array(n, sizeof *desc);
	if (f == tie_field) {
		orders_of(q->tie_order, q->same_title, q->ntitled, q->tie_order + q->ntitled,
			  n - q->ntitled, asc, desc);
	} else {
		/* the keys read in store order, then taken in the tie order from
		 * one compact array, not from each article out of order */
		uint64_t *key_of = filled_array(n, sizeof *key_of);
		unsigned char *has = filled_array(n, 1);
		if (f->kind == FIELD_IS_STRING) {
			uint32_t *rank = string_ranks(s, f);
			for (size_t i = 0; i < n; i++) {
				has[i] = str_key(s, f, i) != NULL;
				key_of[i] = rank[i];
			}
			free(rank);
		} else {
			read_numbers(q, key, key_of, has);
		}
		uint32_t *missing = filled_array(n, sizeof *missing);
		uint32_t *sorted = filled_array(n, sizeof *sorted);
		unsigned char *same = filled_array(n, 1);
		uint64_t min;
		if (span_fits_32(key_of, has, n, &min))
			np = sort_keys32(q, key_of, has, min, sorted, same, missing, &nm);
		else
			np = sort_keys64(q, key_of, has, sorted, same, missing, &nm);
		free(key_of);
		free(has);
		orders_of(sorted, same, np, missing, nm, asc, desc);
		free(same);
		free(sorted);
		free(missing);
	}
	perm[0] = asc;
	perm[1] = desc;
}

static bool order_ready(const struct query *q, enum sort_key key)
{
	return atomic_load_explicit(&q->ready[key], memory_order_acquire);
}

/* Key's orders, computed here unless they are in or being computed by
 * another thread (then waited for). */
static void compute_once(struct query *q, enum sort_key key)
{
	if (order_ready(q, key))
		return;
	pthread_mutex_lock(&q->lock[key]);
	if (!order_ready(q, key)) {
		compute_key(q, key, q->perm[key]);
		atomic_store_explicit(&q->ready[key], true, memory_order_release);
	}
	pthread_mutex_unlock(&q->lock[key]);
}

static const uint32_t *permutation(struct query *q, struct sort_order o)
{
	compute_once(q, o.key);
	return q->perm[o.key][o.desc];
}


/* The head of an order being computed ----------------------------------- */

/* A million articles' order costs the warm-up a few hundred milliseconds,
 * most of it page faults; a key that needs an
 * order the warm-up has not finished does not wait for it: it shows the
 * order's first rows, found by one pass over the keys that keeps the best
 * HEAD_ROWS of them (a selection, not a sort), and the rows go on once the
 * warm-up has the whole order. */
enum { HEAD_ROWS = 4096 };

/* Where an article stands in an order, as values compared in one go: a
 * missing value last, then the key in the order's direction, then (a
 * string the ranked names do not hold) the string itself, then the tie
 * order; idx is the article. */
struct order_key {
	uint64_t key;
	uint32_t tie, idx;
	unsigned char missing, by_str;
};

/* The distinct provider names of the lazy articles, ranked: by interned
 * id, 2 * rank + 1 (0: not ranked yet); and the names in order, where
 * another article's name is looked up (found: the same key; else 2 *
 * the place it would take, compared with its neighbours by its string). */
struct name_ranks {
	uint32_t *of_id;
	const char **sorted;
	size_t n;
};

static void name_ranks_free(struct name_ranks *r)
{
	if (!r)
		return;
	free(r->of_id);
	free(r->sorted);
	free(r);
}

static int cmp_name_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct name_ranks *name_ranks_locked(struct query *q)
{
	if (q->ranks)
		return q->ranks;
	const struct store *s = q->s;
	size_t nids = store_name_count(s), n = 0;
	struct name_ranks *r = xcalloc(1, sizeof *r);
	r->of_id = xcalloc(nids ? nids : 1, sizeof *r->of_id);
	const char **name = xcalloc(nids ? nids : 1, sizeof *name);
	for (size_t i = 0; i < s->n; i++) {
		uint32_t id = store_provider_id(s, i);
		if (id < nids && !name[id])
			name[id] = store_provider_name(s, i);
	}
	r->sorted = xmalloc((nids ? nids : 1) * sizeof *r->sorted);
	for (size_t id = 0; id < nids; id++)
		if (name[id])
			r->sorted[n++] = name[id];
	qsort(r->sorted, n, sizeof *r->sorted, cmp_name_ptr);
	size_t d = 0; /* equal names one rank */
	for (size_t k = 0; k < n; k++)
		if (!d || strcmp(r->sorted[d - 1], r->sorted[k]))
			r->sorted[d++] = r->sorted[k];
	r->n = d;
	for (size_t id = 0; id < nids; id++) {
		if (!name[id])
			continue;
		const char **at = bsearch(&name[id], r->sorted, d, sizeof *r->sorted, cmp_name_ptr);
		r->of_id[id] = 2 * (uint32_t)(at - r->sorted) + 1;
	}
	free(name);
	q->ranks = r;
	return r;
}

/* Made once, by whichever thread needs them first. */
static struct name_ranks *name_ranks(struct query *q)
{
	pthread_mutex_lock(&q->ranks_lock);
	struct name_ranks *r = name_ranks_locked(q);
	pthread_mutex_unlock(&q->ranks_lock);
	return r;
}

/* A name the ranks do not hold by id: its key among theirs. */
static uint64_t name_key(const struct name_ranks *r, const char *str, unsigned char *by_str)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->sorted[mid], str) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	bool found = lo < r->n && !strcmp(r->sorted[lo], str);
	*by_str = !found;
	return found ? 2 * (uint64_t)lo + 1 : 2 * (uint64_t)lo;
}

struct order_ctx {
	struct query *q;
	struct sort_order o;
	const struct field *f;
	const struct name_ranks *ranks; /* the provider's */
	size_t nids;
};

static void order_ctx_init(struct order_ctx *c, struct query *q, struct sort_order o)
{
	c->q = q;
	c->o = o;
	c->f = query_sort_field(o.key);
	bool by_id = c->f == &fields_table[FIELD_PROVIDER];
	c->ranks = by_id ? name_ranks(q) : NULL;
	c->nids = by_id ? store_name_count(q->s) : 0;
}

/* Where the title's run of equal titles starts in the tie order. */
static uint64_t title_run(const struct query *q, size_t r)
{
	while (r > 0 && q->same_title[r])
		r--;
	return r;
}

static struct order_key order_key_of(const struct order_ctx *c, size_t i)
{
	const struct query *q = c->q;
	struct order_key k = {0, q->tie[i], (uint32_t)i, 0, 0};
	bool has;
	if (c->f == tie_field) {
		has = k.tie < q->ntitled;
		k.key = has ? title_run(q, k.tie) : 0;
	} else if (c->f->kind == FIELD_IS_STRING) {
		uint32_t id = c->ranks ? store_provider_id(q->s, i) : (uint32_t)STORE_NO_NAME;
		if (id < c->nids && c->ranks->of_id[id]) {
			has = true;
			k.key = c->ranks->of_id[id];
		} else {
			const char *str = str_key(q->s, c->f, i);
			has = str != NULL;
			if (has && c->ranks)
				k.key = name_key(c->ranks, str, &k.by_str);
			else
				k.by_str = has; /* no ranks: by the strings alone */
		}
	} else {
		has = number_of(q->s, c->o.key, i, &k.key);
	}
	k.missing = !has;
	if (!has)
		k.key = k.by_str = 0;
	else if (c->o.desc)
		k.key = ~k.key;
	return k;
}

static int order_key_cmp(const struct order_ctx *c, const struct order_key *a,
			 const struct order_key *b)
{
	if (a->missing != b->missing)
		return a->missing ? 1 : -1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->by_str && b->by_str) {
		int d = strcmp(str_key(c->q->s, c->f, a->idx), str_key(c->q->s, c->f, b->idx));
		if (d)
			return c->o.desc ? -d : d;
	}
	return a->tie < b->tie ? -1 : a->tie > b->tie;
}

/* A heap with the last of the kept keys on top. */
static void heap_down(const struct order_ctx *c, struct order_key *h, size_t n, size_t at)
{
	for (;;) {
		size_t big = at, l = 2 * at + 1, r = l + 1;
		if (l < n && order_key_cmp(c, &h[l], &h[big]) > 0)
			big = l;
		if (r < n && order_key_cmp(c, &h[r], &h[big]) > 0)
			big = r;
		if (big == at)
			return;
		struct order_key t = h[at];
		h[at] = h[big];
		h[big] = t;
		at = big;
	}
}

static void heap_up(const struct order_ctx *c, struct order_key *h, size_t at)
{
	while (at > 0) {
		size_t up = (at - 1) / 2;
		if (order_key_cmp(c, &h[at], &h[up]) <= 0)
			return;
		struct order_key t = h[at];
		h[at] = h[up];
		h[up] = t;
		at = up;
	}
}

/* The title's head straight from the tie order: ascending, the tie order
 * itself; descending, its runs of equal titles from the last, each in
 * the tie order, then the missing. */
static size_t title_head(const struct query *q, bool desc, size_t want, uint32_t *out)
{
	size_t n = 0, nt = q->ntitled;
	if (!desc) {
		for (; n < want; n++)
			out[n] = q->tie_order[n];
		return n;
	}
	for (size_t end = nt; end > 0 && n < want;) {
		size_t start = (size_t)title_run(q, end - 1);
		for (size_t r = start; r < end && n < want; r++)
			out[n++] = q->tie_order[r];
		end = start;
	}
	for (size_t r = nt; r < q->s->n && n < want; r++)
		out[n++] = q->tie_order[r];
	return n;
}

/* Keep x among the best k of heap h (m of them so far). */
static void heap_keep(const struct order_ctx *c, struct order_key *h, size_t *m, size_t k,
		      const struct order_key *x)
{
	if (*m < k) {
		h[*m] = *x;
		heap_up(c, h, (*m)++);
	} else if (order_key_cmp(c, x, &h[0]) < 0) {
		h[0] = *x;
		heap_down(c, h, k, 0);
	}
}

/* The heap's articles in order into out; returns how many. */
static size_t heap_out(const struct order_ctx *c, struct order_key *h, size_t m, uint32_t *out)
{
	for (size_t e = m; e > 1; e--) { /* the last kept to the end, and so on */
		struct order_key t = h[0];
		h[0] = h[e - 1];
		h[e - 1] = t;
		heap_down(c, h, e - 1, 0);
	}
	for (size_t r = 0; r < m; r++)
		out[r] = h[r].idx;
	return m;
}

/* The first k articles of key's ascending order into out[0] and of its
 * descending one into out[1] (either may be NULL), in one pass over the
 * keys; returns k. */
static size_t heads_of(struct query *q, enum sort_key key, size_t k, uint32_t *out[2])
{
	if (!k)
		return 0;
	if (query_sort_field(key) == tie_field) {
		for (int d = 0; d < 2; d++)
			if (out[d])
				title_head(q, d, k, out[d]);
		return k;
	}
	struct order_ctx c[2];
	struct order_key *h[2];
	size_t m[2] = {0, 0};
	for (int d = 0; d < 2; d++) {
		order_ctx_init(&c[d], q, (struct sort_order){key, d});
		h[d] = out[d] ? xmalloc(k * sizeof *h[d]) : NULL;
	}
	for (size_t i = 0, n = q->s->n; i < n; i++) {
		struct order_key x = order_key_of(&c[0], i);
		if (h[0])
			heap_keep(&c[0], h[0], &m[0], k, &x);
		if (!x.missing)
			x.key = ~x.key;
		if (h[1])
			heap_keep(&c[1], h[1], &m[1], k, &x);
	}
	for (int d = 0; d < 2; d++) {
		if (h[d])
			heap_out(&c[d], h[d], m[d], out[d]);
		free(h[d]);
	}
	return k;
}

size_t query_order_head(struct query *q, struct sort_order o, size_t want, uint32_t *out)
{
	size_t k = want < q->s->n ? want : q->s->n;
	uint32_t *outs[2] = {NULL, NULL};
	outs[o.desc] = out;
	return heads_of(q, o.key, k, outs);
}

/* Key's heads, both directions, made here unless they are in; true when
 * they are. The warm-up waits for them if the reader's thread is making
 * them; the reader's thread, when try, does not wait for the warm-up
 * (false then: nothing done). */
static bool heads_once(struct query *q, enum sort_key key, bool try)
{
	if (atomic_load_explicit(&q->head_ready[key], memory_order_acquire))
		return true;
	if (try) {
		if (pthread_mutex_trylock(&q->head_lock[key]))
			return false;
	} else {
		pthread_mutex_lock(&q->head_lock[key]);
	}
	if (!atomic_load_explicit(&q->head_ready[key], memory_order_relaxed)) {
		size_t k = HEAD_ROWS < q->s->n ? HEAD_ROWS : q->s->n;
		for (int d = 0; d < 2; d++)
			q->head[key][d] = xmalloc((k ? k : 1) * sizeof *q->head[key][d]);
		heads_of(q, key, k, q->head[key]);
		q->nhead[key][0] = q->nhead[key][1] = k;
		atomic_store_explicit(&q->head_ready[key], true, memory_order_release);
	}
	pthread_mutex_unlock(&q->head_lock[key]);
	return true;
}

/* Is o's whole order there, or made here at once (no thread is making
 * it: before the warm-up, for small stores, and the caller's first
 * order, which the warm-up leaves to the last)? */
static bool order_at_hand(const struct query *q, enum sort_key key)
{
	return !q->warming || key == q->first || order_ready(q, key);
}

bool query_order_known(const struct query *q, struct sort_order o)
{
	return order_at_hand(q, o.key);
}

/* The order as far as it is known: whole, or its head while the warm-up
 * makes it (*len articles). */
static const uint32_t *order_now(struct query *q, struct sort_order o, size_t *len)
{
	if (order_at_hand(q, o.key)) {
		*len = q->s->n;
		return permutation(q, o);
	}
	if (heads_once(q, o.key, true)) {
		*len = q->nhead[o.key][o.desc];
		return q->head[o.key][o.desc];
	}
	/* the warm-up is making this key's heads: one of the reader's own,
	 * rather than wait for that thread */
	uint32_t **own = &q->own_head[o.key][o.desc];
	if (!*own) {
		size_t k = HEAD_ROWS < q->s->n ? HEAD_ROWS : q->s->n;
		*own = xmalloc((k ? k : 1) * sizeof **own);
		q->own_nhead[o.key][o.desc] = query_order_head(q, o, k, *own);
	}
	*len = q->own_nhead[o.key][o.desc];
	return *own;
}

/* The first of rows[0..n), in the order c is for, that does not come
 * before the key x: a binary search. */
static size_t first_not_before(const struct order_ctx *c, const uint32_t *rows, size_t n,
			       const struct order_key *x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct order_key m = order_key_of(c, rows[mid]);
		if (order_key_cmp(c, &m, x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Article i's place in o's order, whole, or, while the warm-up makes the
 * order, in its head when i is there: a binary search by the keys either
 * way; false when it is not (its place would wait for the order). */
static bool place_in_order(struct query *q, struct sort_order o, size_t i, size_t *rank)
{
	size_t len;
	const uint32_t *rows = order_now(q, o, &len);
	struct order_ctx c;
	order_ctx_init(&c, q, o);
	struct order_key x = order_key_of(&c, i);
	size_t lo = first_not_before(&c, rows, len, &x);
	*rank = lo;
	return lo < len && rows[lo] == i;
}

static bool stopping(const struct query *q)
{
	return atomic_load_explicit(&q->stopping, memory_order_relaxed);
}

/* LEDE_WARM_DELAY_US, a decimal count of microseconds, holds the warm-up
 * back that long, so that the tests meet the orders still being made;
 * anything else in it is ignored. */
static void warm_delay(const struct query *q)
{
	const char *e = getenv("LEDE_WARM_DELAY_US");
	if (!e || *e < '0' || *e > '9' || strlen(e) > 9)
		return;
	long long until = monotonic_us() + atoll(e);
	while (!stopping(q) && monotonic_us() < until)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
}

static void *warm_up(void *arg)
{
	struct query *q = arg;
	warm_delay(q);
	/* first the heads of the orders, a pass over the keys each, which
	 * the keys show until the orders are made; the title's order, which
	 * is the tie order itself and so the cheapest; then the others in
	 * the order the s key goes through them from the first (the date's), so
	 * that the presses right after the start find theirs made: each a
	 * radix sort of integers, the provider's last, as it reads every
	 * article's name; then the names, which a topic filter finds on a
	 * thread of its own if it comes first */
	for (int k = 1; k < SORT_NKEYS && !stopping(q); k++)
		heads_once(q, (enum sort_key)((q->first + k) % SORT_NKEYS), false);
	if (!stopping(q))
		compute_once(q, SORT_TITLE);
	for (int k = 1; k <= SORT_NKEYS && !stopping(q); k++)
		compute_once(q, (enum sort_key)((q->first + k) % SORT_NKEYS));
	if (!stopping(q))
		name_ids(q);
	return NULL;
}

void query_set_thread_min(struct query *q, size_t n)
{
	q->thread_min = n;
}

void query_set_fold_window(struct query *q, size_t bytes)
{
	q->fold_window = bytes;
}

void query_warm_up_after(struct query *q, enum sort_key first)
{
	q->first = first;
}

bool query_warm_up(struct query *q)
{
	if (q->warming || q->s->n < q->thread_min)
		return false;
	q->warming = worker_spawn(&q->warm, warm_up, q);
	return q->warming;
}

/* Matching ---------------------------------------------------------------- */

/* Plain, caseless, ASCII patterns (most of what people type) are found by
 * memmem over the articles' searched texts, ASCII lowered: a batch of
 * articles at a time, their texts read from the store (a lazy article's
 * from its cache entry, through its reader's window) and folded into one
 * reusable buffer of about a window's bytes, so that no copy of every
 * article's text stays in memory. A batch holds whole articles, and the
 * texts one a line, so that no match is cut by a batch's edge and none
 * runs across two fields. An article whose text holds a character that
 * folds to ASCII (KELVIN SIGN, LONG S) is left to PCRE2. */
enum {
	FOLD_WINDOW = 256 * 1024, /* bytes of folded text a batch holds, about */
	FOLD_MOST = 4096,         /* articles a batch holds at most */
};

struct folder {
	struct store_texts *t;
	struct buf b;
	size_t window;
	/* the batch: article idx[k]'s text is b.data[at[k] .. at[k + 1]) */
	size_t nb;
	size_t at[FOLD_MOST + 1];
	size_t idx[FOLD_MOST];
	unsigned char odd[FOLD_MOST];
};

static struct folder *folder_new(const struct query *q)
{
	struct folder *f = xcalloc(1, sizeof *f);
	f->t = store_texts_new(q->s);
	f->window = q->fold_window ? q->fold_window : FOLD_WINDOW;
	return f;
}

static void folder_free(struct folder *f)
{
	if (!f)
		return;
	store_texts_free(f->t);
	buf_free(&f->b);
	free(f);
}

static void fold_text(struct buf *b, const char *s, size_t len, unsigned char *odd)
{
	size_t from = b->len;
	buf_add(b, s, len);
	/* branch-free, so that the compiler does it many bytes at a time;
	 * and whether any byte is past ASCII, in the same pass */
	unsigned char high = 0, *p = (unsigned char *)b->data + from;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		high |= c;
		p[i] = (unsigned char)(c + (((unsigned char)(c - 'A') < 26) << 5));
	}
	/* U+212A KELVIN SIGN and U+017F LONG S match k and s caselessly */
	if ((high & 0x80) && (memmem(s, len, "\xe2\x84\xaa", 3) || memmem(s, len, "\xc5\xbf", 2)))
		*odd = 1;
	buf_putc(b, '\n');
}

/* Article i's texts folded onto the batch. */
static void fold_article(struct folder *f, size_t i)
{
	size_t k = f->nb++;
	f->idx[k] = i;
	f->odd[k] = 0;
	const struct cache_text *v;
	for (size_t j = 0, nt = store_texts_of(f->t, i, &v); j < nt; j++)
		fold_text(&f->b, v[j].s, v[j].len, &f->odd[k]);
	f->at[k + 1] = f->b.len;
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

/* The batch's matches of re (plain: its pattern is folded already) into
 * match[], one memmem over the batch: a hit marks its article and the
 * search goes on from the next article. */
static void fold_match(struct folder *f, struct search *re, struct search_space *sp,
		       unsigned char *match)
{
	const char *pat = search_pattern(re), *hay = f->b.data;
	size_t plen = strlen(pat), end = f->at[f->nb];
	for (size_t k = 0; k < f->nb; k++)
		match[f->idx[k]] = !plen && f->at[k + 1] > f->at[k];
	for (size_t at = 0, k = 0; plen && at < end;) {
		const char *hit = memmem(hay + at, end - at, pat, plen);
		if (!hit)
			break;
		size_t off = (size_t)(hit - hay);
		/* hits come in order: walk on to the article holding this one */
		while (f->at[k + 1] <= off)
			k++;
		match[f->idx[k]] = 1;
		at = f->at[++k];
	}
	for (size_t k = 0; k < f->nb; k++)
		if (f->odd[k])
			match[f->idx[k]] = store_texts_match(f->t, f->idx[k], re, sp);
}

/* The plain path over articles [from, to), or only over those only marks
 * (a match set: bytes 0 or 1; the others get 0), a batch at a time; false
 * when cancel was set before the end. */
static bool match_plain(struct folder *f, struct search *re, struct search_space *sp,
			const unsigned char *only, unsigned char *match, size_t from, size_t to,
			const atomic_bool *cancel)
{
	for (size_t i = from; i < to;) {
		if (cancel && atomic_load_explicit(cancel, memory_order_relaxed))
			return false;
		f->b.len = 0;
		f->nb = 0;
		f->at[0] = 0;
		for (; i < to && f->nb < FOLD_MOST && (!f->nb || f->b.len < f->window); i++) {
			if (!only || only[i])
				fold_article(f, i);
			else
				match[i] = 0;
		}
		fold_match(f, re, sp, match);
	}
	return true;
}

/* Does article i match re, plain? Folded alone. */
static bool fold_one(struct folder *f, struct search *re, struct search_space *sp, size_t i)
{
	f->b.len = 0;
	f->nb = 0;
	f->at[0] = 0;
	fold_article(f, i);
	if (f->odd[0])
		return store_texts_match(f->t, i, re, sp);
	const char *pat = search_pattern(re);
	size_t plen = strlen(pat);
	if (!plen)
		return f->b.len > 0;
	return memmem(f->b.data, f->b.len, pat, plen) != NULL;
}

struct scan_job {
	const struct query *q;
	struct search *re;
	unsigned char *match;
	const unsigned char *only; /* test only these (NULL: all) */
	size_t from, to;
};

static void *scan_part(void *arg)
{
	struct scan_job *j = arg;
	struct search_space *sp = search_space_new(j->re);
	struct folder *f = folder_new(j->q);
	if (plain_ascii(j->re)) {
		match_plain(f, j->re, sp, j->only, j->match, j->from, j->to, NULL);
	} else {
		for (size_t i = j->from; i < j->to; i++)
			j->match[i] = (!j->only || j->only[i]) &&
				      store_texts_match(f->t, i, j->re, sp);
	}
	folder_free(f);
	search_space_free(sp);
	return NULL;
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

/* Take in a pattern's matches as the most recent set; the oldest goes. */
static const unsigned char *keep_set(struct query *q, const char *pat, bool literal,
				     unsigned char *match)
{
	free(q->sets[1].match);
	free(q->sets[1].pattern);
	q->sets[1] = q->sets[0];
	size_t count = 0;
	for (size_t i = 0; i < q->s->n; i++)
		count += match[i];
	q->sets[0] = (struct match_set){match, xstrdup(pat), literal, count};
	return match;
}

/* re's kept matches, or NULL when they are not known yet. */
static const unsigned char *known_set(struct query *q, const struct search *re)
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
	return NULL;
}

static void task_help(struct query *q);

/* re's matches, found now if need be, on every core. */
static const unsigned char *match_set(struct query *q, struct search *re)
{
	const char *pat = search_pattern(re);
	if (q->task && !strcmp(q->task->pattern, pat)) /* being found: help, then take it */
		task_help(q);
	const unsigned char *known = known_set(q, re);
	if (known)
		return known;
	const struct store *s = q->s;
	/* a plain pattern that extends a plain one: only that one's matches */
	const struct match_set *last = superset(q, re);
	const unsigned char *only = last ? last->match : NULL;
	unsigned char *match = xmalloc(s->n ? s->n : 1);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = s->n < q->thread_min || cpus < 2 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
	struct scan_job jobs[8];
	pthread_t tid[8];
	bool started[8] = {false};
	for (size_t t = 0; t < nthreads; t++) {
		jobs[t] = (struct scan_job){q, re, match, only, s->n * t / nthreads,
					    s->n * (t + 1) / nthreads};
		if (t)
			started[t] = worker_spawn(&tid[t], scan_part, &jobs[t]);
	}
	scan_part(&jobs[0]);
	for (size_t t = 1; t < nthreads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			scan_part(&jobs[t]); /* no thread to be had: do it here */
	}
	return keep_set(q, pat, search_is_literal(re), match);
}

bool query_matches(struct query *q, struct search *re, size_t i)
{
	return i < q->s->n && match_set(q, re)[i];
}

/* A scan on a thread --------------------------------------------------------
 * One at a time: a new pattern cancels the scan for the last (the reader
 * typed on). */

/* Take the next stretch of articles and test them, until none is left or
 * the task is cancelled: the task's thread does, and the reader's thread
 * too when it must wait for the result (two cores, half the wait). */
static void task_work(struct scan_task *t)
{
	enum { STRETCH = 4096 };
	struct query *q = t->q;
	size_t n = q->s->n;
	bool plain = plain_ascii(t->re);
	struct search_space *sp = search_space_new(t->re);
	struct folder *f = folder_new(q);
	for (;;) {
		size_t from = atomic_fetch_add(&t->next, 1) * (size_t)STRETCH;
		if (from >= n || atomic_load_explicit(&t->cancel, memory_order_relaxed))
			break;
		size_t to = from + STRETCH < n ? from + STRETCH : n;
		if (plain) {
			match_plain(f, t->re, sp, t->only, t->match, from, to, &t->cancel);
		} else {
			for (size_t i = from; i < to; i++) {
				if (!(i & 255) &&
				    atomic_load_explicit(&t->cancel, memory_order_relaxed))
					break;
				t->match[i] = (!t->only || t->only[i]) &&
					      store_texts_match(f->t, i, t->re, sp);
			}
		}
	}
	folder_free(f);
	search_space_free(sp);
}

static void *task_run(void *arg)
{
	struct scan_task *t = arg;
	compat_lower_thread_priority(); /* the reader's thread helps when it must wait */
	task_work(t);
	worker_finish(&t->w);
	return NULL;
}

static void task_free(struct scan_task *t)
{
	search_free(t->re);
	free(t->pattern);
	free(t->only);
	free(t->match);
	free(t);
}

/* A task's end on the reader's thread: its copy of the set it searched
 * within kept for the next task, which will need one as large. */
static void task_end(struct query *q, struct scan_task *t)
{
	if (t->only && !q->spare_only) {
		q->spare_only = t->only;
		t->only = NULL;
	}
	task_free(t);
}

/* The finished task's matches into the kept sets (unless it was cancelled). */
static void task_take_in(struct query *q)
{
	struct scan_task *t = q->task;
	worker_join(&t->w);
	if (!atomic_load(&t->cancel)) {
		keep_set(q, t->pattern, search_is_literal(t->re), t->match);
		t->match = NULL;
	}
	task_end(q, t);
	q->task = NULL;
}

/* Find re's matches on a thread, unless that is under way already. */
static void task_start(struct query *q, struct search *re)
{
	const char *pat = search_pattern(re);
	if (q->task) {
		if (!strcmp(q->task->pattern, pat))
			return;
		if (worker_done(&q->task->w)) {
			task_take_in(q);
		} else { /* told to stop, and left to stop by itself */
			atomic_store(&q->task->cancel, true);
			q->task->next_dropped = q->dropped;
			q->dropped = q->task;
			q->task = NULL;
		}
	}
	tasks_reap(q, false);
	char *err = NULL;
	struct search *copy = search_compile(pat, &err);
	if (!copy) { /* cannot be: re was compiled from it */
		free(err);
		return;
	}
	size_t n = q->s->n;
	struct scan_task *t = xcalloc(1, sizeof *t);
	t->q = q;
	t->re = copy;
	t->pattern = xstrdup(pat);
	t->match = xcalloc(n ? n : 1, 1);
	atomic_init(&t->cancel, false);
	atomic_init(&t->next, 0);
	const struct match_set *last = superset(q, re);
	if (last) { /* a copy: the kept sets may change meanwhile */
		t->only = q->spare_only ? q->spare_only : xmalloc(n ? n : 1);
		q->spare_only = NULL;
		memcpy(t->only, last->match, n);
	}
	q->task = t;
	if (!worker_start(&t->w, task_run, t))
		task_run(t); /* no thread to be had: here */
}

/* One article, alone ------------------------------------------------------ */

/* What testing one article against re needs, found once per walk. */
struct tester {
	struct query *q;
	struct search *re;
	const unsigned char *known; /* re's matches, or NULL */
	const unsigned char *super; /* a kept set re's matches are part of, or NULL */
	bool plain;                 /* re is for the plain path */
};

static void tester_init(struct tester *t, struct query *q, struct search *re)
{
	*t = (struct tester){q, re, NULL, NULL, false};
	if (!re)
		return;
	t->known = known_set(q, re);
	const struct match_set *last = t->known ? NULL : superset(q, re);
	t->super = last ? last->match : NULL;
	t->plain = !t->known && plain_ascii(re);
}

static bool tester_match(const struct tester *t, size_t i)
{
	if (!t->re || t->known)
		return !t->re || t->known[i];
	if (t->super && !t->super[i])
		return false;
	struct query *q = t->q;
	if (!q->fold) /* the store's texts, a lazy article's from its cache entry */
		q->fold = folder_new(q);
	if (t->plain)
		return fold_one(q->fold, t->re, search_own_space(t->re), i);
	return store_texts_match(q->fold->t, i, t->re, search_own_space(t->re));
}

bool query_test(struct query *q, struct search *re, size_t i)
{
	struct tester t;
	tester_init(&t, q, re);
	return i < q->s->n && tester_match(&t, i);
}

/* Topic and provider ------------------------------------------------------ */

/* Topics and provider names are interned once per engine, each spelling
 * under its ASCII-lowered form (what strcasecmp compares in the C and
 * UTF-8 locales, without its turns in a few others), so that keeping the
 * articles with one is an id compare per article, not a caseless compare
 * of strings. */
enum { NAME_NONE = UINT32_MAX, NAME_ABSENT = NAMES_ABSENT };

struct name_ids {
	struct names topics, providers;
	uint32_t *provider_of;   /* per article; NAME_NONE: no provider name */
	size_t *topic_at;        /* article i's topics are topic_ids[topic_at[i] .. topic_at[i + 1]) */
	uint32_t *topic_ids;
};

static void build_names_locked(struct query *q)
{
	const struct store *s = q->s;
	struct name_ids *ni = xcalloc(1, sizeof *ni);
	ni->topics.fold = ni->providers.fold = true;
	ni->provider_of = xmalloc((s->n ? s->n : 1) * sizeof *ni->provider_of);
	ni->topic_at = xmalloc((s->n + 1) * sizeof *ni->topic_at);
	size_t ntopics = 0;
	for (size_t i = 0; i < s->n; i++)
		ntopics += store_ntopics(s, i);
	ni->topic_ids = xmalloc((ntopics ? ntopics : 1) * sizeof *ni->topic_ids);
	size_t at = 0;
	for (size_t i = 0; i < s->n; i++) {
		const char *pv = store_provider_name(s, i);
		ni->provider_of[i] = pv ? names_intern(&ni->providers, pv) : NAME_NONE;
		ni->topic_at[i] = at;
		for (size_t t = 0, nt = store_ntopics(s, i); t < nt; t++)
			ni->topic_ids[at++] =
				names_intern(&ni->topics, store_topic(s, i, t));
	}
	ni->topic_at[s->n] = at;
	atomic_store_explicit(&q->names, ni, memory_order_release);
}

static struct name_ids *name_ids(struct query *q)
{
	pthread_mutex_lock(&q->names_lock);
	if (!atomic_load(&q->names))
		build_names_locked(q);
	pthread_mutex_unlock(&q->names_lock);
	return atomic_load(&q->names);
}

/* The names when they are interned, without waiting for it; else NULL. */
static struct name_ids *names_ready(struct query *q)
{
	return atomic_load_explicit(&q->names, memory_order_acquire);
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

static void *names_run(void *arg)
{
	struct query *q = arg;
	name_ids(q);
	worker_finish(&q->names_worker);
	return NULL;
}

/* The topic's and provider's ids, once the names are in; true then. */
static bool names_settled(struct query *q)
{
	if (!q->topic && !q->provider)
		return true;
	if (q->ids_set)
		return true;
	struct name_ids *ni = names_ready(q);
	if (!ni)
		return false;
	if (q->topic)
		q->topic_id = names_find(&ni->topics, q->topic);
	if (q->provider)
		q->provider_id = names_find(&ni->providers, q->provider);
	q->ids_set = true;
	return true;
}

/* Equal in any case of their ASCII letters: what interning compares. */
static bool ascii_case_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/* Before the names are in, the topic and provider are compared as
 * strings: the same answer, at a cost per article the first rows can bear
 * while the names are interned on a thread. */
static bool keep_by_name(const struct query *q, size_t i)
{
	if (!q->ids_set) {
		const struct store *s = q->s;
		const char *pv = store_provider_name(s, i);
		if (q->provider && (!pv || !ascii_case_eq(pv, q->provider)))
			return false;
		if (!q->topic)
			return true;
		for (size_t t = 0, nt = store_ntopics(s, i); t < nt; t++)
			if (ascii_case_eq(store_topic(s, i, t), q->topic))
				return true;
		return false;
	}
	const struct name_ids *ni = atomic_load_explicit(&q->names, memory_order_relaxed);
	if (q->provider && ni->provider_of[i] != q->provider_id)
		return false;
	if (!q->topic)
		return true;
	for (size_t t = ni->topic_at[i]; t < ni->topic_at[i + 1]; t++)
		if (ni->topic_ids[t] == q->topic_id)
			return true;
	return false;
}

/* ---- the type filter ---- */

/* What a record is: its type, "article" when it has none. */
static const char *type_of(const struct store *s, size_t i)
{
	const char *t = store_type(s, i);
	return t && *t ? t : "article";
}

static bool keep_by_type(const struct query *q, size_t i)
{
	return ascii_case_eq(type_of(q->s, i), q->type);
}

void query_set_type(struct query *q, const char *name)
{
	free(q->type);
	q->type = name && *name ? xstrdup(name) : NULL;
}

void query_hide_dups(struct query *q)
{
	q->hide_dups = true;
}

const char *query_type(const struct query *q)
{
	return q->type;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void query_types(const struct store *s, struct strlist *out)
{
	const char **v = xmalloc((s->n ? s->n : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!store_is_hidden(s, i))
			v[n++] = type_of(s, i);
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			strlist_push(out, xstrdup(v[i]));
	free(v);
}

static void set_name(struct query *q, char **slot, const char *name)
{
	free(*slot);
	*slot = name && *name ? xstrdup(name) : NULL;
	q->ids_set = false;
}

void query_set_topic(struct query *q, const char *name)
{
	set_name(q, &q->topic, name);
}

void query_set_provider(struct query *q, const char *name)
{
	set_name(q, &q->provider, name);
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

/* A name and how many listed articles carry it, for query_names_by_count. */
struct counted_name {
	const char *name;
	size_t count;
};

static int cmp_counted(const void *pa, const void *pb)
{
	const struct counted_name *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_name(&a->name, &b->name);
}

void query_names_by_count(struct query *q, enum query_names kind, struct strlist *out)
{
	const struct name_ids *ni = name_ids(q);
	const struct names *t = kind == QUERY_TOPICS ? &ni->topics : &ni->providers;
	struct counted_name *v = xcalloc(t->n ? t->n : 1, sizeof *v);
	for (size_t id = 0; id < t->n; id++)
		v[id].name = t->v[id].first;
	const struct store *s = q->s;
	for (size_t i = 0; i < s->n; i++) {
		if (store_is_hidden(s, i) || (q->hide_dups && store_dup_of(s, i) >= 0))
			continue;
		if (kind == QUERY_PROVIDERS && ni->provider_of[i] != NAME_NONE)
			v[ni->provider_of[i]].count++;
		for (size_t k = ni->topic_at[i]; kind == QUERY_TOPICS && k < ni->topic_at[i + 1]; k++)
			v[ni->topic_ids[k]].count++;
	}
	if (t->n)
		qsort(v, t->n, sizeof *v, cmp_counted);
	for (size_t i = 0; i < t->n; i++)
		if (*v[i].name && v[i].count)
			strlist_push(out, xstrdup(v[i].name));
	free(v);
}

/* Queries ------------------------------------------------------------------
 * A query's patterns are its costly part: their outcomes, a bit each per
 * article, are found on a thread (as a pattern's matches are) and kept
 * for the query's text, one query at a time; the rest of the query is
 * evaluated as the rows are made, so that a mark changed counts at once. */

struct ql_task {
	struct query *q;
	struct worker w;
	struct querylang *ql; /* compiled again: the reader may free its own meanwhile */
	uint32_t *bits;
	atomic_size_t next; /* the next stretch of articles */
	atomic_bool cancel;
};

/* ql's kept outcomes, or NULL when they are not known (or it has no
 * pattern, and needs none). */
static const uint32_t *ql_known(const struct query *q, const struct querylang *ql)
{
	if (querylang_nslow(ql) && q->ql_text && !strcmp(q->ql_text, querylang_text(ql)))
		return q->ql_bits;
	return NULL;
}

/* Test stretches of articles until none is left or the task is cancelled:
 * the task's thread does, and the reader's too when it must wait. */
static void ql_task_work(struct ql_task *t)
{
	enum { STRETCH = 1024 };
	size_t n = t->q->s->n;
	struct querylang_eval *e = querylang_eval_new(t->ql, t->q->s);
	for (;;) {
		size_t from = atomic_fetch_add(&t->next, 1) * (size_t)STRETCH;
		if (from >= n || atomic_load_explicit(&t->cancel, memory_order_relaxed))
			break;
		size_t to = from + STRETCH < n ? from + STRETCH : n;
		for (size_t i = from; i < to; i++)
			t->bits[i] = querylang_slow(e, i);
	}
	querylang_eval_free(e);
}

static void *ql_task_run(void *arg)
{
	struct ql_task *t = arg;
	compat_lower_thread_priority(); /* the reader's thread helps when it must wait */
	ql_task_work(t);
	worker_finish(&t->w);
	return NULL;
}

static bool ql_task_done(struct query *q)
{
	return worker_done(&q->ql_task->w);
}

/* The finished task's outcomes kept (unless it was cancelled). */
static void ql_task_take_in(struct query *q)
{
	struct ql_task *t = q->ql_task;
	worker_join(&t->w);
	if (!atomic_load(&t->cancel)) {
		free(q->ql_text);
		free(q->ql_bits);
		q->ql_text = xstrdup(querylang_text(t->ql));
		q->ql_bits = t->bits;
		t->bits = NULL;
	}
	querylang_free(t->ql);
	free(t->bits);
	free(t);
	q->ql_task = NULL;
}

static void ql_task_stop(struct query *q)
{
	if (!q->ql_task)
		return;
	atomic_store(&q->ql_task->cancel, true);
	ql_task_take_in(q);
}

/* Find ql's outcomes on a thread, unless that is under way already. */
static void ql_task_start(struct query *q, const struct querylang *ql)
{
	if (q->ql_task) {
		if (!strcmp(querylang_text(q->ql_task->ql), querylang_text(ql)))
			return;
		ql_task_stop(q); /* the reader typed on */
	}
	size_t n = q->s->n;
	struct ql_task *t = xcalloc(1, sizeof *t);
	t->q = q;
	t->ql = querylang_copy(ql);
	t->bits = xcalloc(n ? n : 1, sizeof *t->bits);
	atomic_init(&t->cancel, false);
	atomic_init(&t->next, 0);
	q->ql_task = t;
	if (!worker_start(&t->w, ql_task_run, t))
		ql_task_run(t); /* no thread to be had: here */
}

/* ql's outcomes, found now if need be: the task helped, then taken in. */
static const uint32_t *ql_bits_now(struct query *q, const struct querylang *ql)
{
	const uint32_t *known = ql_known(q, ql);
	if (known || !querylang_nslow(ql))
		return known;
	ql_task_start(q, ql);
	ql_task_work(q->ql_task);
	ql_task_take_in(q);
	return ql_known(q, ql);
}

/* Rows ------------------------------------------------------------------- */

/* What keeps an article in the rows, found once per walk. */
struct keeper {
	struct tester t;
	const unsigned char *marks;
	enum mark_filter mf;
	bool by_name;
	bool by_type;
	bool dups; /* duplicates to leave out */
	/* the query's evaluation, and its patterns' kept outcomes (NULL:
	 * not known, each evaluated) */
	struct querylang_eval *ev;
	const uint32_t *bits;
};

static const uint32_t *ql_known(const struct query *q, const struct querylang *ql);

static void keeper_init(struct keeper *k, struct query *q, const struct query_spec *w)
{
	tester_init(&k->t, q, w->re);
	k->marks = w->marks;
	k->mf = w->mf;
	k->by_name = q->topic || q->provider;
	k->by_type = q->type != NULL;
	k->dups = q->hide_dups && store_ndups(q->s);
	k->ev = NULL;
	k->bits = NULL;
	if (w->ql) {
		k->ev = querylang_eval_new(w->ql, q->s);
		querylang_eval_marks(k->ev, w->marks);
		k->bits = ql_known(q, w->ql);
	}
}

static void keeper_done(struct keeper *k)
{
	querylang_eval_free(k->ev);
}

/* Does article i match the query? The cheap test after the others. */
static bool keeper_query(const struct keeper *k, size_t i)
{
	if (!k->ev)
		return true;
	return k->bits ? querylang_match_with(k->ev, i, k->bits[i]) : querylang_match(k->ev, i);
}

static bool keeper_keep(const struct keeper *k, size_t i)
{
	unsigned m = k->marks ? k->marks[i] : 0;
	if (k->mf == MARKS_UNREAD && (m & MARK_READ))
		return false;
	if (k->mf == MARKS_STARRED && !(m & MARK_STARRED))
		return false;
	if (k->by_name && !keep_by_name(k->t.q, i))
		return false;
	if (k->by_type && !keep_by_type(k->t.q, i))
		return false;
	if (store_is_hidden(k->t.q->s, i))
		return false;
	if (k->dups && store_dup_of(k->t.q->s, i) >= 0)
		return false;
	return tester_match(&k->t, i) && keeper_query(k, i);
}

static const uint32_t *ql_bits_now(struct query *q, const struct querylang *ql);

size_t query_rows_spec(struct query *q, const struct query_spec *w, uint32_t *out,
		       const uint32_t **rows)
{
	const uint32_t *perm = permutation(q, w->order);
	bool by_marks = w->mf == MARKS_STARRED || (w->mf == MARKS_UNREAD && w->marks);
	if (!w->re && !w->ql && !by_marks && !q->topic && !q->provider && !q->type &&
	    !q->s->nhidden && !(q->hide_dups && store_ndups(q->s))) {
		*rows = perm; /* nothing filters: the order is the list */
		return q->s->n;
	}
	if (w->re)
		match_set(q, w->re);
	if (w->ql)
		ql_bits_now(q, w->ql);
	if (!names_settled(q)) {
		name_ids(q);
		names_settled(q);
	}
	struct keeper k;
	keeper_init(&k, q, w);
	size_t n = 0;
	for (size_t r = 0; r < q->s->n; r++)
		if (keeper_keep(&k, perm[r]))
			out[n++] = perm[r];
	keeper_done(&k);
	*rows = out;
	return n;
}

size_t query_rows_view(struct query *q, struct sort_order order, struct search *re,
		       const unsigned char *marks, enum mark_filter mf, uint32_t *out,
		       const uint32_t **rows)
{
	struct query_spec w = {order, re, marks, mf, NULL};
	return query_rows_spec(q, &w, out, rows);
}

size_t query_rows(struct query *q, struct sort_order order, struct search *re,
		  const unsigned char *marks, enum mark_filter mf, uint32_t *out)
{
	const uint32_t *rows;
	size_t n = query_rows_view(q, order, re, marks, mf, out, &rows);
	if (rows != out)
		memcpy(out, rows, n * sizeof *out);
	return n;
}

static bool ql_ready(struct query *q, const struct querylang *ql)
{
	return !ql || !querylang_nslow(ql) || ql_known(q, ql);
}

bool query_rows_ready(struct query *q, const struct query_spec *w)
{
	return (!w->re || known_set(q, w->re)) && ql_ready(q, w->ql) && names_settled(q) &&
	       order_at_hand(q, w->order.key);
}

/* Does nothing filter the rows for w (they are then the order itself)? */
static bool rows_unfiltered(const struct query *q, const struct query_spec *w)
{
	bool by_marks = w->mf == MARKS_STARRED || (w->mf == MARKS_UNREAD && w->marks);
	return !w->re && !w->ql && !by_marks && !q->topic && !q->provider && !q->type &&
	       !q->s->nhidden && !(q->hide_dups && store_ndups(q->s));
}

/* Rows from the walk's place on, until there are more than upto and the
 * walk has passed the place through (a rank in the order; -1: none), or
 * it has tested budget articles, or it is at the end of the order, or of
 * its head while the warm-up makes it. */
static size_t walk_on(struct query *q, const struct query_spec *w, uint32_t *out, size_t n,
		      size_t upto, long through, size_t budget, struct query_walk *walk)
{
	size_t end;
	const uint32_t *perm = order_now(q, w->order, &end);
	size_t pos = walk->pos;
	if (rows_unfiltered(q, w)) { /* the order itself: copied */
		size_t t = upto == SIZE_MAX ? SIZE_MAX : n <= upto ? upto + 1 - n : 0;
		if (through >= 0 && (size_t)through >= pos && (size_t)through + 1 - pos > t)
			t = (size_t)through + 1 - pos;
		t = t < budget ? t : budget;
		t = t < end - pos ? t : end - pos;
		memcpy(out + n, perm + pos, t * sizeof *out);
		n += t;
		pos += t;
	} else {
		struct keeper k;
		keeper_init(&k, q, w);
		for (size_t tested = 0; pos < end && tested < budget; pos++, tested++) {
			if (n > upto && (through < 0 || pos > (size_t)through))
				break;
			if (keeper_keep(&k, perm[pos]))
				out[n++] = perm[pos];
		}
		keeper_done(&k);
	}
	walk->pos = pos;
	walk->complete = pos == q->s->n;
	return n;
}

/* Have re's matches and the names found on threads, unless known. */
static void ql_task_start(struct query *q, const struct querylang *ql);

static void rows_work_start(struct query *q, const struct query_spec *w)
{
	if (w->re && !known_set(q, w->re))
		task_start(q, w->re);
	if (!ql_ready(q, w->ql))
		ql_task_start(q, w->ql);
	if (!names_settled(q) && !q->names_worker.running &&
	    !worker_start(&q->names_worker, names_run, q))
		name_ids(q); /* no thread to be had: here */
}

/* The walk that begins rows whose texts must be tested stops after this
 * many microseconds, whatever it found. */
enum { BEGIN_US = 8000 };
/* ... and looks at the time after each part of this many articles: one
 * article's text read back from the cache takes 10 to 20 us at a million
 * (a page fault of the mapping, mostly), so a part is under a millisecond */
enum { WALK_PART = 32 };

/* When a walk that reads texts stops: BEGIN_US from now, or the limit of
 * the key (query_time_limit) if that comes first. */
static long long walk_end(const struct query *q)
{
	long long end = monotonic_us() + BEGIN_US;
	return q->until && q->until < end ? q->until : end;
}

void query_time_limit(struct query *q, long long until)
{
	q->until = until;
}

/* What a walk the reader's thread makes at once tests at most: 4 times
 * the thread minimum. */
static size_t walk_budget(const struct query *q)
{
	size_t budget = q->thread_min < SIZE_MAX / 4 ? 4 * q->thread_min : SIZE_MAX;
	return budget ? budget : 1;
}

size_t query_rows_begin(struct query *q, const struct query_spec *w, size_t want, uint32_t *out,
			const uint32_t **rows, struct query_walk *walk)
{
	size_t budget = walk_budget(q);
	/* an order the warm-up is making: its head, walked */
	if ((rows_unfiltered(q, w) && order_at_hand(q, w->order.key)) ||
	    (q->s->n <= budget && query_rows_ready(q, w))) {
		size_t n = query_rows_spec(q, w, out, rows);
		*walk = (struct query_walk){q->s->n, true};
		return n;
	}
	/* the first rows by a walk, even when all that the rows need is
	 * known (a walk over the whole store is more than a key can take);
	 * else what all of them need is found on threads meanwhile, unless
	 * the walk can cover the whole store */
	bool ready = query_rows_ready(q, w);
	if (!ready && q->s->n > budget)
		rows_work_start(q, w);
	*walk = (struct query_walk){0, false};
	*rows = out;
	size_t n = 0;
	if (ready) {
		n = walk_on(q, w, out, 0, want ? want - 1 : 0, -1, budget, walk);
	} else {
		/* each article's text read and tested: a rare pattern's walk
		 * tests the whole budget, which took a key 200 ms at a hundred
		 * thousand articles on a loaded machine; so it stops at
		 * BEGIN_US too, and the rows come with the thread's matches */
		long long end = walk_end(q);
		for (size_t left = budget; left && !walk->complete && n < (want ? want : 1);) {
			size_t part = left < WALK_PART ? left : WALK_PART, from = walk->pos;
			n = walk_on(q, w, out, n, want ? want - 1 : 0, -1, part, walk);
			left -= part;
			if (monotonic_us() >= end || walk->pos == from) /* or the head's end */
				break;
		}
	}
	if (!walk->complete && !ready)
		rows_work_start(q, w);
	return n;
}

size_t query_rows_step(struct query *q, const struct query_spec *w, uint32_t *out, size_t n,
		       size_t budget, struct query_walk *walk)
{
	if (walk->complete)
		return n;
	return walk_on(q, w, out, n, SIZE_MAX, -1, budget ? budget : 1, walk);
}

/* Help the thread finding re's matches, wait for it, and take them in. */
static void task_help(struct query *q)
{
	task_work(q->task);
	worker_join(&q->task->w);
	task_take_in(q);
}

size_t query_rows_extend(struct query *q, const struct query_spec *w, uint32_t *out, size_t n,
			 size_t upto, long through, struct query_walk *walk)
{
	if (walk->complete)
		return n;
	if (!order_at_hand(q, w->order.key)) {
		/* as far as the head of the order goes; past it, the order
		 * is waited for */
		size_t at, len;
		order_now(q, w->order, &len);
		bool placed = through >= 0 && (size_t)through < q->s->n &&
			      place_in_order(q, w->order, (size_t)through, &at);
		bool beyond = through >= 0 && (size_t)through < q->s->n && !placed;
		n = walk_on(q, w, out, n, upto, beyond ? (long)len : placed ? (long)at : -1,
			    SIZE_MAX, walk);
		if (walk->complete || (!beyond && n > upto && (!placed || walk->pos > at)))
			return n;
		permutation(q, w->order);
	}
	size_t at_rank;
	long rank = through >= 0 && (size_t)through < q->s->n &&
				    place_in_order(q, w->order, (size_t)through, &at_rank)
			    ? (long)at_rank
			    : -1;
	/* far to go (to an article deep in the order, or to the end): the
	 * pattern's thread has gone that way already; help it rather than
	 * walk there beside it (the names, by contrast, are cheap to compare
	 * one by one) */
	size_t to = upto == SIZE_MAX ? q->s->n : rank >= 0 ? (size_t)rank : 0;
	size_t budget = walk_budget(q);
	if (to > walk->pos && to - walk->pos > budget && w->re && q->task &&
	    !strcmp(q->task->pattern, search_pattern(w->re)))
		task_help(q);
	if (to > walk->pos && to - walk->pos > budget && w->ql && !ql_ready(q, w->ql))
		ql_bits_now(q, w->ql);
	return walk_on(q, w, out, n, upto, rank, SIZE_MAX, walk);
}

bool query_rows_keeps(struct query *q, const struct query_spec *w, size_t i)
{
	struct keeper k;
	keeper_init(&k, q, w);
	bool keep = i < q->s->n && keeper_keep(&k, i);
	keeper_done(&k);
	return keep;
}

bool query_rows_reach(struct query *q, const struct query_spec *w, uint32_t *out, size_t *n,
		      size_t through, struct query_walk *walk)
{
	if (walk->complete || through >= q->s->n)
		return true;
	size_t rank;
	if (!place_in_order(q, w->order, through, &rank))
		return false; /* past the head of an order being made */
	size_t budget = walk_budget(q);
	bool ready = query_rows_ready(q, w);
	if (rank >= walk->pos && rank - walk->pos > budget && !ready)
		return false;
	if (ready) {
		*n = walk_on(q, w, out, *n, 0, (long)rank, SIZE_MAX, walk);
		return true;
	}
	/* each article's text read: for BEGIN_US at most */
	long long end = walk_end(q);
	while (!walk->complete && walk->pos <= rank) {
		*n = walk_on(q, w, out, *n, 0, (long)rank, WALK_PART, walk);
		if (walk->pos <= rank && !walk->complete && monotonic_us() >= end)
			return false;
	}
	return true;
}

long query_find(struct query *q, struct search *re, const uint32_t *rows, size_t from,
		size_t count, int dir)
{
	struct tester t;
	tester_init(&t, q, re);
	for (size_t k = 0; k < count; k++) {
		size_t i = dir > 0 ? from + k : from - k;
		if (tester_match(&t, rows[i]))
			return (long)i;
	}
	return -1;
}

const unsigned char *query_matches_known(struct query *q, struct search *re)
{
	if (!re)
		return NULL;
	if (q->s->n < q->thread_min)
		return match_set(q, re); /* cheaper than a thread */
	const unsigned char *known = known_set(q, re);
	if (!known && !q->task)
		task_start(q, re);
	return known;
}

const unsigned char *query_matches_kept(struct query *q, struct search *re)
{
	if (!re)
		return NULL;
	if (q->s->n < q->thread_min)
		return match_set(q, re);
	return known_set(q, re);
}

bool query_poll(struct query *q)
{
	bool took = false;
	tasks_reap(q, false);
	if (q->task && worker_done(&q->task->w)) {
		task_take_in(q);
		took = true;
	}
	if (q->names_worker.running && worker_done(&q->names_worker)) {
		worker_join(&q->names_worker);
		took = true;
	}
	if (q->ql_task && ql_task_done(q)) {
		ql_task_take_in(q);
		took = true;
	}
	return took;
}

bool query_busy(const struct query *q)
{
	return q->task || q->names_worker.running || q->ql_task;
}

void query_settle(struct query *q)
{
	if (q->warming)
		pthread_join(q->warm, NULL);
	q->warming = false;
	if (q->task)
		worker_join(&q->task->w);
	tasks_reap(q, true);
	if (q->ql_task)
		worker_join(&q->ql_task->w);
	worker_join(&q->names_worker);
}

long query_row_of(struct query *q, struct sort_order order, const uint32_t *rows, size_t n,
		  size_t i)
{
	if (i >= q->s->n)
		return -1;
	/* while the warm-up makes the order, the rows found so far are all in
	 * its head */
	size_t rank;
	if (!order_at_hand(q, order.key) && !place_in_order(q, order, i, &rank))
		return -1;
	/* rows are a part of the order, in order: a binary search by the
	 * keys */
	struct order_ctx c;
	order_ctx_init(&c, q, order);
	struct order_key x = order_key_of(&c, i);
	size_t lo = first_not_before(&c, rows, n, &x);
	return lo < n && rows[lo] == i ? (long)lo : -1;
}
