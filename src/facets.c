/* facets: the counting of a query's topics, providers, months and dates
 * (see facets.h), the clauses a facet adds to a query, and the job that
 * counts on a thread of its own. */
#include "lede/facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/article.h"
#include "lede/date.h"
#include "lede/names.h"
#include "lede/util.h"
#include "lede/worker.h"

enum { NAME_NONE = UINT32_MAX };
/* How many rows or articles between two looks at the cancel flag: few
 * enough that a cancel (the reader's rows changed under the count) waits a
 * millisecond or so for the thread, not a whole pass. */
enum { CANCEL_EVERY = 1 << 10 };

static bool cancelled(const atomic_bool *cancel, size_t i)
{
	return cancel && !(i % CANCEL_EVERY) && atomic_load_explicit(cancel, memory_order_relaxed);
}

struct facets_index {
	size_t n; /* the store's articles when it was built */
	struct names topics, providers; /* exact: by their bytes */
	uint32_t *provider_of; /* per article; NAME_NONE: none */
	size_t *topic_at;      /* article i's are topic_ids[topic_at[i] .. topic_at[i + 1]) */
	uint32_t *topic_ids;
};

struct facets_index *facets_index_new(const struct store *s, const atomic_bool *cancel)
{
	struct facets_index *x = xcalloc(1, sizeof *x);
	x->n = s->n;
	size_t ntopics = 0;
	for (size_t i = 0; i < s->n; i++)
		ntopics += store_ntopics(s, i);
	x->provider_of = xmalloc((s->n ? s->n : 1) * sizeof *x->provider_of);
	x->topic_at = xmalloc((s->n + 1) * sizeof *x->topic_at);
	x->topic_ids = xmalloc((ntopics ? ntopics : 1) * sizeof *x->topic_ids);
	size_t at = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (cancelled(cancel, i)) {
			x->n = i;
			facets_index_free(x);
			return NULL;
		}
		const char *pv = store_provider_name(s, i);
		x->provider_of[i] = pv && *pv ? names_intern(&x->providers, pv) : NAME_NONE;
		x->topic_at[i] = at;
		for (size_t k = 0, nt = store_ntopics(s, i); k < nt; k++) {
			const char *t = store_topic(s, i, k);
			if (t && *t)
				x->topic_ids[at++] = names_intern(&x->topics, t);
		}
	}
	x->topic_at[s->n] = at;
	return x;
}

void facets_index_free(struct facets_index *x)
{
	if (!x)
		return;
	names_free(&x->topics);
	names_free(&x->providers);
	free(x->provider_of);
	free(x->topic_at);
	free(x->topic_ids);
	free(x);
}

/* ---- counting ---- */

static int cmp_facet(const void *a, const void *b)
{
	const struct facet *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The names counted (count[id] > 0), most frequent first. */
static struct facet *ranked(const struct names *t, const size_t *count, enum facet_kind kind,
			    size_t *n)
{
	*n = 0;
	for (size_t id = 0; id < t->n; id++)
		*n += count[id] > 0;
	struct facet *v = xmalloc((*n ? *n : 1) * sizeof *v);
	size_t k = 0;
	for (size_t id = 0; id < t->n; id++)
		if (count[id])
			v[k++] = (struct facet){kind, t->v[id].first, 0, count[id]};
	qsort(v, *n, sizeof *v, cmp_facet);
	return v;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t month_of(int64_t t)
{
	int64_t y;
	unsigned m, d;
	date_civil_from_days(floor_div(t, 86400), &y, &m, &d);
	return y * 12 + (int64_t)m - 1;
}

/* Article i's topics, each once (a topic twice in one article counts
 * once). */
static void count_topics(const struct facets_index *x, size_t i, size_t *count)
{
	for (size_t k = x->topic_at[i]; k < x->topic_at[i + 1]; k++) {
		bool seen = false;
		for (size_t j = x->topic_at[i]; j < k && !seen; j++)
			seen = x->topic_ids[j] == x->topic_ids[k];
		if (!seen)
			count[x->topic_ids[k]]++;
	}
}

/* The months of the dated rows, oldest first; NULL when cancelled. */
static struct facet *count_months(const int64_t *dates, size_t nd, size_t *n,
				  const atomic_bool *cancel)
{
	*n = 0;
	if (!nd)
		return xmalloc(sizeof(struct facet));
	int64_t lo = month_of(dates[0]), hi = lo;
	for (size_t k = 1; k < nd; k++) {
		if (cancelled(cancel, k))
			return NULL;
		int64_t m = month_of(dates[k]);
		lo = m < lo ? m : lo;
		hi = m > hi ? m : hi;
	}
	/* years are 1 to 9999 (date_parse): at most 120,000 months */
	size_t span = (size_t)(hi - lo + 1);
	size_t *count = xcalloc(span, sizeof *count);
	for (size_t k = 0; k < nd; k++)
		count[month_of(dates[k]) - lo]++;
	for (size_t m = 0; m < span; m++)
		*n += count[m] > 0;
	struct facet *v = xmalloc((*n ? *n : 1) * sizeof *v);
	size_t k = 0;
	for (size_t m = 0; m < span; m++)
		if (count[m])
			v[k++] = (struct facet){FACET_MONTH, NULL, lo + (int64_t)m, count[m]};
	free(count);
	return v;
}

bool facets_count(const struct facets_index *x, const struct store *s, const uint32_t *rows,
		  size_t n, struct facets_counts *out, const atomic_bool *cancel)
{
	*out = (struct facets_counts){.nrows = n};
	size_t *topics = xcalloc(x->topics.n + 1, sizeof *topics);
	size_t *providers = xcalloc(x->providers.n + 1, sizeof *providers);
	int64_t *dates = xmalloc((n ? n : 1) * sizeof *dates);
	size_t nd = 0;
	bool ok = true;
	for (size_t r = 0; r < n && ok; r++) {
		if (cancelled(cancel, r)) {
			ok = false;
			break;
		}
		size_t i = rows[r];
		if (i >= x->n) /* not indexed: cannot be, the index is the store's */
			continue;
		if (x->provider_of[i] != NAME_NONE)
			providers[x->provider_of[i]]++;
		count_topics(x, i, topics);
		if (store_has(s, i) & HAS_DATE)
			dates[nd++] = store_date(s, i);
	}
	if (ok)
		out->months = count_months(dates, nd, &out->nmonths, cancel);
	ok = ok && out->months;
	if (ok) {
		out->topics = ranked(&x->topics, topics, FACET_TOPIC, &out->ntopics);
		out->providers = ranked(&x->providers, providers, FACET_PROVIDER, &out->nproviders);
		timeline_make(&out->timeline, dates, nd);
	} else {
		facets_counts_free(out);
	}
	free(topics);
	free(providers);
	free(dates);
	return ok;
}

void facets_counts_free(struct facets_counts *c)
{
	free(c->topics);
	free(c->providers);
	free(c->months);
	timeline_free(&c->timeline);
	*c = (struct facets_counts){0};
}

size_t facets_count_query(const struct querylang *q, const struct store *s,
			  const unsigned char *marks, const atomic_bool *cancel)
{
	struct querylang_eval *e = querylang_eval_new(q, s);
	querylang_eval_marks(e, marks);
	size_t count = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (cancelled(cancel, i)) {
			count = SIZE_MAX;
			break;
		}
		count += !store_is_hidden(s, i) && querylang_match(e, i);
	}
	querylang_eval_free(e);
	return count;
}

void facets_month_label(int64_t month, char *buf, size_t size)
{
	int64_t y = floor_div(month, 12);
	snprintf(buf, size, "%04lld-%02u", (long long)y, (unsigned)(month - y * 12) % 12 + 1);
}

/* ---- the query text ---- */

/* name as a regex that matches it alone, inside a "quoted" pattern of the
 * query language: PCRE2's metacharacters escaped with a backslash, and a
 * quote written \" (the quote ends the pattern otherwise; the language
 * reads \" as the quote and leaves every other backslash pair alone, so
 * an escaped backslash before it stays one). */
static void put_exact(struct buf *b, const char *name)
{
	buf_puts(b, "\"^");
	for (const char *p = name; *p; p++) {
		if (strchr("\\^$.|?*+()[]{}", *p))
			buf_putc(b, '\\');
		else if (*p == '"')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_puts(b, "$\"");
}

char *facets_clause(const struct facet *f)
{
	struct buf b = {0};
	switch (f->kind) {
	case FACET_TOPIC:
		buf_puts(&b, "~t ");
		put_exact(&b, f->name);
		break;
	case FACET_PROVIDER:
		buf_puts(&b, "~p ");
		put_exact(&b, f->name);
		break;
	case FACET_MONTH: {
		char m[FACETS_MONTH_LEN];
		facets_month_label(f->month, m, sizeof m);
		buf_printf(&b, "~d %s", m);
		break;
	}
	case FACET_VIEW:
		return NULL;
	}
	return (char *)buf_str(&b);
}

/* The query's top level, as the language reads it: where each quoted
 * pattern, /regex/ and parenthesised group ends, so that a clause is
 * found only where it narrows the whole query, and a | only where it
 * splits the whole query. depth[i] is the nesting at byte i: 0 at the top
 * level, -1 inside a pattern. */
static signed char *top_level(const char *q, size_t len)
{
	signed char *depth = xmalloc(len + 1);
	int d = 0;
	char in = 0; /* the pattern's delimiter, or 0 */
	for (size_t i = 0; i < len; i++) {
		char c = q[i];
		if (in) {
			depth[i] = -1;
			if (c == '\\' && i + 1 < len)
				depth[++i] = -1;
			else if (c == in)
				in = 0;
			continue;
		}
		bool starts = c == '"' || (c == '/' && (i == 0 || strchr(" \t!(|", q[i - 1])));
		if (starts) {
			in = c;
			depth[i] = -1;
			continue;
		}
		if (c == ')' && d > 0)
			d--;
		depth[i] = (signed char)(d > 100 ? 100 : d);
		if (c == '(')
			d++;
	}
	depth[len] = 0;
	return depth;
}

/* Where clause stands in query as a word at the top level, or -1. */
static long find_clause(const char *query, const char *clause)
{
	size_t len = strlen(query), cl = strlen(clause);
	if (!cl || cl > len)
		return -1;
	signed char *depth = top_level(query, len);
	long at = -1;
	for (size_t i = 0; i + cl <= len && at < 0; i++) {
		bool before = i == 0 || query[i - 1] == ' ' || query[i - 1] == '\t';
		bool after = i + cl == len || query[i + cl] == ' ' || query[i + cl] == '\t';
		if (before && after && depth[i] == 0 && !strncmp(query + i, clause, cl))
			at = (long)i;
	}
	/* and the query has no | at the top level: there, the clause would
	 * narrow one side only */
	for (size_t i = 0; i < len && at >= 0; i++)
		if (query[i] == '|' && depth[i] == 0)
			at = -1;
	free(depth);
	return at;
}

bool facets_query_has(const char *query, const char *clause)
{
	return find_clause(query ? query : "", clause) >= 0;
}

static bool has_top_or(const char *q)
{
	size_t len = strlen(q);
	signed char *depth = top_level(q, len);
	bool any = false;
	for (size_t i = 0; i < len; i++)
		any |= q[i] == '|' && depth[i] == 0;
	free(depth);
	return any;
}

/* s without blanks at either end, into b. */
static void put_trimmed(struct buf *b, const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	buf_add(b, s, len);
}

char *facets_query_toggle(const char *query, const char *clause)
{
	query = query ? query : "";
	struct buf b = {0};
	long at = find_clause(query, clause);
	if (at >= 0) {
		/* taken out with the blank that joined it */
		size_t end = (size_t)at + strlen(clause);
		struct buf rest = {0};
		buf_add(&rest, query, (size_t)at);
		while (rest.len && (rest.data[rest.len - 1] == ' ' || rest.data[rest.len - 1] == '\t'))
			rest.len--;
		const char *tail = query + end;
		while (*tail == ' ' || *tail == '\t')
			tail++;
		if (rest.len && *tail)
			buf_putc(&rest, ' ');
		buf_puts(&rest, tail);
		put_trimmed(&b, buf_str(&rest), rest.len);
		buf_free(&rest);
		return (char *)buf_str(&b);
	}
	struct buf q = {0};
	put_trimmed(&q, query, strlen(query));
	if (!q.len)
		buf_puts(&b, clause);
	else if (has_top_or(buf_str(&q)))
		buf_printf(&b, "(%s) %s", buf_str(&q), clause);
	else
		buf_printf(&b, "%s %s", buf_str(&q), clause);
	buf_free(&q);
	return (char *)buf_str(&b);
}

void facets_sparkline(const struct facets_counts *c, int width, bool ascii, struct buf *out)
{
	timeline_sparkline(&c->timeline, out, width, !ascii);
}

/* ---- the job ---- */

struct facets_job {
	struct worker_job job;
	struct facets_job_in in;
};

static void job_free_in(struct facets_job_in *in)
{
	free(in->rows);
	for (size_t k = 0; k < in->nviews; k++)
		querylang_free(in->views[k]);
	free(in->views);
	free(in->marks);
}

void facets_result_free(struct facets_result *r)
{
	if (!r)
		return;
	facets_index_free(r->index);
	facets_counts_free(&r->counts);
	free(r->view_counts);
	free(r);
}

/* The work of one job; NULL when cancelled. */
static void *job_work(void *arg, const atomic_bool *cancel)
{
	struct facets_job *j = arg;
	struct facets_result *r = xcalloc(1, sizeof *r);
	const struct facets_index *x = j->in.index;
	if (!x) {
		r->index = facets_index_new(j->in.s, cancel);
		x = r->index;
	}
	if (!x || !facets_count(x, j->in.s, j->in.rows, j->in.nrows, &r->counts, cancel)) {
		facets_result_free(r);
		return NULL;
	}
	if (j->in.views) {
		r->nviews = j->in.nviews;
		r->view_counts = xcalloc(r->nviews ? r->nviews : 1, sizeof *r->view_counts);
		for (size_t k = 0; k < r->nviews; k++) {
			/* a view that does not compile now selects nothing */
			r->view_counts[k] = j->in.views[k] ? facets_count_query(j->in.views[k], j->in.s,
										 j->in.marks, cancel)
							   : 0;
			if (r->view_counts[k] == SIZE_MAX) {
				facets_result_free(r);
				return NULL;
			}
		}
	}
	return r;
}

struct facets_job *facets_job_start(struct facets_job_in *in)
{
	struct facets_job *j = xcalloc(1, sizeof *j);
	j->in = *in;
	if (!worker_job_start(&j->job, job_work, j)) {
		job_free_in(&j->in);
		free(j);
		return NULL;
	}
	return j;
}

bool facets_job_take(struct facets_job **jp, bool wait, struct facets_result **out)
{
	void *r = NULL;
	bool taken = *jp && worker_job_take(&(*jp)->job, wait, &r);
	*out = r;
	if (taken) {
		job_free_in(&(*jp)->in);
		free(*jp);
		*jp = NULL;
	}
	return taken;
}

void facets_job_stop(struct facets_job *j)
{
	if (j)
		worker_job_stop(&j->job);
}

void facets_job_cancel(struct facets_job **jp)
{
	struct facets_job *j = *jp;
	if (!j)
		return;
	worker_job_stop(&j->job);
	struct facets_result *r;
	facets_job_take(jp, true, &r);
	facets_result_free(r);
}
