/* marksync: the reader's byte of marks per article (enum MARK_*, one byte
 * for each of the store's articles) kept in step with the saved marks
 * (state.h). Filled whole once; after that only the URLs whose marks
 * another process changed are looked up, through the store's URL index,
 * so taking in a mark costs the same with a million articles as with a
 * thousand. A whole fill again only when the state cannot tell what
 * changed. */
#ifndef LEDE_UI_MARKSYNC_H
#define LEDE_UI_MARKSYNC_H

#include <stddef.h>

#include "lede/query.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/util.h"

struct marksync {
	unsigned long generation; /* of the state when the bytes last matched it */
	/* URLs hashed or looked up so far, and whole fills: for tests, which
	 * check that a change costs O(1) lookups, not O(articles). */
	size_t lookups, fills;
	/* unread and starred among the bytes, kept by every write to them */
	struct query_counts counts;
	/* the store's duplicates (store.h) are counted no more: one story,
	 * one count (set by marksync_dups_out) */
	bool dups_out;
	const struct store *store;
	/* Identities whose marks changed while the store's links were still
	 * being made: the URL index that finds their articles comes with
	 * them, and a scan of every article is more than a key can take at
	 * a million. The article marked has its byte at once; the others of
	 * its identity (rare) get theirs in marksync_links_made. */
	struct strlist waiting;
};

/* Fill marks[0 .. s->n) from the state, every article's webUrl looked up. */
void marksync_fill(struct marksync *m, unsigned char *marks, const struct store *s,
		   const struct state *st);
/* Take in what changed in the state since the last fill or update: the
 * changed URLs alone when the state can tell them, else a whole fill. */
void marksync_update(struct marksync *m, unsigned char *marks, const struct store *s,
		     const struct state *st);
/* From now on, the store's duplicates are left out of the counts (their
 * lead counts for the story): once the store's links are made. */
void marksync_dups_out(struct marksync *m, const unsigned char *marks, const struct store *s);
/* Give article i these flags, its counts kept. */
void marksync_set(struct marksync *m, unsigned char *marks, size_t i, unsigned flags);
/* Give every article whose identity is id (article_identity: the marks
 * are kept by it) these flags; before the store's links are made, once
 * they are (waiting, above). */
void marksync_set_url(struct marksync *m, unsigned char *marks, const struct store *s,
		      const char *id, unsigned flags);
/* The store's links are made: the identities waiting for them get the
 * flags the state holds for them now. */
void marksync_links_made(struct marksync *m, unsigned char *marks, const struct store *s,
			 const struct state *st);
void marksync_free(struct marksync *m);

#endif
