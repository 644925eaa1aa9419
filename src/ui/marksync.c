/* marksync: the reader's marks bytes from the state, whole or by the
 * changes the state logged. */
#include "lede/ui/marksync.h"

void marksync_fill(struct marksync *m, unsigned char *marks, const struct store *s,
		   const struct state *st)
{
	m->generation = state_generation(st);
	m->fills++;
	strlist_free(&m->waiting); /* what they waited for, read whole */
	m->lookups += s->n;
	/* by the identities' hashes, which a lazy article keeps instead of
	 * its URLs (the state keys its marks by the same hash) */
	for (size_t i = 0; i < s->n; i++)
		marks[i] = (unsigned char)state_get_hash(st, store_identity_hash(s, i));
	m->store = s;
	query_counts_fill(&m->counts, marks, s->n);
	if (m->dups_out) {
		m->dups_out = false;
		marksync_dups_out(m, marks, s);
	}
}

/* Does article i count? Not a duplicate, once those are left out. */
static bool counted(const struct marksync *m, size_t i)
{
	return !m->dups_out || store_dup_of(m->store, i) < 0;
}

void marksync_dups_out(struct marksync *m, const unsigned char *marks, const struct store *s)
{
	if (m->dups_out)
		return;
	m->store = s;
	m->dups_out = true;
	for (size_t i = 0; store_ndups(s) && i < s->n; i++)
		if (!counted(m, i)) /* as if read and unstarred: out of both */
			query_counts_change(&m->counts, marks[i], MARK_READ);
}

void marksync_set(struct marksync *m, unsigned char *marks, size_t i, unsigned flags)
{
	if (counted(m, i))
		query_counts_change(&m->counts, marks[i], flags);
	marks[i] = (unsigned char)flags;
}

void marksync_set_url(struct marksync *m, unsigned char *marks, const struct store *s,
		      const char *id, unsigned flags)
{
	if (!store_links_ready(s)) {
		strlist_push(&m->waiting, xstrdup(id));
		return;
	}
	long i = -1;
	do {
		m->lookups++;
		i = store_next_identity(s, id, i);
		if (i >= 0)
			marksync_set(m, marks, (size_t)i, flags);
	} while (i >= 0);
}

void marksync_update(struct marksync *m, unsigned char *marks, const struct store *s,
		     const struct state *st)
{
	if (m->generation == state_generation(st))
		return;
	const struct state_change *v;
	size_t n;
	/* past half the articles, reading them all is the cheaper way */
	if (!state_changes_since(st, m->generation, &v, &n) || n > s->n / 2) {
		marksync_fill(m, marks, s, st);
		return;
	}
	for (size_t k = 0; k < n; k++)
		marksync_set_url(m, marks, s, v[k].url, v[k].flags);
	m->generation = state_generation(st);
}

void marksync_links_made(struct marksync *m, unsigned char *marks, const struct store *s,
			 const struct state *st)
{
	struct strlist w = m->waiting;
	m->waiting = (struct strlist){0};
	for (size_t k = 0; k < w.n; k++)
		marksync_set_url(m, marks, s, w.v[k], state_get(st, w.v[k]));
	strlist_free(&w);
}

void marksync_free(struct marksync *m)
{
	strlist_free(&m->waiting);
}
