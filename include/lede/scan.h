/* scan: the paths a person gives, turned into the list of candidate files.
 * Directories are walked recursively in name order; hidden entries are
 * skipped; in a directory only regular files named *.md, *.markdown, *.txt,
 * *.yml and *.yaml are candidates. The paths given are followed when they
 * are symbolic links; links met inside the walk, to a directory or to a
 * file, are skipped quietly unless SCAN_FOLLOW_LINKS is given (as ripgrep
 * and fd do). Each directory is entered once, and one met again while it is
 * being walked (a link back to a parent) is reported as a loop. An entry
 * whose path is longer than PATH_MAX - 1 bytes is a problem, never read. A
 * file named directly is always a candidate. Nothing that is not a regular
 * file is ever opened. */
#ifndef LEDE_SCAN_H
#define LEDE_SCAN_H

#include <stddef.h>

#include "lede/util.h"

enum scan_flags {
	SCAN_FOLLOW_LINKS = 1 << 0, /* follow links met inside the walk */
	/* found does not own the path: it is the walk's, valid during the
	 * call only (a caller that keeps it copies it where it likes), so
	 * that the walk makes no allocation a file */
	SCAN_LENT_PATHS = 1 << 1,
};

/* Appends the candidate paths to *files and any problem ("path: message")
 * to *problems; links inside the walk are not followed. */
void scan_paths(const char *const *paths, size_t n, struct strlist *files,
		struct strlist *problems);
/* The same, with enum scan_flags, giving each candidate to found as soon
 * as it is met, in the same order (found owns the path but with
 * SCAN_LENT_PATHS), so that a caller
 * can start on the first files while the walk goes on. */
void scan_paths_each(const char *const *paths, size_t n, unsigned flags,
		     void (*found)(void *ctx, char *path), void *ctx, struct strlist *problems);

/* How many slots of its set of directories the last walk to finish visited
 * to tell whether a directory was seen before: a few per directory, however
 * many there are (a list of all of them searched each time made the walk
 * quadratic). For tests. */
size_t scan_last_probes(void);

#endif
