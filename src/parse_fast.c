/* parse_fast: the scanner behind parse.c's fast path (see parse_fast.h for
 * the shape it takes). It recurses once per level of nesting and gives up
 * past MAX_DEPTH. */
#include "lede/parse_fast.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 24, MAX_KEY = 1000 };

/* Would libyaml's reader take every byte? It refuses invalid UTF-8 and
 * what YAML calls non-printable; tabs, carriage returns, NEL and the line
 * and paragraph separators are allowed by it but change how lines and
 * blanks are read, so they go to libyaml too, as does a BOM. */
static bool plain_bytes(const char *s, const char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t lows = 0x7f7f7f7f7f7f7f7full;
	while (s < end) {
		/* Eight bytes at once: a byte is fine when it is printable ASCII
		 * or a newline. Each test below is exact byte by byte (no carry
		 * crosses a byte), so the first byte that is not fine is found
		 * too, and only it goes through the slow test. */
		if (end - s >= 8) {
			uint64_t x, nl, del;
			memcpy(&x, s, 8);
			uint64_t low = x & lows;
			uint64_t ge20 = (low + 0x60 * ones) & highs; /* >= 0x20, if < 0x80 */
			nl = x ^ (0x0a * ones);
			nl = ~(((nl & lows) + lows) | nl) & highs; /* == '\n' */
			del = x ^ (0x7f * ones);
			del = ~(((del & lows) + lows) | del) & highs; /* == 0x7f */
			uint64_t bad = ((~ge20 & highs & ~nl) | del | x) & highs;
			if (!bad) {
				s += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			s += __builtin_ctzll(bad) / 8; /* the first of them */
#endif
		}
		unsigned char c = (unsigned char)*s;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return false;
			s++;
			continue;
		}
		unsigned cp;
		int n = utf8_decode(s, (size_t)(end - s), &cp);
		if (!n || cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
		    (cp >= 0xfffe && cp <= 0xffff))
			return false;
		s += n;
	}
	return true;
}

/* Move to the next line that holds something: blank lines and comment
 * lines are nothing to libyaml either. */
static void fast_line(struct parse_fast *f, const char *from)
{
	while (from < f->end) {
		const char *e = memchr(from, '\n', (size_t)(f->end - from));
		if (!e)
			e = f->end;
		const char *c = from;
		while (c < e && *c == ' ')
			c++;
		if (c < e && *c != '#') {
			f->ls = from;
			f->le = e;
			f->ind = (size_t)(c - from);
			f->eof = false;
			/* a document marker where a key could be */
			if (f->ind == 0 && e - c >= 3 &&
			    (!memcmp(c, "---", 3) || !memcmp(c, "...", 3)))
				f->bad = true;
			return;
		}
		from = e + 1;
	}
	f->eof = true;
	f->ls = f->le = f->end;
	f->ind = 0;
}

static void fast_after(struct parse_fast *f)
{
	fast_line(f, f->le < f->end ? f->le + 1 : f->end);
}

/* Append to the values: room was made for them all up front (see
 * parse_fast_scan), so this is a copy, rarely a growth. */
static inline void val_add(struct parse_fast *f, const char *s, size_t n)
{
	if (f->val.cap - f->val.len < n + 1)
		f->val.data = xgrow(f->val.data, &f->val.cap, f->val.len + n + 1, 1);
	memcpy(f->val.data + f->val.len, s, n);
	f->val.len += n;
}

static void emit(struct parse_fast *f, yaml_event_type_t type)
{
	if (f->nev == f->maxev) {
		/* Denser than any real article: the events would outweigh the
		 * text. Once bad they are never read, so the first is reused. */
		f->bad = true;
		f->nev = 0;
	}
	f->ev = xgrow(f->ev, &f->capev, f->nev + 1, sizeof *f->ev);
	f->ev[f->nev++] =
		(struct parse_fast_event){0, 0, (unsigned char)type, YAML_ANY_SCALAR_STYLE};
}

static void emit_scalar(struct parse_fast *f, yaml_scalar_style_t style, size_t off)
{
	emit(f, YAML_SCALAR_EVENT);
	struct parse_fast_event *e = &f->ev[f->nev - 1];
	e->style = (unsigned char)style;
	e->off = (uint32_t)off;
	e->len = (uint32_t)(f->val.len - off);
	val_add(f, "", 1); /* the NUL; len leaves it out */
}

/* Where a plain scalar that starts at s ends on its line: at " #" or the
 * line's end, trailing spaces left out. *key: it ends with ": " or ":" at
 * the end instead, so it is a key (*colon at the ':'). */
static const char *plain_end(const char *s, const char *e, bool *key, const char **colon)
{
	*key = false;
	const char *p = s;
	for (; p < e; p++) {
		if (*p == ':' && (p + 1 == e || p[1] == ' ')) {
			*key = true;
			*colon = p;
			break;
		}
		if (*p == '#' && p > s && p[-1] == ' ')
			break;
	}
	while (p > s && p[-1] == ' ')
		p--;
	return p;
}

/* Can a plain scalar start with c, followed by next (0 at the end)? */
static bool plain_start(char c, char next)
{
	if (strchr(",[]{}#&*!|>'\"%@`", c))
		return false;
	if (c == '-' || c == '?' || c == ':')
		return next && next != ' ';
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* A double-quoted scalar that opens at s and closes on its line; returns
 * what follows the closing quote, or NULL (outside the shape). */
static const char *fast_quoted(struct parse_fast *f, const char *s, const char *e)
{
	size_t off = f->val.len;
	const char *p = s + 1, *quote = NULL;
	for (;;) {
		/* the closing quote, unless an escape comes first; the quote
		 * found stays good until an escape is read past it, so that a
		 * line of many escapes is not searched to its end for each */
		if (!quote || quote < p) {
			quote = memchr(p, '"', (size_t)(e - p));
			if (!quote)
				quote = e;
		}
		const char *q = quote, *bs;
		if ((bs = memchr(p, '\\', (size_t)(q - p))))
			q = bs;
		val_add(f, p, (size_t)(q - p));
		if (q == e)
			return NULL; /* goes on to the next line */
		if (*q == '"') {
			p = q + 1;
			break;
		}
		if (q + 1 == e)
			return NULL;
		char c = q[1];
		p = q + 2;
		static const char from[] = "0abtnvfre \"/\\", to[] = "\0\a\b\t\n\v\f\r\x1b \"/\\";
		const char *k = strchr(from, c);
		if (c && k) {
			val_add(f, &to[k - from], 1);
			continue;
		}
		int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
		if (!digits || e - p < digits)
			return NULL; /* \N \_ \L \P and the unknown: libyaml */
		unsigned cp = 0;
		for (int i = 0; i < digits; i++) {
			int h = hexval(p[i]);
			if (h < 0)
				return NULL;
			cp = cp << 4 | (unsigned)h;
		}
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return NULL;
		buf_put_utf8(&f->val, cp);
		p += digits;
	}
	emit_scalar(f, YAML_DOUBLE_QUOTED_SCALAR_STYLE, off);
	return p;
}

/* The rest of a line after a value must be blank, or a comment after a
 * blank. */
static bool line_done(const char *p, const char *e)
{
	const char *q = p;
	while (q < e && *q == ' ')
		q++;
	return q == e || (*q == '#' && q > p);
}

/* A value that starts at s on the current line, then the next line, which
 * must not be indented more than limit (that would continue the scalar or
 * be out of place). */
static void fast_scalar(struct parse_fast *f, const char *s, size_t limit)
{
	const char *e = f->le;
	if (*s == '"') {
		const char *after = fast_quoted(f, s, e);
		if (!after || !line_done(after, e)) {
			f->bad = true;
			return;
		}
	} else {
		bool key;
		const char *colon;
		if (!plain_start(*s, s + 1 < e ? s[1] : 0)) {
			f->bad = true;
			return;
		}
		const char *end = plain_end(s, e, &key, &colon);
		if (key) { /* "a: b: c" is an error for libyaml to word */
			f->bad = true;
			return;
		}
		size_t off = f->val.len;
		val_add(f, s, (size_t)(end - s));
		emit_scalar(f, YAML_PLAIN_SCALAR_STYLE, off);
	}
	fast_after(f);
	if (!f->eof && f->ind > limit)
		f->bad = true;
}

static void fast_sequence(struct parse_fast *f, size_t col);

static bool is_item(const struct parse_fast *f)
{
	const char *c = f->ls + f->ind;
	return *c == '-' && (c + 1 == f->le || c[1] == ' ');
}

/* A block mapping whose first key starts at s, in column col; its other
 * keys start lines indented by col. Ends on the first line indented less,
 * or at the end. */
static void fast_mapping(struct parse_fast *f, const char *s, size_t col)
{
	if (++f->depth > MAX_DEPTH) {
		f->bad = true;
		return;
	}
	emit(f, YAML_MAPPING_START_EVENT);
	for (;;) {
		const char *e = f->le, *colon;
		bool key;
		if (!plain_start(*s, s + 1 < e ? s[1] : 0)) {
			f->bad = true;
			return;
		}
		const char *kend = plain_end(s, e, &key, &colon);
		if (!key || kend - s > MAX_KEY || kend == s) {
			f->bad = true;
			return;
		}
		size_t off = f->val.len;
		val_add(f, s, (size_t)(kend - s));
		emit_scalar(f, YAML_PLAIN_SCALAR_STYLE, off);

		const char *v = colon + 1;
		while (v < e && *v == ' ')
			v++;
		if (v < e && *v != '#') {
			fast_scalar(f, v, col);
		} else {
			/* the value is on the lines below, or null */
			fast_after(f);
			if (!f->eof && f->ind > col) {
				if (is_item(f))
					fast_sequence(f, f->ind);
				else
					fast_mapping(f, f->ls + f->ind, f->ind);
			} else if (!f->eof && f->ind == col && is_item(f)) {
				fast_sequence(f, col);
			} else {
				off = f->val.len;
				emit_scalar(f, YAML_PLAIN_SCALAR_STYLE, off);
			}
		}
		if (f->bad)
			return;
		if (f->eof || f->ind < col)
			break;
		if (f->ind > col || is_item(f)) {
			f->bad = true;
			return;
		}
		s = f->ls + f->ind;
	}
	emit(f, YAML_MAPPING_END_EVENT);
	f->depth--;
}

/* A block sequence of "- " items in column col, the current line the
 * first. */
static void fast_sequence(struct parse_fast *f, size_t col)
{
	if (++f->depth > MAX_DEPTH) {
		f->bad = true;
		return;
	}
	emit(f, YAML_SEQUENCE_START_EVENT);
	while (!f->bad) {
		const char *e = f->le, *s = f->ls + f->ind + 1;
		while (s < e && *s == ' ')
			s++;
		if (s == e || *s == '#' || (*s == '-' && (s + 1 == e || s[1] == ' '))) {
			f->bad = true; /* an item on the lines below, or a list in a list */
			return;
		}
		size_t icol = (size_t)(s - f->ls);
		bool key = false;
		const char *colon;
		if (*s != '"')
			plain_end(s, e, &key, &colon);
		if (key)
			fast_mapping(f, s, icol);
		else
			fast_scalar(f, s, col);
		if (f->bad)
			return;
		if (f->eof || f->ind < col || (f->ind == col && !is_item(f)))
			break;
		if (f->ind > col) {
			f->bad = true;
			return;
		}
	}
	emit(f, YAML_SEQUENCE_END_EVENT);
	f->depth--;
}

/* The events of the front matter s[0..n), which starts with its fence
 * line; false when it is not of the shape the fast path knows. */
bool parse_fast_scan(struct parse_fast *f, const char *s, size_t n)
{
	f->end = s + n;
	if (n > UINT32_MAX / 2 || !plain_bytes(s, f->end))
		return false;
	/* Room enough from the start: values are no longer than the text, and
	 * a real article gives an event for every 30 bytes or so; the events
	 * may grow to one every 8 bytes (1.5 times the text), no further. */
	f->val.cap = n + 64;
	f->val.data = xmalloc(f->val.cap);
	f->maxev = n / 8 + 64;
	f->capev = n / 24 + 16;
	f->ev = xmalloc(f->capev * sizeof *f->ev);
	const char *first = memchr(s, '\n', n);
	fast_line(f, first ? first + 1 : f->end);
	if (f->eof || f->ind != 0 || is_item(f))
		return false; /* empty, or not a mapping: libyaml words it */
	emit(f, YAML_STREAM_START_EVENT);
	emit(f, YAML_DOCUMENT_START_EVENT);
	fast_mapping(f, f->ls, 0);
	if (f->bad || !f->eof)
		return false;
	emit(f, YAML_DOCUMENT_END_EVENT);
	emit(f, YAML_STREAM_END_EVENT);
	return true;
}

bool parse_fast_event(const struct parse_fast *f, size_t i, yaml_event_t *ev)
{
	if (i >= f->nev)
		return false;
	const struct parse_fast_event *e = &f->ev[i];
	ev->type = (yaml_event_type_t)e->type;
	if (e->type == YAML_SCALAR_EVENT) {
		ev->data.scalar.value = (yaml_char_t *)f->val.data + e->off;
		ev->data.scalar.length = e->len;
		ev->data.scalar.style = (yaml_scalar_style_t)e->style;
	}
	return true;
}

void parse_fast_free(struct parse_fast *f)
{
	free(f->ev);
	buf_free(&f->val);
}
