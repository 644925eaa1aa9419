/* group: the engine's rows folded into one line per coverage cluster
 * (group.h). Owns the lines, which cluster has had its line, and which
 * clusters are expanded. */
#include "lede/group.h"

#include <stdlib.h>
#include <string.h>

#include "lede/cluster.h"
#include "lede/compat.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/util.h"

struct group {
	const struct store *s;
	size_t n; /* articles the arrays below have room for */
	uint32_t *lines;
	unsigned char *kind; /* enum group_kind per line */
	size_t nlines;
	size_t consumed;     /* rows taken in */
	/* seen[lead]: the cluster has its line; line_of[i]: where i was put
	 * (checked against lines[], so never cleared) */
	unsigned char *seen;
	uint32_t *line_of;
	/* a cluster is expanded when all differs from flip[lead] */
	bool all;
	unsigned char *flip;
};

struct group *group_new(const struct store *s)
{
	struct group *g = xcalloc(1, sizeof *g);
	g->s = s;
	g->n = s->n;
	size_t room = g->n ? g->n : 1;
	g->lines = xmalloc(room * sizeof *g->lines);
	g->kind = xmalloc(room);
	g->seen = xcalloc(room, 1);
	g->line_of = xmalloc(room * sizeof *g->line_of);
	g->flip = xcalloc(room, 1);
	/* the pages put in place at once, a few milliseconds at a million
	 * articles: lines land all over these arrays, and a page fault each
	 * where one lands first took a slice of a few thousand rows 20 to
	 * 30 ms right after the start */
	compat_prefault(g->line_of, room * sizeof *g->line_of);
	compat_prefault(g->lines, room * sizeof *g->lines);
	compat_prefault(g->seen, room);
	compat_prefault(g->kind, room);
	compat_prefault(g->flip, room);
	return g;
}

void group_free(struct group *g)
{
	if (!g)
		return;
	free(g->lines);
	free(g->kind);
	free(g->seen);
	free(g->line_of);
	free(g->flip);
	free(g);
}

void group_reset(struct group *g)
{
	/* only the clusters that had a line were seen: cheaper than the
	 * whole array when few lines were made */
	if (g->nlines < g->n / 8) {
		for (size_t l = 0; l < g->nlines; l++)
			g->seen[g->lines[l]] = 0;
	} else {
		memset(g->seen, 0, g->n);
	}
	g->nlines = 0;
	g->consumed = 0;
}

static void put(struct group *g, size_t i, enum group_kind k)
{
	g->line_of[i] = (uint32_t)g->nlines;
	g->kind[g->nlines] = (unsigned char)k;
	g->lines[g->nlines++] = (uint32_t)i;
}

/* The members after the lead that the rows keep, under its line. */
static void put_members(struct group *g, const struct cluster_set *c, size_t lead,
			group_keep_fn keep, void *ctx)
{
	for (size_t m = c->next[lead]; m != lead; m = c->next[m])
		if (g->nlines < g->n && keep(ctx, m))
			put(g, m, GROUP_MEMBER);
}

size_t group_extend(struct group *g, const uint32_t *rows, size_t nrows, size_t upto,
		    size_t budget, group_keep_fn keep, void *ctx)
{
	const struct cluster_set *c = cluster_of(g->s);
	size_t stop = nrows - g->consumed > budget ? g->consumed + budget : nrows;
	while (g->consumed < stop && (upto == SIZE_MAX || g->nlines <= upto)) {
		size_t i = rows[g->consumed++];
		if (i >= g->n)
			continue; /* not of this store: cannot be */
		if (!c || i >= c->n || c->size[i] < 2) {
			put(g, i, GROUP_ALONE);
			continue;
		}
		size_t lead = c->lead[i];
		if (g->seen[lead])
			continue; /* its cluster has its line already */
		g->seen[lead] = 1;
		put(g, lead, GROUP_HEAD);
		if (group_expanded(g, lead))
			put_members(g, c, lead, keep, ctx);
	}
	return g->nlines;
}

const uint32_t *group_lines(const struct group *g)
{
	return g->lines;
}

size_t group_count(const struct group *g)
{
	return g->nlines;
}

size_t group_consumed(const struct group *g)
{
	return g->consumed;
}

enum group_kind group_kind(const struct group *g, size_t line)
{
	return line < g->nlines ? (enum group_kind)g->kind[line] : GROUP_ALONE;
}

/* Is article i on line l? */
static bool on_line(const struct group *g, size_t i)
{
	size_t l = g->line_of[i];
	return l < g->nlines && g->lines[l] == i;
}

long group_line_of(const struct group *g, size_t i)
{
	if (i >= g->n)
		return -1;
	if (on_line(g, i))
		return (long)g->line_of[i];
	size_t lead = cluster_lead(g->s, i);
	if (lead != i && lead < g->n && on_line(g, lead))
		return (long)g->line_of[lead];
	return -1;
}

bool group_expanded(const struct group *g, size_t i)
{
	size_t lead = cluster_lead(g->s, i);
	return lead < g->n && g->all != (g->flip[lead] != 0);
}

void group_set_expanded(struct group *g, size_t i, bool on)
{
	size_t lead = cluster_lead(g->s, i);
	if (lead < g->n)
		g->flip[lead] = on != g->all;
}

void group_set_all(struct group *g, bool on)
{
	g->all = on;
	memset(g->flip, 0, g->n);
}

size_t group_members(const struct store *s, size_t i, uint32_t *out, size_t room)
{
	const struct cluster_set *c = cluster_of(s);
	if (!c || i >= c->n || c->size[i] < 2) {
		if (room)
			out[0] = (uint32_t)i;
		return room ? 1 : 0;
	}
	size_t lead = c->lead[i], k = 0;
	size_t m = lead;
	do {
		if (k < room)
			out[k++] = (uint32_t)m;
		m = c->next[m];
	} while (m != lead);
	return k;
}

unsigned group_marks(const struct store *s, const unsigned char *marks, size_t i)
{
	const struct cluster_set *c = cluster_of(s);
	if (!c || i >= c->n || c->size[i] < 2)
		return marks[i];
	unsigned read = MARK_READ, star = 0;
	size_t lead = c->lead[i], m = lead;
	do {
		read &= marks[m];
		star |= marks[m] & MARK_STARRED;
		m = c->next[m];
	} while (m != lead);
	return read | star;
}
