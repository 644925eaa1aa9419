/* view_facets: the facets pane, beside the list on a wide terminal and
 * above it on a narrow one: the sparkline of the list's stories by date,
 * the saved views with their counts, then the list's topics, providers
 * and months with theirs (facets.h counts them on a thread of its own;
 * an ellipsis stands for a count until it is in). Enter on a topic,
 * provider or month adds it to the filter, or takes it away again; on a
 * view, applies the view. The pane's state is the view's own (its open
 * and close hooks); the app holds only whether it is shown and focused. */
#ifndef LEDE_UI_VIEW_FACETS_H
#define LEDE_UI_VIEW_FACETS_H

#include <stdbool.h>

#include "lede/ui/app.h"

extern const struct view_ops view_facets_ops;

/* Show the pane, focused, or hide it (and give the focus to the list). */
void facets_pane_toggle(struct app *a);
/* Take in the counts the thread finished, and start counting again when
 * the list's rows, the marks or the saved views changed (wait: wait for
 * the counts of the rows as they are now). Between keys and before each
 * draw; nothing when the pane is hidden. */
void facets_pane_tick(struct app *a, bool wait);
/* Stop counting: before the store changes under the pane. The next tick
 * starts again over the new store. */
void facets_pane_stop(struct app *a);

#endif
