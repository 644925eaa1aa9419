/* query: sort orders and filters over a store. Views ask for rows here and
 * never sort or match by themselves.
 *
 * Sort rules: date, quality and heat default to descending, title and
 * provider (by name) to ascending; a missing value sorts last in either
 * direction; ties are broken by title ascending, then path ascending,
 * whatever the direction. Strings compare byte by byte (code point order). */
#ifndef LEDE_QUERY_H
#define LEDE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/search.h"
#include "lede/state.h"
#include "lede/store.h"

enum sort_key { SORT_DATE, SORT_QUALITY, SORT_HEAT, SORT_TITLE, SORT_PROVIDER, SORT_NKEYS };

struct sort_order {
	enum sort_key key;
	bool desc;
};

/* The field a key sorts by (fields.h), which gives its name, its default
 * direction and what counts as missing; NULL for no key. */
struct field;
const struct field *query_sort_field(enum sort_key key);
const char *query_sort_name(enum sort_key key);
bool query_sort_default_desc(enum sort_key key);
/* Parse "KEY" or "KEY:asc" / "KEY:desc". Returns 0, or -1 if not valid. */
int query_parse_sort(const char *s, struct sort_order *out);

/* Sort idx[0..n) (indices into s->v) by order. */
void query_sort(const struct store *s, size_t *idx, size_t n, struct sort_order order);

/* Write into out (room for s->n) the indices of the articles that match re
 * (all of them when re is NULL), in store order; returns how many. */
size_t query_filter(const struct store *s, struct search *re, size_t *out);

/* Marks, one byte per article: state.h's MARK_READ and MARK_STARRED bits. */
enum mark_filter { MARKS_ALL, MARKS_UNREAD, MARKS_STARRED };
const char *query_mark_filter_name(enum mark_filter f);
/* How many articles are unread and how many starred: counted once, then
 * kept as marks change, so that no frame counts them again. */
struct query_counts {
	size_t unread, starred;
};
void query_counts_fill(struct query_counts *c, const unsigned char *marks, size_t n);
/* One article's marks went from was to now. */
void query_counts_change(struct query_counts *c, unsigned was, unsigned now);
/* As query_filter, also keeping only the unread or the starred articles
 * (marks may be NULL: nothing is read or starred). */
size_t query_filter_marks(const struct store *s, struct search *re, const unsigned char *marks,
			  enum mark_filter mf, size_t *out);

/* An engine for the reader, where every keystroke counts: it keeps, per
 * store, the full order of every sort key and direction once computed (a
 * radix sort of integer keys: values, or ranks of strings sorted by their
 * first 8 bytes and then only where those are equal), and the sets of
 * articles the last two patterns matched (a plain pattern that extends one
 * of them only tests its matches). The reader never waits for work over
 * the whole store: query_rows_begin gives the first rows at once and has
 * the rest found on another thread. The store must not change while the
 * engine lives. */
struct query;
struct query *query_new(const struct store *s);
void query_free(struct query *q);
/* Below this many articles a warm-up thread and a parallel scan cost more
 * than they save, and query_rows_begin tests up to 4 times as many
 * articles itself before it leaves the rest to a thread; the environment's
 * LEDE_THREAD_MIN, when a number, replaces it for every engine (so the
 * tests reach the threaded paths). */
#define QUERY_THREAD_MIN 4096
/* The same for one engine. */
void query_set_thread_min(struct query *q, size_t n);
/* Plain caseless patterns are matched over the articles' texts folded a
 * batch at a time into a buffer of about this many bytes (0: the default,
 * a few hundred kB), never over a copy of every article's text: the tests
 * set a small one, so that batches end everywhere. Before any search. */
void query_set_fold_window(struct query *q, size_t bytes);
/* The rows for order, pattern re (may be NULL) and marks, into out (room
 * for s->n); returns how many. Same result as query_filter_marks followed
 * by query_sort. Waits for whatever they need. */
size_t query_rows(struct query *q, struct sort_order order, struct search *re,
		  const unsigned char *marks, enum mark_filter mf, uint32_t *out);
/* The same rows without a copy when nothing filters them: *rows is then
 * the engine's kept order itself (valid while the engine lives; never
 * write to it), else out, filled as query_rows fills it. */
size_t query_rows_view(struct query *q, struct sort_order order, struct search *re,
		       const unsigned char *marks, enum mark_filter mf, uint32_t *out,
		       const uint32_t **rows);

/* The reader's rows, found as far as they are needed. */
struct querylang;
struct query_spec {
	struct sort_order order;
	struct search *re;          /* may be NULL */
	const unsigned char *marks; /* may be NULL */
	enum mark_filter mf;
	/* A query of the query language (querylang.h), on top of re; NULL:
	 * none. Its patterns' outcomes are found on a thread as re's matches
	 * are, and kept for its text; the rest of it (dates, numbers, the
	 * marks above, links) is evaluated as the rows are made. */
	const struct querylang *ql;
};
/* The rows for w at once, as query_rows_view gives them (waits for what
 * they need). */
size_t query_rows_spec(struct query *q, const struct query_spec *w, uint32_t *out,
		       const uint32_t **rows);

/* How far the walk over the order has gone. */
struct query_walk {
	size_t pos;    /* the order's articles before pos have been tested */
	bool complete; /* the rows are all of them */
};
/* As query_rows_view when nothing filters the rows (they are the order
 * itself), or the store is small and everything the rows need is known
 * (re's matches, the topic's and provider's ids); else the articles are
 * tested in order, one by one, until want rows are found (or 4 times the
 * thread minimum were tested, or none is left, or, when texts must be
 * read, a few milliseconds have gone), and, unless known, re's
 * matches and the names are found on other threads meanwhile. The rows
 * given are always the first of the full rows; walk says where the walk
 * stopped. No call walks the whole of a big store: the reader completes
 * the rows a slice at a time (query_rows_step) between keys. */
size_t query_rows_begin(struct query *q, const struct query_spec *w, size_t want, uint32_t *out,
			const uint32_t **rows, struct query_walk *walk);
/* rows out[0..n), as query_rows_begin (and this) left them for the same
 * spec: go on with the walk until there are more than upto rows and the
 * article through (-1: none) is passed, or none is left. Returns the new
 * count. The walk tests articles itself: it costs what it walks. */
size_t query_rows_extend(struct query *q, const struct query_spec *w, uint32_t *out, size_t n,
			 size_t upto, long through, struct query_walk *walk);
/* As query_rows_extend to the end, but testing at most budget articles
 * (at least one): a slice of the walk, which costs what it tests. */
size_t query_rows_step(struct query *q, const struct query_spec *w, uint32_t *out, size_t n,
		       size_t budget, struct query_walk *walk);
/* Does article i belong in the rows for w? Tested alone. */
bool query_rows_keeps(struct query *q, const struct query_spec *w, size_t i);
/* As query_rows_extend to pass article through, if the walk there is
 * short (4 times the thread minimum at most, and, when texts must be
 * read, a few milliseconds) or what the rows need is known: true then,
 * *n updated. false when it would have to walk far while a thread works
 * on it (nothing done), or the walk took its time (then *n and walk say
 * how far it went). */
bool query_rows_reach(struct query *q, const struct query_spec *w, uint32_t *out, size_t *n,
		      size_t through, struct query_walk *walk);
/* The walks that read articles' texts (query_rows_begin,
 * query_rows_reach) stop by until (monotonic_us) when it comes before
 * their own few milliseconds: the reader gives a key, and a tick, one
 * limit for all the walks it makes, so that a key that begins the rows
 * and then keeps the selection waits once, not once a walk. Each walk
 * still tests a few articles past it, so that it gets somewhere. 0: no
 * such limit. */
void query_time_limit(struct query *q, long long until);
/* Is everything the rows for w need known now (after query_poll)? Then
 * query_rows_begin and query_rows_extend to the end cost a walk. */
bool query_rows_ready(struct query *q, const struct query_spec *w);
/* Take in what the threads found (on the reader's thread, never
 * waiting); true when something was, and the rows may then be completed. */
bool query_poll(struct query *q);
/* Is a thread still finding something the rows wait for? */
bool query_busy(const struct query *q);
/* Does article i match re? Tested alone (from the kept sets when they
 * know, else on the article's own text): what / needs, row by row. */
bool query_test(struct query *q, struct search *re, size_t i);
/* The first of rows[from], rows[from + dir], ... (count of them, dir 1 or
 * -1) whose article matches re, as query_test tells; -1 when none. */
long query_find(struct query *q, struct search *re, const uint32_t *rows, size_t from,
		size_t count, int dir);
/* Where article i stands in rows[0..n), rows as query_rows gave them for
 * order (any part of that order, in it), or -1 when it is not there: from
 * the inverse kept with each order, at once for the whole order and by a
 * binary search for a filtered part. */
long query_row_of(struct query *q, struct sort_order order, const uint32_t *rows, size_t n,
		  size_t i);
/* The first want articles of order (fewer when the store has fewer) into
 * out, from one pass over the sort keys that keeps the best of them, not
 * from the whole order; returns how many. While the warm-up thread makes
 * an order, the rows above walk this head of it (HEAD_ROWS articles) and
 * never wait for the order: query_rows_ready is false until it is made,
 * and a walk that must go past the head (query_rows_extend to an article
 * or a row beyond it) waits for it. */
size_t query_order_head(struct query *q, struct sort_order order, size_t want, uint32_t *out);
/* Is order's whole order there without waiting for the warm-up (made, or
 * to be made at once by the caller)? */
bool query_order_known(const struct query *q, struct sort_order order);
/* Compute every sort order, the interned names and the search text on a
 * thread of their own, ahead of need (for big stores; the reader calls it
 * once the first screen is up). True when that thread was started. */
bool query_warm_up(struct query *q);
/* The order the caller computes itself at once (the reader's first
 * screen's): the warm-up starts with the key after it, never making the
 * caller wait for the one it needs first. SORT_DATE unless set. */
void query_warm_up_after(struct query *q, enum sort_key first);
/* Wait until every thread's work is done (the headless replay does before
 * each screen it dumps, never before a key it times); query_poll then
 * takes it in. */
void query_settle(struct query *q);
/* re's matches over the whole store (a byte an article), when the engine
 * knows them: kept, or found by a thread and taken in (query_poll). Else
 * NULL, and, unless a thread works on another pattern, one is set to find
 * them. Never waits, but on a store below the thread minimum, where they
 * are found at once. */
const unsigned char *query_matches_known(struct query *q, struct search *re);
/* As query_matches_known, but never sets a thread to find them: for a
 * pattern still being typed, soon another. */
const unsigned char *query_matches_kept(struct query *q, struct search *re);
/* Does article i match re? (From the engine's full set for re, found now
 * if need be.) */
bool query_matches(struct query *q, struct search *re, size_t i);

/* Keep only the articles with this topic, or from the provider of this
 * name (exact, in any case of its ASCII letters, whatever the locale), in
 * every query_rows from now on; NULL or "" keeps all. The engine keeps a
 * copy. Names are interned once per engine (on the warm-up thread, or on
 * one of their own at the first filter), so that a filter compares ids;
 * until then the first rows compare the strings. */
void query_set_topic(struct query *q, const char *name);
void query_set_provider(struct query *q, const char *name);
/* The name set, or NULL. */
const char *query_topic(const struct query *q);
const char *query_provider(const struct query *q);
/* Push on out every topic, or every provider name, of the store, sorted
 * without regard to case, each once (of names equal in any case, the one
 * that sorts first by bytes). */
enum query_names { QUERY_TOPICS, QUERY_PROVIDERS };
void query_names(struct query *q, enum query_names kind, struct strlist *out);
/* The same names, the most articles listed with each first (ties as
 * above): what Tab offers after :topic and :provider. */
void query_names_by_count(struct query *q, enum query_names kind, struct strlist *out);

/* Keep only the records of this type (exact, in any case of its ASCII
 * letters: "video", "course"; "article" takes the records that have no
 * type too), likewise; NULL or "" keeps all. Types are few and short, and
 * compared as strings. */
void query_set_type(struct query *q, const char *name);
const char *query_type(const struct query *q);
/* Leave the store's duplicates (store_dup_of) out of every row from now
 * on. The reader calls it once the store's links are made (until then
 * the rows would wait for them); a printing mode's query_filter leaves
 * them out always. */
void query_hide_dups(struct query *q);
/* Push on out every type of the store, sorted, each once ("article" for
 * the records without one). */
void query_types(const struct store *s, struct strlist *out);

#endif
