/* output: --list and --json writers, and checked standard output. */
#include "lede/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lede/date.h"
#include "lede/query.h"

/* Does the code point need a \u or \U escape in --list? The line and
 * paragraph separators would break the record over several lines on
 * screen; invisible format characters hide or reorder what a person reads. */
static bool list_escapes_char(unsigned cp)
{
	return cp == 0x2028 || cp == 0x2029 || unicode_hidden_kind(cp) == UNICODE_INVISIBLE;
}

/* Eight bytes at a time: does the word hold a byte below n (n <= 0x80),
 * or a byte equal to c? Either may say yes for a word that holds none
 * (the caller then looks byte by byte), never no for one that does. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static inline uint64_t word_has_less(uint64_t w, unsigned n)
{
	return (w - ONES * n) & ~w & HIGHS;
}

static inline uint64_t word_has(uint64_t w, unsigned char c)
{
	return word_has_less(w ^ (ONES * c), 1);
}

/* How many bytes from s on are printable ASCII other than the backslash
 * and `also` (0: none): the bytes both formats copy as they are. Words
 * first, each taken whole when none of its bytes can be special. */
static size_t plain_ascii_run(const char *s, size_t n, unsigned char also)
{
	size_t i = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w & HIGHS) | word_has_less(w, 0x20) | word_has(w, 0x7f) | word_has(w, '\\') |
		    (also ? word_has(w, also) : 0))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '\\' || (also && c == also))
			break;
	}
	return i;
}

static const char hex_digits[] = "0123456789abcdef";

/* \x followed by the byte in two hex digits. */
static void put_hex_byte(struct buf *b, unsigned char x)
{
	char e[4] = {'\\', 'x', hex_digits[x >> 4], hex_digits[x & 15]};
	buf_add(b, e, 4);
}

/* \u and four hex digits, or \U and eight above U+FFFF. */
static void put_list_code_point(struct buf *b, unsigned cp)
{
	char e[10];
	int digits = cp > 0xffff ? 8 : 4;
	e[0] = '\\';
	e[1] = cp > 0xffff ? 'U' : 'u';
	for (int k = 0; k < digits; k++)
		e[2 + k] = hex_digits[cp >> (4 * (digits - 1 - k)) & 15];
	buf_add(b, e, (size_t)(2 + digits));
}

/* Escape what starts s[0..n) (a byte that --list does not copy as it is):
 * returns how many bytes of s that took. */
static size_t list_escape_one(struct buf *b, const char *s, size_t n, unsigned cp, int len)
{
	unsigned char c = (unsigned char)s[0];
	if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
		char e[2] = {'\\', c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\'};
		buf_add(b, e, 2);
		return 1;
	}
	if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
		/* a control character, or a byte that is not UTF-8: its bytes,
		 * each as \xHH (a C1 control is two of them) */
		size_t k = len ? (size_t)len : 1;
		for (size_t m = 0; m < k && m < n; m++)
			put_hex_byte(b, (unsigned char)s[m]);
		return k;
	}
	put_list_code_point(b, cp);
	return (size_t)len;
}

void output_list_escape(struct buf *b, const char *s, size_t n)
{
	/* s[start..i) is copied as it is, in one piece, once something that
	 * needs an escape (or the end) is met: most fields are one run. */
	size_t start = 0, i = 0;
	while (i < n) {
		i += plain_ascii_run(s + i, n - i, 0);
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		unsigned cp = c;
		int len = 1;
		if (c >= 0x80) {
			len = utf8_decode(s + i, n - i, &cp);
			if (len && cp > 0x9f && !list_escapes_char(cp)) {
				i += (size_t)len; /* shown as it is: the run goes on */
				continue;
			}
		}
		buf_add(b, s + start, i - start);
		i += list_escape_one(b, s + i, n - i, cp, len);
		start = i;
	}
	buf_add(b, s + start, n - start);
}

static void list_field(struct buf *b, const char *s)
{
	if (s)
		output_list_escape(b, s, strlen(s));
}

/* v in decimal, as printf's %lld writes it. */
static void put_int(struct buf *b, long long v)
{
	char d[24], *e = d + sizeof d, *p = e;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(e - p));
}

void output_list_line(struct buf *b, const struct article *a)
{
	if (a->has & HAS_DATE) {
		char d[DATE_ISO_LEN + 1];
		date_format_iso(a->date, d);
		buf_add(b, d, DATE_ISO_LEN);
	}
	buf_putc(b, '\t');
	if (article_score_known(a->has, HAS_QUALITY, a->quality))
		put_int(b, a->quality);
	buf_putc(b, '\t');
	if (article_score_known(a->has, HAS_HEAT, a->heat))
		put_int(b, a->heat);
	buf_putc(b, '\t');
	list_field(b, a->provider.name);
	buf_putc(b, '\t');
	list_field(b, a->title);
	buf_putc(b, '\t');
	list_field(b, a->web_url);
	buf_putc(b, '\n');
}

/* \u and the four hex digits of a UTF-16 code unit. */
static void put_json_unit(struct buf *b, unsigned u)
{
	char e[6] = {'\\', 'u', hex_digits[u >> 12 & 15], hex_digits[u >> 8 & 15],
		     hex_digits[u >> 4 & 15], hex_digits[u & 15]};
	buf_add(b, e, 6);
}

/* Escape the character at s[0..n) (not plain ASCII): returns how many
 * bytes of s it took. */
static size_t json_escape_one(struct buf *b, const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	unsigned cp = c;
	int len = 1;
	if (c >= 0x80 && !(len = utf8_decode(s, n, &cp))) {
		cp = 0xfffd; /* not UTF-8: the replacement character */
		len = 1;
	}
	const char *short_form = NULL;
	switch (cp) {
	case '"': short_form = "\\\""; break;
	case '\\': short_form = "\\\\"; break;
	case '\n': short_form = "\\n"; break;
	case '\r': short_form = "\\r"; break;
	case '\t': short_form = "\\t"; break;
	case '\b': short_form = "\\b"; break;
	case '\f': short_form = "\\f"; break;
	default: break;
	}
	if (short_form) {
		buf_add(b, short_form, 2);
	} else if (cp >= 0x10000) {
		put_json_unit(b, 0xd800 + ((cp - 0x10000) >> 10));
		put_json_unit(b, 0xdc00 + ((cp - 0x10000) & 0x3ff));
	} else {
		put_json_unit(b, cp);
	}
	return (size_t)len;
}

void output_json_string(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t run = plain_ascii_run(s + i, n - i, '"');
		buf_add(b, s + i, run);
		if ((i += run) < n)
			i += json_escape_one(b, s + i, n - i);
	}
	buf_putc(b, '"');
}

static void key(struct buf *b, bool *first, const char *k)
{
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	buf_putc(b, '"');
	buf_puts(b, k);
	buf_add(b, "\":", 2);
}

static void jstr(struct buf *b, bool *first, const char *k, const char *v)
{
	key(b, first, k);
	if (v)
		output_json_string(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static bool valid_utf8(const char *s, size_t n)
{
	unsigned cp;
	for (size_t i = 0; i < n;) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len)
			return false;
		i += (size_t)len;
	}
	return true;
}

static void base64(struct buf *b, const unsigned char *s, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		char q[4] = {digits[v >> 18], digits[v >> 12 & 63],
			     i + 1 < n ? digits[v >> 6 & 63] : '=', i + 2 < n ? digits[v & 63] : '='};
		buf_add(b, q, 4);
	}
}

/* A file name: a JSON string, which cannot hold bytes that are not UTF-8
 * (they become U+FFFD there); for such a name, k + "Base64" holds its exact
 * bytes too, so that the file can be found again. */
static void jpath(struct buf *b, bool *first, const char *k, const char *path)
{
	jstr(b, first, k, path);
	if (!path || valid_utf8(path, strlen(path)))
		return;
	char *kb = xasprintf("%sBase64", k);
	key(b, first, kb);
	free(kb);
	buf_putc(b, '"');
	base64(b, (const unsigned char *)path, strlen(path));
	buf_putc(b, '"');
}

static void jint(struct buf *b, bool *first, const char *k, bool has, long long v)
{
	key(b, first, k);
	if (has)
		put_int(b, v);
	else
		buf_puts(b, "null");
}

static void jbool(struct buf *b, bool *first, const char *k, bool has, bool v)
{
	key(b, first, k);
	buf_puts(b, !has ? "null" : v ? "true" : "false");
}

static void jdate(struct buf *b, bool *first, const char *k, bool has, int64_t t)
{
	key(b, first, k);
	if (!has) {
		buf_puts(b, "null");
		return;
	}
	char d[DATE_ISO_LEN + 1];
	date_format_iso(t, d);
	buf_putc(b, '"');
	buf_add(b, d, DATE_ISO_LEN);
	buf_putc(b, '"');
}

static void jimages(struct buf *b, bool *first, const struct image *im, size_t n)
{
	key(b, first, "images");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		bool f = true;
		buf_puts(b, i ? ",{" : "{");
		jstr(b, &f, "url", im[i].url);
		jint(b, &f, "width", im[i].has & HAS_WIDTH, im[i].width);
		jint(b, &f, "height", im[i].has & HAS_HEIGHT, im[i].height);
		jstr(b, &f, "title", im[i].title);
		jbool(b, &f, "isCached", im[i].has & HAS_CACHED, im[i].is_cached);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

/* A list of strings under k, only when it has any: the keys of a site's
 * records are left out of the news stories that have none of them. */
static void jstrs(struct buf *b, bool *first, const char *k, const char *const *v, size_t n)
{
	if (!n)
		return;
	key(b, first, k);
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		output_json_string(b, v[i], strlen(v[i]));
	}
	buf_putc(b, ']');
}

static void jprovider(struct buf *b, bool *first, const struct provider *p)
{
	bool f = true;
	key(b, first, "provider");
	buf_putc(b, '{');
	jstr(b, &f, "name", p->name);
	jstr(b, &f, "domain", p->domain);
	jimages(b, &f, p->images, p->nimages);
	jstrs(b, &f, "authors", p->authors, p->nauthors);
	buf_putc(b, '}');
}

/* A site's record's own fields, each only when present: its name, the
 * src of its player, its items and its actions. */
static void jsite(struct buf *b, bool *first, const struct article *a)
{
	if (a->name)
		jstr(b, first, "name", a->name);
	if (a->player)
		jstr(b, first, "player", a->player);
	jstrs(b, first, "items", a->items, a->nitems);
	if (!a->nactions)
		return;
	key(b, first, "actions");
	buf_putc(b, '[');
	for (size_t i = 0; i < a->nactions; i++) {
		bool g = true;
		buf_puts(b, i ? ",{" : "{");
		jstr(b, &g, "title", a->actions[i].title);
		jstr(b, &g, "url", a->actions[i].url);
		jstr(b, &g, "type", a->actions[i].type);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

void output_json_line(struct buf *b, const struct store *s, const struct article *a,
		      unsigned marks)
{
	output_json_line_in(b, s, a, marks, NULL);
}

/* "paths": the story's other files, and their bytes when one of them is
 * not UTF-8. */
static void jpaths(struct buf *b, bool *first, const char *const *paths, size_t n)
{
	if (!n)
		return;
	bool all_utf8 = true;
	key(b, first, "paths");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		output_json_string(b, paths[i], strlen(paths[i]));
		all_utf8 = all_utf8 && valid_utf8(paths[i], strlen(paths[i]));
	}
	buf_putc(b, ']');
	if (all_utf8)
		return;
	key(b, first, "pathsBase64");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, i ? ",\"" : "\"");
		base64(b, (const unsigned char *)paths[i], strlen(paths[i]));
		buf_putc(b, '"');
	}
	buf_putc(b, ']');
}

void output_json_line_in(struct buf *b, const struct store *s, const struct article *a,
			 unsigned marks, const struct output_json_extra *x)
{
	bool f = true;
	buf_putc(b, '{');
	jpath(b, &f, "path", a->path);
	jstr(b, &f, "category", a->category);
	jstr(b, &f, "type", a->type);
	jstr(b, &f, "title", a->title);
	jstr(b, &f, "excerpt", a->excerpt);
	jsite(b, &f, a);
	jdate(b, &f, "publishedDateTime", a->has & HAS_DATE, a->date);
	jstr(b, &f, "originalUrl", a->original_url);
	jstr(b, &f, "webUrl", a->web_url);
	jstr(b, &f, "ampWebUrl", a->amp_web_url);
	jstr(b, &f, "cdnAmpWebUrl", a->cdn_amp_web_url);
	jint(b, &f, "quality", a->has & HAS_QUALITY, a->quality);
	jint(b, &f, "heat", a->has & HAS_HEAT, a->heat);
	jbool(b, &f, "published", a->has & HAS_PUBLISHED, a->published);
	jbool(b, &f, "read", true, marks & MARK_READ);
	jbool(b, &f, "starred", true, marks & MARK_STARRED);
	jprovider(b, &f, &a->provider);
	key(b, &f, "topics");
	buf_putc(b, '[');
	for (size_t i = 0; i < a->ntopics; i++) {
		if (i)
			buf_putc(b, ',');
		output_json_string(b, a->topics[i], strlen(a->topics[i]));
	}
	buf_putc(b, ']');
	jimages(b, &f, a->images, a->nimages);
	key(b, &f, "related");
	buf_putc(b, '[');
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		bool g = true;
		buf_puts(b, i ? ",{" : "{");
		jstr(b, &g, "title", r->title);
		jstr(b, &g, "excerpt", r->excerpt);
		jdate(b, &g, "publishedDateTime", r->has & HAS_DATE, r->date);
		jstr(b, &g, "webUrl", r->web_url);
		jstr(b, &g, "ampWebUrl", r->amp_web_url);
		jstr(b, &g, "cdnAmpWebUrl", r->cdn_amp_web_url);
		jstr(b, &g, "type", r->type);
		jprovider(b, &g, &r->provider);
		jint(b, &g, "quality", r->has & HAS_QUALITY, r->quality);
		jimages(b, &g, r->images, r->nimages);
		jpath(b, &g, "localPath",
		     r->local >= 0 && (size_t)r->local < s->n ? s->v[r->local]->path : NULL);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	if (x)
		jpaths(b, &f, x->paths, x->npaths);
	if (x && x->cluster) /* an article alone has no such field */
		jstr(b, &f, "cluster", x->cluster);
	buf_puts(b, "}\n");
}

/* The loading line ----------------------------------------------------------- */

/* How many columns the line may take on the terminal at fd: its width less
 * one, as writing into the last column leaves the cursor in a pending-wrap
 * state that terminals settle differently. */
static size_t line_room(int fd)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 79; /* not told: the usual 80 columns */
	return (size_t)ws.ws_col - 1;
}

void output_progress(void *ctx, size_t done, size_t total)
{
	const struct output_progress *p = ctx;
	struct buf b = {0};
	buf_putc(&b, '\r');
	if (done != total) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		double secs = (double)(t.tv_sec - p->t0.tv_sec) +
			      (double)(t.tv_nsec - p->t0.tv_nsec) / 1e9;
		char *line = xasprintf("lede: loading %zu/%zu files (%.0f/s)", done, total,
				       secs > 0 ? (double)done / secs : 0.0);
		size_t n = strlen(line), room = line_room(p->fd);
		buf_add(&b, line, n < room ? n : room); /* ASCII: a byte a column */
		free(line);
	}
	/* a shorter line must not leave the end of a longer one; when done,
	 * the line is gone before any output */
	buf_puts(&b, "\033[K");
	for (size_t off = 0; off < b.len;) {
		ssize_t w = write(p->fd, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* nowhere to say it */
		off += (size_t)w;
	}
	buf_free(&b);
}

/* Standard output ---------------------------------------------------------- */

static bool stdout_closed;
static int stdout_err; /* the first error met, 0 while there is none */

bool output_stdout_guard(void)
{
	/* In order: open() gives the lowest free descriptor, so each one
	 * opened here lands on the slot it is meant to hold. */
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = true;
		int n = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY);
		if (n >= 0 && n != fd)
			close(n);
	}
	return stdout_closed;
}

int output_stdout_write(const void *s, size_t n)
{
	if (!stdout_err && n && stdout_closed)
		stdout_err = EBADF;
	if (!stdout_err && n) {
		errno = 0;
		if (fwrite(s, 1, n, stdout) != n)
			stdout_err = errno ? errno : EIO;
	}
	if (stdout_err) {
		errno = stdout_err;
		return -1;
	}
	return 0;
}

int output_stdout_close(void)
{
	errno = 0;
	if (!stdout_err && fflush(stdout) != 0)
		stdout_err = errno ? errno : EIO;
	/* an error met by a write that was not checked (none should be) */
	if (!stdout_err && ferror(stdout))
		stdout_err = EIO;
	errno = 0;
	if (fclose(stdout) != 0 && !stdout_err)
		stdout_err = errno ? errno : EIO;
	if (stdout_err) {
		errno = stdout_err;
		return -1;
	}
	return 0;
}
