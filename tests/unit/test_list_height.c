/* The list-height option: what it takes and refuses, and the split it
 * gives one above the other, clamped so both panes keep rows. (The screen
 * it draws is checked by the tests/ui/listheight replay.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lede/commands.h"
#include "lede/config.h"
#include "lede/ui/layout.h"

Test(list_height, default_is_40_percent)
{
	struct config c;
	config_init(&c);
	cr_assert_eq(c.list_height, 40);
	cr_assert(c.list_height_percent);
	config_free(&c);
}

Test(list_height, takes_rows_and_percents)
{
	static const struct {
		const char *line;
		int want;
		bool percent;
	} ok[] = {{"set list-height 12", 12, false}, {"set list-height 25%", 25, true},
		  {"set list-height 1", 1, false},   {"set list-height 99%", 99, true},
		  {"set list-height 10000", 10000, false}};
	struct config c;
	config_init(&c);
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		char *err = NULL;
		cr_assert_eq(commands_line(&c, ok[i].line, &err), 0, "%s: %s", ok[i].line,
			     err ? err : "");
		cr_assert_eq(c.list_height, ok[i].want, "%s", ok[i].line);
		cr_assert_eq(c.list_height_percent, ok[i].percent, "%s", ok[i].line);
	}
	config_free(&c);
}

Test(list_height, refuses_what_is_not_a_height)
{
	static const char *const bad[] = {"0",  "0%",   "100%", "-5",  "",     "%",    "12%%",
					  "5 %", " 5",  "10001", "1e2", "half", "99999999999999"};
	struct config c;
	config_init(&c);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err = NULL;
		cr_assert_eq(config_set(&c, "list-height", bad[i], &err), -1, "'%s'", bad[i]);
		cr_assert_not_null(err);
		cr_assert(strstr(err, "list-height") && strstr(err, "rows"), "%s", err);
		cr_assert_eq(c.list_height, 40, "'%s' changed it", bad[i]);
		cr_assert(c.list_height_percent, "'%s' changed it", bad[i]);
		free(err);
	}
	config_free(&c);
}

static struct layout_out split(int rows, int h, bool percent)
{
	struct layout_in in = {.cols = 80, .rows = rows, .bottom_open = true,
			       .list_height = h, .list_percent = percent};
	struct layout_out o;
	layout_compute(&in, &o);
	cr_assert_eq(o.list.h + o.story.h, rows - 2, "%d rows, %d%s", rows, h,
		     percent ? "%" : "");
	cr_assert_eq(o.story.y, o.list.h);
	return o;
}

Test(list_height, splits_by_rows_and_percent)
{
	cr_assert_eq(split(24, 0, false).list.h, 8); /* the default: 40% of 22 */
	cr_assert_eq(split(24, 40, true).list.h, 8);
	cr_assert_eq(split(24, 12, false).list.h, 12);
	cr_assert_eq(split(24, 50, true).list.h, 11);
	cr_assert_eq(split(50, 25, true).list.h, 12);
}

Test(list_height, clamped_so_both_panes_keep_two_rows)
{
	cr_assert_eq(split(24, 1, false).list.h, 2);
	cr_assert_eq(split(24, 1, true).list.h, 2);
	cr_assert_eq(split(24, 10000, false).list.h, 20);
	cr_assert_eq(split(24, 99, true).list.h, 20);
	cr_assert_eq(split(5, 10000, false).list.h, 2); /* the smallest screen */
	cr_assert_eq(split(6, 10000, false).list.h, 2);
}

Test(list_height, offered_as_an_option)
{
	bool found = false;
	for (size_t i = 0; config_option_name(i); i++)
		found = found || !strcmp(config_option_name(i), "list-height");
	cr_assert(found);
}
