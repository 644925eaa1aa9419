/* history: the stories visited, back and forward, as a browser keeps
 * them; each remembers whether the related view was showing and where
 * its cursor was. */
#ifndef LEDE_UI_HISTORY_H
#define LEDE_UI_HISTORY_H

#include <stdbool.h>

#include "lede/ui/app.h"

/* Make s the current story, pushing the old one on the history; an
 * article (not a related summary) is marked read. */
void history_jump(struct app *a, struct story s);
/* Go one story back, or forward; a message when there is none. */
void history_step(struct app *a, bool forward);

#endif
