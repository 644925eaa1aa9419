/* triage: the daily loop's actions on top of the app: the next and
 * previous story or unread story, marking every listed story read, the
 * story's file in a pager or an editor, copying its URL, quitting from
 * anywhere and suspending; counts before motions ("5j") and ":42"; and
 * the story becoming read once it has been shown for a moment (set
 * mark-read-on view). What it changes in the app goes through the app's
 * own functions (app_mark, app_show_story, pane_move). */
#ifndef LEDE_UI_TRIAGE_H
#define LEDE_UI_TRIAGE_H

#include <stdbool.h>

#include "lede/ui/app.h"

/* The most a count repeats a motion: more is that many. */
#define TRIAGE_COUNT_MAX 999999UL

/* A key typed before a motion: a digit (or Alt and a digit, as in Emacs)
 * that is not bound is part of a count. Adds it to *count and returns
 * true; false for any other key, and for a 0 that would start a count. */
bool triage_count_feed(unsigned long *count, int key);

/* Does act take a count (a motion)? */
bool triage_counted(enum action act);

/* Run one of the actions this module owns (next-story ... suspend), count
 * times where that means something (0: no count given). False when act is
 * not one of them. */
bool triage_action(struct app *a, enum action act, unsigned long count);

/* page-down in the story view at the story's end goes on to the next
 * story (mutt, newsboat): true when it did. */
bool triage_page_down_at_end(struct app *a);

/* ":42": a line that is a number selects that row of the list (1 is the
 * first, past the end the last). False when line is not a number. */
bool triage_goto_row(struct app *a, const char *line);

/* A key at the mark-all-read confirmation. */
void triage_confirm_key(struct app *a, int key);
/* The confirmation's question (while a->prompt is PROMPT_CONFIRM_MARK_ALL). */
const char *triage_confirm_text(const struct app *a);

/* Note what the story pane shows now, and mark it read once it has been
 * shown for mark-read-delay (set mark-read-on view). After each key, and
 * between keys. True when it marked one (the marks are to be saved). */
bool triage_tick(struct app *a);
/* Milliseconds until triage_tick has something to do (-1: nothing waits). */
long triage_wait_ms(const struct app *a);
/* The headless player's clock: time passes only when a script says so
 * ("sleep"), so that replays never depend on the machine's speed. */
void triage_clock_advance(struct app *a, unsigned long ms);

/* Copy url with the configured copy-command (or osc52); the outcome on
 * the message line. */
void triage_copy_url(struct app *a, const char *url);

/* Open path in $PAGER (else less) at line (0: its start), curses left
 * and restored around it; the outcome on the message line. */
void triage_page_file(struct app *a, const char *path, long line);

#endif
