/* The layout function and key names. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "lede/keymap.h"
#include "lede/ui/layout.h"

static bool inside(struct rect r, int cols, int rows)
{
	return r.w >= 0 && r.h >= 0 && r.x >= 0 && r.y >= 0 && r.x + r.w <= cols &&
	       r.y + r.h <= rows;
}

struct size_case {
	int cols, rows;
	bool too_small;
};

ParameterizedTestParameters(layout, sizes)
{
	static struct size_case cases[] = {
		{0, 0, true},   {1, 1, true},  {19, 24, true}, {80, 4, true},
		{20, 5, false}, {80, 24, false}, {1000, 50, false}, {400, 8, false},
	};
	return cr_make_param_array(struct size_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct size_case *c, layout, sizes)
{
	for (int v = 0; v < 2; v++) {
		for (int open = 0; open < 2; open++) {
			for (int zoom = 0; zoom < 2; zoom++) {
				for (int focus = 0; focus < 2; focus++) {
					struct layout_in in = {c->cols, c->rows, v, open, zoom, focus, 0, false, 0, 0, false, false};
					struct layout_out o;
					layout_compute(&in, &o);
					cr_assert_eq(o.too_small, c->too_small, "%dx%d", c->cols, c->rows);
					cr_assert(inside(o.list, c->cols, c->rows));
					cr_assert(inside(o.story, c->cols, c->rows));
					cr_assert(inside(o.sep, c->cols, c->rows));
					if (o.too_small)
						continue;
					/* list and story never overlap, and fill the main area */
					int area = o.list.w * o.list.h + o.story.w * o.story.h +
						   o.sep.w * o.sep.h;
					cr_assert_eq(area, c->cols * (c->rows - 2));
					cr_assert_eq(o.status.y, c->rows - 2);
					cr_assert_eq(o.prompt.y, c->rows - 1);
				}
			}
		}
	}
}

Test(layout, split_80x24)
{
	struct layout_in in = {80, 24, false, true, false, 0, 0, false, 0, 0, false, false};
	struct layout_out o;
	layout_compute(&in, &o);
	cr_assert_eq(o.list.h, 8);
	cr_assert_eq(o.story.y, 8);
	cr_assert_eq(o.story.h, 14);
	in.vertical = true;
	layout_compute(&in, &o);
	cr_assert_eq(o.list.w, 36);
	cr_assert_eq(o.sep.x, 36);
	cr_assert_eq(o.story.x, 37);
	cr_assert_eq(o.story.w, 43);
	in.zoom = true;
	in.focus = 1;
	layout_compute(&in, &o);
	cr_assert_eq(o.story.w, 80);
	cr_assert_eq(o.list.w * o.list.h, 0);
}

struct key_case {
	const char *name, *canonical;
};

ParameterizedTestParameters(keys, round_trip)
{
	static struct key_case cases[] = {
		{"j", "j"},         {"G", "G"},         {"C-d", "C-d"},       {"c-D", "C-d"},
		{"M-x", "M-x"},     {"M-Enter", "M-Enter"}, {"Enter", "Enter"}, {"enter", "Enter"},
		{"Esc", "Esc"},     {"Tab", "Tab"},     {"C-i", "Tab"},       {"BackTab", "BackTab"},
		{"Backspace", "Backspace"}, {"Space", "Space"}, {"Up", "Up"}, {"Down", "Down"},
		{"Left", "Left"},   {"Right", "Right"}, {"PgUp", "PgUp"},     {"PgDn", "PgDn"},
		{"Home", "Home"},   {"End", "End"},     {"Insert", "Insert"}, {"Delete", "Delete"},
		{"F1", "F1"},       {"F12", "F12"},     {"/", "/"},           {"?", "?"},
		{"\xc3\xa9", "\xc3\xa9"},
	};
	return cr_make_param_array(struct key_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct key_case *c, keys, round_trip)
{
	int k = keymap_key_parse(c->name);
	cr_assert_geq(k, 0, "%s", c->name);
	char buf[32];
	cr_assert_str_eq(keymap_key_name(k, buf, sizeof buf), c->canonical);
	cr_assert_eq(keymap_key_parse(c->canonical), k);
}

Test(keys, bad_names)
{
	static const char *bad[] = {"", "jj", "C-", "C-jj", "F0", "F13", "M-", "M-M-x", "Ctrl-x",
				    "\x01", "\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_eq(keymap_key_parse(bad[i]), -1, "'%s' should be refused", bad[i]);
}

Test(keys, default_bindings_follow_the_design)
{
	struct keymap km;
	keymap_init_default(&km);
	static const struct {
		const char *key;
		enum action act;
	} want[] = {
		{"j", ACT_NEXT},         {"Down", ACT_NEXT},        {"k", ACT_PREV},
		{"Up", ACT_PREV},        {"g", ACT_FIRST},          {"Home", ACT_FIRST},
		{"G", ACT_LAST},         {"End", ACT_LAST},         {"C-d", ACT_PAGE_DOWN},
		{"PgDn", ACT_PAGE_DOWN}, {"Space", ACT_PAGE_DOWN},  {"C-u", ACT_PAGE_UP},
		{"PgUp", ACT_PAGE_UP},   {"Enter", ACT_OPEN},       {"Tab", ACT_NEXT_PANE},
		{"z", ACT_ZOOM},         {"r", ACT_RELATED},        {"Backspace", ACT_BACK},
		{"h", ACT_BACK},         {"l", ACT_FORWARD},        {"o", ACT_BROWSE},
		{"O", ACT_BROWSE_MENU},  {"/", ACT_SEARCH},         {"n", ACT_SEARCH_NEXT},
		{"N", ACT_SEARCH_PREV},  {"f", ACT_FILTER},         {"s", ACT_SORT_NEXT},
		{"S", ACT_SORT_REVERSE}, {"?", ACT_HELP},           {":", ACT_PROMPT},
		{"q", ACT_QUIT},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		for (int v = 0; v < VIEW_COUNT; v++)
			cr_assert_eq(keymap_lookup(&km, v, keymap_key_parse(want[i].key)), want[i].act,
				     "%s in %s", want[i].key, keymap_view_name(v));
	/* a view binding wins over all, and unbinding is real */
	keymap_bind(&km, VIEW_LIST, 'j', ACT_QUIT);
	cr_assert_eq(keymap_lookup(&km, VIEW_LIST, 'j'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&km, VIEW_DETAIL, 'j'), ACT_NEXT);
	keymap_bind(&km, VIEW_ALL, 'j', ACT_NONE);
	cr_assert_eq(keymap_lookup(&km, VIEW_DETAIL, 'j'), ACT_NONE);
	cr_assert_eq(action_by_name("page-down"), ACT_PAGE_DOWN);
	cr_assert_eq(action_by_name("nope"), ACT_NONE);
	keymap_free(&km);
}
