/* querylang: a recursive-descent parser into a small tree of nodes (in
 * one array, children before their parent), and its evaluation over a
 * store's articles, lazy records included. */
#define _GNU_SOURCE
#include "lede/querylang.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/cluster.h"
#include "lede/date.h"
#include "lede/fields.h"
#include "lede/state.h"
#include "lede/util.h"

enum op {
	OP_ALL, /* the blank query */
	OP_AND,
	OP_OR,
	OP_NOT,
	/* patterns */
	OP_TEXT, /* the searched fields */
	OP_TITLE,
	OP_EXCERPT,
	OP_PROVIDER, /* name or domain */
	OP_TOPIC,
	OP_URL,
	OP_TYPE,
	/* the rest */
	OP_DATE,
	OP_QUALITY,
	OP_HEAT,
	OP_UNREAD,
	OP_STARRED,
	OP_LOCAL,
	OP_BACKLINKED,
	OP_CLUSTER,
};

static bool is_pattern(enum op op)
{
	return op >= OP_TEXT && op <= OP_TYPE;
}

struct node {
	enum op op;
	int a, b;          /* children (AND, OR: both; NOT: a) */
	struct search *re; /* a pattern's */
	int slow;          /* a pattern's bit, or -1 (past the last kept) */
	int64_t lo, hi;    /* a range, inclusive */
	bool cheap;        /* holds no pattern: evaluated first */
};

struct querylang {
	char *text;
	int64_t now;
	struct node *v;
	size_t n, cap;
	int root;
	size_t nslow;
	unsigned needs;
};

/* ---- the parser ---- */

struct parser {
	struct querylang *q;
	const char *s; /* the text */
	size_t at;     /* byte offset */
	int64_t now;
	char *err;
};

/* The column of byte offset at: characters before it, plus one. */
static size_t column(const char *s, size_t at)
{
	size_t col = 1;
	for (size_t i = 0; i < at && s[i]; i++)
		col += ((unsigned char)s[i] & 0xc0) != 0x80;
	return col;
}

static int fail(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	if (p->err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->err = xasprintf("query:%zu: %s", column(p->s, at), msg);
	free(msg);
	return -1;
}

static void skip_blanks(struct parser *p)
{
	while (p->s[p->at] == ' ' || p->s[p->at] == '\t' || p->s[p->at] == '\n')
		p->at++;
}

static int add_node(struct parser *p, struct node n)
{
	struct querylang *q = p->q;
	q->v = xgrow(q->v, &q->cap, q->n + 1, sizeof *q->v);
	n.slow = -1;
	q->v[q->n] = n;
	return (int)q->n++;
}

/* A character that ends a word or a range. */
static bool ends_word(char c)
{
	return !c || c == ' ' || c == '\t' || c == '\n' || c == '(' || c == ')' || c == '|';
}

/* The pattern at p->at into *out (caller frees): "quoted", /regex/ or a
 * word. NULL (with no error) when there is none there. */
static char *read_pattern(struct parser *p)
{
	const char *s = p->s;
	size_t start = p->at;
	char c = s[start];
	if (ends_word(c))
		return NULL;
	struct buf b = {0};
	if (c == '"' || c == '/') {
		size_t i = start + 1;
		for (; s[i] && s[i] != c; i++) {
			if (s[i] == '\\' && s[i + 1]) {
				/* \" in a quote, \/ in a regex: the delimiter itself */
				if (s[i + 1] != c)
					buf_putc(&b, '\\');
				buf_putc(&b, s[++i]);
				continue;
			}
			buf_putc(&b, s[i]);
		}
		if (!s[i]) {
			buf_free(&b);
			fail(p, start, c == '"' ? "unterminated quote" : "unterminated /regex/");
			return NULL;
		}
		p->at = i + 1;
		return (char *)buf_str(&b);
	}
	size_t i = start;
	while (!ends_word(s[i]))
		i++;
	p->at = i;
	return xstrndup(s + start, i - start);
}

static int pattern_node(struct parser *p, enum op op, const char *after)
{
	skip_blanks(p);
	size_t pat_at = p->at;
	char *pat = read_pattern(p);
	if (!pat) {
		if (!p->err)
			fail(p, p->at, "expected a pattern after %s", after);
		return -1;
	}
	char *err = NULL;
	struct search *re = search_compile(pat, &err);
	free(pat);
	if (!re) {
		fail(p, pat_at, "%s", err);
		free(err);
		return -1;
	}
	p->q->needs |= QUERYLANG_TEXTS;
	return add_node(p, (struct node){.op = op, .re = re});
}

/* ---- ranges ---- */

/* A decimal integer, optionally negative, at s[0..len): all of it. */
static bool parse_int(const char *s, size_t len, int64_t *out)
{
	size_t i = s[0] == '-' ? 1 : 0;
	if (i == len || len - i > 12)
		return false;
	int64_t v = 0;
	for (size_t k = i; k < len; k++) {
		if (s[k] < '0' || s[k] > '9')
			return false;
		v = v * 10 + (s[k] - '0');
	}
	*out = i ? -v : v;
	return true;
}

/* 50, 50.., ..10, 10..50, >50, <10, >=50, <=10. */
static bool parse_number_range(const char *s, size_t len, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	int64_t v;
	if (len >= 2 && (s[0] == '>' || s[0] == '<') && s[1] == '=') {
		if (!parse_int(s + 2, len - 2, &v))
			return false;
		*(s[0] == '>' ? lo : hi) = v;
		return true;
	}
	if (len >= 1 && (s[0] == '>' || s[0] == '<')) {
		if (!parse_int(s + 1, len - 1, &v))
			return false;
		if (s[0] == '>')
			*lo = v + 1;
		else
			*hi = v - 1;
		return true;
	}
	const char *dots = memmem(s, len, "..", 2);
	if (!dots)
		return parse_int(s, len, lo) && (*hi = *lo, true);
	size_t left = (size_t)(dots - s), right = len - left - 2;
	if (!left && !right)
		return false;
	if (left && !parse_int(s, left, lo))
		return false;
	if (right && !parse_int(dots + 2, right, hi))
		return false;
	return true;
}

/* YYYY, YYYY-MM or YYYY-MM-DD: the first and the last second of it. */
static bool parse_period(const char *s, size_t len, int64_t *first, int64_t *last)
{
	unsigned y = 0, m = 1, d = 1;
	if (len != 4 && len != 7 && len != 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
	if (len >= 7)
		m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	if (len == 10)
		d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	int64_t day = date_days_from_civil(y, m, d);
	/* a day that does not exist (02-30) comes back as another */
	int64_t yy;
	unsigned mm, dd;
	date_civil_from_days(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return false;
	int64_t next;
	if (len == 10)
		next = day + 1;
	else if (len == 7)
		next = m == 12 ? date_days_from_civil(y + 1, 1, 1) : date_days_from_civil(y, m + 1, 1);
	else
		next = date_days_from_civil(y + 1, 1, 1);
	*first = day * 86400;
	*last = next * 86400 - 1;
	return true;
}

/* now moved back by n units (h d w: fixed lengths; m y: calendar months
 * and years, the day kept, UTC). */
static bool back_from(int64_t now, int64_t n, char unit, int64_t *out)
{
	switch (unit) {
	case 'h': *out = now - n * 3600; return true;
	case 'd': *out = now - n * 86400; return true;
	case 'w': *out = now - n * 7 * 86400; return true;
	case 'm':
	case 'y': {
		int64_t days = now >= 0 ? now / 86400 : (now - 86399) / 86400;
		int64_t secs = now - days * 86400, y;
		unsigned m, d;
		date_civil_from_days(days, &y, &m, &d);
		int64_t months = y * 12 + (m - 1) - (unit == 'y' ? 12 * n : n);
		y = months >= 0 ? months / 12 : (months - 11) / 12;
		m = (unsigned)(months - y * 12) + 1;
		/* the 31st of a month that has 30 days: its last day */
		unsigned max = 31;
		while (max > 28) {
			int64_t yy;
			unsigned mm, dd;
			date_civil_from_days(date_days_from_civil(y, m, max), &yy, &mm, &dd);
			if (mm == m)
				break;
			max--;
		}
		*out = date_days_from_civil(y, m, d < max ? d : max) * 86400 + secs;
		return true;
	}
	}
	return false;
}

/* 2021, 2021-03, 2021-03-04, A..B, A.., ..B, <7d, >1y. */
static bool parse_date_range(const char *s, size_t len, int64_t now, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	int64_t first, last, n, at;
	if (len >= 3 && (s[0] == '<' || s[0] == '>')) {
		if (!parse_int(s + 1, len - 2, &n) || n < 0 || !back_from(now, n, s[len - 1], &at))
			return false;
		if (s[0] == '<')
			*lo = at; /* newer than that */
		else
			*hi = at - 1; /* older */
		return true;
	}
	const char *dots = memmem(s, len, "..", 2);
	if (!dots)
		return parse_period(s, len, lo, hi);
	size_t left = (size_t)(dots - s), right = len - left - 2;
	if (!left && !right)
		return false;
	if (left && !parse_period(s, left, lo, &last))
		return false;
	if (right && !parse_period(dots + 2, right, &first, hi))
		return false;
	return true;
}

static int range_node(struct parser *p, enum op op, const char *after)
{
	skip_blanks(p);
	size_t start = p->at;
	while (!ends_word(p->s[p->at]))
		p->at++;
	size_t len = p->at - start;
	int64_t lo, hi;
	bool ok = len && (op == OP_DATE ? parse_date_range(p->s + start, len, p->now, &lo, &hi)
					: parse_number_range(p->s + start, len, &lo, &hi));
	if (!ok)
		return fail(p, start, "expected a %s after %s",
			    op == OP_DATE ? "date range" : "range", after);
	return add_node(p, (struct node){.op = op, .lo = lo, .hi = hi});
}

/* ---- the grammar ---- */

static int parse_or(struct parser *p);

static int parse_operator(struct parser *p)
{
	size_t at = p->at;
	char c = p->s[at + 1];
	char name[3] = {'~', c, 0};
	p->at += c ? 2 : 1;
	struct querylang *q = p->q;
	switch (c) {
	case 'T': return pattern_node(p, OP_TITLE, name);
	case 'e': return pattern_node(p, OP_EXCERPT, name);
	case 'p': return pattern_node(p, OP_PROVIDER, name);
	case 't': return pattern_node(p, OP_TOPIC, name);
	case 'u': return pattern_node(p, OP_URL, name);
	case 'y': return pattern_node(p, OP_TYPE, name);
	case 'd': return range_node(p, OP_DATE, name);
	case 'q': return range_node(p, OP_QUALITY, name);
	case 'h': return range_node(p, OP_HEAT, name);
	case 'N':
	case 'F':
		q->needs |= QUERYLANG_MARKS;
		return add_node(p, (struct node){.op = c == 'N' ? OP_UNREAD : OP_STARRED});
	case 'L':
	case 'B':
		q->needs |= QUERYLANG_LINKS;
		return add_node(p, (struct node){.op = c == 'L' ? OP_LOCAL : OP_BACKLINKED});
	case 'C':
		q->needs |= QUERYLANG_CLUSTERS;
		return add_node(p, (struct node){.op = OP_CLUSTER});
	}
	if (!c || ends_word(c))
		return fail(p, at, "expected an operator after ~");
	unsigned cp;
	size_t n = strlen(p->s + at + 1);
	int len = utf8_decode(p->s + at + 1, n, &cp);
	struct buf b = {0};
	buf_put_safe(&b, p->s + at + 1, len > 0 ? (size_t)len : 1);
	fail(p, at, "unknown operator ~%s (one of ~T ~e ~p ~t ~u ~y ~d ~q ~h ~N ~F ~L ~B ~C)",
	     buf_str(&b));
	buf_free(&b);
	return -1;
}

static int parse_unary(struct parser *p)
{
	skip_blanks(p);
	size_t at = p->at;
	char c = p->s[at];
	if (c == '!') {
		p->at++;
		skip_blanks(p);
		if (ends_word(p->s[p->at]) && p->s[p->at] != '(')
			return fail(p, p->at, "expected a query after !");
		int a = parse_unary(p);
		return a < 0 ? -1 : add_node(p, (struct node){.op = OP_NOT, .a = a});
	}
	if (c == '(') {
		p->at++;
		skip_blanks(p);
		if (p->s[p->at] == ')' || !p->s[p->at])
			return fail(p, p->at, "expected a query after (");
		int a = parse_or(p);
		if (a < 0)
			return -1;
		skip_blanks(p);
		if (p->s[p->at] != ')')
			return fail(p, p->at, "expected ) to close the ( at column %zu",
				    column(p->s, at));
		p->at++;
		return a;
	}
	if (c == '~')
		return parse_operator(p);
	if (c == ')')
		return fail(p, at, "unexpected )");
	if (c == '|')
		return fail(p, at, "expected a query before |");
	return pattern_node(p, OP_TEXT, "");
}

/* Juxtaposition: AND, binding tighter than |. */
static int parse_and(struct parser *p)
{
	int left = parse_unary(p);
	for (;;) {
		if (left < 0)
			return -1;
		skip_blanks(p);
		char c = p->s[p->at];
		if (!c || c == ')' || c == '|')
			return left;
		int right = parse_unary(p);
		if (right < 0)
			return -1;
		left = add_node(p, (struct node){.op = OP_AND, .a = left, .b = right});
	}
}

static int parse_or(struct parser *p)
{
	int left = parse_and(p);
	for (;;) {
		if (left < 0)
			return -1;
		skip_blanks(p);
		if (p->s[p->at] != '|')
			return left;
		p->at++;
		skip_blanks(p);
		char c = p->s[p->at];
		if (!c || c == ')' || c == '|')
			return fail(p, p->at, "expected a query after |");
		int right = parse_and(p);
		if (right < 0)
			return -1;
		left = add_node(p, (struct node){.op = OP_OR, .a = left, .b = right});
	}
}

/* Which nodes hold no pattern; the patterns' bits, in the order the
 * evaluation meets them; and an AND or OR whose left side is costly and
 * right side cheap evaluated the other way round (the outcome is the same,
 * and the cheap side often decides it). */
static void finish_nodes(struct querylang *q)
{
	for (size_t i = 0; i < q->n; i++) {
		struct node *n = &q->v[i];
		if (is_pattern(n->op))
			n->cheap = false;
		else if (n->op == OP_AND || n->op == OP_OR)
			n->cheap = q->v[n->a].cheap && q->v[n->b].cheap;
		else if (n->op == OP_NOT)
			n->cheap = q->v[n->a].cheap;
		else
			n->cheap = true;
		if ((n->op == OP_AND || n->op == OP_OR) && !q->v[n->a].cheap && q->v[n->b].cheap) {
			int t = n->a;
			n->a = n->b;
			n->b = t;
		}
		if (is_pattern(n->op)) {
			if (q->nslow < QUERYLANG_MAX_SLOW)
				n->slow = (int)q->nslow;
			q->nslow++;
		}
	}
}

struct querylang *querylang_compile(const char *text, int64_t now, char **err)
{
	struct querylang *q = xcalloc(1, sizeof *q);
	q->text = xstrdup(text);
	q->now = now;
	struct parser p = {q, text, 0, now, NULL};
	skip_blanks(&p);
	if (!text[p.at]) {
		q->root = add_node(&p, (struct node){.op = OP_ALL});
		return q;
	}
	q->root = parse_or(&p);
	skip_blanks(&p);
	if (q->root >= 0 && text[p.at])
		fail(&p, p.at, "unexpected )");
	if (p.err) {
		/* a regex typed where a query is (no operator of a query in
		 * it, not begun as a quote or a /regex/): say how to write it */
		char *rerr = NULL;
		bool query_like = strchr(text, '~') || *text == '/' || *text == '"';
		struct search *re = query_like ? NULL : search_compile(text, &rerr);
		if (re) {
			*err = xasprintf("%s (for a regex, write /regex/)", p.err);
			free(p.err);
			search_free(re);
		} else {
			*err = p.err;
			free(rerr);
		}
		querylang_free(q);
		return NULL;
	}
	finish_nodes(q);
	return q;
}

void querylang_free(struct querylang *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		search_free(q->v[i].re);
	free(q->v);
	free(q->text);
	free(q);
}

struct querylang *querylang_copy(const struct querylang *q)
{
	char *err = NULL;
	struct querylang *c = querylang_compile(q->text, q->now, &err);
	if (!c) /* cannot be: q compiled from it */
		abort();
	return c;
}

const char *querylang_text(const struct querylang *q)
{
	return q->text;
}

char *querylang_quote_regex(const char *pattern)
{
	struct buf b = {0};
	buf_putc(&b, '/');
	for (const char *s = pattern; *s; s++) {
		if (*s == '\\' && s[1]) {
			/* an escape of the regex's own, kept whole; \/ stays \/,
			 * which the parser reads as a slash, as PCRE2 does */
			buf_putc(&b, *s++);
			buf_putc(&b, *s);
			continue;
		}
		if (*s == '/')
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	buf_putc(&b, '/');
	return (char *)buf_str(&b);
}

unsigned querylang_needs(const struct querylang *q)
{
	return q->needs;
}

struct search *querylang_plain(const struct querylang *q)
{
	const struct node *n = &q->v[q->root];
	return n->op == OP_TEXT ? n->re : NULL;
}

size_t querylang_nslow(const struct querylang *q)
{
	return q->nslow;
}

/* Is article i in a coverage cluster of two or more? The clusters are
 * always found (cluster.h), in the reader once its first screen is up;
 * until they are published every article is alone. */
static bool in_cluster(const struct store *s, size_t i)
{
	return cluster_size(s, i) >= 2;
}

/* ---- evaluation ---- */

struct querylang_eval {
	const struct querylang *q;
	const struct store *s;
	struct store_texts *t;
	struct search_space **sp; /* per node: a pattern's, else NULL */
	const unsigned char *marks;
	/* querylang_match_with's bits, and whether they are to be read */
	uint32_t bits;
	bool with_bits;
};

struct querylang_eval *querylang_eval_new(const struct querylang *q, const struct store *s)
{
	struct querylang_eval *e = xcalloc(1, sizeof *e);
	e->q = q;
	e->s = s;
	e->t = store_texts_new(s);
	e->sp = xcalloc(q->n ? q->n : 1, sizeof *e->sp);
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].re)
			e->sp[i] = search_space_new(q->v[i].re);
	return e;
}

void querylang_eval_free(struct querylang_eval *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->q->n; i++)
		if (e->sp[i])
			search_space_free(e->sp[i]);
	free(e->sp);
	store_texts_free(e->t);
	free(e);
}

void querylang_eval_marks(struct querylang_eval *e, const unsigned char *marks)
{
	e->marks = marks;
}

static bool text_is(struct querylang_eval *e, int k, const char *s)
{
	return s && search_text_in(e->q->v[k].re, e->sp[k], s, strlen(s));
}

/* Do the texts of field f (one of the searched fields) match? */
static bool field_texts(struct querylang_eval *e, int k, size_t i, enum field_id f)
{
	const struct cache_text *v;
	size_t n = store_texts_of(e->t, i, &v);
	for (size_t j = 0; j < n; j++)
		if (v[j].field == f && search_text_in(e->q->v[k].re, e->sp[k], v[j].s, v[j].len))
			return true;
	return false;
}

static bool pattern_match(struct querylang_eval *e, int k, size_t i)
{
	const struct store *s = e->s;
	const struct node *n = &e->q->v[k];
	switch (n->op) {
	case OP_TEXT:
		return store_texts_match(e->t, i, n->re, e->sp[k]);
	case OP_TITLE:
		return field_texts(e, k, i, FIELD_TITLE);
	case OP_EXCERPT:
		return field_texts(e, k, i, FIELD_EXCERPT);
	case OP_PROVIDER:
		return text_is(e, k, store_provider_name(s, i)) ||
		       text_is(e, k, store_texts_article(e->t, i)->provider.domain);
	case OP_TOPIC:
		for (size_t t = 0, nt = store_ntopics(s, i); t < nt; t++)
			if (text_is(e, k, store_topic(s, i, t)))
				return true;
		return false;
	case OP_URL: {
		const struct article *a = store_texts_article(e->t, i);
		return text_is(e, k, a->web_url) || text_is(e, k, a->original_url) ||
		       text_is(e, k, a->amp_web_url) || text_is(e, k, a->cdn_amp_web_url);
	}
	case OP_TYPE: {
		const char *t = store_type(s, i);
		return text_is(e, k, t && *t ? t : "article");
	}
	default:
		return false;
	}
}

/* Is v known, and in [lo, hi]? -1 stands for unknown too. */
static bool in_range(const struct node *n, bool has, int64_t v, bool minus_one_unknown)
{
	if (!has || (minus_one_unknown && v == -1))
		return false;
	return v >= n->lo && v <= n->hi;
}

static bool eval_node(struct querylang_eval *e, int k, size_t i)
{
	const struct node *n = &e->q->v[k];
	const struct store *s = e->s;
	unsigned m = e->marks ? e->marks[i] : 0;
	size_t nb;
	switch (n->op) {
	case OP_ALL: return true;
	case OP_AND: return eval_node(e, n->a, i) && eval_node(e, n->b, i);
	case OP_OR: return eval_node(e, n->a, i) || eval_node(e, n->b, i);
	case OP_NOT: return !eval_node(e, n->a, i);
	case OP_DATE: return in_range(n, store_has(s, i) & HAS_DATE, store_date(s, i), false);
	case OP_QUALITY:
		return in_range(n, store_has(s, i) & HAS_QUALITY, store_quality(s, i), true);
	case OP_HEAT: return in_range(n, store_has(s, i) & HAS_HEAT, store_heat(s, i), true);
	case OP_UNREAD: return !(m & MARK_READ);
	case OP_STARRED: return (m & MARK_STARRED) != 0;
	case OP_LOCAL: return store_links_local(s, i);
	case OP_BACKLINKED: return store_backlinks(s, i, &nb) && nb > 0;
	case OP_CLUSTER: return in_cluster(s, i);
	default:
		if (e->with_bits && n->slow >= 0)
			return (e->bits >> n->slow) & 1;
		return pattern_match(e, k, i);
	}
}

bool querylang_match(struct querylang_eval *e, size_t i)
{
	e->with_bits = false;
	return eval_node(e, e->q->root, i);
}

uint32_t querylang_slow(struct querylang_eval *e, size_t i)
{
	uint32_t bits = 0;
	for (size_t k = 0; k < e->q->n; k++) {
		const struct node *n = &e->q->v[k];
		if (n->slow >= 0 && pattern_match(e, (int)k, i))
			bits |= (uint32_t)1 << n->slow;
	}
	return bits;
}

bool querylang_match_with(struct querylang_eval *e, size_t i, uint32_t bits)
{
	e->bits = bits;
	e->with_bits = true;
	bool r = eval_node(e, e->q->root, i);
	e->with_bits = false;
	return r;
}
