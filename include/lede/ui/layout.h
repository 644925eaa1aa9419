/* layout: where each pane goes. A pure function of the terminal size, the
 * split, the list's height, which panes are open, the focus and the zoom; every rectangle is
 * clamped to the screen, so a tiny terminal gives empty rectangles, never
 * negative ones. */
#ifndef LEDE_UI_LAYOUT_H
#define LEDE_UI_LAYOUT_H

#include <stdbool.h>

struct rect {
	int x, y, w, h;
};

struct layout_in {
	int cols, rows;
	bool vertical;    /* side by side instead of one above the other */
	bool bottom_open; /* the story pane is shown */
	bool zoom;        /* the focused pane takes the whole main area */
	int focus;        /* 0: list, 1: story pane */
	/* The list's height one above the other: rows, or a percent of the
	 * main area when list_percent; 0: the default 40%. Clamped so that
	 * each pane keeps two rows where the screen has them. */
	int list_height;
	bool list_percent;
	/* The rows the story pane and the list need one above the other
	 * (title and lines), when known: a story shorter than its pane gives
	 * the rows it leaves free to a list that has more to show. 0: not
	 * known, the split as asked. */
	int story_rows, list_rows;
	/* The facets pane: shown, and focused (zoom then gives it all). */
	bool facets_open, facets_focus;
};

struct layout_out {
	struct rect list, story, sep, status, prompt;
	/* The facets pane, beside the panes (then facets_sep between) from
	 * LAYOUT_FACETS_SIDE_COLS columns, above them on a narrower screen;
	 * empty when it is not shown. */
	struct rect facets, facets_sep;
	bool too_small; /* nothing but a short notice can be drawn */
};

enum { LAYOUT_MIN_COLS = 20, LAYOUT_MIN_ROWS = 5, LAYOUT_FACETS_SIDE_COLS = 100 };

void layout_compute(const struct layout_in *in, struct layout_out *out);

#endif
