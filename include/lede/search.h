/* search: PCRE2 patterns with UTF and Unicode properties on, smart case
 * (caseless unless the pattern has an upper-case letter of its own), JIT
 * where the platform has it. */
#ifndef LEDE_SEARCH_H
#define LEDE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/article.h"

struct search;

struct span {
	size_t start, end; /* byte offsets, end exclusive */
};

/* Compile pattern. On failure returns NULL and sets *err (caller frees) to
 * "invalid regex at offset N: reason". */
struct search *search_compile(const char *pattern, char **err);
void search_free(struct search *s);
const char *search_pattern(const struct search *s);
bool search_caseless(const struct search *s);

bool search_match(struct search *s, const char *text, size_t len);
/* Does a text of one of the article's searched fields (fields.h: title,
 * excerpt, provider name, topics) match? */
bool search_article(struct search *s, const struct article *a);
/* Matching from several threads at once: each thread brings its own match
 * space (search_space_new; free with search_space_free) and calls
 * search_article_in. */
struct search_space;
struct search_space *search_space_new(const struct search *s);
void search_space_free(struct search_space *sp);
bool search_article_in(const struct search *s, struct search_space *sp, const struct article *a);
/* The search's own space, for the one thread that owns s (the one that
 * calls search_match and search_article). */
struct search_space *search_own_space(struct search *s);
/* Does text[0..len) match, through the calling thread's space? */
bool search_text_in(const struct search *s, struct search_space *sp, const char *text, size_t len);
/* Is the pattern plain text (no regex syntax at all)? Then a longer plain
 * pattern with it as a prefix can only match fewer articles. */
bool search_is_literal(const struct search *s);

/* Every non-overlapping match of text as spans; returns the count and sets
 * *out (caller frees). */
size_t search_spans(struct search *s, const char *text, size_t len, struct span **out);

#endif
