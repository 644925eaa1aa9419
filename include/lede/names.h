/* names: a table of interned names (an archive's topics or providers),
 * each distinct name an id, dense from 0 in the order first met. Exact,
 * by the names' bytes (the facets' counts); or folding, ASCII letters
 * lowered, so that spellings that differ only in case share one id (the
 * query's topic and provider filters). */
#ifndef LEDE_NAMES_H
#define LEDE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/util.h"

/* What names_find gives for a name the table does not hold: no id, as a
 * table holds fewer names than that. */
#define NAMES_ABSENT (UINT32_MAX - 1)

/* Zeroed, an empty exact table; set fold before the first name for a
 * folding one. Owns its keys; names_free frees them. */
struct names {
	bool fold;
	uint32_t *slots; /* open addressing: an id + 1, 0 for empty */
	size_t mask;
	struct name {
		char *key;         /* the bytes compared: the name, folded in a folding table (owned) */
		uint64_t hash;     /* of key */
		const char *first; /* its spelling: key in an exact table; in a folding one
				      the first by bytes of those interned (the caller's) */
	} *v;                      /* by id */
	size_t n, cap;
	struct buf scratch; /* a name folded */
};

/* name's id, given it now when it is new. A folding table keeps a
 * pointer to name as the id's spelling (first): name must outlive it. */
uint32_t names_intern(struct names *t, const char *name);
/* name's id (in any case, in a folding table), or NAMES_ABSENT. Only
 * reads t: any thread, once the interning is done. */
uint32_t names_find(const struct names *t, const char *name);
void names_free(struct names *t);

#endif
