/* Invisible format characters that a terminal would draw as nothing, tag
 * characters first (U+E0000-U+E007F: they spell hidden ASCII), through the
 * text layer, as the reader shows them. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "lede/ui/text.h"
#include "lede/util.h"

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "C.UTF-8 locale missing");
}

TestSuite(text_tags, .init = utf8_locale);

Test(text_tags, every_tag_character_is_replaced)
{
	for (unsigned cp = 0xe0000; cp <= 0xe007f; cp++) {
		int width = -1;
		cr_assert_eq(text_safe_char(cp, &width), 0xfffd, "U+%05X passes", cp);
		cr_assert_eq(width, 1);
	}
	/* as bidi controls are */
	int width;
	cr_assert_eq(text_safe_char(0x202e, &width), 0xfffd);
	cr_assert_eq(text_safe_char(0x180e, &width), 0xfffd, "U+180E passes");
	/* the neighbours are not format characters */
	cr_assert_eq(text_safe_char(0xe0100, &width), 0xe0100); /* a variation selector */
	cr_assert_eq(width, 0);
}

Test(text_tags, hidden_ascii_is_shown_not_smuggled)
{
	/* "ok" followed by "run rm" spelt in tag characters */
	char s[64];
	size_t n = 0;
	s[n++] = 'o';
	s[n++] = 'k';
	for (const char *p = "run rm"; *p; p++)
		n += utf8_encode(0xe0000 + (unsigned char)*p, s + n);
	cr_assert_eq(text_width(s, n), 8);
	struct fitted f = {0};
	text_fit(&f, s, n, 20, NULL, 0, false);
	cr_assert_eq(f.n, 8);
	cr_assert_eq(f.cols, 8);
	for (size_t i = 0; i < f.n; i++)
		cr_assert(f.wc[i] < 0xe0000 || f.wc[i] > 0xe007f, "tag U+%05X drawn at %zu",
			  (unsigned)f.wc[i], i);
	cr_assert(!wcscmp(f.wc, L"ok\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd"));
	text_fitted_free(&f);

	struct span *lines;
	size_t nl = text_wrap(s, n, 4, &lines);
	cr_assert_eq(nl, 2);
	free(lines);
}

Test(text_tags, messages_escape_them)
{
	char s[8];
	size_t n = utf8_encode(0xe0041, s);
	struct buf b = {0};
	buf_put_safe(&b, s, n);
	cr_assert_str_eq(buf_str(&b), "\\u{e0041}");
	buf_free(&b);
}
