/* action: the table behind the X-macro. */
#include "lede/action.h"

#include <string.h>

const struct action_info action_table[ACT_COUNT] = {
	[ACT_NONE] = {NULL, NULL, NULL},
#define X(e, n, k, h) [ACT_##e] = {n, k, h},
	LEDE_ACTIONS(X)
#undef X
};

enum action action_by_name(const char *name)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (!strcmp(action_table[a].name, name))
			return (enum action)a;
	return ACT_NONE;
}
