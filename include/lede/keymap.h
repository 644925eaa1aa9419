/* keymap: key names, and which action each key runs in each view. A key is
 * a Unicode code point (Enter is 13, Tab 9, Esc 27, Backspace 127, C-x the
 * control code), or KEY_SPECIAL plus a curses key code, or KEY_META plus a
 * key. Bindings for one view win over bindings for all views; a binding to
 * ACT_NONE in one view is how that view unbinds a key that all views have.
 * The text form of a keymap (bind/unbind lines) is the commands module's. */
#ifndef LEDE_KEYMAP_H
#define LEDE_KEYMAP_H

#include <stddef.h>

#include "lede/action.h"

enum { KEYMAP_SPECIAL = 0x200000, KEYMAP_META = 0x400000 };

enum view_id { VIEW_ALL = -1, VIEW_LIST, VIEW_DETAIL, VIEW_RELATED, VIEW_HELP, VIEW_PROBLEMS,
	       VIEW_FACETS, VIEW_COUNT };

struct binding {
	int view; /* enum view_id */
	int key;
	enum action action;
};

struct keymap {
	struct binding *v;
	size_t n, cap;
};

/* A key from its name ("j", "C-d", "M-x", "Enter", "PgDn", "F5"...), or -1. */
int keymap_key_parse(const char *name);
/* The canonical name of key into buf (at least 16 bytes). */
const char *keymap_key_name(int key, char *buf, size_t size);
/* A key from what curses' get_wch returned (code is KEY_CODE_YES or OK). */
int keymap_from_curses(int code, unsigned ch);

/* The view named name ("list", "detail", "related", "help", "problems", "facets",
 * "all"), or -2. */
int keymap_view_parse(const char *name);
const char *keymap_view_name(int view);

/* Bind every action's default keys, in all views. */
void keymap_init_default(struct keymap *km);
void keymap_free(struct keymap *km);
/* Bind key to action in view (replacing an existing binding of that key
 * there); ACT_NONE removes that binding. */
void keymap_bind(struct keymap *km, int view, int key, enum action action);
/* Make key do nothing in view: for VIEW_ALL, remove its binding for all
 * views; for one view, bind it to ACT_NONE there, so that a binding for all
 * views cannot show through. */
void keymap_unbind(struct keymap *km, int view, int key);
/* Remove every binding. */
void keymap_clear(struct keymap *km);
/* The action key runs in view (ACT_NONE: nothing). */
enum action keymap_lookup(const struct keymap *km, int view, int key);

#endif
