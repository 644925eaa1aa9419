/* prompt: the prompt line. Its line editor and history, Tab completion at
 * the : prompt, the live search and filter (the list follows as a pattern
 * is typed, Esc puts back what was there), and the one-key URL and quit
 * confirmation prompts. */
#ifndef LEDE_UI_PROMPT_H
#define LEDE_UI_PROMPT_H

#include <stdbool.h>

#include "lede/ui/app.h"

/* Open the prompt of kind k (the filter prompt starts from the filter). */
void prompt_start(struct app *a, enum prompt_kind k);
/* A key while a prompt is open. */
void prompt_key(struct app *a, int key);
/* Run a search or filter prompt as if text had been typed and Enter
 * pressed. */
void prompt_run(struct app *a, enum prompt_kind k, const char *text);
/* Move the list to the next (dir 1) or previous (-1) match of the search
 * from the selection; with inclusive, the selection itself counts. Quiet:
 * no message for "no search", "no match" or "wrapped". True when it moved;
 * false also when the step is left pending (app.h, struct app_seek), the
 * message then saying "searching for PATTERN …" unless quiet. */
bool prompt_find_match(struct app *a, int dir, bool inclusive, bool quiet);
/* A pending step on, between keys: for a few milliseconds, or to its end
 * with settle (the headless player's, before a screen it compares). */
void prompt_seek_tick(struct app *a, bool settle);
/* A pending step dropped: the next key acts on the list as it is. */
void prompt_seek_drop(struct app *a);
/* "match 3 of 46" on the message line: the selected row's place among the
 * rows that match the search, and how many do ("match 3 of …" while the
 * engine is still finding them: said again once it knows); wrapped adds
 * that the search went round the end. */
void prompt_say_match(struct app *a, bool wrapped);

/* The URL prompt's line: the URLs the current story has, each with its
 * key (see prompt_url_for). */
void prompt_url_menu(struct app *a, struct buf *out);
/* The URL `o` opens of the current story: its webUrl, else its
 * originalUrl, else its AMP URLs; NULL when it has none. */
const char *prompt_default_url(struct app *a);
/* Does the current story have any URL to choose from? */
bool prompt_has_urls(struct app *a);

#endif
