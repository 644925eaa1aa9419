/* The facets pane (see view_facets.h). Its state: the counting job, the
 * index of names it counts with (built once for the store, by the first
 * job), the last counts taken in and what they were counted for, and the
 * lines made from them. Counts a newer job is finding are drawn as an
 * ellipsis over the old lines, so the pane never blinks empty. */
#include "lede/ui/view_facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/facets.h"
#include "lede/ui/pane.h"
#include "lede/ui/prompt.h"
#include "lede/ui/text.h"

enum line_kind { LINE_SPARK, LINE_SPAN, LINE_HEAD, LINE_FACET };

struct fline {
	enum line_kind kind;
	const char *head;  /* LINE_HEAD */
	struct facet f;    /* LINE_FACET; a view's name is looked up by view */
	size_t view;       /* a view's index in the config's */
};

struct facets_state {
	struct facets_job *job;
	/* Jobs of rows gone, asked to stop and not waited for: reaped between
	 * keys, waited for only before the store changes. */
	struct facets_job **retired;
	size_t nretired, capretired;
	unsigned long job_gen;  /* the rows_gen the job counts */
	bool job_views;         /* the job counts the views too */
	struct facets_index *index;
	struct facets_result *res; /* the last counts taken in; NULL: none yet */
	unsigned long counted_gen;  /* the rows_gen they are of */
	/* What the views' counts are of: the views' text, and the marks. */
	char *views_key;
	bool views_known;
	bool views_marks; /* they read the marks: counted again as marks change */
	size_t *view_counts, nview_counts;
	struct query_counts marks_at;
	unsigned long marks_gen;
	struct fline *v;
	size_t n, cap;
};

static struct facets_state *state_of(struct app *a)
{
	return a->facets.ops == &view_facets_ops ? a->facets.state : NULL;
}

/* ---- the counting ---- */

/* The views' queries as one text: a change of any shows in it. */
static char *views_key(const struct config *c)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t k = 0; k < c->view_names.n; k++)
		buf_printf(&b, "%s\n%s\n", c->view_names.v[k], c->view_queries.v[k]);
	return (char *)buf_str(&b);
}

/* Do the views' counts read the marks? */
static bool views_read_marks(struct app *a, struct querylang **views, size_t n)
{
	(void)a;
	for (size_t k = 0; k < n; k++)
		if (views[k] && (querylang_needs(views[k]) & QUERYLANG_MARKS))
			return true;
	return false;
}

static bool marks_moved(struct app *a, const struct facets_state *st)
{
	return st->marks_at.unread != a->marks_sync.counts.unread ||
	       st->marks_at.starred != a->marks_sync.counts.starred ||
	       st->marks_gen != a->marks_sync.generation;
}

/* The saved views compiled for the job (a view that does not compile now,
 * ~C before the clusters are found, is NULL: it counts nothing until the
 * clusters invalidate the pane). */
static struct querylang **compile_views(struct app *a, size_t *n)
{
	const struct config *c = a->cfg;
	*n = c->view_names.n;
	struct querylang **v = xcalloc(*n ? *n : 1, sizeof *v);
	int64_t now = (int64_t)time(NULL);
	for (size_t k = 0; k < *n; k++) {
		char *err = NULL;
		v[k] = querylang_compile(c->view_queries.v[k], now, &err);
		free(err);
	}
	return v;
}

static void start_job(struct app *a, struct facets_state *st, bool views)
{
	struct facets_job_in in = {.s = a->store, .index = st->index, .nrows = a->nrows};
	in.rows = xmalloc((a->nrows ? a->nrows : 1) * sizeof *in.rows);
	memcpy(in.rows, a->rows, a->nrows * sizeof *in.rows);
	if (views) {
		in.views = compile_views(a, &in.nviews);
		st->views_marks = views_read_marks(a, in.views, in.nviews);
		if (st->views_marks) {
			in.marks = xmalloc(a->store->n ? a->store->n : 1);
			memcpy(in.marks, a->marks, a->store->n);
		}
		free(st->views_key);
		st->views_key = views_key(a->cfg);
		st->marks_at = a->marks_sync.counts;
		st->marks_gen = a->marks_sync.generation;
		st->views_known = false;
	}
	st->job_gen = a->rows_gen;
	st->job_views = views;
	st->job = facets_job_start(&in);
}

static void build_lines(struct app *a, struct facets_state *st);

static void take_result(struct app *a, struct facets_state *st, struct facets_result *r)
{
	if (!r)
		return;
	if (r->index) {
		facets_index_free(st->index);
		st->index = r->index;
		r->index = NULL;
	}
	if (r->view_counts) {
		free(st->view_counts);
		st->view_counts = r->view_counts;
		st->nview_counts = r->nviews;
		r->view_counts = NULL;
		st->views_known = true;
	}
	facets_result_free(st->res);
	st->res = r;
	st->counted_gen = st->job_gen;
	build_lines(a, st);
}

/* Do the views need counting again? */
static bool views_stale(struct app *a, struct facets_state *st)
{
	char *key = views_key(a->cfg);
	bool stale = !st->views_key || strcmp(key, st->views_key) != 0;
	free(key);
	return stale || (st->views_marks && marks_moved(a, st)) ||
	       (a->cfg->view_names.n && !st->views_known);
}

/* Stop the job without waiting for it (its rows are gone): a key never
 * waits for a thread of low priority to notice. */
static void retire(struct facets_state *st)
{
	facets_job_stop(st->job);
	st->retired = xgrow(st->retired, &st->capretired, st->nretired + 1, sizeof *st->retired);
	st->retired[st->nretired++] = st->job;
	st->job = NULL;
	/* the views it was counting are still to count */
	if (st->job_views)
		st->views_known = false;
}

/* Free the retired jobs that are done (wait: all of them, waiting). */
static void reap(struct facets_state *st, bool wait)
{
	size_t kept = 0;
	for (size_t k = 0; k < st->nretired; k++) {
		struct facets_result *r;
		if (!facets_job_take(&st->retired[k], wait, &r)) {
			st->retired[kept++] = st->retired[k];
			continue;
		}
		/* done before it saw the stop: an index it built is kept (no job
		 * borrows st->index while it is NULL) */
		if (r && r->index && !st->index) {
			st->index = r->index;
			r->index = NULL;
		}
		facets_result_free(r);
	}
	st->nretired = kept;
}

void facets_pane_tick(struct app *a, bool wait)
{
	struct facets_state *st = state_of(a);
	if (!st)
		return;
	reap(st, false);
	for (int round = 0; round < 2; round++) {
		struct facets_result *r;
		if (st->job && facets_job_take(&st->job, wait, &r))
			take_result(a, st, r);
		bool rows = !st->res || st->counted_gen != a->rows_gen;
		bool views = views_stale(a, st);
		if (st->job && st->job_gen != a->rows_gen)
			retire(st); /* counting rows that are gone */
		/* the rows are counted once they are all found */
		if (!st->job && (rows || views) && a->walk.complete)
			start_job(a, st, views);
		if (!wait || !st->job)
			break;
	}
}

void facets_pane_stop(struct app *a)
{
	struct facets_state *st = state_of(a);
	if (!st)
		return;
	facets_job_cancel(&st->job);
	reap(st, true);
	/* the names and counts are of the store as it was */
	facets_index_free(st->index);
	st->index = NULL;
	facets_result_free(st->res);
	st->res = NULL;
	st->n = 0;
	st->views_known = false;
	free(st->views_key);
	st->views_key = NULL;
}

/* ---- the lines ---- */

static void push(struct facets_state *st, struct fline l)
{
	st->v = xgrow(st->v, &st->cap, st->n + 1, sizeof *st->v);
	st->v[st->n++] = l;
}

static void push_facets(struct facets_state *st, const char *head, const struct facet *f,
			size_t n)
{
	push(st, (struct fline){.kind = LINE_HEAD, .head = head});
	for (size_t k = 0; k < n; k++)
		push(st, (struct fline){.kind = LINE_FACET, .f = f[k]});
}

static bool same_line(const struct fline *x, const struct fline *y)
{
	if (x->kind != y->kind || x->f.kind != y->f.kind)
		return false;
	if (x->kind == LINE_HEAD)
		return !strcmp(x->head, y->head);
	if (x->kind != LINE_FACET)
		return true;
	switch (x->f.kind) {
	case FACET_VIEW: return x->view == y->view;
	case FACET_MONTH: return x->f.month == y->f.month;
	default: return !strcmp(x->f.name, y->f.name);
	}
}

static void build_lines(struct app *a, struct facets_state *st)
{
	/* the cursor stays on the same facet when it is still there */
	struct fline keep = {0};
	bool kept = a->facets.sel < st->n;
	if (kept) {
		keep = st->v[a->facets.sel];
		if (keep.kind == LINE_FACET && keep.f.name && keep.f.kind != FACET_VIEW)
			keep.f.name = xstrdup(keep.f.name); /* the old index may go */
	}
	st->n = 0;
	push(st, (struct fline){.kind = LINE_SPARK});
	push(st, (struct fline){.kind = LINE_SPAN});
	const struct config *c = a->cfg;
	if (c->view_names.n) {
		push(st, (struct fline){.kind = LINE_HEAD, .head = "Views"});
		for (size_t k = 0; k < c->view_names.n; k++)
			push(st, (struct fline){.kind = LINE_FACET,
						.f = {.kind = FACET_VIEW},
						.view = k});
	}
	if (st->res) {
		const struct facets_counts *fc = &st->res->counts;
		push_facets(st, "Topics", fc->topics, fc->ntopics);
		push_facets(st, "Providers", fc->providers, fc->nproviders);
		push_facets(st, "Months", fc->months, fc->nmonths);
	}
	if (kept) {
		for (size_t i = 0; i < st->n; i++)
			if (same_line(&st->v[i], &keep)) {
				a->facets.sel = i;
				break;
			}
		if (keep.kind == LINE_FACET && keep.f.kind != FACET_VIEW)
			free((char *)keep.f.name);
	}
	/* the cursor rests on a view or a facet, once there is one */
	if (a->facets.ops == &view_facets_ops &&
	    (a->facets.sel >= st->n || st->v[a->facets.sel].kind != LINE_FACET))
		pane_move(a, &a->facets, 0);
}

/* ---- the view's hooks ---- */

static void open_view(struct app *a, struct pane *p)
{
	struct facets_state *st = xcalloc(1, sizeof *st);
	p->state = st;
	build_lines(a, st);
}

static void close_view(struct app *a, struct pane *p)
{
	(void)a;
	struct facets_state *st = p->state;
	facets_job_cancel(&st->job);
	reap(st, true);
	free(st->retired);
	facets_result_free(st->res);
	facets_index_free(st->index);
	free(st->views_key);
	free(st->view_counts);
	free(st->v);
	free(st);
}

/* The config or the clusters changed: the views are counted again (a
 * view of ~C counts nothing before the clusters), their lines made anew. */
static void invalidate(struct app *a, struct pane *p)
{
	struct facets_state *st = p->state;
	free(st->views_key);
	st->views_key = NULL;
	build_lines(a, st);
}

static size_t count(struct app *a, struct pane *p)
{
	(void)a;
	return ((struct facets_state *)p->state)->n;
}

static bool selectable(struct app *a, struct pane *p, size_t line)
{
	(void)a;
	const struct facets_state *st = p->state;
	return line < st->n && st->v[line].kind == LINE_FACET;
}

/* Are the counts drawn those of the rows shown now? */
static bool counts_current(struct app *a, const struct facets_state *st)
{
	return st->res && st->counted_gen == a->rows_gen;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	const struct facets_state *st = p->state;
	if (counts_current(a, st))
		buf_printf(out, "Facets of %zu %s", st->res->counts.nrows,
			   st->res->counts.nrows == 1 ? "story" : "stories");
	else
		buf_printf(out, "Facets of %s stories", text_glyph(TEXT_GLYPH_ELLIPSIS));
}

static const char *unit_name(enum timeline_unit u)
{
	return u == TIMELINE_DAY ? "day" : u == TIMELINE_WEEK ? "week" : "month";
}

static void draw_spark(struct app *a, struct pane *p, const struct facets_state *st, int y,
		       bool span)
{
	struct buf b = {0};
	enum style style = span ? ST_DIM : ST_NORMAL;
	if (!counts_current(a, st)) {
		buf_puts(&b, span ? "" : text_glyph(TEXT_GLYPH_ELLIPSIS));
	} else if (!st->res->counts.timeline.n) {
		buf_puts(&b, span ? "" : "no dated story");
		style = ST_DIM;
	} else if (!span) {
		facets_sparkline(&st->res->counts, p->r.w, text_glyphs_ascii(), &b);
	} else {
		const struct timeline *t = &st->res->counts.timeline;
		char from[TIMELINE_LABEL_LEN + 1], to[TIMELINE_LABEL_LEN + 1];
		timeline_label(t, 0, from);
		timeline_label(t, t->n - 1, to);
		buf_printf(&b, "%s to %s, by %s", from, to, unit_name(t->unit));
	}
	screen_put(y, p->r.x, p->r.w, buf_str(&b), b.len, style, NULL, 0);
	buf_free(&b);
}

/* The name a facet line shows (into b), and the clause it stands for
 * (NULL for a view; the caller frees). */
static char *facet_text(struct app *a, const struct fline *l, struct buf *b)
{
	if (l->f.kind == FACET_VIEW) {
		const struct strlist *names = &a->cfg->view_names;
		buf_puts(b, l->view < names->n ? names->v[l->view] : "?");
		return NULL;
	}
	if (l->f.kind == FACET_MONTH) {
		char m[FACETS_MONTH_LEN];
		facets_month_label(l->f.month, m, sizeof m);
		buf_puts(b, m);
	} else {
		buf_puts(b, l->f.name);
	}
	return facets_clause(&l->f);
}

/* A facet line's count, or an ellipsis while it is being counted. */
static void facet_count(struct app *a, const struct facets_state *st, const struct fline *l,
			char *out, size_t size)
{
	bool view = l->f.kind == FACET_VIEW;
	bool known = view ? st->views_known && l->view < st->nview_counts : counts_current(a, st);
	if (known)
		snprintf(out, size, "%zu", view ? st->view_counts[l->view] : l->f.count);
	else
		snprintf(out, size, "%s", text_glyph(TEXT_GLYPH_ELLIPSIS));
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	const struct facets_state *st = p->state;
	const struct fline *l = &st->v[line];
	int x = p->r.x, w = p->r.w;
	if (l->kind == LINE_SPARK || l->kind == LINE_SPAN) {
		draw_spark(a, p, st, y, l->kind == LINE_SPAN);
		return;
	}
	if (l->kind == LINE_HEAD) {
		screen_put(y, x, w, l->head, strlen(l->head), ST_HEADER, NULL, 0);
		return;
	}
	bool focus = pane_focused(a) == p;
	enum style sty = selected ? (focus ? ST_SELECTED : ST_CURSOR) : ST_NORMAL;
	struct buf name = {0};
	char *clause = facet_text(a, l, &name);
	/* a facet the filter holds is marked: Enter takes it away */
	bool on = clause && a->filter && facets_query_has(querylang_text(a->filter), clause);
	if (!clause && a->view_at >= 0 && (size_t)a->view_at == l->view)
		on = true;
	char n[32];
	facet_count(a, st, l, n, sizeof n);
	int nw = text_width(n, strlen(n));
	int namew = w - 2 - nw - 1;
	screen_put(y, x, w < 2 ? w : 2, on ? "+ " : "  ", 2, sty, NULL, 0);
	if (namew > 0)
		screen_put(y, x + 2, namew, name.data, name.len, sty, NULL, 0);
	if (namew > 0)
		screen_put(y, x + 2 + namew, 1, " ", 1, sty, NULL, 0);
	if (w - 2 - (namew > 0 ? namew + 1 : 0) > 0)
		screen_put(y, x + w - nw, nw, n, strlen(n), sty, NULL, 0);
	free(clause);
	buf_free(&name);
}

/* Enter: a view applied; a topic, provider or month added to the filter
 * or taken from it. */
static void choose(struct app *a, struct facets_state *st, size_t line)
{
	if (line >= st->n || st->v[line].kind != LINE_FACET)
		return;
	const struct fline *l = &st->v[line];
	if (l->f.kind == FACET_VIEW) {
		/* the view applied: Enter again takes it away, as a facet */
		if (a->view_at >= 0 && (size_t)a->view_at == l->view)
			app_apply_view(a, -1);
		else if (l->view < a->cfg->view_names.n)
			app_apply_view(a, (long)l->view);
		return;
	}
	char *clause = facets_clause(&l->f);
	char *q = facets_query_toggle(a->filter ? querylang_text(a->filter) : "", clause);
	prompt_run(a, PROMPT_FILTER, q);
	free(q);
	free(clause);
}

static bool action(struct app *a, struct pane *p, enum action act)
{
	struct facets_state *st = p->state;
	switch (act) {
	case ACT_OPEN:
		choose(a, st, p->sel);
		return true;
	case ACT_NEXT_PANE:
		a->facets_focus = false;
		a->focus = 0;
		return true;
	case ACT_QUIT:
		if (a->zoom)
			return false; /* q unzooms first, as everywhere */
		facets_pane_toggle(a);
		return true;
	default:
		return false;
	}
}

static void position(struct app *a, struct pane *p, size_t *at, size_t *of)
{
	(void)a;
	const struct facets_state *st = p->state;
	size_t facets = 0, before = 0;
	for (size_t i = 0; i < st->n; i++) {
		if (st->v[i].kind != LINE_FACET)
			continue;
		facets++;
		before += i <= p->sel;
	}
	*at = before;
	*of = facets;
}

const struct view_ops view_facets_ops = {
	.id = VIEW_FACETS,
	.name = "facets",
	.open = open_view,
	.close = close_view,
	.invalidate = invalidate,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.selectable = selectable,
	.action = action,
	.position = position,
	.pinned = 2, /* the sparkline and its span */
};

void facets_pane_toggle(struct app *a)
{
	if (a->facets_open) {
		pane_close(a, &a->facets);
		a->facets_open = a->facets_focus = false;
		a->focus = 0;
		return;
	}
	pane_open(a, &a->facets, &view_facets_ops);
	a->facets_open = a->facets_focus = true;
	a->zoom = false;
	facets_pane_tick(a, false);
	pane_move(a, &a->facets, 0); /* onto the first facet */
}
