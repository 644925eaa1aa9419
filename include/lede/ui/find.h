/* find: searching the text of the story pane's view, as a pager's / does
 * (less, mutt's pager), while the story pane has the focus. It owns the
 * pattern being found and where it was last found; the view gives its
 * lines through its line_text hook and draws the spans find_spans gives.
 * The list's search (prompt.h) is another thing: it moves the list. */
#ifndef LEDE_UI_FIND_H
#define LEDE_UI_FIND_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/ui/app.h"

/* Does / find in the story pane's text now (the story pane focused, its
 * view one with lines to search)? Otherwise / searches the list. */
bool find_applies(struct app *a);
/* The pattern being found in the story pane, or NULL: none, or the pane
 * shows another story or view than the one it was found in (then it is
 * dropped). */
struct search *find_active(struct app *a);
/* Find pattern (the find prompt's Enter): the first matching line at or
 * after the pane's top, round to the start if none is below; the message
 * line says which match of how many. An empty pattern changes nothing;
 * a bad one says why and keeps the old. */
void find_start(struct app *a, const char *pattern);
/* n (dir 1) or N (-1): the next or previous matching line, round the
 * ends. */
void find_step(struct app *a, int dir);
/* The spans of text[0..len) to draw as matches in the story pane: the
 * pattern being found there, else the list's search. Returns their count
 * and sets *out (caller frees; NULL when none). */
size_t find_spans(struct app *a, const char *text, size_t len, struct span **out);
/* Free what find holds. */
void find_free(struct app *a);

#endif
