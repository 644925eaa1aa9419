/* layout: the split is 40/60 one above the other (or the list-height
 * asked for; the list takes the rows a short story leaves), 45/55 side by
 * side. */
#include "lede/ui/layout.h"

#include <string.h>

/* The list's rows one above the other in a main area of h rows: as asked,
 * at least two, and at most all but two for the story where there are. */
static int list_rows(const struct layout_in *in, int h)
{
	int lh = in->list_height <= 0 ? h * 40 / 100
		 : in->list_percent   ? (int)((long)h * in->list_height / 100)
				      : in->list_height;
	if (lh > h - 2)
		lh = h - 2;
	return lh < 2 ? 2 : lh;
}

/* The facets pane's share of the main area: a column at the left of a
 * wide screen, rows at the top of a narrow one (a third, at most 10, the
 * rest keeping room for the list and the story); main shrinks to what is
 * left. */
static void place_facets(struct layout_out *out, struct rect *main)
{
	if (main->w >= LAYOUT_FACETS_SIDE_COLS) {
		int fw = main->w * 28 / 100;
		fw = fw < 24 ? 24 : fw > 40 ? 40 : fw;
		out->facets = (struct rect){main->x, main->y, fw, main->h};
		out->facets_sep = (struct rect){main->x + fw, main->y, 1, main->h};
		*main = (struct rect){main->x + fw + 1, main->y, main->w - fw - 1, main->h};
		return;
	}
	int fh = main->h / 3;
	fh = fh > 10 ? 10 : fh;
	if (main->h - fh < 4)
		fh = main->h - 4;
	if (fh < 2)
		return; /* no room: the list and the story first */
	out->facets = (struct rect){main->x, main->y, main->w, fh};
	*main = (struct rect){main->x, main->y + fh, main->w, main->h - fh};
}

void layout_compute(const struct layout_in *in, struct layout_out *out)
{
	memset(out, 0, sizeof *out);
	int cols = in->cols > 0 ? in->cols : 0, rows = in->rows > 0 ? in->rows : 0;
	out->too_small = cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS;
	if (out->too_small)
		return;
	out->prompt = (struct rect){0, rows - 1, cols, 1};
	out->status = (struct rect){0, rows - 2, cols, 1};
	struct rect main = {0, 0, cols, rows - 2};

	if (in->facets_open && in->zoom && in->facets_focus) {
		out->facets = main;
		return;
	}
	if (in->facets_open && !in->zoom)
		place_facets(out, &main);
	if (!in->bottom_open || (in->zoom && in->focus == 0)) {
		out->list = main;
		return;
	}
	if (in->zoom) {
		out->story = main;
		return;
	}
	if (in->vertical) {
		int lw = main.w * 45 / 100;
		out->list = (struct rect){main.x, main.y, lw, main.h};
		out->sep = (struct rect){main.x + lw, main.y, 1, main.h};
		out->story = (struct rect){main.x + lw + 1, main.y, main.w - lw - 1, main.h};
	} else {
		int lh = list_rows(in, main.h);
		/* a short story leaves its blank rows to a list with more to show */
		int need = in->story_rows < 2 ? 2 : in->story_rows;
		int more = in->list_rows - lh;
		if (in->story_rows > 0 && more > 0 && main.h - lh > need)
			lh += main.h - lh - need < more ? main.h - lh - need : more;
		out->list = (struct rect){main.x, main.y, main.w, lh};
		out->story = (struct rect){main.x, main.y + lh, main.w, main.h - lh};
	}
}
