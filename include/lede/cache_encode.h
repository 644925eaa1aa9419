/* cache_encode: writing one cache entry (see cache_format.c for its
 * bytes), used by cache.c alone. */
#ifndef LEDE_CACHE_ENCODE_H
#define LEDE_CACHE_ENCODE_H

#include <stddef.h>

#include "lede/article.h"
#include "lede/util.h"

/* Append the head of the entry of the file named path, stored under key,
 * to head (the key, its problems less path where they begin with it, and
 * a's texts), and a's body to body; a NULL a is a skipped file, with no
 * body. */
void cache_encode(struct buf *head, struct buf *body, const char *key, const char *path,
		  const struct article *a, const char *const *problems, size_t nproblems);

#endif
