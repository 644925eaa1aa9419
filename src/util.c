/* util: allocation, buffers, string lists, whole-file reading. */
#define _GNU_SOURCE
#include "lede/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "lede: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	if (c > (size_t)-1 / elem)
		oom((size_t)-1);
	*cap = c;
	return xrealloc(p, c * elem);
}

void buf_add(struct buf *b, const void *s, size_t n)
{
	b->data = xgrow(b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

size_t utf8_encode(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void buf_put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	buf_add(b, u, utf8_encode(cp, u));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

const char *buf_str(struct buf *b)
{
	if (!b->data)
		buf_add(b, "", 0);
	return b->data;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void strlist_push(struct strlist *l, char *owned)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = owned;
}

void strlist_pushf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strlist_push(l, xvasprintf(fmt, ap));
	va_end(ap);
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int read_fd(int fd, size_t size, size_t max, char **out, size_t *len)
{
	/* Room for one byte more than the file holds: the read that fills
	 * the file's size comes back short, which for a regular file means
	 * the end, so a file costs one read, not two and a realloc. */
	size_t cap = size + 2, n = 0;
	char *data = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap - 1 >= max + 1) { /* grew while we read */
				free(data);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			data = xrealloc(data, cap);
		}
		size_t want = cap - 1 - n;
		ssize_t r = read(fd, data + n, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(data);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if ((size_t)r < want)
			break;
	}
	if (n > max) {
		free(data);
		errno = EFBIG;
		return -1;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	return read_file_at(AT_FDCWD, path, max, out, len, NULL);
}

int read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len,
		 struct stat *stp)
{
	/* O_NONBLOCK: a FIFO swapped in after the scan must not hang us. */
	int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	int e = 0;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if ((unsigned long long)st.st_size > max)
		e = EFBIG;
	else if (read_fd(fd, (size_t)st.st_size, max, out, len) < 0)
		e = errno;
	close(fd);
	if (!e && stp)
		*stp = st;
	errno = e;
	return e ? -1 : 0;
}

int utf8_decode(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int len;
	unsigned c, min;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that look like a space, or like nothing at all: every space
 * separator (Zs), the line and paragraph separators (Zl, Zp), every format
 * character (Cf: bidi controls and isolates, zero-width characters, the
 * BOM, the soft hyphen, tag characters, which spell whole hidden ASCII
 * strings...), U+180E (a space that draws nothing) and the Hangul fillers,
 * letters that draw as blanks. Sorted ranges, Unicode 15; one table for the
 * browser's URL check and for everything that escapes or replaces text. */
static const struct {
	unsigned lo, hi;
	enum unicode_hidden kind;
} hidden[] = {
	{0x00a0, 0x00a0, UNICODE_SPACE},     {0x00ad, 0x00ad, UNICODE_INVISIBLE},
	{0x0600, 0x0605, UNICODE_INVISIBLE}, {0x061c, 0x061c, UNICODE_INVISIBLE},
	{0x06dd, 0x06dd, UNICODE_INVISIBLE}, {0x070f, 0x070f, UNICODE_INVISIBLE},
	{0x0890, 0x0891, UNICODE_INVISIBLE}, {0x08e2, 0x08e2, UNICODE_INVISIBLE},
	{0x115f, 0x1160, UNICODE_INVISIBLE}, {0x1680, 0x1680, UNICODE_SPACE},
	{0x180e, 0x180e, UNICODE_INVISIBLE}, {0x2000, 0x200a, UNICODE_SPACE},
	{0x200b, 0x200f, UNICODE_INVISIBLE}, {0x2028, 0x2029, UNICODE_SPACE},
	{0x202a, 0x202e, UNICODE_INVISIBLE}, {0x202f, 0x202f, UNICODE_SPACE},
	{0x205f, 0x205f, UNICODE_SPACE},     {0x2060, 0x206f, UNICODE_INVISIBLE},
	{0x3000, 0x3000, UNICODE_SPACE},     {0x3164, 0x3164, UNICODE_INVISIBLE},
	{0xfeff, 0xfeff, UNICODE_INVISIBLE}, {0xffa0, 0xffa0, UNICODE_INVISIBLE},
	{0xfff9, 0xfffb, UNICODE_INVISIBLE}, {0x110bd, 0x110bd, UNICODE_INVISIBLE},
	{0x110cd, 0x110cd, UNICODE_INVISIBLE}, {0x13430, 0x1343f, UNICODE_INVISIBLE},
	{0x1bca0, 0x1bca3, UNICODE_INVISIBLE}, {0x1d173, 0x1d17a, UNICODE_INVISIBLE},
	{0xe0000, 0xe007f, UNICODE_INVISIBLE},
};

enum unicode_hidden unicode_hidden_kind(unsigned cp)
{
	if (cp < 0xa0)
		return UNICODE_SHOWN; /* the common case, and no entry is below */
	size_t lo = 0, hi = sizeof hidden / sizeof *hidden;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < hidden[mid].lo)
			hi = mid;
		else if (cp > hidden[mid].hi)
			lo = mid + 1;
		else
			return hidden[mid].kind;
	}
	return UNICODE_SHOWN;
}

int unicode_is_invisible_format(unsigned cp)
{
	return unicode_hidden_kind(cp) == UNICODE_INVISIBLE;
}

void buf_put_safe(struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			buf_putc(b, (char)c);
			i++;
			continue;
		}
		unsigned cp;
		int len = c >= 0x80 ? utf8_decode(s + i, n - i, &cp) : 0;
		if (len == 0) {
			buf_printf(b, "\\x%02x", c);
			i++;
		} else if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 ||
			   unicode_is_invisible_format(cp)) {
			/* the separators: a message is one line, also to the
			 * tools that split lines at them */
			buf_printf(b, "\\u{%04x}", cp);
			i += (size_t)len;
		} else {
			buf_add(b, s + i, (size_t)len);
			i += (size_t)len;
		}
	}
}

long long monotonic_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
