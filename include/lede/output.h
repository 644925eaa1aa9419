/* output: the non-interactive formats of the command line. Both are safe to
 * write to a terminal: nothing from the data is sent as a control byte. */
#ifndef LEDE_OUTPUT_H
#define LEDE_OUTPUT_H

#include "lede/article.h"
#include "lede/store.h"
#include "lede/util.h"

/* One --list line: date, quality, heat, provider, title, webUrl separated
 * by tabs, ending in a newline; missing fields empty. Tabs and line breaks
 * inside a field become spaces; other control characters are escaped. */
void output_list_line(struct buf *b, const struct article *a);

/* One --json line (JSON Lines): every field, ASCII only (non-ASCII as \u
 * escapes, astral characters as surrogate pairs). A related story that is
 * local carries the path of that article as "localPath". marks (MARK_READ,
 * MARK_STARRED of query.h) give the booleans "read" and "starred". */
void output_json_line(struct buf *b, const struct store *s, const struct article *a,
		      unsigned marks);

/* A JSON string literal for s[0..n). */
void output_json_string(struct buf *b, const char *s, size_t n);

#endif
