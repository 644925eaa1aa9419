/* draw: the whole screen from the app's state: the panes (each view draws
 * its own lines), the separator, the status line and the prompt line. */
#ifndef LEDE_UI_DRAW_H
#define LEDE_UI_DRAW_H

#include "lede/ui/app.h"

/* Lay out for the current terminal size, draw everything and refresh. */
void draw_screen(struct app *a);
/* What the layout is computed from now (layout.h), but the story's rows:
 * the split as asked. */
struct layout_in;
void draw_layout_in(const struct app *a, struct layout_in *in);

#endif
