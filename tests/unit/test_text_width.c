/* The text-width option: its default, the values it takes and those it
 * refuses, and that it stays unchanged on a refusal. (Its effect on the
 * story pane is checked by the tests/ui/textwidth replay.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lede/commands.h"
#include "lede/config.h"

Test(text_width, default_is_100)
{
	struct config c;
	config_init(&c);
	cr_assert_eq(c.text_width, 100);
	config_free(&c);
}

Test(text_width, takes_columns_and_zero)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	static const struct {
		const char *line;
		int want;
	} ok[] = {{"set text-width 72", 72}, {"set text-width 0", 0},
		  {"set text-width 10000", 10000}, {"set text-width 007", 7}};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		cr_assert_eq(commands_line(&c, ok[i].line, &err), 0, "%s: %s", ok[i].line,
			     err ? err : "");
		cr_assert_eq(c.text_width, ok[i].want, "%s", ok[i].line);
	}
	config_free(&c);
}

Test(text_width, refuses_what_is_not_a_width)
{
	static const char *const bad[] = {"-1", "", "10001", "99999999999999999999", "80x",
					  " 80", "1e3", "+80", "wide"};
	struct config c;
	config_init(&c);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err = NULL;
		cr_assert_eq(config_set(&c, "text-width", bad[i], &err), -1, "'%s'", bad[i]);
		cr_assert_not_null(err);
		cr_assert(strstr(err, "text-width") && strstr(err, "columns"), "%s", err);
		cr_assert_eq(c.text_width, 100, "'%s' changed it", bad[i]);
		free(err);
	}
	config_free(&c);
}

Test(text_width, offered_as_an_option)
{
	bool found = false;
	for (size_t i = 0; config_option_name(i); i++)
		found = found || !strcmp(config_option_name(i), "text-width");
	cr_assert(found);
}
