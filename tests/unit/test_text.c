/* ui/text: replacement of unsafe characters, cell widths, fitting with an
 * ellipsis, highlight flags and word wrapping. */
/* wcwidth(); ncursesw's pkg-config flags may already ask for it. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lede/ui/text.h"

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "C.UTF-8 locale missing");
}

TestSuite(text, .init = utf8_locale);

/* Could a terminal act on this character? */
static bool is_control(wchar_t wc)
{
	return wc < 0x20 || (wc >= 0x7f && wc <= 0x9f);
}

/* --- text_safe_char ------------------------------------------------------ */

struct char_case {
	unsigned cp;
	wchar_t want;
	int width;
};

ParameterizedTestParameters(text, safe_char)
{
	static struct char_case cases[] = {
		/* 0 */ {'a', 'a', 1},
		/* 1 */ {' ', ' ', 1},
		/* 2 */ {'\t', ' ', 1},
		/* 3 */ {'\n', ' ', 1},
		/* 4 */ {'\r', ' ', 1},
		/* 5 */ {0x00, 0x2400, 1},
		/* 6 */ {0x1b, 0x241b, 1},
		/* 7 */ {0x07, 0x2407, 1},
		/* 8 */ {0x1f, 0x241f, 1},
		/* 9 */ {0x7f, 0x2421, 1},
		/* 10 */ {0x80, 0xfffd, 1},
		/* 11 */ {0x9b, 0xfffd, 1},
		/* 12 */ {0x9f, 0xfffd, 1},
		/* 13 */ {0xa0, 0xa0, 1},
		/* 14 */ {0xe9, 0xe9, 1},
		/* 15 */ {0x00ad, 0xfffd, 1},  /* soft hyphen */
		/* 16 */ {0x200b, 0xfffd, 1},  /* zero width space */
		/* 17 */ {0x200d, 0xfffd, 1},  /* zero width joiner */
		/* 18 */ {0x202e, 0xfffd, 1},  /* RLO */
		/* 19 */ {0x2067, 0xfffd, 1},  /* RLI */
		/* 20 */ {0xfeff, 0xfffd, 1},  /* BOM */
		/* 21 */ {0x2028, ' ', 1},
		/* 22 */ {0x2029, ' ', 1},
		/* 23 */ {0x0301, 0x0301, 0},  /* combining acute */
		/* 24 */ {0x65e5, 0x65e5, 2},  /* 日 */
		/* 25 */ {0x1f600, 0x1f600, 2}, /* grinning face */
		/* 26 */ {0x2026, 0x2026, 1},
		/* 27 */ {0x0378, 0xfffd, 1},  /* unassigned */
		/* 28 */ {0xe000, 0xfffd, 1},  /* private use */
		/* 29 */ {0x10fffd, 0xfffd, 1}, /* private use, plane 16 */
		/* 30 */ {0xd800, 0xfffd, 1},  /* surrogate */
		/* 31 */ {0x110000, 0xfffd, 1}, /* beyond Unicode */
		/* 32 */ {0xffffffffu, 0xfffd, 1},
	};
	return cr_make_param_array(struct char_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct char_case *c, text, safe_char)
{
	int width = -1;
	wchar_t wc = text_safe_char(c->cp, &width);
	cr_assert_eq(wc, c->want, "U+%04X: got U+%04X, want U+%04X", c->cp, (unsigned)wc,
		     (unsigned)c->want);
	cr_assert_eq(width, c->width, "U+%04X: width %d, want %d", c->cp, width, c->width);
}

/* Every code point: the result is never a control, never invisible
 * formatting, and its width is what wcwidth() says. */
Test(text, safe_char_every_code_point)
{
	for (unsigned cp = 0; cp <= 0x10ffff; cp++) {
		int width = -1;
		wchar_t wc = text_safe_char(cp, &width);
		cr_assert(!is_control(wc), "U+%04X gives control U+%04X", cp, (unsigned)wc);
		cr_assert(width >= 0 && width <= 2, "U+%04X: width %d", cp, width);
		cr_assert_eq(wcwidth(wc), width, "U+%04X: width %d, wcwidth %d", cp, width,
			     wcwidth(wc));
		cr_assert(!(wc >= 0x202a && wc <= 0x202e) && !(wc >= 0x2066 && wc <= 0x2069) &&
				  !(wc >= 0x200b && wc <= 0x200f) && wc != 0xfeff,
			  "U+%04X lets invisible U+%04X through", cp, (unsigned)wc);
	}
}

/* --- text_width ---------------------------------------------------------- */

struct width_case {
	const char *s;
	int want;
};

ParameterizedTestParameters(text, width)
{
	static struct width_case cases[] = {
		/* 0 */ {"", 0},
		/* 1 */ {"abc", 3},
		/* 2 */ {"\xe6\x97\xa5\xe6\x9c\xac", 4},   /* 日本 */
		/* 3 */ {"e\xcc\x81", 1},                  /* e + combining acute */
		/* 4 */ {"\xcc\x81", 1},                   /* combining acute alone */
		/* 5 */ {"\xf0\x9f\x98\x80", 2},           /* U+1F600 */
		/* 6 */ {"\x1b[31m", 5},
		/* 7 */ {"\xff\xfe", 2},                   /* two bad bytes */
		/* 8 */ {"\xe6\x97", 2},                   /* truncated 日 */
		/* 9 */ {"a\tb\r\n", 5},
		/* 10 */ {"x\xe2\x80\xaey", 3},            /* RLO shown */
		/* 11 */ {"caf\xc3\xa9", 4},               /* precomposed é */
	};
	return cr_make_param_array(struct width_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct width_case *c, text, width)
{
	cr_assert_eq(text_width(c->s, strlen(c->s)), c->want, "\"%s\"", c->s);
}

/* --- text_fit ------------------------------------------------------------ */

struct fit_case {
	const char *s;
	size_t len; /* 0: strlen(s) */
	int width;
	bool pad;
	const wchar_t *want;
	int cols;
};

ParameterizedTestParameters(text, fit)
{
	static struct fit_case cases[] = {
		/* ASCII */
		/* 0 */ {"hello", 0, 10, false, L"hello", 5},
		/* 1 */ {"hello", 0, 10, true, L"hello     ", 10},
		/* 2 */ {"hello", 0, 5, false, L"hello", 5},
		/* 3 */ {"hello", 0, 5, true, L"hello", 5},
		/* 4 */ {"hello", 0, 4, false, L"hel\u2026", 4},
		/* 5 */ {"hello", 0, 4, true, L"hel\u2026", 4},
		/* 6 */ {"hello", 0, 2, false, L"h\u2026", 2},
		/* 7 */ {"hello", 0, 1, false, L"\u2026", 1},
		/* 8 */ {"hello", 0, 0, false, L"", 0},
		/* 9 */ {"hello", 0, 0, true, L"", 0},
		/* 10 */ {"hello", 0, -3, true, L"", 0},
		/* 11 */ {"", 0, 3, true, L"   ", 3},
		/* 12 */ {"", 0, 3, false, L"", 0},
		/* 13 */ {"a", 0, 1, false, L"a", 1},
		/* wide characters: 日本語 is 6 cells */
		/* 14 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 6, false, L"\u65e5\u672c\u8a9e", 6},
		/* 15 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 5, false, L"\u65e5\u672c\u2026", 5},
		/* 16 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 4, false, L"\u65e5 \u2026", 4},
		/* 17 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 3, false, L"\u65e5\u2026", 3},
		/* 18 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 2, false, L" \u2026", 2},
		/* 19 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 1, false, L"\u2026", 1},
		/* 20 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 8, true, L"\u65e5\u672c\u8a9e  ", 8},
		/* 21 */ {"\xe6\x97\xa5", 0, 2, false, L"\u65e5", 2},
		/* 22 */ {"\xe6\x97\xa5", 0, 1, true, L"\u2026", 1},
		/* 23 */ {"a\xe6\x97\xa5", 0, 2, false, L"a\u2026", 2},
		/* 24 */ {"a\xe6\x97\xa5" "b", 0, 3, true, L"a \u2026", 3},
		/* combining marks stay with their base */
		/* 25 */ {"e\xcc\x81", 0, 1, false, L"e\u0301", 1},
		/* 26 */ {"e\xcc\x81" "e\xcc\x81", 0, 2, true, L"e\u0301e\u0301", 2},
		/* 27 */ {"e\xcc\x81" "e\xcc\x81", 0, 1, false, L"\u2026", 1},
		/* 28 */ {"e\xcc\x81xyz", 0, 2, false, L"e\u0301\u2026", 2},
		/* 29 */ {"\xcc\x81" "a", 0, 5, false, L"\ufffd" "a", 2},
		/* emoji */
		/* 30 */ {"\xf0\x9f\x98\x80!", 0, 3, false, L"\U0001F600!", 3},
		/* 31 */ {"\xf0\x9f\x98\x80!", 0, 2, false, L" \u2026", 2},
		/* 32 */ {"x\xf0\x9f\x98\x80", 0, 2, false, L"x\u2026", 2},
		/* tabs, CR, newlines, line separators */
		/* 33 */ {"a\tb\r\nc", 0, 10, false, L"a b  c", 6},
		/* 34 */ {"x\xe2\x80\xa8y", 0, 10, false, L"x y", 3},
		/* controls */
		/* 35 */ {"\x1b[31mred", 0, 20, false, L"\u241b[31mred", 8},
		/* 36 */ {"a\0b", 3, 5, false, L"a\u2400b", 3},
		/* 37 */ {"\x7f", 0, 5, false, L"\u2421", 1},
		/* 38 */ {"\xc2\x9b" "31m", 0, 5, false, L"\ufffd" "31m", 4},
		/* 39 */ {"x\xe2\x80\xaey", 0, 5, false, L"x\ufffdy", 3},
		/* 40 */ {"a\xe2\x80\x8b" "b", 0, 5, false, L"a\ufffdb", 3},
		/* invalid UTF-8: one replacement per bad byte */
		/* 41 */ {"a\xff" "b", 0, 5, false, L"a\ufffdb", 3},
		/* 42 */ {"\xe6\x97", 0, 5, false, L"\ufffd\ufffd", 2},
		/* 43 */ {"\xc0\xaf", 0, 5, false, L"\ufffd\ufffd", 2},
		/* 44 */ {"\xed\xa0\x80", 0, 5, false, L"\ufffd\ufffd\ufffd", 3},
		/* 45 */ {"\xf4\x90\x80\x80", 0, 5, false, L"\ufffd\ufffd\ufffd\ufffd", 4},
		/* 46 */ {"\x9b" "2J", 0, 5, false, L"\ufffd" "2J", 3},
		/* 47 */ {"\xe6\x97\xa5\xe6\x97", 0, 3, false, L"\u65e5\u2026", 3},
	};
	return cr_make_param_array(struct fit_case, cases, sizeof cases / sizeof *cases);
}

static char *show(const wchar_t *wc, size_t n)
{
	static char out[1024];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 12 < sizeof out; i++) {
		if (wc[i] >= 0x20 && wc[i] < 0x7f)
			out[o++] = (char)wc[i];
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "<%04X>", (unsigned)wc[i]);
	}
	out[o] = '\0';
	return out;
}

ParameterizedTest(struct fit_case *c, text, fit)
{
	struct fitted f = {0};
	size_t len = c->len ? c->len : strlen(c->s);
	text_fit(&f, c->s, len, c->width, NULL, 0, c->pad);
	size_t want_n = wcslen(c->want);
	cr_assert_eq(f.n, want_n, "width %d: got \"%s\" (%zu chars), want %zu", c->width,
		     show(f.wc, f.n), f.n, want_n);
	cr_assert(!wmemcmp(f.wc, c->want, want_n), "width %d: got \"%s\"", c->width,
		  show(f.wc, f.n));
	cr_assert_eq(f.wc[f.n], 0);
	cr_assert_eq(f.cols, c->cols, "width %d: cols %d, want %d", c->width, f.cols, c->cols);
	/* cols must be what the screen will use. */
	int screen = wcswidth(f.wc, f.n);
	cr_assert_eq(screen, f.cols, "wcswidth %d, cols %d", screen, f.cols);
	text_fitted_free(&f);
}

Test(text, fit_agrees_with_text_width)
{
	const char *texts[] = {"hello", "\xe6\x97\xa5\xe6\x9c\xac", "e\xcc\x81x", "\xcc\x81",
			       "\x1b]0;t\x07", "\xff\xe6\x97", "a\tb"};
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
		struct fitted f = {0};
		size_t len = strlen(texts[t]);
		text_fit(&f, texts[t], len, 1000, NULL, 0, false);
		cr_assert_eq(f.cols, text_width(texts[t], len), "text %zu", t);
		text_fitted_free(&f);
	}
}

Test(text, fit_reuses_and_replaces)
{
	struct fitted f = {0};
	text_fit(&f, "a long line of text", 19, 100, NULL, 0, true);
	cr_assert_eq(f.n, 100);
	text_fit(&f, "ok", 2, 10, NULL, 0, false);
	cr_assert_eq(f.n, 2);
	cr_assert_eq(f.cols, 2);
	cr_assert(!wcscmp(f.wc, L"ok"));
	text_fitted_free(&f);
	cr_assert_null(f.wc);
	cr_assert_null(f.hl);
	cr_assert_eq(f.n, 0);
	cr_assert_eq(f.cap, 0);
}

/* Escape sequences from an article must reach the screen as inert text, at
 * any width, clipped or not. */
Test(text, escape_sequences_are_inert)
{
	const char *attacks[] = {
		"\x1b[31mred\x1b]0;title\x07",
		"\x1b[2J\x1b[H\x1b" "c",
		"\xc2\x9b" "31m\xc2\x9d" "0;x\xc2\x9c",  /* C1 CSI, OSC, ST as UTF-8 */
		"\x9b" "31m\x9d" "0;x\x9c",                /* C1 as raw bytes */
		"\x1bP+q\x1b\\\x7f\x08\x08",
		"\xe2\x80\xae" "evil\xe2\x81\xa6" "x\xe2\x81\xa9",
	};
	for (size_t a = 0; a < sizeof attacks / sizeof *attacks; a++) {
		size_t len = strlen(attacks[a]);
		for (int width = 0; width <= 30; width++) {
			struct fitted f = {0};
			text_fit(&f, attacks[a], len, width, NULL, 0, width % 2);
			for (size_t i = 0; i < f.n; i++)
				cr_assert(!is_control(f.wc[i]),
					  "attack %zu width %d: U+%04X at %zu", a, width,
					  (unsigned)f.wc[i], i);
			cr_assert(f.cols <= width);
			text_fitted_free(&f);
		}
	}
	/* The first one, exactly. */
	struct fitted f = {0};
	text_fit(&f, attacks[0], strlen(attacks[0]), 40, NULL, 0, false);
	cr_assert(!wcscmp(f.wc, L"\u241b[31mred\u241b]0;title\u2407"), "%s", show(f.wc, f.n));
	text_fitted_free(&f);
}

/* Every single byte and every pair of bytes: safe, and as wide as text_width
 * says. */
Test(text, every_byte_pair_is_safe)
{
	struct fitted f = {0};
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			char s[2] = {(char)a, (char)b};
			text_fit(&f, s, 2, 4, NULL, 0, false);
			for (size_t i = 0; i < f.n; i++)
				cr_assert(!is_control(f.wc[i]), "%02x %02x: U+%04X", a, b,
					  (unsigned)f.wc[i]);
			cr_assert_eq(f.cols, text_width(s, 2), "%02x %02x", a, b);
			cr_assert_eq(wcswidth(f.wc, f.n), f.cols, "%02x %02x", a, b);
		}
	}
	text_fitted_free(&f);
}

/* --- highlights ---------------------------------------------------------- */

struct hl_case {
	const char *s;
	struct span spans[3];
	size_t nspans;
	int width;
	bool pad;
	const char *want; /* one '0' or '1' per wide character */
};

ParameterizedTestParameters(text, highlight)
{
	static struct hl_case cases[] = {
		/* 0 */ {"hello world", {{6, 11}}, 1, 20, false, "00000011111"},
		/* 1 */ {"hello world", {{0, 1}, {4, 7}}, 2, 20, false, "10001110000"},
		/* 日本語: bytes 0-2, 3-5, 6-8 */
		/* 2 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {{3, 6}}, 1, 20, false, "010"},
		/* 3 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {{4, 5}}, 1, 20, false, "010"},
		/* 4 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {{2, 4}}, 1, 20, false, "110"},
		/* 5 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {{8, 9}}, 1, 20, false, "001"},
		/* e + U+0301 (bytes 1-2) + x */
		/* 6 */ {"e\xcc\x81x", {{1, 3}}, 1, 20, false, "010"},
		/* 7 */ {"a\xff" "b", {{1, 2}}, 1, 20, false, "010"},
		/* clipping and padding are never highlighted */
		/* 8 */ {"hello world", {{0, 2}, {5, 11}}, 2, 6, false, "110000"},
		/* 9 */ {"ab", {{0, 2}}, 1, 4, true, "1100"},
		/* 10 */ {"a\xe6\x97\xa5" "b", {{1, 4}}, 1, 3, false, "000"},
		/* any order, overlapping, empty, past the end */
		/* 11 */ {"abcdef", {{4, 5}, {0, 1}}, 2, 20, false, "100010"},
		/* 12 */ {"abcdef", {{0, 4}, {1, 2}}, 2, 20, false, "111100"},
		/* 13 */ {"abcdef", {{2, 2}}, 1, 20, false, "000000"},
		/* 14 */ {"abc", {{2, 100}}, 1, 20, false, "001"},
		/* 15 */ {"abcdef", {{0, 1}, {1, 2}, {5, 6}}, 3, 20, false, "110001"},
		/* 16 */ {"abc", {{0, 3}}, 0, 20, false, "000"},
		/* 17: an empty span must not hide the next one */
		{"\xe6\x97\xa5", {{1, 1}, {2, 3}}, 2, 20, false, "1"},
		/* 18: nor must a backwards one */
		{"\xe6\x97\xa5" "ab", {{2, 1}, {2, 3}}, 2, 20, false, "100"},
	};
	return cr_make_param_array(struct hl_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct hl_case *c, text, highlight)
{
	struct fitted f = {0};
	text_fit(&f, c->s, strlen(c->s), c->width, c->nspans ? c->spans : NULL, c->nspans,
		 c->pad);
	char got[64] = "";
	for (size_t i = 0; i < f.n && i + 1 < sizeof got; i++)
		got[i] = f.hl[i] ? '1' : '0';
	cr_assert_str_eq(got, c->want, "\"%s\"", show(f.wc, f.n));
	text_fitted_free(&f);
}

/* --- text_wrap ----------------------------------------------------------- */

/*           0         1         2         3         4
 *           01234567890123456789012345678901234567890123 */
#define FOX "The quick brown fox jumps over the lazy dog."

Test(text, wrap_paragraph_width_10)
{
	struct span *l;
	size_t n = text_wrap(FOX, strlen(FOX), 10, &l);
	const struct span want[] = {{0, 9}, {10, 19}, {20, 30}, {31, 39}, {40, 44}};
	cr_assert_eq(n, sizeof want / sizeof *want, "%zu lines", n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(l[i].start, want[i].start, "line %zu start %zu", i, l[i].start);
		cr_assert_eq(l[i].end, want[i].end, "line %zu end %zu", i, l[i].end);
	}
	free(l);
}

Test(text, wrap_paragraph_width_20)
{
	struct span *l;
	size_t n = text_wrap(FOX, strlen(FOX), 20, &l);
	const struct span want[] = {{0, 19}, {20, 39}, {40, 44}};
	cr_assert_eq(n, sizeof want / sizeof *want, "%zu lines", n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(l[i].start, want[i].start, "line %zu start %zu", i, l[i].start);
		cr_assert_eq(l[i].end, want[i].end, "line %zu end %zu", i, l[i].end);
	}
	free(l);
}

struct wrap_case {
	const char *s;
	int width;
	const char *want[8]; /* the lines' text, NULL-terminated */
};

ParameterizedTestParameters(text, wrap)
{
	static struct wrap_case cases[] = {
		/* 0: a word longer than the line is broken inside */
		{"a supercalifragilistic word", 8, {"a", "supercal", "ifragili", "stic", "word"}},
		/* 1: hard breaks; an empty line stays; a final newline adds none */
		{"one two\nthree\n\nfour\n", 20, {"one two", "three", "", "four"}},
		/* 2: spaces before a hard break dropped, indentation after it kept */
		{"abc  \n  indented", 20, {"abc", "  indented"}},
		/* 3: CRLF */
		{"ab\r\ncd", 20, {"ab", "cd"}},
		/* 4: a run of spaces at a break is dropped whole */
		{"ab   cd", 4, {"ab", "cd"}},
		/* 5 */ {"ab   cd", 7, {"ab   cd"}},
		/* 6: indentation dropped when the first word does not fit beside it */
		{"    abcdefgh", 6, {"abcdef", "gh"}},
		/* 7: a line of spaces only */
		{"     ", 3, {""}},
		/* 8: never break before a combining mark */
		{"abe\xcc\x81" "cd", 3, {"abe\xcc\x81", "cd"}},
		/* 9: width 1 with wide characters: each alone, overflowing */
		{"\xe6\x97\xa5\xe6\x9c\xac", 1, {"\xe6\x97\xa5", "\xe6\x9c\xac"}},
		/* 10 */ {"a\xe6\x97\xa5" "b", 1, {"a", "\xe6\x97\xa5", "b"}},
		/* 11 */ {"\xe6\x97\xa5\xcc\x81\xe6\x9c\xac", 1, {"\xe6\x97\xa5\xcc\x81", "\xe6\x9c\xac"}},
		/* 12: wide characters split between, never inside */
		{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3, {"\xe6\x97\xa5", "\xe6\x9c\xac", "\xe8\xaa\x9e"}},
		/* 13 */ {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, {"\xe6\x97\xa5\xe6\x9c\xac", "\xe8\xaa\x9e"}},
		/* 14: width 1, ASCII */
		{"ab c", 1, {"a", "b", "c"}},
		/* 15: empty input */
		{"", 10, {""}},
		/* 16 */ {"\n", 10, {""}},
		/* 17: exact fit, no trailing space kept */
		{"abcd efgh ", 4, {"abcd", "efgh"}},
		/* 18: tabs are break spaces */
		{"ab\tcd", 3, {"ab", "cd"}},
	};
	return cr_make_param_array(struct wrap_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct wrap_case *c, text, wrap)
{
	struct span *l = NULL;
	size_t len = strlen(c->s);
	size_t n = text_wrap(c->s, len, c->width, &l);
	size_t want_n = 0;
	while (c->want[want_n])
		want_n++;
	cr_assert_eq(n, want_n, "\"%s\" at %d: %zu lines, want %zu", c->s, c->width, n, want_n);
	size_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert(l[i].start >= prev && l[i].start <= l[i].end && l[i].end <= len,
			  "line %zu: [%zu, %zu)", i, l[i].start, l[i].end);
		prev = l[i].end;
		size_t m = l[i].end - l[i].start;
		cr_assert(m == strlen(c->want[i]) && !memcmp(c->s + l[i].start, c->want[i], m),
			  "line %zu: \"%.*s\", want \"%s\"", i, (int)m, c->s + l[i].start,
			  c->want[i]);
	}
	free(l);
}

Test(text, wrap_width_below_one_gives_no_lines)
{
	struct span *l = (struct span *)1;
	cr_assert_eq(text_wrap("abc", 3, 0, &l), 0);
	cr_assert_null(l);
	l = (struct span *)1;
	cr_assert_eq(text_wrap("", 0, -5, &l), 0);
	cr_assert_null(l);
}

/* Every wrapped line fits when drawn with text_fit (no ellipsis), except a
 * single character wider than the line. */
Test(text, wrap_lines_fit)
{
	const char *texts[] = {
		FOX,
		("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe3\x81\xaf\xe3\x81\x8b\xe3\x81\xaa "
		 "mixed \xf0\x9f\x98\x80\xf0\x9f\x98\x80 text"),
		"  indented\n\tcontrol \x1b[1m bytes\xff and e\xcc\x81\xcc\x81 marks",
		"x \xcc\x81y    \n\n  z",
	};
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
		size_t len = strlen(texts[t]);
		for (int width = 1; width <= 25; width++) {
			struct span *l;
			size_t n = text_wrap(texts[t], len, width, &l);
			cr_assert_geq(n, 1);
			for (size_t i = 0; i < n; i++) {
				const char *line = texts[t] + l[i].start;
				size_t m = l[i].end - l[i].start;
				int w = text_width(line, m);
				struct span *one;
				bool single = w == 2 && width == 1;
				cr_assert(w <= width || single, "text %zu width %d line %zu: %d",
					  t, width, i, w);
				if (single)
					continue;
				/* A line re-wrapped at its own width stays one line. */
				size_t again = text_wrap(line, m, width, &one);
				cr_assert_eq(again, 1, "text %zu width %d line %zu", t, width, i);
				free(one);
			}
			free(l);
		}
	}
}
