/* scan: the paths a person gives, turned into the list of candidate files.
 * Directories are walked recursively in name order; hidden entries are
 * skipped; in a directory only regular files named *.md, *.markdown, *.txt,
 * *.yml and *.yaml are candidates; symbolic links are followed, each
 * directory is entered once, and a link back to a directory being walked is
 * reported as a loop. A file named directly is always a candidate. Nothing
 * that is not a regular file is ever opened. */
#ifndef LEDE_SCAN_H
#define LEDE_SCAN_H

#include <stddef.h>

#include "lede/util.h"

/* Appends the candidate paths to *files and any problem ("path: message")
 * to *problems. */
void scan_paths(const char *const *paths, size_t n, struct strlist *files,
		struct strlist *problems);
/* The same, giving each candidate to found as soon as it is met, in the
 * same order (found owns the path), so that a caller can start on the
 * first files while the walk goes on. */
void scan_paths_each(const char *const *paths, size_t n, void (*found)(void *ctx, char *path),
		     void *ctx, struct strlist *problems);

#endif
