/* facets: what the stories a query shows hold, counted — their topics,
 * providers and months, each with its count, and their dates as a
 * timeline — and the query text that selecting a facet adds to a query or
 * takes from it. The saved views' counts are here too.
 *
 * Counting reads only what the store keeps of every article in its
 * records (provider name, topics, date), never an article's text: names
 * are interned once per store (facets_index), so that counting the rows
 * of a query is an id a name. It runs on a thread of its own
 * (facets_job), beside the reader, which draws an ellipsis until the
 * counts are in. Names are counted as they are spelled: "AI" and "ai" are
 * two topics, as `~t "^AI$"` tells them apart. */
#ifndef LEDE_FACETS_H
#define LEDE_FACETS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/querylang.h"
#include "lede/store.h"
#include "lede/timeline.h"

enum facet_kind { FACET_VIEW, FACET_TOPIC, FACET_PROVIDER, FACET_MONTH };

struct facet {
	enum facet_kind kind;
	/* A topic's or provider's name (the index's: valid while it lives),
	 * a view's (the config's); NULL for a month. */
	const char *name;
	int64_t month; /* a month's: year * 12 + month - 1 */
	size_t count;
};

/* The distinct topic and provider names of a store, and each article's
 * ids among them. Built on any thread while the store does not change;
 * read-only after. */
struct facets_index;
/* NULL when cancel (may be NULL) read true before it was done. */
struct facets_index *facets_index_new(const struct store *s, const atomic_bool *cancel);
void facets_index_free(struct facets_index *x);

/* What the rows of a query hold. */
struct facets_counts {
	size_t nrows;
	/* Most frequent first, ties by name (bytes); months in date order,
	 * oldest first. Each facet counts a story once. */
	struct facet *topics, *providers, *months;
	size_t ntopics, nproviders, nmonths;
	/* The rows' dates by day, week or month (timeline.h's rule, as
	 * --timeline counts them). */
	struct timeline timeline;
};

/* Count rows[0..n) (store indices) into out; false (out empty) when
 * cancel read true first. */
bool facets_count(const struct facets_index *x, const struct store *s, const uint32_t *rows,
		  size_t n, struct facets_counts *out, const atomic_bool *cancel);
void facets_counts_free(struct facets_counts *c);

/* How many of the store's listed articles q matches (marks: a byte per
 * article, may be NULL), or SIZE_MAX when cancel read true first. What
 * `lede --view NAME --list` would print. */
size_t facets_count_query(const struct querylang *q, const struct store *s,
			  const unsigned char *marks, const atomic_bool *cancel);

/* "YYYY-MM" of a month facet into buf (FACETS_MONTH_LEN bytes hold any). */
enum { FACETS_MONTH_LEN = 48 };
void facets_month_label(int64_t month, char *buf, size_t size);

/* The query clause that selects facet f: `~t "^NAME$"`, `~p "^NAME$"`,
 * `~d YYYY-MM`, the name's regex metacharacters escaped and its quotes
 * written so that the query language reads the name back exactly.
 * NULL for a view. The caller frees. */
char *facets_clause(const struct facet *f);
/* Does query hold clause as one of its top-level words (so that it
 * narrows the whole query)? */
bool facets_query_has(const char *query, const char *clause);
/* query with clause added (ANDed with the whole of it: a query with a
 * top-level | is put in parentheses first), or taken away when it holds
 * it already. The caller frees. */
char *facets_query_toggle(const char *query, const char *clause);

/* The sparkline of c's timeline in width cells (block elements, or ASCII
 * when ascii): what the facets pane draws. */
void facets_sparkline(const struct facets_counts *c, int width, bool ascii, struct buf *out);

/* The counting, on a thread of its own. */
struct facets_job_in {
	const struct store *s;
	/* The index to count with; NULL: the job builds one, handed back
	 * in the result. Not owned; must outlive the job. */
	const struct facets_index *index;
	uint32_t *rows; /* owned by the job from now on */
	size_t nrows;
	/* Saved views to count (owned by the job: querylang_copy them; a
	 * NULL one counts 0), or none (NULL, 0), and the marks they read
	 * (owned; may be NULL). */
	struct querylang **views;
	size_t nviews;
	unsigned char *marks;
};
struct facets_result {
	struct facets_index *index; /* the one built, or NULL: the caller's */
	struct facets_counts counts;
	/* nviews counts when views were given, else NULL. */
	size_t *view_counts;
	size_t nviews;
};
struct facets_job;
/* NULL when no thread could be started (in then freed). */
struct facets_job *facets_job_start(struct facets_job_in *in);
/* When the job is done (wait: wait for it): true, the job freed, *jp
 * NULL, and *out the caller's (free it with facets_result_free). false
 * while it runs, or with no job. From the thread that started it. */
bool facets_job_take(struct facets_job **jp, bool wait, struct facets_result **out);
/* Ask the job to stop, without waiting for it: facets_job_take finds it
 * done soon after (with no result). For a count whose rows are gone: the
 * thread runs below the reader's priority, and on a busy machine waiting
 * for it to see the request could take tens of milliseconds. */
void facets_job_stop(struct facets_job *j);
/* Stop the job, wait for its thread and free it all; *jp NULL. Before the
 * store changes or goes. */
void facets_job_cancel(struct facets_job **jp);
void facets_result_free(struct facets_result *r);

#endif
