/* Helpers shared by the unit tests: loading, running the lede binary. */
#ifndef LEDE_TEST_HELPERS_H
#define LEDE_TEST_HELPERS_H

#include <stddef.h>

#include "lede/store.h"

/* Load one path into a fresh store. */
void load_path(struct store *s, const char *path);
/* The article of s whose path ends with suffix, or NULL. */
struct article *find_article(const struct store *s, const char *suffix);

struct run {
	char *out, *err; /* NUL-terminated */
	size_t out_len, err_len;
	int status; /* exit status, or 128+signal */
};
/* Run the lede binary ($LEDE_BIN, else ./lede) with argv (NULL-terminated,
 * without argv[0]); env entries ("K=V") are added to the environment. */
void run_lede(struct run *r, const char *const *argv, const char *const *env);
/* In a child: exec bin with argv (NULL-terminated, without argv[0]);
 * exits 127 when it cannot. */
void exec_lede(const char *bin, const char *const *argv) __attribute__((noreturn));
void run_free(struct run *r);
/* A whole file as a NUL-terminated string (aborts the test if missing). */
char *slurp(const char *path, size_t *len);
/* Wait out the cache's racy window (two seconds): files written before the
 * call may then be cached by the next load. Their ctime, unlike their
 * mtime, cannot be set back. */
void wait_until_not_racy(void);
/* Remove dir and everything under it, not following symbolic links. */
void remove_tree(const char *dir);

/* path made to hold text (created or truncated). */
void write_text(const char *path, const char *text);
/* A PID that no process has: a child that has exited and been reaped. */
long dead_pid(void);
/* Set path's times (not following a link) to seconds ago. */
void age_file(const char *path, long seconds);

/* A fresh directory $TMPDIR/lede-NAME-XXXXXX (else under /tmp); the caller
 * gives it to temp_dir_free, which removes the tree, however deep, and
 * frees the name. */
char *temp_dir(const char *name);
void temp_dir_free(char *dir);

struct buf;
/* Append s as roff wants it: hyphens and backslashes escaped. */
void roff_escape(struct buf *b, const char *s);

#endif
