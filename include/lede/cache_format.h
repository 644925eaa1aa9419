/* cache_format: the bytes of one cache entry, used by cache.c alone. An
 * entry's head holds the key it was stored under, its problem messages and
 * an article's searchable texts; its body the rest of the article. The
 * encoder (cache_encode.h) writes them from what parse gives; this
 * decoder reads them back and refuses any value parse could not have
 * given, since a cache whose checksums are right may still hold
 * anything. */
#ifndef LEDE_CACHE_FORMAT_H
#define LEDE_CACHE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/article.h"
#include "lede/cache.h"
#include "lede/util.h"

/* How far back in an entry's body a string may refer to an earlier one:
 * the encoder (cache_encode.c) and the decoder must agree. */
enum { CACHE_FORMAT_RING = 16 };

/* Does head[0..len) begin with exactly key? */
bool cache_format_head_is_for(const unsigned char *head, size_t len, const char *key);

/* The key head[0..len) was stored under, in head (not NUL-terminated):
 * false when it is damaged. */
bool cache_format_head_key(const unsigned char *head, size_t len, const char **key,
			   size_t *klen);

/* What the records section (cache.c) takes of a head it copies: its key,
 * how many problems it holds and an article's title (NULL: none), in the
 * head, not NUL-terminated, the title's text unchecked (it only ranks).
 * False when it does not even hold those. */
struct cache_head_info {
	const char *key, *title;
	size_t key_len, title_len, nproblems;
};
bool cache_format_head_info(const unsigned char *head, size_t len, bool article,
			    struct cache_head_info *info);

/* A reader's texts; v is owned by whoever holds the list. */
struct cache_texts {
	struct cache_text *v;
	size_t n, cap;
};

/* Decode head[0..len), stored under key for the file now named path:
 * append its problems (written with path) to *problems and, for an
 * article, set *texts to its texts, which point into head. False when it
 * is damaged or not key's: then *problems is as it was. */
bool cache_format_decode_head(const unsigned char *head, size_t len, const char *key,
			      const char *path, bool article, struct strlist *problems,
			      struct cache_texts *texts);

/* The texts of head[0..len), checked, as cache_format_decode_head sets
 * them, without its key or its problems (only stepped over): for a
 * search over entries found already. False when damaged. */
bool cache_format_head_texts(const unsigned char *head, size_t len, struct cache_texts *texts);

/* The article of head[0..hlen) and body[0..blen), named path (the caller
 * frees it with article_free); NULL if they are inconsistent or hold a
 * value the parser never gives. head_checked: cache_format_decode_head
 * found this head's texts good already. */
struct article *cache_format_decode_article(const unsigned char *head, size_t hlen,
					    bool head_checked, const unsigned char *body,
					    size_t blen, const char *path);

/* The same decoding and checks into *whole, whose arrays and strings are
 * carved from scratch (grown as needed): valid until
 * scratch is reused or freed, and never to be freed with article_free.
 * False if damaged. */
bool cache_format_decode_scratch(const unsigned char *head, size_t hlen, bool head_checked,
				 const unsigned char *body, size_t blen, const char *path,
				 struct buf *scratch, struct article *whole);


#endif
