/* pane: which view a pane shows (opening and closing it through the
 * view's hooks), the pane's cursor and scroll position (moving by lines,
 * pages and the wheel, keeping the cursor in view) and which pane has the
 * focus. The panes themselves live in struct app; views say what is in
 * them. */
#ifndef LEDE_UI_PANE_H
#define LEDE_UI_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/ui/app.h"

/* Show ops in p: the view p showed is closed (its close hook frees its
 * state), ops is opened (its open hook makes its own) and the cursor and
 * scroll start at the top. */
void pane_open(struct app *a, struct pane *p, const struct view_ops *ops);
/* Close the view p shows, freeing its state; p then shows none. */
void pane_close(struct app *a, struct pane *p);
/* Tell the view in p (if any) that the config changed under it. */
void pane_invalidate(struct app *a, struct pane *p);
/* The pane keys go to: the overlay when open, else the list or the story. */
struct pane *pane_focused(struct app *a);
/* Lines below the pane's title row that scroll (at least 1): those the
 * view pins at the top are not among them. */
int pane_page_lines(const struct pane *p);
/* How many of the view's first lines are pinned below the title (its
 * pinned, fewer in a pane too low for them and a line more). */
size_t pane_pinned(const struct pane *p);
/* The line shown on row (0: the first below the title): a pinned one,
 * else one of those scrolled to from p->top. */
size_t pane_line_at(const struct pane *p, int row);
/* Whether the cursor may rest on line (views may rule lines out). */
bool pane_selectable(struct app *a, struct pane *p, size_t line);
/* Move the cursor (or scroll) by delta lines, landing on a selectable one. */
void pane_move(struct app *a, struct pane *p, long delta);
/* Scroll by delta lines as a mouse wheel does, the cursor dragged along
 * only as far as it must to stay in view. */
void pane_wheel(struct app *a, struct pane *p, long delta);
/* Clamp the cursor and scroll so the cursor is on screen. */
void pane_keep_visible(struct app *a, struct pane *p);
/* Show ops in the overlay pane, over the list and story. */
void pane_open_overlay(struct app *a, const struct view_ops *ops);

#endif
