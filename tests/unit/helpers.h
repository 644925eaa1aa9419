/* Helpers shared by the unit tests: loading, running the lede binary. */
#ifndef LEDE_TEST_HELPERS_H
#define LEDE_TEST_HELPERS_H

#include <stdbool.h>
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

/* A copy of tests/corpus in a fresh temp_dir(name), old enough to be
 * cached; the caller temp_dir_frees it. */
char *corpus_copy(const char *name);
/* dir into a fresh store: reader, as the reader loads it (lazy, from the
 * cache alone when it can); else whole; through cache (NULL: none). */
void load_dir(struct store *s, const char *dir, const char *cache, bool reader);

/* path made to hold d[0..len) exactly (created or truncated). */
void write_bytes(const char *path, const void *d, size_t len);

/* The listed articles of s in date order, newest first, a line each:
 * path, title, date. The caller frees it. */
char *store_listing(const struct store *s);
/* s's problems, a line each. The caller frees it. */
char *store_problems_text(const struct store *s);
/* The paths of the rows in every order, one a line under a line naming
 * the order: from the query engine (engine), else from query_filter and
 * query_sort. The caller frees it. */
char *store_orders(const struct store *s, bool engine);

/* The environment of a reader run by a test: TZ, the locale, HOME and the
 * config pinned, colours off, its cache in home/c (made) and its marks in
 * home/s; env (room for 9) ends with NULL. The caller frees *cache_env
 * and *state_env. */
void reader_env(const char *home, char **cache_env, char **state_env, const char **env);

struct cluster_set;
/* a and b, of one store, are the same clusters in the same order (asserts). */
void assert_same_clusters(const struct cluster_set *a, const struct cluster_set *b);

struct field;
/* Does a belong strictly before b in the numeric order of f by the rules
 * of query.h: the value in the order's direction, a missing or unknown one
 * (a quality or heat of -1) last either way; then the title ascending, a
 * missing one last; then the path. The tests' reference for the sorts. */
bool sort_rule_before(const struct article *a, const struct article *b, const struct field *f,
		      bool desc);

struct buf;
/* Append s as roff wants it: hyphens and backslashes escaped. */
void roff_escape(struct buf *b, const char *s);

#endif
