/* group: the reader's list as stories instead of files. The engine's rows
 * (query.h: articles, filtered and sorted) are folded into one line per
 * coverage cluster (cluster.h), as mutt folds a thread:
 *
 * - a cluster's line shows its lead (the cluster's best article) and
 *   stands where the first of its members stands in the rows: the best
 *   key among the members the rows keep, so a cluster matches a filter,
 *   a search or a mark filter when any member does, and sorts by the
 *   best of those;
 * - an expanded cluster lists under its line the other members the rows
 *   keep, in the cluster's own order (by date, earliest first), whatever
 *   the sort: a story read as it broke;
 * - an article alone is a line of its own, as without grouping.
 *
 * The lines are built a prefix at a time, as far as the list needs them,
 * and each row of the engine costs O(1) once (a lookup of its cluster's
 * lead and a byte), so the lines of the first screen cost what the
 * screen shows, and all of them O(rows). The module knows nothing of the
 * screen: lines are article indices and a kind. */
#ifndef LEDE_GROUP_H
#define LEDE_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Does the engine's filter keep article i (a member listed under an
 * expanded cluster only when it does)? */
typedef bool (*group_keep_fn)(void *ctx, size_t i);

enum group_kind {
	GROUP_ALONE,  /* an article in no cluster of two or more */
	GROUP_HEAD,   /* a cluster's line: its lead */
	GROUP_MEMBER, /* another member, under its expanded cluster's line */
};

struct group;
/* An empty grouping for store s (which the grouping reads the clusters
 * of, published or not: before, every article is alone). */
struct group *group_new(const struct store *s);
void group_free(struct group *g);

/* The rows were made again (another sort, filter, the clusters
 * published): the lines start over; expansions are kept. */
void group_reset(struct group *g);
/* Take in rows[consumed .. nrows) until there are more than upto lines,
 * at most budget rows (SIZE_MAX: no bound), or none is left. keep tests
 * the members an expanded cluster lists. Returns the number of lines. */
size_t group_extend(struct group *g, const uint32_t *rows, size_t nrows, size_t upto,
		    size_t budget, group_keep_fn keep, void *ctx);
/* The lines so far: articles (valid until the next call that changes g). */
const uint32_t *group_lines(const struct group *g);
size_t group_count(const struct group *g);
/* How many of the engine's rows are taken in. */
size_t group_consumed(const struct group *g);
enum group_kind group_kind(const struct group *g, size_t line);
/* The line that shows article i, or the line of its cluster when the
 * cluster is folded (or i is not kept under it); -1 when neither is among
 * the lines so far. */
long group_line_of(const struct group *g, size_t i);

/* Is the cluster of article i expanded? */
bool group_expanded(const struct group *g, size_t i);
/* Expand (on) or fold the cluster of article i; group_reset then. */
void group_set_expanded(struct group *g, size_t i, bool on);
/* Every cluster expanded, or every one folded; group_reset then. */
void group_set_all(struct group *g, bool on);

/* The members of article i's cluster, the lead first then by date (i
 * alone when it is in none): into out (room for the cluster's size, which
 * cluster_size gives); returns how many. */
size_t group_members(const struct store *s, size_t i, uint32_t *out, size_t room);

/* A cluster's marks (state.h's MARK_* bits) as its line shows them:
 * unread while any member is unread, starred while any member is. */
unsigned group_marks(const struct store *s, const unsigned char *marks, size_t i);

#endif
