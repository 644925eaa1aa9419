/* output: the non-interactive formats of the command line and the standard
 * output they go to. Both formats are safe to write to a terminal: nothing
 * from the data is sent as a control byte. Every write to standard output is
 * checked, so that output cut short (a full disk, a closed pipe, a closed
 * descriptor) is never taken for a whole one. */
#ifndef LEDE_OUTPUT_H
#define LEDE_OUTPUT_H

#include <time.h>

#include "lede/article.h"
#include "lede/store.h"
#include "lede/util.h"

/* One --list line: date, quality, heat, provider, title, webUrl separated
 * by tabs, ending in a newline; missing fields empty; each text field
 * escaped by output_list_escape(). */
void output_list_line(struct buf *b, const struct article *a);

/* Append s[0..n) escaped for --list, reversibly: a backslash is \\; tab,
 * LF and CR are \t, \n and \r; every byte of another control character
 * (C0, DEL, C1) and every byte that is not UTF-8 is \xHH; U+2028, U+2029
 * and the invisible format characters of unicode_is_invisible_format() are
 * \uHHHH (\UHHHHHHHH above U+FFFF); everything else is copied. Hex digits
 * are lower case. The result holds no tab, no line break and nothing a
 * terminal acts on. */
void output_list_escape(struct buf *b, const char *s, size_t n);

/* One --json line (JSON Lines): every field, ASCII only (non-ASCII as \u
 * escapes, astral characters as surrogate pairs). A related story that is
 * local carries the path of that article as "localPath". A path that is
 * not valid UTF-8 (its bad bytes are U+FFFD in the string) comes with its
 * exact bytes in base64 as "pathBase64" or "localPathBase64", right after
 * it; a UTF-8 path has no such field. marks (MARK_READ,
 * MARK_STARRED of query.h) give the booleans "read" and "starred". */
void output_json_line(struct buf *b, const struct store *s, const struct article *a,
		      unsigned marks);
/* What a line says beyond the article itself (NULL: nothing). */
struct output_json_extra {
	/* "cluster": the webUrl of the lead of the article's coverage
	 * cluster (cluster.h), the last field; NULL: no such field (an
	 * article alone). */
	const char *cluster;
	/* "paths", before "cluster": the story's other files (store.h's
	 * duplicates), npaths of them; none: no such field. A path that is
	 * not valid UTF-8 shows U+FFFD, and the array "pathsBase64" follows
	 * with every path's bytes in base64. */
	const char *const *paths;
	size_t npaths;
};
void output_json_line_in(struct buf *b, const struct store *s, const struct article *a,
			 unsigned marks, const struct output_json_extra *x);

/* A JSON string literal for s[0..n). */
void output_json_string(struct buf *b, const char *s, size_t n);

/* The loading line, shown on a terminal while a big archive loads (before
 * the reader opens its screen, or before --list prints). */
struct output_progress {
	int fd;             /* a terminal: stderr */
	struct timespec t0; /* CLOCK_MONOTONIC when the load started */
};

/* A progress callback for store_opts (ctx: a struct output_progress): one
 * line rewritten in place, cut to the terminal's width less one column, so
 * that it never wraps (a carriage return could not go back over a wrapped
 * line, and erasing would leave its first rows), and erased when
 * done == total. */
void output_progress(void *ctx, size_t done, size_t total);

/* Call first thing in main. A standard descriptor (0, 1, 2) that is closed
 * would be handed out by the next open(), and what is meant for the terminal
 * would land in that file (the cache, the marks): each closed one is held by
 * /dev/null. Returns true when standard output was closed; writing to it is
 * then an error (EBADF), as it would have been. */
bool output_stdout_guard(void);

/* Write s[0..n) to standard output. Returns 0, or -1 with errno set; after
 * a failure nothing more is written and every call fails with the first
 * error. */
int output_stdout_write(const void *s, size_t n);

/* Flush and close standard output. Returns 0 when all that was written
 * reached it, else -1 with errno set to the first error met. */
int output_stdout_close(void);

#endif
