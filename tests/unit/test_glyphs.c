/* The UI's own glyphs: chosen once in the text layer from the locale and
 * the "ascii" option, each one cell wide by the layer's own measure, and
 * named nowhere else in the UI. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/config.h"
#include "lede/ui/text.h"
#include "lede/util.h"

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "C.UTF-8 locale missing");
}

TestSuite(glyphs, .init = utf8_locale);

struct cjk_case {
	int n;
	const char *name;
	bool cjk;
};

ParameterizedTestParameters(glyphs, cjk_locales)
{
	static struct cjk_case cases[] = {
		{1, "ja_JP.UTF-8", true}, {2, "zh_CN.utf8", true},  {3, "ko_KR.UTF-8", true},
		{4, "zh_TW", true},       {5, "yue_HK.UTF-8", true}, {6, "ja", true},
		{7, "zh_CN.GB18030@x", true}, {8, "C.UTF-8", false}, {9, "en_US.UTF-8", false},
		{10, "C", false},         {11, "POSIX", false},      {12, "jam_JM", false},
		{13, "kok_IN.UTF-8", false}, {14, "", false},        {15, NULL, false},
	};
	return cr_make_param_array(struct cjk_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct cjk_case *c, glyphs, cjk_locales)
{
	cr_assert_eq(text_locale_is_cjk(c->name), c->cjk, "case %d: %s", c->n,
		     c->name ? c->name : "(null)");
}

static const char *const utf8[TEXT_GLYPH_COUNT] = {
	[TEXT_GLYPH_SEPARATOR] = "\xe2\x94\x82", [TEXT_GLYPH_ELLIPSIS] = "\xe2\x80\xa6",
	[TEXT_GLYPH_ARROW] = "\xe2\x86\x92",     [TEXT_GLYPH_SORT_DESC] = "\xe2\x96\xbc",
	[TEXT_GLYPH_SORT_ASC] = "\xe2\x96\xb2",
};
static const char *const ascii[TEXT_GLYPH_COUNT] = {
	[TEXT_GLYPH_SEPARATOR] = "|", [TEXT_GLYPH_ELLIPSIS] = "~", [TEXT_GLYPH_ARROW] = ">",
	[TEXT_GLYPH_SORT_DESC] = "v", [TEXT_GLYPH_SORT_ASC] = "^",
};

static void expect_glyphs(const char *const *want, const char *what)
{
	for (int g = 0; g < TEXT_GLYPH_COUNT; g++) {
		cr_assert_str_eq(text_glyph(g), want[g], "%s: glyph %d", what, g);
		cr_assert_eq(text_glyph_width(g), 1, "%s: glyph %d", what, g);
	}
}

/* A clipped line's last cell, and what a control byte and a bad byte are
 * drawn as. */
static void expect_text(wchar_t ellipsis, wchar_t control, wchar_t bad, const char *what)
{
	struct fitted f = {0};
	text_fit(&f, "abcdef", 6, 4, NULL, 0, false);
	cr_assert_eq(f.cols, 4, "%s", what);
	cr_assert_eq(f.wc[3], ellipsis, "%s: ellipsis U+%04X", what, (unsigned)f.wc[3]);
	text_fit(&f, "\x1b\xff", 2, 4, NULL, 0, false);
	cr_assert_eq(f.wc[0], control, "%s: ESC as U+%04X", what, (unsigned)f.wc[0]);
	cr_assert_eq(f.wc[1], bad, "%s: a bad byte as U+%04X", what, (unsigned)f.wc[1]);
	text_fitted_free(&f);
}

Test(glyphs, unicode_by_default)
{
	/* never chosen: as auto, and C.UTF-8 is no CJK locale */
	expect_glyphs(utf8, "default");
	cr_assert_not(text_glyphs_ascii());
	expect_text(0x2026, 0x241b, 0xfffd, "default");
	text_glyphs_choose(TEXT_ASCII_AUTO);
	expect_glyphs(utf8, "auto");
	text_glyphs_choose(TEXT_ASCII_NO);
	expect_glyphs(utf8, "no");
}

Test(glyphs, ascii_when_asked)
{
	text_glyphs_choose(TEXT_ASCII_YES);
	cr_assert(text_glyphs_ascii());
	expect_glyphs(ascii, "yes");
	expect_text('~', '?', '?', "yes");
	/* and back */
	text_glyphs_choose(TEXT_ASCII_NO);
	expect_glyphs(utf8, "no again");
	expect_text(0x2026, 0x241b, 0xfffd, "no again");
}

/* A locale that cannot draw them gets ASCII whatever the option says. */
Test(glyphs, ascii_in_the_c_locale)
{
	cr_assert_not_null(setlocale(LC_ALL, "C"));
	text_glyphs_choose(TEXT_ASCII_NO);
	expect_glyphs(ascii, "C locale");
	expect_text('~', '?', '?', "C locale");
}

Test(glyphs, option)
{
	struct config c;
	config_init(&c);
	cr_assert_eq(c.ascii, CONFIG_ASCII_AUTO);
	static const struct {
		const char *value;
		enum config_ascii want;
	} ok[] = {{"yes", CONFIG_ASCII_YES}, {"no", CONFIG_ASCII_NO}, {"AUTO", CONFIG_ASCII_AUTO},
		  {"on", CONFIG_ASCII_YES}, {"auto", CONFIG_ASCII_AUTO}};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		char *err = NULL;
		cr_assert_eq(config_set(&c, "ascii", ok[i].value, &err), 0, "%s: %s", ok[i].value,
			     err);
		cr_assert_eq(c.ascii, ok[i].want, "%s", ok[i].value);
	}
	char *err = NULL;
	cr_assert_eq(config_set(&c, "ascii", "maybe", &err), -1);
	cr_assert_str_eq(err, "bad value 'maybe' for ascii: use auto, yes or no");
	free(err);
	config_free(&c);
}

/* The glyphs are named in the text layer alone: no other file of the UI
 * asks MB_CUR_MAX or spells a glyph's bytes. */
Test(glyphs, named_in_the_text_layer_only)
{
	DIR *d = opendir("src/ui");
	cr_assert_not_null(d);
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") || !strcmp(e->d_name, "text.c"))
			continue;
		char path[300];
		snprintf(path, sizeof path, "src/ui/%s", e->d_name);
		char *src = slurp(path, NULL);
		cr_expect_null(strstr(src, "MB_CUR_MAX"), "%s asks MB_CUR_MAX", path);
		cr_expect_null(strstr(src, "\\xe2"), "%s spells a glyph in UTF-8", path);
		free(src);
		files++;
	}
	closedir(d);
	cr_assert_gt(files, 5);
}
