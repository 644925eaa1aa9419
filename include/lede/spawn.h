/* spawn: running a program the reader hands something to (a pager or an
 * editor on an article's file, a clipboard command on a URL), as an argv
 * with fork + execvp: never a shell, never system() or popen(), so that
 * nothing in a file name or URL is interpreted. Commands a person chose
 * ($PAGER, $VISUAL, $EDITOR, set copy-command) are split into words the
 * way config lines are (config_split_words). Every message it returns is
 * terminal-safe. */
#ifndef LEDE_SPAWN_H
#define LEDE_SPAWN_H

#include <stddef.h>

#include "lede/util.h"

/* The command named by the first of vars (a NULL-terminated list of
 * environment variable names) that is set and not empty, else fallback,
 * split into words and appended to *argv (its strings owned by the list);
 * then "+LINE" when line > 0 (what less, more, vi, nano and emacs take to
 * start at a line), then file, with "./" before it when it starts with '-'
 * so that it cannot read as an option. Returns 0, or -1 with *err (caller
 * frees) when the command does not split or has no words. */
int spawn_file_argv(const char *const *vars, const char *fallback, const char *file, long line,
		    struct strlist *argv, char **err);

/* Run argv (NULL-terminated, argv[0] looked up in PATH) in the
 * foreground: it has the terminal, which the caller has left (endwin);
 * SIGINT and SIGQUIT are ignored here until it exits, as system() does.
 * Returns 0, or -1 with *msg (caller frees): "cannot run 'x': No such file
 * or directory", "'x' exited with status 2". */
int spawn_foreground(char *const *argv, char **msg);

/* Run argv with input[0..len) on its standard input and /dev/null for its
 * output, and wait for it (clipboard programs that stay to serve the
 * selection fork into the background themselves). Returns 0, or -1 with
 * *msg (caller frees) as for spawn_foreground. */
int spawn_with_input(char *const *argv, const char *input, size_t len, char **msg);

#endif
