/* keymap: names both ways and a small binding table. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "lede/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lede/util.h"

static const struct {
	const char *name;
	int key;
} named[] = {
	{"Enter", 13},
	{"Esc", 27},
	{"Tab", 9},
	{"Backspace", 127},
	{"Space", ' '},
	{"BackTab", KEYMAP_SPECIAL + KEY_BTAB},
	{"Up", KEYMAP_SPECIAL + KEY_UP},
	{"Down", KEYMAP_SPECIAL + KEY_DOWN},
	{"Left", KEYMAP_SPECIAL + KEY_LEFT},
	{"Right", KEYMAP_SPECIAL + KEY_RIGHT},
	{"PgUp", KEYMAP_SPECIAL + KEY_PPAGE},
	{"PgDn", KEYMAP_SPECIAL + KEY_NPAGE},
	{"Home", KEYMAP_SPECIAL + KEY_HOME},
	{"End", KEYMAP_SPECIAL + KEY_END},
	{"Insert", KEYMAP_SPECIAL + KEY_IC},
	{"Delete", KEYMAP_SPECIAL + KEY_DC},
};

static const char *const view_names[VIEW_COUNT] = {"list", "detail", "related", "help",
						   "problems", "facets"};

int keymap_key_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (!strcasecmp(name, named[i].name))
			return named[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && name[1]) {
		char *end;
		long n = strtol(name + 1, &end, 10);
		if (!*end && n >= 1 && n <= 12)
			return KEYMAP_SPECIAL + KEY_F(n);
	}
	if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
		/* A key is Meta at most once, so "M-M-..." can only fail: say so
		 * before recursing, or a config line of a million "M-" would
		 * recurse a million deep and overflow the stack. */
		if ((name[2] == 'M' || name[2] == 'm') && name[3] == '-' && name[4])
			return -1;
		int k = keymap_key_parse(name + 2);
		return k < 0 || (k & KEYMAP_META) ? -1 : KEYMAP_META | k;
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
		char c = name[2];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		if (c == '@' || c == ' ')
			return 0;
		if (c >= '[' && c <= '_')
			return c - '@';
		return -1;
	}
	unsigned cp;
	int len = utf8_decode(name, strlen(name), &cp);
	if (len > 0 && !name[len] && cp > ' ' && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0))
		return (int)cp;
	return -1;
}

const char *keymap_key_name(int key, char *buf, size_t size)
{
	if (key & KEYMAP_META) {
		char inner[16];
		snprintf(buf, size, "M-%s", keymap_key_name(key & ~KEYMAP_META, inner, sizeof inner));
		return buf;
	}
	for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
		if (named[i].key == key) {
			snprintf(buf, size, "%s", named[i].name);
			return buf;
		}
	}
	if (key >= KEYMAP_SPECIAL + KEY_F(1) && key <= KEYMAP_SPECIAL + KEY_F(12)) {
		snprintf(buf, size, "F%d", key - KEYMAP_SPECIAL - KEY_F0);
	} else if (key >= 0 && key < ' ') {
		snprintf(buf, size, "C-%c", key == 0 ? '@' : key < 27 ? key + 'a' - 1 : key + '@');
	} else if (key > ' ' && key < KEYMAP_SPECIAL) {
		/* a code point as UTF-8 */
		char u[4];
		size_t n = utf8_encode((unsigned)key, u);
		snprintf(buf, size, "%.*s", (int)n, u);
	} else {
		snprintf(buf, size, "<%#x>", (unsigned)key);
	}
	return buf;
}

int keymap_from_curses(int code, unsigned ch)
{
	if (code == KEY_CODE_YES) {
		switch (ch) {
		case KEY_ENTER:
			return 13;
		case KEY_BACKSPACE:
			return 127;
		default:
			return KEYMAP_SPECIAL + (int)ch;
		}
	}
	if (ch == '\n')
		return 13;
	if (ch == 8)
		return 127;
	return (int)ch;
}

int keymap_view_parse(const char *name)
{
	if (!strcmp(name, "all"))
		return VIEW_ALL;
	for (int v = 0; v < VIEW_COUNT; v++)
		if (!strcmp(name, view_names[v]))
			return v;
	return -2;
}

const char *keymap_view_name(int view)
{
	return view >= 0 && view < VIEW_COUNT ? view_names[view] : "all";
}

void keymap_bind(struct keymap *km, int view, int key, enum action action)
{
	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].view == view && km->v[i].key == key) {
			if (action == ACT_NONE)
				km->v[i] = km->v[--km->n];
			else
				km->v[i].action = action;
			return;
		}
	}
	if (action == ACT_NONE)
		return;
	km->v = xgrow(km->v, &km->cap, km->n + 1, sizeof *km->v);
	km->v[km->n++] = (struct binding){view, key, action};
}

void keymap_unbind(struct keymap *km, int view, int key)
{
	if (view == VIEW_ALL) {
		keymap_bind(km, VIEW_ALL, key, ACT_NONE);
		return;
	}
	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].view == view && km->v[i].key == key) {
			km->v[i].action = ACT_NONE;
			return;
		}
	}
	km->v = xgrow(km->v, &km->cap, km->n + 1, sizeof *km->v);
	km->v[km->n++] = (struct binding){view, key, ACT_NONE};
}

void keymap_clear(struct keymap *km)
{
	km->n = 0;
}

void keymap_init_default(struct keymap *km)
{
	memset(km, 0, sizeof *km);
	for (int a = 1; a < ACT_COUNT; a++) {
		char *keys = xstrdup(action_table[a].keys);
		for (char *save, *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
			int key = keymap_key_parse(k);
			if (key < 0)
				abort(); /* the table is ours: a bad name is a bug */
			keymap_bind(km, VIEW_ALL, key, (enum action)a);
		}
		free(keys);
	}
}

void keymap_free(struct keymap *km)
{
	free(km->v);
	memset(km, 0, sizeof *km);
}

enum action keymap_lookup(const struct keymap *km, int view, int key)
{
	enum action any = ACT_NONE;
	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].key != key)
			continue;
		if (km->v[i].view == view)
			return km->v[i].action;
		if (km->v[i].view == VIEW_ALL)
			any = km->v[i].action;
	}
	return any;
}
