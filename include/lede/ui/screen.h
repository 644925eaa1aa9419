/* screen: curses set-up and tear-down, colours and styles, and the one
 * drawing call every view uses. Only the main thread calls into here. */
#ifndef LEDE_UI_SCREEN_H
#define LEDE_UI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lede/config.h"
#include "lede/search.h"
#include "lede/util.h"

/* The styles the views draw with, one for each colour element the config
 * can set: named after them, so that neither list depends on the other's
 * order. */
enum style {
	ST_NORMAL = CONFIG_EL_NORMAL,
	ST_HEADER = CONFIG_EL_HEADER, /* column names, pane titles */
	ST_TITLE_FOCUS = CONFIG_EL_TITLE_FOCUS,
	ST_SELECTED = CONFIG_EL_SELECTED, /* the selected line of the focused pane */
	ST_CURSOR = CONFIG_EL_CURSOR, /* the selected line of the other pane */
	ST_STATUS = CONFIG_EL_STATUS,
	ST_MATCH = CONFIG_EL_MATCH, /* search matches */
	ST_LOCAL = CONFIG_EL_LOCAL, /* a related story in the archive */
	ST_DIM = CONFIG_EL_DIM,
	ST_LABEL = CONFIG_EL_LABEL, /* field names in the story pane */
	ST_STORY_TITLE = CONFIG_EL_STORY_TITLE,
	ST_URL = CONFIG_EL_URL,
	ST_ERROR = CONFIG_EL_ERROR,
	ST_UNREAD = CONFIG_EL_UNREAD, /* a list row not read yet */
	ST_COUNT = CONFIG_EL_COUNT
};

/* Start curses on the terminal, or headless (output to /dev/null, the given
 * size) when cols and rows are positive. Colours unless NO_COLOR is set (to
 * anything) or the terminal has none. Returns 0 or -1 with a message. */
int screen_open(int cols, int rows, char **err);
void screen_close(void);
bool screen_headless(void);
/* Resize the headless screen. */
void screen_resize(int cols, int rows);
void screen_size(int *cols, int *rows);

/* Apply the config's colour lines (elements that are not set keep their
 * built-in style). Without colour, only their attributes apply. */
void screen_apply_colors(const struct config_color *colors);
/* Report mouse clicks and the wheel, or not. */
void screen_mouse(bool on);

/* Draw s[0..len) at (y, x) into exactly w cells in style st, clipped with an
 * ellipsis and padded; bytes inside spans are drawn as matches. Returns the
 * cells used before padding. */
int screen_put(int y, int x, int w, const char *s, size_t len, enum style st,
	       const struct span *spans, size_t nspans);
/* Fill w cells at (y, x) with spaces in style st. */
void screen_fill(int y, int x, int w, enum style st);
/* Put the terminal's cursor at (y, x) and show it, or hide it. */
void screen_cursor(int y, int x, bool show);

/* Write the screen as text, each row with trailing blanks trimmed. */
void screen_dump(FILE *out);
/* Append to out, as UTF-8, the w cells of row y from column x (w < 0: to
 * the end of the row), trailing blanks trimmed. */
void screen_text(int y, int x, int w, struct buf *out);
/* Append to out, as UTF-8, what the w cells of row y from column x show
 * drawn as search matches (ST_MATCH), each run of them followed by a
 * space; so that a test can tell what is highlighted. */
void screen_match_text(int y, int x, int w, struct buf *out);
/* The first row whose cells [x, x+w) show the focused pane's selection
 * (what screen_dump marks '>'; w < 0: to the end of the row), or -1. */
int screen_selected_row(int x, int w);

#endif
