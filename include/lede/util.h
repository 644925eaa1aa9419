/* util: allocation that never returns NULL, growable buffers, string lists
 * and small string helpers shared by every module. */
#ifndef LEDE_UTIL_H
#define LEDE_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Allocation failure is decided once: these print a message and abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grow *p (an array of *cap elements of size elem) to hold at least need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem);

/* A growable byte buffer, always NUL-terminated when len > 0 or after
 * buf_str(). Owns data. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_str(struct buf *b);
void buf_free(struct buf *b);

/* A list of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_push(struct strlist *l, char *owned);
void strlist_pushf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_free(struct strlist *l);

/* Append s[0..n) to b so that it is safe on a terminal: printable ASCII
 * and valid UTF-8 pass; control bytes, C1 controls, invalid UTF-8, the
 * line and paragraph separators U+2028 and U+2029, and invisible formatting
 * characters (bidi overrides, zero-width characters) become visible escapes
 * such as \x1b or \u{202e}. */
void buf_put_safe(struct buf *b, const char *s, size_t n);

/* Decode one UTF-8 code point from s[0..n). Returns its length (1 to 4) and
 * sets *cp, or returns 0 for an invalid or truncated sequence. */
int utf8_decode(const char *s, size_t n, unsigned *cp);
/* Code point cp (below 0x200000) as UTF-8 in out; returns its length,
 * 1 to 4. */
size_t utf8_encode(unsigned cp, char out[4]);
/* Append cp as UTF-8 to b. */
void buf_put_utf8(struct buf *b, unsigned cp);

/* What a code point looks like on screen: itself, a blank (a Unicode space
 * or line or paragraph separator other than U+0020) or nothing at all (a
 * format character, such as a bidi control, a zero-width character, the
 * BOM, the soft hyphen or a tag character U+E0000-U+E007F, or a Hangul
 * filler). One table decides, for the browser's URL check and for every
 * place that escapes or replaces text. */
enum unicode_hidden { UNICODE_SHOWN, UNICODE_SPACE, UNICODE_INVISIBLE };
enum unicode_hidden unicode_hidden_kind(unsigned cp);

/* True for the code points that draw as nothing at all (UNICODE_INVISIBLE
 * above): they change how the text around them is shown without being
 * visible themselves. */
int unicode_is_invisible_format(unsigned cp);

/* Read a whole file into a NUL-terminated heap buffer. Returns 0, or -1 with
 * errno set. Refuses (errno EFBIG) files larger than max bytes. Never blocks
 * on a FIFO (EINVAL for anything that is not a regular file). */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* read_file of name in the directory open on dirfd (AT_FDCWD: as
 * read_file), and, when it succeeds, the fstat of what was read, taken
 * before reading it, into *st (NULL: not wanted). */
struct stat;
int read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len,
		 struct stat *st);

/* The rest of the regular file open on fd, size bytes by its fstat, read
 * the same way into a NUL-terminated heap buffer; the caller closes fd.
 * Returns 0, or -1 with errno set (EFBIG past max bytes). */
int read_fd(int fd, size_t size, size_t max, char **out, size_t *len);

/* Microseconds on the monotonic clock: for the time a piece of work has
 * taken, never the time of day. */
long long monotonic_us(void);

#endif
