/* query: comparison with the tie and missing-value rules, and filtering. */
#define _GNU_SOURCE
#include "lede/query.h"

#include <stdlib.h>
#include <string.h>

static const char *const sort_names[SORT_NKEYS] = {"date", "quality", "heat", "title",
						   "provider"};

const char *query_sort_name(enum sort_key key)
{
	return key < SORT_NKEYS ? sort_names[key] : "?";
}

bool query_sort_default_desc(enum sort_key key)
{
	return key == SORT_DATE || key == SORT_QUALITY || key == SORT_HEAT;
}

int query_parse_sort(const char *s, struct sort_order *out)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	for (int k = 0; k < SORT_NKEYS; k++) {
		if (strlen(sort_names[k]) != n || strncmp(s, sort_names[k], n))
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
	struct sort_order order;
};

/* Missing last; otherwise a > b is 1. */
#define CMP_PRESENT(ha, hb, a, b)                                                          \
	do {                                                                               \
		if (!(ha) || !(hb))                                                        \
			return (ha) ? -1 : (hb) ? 1 : 0;                                   \
		c = (a) < (b) ? -1 : (a) > (b);                                            \
	} while (0)

static int cmp_str_missing_last(const char *a, const char *b, bool *decided)
{
	*decided = !a || !b;
	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	return strcmp(a, b);
}

/* The key comparison alone: <0, 0, >0 in the requested direction, with a
 * missing value after any present one. */
static int cmp_key(const struct article *a, const struct article *b, struct sort_order o)
{
	int c = 0;
	bool decided = false;
	switch (o.key) {
	case SORT_DATE:
		CMP_PRESENT(a->has & HAS_DATE, b->has & HAS_DATE, a->date, b->date);
		break;
	case SORT_QUALITY:
		CMP_PRESENT(a->has & HAS_QUALITY, b->has & HAS_QUALITY, a->quality, b->quality);
		break;
	case SORT_HEAT:
		CMP_PRESENT(a->has & HAS_HEAT, b->has & HAS_HEAT, a->heat, b->heat);
		break;
	case SORT_TITLE:
		c = cmp_str_missing_last(a->title, b->title, &decided);
		break;
	case SORT_PROVIDER:
		c = cmp_str_missing_last(a->provider.name, b->provider.name, &decided);
		break;
	default:
		break;
	}
	if (decided)
		return c;
	return o.desc ? -c : c;
}

static int cmp_idx(const void *pa, const void *pb, void *arg)
{
	const struct ctx *x = arg;
	const struct article *a = x->s->v[*(const size_t *)pa], *b = x->s->v[*(const size_t *)pb];
	int c = cmp_key(a, b, x->order);
	if (c)
		return c;
	bool decided;
	if ((c = cmp_str_missing_last(a->title, b->title, &decided)))
		return c;
	return strcmp(a->path, b->path);
}

void query_sort(const struct store *s, size_t *idx, size_t n, struct sort_order order)
{
	struct ctx x = {s, order};
	qsort_r(idx, n, sizeof *idx, cmp_idx, &x);
}

size_t query_filter(const struct store *s, struct search *re, size_t *out)
{
	return query_filter_marks(s, re, NULL, MARKS_ALL, out);
}

const char *query_mark_filter_name(enum mark_filter f)
{
	return f == MARKS_UNREAD ? "unread" : f == MARKS_STARRED ? "starred" : "all";
}

size_t query_filter_marks(const struct store *s, struct search *re, const unsigned char *marks,
			  enum mark_filter mf, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		unsigned m = marks ? marks[i] : 0;
		if (mf == MARKS_UNREAD && (m & MARK_READ))
			continue;
		if (mf == MARKS_STARRED && !(m & MARK_STARRED))
			continue;
		/* the cheap test first: the regex only for what is left */
		if (!re || search_article(re, s->v[i]))
			out[n++] = i;
	}
	return n;
}
