/* app: the reader's state (the list's rows, the marks, the sort), the
 * loop, and dispatch: keys and mouse events to the prompt or to actions
 * (a view's own first, then the table of shared ones), : commands, and
 * opening URLs. Panes, history, the prompt line, drawing and the script
 * player each have their own file beside this one. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include "lede/ui/app.h"

#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/browser.h"
#include "lede/cluster.h"
#include "lede/commands.h"
#include "lede/ui/draw.h"
#include "lede/ui/find.h"
#include "lede/ui/history.h"
#include "lede/ui/marksync.h"
#include "lede/ui/pane.h"
#include "lede/ui/prompt.h"
#include "lede/ui/reload.h"
#include "lede/ui/script.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"
#include "lede/ui/view_facets.h"

static volatile sig_atomic_t got_stop;

/* Signal handlers only set a flag; the loop leaves curses cleanly. */
static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

bool app_stopping(void)
{
	return got_stop;
}

const struct article *app_article(const struct app *a, long idx)
{
	return idx >= 0 ? store_article(a->store, (size_t)idx) : NULL;
}

const struct article *app_article_early(const struct app *a, long idx)
{
	return idx >= 0 ? store_article_early(a->store, (size_t)idx) : NULL;
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(a->message);
	a->message = xvasprintf(fmt, ap);
	a->message_error = error;
	a->count_message = NULL; /* another message: no count to say again */
	a->match_message = NULL;
	a->seek.message = NULL;
	va_end(ap);
}

void app_say_late_problems(struct app *a)
{
	if (a->store->late_problems == a->late_problems_said)
		return;
	a->late_problems_said = a->store->late_problems;
	app_message(a, true, "%s", a->store->last_late_problem);
}

void app_format_time(int64_t t, char *buf, size_t size, bool with_time)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) ||
	    !strftime(buf, size, with_time ? CONFIG_DEFAULT_DATE_FORMAT : "%Y-%m-%d", &tm))
		snprintf(buf, size, "?");
}

const char *app_list_date_format(const struct app *a)
{
	const struct config *c = a->cfg;
	if (c->list_date_format)
		return c->list_date_format;
	if (c->date_format && strcmp(c->date_format, CONFIG_DEFAULT_DATE_FORMAT))
		return c->date_format;
	return NULL;
}

/* The list ----------------------------------------------------------------- */

struct query_spec app_rows_spec(const struct app *a)
{
	struct search *plain = a->filter ? querylang_plain(a->filter) : NULL;
	return (struct query_spec){a->order, plain, a->marks, a->mark_filter,
				   plain ? NULL : a->filter};
}

static long selected_article(const struct app *a)
{
	if (a->keep_pending >= 0)
		return a->keep_pending;
	return a->nlines && a->list.sel < a->nlines ? (long)a->lines[a->list.sel] : -1;
}

static void follow_list(struct app *a);

/* The lines ---------------------------------------------------------------- */

/* How many rows past the one a move reaches are found with it: a page and
 * more, so that the list's scroll position is the one the full rows give. */
static size_t rows_margin(const struct app *a)
{
	return (size_t)(a->list.r.h > 0 ? a->list.r.h : 0) + 64;
}

/* An expanded cluster lists the members the rows keep. */
static bool keeps_member(void *ctx, size_t i)
{
	struct app *a = ctx;
	struct query_spec w = app_rows_spec(a);
	return query_rows_keeps(a->query, &w, i);
}

bool app_lines_complete(const struct app *a)
{
	return a->walk.complete && (!a->group || group_consumed(a->group) == a->nrows);
}

/* Lines up to upto (SIZE_MAX: all), the rows found as they need, taking in
 * at most budget rows already found. */
static void lines_sync(struct app *a, size_t upto, size_t budget)
{
	if (!a->group) {
		a->lines = a->rows;
		a->nlines = a->nrows;
		return;
	}
	for (;;) {
		a->nlines = group_extend(a->group, a->rows, a->nrows, upto, budget, keeps_member, a);
		a->lines = group_lines(a->group);
		if ((upto != SIZE_MAX && a->nlines > upto) || group_consumed(a->group) < a->nrows ||
		    a->walk.complete || budget != SIZE_MAX)
			return;
		/* every row found is in: find more */
		size_t had = a->nrows, m = rows_margin(a);
		struct query_spec w = app_rows_spec(a);
		a->nrows = query_rows_extend(a->query, &w, a->rows_buf, a->nrows,
					     had > SIZE_MAX - m ? SIZE_MAX : had + m, -1, &a->walk);
		if (a->nrows == had && !a->walk.complete)
			return;
	}
}

/* The rows were made again: the lines start over, a screenful made; while
 * a thread finds what the rows need, of the rows found only (walking on
 * would test each article's text, as long as a rare pattern takes: the
 * ticks fill the screen once the thread is done). */
static void lines_restart(struct app *a)
{
	if (a->group)
		group_reset(a->group);
	struct query_spec w = app_rows_spec(a);
	bool ready = a->walk.complete || query_rows_ready(a->query, &w);
	lines_sync(a, 2 * rows_margin(a), ready ? SIZE_MAX : a->nrows);
}

enum group_kind app_line_kind(const struct app *a, size_t line)
{
	return a->group ? group_kind(a->group, line) : GROUP_ALONE;
}

bool app_line_folded(const struct app *a, size_t line)
{
	return line < a->nlines && app_line_kind(a, line) == GROUP_HEAD &&
	       !group_expanded(a->group, a->lines[line]);
}

unsigned app_line_marks(const struct app *a, size_t line)
{
	size_t i = a->lines[line];
	if (app_line_folded(a, line))
		return group_marks(a->store, a->marks, i);
	return a->marks[i];
}

size_t app_line_articles(const struct app *a, size_t line, uint32_t *out, size_t room)
{
	size_t i = a->lines[line];
	if (app_line_folded(a, line))
		return group_members(a->store, i, out, room);
	if (room)
		out[0] = (uint32_t)i;
	return room ? 1 : 0;
}

bool app_line_matches(struct app *a, struct search *re, const unsigned char *set, size_t line)
{
	size_t i = a->lines[line];
	if (set ? set[i] : query_test(a->query, re, i))
		return true;
	if (app_line_kind(a, line) != GROUP_HEAD || group_expanded(a->group, i))
		return false;
	const struct cluster_set *c = cluster_of(a->store);
	for (size_t m = c->next[i]; m != i; m = c->next[m])
		if (set ? set[m] : query_test(a->query, re, m))
			return true;
	return false;
}

long app_find_line(struct app *a, size_t from, size_t count, int dir)
{
	if (!a->group)
		return query_find(a->query, a->search, a->lines, from, count, dir);
	const unsigned char *set = query_matches_known(a->query, a->search);
	for (size_t k = 0; k < count; k++) {
		size_t l = dir > 0 ? from + k : from - k;
		if (app_line_matches(a, a->search, set, l))
			return (long)l;
	}
	return -1;
}

bool app_select_article(struct app *a, long idx)
{
	a->keep_pending = -1; /* a selection made: nothing kept to place */
	/* through the order's inverse: no walk over the rows */
	long row = idx < 0 ? -1 : query_row_of(a->query, a->order, a->rows, a->nrows, (size_t)idx);
	if (row < 0 && idx >= 0 && !a->walk.complete) {
		/* perhaps among the rows not found yet: walk on past its place */
		struct query_spec w = app_rows_spec(a);
		a->nrows = query_rows_extend(a->query, &w, a->rows_buf, a->nrows, 0, idx, &a->walk);
		row = query_row_of(a->query, a->order, a->rows, a->nrows, (size_t)idx);
	}
	long line = row;
	if (a->group && idx >= 0) {
		/* the lines made past its row, or past its cluster's if it
		 * leads one the rows do not hold (a member does) */
		if (row >= 0 && group_consumed(a->group) <= (size_t)row)
			a->nlines = group_extend(a->group, a->rows, a->nrows, SIZE_MAX,
						 (size_t)row + 1 - group_consumed(a->group),
						 keeps_member, a);
		line = group_line_of(a->group, (size_t)idx);
	}
	lines_sync(a, 0, 0);
	if (line < 0)
		return false;
	a->list.sel = (size_t)line;
	app_rows_need(a, a->list.sel);
	return true;
}

void app_rows_need(struct app *a, size_t line)
{
	size_t m = rows_margin(a), upto = line > SIZE_MAX - m ? SIZE_MAX : line + m;
	if (a->group) {
		if (upto >= a->nlines)
			lines_sync(a, upto, SIZE_MAX);
		return;
	}
	if (a->walk.complete || upto < a->nrows)
		return;
	struct query_spec w = app_rows_spec(a);
	a->nrows = query_rows_extend(a->query, &w, a->rows_buf, a->nrows, upto, -1, &a->walk);
	lines_sync(a, 0, 0);
}

bool app_open_search_hit(struct app *a, int dir)
{
	if (!a->group || !a->search || !app_line_folded(a, a->list.sel))
		return false;
	size_t lead = a->lines[a->list.sel];
	const unsigned char *set = query_matches_known(a->query, a->search);
	const struct cluster_set *c = cluster_of(a->store);
	long pick = -1;
	for (size_t m = c->next[lead]; m != lead; m = c->next[m]) {
		if (!(set ? set[m] : query_test(a->query, a->search, m)) || !keeps_member(a, m))
			continue;
		pick = (long)m;
		if (dir > 0)
			break; /* forward: the first; back: the last */
	}
	/* a lead that matches is the hit going forward: it shows already */
	bool lead_hit = set ? set[lead] : query_test(a->query, a->search, lead);
	if (pick < 0 || (dir > 0 && lead_hit))
		return false;
	group_set_expanded(a->group, lead, true);
	size_t top = a->list.top;
	a->rows_gen++;
	lines_restart(a);
	if (!app_select_article(a, pick))
		return false;
	a->list.top = top;
	return true;
}

/* Fold or expand, and the lines made again with the cursor on the
 * cluster's line (its place in the rows does not change). */
void app_toggle_cluster(struct app *a, bool all)
{
	if (!a->group) {
		app_message(a, true, "the list shows files: 'set group clusters' groups them");
		return;
	}
	app_rows_place(a);
	long sel = selected_article(a);
	bool on;
	if (all) {
		on = sel < 0 || !group_expanded(a->group, (size_t)sel);
		group_set_all(a->group, on);
	} else {
		if (sel < 0 || cluster_size(a->store, (size_t)sel) < 2) {
			app_message(a, true, "this story is alone: no cluster to expand");
			return;
		}
		on = !group_expanded(a->group, (size_t)sel);
		group_set_expanded(a->group, (size_t)sel, on);
	}
	size_t top = a->list.top;
	long lead = sel >= 0 ? (long)cluster_lead(a->store, (size_t)sel) : -1;
	a->rows_gen++;
	lines_restart(a);
	/* folded, a member's cluster keeps the cursor; expanded, its lead */
	if (!app_select_article(a, lead))
		a->list.sel = 0;
	a->list.top = top;
	app_message(a, false, "%s %s", all ? "every cluster" : "cluster",
		    on ? "expanded" : "folded");
}

/* Lines a key folds at once to place a story kept selected: past them,
 * the ticks fold the rest first (a million rows take tens of
 * milliseconds). */
enum { FOLD_AT_ONCE = 1 << 14 };

/* Can article keep (in the rows) be placed now without waiting for an
 * order the warm-up is making, or folding far into the lines? */
static bool place_soon(struct app *a, long keep)
{
	struct query_spec w = app_rows_spec(a);
	if (!query_order_known(a->query, a->order) &&
	    !query_rows_reach(a->query, &w, a->rows_buf, &a->nrows, (size_t)keep, &a->walk))
		return false;
	if (!a->group)
		return true;
	long row = query_row_of(a->query, a->order, a->rows, a->nrows, (size_t)keep);
	return row < 0 || (size_t)row < group_consumed(a->group) + FOLD_AT_ONCE;
}

/* Keep article keep selected in new rows: at once when its row is found
 * by a short walk (or it is not in them: then the first row); else it
 * stays to be placed, and meanwhile the list shows its first rows with no
 * row selected. */
static void keep_selected(struct app *a, long keep, size_t top)
{
	struct query_spec w = app_rows_spec(a);
	a->keep_pending = -1;
	a->list.sel = 0;
	if (keep < 0 || !query_rows_keeps(a->query, &w, (size_t)keep))
		return;
	if (!query_rows_reach(a->query, &w, a->rows_buf, &a->nrows, (size_t)keep, &a->walk) ||
	    !place_soon(a, keep)) {
		a->keep_pending = keep;
		a->keep_top = top;
		a->list.top = 0;
		return;
	}
	app_select_article(a, keep);
}

/* The story kept selected placed; by a key (now) or by a tick (when it
 * is soon). A key that comes while it cannot be placed soon (its sort's
 * order still being made, or its row far down lines still being folded)
 * starts from the first row, as the list shows it, rather than wait. */
static void rows_place(struct app *a, bool now)
{
	long keep = a->keep_pending;
	if (keep < 0)
		return;
	size_t top = a->keep_top;
	if (!place_soon(a, keep)) {
		if (!now)
			return;
		a->keep_pending = -1;
		a->list.sel = 0;
		a->list.top = 0;
		lines_sync(a, 0, 0);
		return;
	}
	app_select_article(a, keep); /* walks as far as it must */
	a->list.top = top;          /* then scrolled as the list was */
}

void app_rows_place(struct app *a)
{
	rows_place(a, true);
}

void app_rebuild_rows(struct app *a)
{
	long keep = selected_article(a);
	size_t top = a->keep_pending >= 0 ? a->keep_top : a->list.top;
	struct query_spec w = app_rows_spec(a);
	a->rows_gen++;
	a->nrows = query_rows_begin(a->query, &w, 2 * rows_margin(a), a->rows_buf, &a->rows,
				    &a->walk);
	lines_restart(a);
	keep_selected(a, keep, top);
}

size_t app_stories(const struct app *a)
{
	return store_listed(a->store) - (a->dups_hidden ? store_ndups(a->store) : 0);
}

/* The count a message holds, or an ellipsis while it is being found. */
static void say_count(struct app *a, enum app_count_say what)
{
	char n[32];
	if (a->walk.complete)
		snprintf(n, sizeof n, "%zu", a->nrows);
	else
		snprintf(n, sizeof n, "%s", text_glyph(TEXT_GLYPH_ELLIPSIS));
	switch (what) {
	case SAY_FILTER:
		app_message(a, false, "%s of %zu stories match", n, app_stories(a));
		break;
	case SAY_TOPIC:
	case SAY_PROVIDER:
	case SAY_TYPE: {
		const char *name = what == SAY_TOPIC	  ? query_topic(a->query)
				   : what == SAY_PROVIDER ? query_provider(a->query)
							  : query_type(a->query);
		if (name)
			app_message(a, false, "%s stories with %s %s", n,
				    what == SAY_TOPIC	   ? "topic"
				    : what == SAY_PROVIDER ? "provider"
							   : "type",
				    name);
		else
			app_message(a, false, "%s stories", n);
		break;
	}
	case SAY_MARKS:
		app_message(a, false, "showing %s stories (%s)",
			    query_mark_filter_name(a->mark_filter), n);
		break;
	case SAY_VIEW:
		app_message(a, false, "view %s: %s of %zu stories match",
			    a->view_at >= 0 && (size_t)a->view_at < a->cfg->view_names.n
				    ? a->cfg->view_names.v[a->view_at]
				    : "?",
			    n, app_stories(a));
		break;
	case SAY_NONE:
		return;
	}
	/* said again with the number once it is known, if still shown */
	if (!a->walk.complete) {
		a->count_message = a->message;
		a->count_say = what;
	}
}

void app_say_count(struct app *a, enum app_count_say what)
{
	say_count(a, what);
}

/* The lines folded again for clusters just published, the cursor kept on
 * the story it was on: a member other than the lead has its cluster
 * expanded, so that its line stays its own. */
static void regroup(struct app *a)
{
	app_rows_place(a);
	long sel = selected_article(a);
	if (sel >= 0 && cluster_lead(a->store, (size_t)sel) != (size_t)sel)
		group_set_expanded(a->group, (size_t)sel, true);
	size_t top = a->list.top;
	a->rows_gen++;
	lines_restart(a);
	if (!app_select_article(a, sel))
		a->list.sel = 0;
	a->list.top = top;
	if (!a->focus || !a->story_open)
		follow_list(a);
}

/* The clusters, once found, into the store: the views that show them
 * are drawn again. */
static void take_clusters(struct app *a, bool wait)
{
	struct cluster_set *c;
	/* those found before carried over, while they are updated (not
	 * when waiting for the job: its result is shown at once) */
	bool early = !wait && cluster_job_early(a->clusters, &c);
	if (!early && (!cluster_job_take(&a->clusters, wait, &c) || !c))
		return;
	cluster_publish(a->store, c);
	/* a filter of ~C had every row alone until now */
	if (a->filter && (querylang_needs(a->filter) & QUERYLANG_CLUSTERS))
		app_rebuild_rows(a);
	else if (a->group)
		regroup(a);
	pane_invalidate(a, &a->list);
	pane_invalidate(a, &a->story);
	pane_invalidate(a, &a->overlay);
	pane_invalidate(a, &a->facets);
}

/* The duplicates, once the links that find them are made, out of the
 * rows: one row a story (store.h), the others its other paths. */
static void take_dups(struct app *a, bool wait)
{
	if (a->dups_hidden || (!wait && !store_links_ready(a->store)))
		return;
	a->dups_hidden = true;
	query_hide_dups(a->query);
	marksync_dups_out(&a->marks_sync, a->marks, a->store);
	marksync_links_made(&a->marks_sync, a->marks, a->store, a->state);
	if (store_ndups(a->store)) {
		app_rebuild_rows(a);
		pane_invalidate(a, &a->list);
		pane_invalidate(a, &a->story);
	}
}

/* The rows found and folded into lines between keys, a slice at a time:
 * slices of SLICE articles (or rows), as many as fit in TICK_US of a tick,
 * so that the key a tick comes before never waits for a million. */
enum { SLICE = 1 << 12, TICK_US = 3000 };
/* What the walks a key makes that read articles' texts take, all of them
 * (query_time_limit): the rows found by then are shown, the rest come
 * with the thread's matches. */
enum { KEY_WALK_US = 8000 };
/* Rows folded into lines a slice at a time, smaller than the walk's: a
 * row reads the clusters' arrays and writes the group's wherever its
 * article lies, a cache miss or more each (2 to 6 ms for 512 rows at a
 * million articles right after the start, the group's pages in place). */
enum { LINES_SLICE = 1 << 9 };

/* A slice of the rows' walk, then of the folding into lines, while the
 * tick has time; true when both are done. Once the engine knows what the
 * rows need, the walk only reads kept sets. */
static bool rows_slices(struct app *a)
{
	long long end = monotonic_us() + TICK_US;
	struct query_spec w = app_rows_spec(a);
	while (!a->walk.complete) {
		a->nrows = query_rows_step(a->query, &w, a->rows_buf, a->nrows, SLICE, &a->walk);
		lines_sync(a, 0, 0);
		if (monotonic_us() >= end)
			return false;
	}
	while (!app_lines_complete(a)) {
		lines_sync(a, SIZE_MAX, LINES_SLICE);
		if (monotonic_us() >= end)
			return false;
	}
	return true;
}

void app_tick(struct app *a)
{
	take_clusters(a, false);
	take_dups(a, false);
	query_poll(a->query);
	prompt_seek_tick(a, false);
	facets_pane_tick(a, false);
	if (a->match_message && a->match_message == a->message)
		prompt_say_match(a, a->match_wrapped);
	struct query_spec w = app_rows_spec(a);
	if (!a->walk.complete && !query_rows_ready(a->query, &w))
		return;
	/* the walks of the slices and the placing share the tick's time */
	query_time_limit(a->query, monotonic_us() + TICK_US);
	rows_slices(a);
	rows_place(a, false);
	query_time_limit(a->query, 0);
	if (a->follow_pending)
		follow_list(a);
	if (a->count_message && a->count_message == a->message)
		say_count(a, a->count_say);
}

void app_settle(struct app *a)
{
	take_clusters(a, true);
	take_dups(a, true);
	store_links_settle(a->store);
	query_settle(a->query);
	app_tick(a);
	prompt_seek_tick(a, true); /* a step of the search to its end */
	lines_sync(a, SIZE_MAX, SIZE_MAX);
	facets_pane_tick(a, true); /* the counts of the rows as they are now */
}

void app_show_story(struct app *a, struct story s)
{
	a->cur = s;
	pane_open(a, &a->story, s.view ? s.view : &view_story_ops);
	a->story.sel = s.sel;
	a->story_open = true;
	a->focus = 1;
	a->facets_focus = false;
	app_select_article(a, s.article);
}

/* The story pane follows the list's selection unless a jump took it away.
 * No row found yet while the rows are being found: it follows the first
 * once there is one (follow_settle, app_tick). */
static void follow_list(struct app *a)
{
	long sel = selected_article(a);
	a->follow_pending = sel < 0 && !app_lines_complete(a);
	if (sel >= 0 && (a->cur.article != sel || a->cur.related != -1)) {
		a->cur = (struct story){.article = sel, .related = -1};
		a->story.top = a->story.sel = 0;
	}
	/* a folded cluster's story is its outlets; a story's, the story */
	bool folded = sel >= 0 && a->keep_pending < 0 && app_line_folded(a, a->list.sel);
	if (folded && a->story.ops == &view_story_ops)
		pane_open(a, &a->story, &view_cluster_ops);
	else if (!folded && a->story.ops == &view_cluster_ops)
		pane_open(a, &a->story, &view_story_ops);
}

/* The engine, the rows' room and the marks for the store as it is now:
 * at the start, and again once the check of every file changed it. */
static void take_store(struct app *a)
{
	const struct store *s = a->store;
	a->query = query_new(s);
	/* a store changed by a reload is linked already */
	a->dups_hidden = store_links_ready(s);
	if (a->dups_hidden)
		query_hide_dups(a->query);
	/* the other orders and the search text, meanwhile: the first
	 * screen's order is made here at once */
	query_warm_up_after(a->query, a->order.key);
	query_warm_up(a->query);
	a->rows_buf = xmalloc((s->n ? s->n : 1) * sizeof *a->rows_buf);
	a->rows = a->rows_buf;
	a->marks = xcalloc(s->n ? s->n : 1, 1);
	marksync_fill(&a->marks_sync, a->marks, s, a->state);
	if (a->dups_hidden)
		marksync_dups_out(&a->marks_sync, a->marks, s);
	/* the grouping sized for this store; expansions start folded */
	group_free(a->group);
	a->group = a->cfg->group_clusters ? group_new(s) : NULL;
	a->lines = a->rows;
	a->nlines = 0;
}

/* The check of every file -------------------------------------------------- */

/* "+3 new, 1 changed, 2 gone", the counts that are not 0. */
static void say_changes(struct app *a, const struct store_changes *ch)
{
	struct buf b = {0};
	if (!ch->added && !ch->changed && !ch->gone)
		buf_puts(&b, "no change");
	if (ch->added)
		buf_printf(&b, "+%zu new", ch->added);
	if (ch->changed)
		buf_printf(&b, "%s%zu changed", b.len ? ", " : "", ch->changed);
	if (ch->gone)
		buf_printf(&b, "%s%zu gone", b.len ? ", " : "", ch->gone);
	app_message(a, false, "%s", buf_str(&b));
	buf_free(&b);
}

/* The listed article whose identity hashes to id (its file renamed, or
 * written again under another name), or -1. */
static long same_story(const struct store *s, uint64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!store_is_hidden(s, i) && store_identity_hash(s, i) == id)
			return (long)i;
	return -1;
}

/* The engine, the marks and the rows again for a store that changed, the
 * same story selected (by its identity: the same article, or the one its
 * file became), or, gone, the row where it stood; the list scrolled as it
 * was. */
static void take_changes(struct app *a, struct store_changes *ch)
{
	long keep = selected_article(a);
	size_t keep_row = a->list.sel;
	size_t keep_top = a->list.top; /* the scroll position stays */
	uint64_t keep_id = keep >= 0 ? store_identity_hash(a->store, (size_t)keep) : 0;
	char *topic = query_topic(a->query) ? xstrdup(query_topic(a->query)) : NULL;
	char *provider = query_provider(a->query) ? xstrdup(query_provider(a->query)) : NULL;
	char *type = query_type(a->query) ? xstrdup(query_type(a->query)) : NULL;
	facets_pane_stop(a); /* its counting reads the store */
	query_free(a->query); /* joins its warm-up, which reads the store */
	cluster_job_cancel(&a->clusters); /* so do the clusters */
	/* the clusters before stay shown, carried over by the store (those
	 * gone out of theirs, the new alone), until the new are found */
	store_check_apply(a->store, true, ch);
	struct store *s = a->store;
	free(a->rows_buf);
	free(a->marks);
	take_store(a);
	query_set_topic(a->query, topic);
	query_set_provider(a->query, provider);
	query_set_type(a->query, type);
	free(topic);
	free(provider);
	free(type);
	a->nrows = 0;
	/* what is no longer listed is counted neither unread nor starred */
	for (size_t i = 0; i < s->n; i++)
		if (store_is_hidden(s, i))
			query_counts_change(&a->marks_sync.counts, a->marks[i], MARK_READ);
	/* all the rows at once: this happens once, between keys */
	a->rows_gen++;
	a->keep_pending = -1;
	a->count_message = NULL;
	struct query_spec w = app_rows_spec(a);
	a->nrows = query_rows_spec(a->query, &w, a->rows_buf, &a->rows);
	a->walk = (struct query_walk){s->n, true};
	lines_restart(a);
	/* the clusters of the store as it is now */
	a->clusters = cluster_job_start(s);
	if (keep >= 0 && store_is_hidden(s, (size_t)keep))
		keep = same_story(s, keep_id);
	if (!app_select_article(a, keep))
		a->list.sel = keep_row < a->nlines ? keep_row : a->nlines ? a->nlines - 1 : 0;
	a->list.top = keep_top; /* the pane keeps the selection in view */
	pane_invalidate(a, &a->list);
	pane_invalidate(a, &a->story);
	pane_invalidate(a, &a->overlay);
	pane_invalidate(a, &a->facets);
	if (!a->focus || !a->story_open)
		follow_list(a); /* a story gone gives way to the new selection's */
}

void app_take_check(struct app *a, bool wait)
{
	const struct store_changes *r = store_check_result(a->store, wait);
	if (!r)
		return;
	struct store_changes ch;
	bool any = r->added || r->changed || r->gone;
	if (!any) {
		/* nothing to show: only the problems, if a file that cannot be
		 * read (never cached) says so again */
		store_check_apply(a->store, true, &ch);
	} else {
		take_changes(a, &ch);
	}
	/* the check after the first screen and the watch's say only what
	 * changed; a reload asked for says "no change" too */
	if (any || a->reload.asked)
		say_changes(a, &ch);
	reload_applied(a);
	/* a cache that could not be written is said, after what changed */
	if (ch.warnings)
		app_message(a, true, "%s", a->store->warnings.v[a->store->warnings.n - 1]);
}

/* Marks -------------------------------------------------------------------- */

bool app_mark(struct app *a, long idx, unsigned bits, bool on)
{
	/* the list's row holds the identity: the whole article is not needed */
	const struct article *ar =
		idx >= 0 && (size_t)idx < a->store->n ? store_row(a->store, (size_t)idx) : NULL;
	if (!ar)
		return false;
	unsigned m = on ? a->marks[idx] | bits : a->marks[idx] & ~bits;
	if (m == a->marks[idx])
		return true;
	const char *id = article_identity(ar);
	state_set(a->state, id, m);
	/* every article of this identity shares its marks, as the next
	 * start would show them (those other than idx once the links are
	 * made, if they are not yet) */
	marksync_set_url(&a->marks_sync, a->marks, a->store, id, m);
	marksync_set(&a->marks_sync, a->marks, (size_t)idx, m);
	return true;
}

/* Save the marks when they changed: one line appended to the journal, so
 * this costs the same whatever the number of marks. What others saved
 * comes back too. A failure keeps them in memory and says so at every
 * change, since "marked read" alone would claim they are safe. */
static void save_marks(struct app *a)
{
	if (!state_dirty(a->state))
		return;
	char *err;
	if (state_save(a->state, &err) < 0) {
		app_message(a, true, "marks not saved, kept in memory: %s", err);
		free(err);
		a->marks_failing = true;
		return;
	}
	if (a->marks_failing)
		app_message(a, false, "marks saved again");
	a->marks_failing = false;
	/* only what other processes changed is looked up */
	marksync_update(&a->marks_sync, a->marks, a->store, a->state);
}

/* Marks that cannot be read are said in the reader itself, not only on
 * the terminal before the screen took it over: on the message line, and
 * in the problems view with whatever else the marks had wrong. */
static void report_marks_problems(struct app *a)
{
	const struct strlist *p = state_problems(a->state);
	for (size_t i = 0; i < p->n; i++)
		strlist_pushf(&a->store->problems, "marks: %s", p->v[i]);
	const char *why = state_unreadable(a->state);
	if (why)
		app_message(a, true, "marks: %s; marks made now stay in memory", why);
}

/* Sort ------------------------------------------------------------------- */

static void set_sort(struct app *a, struct sort_order o)
{
	a->order = o;
	app_rebuild_rows(a);
	app_message(a, false, "sorted by %s, %s", query_sort_name(o.key),
		    o.desc ? "descending" : "ascending");
}

/* Commands ----------------------------------------------------------------- */

/* The config's "ascii" option as the text layer names it. */
static enum text_ascii ascii_mode(enum config_ascii v)
{
	switch (v) {
	case CONFIG_ASCII_YES:
		return TEXT_ASCII_YES;
	case CONFIG_ASCII_NO:
		return TEXT_ASCII_NO;
	case CONFIG_ASCII_AUTO:
		break;
	}
	return TEXT_ASCII_AUTO;
}

/* Group the list by coverage cluster, or list files, the same story kept
 * selected (a member in a folded cluster: its cluster's line). */
static void set_grouping(struct app *a, bool on)
{
	app_rows_place(a);
	long sel = selected_article(a);
	size_t top = a->list.top;
	group_free(a->group);
	a->group = on ? group_new(a->store) : NULL;
	a->rows_gen++;
	lines_restart(a);
	if (!app_select_article(a, sel))
		a->list.sel = 0;
	a->list.top = top;
}

static void apply_config(struct app *a)
{
	text_glyphs_choose(ascii_mode(a->cfg->ascii));
	/* the split as v left it, unless the layout itself was set */
	if (a->layout_sets != a->cfg->layout_sets) {
		a->layout_sets = a->cfg->layout_sets;
		a->vertical = a->cfg->layout == LAYOUT_VERTICAL;
	}
	screen_apply_colors(a->cfg->colors);
	screen_mouse(a->cfg->mouse);
	if (a->cfg->group_clusters != (a->group != NULL))
		set_grouping(a, a->cfg->group_clusters);
	/* what views built may depend on it (the story's lines on date-format
	 * and wrap; the facets on the saved views) */
	pane_invalidate(a, &a->facets);
	pane_invalidate(a, &a->list);
	pane_invalidate(a, &a->story);
	pane_invalidate(a, &a->overlay);
}

static void do_action(struct app *a, enum action act);

/* The reader's side of the command table: hooks on the app. */

static void cmd_quit(void *app)
{
	((struct app *)app)->quit = true;
}

static void cmd_sort(void *app, struct sort_order o)
{
	set_sort(app, o);
}

static void cmd_search(void *app, const char *pattern)
{
	prompt_run(app, PROMPT_SEARCH, pattern);
}

static void cmd_filter(void *app, const char *pattern)
{
	prompt_run(app, PROMPT_FILTER, pattern);
}

static void cmd_by_name(struct app *a, const char *what, const char *name)
{
	if (what[0] == 't')
		query_set_topic(a->query, name);
	else
		query_set_provider(a->query, name);
	app_rebuild_rows(a);
	say_count(a, what[0] == 't' ? SAY_TOPIC : SAY_PROVIDER);
}

static void cmd_topic(void *app, const char *name)
{
	cmd_by_name(app, "topic", name);
}

static void cmd_provider(void *app, const char *name)
{
	cmd_by_name(app, "provider", name);
}

static void cmd_type(void *app, const char *name)
{
	struct app *a = app;
	query_set_type(a->query, name);
	app_rebuild_rows(a);
	say_count(a, SAY_TYPE);
}

static void cmd_view(void *app, const char *name)
{
	struct app *a = app;
	const struct strlist *names = &a->cfg->view_names;
	if (!name) {
		struct buf b = {0};
		for (size_t i = 0; i < names->n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "views: ", names->v[i]);
		app_message(a, !names->n, "%s",
			    names->n ? buf_str(&b)
				     : "no saved view: 'view NAME QUERY' in the config saves one");
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			app_apply_view(a, (long)i);
}

static void cmd_open(void *app)
{
	do_action(app, ACT_BROWSE);
}

static void cmd_help(void *app)
{
	do_action(app, ACT_HELP);
}

static void cmd_facets(void *app)
{
	facets_pane_toggle(app);
}

static void cmd_config_changed(void *app, const char *line)
{
	apply_config(app);
	app_message(app, false, "%s", line);
}

static void cmd_names(void *app, enum commands_arg kind, struct strlist *out)
{
	struct app *a = app;
	if (kind == ARG_TYPE)
		query_types(a->store, out);
	else
		query_names_by_count(a->query, kind == ARG_TOPIC ? QUERY_TOPICS : QUERY_PROVIDERS,
				     out);
}

/* What :source (or a keymap) found wrong is kept with the other problems,
 * where P lists it whole and Enter opens the file at its line. */
static void cmd_problems(void *app, const struct strlist *errors)
{
	struct app *a = app;
	for (size_t i = 0; i < errors->n; i++)
		strlist_push(&a->store->problems, xstrdup(errors->v[i]));
}

/* set NAME alone says its value; set alone shows the help at its options. */
static void cmd_show_options(void *app, const char *name)
{
	struct app *a = app;
	if (name) {
		char *v = config_option_value(a->cfg, name);
		struct buf b = {0};
		buf_put_safe(&b, v, strlen(v));
		app_message(a, false, "%s %s", name, buf_str(&b));
		buf_free(&b);
		free(v);
		return;
	}
	pane_open_overlay(a, &view_help_ops);
	a->overlay.top = view_help_options_at();
}

void app_commands_ui(struct app *a, struct commands_ui *ui)
{
	*ui = (struct commands_ui){
		.app = a,
		.quit = cmd_quit,
		.sort = cmd_sort,
		.search = cmd_search,
		.filter = cmd_filter,
		.topic = cmd_topic,
		.provider = cmd_provider,
		.type = cmd_type,
		.view = cmd_view,
		.open = cmd_open,
		.help = cmd_help,
		.facets = cmd_facets,
		.config_changed = cmd_config_changed,
		.names = cmd_names,
		.problems = cmd_problems,
		.show_options = cmd_show_options,
	};
}

void app_run_command(struct app *a, const char *line)
{
	if (triage_goto_row(a, line))
		return;
	struct commands_ui ui;
	app_commands_ui(a, &ui);
	char *err = NULL;
	if (commands_prompt(a->cfg, &ui, line, &err) < 0) {
		app_message(a, true, "%s", err);
		free(err);
	}
}

/* The browser -------------------------------------------------------------- */

void app_open_url(struct app *a, const char *url)
{
	char *msg = NULL;
	if (!url) {
		app_message(a, true, "this story has no URL");
		return;
	}
	if (!browser_url_ok(url, &a->cfg->browser_schemes, &msg)) {
		app_message(a, true, "%s", msg);
		free(msg);
		return;
	}
	bool fg = a->cfg->browser_foreground && !screen_headless();
	if (fg) {
		def_prog_mode();
		endwin();
	}
	int r = browser_open(a->cfg, url, &msg);
	if (fg) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
	app_message(a, r < 0, "%s", msg ? msg : "");
	free(msg);
}

/* Actions ------------------------------------------------------------------ */

/* The actions every view shares, one function each, on the focused pane;
 * a view's own action hook sees the key first and may take it. */

static void act_next(struct app *a)
{
	struct pane *p = pane_focused(a);
	pane_move(a, p, 1);
}

static void act_prev(struct app *a)
{
	struct pane *p = pane_focused(a);
	pane_move(a, p, -1);
}

static void act_first(struct app *a)
{
	struct pane *p = pane_focused(a);
	pane_move(a, p, -(long)p->ops->count(a, p) - 1);
}

static void act_last(struct app *a)
{
	struct pane *p = pane_focused(a);
	if (p->ops->need)
		p->ops->need(a, p, SIZE_MAX); /* the last row is known when all are */
	pane_move(a, p, (long)p->ops->count(a, p) + 1);
}

static void act_page_down(struct app *a)
{
	if (triage_page_down_at_end(a))
		return;
	struct pane *p = pane_focused(a);
	pane_move(a, p, pane_page_lines(p));
}

static void act_page_up(struct app *a)
{
	struct pane *p = pane_focused(a);
	pane_move(a, p, -pane_page_lines(p));
}

static void act_next_pane(struct app *a)
{
	if (a->overlay_open)
		return;
	/* from the story pane on to the facets, when they are shown (the
	 * facets' own Tab goes back to the list) */
	if (a->facets_open && a->focus && a->story_open) {
		a->facets_focus = true;
		return;
	}
	/* a hidden story pane shows the story view: q hides it only from there */
	a->story_open = true;
	a->focus = !a->focus;
}

static void act_zoom(struct app *a)
{
	a->zoom = !a->zoom;
}

static void act_split(struct app *a)
{
	a->vertical = !a->vertical;
}

/* The list by = +1 or -1 row one above the other, as list-height in rows
 * from now on (:set list-height shows it), from the split as asked. */
static void resize_list(struct app *a, int by)
{
	struct layout_in in;
	struct layout_out out;
	draw_layout_in(a, &in);
	if (in.vertical) {
		app_message(a, true, "the split is side by side: v puts the list above the story");
		return;
	}
	in.bottom_open = true;
	in.zoom = false;
	layout_compute(&in, &out);
	int main_h = in.rows - 2, to = out.list.h + by;
	if (out.too_small || to < 2 || to > main_h - 2) {
		app_message(a, true, "the list is as %s as it gets", by > 0 ? "tall" : "short");
		return;
	}
	a->cfg->list_height = to;
	a->cfg->list_height_percent = false;
	app_message(a, false, "list-height %d", to);
}

static void act_grow_list(struct app *a)
{
	resize_list(a, 1);
}

static void act_shrink_list(struct app *a)
{
	resize_list(a, -1);
}

/* Set or clear bit on every member of the selected line's folded cluster
 * (unread while any is: m marks them all read, or all unread again). */
static bool mark_cluster(struct app *a, unsigned bit, bool *on)
{
	size_t line = a->list.sel;
	if (a->focus || a->keep_pending >= 0 || line >= a->nlines ||
	    app_line_kind(a, line) != GROUP_HEAD || group_expanded(a->group, a->lines[line]))
		return false;
	*on = !(app_line_marks(a, line) & bit);
	uint32_t *m = xmalloc(cluster_size(a->store, a->lines[line]) * sizeof *m);
	size_t n = app_line_articles(a, line, m, cluster_size(a->store, a->lines[line]));
	for (size_t k = 0; k < n; k++)
		app_mark(a, (long)m[k], bit, *on);
	free(m);
	return true;
}

static void toggle_mark(struct app *a, unsigned bit)
{
	/* the story pane's story, or the list's selection */
	long idx = a->focus && a->story_open && a->cur.related < 0 ? a->cur.article
								   : selected_article(a);
	if (idx < 0)
		return;
	bool on;
	if (mark_cluster(a, bit, &on)) {
		app_message(a, false, "cluster of %zu %s", cluster_size(a->store, (size_t)idx),
			    bit == MARK_READ ? (on ? "marked read" : "marked unread")
					     : (on ? "starred" : "with its stars taken away"));
	} else {
		on = !(a->marks[idx] & bit);
		if (!app_mark(a, idx, bit, on))
			return; /* it said why */
		if (bit == MARK_READ && idx == a->triage.viewed)
			a->triage.viewed_done = true; /* m said so: being shown does not undo it */
		app_message(a, false, "%s", bit == MARK_READ ? (on ? "marked read" : "marked unread")
							     : (on ? "starred" : "star taken away"));
	}
	app_rows_place(a);
	app_rows_need(a, a->list.sel + 1);
	if (!a->focus && a->list.sel + 1 < a->nlines)
		a->list.sel++; /* as in mutt: on to the next */
}

static void act_toggle_read(struct app *a)
{
	toggle_mark(a, MARK_READ);
}

static void act_toggle_star(struct app *a)
{
	toggle_mark(a, MARK_STARRED);
}

static void act_toggle_group(struct app *a)
{
	a->cfg->group_clusters = !a->cfg->group_clusters;
	set_grouping(a, a->cfg->group_clusters);
	app_message(a, false, "%s", a->cfg->group_clusters ? "one line per story (group clusters)"
							   : "one line per file (group none)");
}

static void act_toggle_cluster(struct app *a)
{
	app_toggle_cluster(a, false);
}

static void act_toggle_clusters(struct app *a)
{
	app_toggle_cluster(a, true);
}

static void act_filter_marks(struct app *a)
{
	a->mark_filter = (enum mark_filter)((a->mark_filter + 1) % 3);
	app_rebuild_rows(a);
	say_count(a, SAY_MARKS);
}

static void act_related(struct app *a)
{
	if (a->cur.article < 0 || a->overlay_open)
		return;
	if (a->cur.related >= 0) {
		app_message(a, true, "a related summary has no related stories of its own");
		return;
	}
	pane_open(a, &a->story, &view_related_ops);
	a->story_open = true;
	a->focus = 1;
	pane_move(a, &a->story, 0);
}

static void act_back(struct app *a)
{
	history_step(a, false);
}

static void act_forward(struct app *a)
{
	history_step(a, true);
}

static void act_browse(struct app *a)
{
	const struct article *ar = app_article(a, a->cur.article);
	if (!ar)
		return;
	const struct related *r = a->cur.related >= 0 ? &ar->related[a->cur.related] : NULL;
	app_open_url(a, prompt_default_url(a));
	/* opened in the browser is read, for the article or the local one a
	 * related summary stands for */
	long idx = r ? r->local : a->cur.article;
	if (!a->message_error && idx >= 0)
		app_mark(a, idx, MARK_READ, true);
}

static void act_browse_menu(struct app *a)
{
	if (a->cur.article < 0)
		return;
	if (prompt_has_urls(a))
		a->prompt = PROMPT_URL;
	else
		app_message(a, true, "this story has no URL");
}

/* From the story pane, / finds in the story's own text, as a pager's
 * does; elsewhere (and :search anywhere) it searches the list. */
static void act_search(struct app *a)
{
	prompt_start(a, find_applies(a) ? PROMPT_FIND : PROMPT_SEARCH);
}

/* n and N go on with what / found in the story while the story pane has
 * the focus; otherwise with the list's search, the story pane following. */
static void search_step(struct app *a, int dir)
{
	free(a->message);
	a->message = NULL;
	if (find_applies(a) && find_active(a)) {
		find_step(a, dir);
		return;
	}
	prompt_find_match(a, dir, false, false);
	a->focus = 0;
}

static void act_search_next(struct app *a)
{
	search_step(a, 1);
}

static void act_search_prev(struct app *a)
{
	search_step(a, -1);
}

static void act_filter(struct app *a)
{
	prompt_start(a, PROMPT_FILTER);
}

/* Saved views ------------------------------------------------------------- */

void app_apply_view(struct app *a, long k)
{
	struct querylang *ql = NULL;
	if (k >= 0) {
		char *err = NULL;
		ql = querylang_compile(a->cfg->view_queries.v[k], (int64_t)time(NULL), &err);
		if (!ql) { /* checked when it was saved: cannot be */
			app_message(a, true, "view %s: %s", a->cfg->view_names.v[k], err);
			free(err);
			return;
		}
	}
	querylang_free(a->filter);
	a->filter = ql;
	a->view_at = k;
	app_rebuild_rows(a);
	if (ql)
		say_count(a, SAY_VIEW);
	else
		app_message(a, false, "filter cleared");
}

static void act_next_view(struct app *a)
{
	size_t n = a->cfg->view_names.n;
	if (!n) {
		app_message(a, true, "no saved view: 'view NAME QUERY' in the config saves one");
		return;
	}
	long next = a->view_at + 1;
	app_apply_view(a, (size_t)next < n ? next : -1);
}

static void act_sort_next(struct app *a)
{
	enum sort_key k = (enum sort_key)((a->order.key + 1) % SORT_NKEYS);
	set_sort(a, (struct sort_order){k, query_sort_default_desc(k)});
}

static void act_sort_reverse(struct app *a)
{
	set_sort(a, (struct sort_order){a->order.key, !a->order.desc});
}

static void act_facets(struct app *a)
{
	facets_pane_toggle(a);
}

static void act_problems(struct app *a)
{
	pane_open_overlay(a, &view_problems_ops);
}

static void act_help(struct app *a)
{
	pane_open_overlay(a, &view_help_ops);
}

static void act_prompt(struct app *a)
{
	prompt_start(a, PROMPT_COMMAND);
}

static void act_redraw(struct app *a)
{
	(void)a;
	if (!screen_headless())
		clearok(curscr, TRUE);
}

/* q closes the innermost thing open: the overlay, the zoom, a view
 * opened over another in the story pane (back to that one), the story
 * pane; from the list it quits. */
static void act_quit(struct app *a)
{
	if (a->overlay_open)
		pane_close(a, &a->overlay), a->overlay_open = false;
	else if (a->zoom)
		a->zoom = false;
	else if (a->focus && a->story_open && a->story.ops->parent)
		pane_open(a, &a->story, a->story.ops->parent);
	else if (a->focus && a->story_open)
		a->story_open = false, a->focus = 0;
	else if (a->cfg->confirm_quit)
		a->prompt = PROMPT_CONFIRM_QUIT;
	else
		a->quit = true;
}

/* Indexed by action; NULL: only views take it (open), or nothing does. */
static void (*const shared_actions[ACT_COUNT])(struct app *a) = {
	[ACT_NEXT] = act_next,
	[ACT_PREV] = act_prev,
	[ACT_FIRST] = act_first,
	[ACT_LAST] = act_last,
	[ACT_PAGE_DOWN] = act_page_down,
	[ACT_PAGE_UP] = act_page_up,
	[ACT_NEXT_PANE] = act_next_pane,
	[ACT_ZOOM] = act_zoom,
	[ACT_SPLIT] = act_split,
	[ACT_GROW_LIST] = act_grow_list,
	[ACT_SHRINK_LIST] = act_shrink_list,
	[ACT_TOGGLE_READ] = act_toggle_read,
	[ACT_TOGGLE_STAR] = act_toggle_star,
	[ACT_FILTER_MARKS] = act_filter_marks,
	[ACT_TOGGLE_GROUP] = act_toggle_group,
	[ACT_TOGGLE_CLUSTER] = act_toggle_cluster,
	[ACT_TOGGLE_CLUSTERS] = act_toggle_clusters,
	[ACT_NEXT_VIEW] = act_next_view,
	[ACT_FACETS] = act_facets,
	[ACT_RELATED] = act_related,
	[ACT_BACK] = act_back,
	[ACT_FORWARD] = act_forward,
	[ACT_BROWSE] = act_browse,
	[ACT_BROWSE_MENU] = act_browse_menu,
	[ACT_SEARCH] = act_search,
	[ACT_SEARCH_NEXT] = act_search_next,
	[ACT_SEARCH_PREV] = act_search_prev,
	[ACT_FILTER] = act_filter,
	[ACT_SORT_NEXT] = act_sort_next,
	[ACT_SORT_REVERSE] = act_sort_reverse,
	[ACT_RELOAD] = reload_start,
	[ACT_PROBLEMS] = act_problems,
	[ACT_HELP] = act_help,
	[ACT_PROMPT] = act_prompt,
	[ACT_REDRAW] = act_redraw,
	[ACT_QUIT] = act_quit,
};

/* A count before G or g goes to that line, as in vi. */
static void goto_line(struct app *a, unsigned long line)
{
	struct pane *p = pane_focused(a);
	long to = (long)line - 1;
	pane_move(a, p, to - (long)(p->ops->scroll ? p->top : p->sel));
}

/* act, count times when it is a motion (count 0: none given); a view's own
 * action hook sees it first, then the triage actions, then the table. */
static void do_counted(struct app *a, enum action act, unsigned long count)
{
	struct pane *p = pane_focused(a);
	if (p->ops->action && p->ops->action(a, p, act))
		return;
	if (triage_action(a, act, count))
		return;
	if (count && (act == ACT_FIRST || act == ACT_LAST)) {
		goto_line(a, count);
		return;
	}
	unsigned long n = count && triage_counted(act) ? count : 1;
	if (act > ACT_NONE && act < ACT_COUNT && shared_actions[act])
		for (unsigned long i = 0; i < n && !a->quit; i++)
			shared_actions[act](a);
}

static void do_action(struct app *a, enum action act)
{
	do_counted(a, act, 0);
}

/* Before a key that may read the story pane's story: the first row, found
 * however far it is, if the story is to follow it. */
static void follow_settle(struct app *a)
{
	if (!a->follow_pending)
		return;
	app_rows_need(a, 0);
	follow_list(a);
}

void app_handle_key(struct app *a, int key)
{
	/* typing a filter or a command reads no story */
	bool typing = a->prompt == PROMPT_FILTER ||
		      (a->prompt == PROMPT_COMMAND && key != 13);
	/* the walks that read texts share one limit for the whole key */
	query_time_limit(a->query, monotonic_us() + KEY_WALK_US);
	prompt_seek_drop(a); /* a step still finding its row: the key acts on the list as it is */
	if (!typing)
		follow_settle(a);
	if (a->prompt != PROMPT_NONE) {
		prompt_key(a, key);
	} else {
		struct pane *p = pane_focused(a);
		enum action act = keymap_lookup(a->keymap, p->ops->id, key);
		unsigned long count = a->triage.count;
		a->triage.count = 0;
		if (act == ACT_NONE && triage_count_feed(&count, key)) {
			a->triage.count = count; /* the motion to come repeats */
			app_message(a, false, "%lu", count);
		} else if (act != ACT_NONE) {
			free(a->message);
			a->message = NULL;
			do_counted(a, act, count);
		} else {
			char name[32];
			app_message(a, true, "%s is not bound here: press ? for help",
				    keymap_key_name(key, name, sizeof name));
		}
	}
	if (!a->focus || !a->story_open)
		follow_list(a);
	triage_tick(a);
	save_marks(a);
	query_time_limit(a->query, 0);
}

bool app_tick_marks(struct app *a)
{
	if (!triage_tick(a))
		return false;
	save_marks(a);
	return true;
}

/* The mouse ---------------------------------------------------------------- */

static bool in_rect(struct rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

void app_mouse(struct app *a, enum app_mouse_event ev, int x, int y)
{
	struct pane *p = NULL;
	int focus = a->focus;
	if (a->overlay_open && in_rect(a->overlay.r, x, y))
		p = &a->overlay;
	else if (!a->overlay_open && in_rect(a->list.r, x, y))
		p = &a->list, focus = 0;
	else if (!a->overlay_open && a->story_open && in_rect(a->story.r, x, y))
		p = &a->story, focus = 1;
	else if (!a->overlay_open && a->facets_open && in_rect(a->facets.r, x, y))
		p = &a->facets;
	if (!p || a->prompt != PROMPT_NONE)
		return;
	free(a->message);
	a->message = NULL;
	if (ev == MOUSE_WHEEL_UP || ev == MOUSE_WHEEL_DOWN) {
		size_t sel = a->list.sel;
		pane_wheel(a, p, ev == MOUSE_WHEEL_UP ? -3 : 3);
		/* the wheel took the list's cursor along: the story pane shows
		 * the story it now selects, as a key's move would */
		if (p == &a->list && a->list.sel != sel)
			follow_list(a);
		return;
	}
	a->focus = focus;
	a->facets_focus = p == &a->facets;
	if (p == &a->list)
		app_rows_place(a);
	size_t line = y > p->r.y ? pane_line_at(p, y - p->r.y - 1) : p->top;
	if (y > p->r.y && p->ops->need)
		p->ops->need(a, p, line);
	if (y == p->r.y || p->ops->scroll || line >= p->ops->count(a, p) || !pane_selectable(a, p, line))
		return;
	p->sel = line;
	if (p == &a->list)
		follow_list(a);
	if (ev == MOUSE_DOUBLE)
		do_action(a, ACT_OPEN);
}

/* The loop ----------------------------------------------------------------- */

/* SIGTERM, SIGHUP and SIGINT end the session as q does, the marks saved
 * and folded; no SA_RESTART, so a script read from a pipe stops too. */
static void catch_stop_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* The loop's wait for a key: short while work in the background is to be
 * taken in, never past what is due. */
static long loop_wait_ms(const struct app *a)
{
	bool busy = query_busy(a->query) || !store_links_ready(a->store) ||
		    !app_lines_complete(a);
	long wait = a->seek.pending ? 0 : busy ? 20 : store_checking(a->store) ? 50 : 250;
	long due[2] = {triage_wait_ms(a), reload_watch_due_ms(a)};
	for (int i = 0; i < 2; i++)
		if (due[i] >= 0 && due[i] < wait)
			wait = due[i];
	return wait;
}

static void interactive(struct app *a)
{
	bool keyed = false; /* a key was just read: curses may hold more */
	while (!a->quit && !got_stop) {
		/* a check's result waits while a prompt is open: the rows
		 * under a search or a command being typed stay put */
		if (a->prompt == PROMPT_NONE)
			app_take_check(a, false);
		reload_watch_tick(a);
		app_tick(a);
		/* wake up now and then to reap browsers and see signals, and
		 * soon while the engine's threads work for the rows */
		app_tick_marks(a);
		draw_screen(a);
		/* the terminal and the watch waited on together */
		reload_poll(a, keyed ? 0 : loop_wait_ms(a), false);
		timeout(0);
		wint_t ch;
		int code = get_wch(&ch);
		keyed = code != ERR;
		char *msg;
		if (browser_reap(&msg) > 0) {
			app_message(a, true, "%s", msg);
			free(msg);
		}
		if (code == ERR)
			continue;
		if (code == KEY_CODE_YES && ch == KEY_RESIZE)
			continue; /* curses has resized; the next draw reflows */
		if (code == KEY_CODE_YES && ch == KEY_MOUSE) {
			MEVENT me;
			if (getmouse(&me) == OK) {
				if (me.bstate & BUTTON1_DOUBLE_CLICKED)
					app_mouse(a, MOUSE_DOUBLE, me.x, me.y);
				else if (me.bstate & BUTTON1_CLICKED)
					app_mouse(a, MOUSE_CLICK, me.x, me.y);
				else if (me.bstate & BUTTON4_PRESSED)
					app_mouse(a, MOUSE_WHEEL_UP, me.x, me.y);
				else if (me.bstate & BUTTON5_PRESSED)
					app_mouse(a, MOUSE_WHEEL_DOWN, me.x, me.y);
			}
			continue;
		}
		int key = keymap_from_curses(code, (unsigned)ch);
		if (key == 27 && a->prompt == PROMPT_NONE) {
			/* Alt-x arrives as Esc then x */
			nodelay(stdscr, TRUE);
			int c2 = get_wch(&ch);
			if (c2 != ERR)
				key = KEYMAP_META | keymap_from_curses(c2, (unsigned)ch);
		}
		app_handle_key(a, key);
	}
}

/* The journal folded into the marks file, for the next start; false when
 * changes not yet saved are lost. */
static bool fold_marks(struct state *st)
{
	char *serr;
	if (state_compact(st, &serr) == 0)
		return true;
	bool lost = state_dirty(st);
	if (lost)
		fprintf(stderr, "lede: marks not saved, the changes not yet saved are lost: %s\n", serr);
	else /* they are safe in the journal */
		fprintf(stderr, "lede: marks journal not folded: %s\n", serr);
	free(serr);
	return !lost;
}

static void app_free(struct app *a)
{
	cluster_job_cancel(&a->clusters); /* it reads the store */
	reload_watch_close(a);
	free(a->marks);
	marksync_free(&a->marks_sync);
	query_free(a->query);
	group_free(a->group);
	pane_close(a, &a->list);
	pane_close(a, &a->story);
	pane_close(a, &a->overlay);
	pane_close(a, &a->facets); /* its counting reads the store */
	free(a->rows_buf);
	free(a->back);
	free(a->fwd);
	free(a->message);
	buf_free(&a->input);
	strlist_free(&a->history);
	strlist_free(&a->history_search);
	strlist_free(&a->history_filter);
	strlist_free(&a->history_find);
	find_free(a);
	search_free(a->search);
	querylang_free(a->filter);
	free(a->search_pattern);
	free(a->triage.confirm_text);
}

int app_run(struct store *s, struct config *cfg, struct keymap *km, struct state *st,
	    struct sort_order order, struct querylang *filter, const char *script, int cols,
	    int rows, double started_us)
{
	struct app a = {
		.state = st,
		.store = s,
		.cfg = cfg,
		.keymap = km,
		.order = order,
		.filter = filter,
		.cur = {.article = -1, .related = -1},
		.keep_pending = -1,
		.view_at = -1,
		.story_open = true,
		.vertical = cfg->layout == LAYOUT_VERTICAL,
		.layout_sets = cfg->layout_sets,
		.triage = {.viewed = -1},
	};
	pane_open(&a, &a.list, &view_list_ops);
	pane_open(&a, &a.story, &view_story_ops);
	take_store(&a);
	app_rebuild_rows(&a);
	follow_list(&a);

	char *err = NULL;
	if (screen_open(script ? (cols ? cols : 80) : 0, script ? (rows ? rows : 24) : 0, &err) <
	    0) {
		fprintf(stderr, "lede: %s\n", err);
		free(err);
		app_free(&a); /* query_free joins the warm-up thread */
		return 2; /* no terminal the reader can use: a usage error */
	}
	apply_config(&a);
	report_marks_problems(&a);
	catch_stop_signals();
	draw_screen(&a);
	triage_tick(&a); /* the first story shown is being looked at from now */
	/* the first screen came from the cache alone: every file is checked
	 * now, on the other core */
	store_check_start(s);
	/* and the coverage clusters found, on a thread of their own */
	a.clusters = cluster_job_start(s);
	reload_watch_open(&a);
	int status = 0;
	if (script)
		status = script_play(&a, script, started_us);
	else
		interactive(&a);
	screen_close();
	if (!fold_marks(st))
		status = 1;
	app_free(&a);
	return status;
}
