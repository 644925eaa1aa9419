/* state: the read and starred marks, kept by each story's webUrl in
 * $XDG_STATE_HOME/lede/marks (else ~/.local/state/lede/marks).
 *
 * The file is text: a first line "lede-marks 1", then one story a line
 * (sorted by URL, so that a save does not shuffle it),
 * "FLAGS<TAB>URL", FLAGS being r (read), s (starred) or rs; tab, newline,
 * carriage return and '%' in a URL are written %09, %0A, %0D and %25.
 *
 * A change is not a rewrite: it is one line appended to "marks.journal"
 * (first line "lede-marks-journal 1", then lines as above, FLAGS "-" for a
 * story whose marks were taken away) and synced, so a mark costs the same
 * with a million marks as with ten. The journal is folded into the marks
 * file -- written to a fresh temporary, synced, renamed over it (see
 * atomic.h) -- when lede quits and whenever the journal has grown larger
 * than the file. The marks are the file with the journal's lines applied in
 * order; a last journal line cut short by a crash was never reported saved
 * and is dropped.
 *
 * Every write happens under an exclusive lock on "marks.lock", after the
 * file and journal are read again (only the journal's new lines, unless
 * another lede has folded it): two readers of one archive merge rather
 * than clobber. Reading takes a shared lock.
 *
 * A file that cannot be read (permission denied, say) is never written
 * over: the marks made meanwhile stay in memory (state_dirty), every save
 * fails saying why, and saving resumes, merging, once the file can be read.
 * A damaged file is reported line by line, kept aside as
 * "marks.corrupt-TIME" (a damaged journal as "marks.journal.corrupt-TIME")
 * before anything replaces it, and what could be read is kept. */
#ifndef LEDE_STATE_H
#define LEDE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/util.h"

/* The marks an article can carry, as stored here and as the views and
 * queries test them: bits of one byte. */
enum { MARK_READ = 1, MARK_STARRED = 2 };

struct state;

/* The default path (caller frees), or NULL when neither XDG_STATE_HOME nor
 * HOME is an absolute path. */
char *state_default_path(void);
/* Open the marks at path (a missing file is an empty state). Problems go to
 * *msgs as "PATH:LINE: message" or "PATH: message". Never NULL. */
struct state *state_open(const char *path, struct strlist *msgs);
void state_close(struct state *st);

unsigned state_get(const struct state *st, const char *url);
/* The same for the URL whose hash_str (hash.h) is hash, comparing the
 * hashes alone (two URLs of one hash: a chance of 2^-64 a pair). */
unsigned state_get_hash(const struct state *st, uint64_t hash);
/* Set url's flags; the change is pending until the next save. O(1). */
void state_set(struct state *st, const char *url, unsigned flags);
/* Changes not yet saved? */
bool state_dirty(const struct state *st);
/* Append the pending changes to the journal and sync it, folding the
 * journal into the file when it has outgrown it. O(changes) but for the
 * fold. Returns 0 (the changes are on disk), or -1 with *err (they stay
 * pending). Either way the state takes in what other processes saved. */
int state_save(struct state *st, char **err);
/* Save, then fold the journal into the marks file (for the end of a
 * session). Returns 0, or -1 with *err. */
int state_compact(struct state *st, char **err);
/* How many URLs have any mark (for tests and the status). */
size_t state_count(const struct state *st);
/* Why the marks on disk cannot be read now ("PATH: cannot read: REASON"),
 * or NULL. */
const char *state_unreadable(const struct state *st);
/* The problems state_open met (as it put them in its msgs). */
const struct strlist *state_problems(const struct state *st);
/* A number that grows by one for every change of marks saved by another
 * process taken in (never for state_set), so a view knows to ask again. */
unsigned long state_generation(const struct state *st);

/* One change taken in from disk: url (owned by the state, valid until
 * state_close) now has these flags. */
struct state_change {
	const char *url;
	unsigned flags;
};
/* The changes taken in since generation `since`, oldest first (*n of them
 * in *v, owned by the state, valid until it next reads the disk): a later
 * one of the same URL wins. False when the state cannot tell them (since
 * is older than what it kept, at least the last 32,768, or than the
 * first read of the marks): the caller reads every mark again. A reread
 * of the whole set (another process folded the journal) is told as the
 * URLs whose marks differ, so it is incremental too. */
bool state_changes_since(const struct state *st, unsigned long since,
			 const struct state_change **v, size_t *n);

#endif
