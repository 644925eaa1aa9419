/* ui/text: untrusted UTF-8 in, wide characters that are safe to draw and
 * whose cell widths match the screen out. Every path (measuring, fitting,
 * wrapping) goes through next_glyph(), so the three can never disagree about
 * how wide a piece of text is. */
#define _GNU_SOURCE /* wcwidth() */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "lede/ui/text.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lede/util.h"

/* Code points are stored as they are in wchar_t: glibc's wchar_t is UCS-4. */
_Static_assert(WCHAR_MAX >= 0x10ffff, "wchar_t must hold any Unicode code point");

#define REPLACEMENT 0xfffd

/* One unit of output: the wide character drawn for the bytes s[i..i+len). */
struct glyph {
	wchar_t wc;
	int width;
	size_t len;
};

/* The UI's glyphs: Unicode, and the ASCII that stands in for it. */
static const struct {
	wchar_t wc;
	const char *utf8, *ascii;
} glyph_table[TEXT_GLYPH_COUNT] = {
	[TEXT_GLYPH_SEPARATOR] = {0x2502, "\xe2\x94\x82", "|"},
	[TEXT_GLYPH_ELLIPSIS] = {0x2026, "\xe2\x80\xa6", "~"},
	[TEXT_GLYPH_ARROW] = {0x2192, "\xe2\x86\x92", ">"},
	[TEXT_GLYPH_SORT_DESC] = {0x25bc, "\xe2\x96\xbc", "v"},
	[TEXT_GLYPH_SORT_ASC] = {0x25b2, "\xe2\x96\xb2", "^"},
};

/* Chosen once by text_glyphs_choose (on first use when never called). */
static bool glyphs_chosen, ascii_only;
static const char *chosen[TEXT_GLYPH_COUNT];
static wchar_t chosen_wc[TEXT_GLYPH_COUNT];
static int chosen_width[TEXT_GLYPH_COUNT];

static void glyphs_ready(void)
{
	if (!glyphs_chosen)
		text_glyphs_choose(TEXT_ASCII_AUTO);
}

/* The locale decides whether a character can be drawn in one cell; when it
 * cannot (a non-UTF-8 locale), or ASCII was chosen, ASCII is the fallback. */
static wchar_t one_cell(wchar_t wc, wchar_t fallback)
{
	glyphs_ready();
	return !ascii_only && wcwidth(wc) == 1 ? wc : fallback;
}

bool text_locale_is_cjk(const char *name)
{
	static const char *const langs[] = {"ja", "ko", "zh", "yue"};
	if (!name)
		return false;
	size_t n = strcspn(name, "_.@");
	for (size_t i = 0; i < sizeof langs / sizeof *langs; i++)
		if (n == strlen(langs[i]) && !strncmp(name, langs[i], n))
			return true;
	return false;
}

void text_glyphs_choose(enum text_ascii mode)
{
	ascii_only = mode == TEXT_ASCII_YES ||
		     (mode == TEXT_ASCII_AUTO && text_locale_is_cjk(setlocale(LC_CTYPE, NULL)));
	glyphs_chosen = true;
	for (int g = 0; g < TEXT_GLYPH_COUNT; g++) {
		bool unicode = one_cell(glyph_table[g].wc, 0) != 0;
		chosen[g] = unicode ? glyph_table[g].utf8 : glyph_table[g].ascii;
		chosen_wc[g] = unicode ? glyph_table[g].wc : (wchar_t)glyph_table[g].ascii[0];
		chosen_width[g] = text_width(chosen[g], strlen(chosen[g]));
	}
}

bool text_glyphs_ascii(void)
{
	glyphs_ready();
	return ascii_only;
}

const char *text_glyph(enum text_glyph g)
{
	glyphs_ready();
	return chosen[g];
}

int text_glyph_width(enum text_glyph g)
{
	glyphs_ready();
	return chosen_width[g];
}

static wchar_t replacement(int *width)
{
	*width = 1;
	return one_cell(REPLACEMENT, '?');
}

/* wcwidth() gives private-use characters one cell, but icon fonts draw many
 * of them two cells wide: the width math cannot be trusted for them. */
static bool is_private_use(unsigned cp)
{
	return (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000;
}

/* The ASCII look-alike of a typographic character, for a locale that
 * cannot draw it (not UTF-8): news text is full of curly quotes and dashes,
 * and "it?s" reads worse than "it's". 0 when there is none. */
static wchar_t look_alike(unsigned cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201a: case 0x201b: case 0x2032: case 0x02bc:
		return '\'';
	case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x2033: case 0x00ab:
	case 0x00bb:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
	case 0x2212:
		return '-';
	case 0x00a0: case 0x2002: case 0x2003: case 0x2009: case 0x202f:
		return ' ';
	case 0x2022: case 0x00b7:
		return '*';
	default:
		return 0;
	}
}

wchar_t text_safe_char(unsigned cp, int *width)
{
	if (cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x2028 || cp == 0x2029) {
		*width = 1;
		return ' ';
	}
	if (cp < 0x20 || cp == 0x7f) {
		*width = 1;
		return one_cell(cp == 0x7f ? 0x2421 : (wchar_t)(0x2400 + cp), '?');
	}
	if (cp < 0x7f) {
		*width = 1;
		return (wchar_t)cp;
	}
	/* C1 controls are checked by hand: a terminal may act on them, and a
	 * libc is free to give them a width. */
	if (cp <= 0x9f || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    unicode_is_invisible_format(cp) || is_private_use(cp))
		return replacement(width);
	int w = wcwidth((wchar_t)cp);
	wchar_t like = w < 0 ? look_alike(cp) : 0;
	if (like) {
		*width = 1;
		return like;
	}
	if (w < 0 || w > 2)
		return replacement(width);
	*width = w;
	return (wchar_t)cp;
}

/* Decode the glyph at s[i] (i < len). leading says nothing has been drawn
 * before it on this line: a combining mark there has no base to attach to,
 * and ncursesw would merge it into whatever cell precedes it on screen, so
 * it is shown as a replacement of width 1 instead. */
static void next_glyph(const char *s, size_t len, size_t i, bool leading, struct glyph *g)
{
	unsigned cp;
	int n = utf8_decode(s + i, len - i, &cp);
	if (n == 0) {
		/* One replacement per bad byte: resynchronise on the next one. */
		g->wc = replacement(&g->width);
		g->len = 1;
		return;
	}
	g->len = (size_t)n;
	g->wc = text_safe_char(cp, &g->width);
	if (g->width == 0 && leading)
		g->wc = replacement(&g->width);
}

int text_width(const char *s, size_t len)
{
	int cols = 0;
	for (size_t i = 0; i < len;) {
		struct glyph g;
		next_glyph(s, len, i, i == 0, &g);
		if (g.width > INT_MAX - cols)
			return INT_MAX;
		cols += g.width;
		i += g.len;
	}
	return cols;
}

/* Does s[0..len) fit in limit cells? Stops early: titles are fitted far more
 * often than they are short. */
static bool fits(const char *s, size_t len, int limit)
{
	int cols = 0;
	for (size_t i = 0; i < len;) {
		struct glyph g;
		next_glyph(s, len, i, i == 0, &g);
		if (g.width > limit - cols)
			return false;
		cols += g.width;
		i += g.len;
	}
	return true;
}

/* Highlight lookup. Glyphs are visited in byte order, so spans sorted by
 * start (what search_spans() gives) are walked once; any other order falls
 * back to checking every span. */
struct marks {
	const struct span *v;
	size_t n, k;
	bool sorted;
};

static void marks_init(struct marks *m, const struct span *v, size_t n)
{
	m->v = v;
	m->n = v ? n : 0;
	m->k = 0;
	m->sorted = true;
	for (size_t i = 1; i < m->n; i++)
		if (v[i].start < v[i - 1].start)
			m->sorted = false;
}

static bool overlaps(const struct span *sp, size_t start, size_t end)
{
	return sp->start < sp->end && sp->start < end && start < sp->end;
}

/* Is any byte of [start, end) marked? Calls must come in byte order. */
static bool marked(struct marks *m, size_t start, size_t end)
{
	if (!m->sorted) {
		for (size_t i = 0; i < m->n; i++)
			if (overlaps(&m->v[i], start, end))
				return true;
		return false;
	}
	/* A span ending before this glyph cannot cover a later one either. With
	 * spans sorted by start, the first that survives decides: any later one
	 * starts no earlier than it. */
	while (m->k < m->n &&
	       (m->v[m->k].end <= start || m->v[m->k].start >= m->v[m->k].end))
		m->k++;
	return m->k < m->n && overlaps(&m->v[m->k], start, end);
}

/* Room for need characters plus the terminating 0 in both arrays. */
static void reserve(struct fitted *f, size_t need)
{
	if (need + 1 <= f->cap)
		return;
	size_t cap = f->cap;
	f->wc = xgrow(f->wc, &cap, need + 1, sizeof *f->wc);
	f->hl = xrealloc(f->hl, cap);
	f->cap = cap;
}

static void push(struct fitted *f, wchar_t wc, int width, bool hl)
{
	reserve(f, f->n + 1);
	f->wc[f->n] = wc;
	f->hl[f->n] = hl;
	f->n++;
	f->wc[f->n] = 0;
	f->hl[f->n] = 0;
	f->cols += width;
}

void text_fitted_free(struct fitted *f)
{
	free(f->wc);
	free(f->hl);
	memset(f, 0, sizeof *f);
}

void text_fit(struct fitted *f, const char *s, size_t len, int width,
	      const struct span *spans, size_t nspans, bool pad)
{
	f->n = 0;
	f->cols = 0;
	reserve(f, 0);
	f->wc[0] = 0;
	f->hl[0] = 0;
	if (width < 1)
		return;

	/* A clipped line keeps its last cell for the ellipsis (one cell: the
	 * glyph table takes no other). */
	bool clip = !fits(s, len, width);
	int ellipsis = text_glyph_width(TEXT_GLYPH_ELLIPSIS);
	int room = clip ? width - ellipsis : width;
	struct marks m;
	marks_init(&m, spans, nspans);
	for (size_t i = 0; i < len;) {
		struct glyph g;
		next_glyph(s, len, i, f->n == 0, &g);
		/* Combining marks (width 0) still fit when the room is used up:
		 * they belong to the character before them. */
		if (g.width > room - f->cols)
			break;
		push(f, g.wc, g.width, marked(&m, i, i + g.len));
		i += g.len;
	}
	if (clip) {
		/* Only a wide character that did not fit can leave a gap here. */
		while (f->cols < room)
			push(f, ' ', 1, false);
		push(f, chosen_wc[TEXT_GLYPH_ELLIPSIS], ellipsis, false);
	}
	while (pad && f->cols < width)
		push(f, ' ', 1, false);
}

/* Spaces a line may break at. CR counts: it is drawn as a space, and CRLF
 * files would otherwise end every line with one. */
static bool is_break_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct lines {
	struct span *v;
	size_t n, cap;
};

static void add_line(struct lines *l, size_t start, size_t end)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = (struct span){start, end};
}

/* Wrap one paragraph, s[start..end) with no '\n' inside, greedily. It always
 * adds at least one line, so an empty paragraph stays an empty line. */
static void wrap_paragraph(const char *s, size_t start, size_t end, int width, struct lines *out)
{
	size_t ls = start; /* where the line being built starts */
	bool first = true;
	while (first || ls < end) {
		int cols = 0;
		size_t i = ls, line_end, next;
		bool can_break = false;
		size_t brk_end = ls, brk_next = ls; /* the last space run seen */
		for (;;) {
			if (i >= end) {
				line_end = end;
				while (line_end > ls && is_break_space(s[line_end - 1]))
					line_end--;
				next = end;
				break;
			}
			if (is_break_space(s[i])) {
				size_t j = i;
				while (j < end && is_break_space(s[j]))
					j++;
				if (j - i <= (size_t)(width - cols)) {
					can_break = true;
					brk_end = i;
					brk_next = j;
					cols += (int)(j - i);
					i = j;
					continue;
				}
				line_end = i;
				next = j;
				break;
			}
			struct glyph g;
			next_glyph(s, end, i, i == ls, &g);
			if (g.width <= width - cols) {
				cols += g.width;
				i += g.len;
				continue;
			}
			if (can_break) {
				line_end = brk_end;
				next = brk_next;
			} else if (i > ls) {
				/* A word longer than the line: break inside it. A
				 * combining mark always fits, so this is never before
				 * one. */
				line_end = next = i;
			} else {
				/* One character wider than the whole line: alone on
				 * the line with its combining marks, overflowing, so
				 * that wrapping makes progress. */
				size_t k = i + g.len;
				while (k < end) {
					struct glyph z;
					next_glyph(s, end, k, false, &z);
					if (z.width > 0)
						break;
					k += z.len;
				}
				line_end = next = k;
			}
			break;
		}
		if (line_end == ls && next > ls) {
			/* Nothing but indentation before the break: drop the
			 * indentation rather than leave an empty line. */
			ls = next;
			continue;
		}
		add_line(out, ls, line_end);
		first = false;
		ls = next;
	}
}

size_t text_wrap(const char *s, size_t len, int width, struct span **lines)
{
	*lines = NULL;
	if (width < 1)
		return 0;
	struct lines out = {0};
	if (len == 0) {
		add_line(&out, 0, 0);
	} else {
		/* A final '\n' ends the last line: the loop stops when the text
		 * does, not one empty paragraph later. */
		size_t p = 0;
		do {
			const char *nl = memchr(s + p, '\n', len - p);
			size_t pend = nl ? (size_t)(nl - s) : len;
			wrap_paragraph(s, p, pend, width, &out);
			p = pend + 1;
		} while (p < len);
	}
	*lines = out.v;
	return out.n;
}
