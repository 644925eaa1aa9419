/* The list-date-format option: unset by default, a strftime format checked
 * as date-format is, kept apart from it. (What the list draws with it is
 * checked by the tests/ui/columns replay.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lede/config.h"

Test(list_date_format, unset_by_default_and_apart_from_date_format)
{
	struct config c;
	config_init(&c);
	cr_assert_null(c.list_date_format);
	char *err = NULL;
	cr_assert_eq(config_set(&c, "list-date-format", "%m/%d", &err), 0, "%s", err);
	cr_assert_str_eq(c.list_date_format, "%m/%d");
	cr_assert_str_eq(c.date_format, CONFIG_DEFAULT_DATE_FORMAT);
	cr_assert_eq(config_set(&c, "date-format", "%d %b", &err), 0, "%s", err);
	cr_assert_str_eq(c.list_date_format, "%m/%d");
	config_free(&c);
}

Test(list_date_format, refuses_what_date_format_refuses)
{
	static const char *const bad[] = {"", "%Q", "%", "a\tb", "%n"};
	struct config c;
	config_init(&c);
	char *e0 = NULL;
	cr_assert_eq(config_set(&c, "list-date-format", "%H:%M", &e0), 0, "%s", e0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err = NULL;
		cr_assert_eq(config_set(&c, "list-date-format", bad[i], &err), -1, "'%s'", bad[i]);
		cr_assert_not_null(err, "'%s' said nothing", bad[i]);
		free(err);
		cr_assert_str_eq(c.list_date_format, "%H:%M", "'%s' changed it", bad[i]);
	}
	config_free(&c);
}
