/* state: the read and starred marks, kept by each story's webUrl in
 * $XDG_STATE_HOME/lede/marks (else ~/.local/state/lede/marks).
 *
 * The file is text: a first line "lede-marks 1", then one story a line
 * (sorted by URL, so that a save does not shuffle it),
 * "FLAGS<TAB>URL", FLAGS being r (read), s (starred) or rs; tab, newline,
 * carriage return and '%' in a URL are written %09, %0A, %0D and %25.
 *
 * Saving never loses a mark: under an exclusive lock on "marks.lock", the
 * file on disk is read again, this process's changes since its last save are
 * applied on top (so two readers of one archive merge rather than clobber),
 * and the result is written to a temporary file, synced, and renamed over
 * the old one. A damaged file is reported line by line, kept aside as
 * "marks.corrupt-TIME" before anything replaces it, and what could be read
 * is kept. */
#ifndef LEDE_STATE_H
#define LEDE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/util.h"

enum { STATE_READ = 1, STATE_STARRED = 2 };

struct state;

/* The default path (caller frees), or NULL when neither XDG_STATE_HOME nor
 * HOME is an absolute path. */
char *state_default_path(void);
/* Open the marks at path (a missing file is an empty state). Problems go to
 * *msgs as "PATH:LINE: message" or "PATH: message". Never NULL. */
struct state *state_open(const char *path, struct strlist *msgs);
void state_close(struct state *st);

unsigned state_get(const struct state *st, const char *url);
/* Set url's flags; a change is remembered until the next save. */
void state_set(struct state *st, const char *url, unsigned flags);
/* Unsaved changes? */
bool state_dirty(const struct state *st);
/* Lock, merge with the file, write atomically. Returns 0, or -1 with *err.
 * On success the state also holds what other processes saved. */
int state_save(struct state *st, char **err);
/* How many URLs have any mark (for tests and the status). */
size_t state_count(const struct state *st);

#endif
