/* The code points that draw as a blank or as nothing: one table in util,
 * read by the browser's URL check and by the text layer. The two tables
 * this one replaced are written out below as they were; every code point of
 * both must still be refused in a URL, and every invisible one replaced on
 * screen and escaped in messages. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/browser.h"
#include "lede/ui/text.h"
#include "lede/util.h"

struct old_range {
	unsigned lo, hi;
	bool space; /* else invisible */
};

/* The URL check's own table. */
static const struct old_range old_browser[] = {
	{0x00a0, 0x00a0, true},   {0x00ad, 0x00ad, false},  {0x0600, 0x0605, false},
	{0x061c, 0x061c, false},  {0x06dd, 0x06dd, false},  {0x070f, 0x070f, false},
	{0x0890, 0x0891, false},  {0x08e2, 0x08e2, false},  {0x115f, 0x1160, false},
	{0x1680, 0x1680, true},   {0x180e, 0x180e, false},  {0x2000, 0x200a, true},
	{0x200b, 0x200f, false},  {0x2028, 0x2029, true},   {0x202a, 0x202e, false},
	{0x202f, 0x202f, true},   {0x205f, 0x205f, true},   {0x2060, 0x206f, false},
	{0x3000, 0x3000, true},   {0x3164, 0x3164, false},  {0xfeff, 0xfeff, false},
	{0xffa0, 0xffa0, false},  {0xfff9, 0xfffb, false},  {0x110bd, 0x110bd, false},
	{0x110cd, 0x110cd, false}, {0x13430, 0x1343f, false}, {0x1bca0, 0x1bca3, false},
	{0x1d173, 0x1d17a, false}, {0xe0000, 0xe007f, false},
};

/* The invisible formatting characters the text layer replaced. */
static const struct old_range old_text[] = {
	{0x200b, 0x200f, false}, {0x202a, 0x202e, false}, {0x2060, 0x206f, false},
	{0xfeff, 0xfeff, false}, {0x061c, 0x061c, false}, {0x00ad, 0x00ad, false},
	{0xfff9, 0xfffb, false}, {0x180e, 0x180e, false}, {0xe0000, 0xe007f, false},
};

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "C.UTF-8 locale missing");
}

TestSuite(hidden_chars, .init = utf8_locale);

/* The URL check refuses cp, naming it and what it looks like. */
static void check_refused(unsigned cp, bool space)
{
	char enc[4], url[64], want[96];
	size_t n = utf8_encode(cp, enc);
	snprintf(url, sizeof url, "https://example.com/a%.*sb", (int)n, enc);
	struct strlist schemes = {0};
	strlist_push(&schemes, xstrdup("https"));
	char *why = NULL;
	bool ok = browser_url_ok(url, &schemes, &why);
	strlist_free(&schemes);
	cr_assert(!ok, "U+%04X: a URL holding it is accepted", cp);
	snprintf(want, sizeof want, "it holds %s (U+%04X)",
		 space ? "a space" : "an invisible character", cp);
	cr_assert_not_null(strstr(why, want), "U+%04X: '%s' does not say '%s'", cp, why, want);
	free(why);
}

/* The text layer draws cp as U+FFFD, and messages escape it. */
static void check_replaced(unsigned cp)
{
	int width = -1;
	wchar_t wc = text_safe_char(cp, &width);
	cr_assert_eq(wc, 0xfffd, "U+%04X drawn as U+%04X", cp, (unsigned)wc);
	cr_assert_eq(width, 1, "U+%04X: width %d", cp, width);
	char enc[4], want[16];
	size_t n = utf8_encode(cp, enc);
	struct buf b = {0};
	buf_put_safe(&b, enc, n);
	snprintf(want, sizeof want, "\\u{%04x}", cp);
	cr_assert_str_eq(buf_str(&b), want, "U+%04X in a message", cp);
	buf_free(&b);
}

static void check_table(const struct old_range *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (unsigned cp = t[i].lo; cp <= t[i].hi; cp++) {
			check_refused(cp, t[i].space);
			cr_assert_eq(unicode_hidden_kind(cp),
				     t[i].space ? UNICODE_SPACE : UNICODE_INVISIBLE, "U+%04X", cp);
			if (!t[i].space)
				check_replaced(cp);
		}
	}
}

Test(hidden_chars, old_browser_table)
{
	check_table(old_browser, sizeof old_browser / sizeof *old_browser);
}

Test(hidden_chars, old_text_table)
{
	check_table(old_text, sizeof old_text / sizeof *old_text);
}

/* A blank stays a blank on screen: the URL check refuses a no-break space,
 * but a story's text keeps it. */
Test(hidden_chars, spaces_are_drawn)
{
	static const unsigned spaces[] = {0x00a0, 0x2002, 0x202f, 0x3000};
	for (size_t i = 0; i < sizeof spaces / sizeof *spaces; i++) {
		int width = -1;
		wchar_t wc = text_safe_char(spaces[i], &width);
		cr_assert_eq(wc, (wchar_t)spaces[i], "U+%04X drawn as U+%04X", spaces[i],
			     (unsigned)wc);
	}
}

/* Nothing between the ranges is hidden: the table is sorted and its
 * search finds each range's ends and nothing next to them. */
Test(hidden_chars, neighbours_shown)
{
	for (size_t i = 0; i < sizeof old_browser / sizeof *old_browser; i++) {
		unsigned before = old_browser[i].lo - 1, after = old_browser[i].hi + 1;
		bool before_in = i > 0 && old_browser[i - 1].hi == before;
		bool after_in = i + 1 < sizeof old_browser / sizeof *old_browser &&
				old_browser[i + 1].lo == after;
		if (!before_in)
			cr_assert_eq(unicode_hidden_kind(before), UNICODE_SHOWN, "U+%04X", before);
		if (!after_in)
			cr_assert_eq(unicode_hidden_kind(after), UNICODE_SHOWN, "U+%04X", after);
	}
	cr_assert_eq(unicode_hidden_kind('a'), UNICODE_SHOWN);
	cr_assert_eq(unicode_hidden_kind(0x4e00), UNICODE_SHOWN);
}
