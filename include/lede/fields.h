/* fields: one table of an article's fields -- the name a person gives each
 * (in --sort, and in the query language), the kind of value it holds,
 * where in struct article it is read, and what lede does with it: search
 * it, sort by it, show it as a column of the list. The search (search.c),
 * the reader's haystack (query.c), the cache's searchable text
 * (cache_format.c), the sort keys and the list view's headings walk this
 * table rather than naming article members, so that a field is searched,
 * cached and sorted by the same rules wherever it is read.
 *
 * The table is data, not code: a field is an offset into struct article
 * (and a count's offset for a list), which the accessors below read inline,
 * so that the loops over every article cost about what they did when they
 * named the members. */
#ifndef LEDE_FIELDS_H
#define LEDE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/article.h"

enum field_kind {
	FIELD_IS_STRING, /* const char *; NULL when missing */
	FIELD_IS_LIST,   /* const char ** and a size_t count; no item is NULL */
	FIELD_IS_INT,    /* int32_t, present when the article's has holds the field's bit */
	FIELD_IS_DATE,   /* int64_t, seconds since the epoch (UTC), present likewise */
};

enum {
	/* A search (-e, / and f in the reader) looks at it, and the cache
	 * keeps it in an entry's head, where a search reads it undecoded. */
	FIELD_SEARCHED = 1u << 0,
	/* A sort key (--sort NAME). A missing value sorts last: a NULL
	 * string, or an INT or DATE whose has bit is clear. */
	FIELD_SORTED = 1u << 1,
	/* Sorted descending when no direction is given. */
	FIELD_DESC = 1u << 2,
	/* A column of the list view, headed by its label (the view orders
	 * its columns itself). */
	FIELD_SHOWN = 1u << 3,
};

enum field_id {
	FIELD_TITLE,
	FIELD_EXCERPT,
	FIELD_PROVIDER,
	FIELD_TOPICS,
	FIELD_DATE,
	FIELD_QUALITY,
	FIELD_HEAT,
	FIELD_DOMAIN,
	FIELD_CATEGORY,
	FIELD_TYPE,
	FIELD_WEB_URL,
	FIELD_ORIGINAL_URL,
	FIELD_AMP_WEB_URL,
	FIELD_CDN_AMP_WEB_URL,
	FIELD_PATH,
	FIELD_N
};

struct field {
	const char *name;  /* as a person names it: "title", "date", "webUrl" */
	const char *label; /* the heading of its list column (FIELD_SHOWN), else NULL */
	enum field_kind kind;
	unsigned flags;    /* FIELD_SEARCHED, FIELD_SORTED, ... */
	size_t off;        /* where the value lives in struct article */
	size_t count_off;  /* LIST: where its count lives */
	unsigned has;      /* INT, DATE: the HAS_* bit that says it is present */
	size_t max;        /* STRING, LIST: the most bytes parse keeps of one */
	size_t max_items;  /* LIST: the most items parse keeps */
};

/* Indexed by enum field_id. The order of the FIELD_SEARCHED fields is the
 * order of the texts in a cache entry's head: changing it (or the set)
 * changes the cache format, see cache.h. */
extern const struct field fields_table[FIELD_N];

/* A set of fields, in the table's order. */
struct field_set {
	const struct field *v[FIELD_N];
	size_t n;
};
/* The FIELD_SEARCHED fields, made once: the loops over every article walk
 * this rather than the whole table. */
const struct field_set *fields_searched(void);

/* The field named name[0..len), or NULL. */
const struct field *fields_find(const char *name, size_t len);

static inline const void *fields_at_(const struct article *a, size_t off)
{
	return (const char *)a + off;
}

/* STRING: the value, NULL when missing. */
static inline const char *fields_str(const struct field *f, const struct article *a)
{
	return *(const char *const *)fields_at_(a, f->off);
}

/* The texts of a STRING or LIST field, for a search: a STRING has one
 * when present, none when missing; a LIST has its items. */
static inline size_t fields_ntexts(const struct field *f, const struct article *a)
{
	if (f->kind == FIELD_IS_LIST)
		return *(const size_t *)fields_at_(a, f->count_off);
	return fields_str(f, a) != NULL;
}

/* The i-th text (i < fields_ntexts), never NULL. */
static inline const char *fields_text(const struct field *f, const struct article *a, size_t i)
{
	if (f->kind == FIELD_IS_LIST)
		return (*(const char *const *const *)fields_at_(a, f->off))[i];
	return fields_str(f, a);
}

/* INT, DATE: is the value there? */
static inline bool fields_has(const struct field *f, const struct article *a)
{
	return (a->has & f->has) != 0;
}

/* INT, DATE: the value (meaningful when fields_has). */
static inline int64_t fields_int(const struct field *f, const struct article *a)
{
	if (f->kind == FIELD_IS_DATE)
		return *(const int64_t *)fields_at_(a, f->off);
	return *(const int32_t *)fields_at_(a, f->off);
}

/* For the cache's decoder, which fills an article from the table: set a
 * STRING field, or a LIST field's items (kept, not copied) and count. */
static inline void fields_set_str(const struct field *f, struct article *a, const char *s)
{
	*(const char **)(void *)((char *)a + f->off) = s;
}

static inline void fields_set_list(const struct field *f, struct article *a, const char **items,
				   size_t n)
{
	*(const char ***)(void *)((char *)a + f->off) = items;
	*(size_t *)(void *)((char *)a + f->count_off) = n;
}

#endif
