/* The outlets view: what the story pane shows for a folded coverage
 * cluster of the list (group.h), one line per article of the cluster, the
 * lead first, then by date, earliest first: its date, provider, quality
 * and title. Enter opens one (history keeps the way back), o opens its
 * webUrl in the browser, m and * mark it. Its state is the members, found when the story
 * it shows changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/cluster.h"
#include "lede/group.h"
#include "lede/ui/app.h"
#include "lede/ui/history.h"
#include "lede/ui/pane.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

struct outlets {
	long article; /* whose cluster: -1 none yet */
	const void *set; /* the cluster set they were found in */
	uint32_t *v;
	size_t n;
};

static void open_view(struct app *a, struct pane *p)
{
	(void)a;
	struct outlets *o = xcalloc(1, sizeof *o);
	o->article = -1;
	p->state = o;
}

static void close_view(struct app *a, struct pane *p)
{
	(void)a;
	struct outlets *o = p->state;
	free(o->v);
	free(o);
}

/* The members of the current story's cluster, found again when the story
 * or the clusters changed. */
static const struct outlets *outlets(struct app *a, struct pane *p)
{
	struct outlets *o = p->state;
	const void *set = cluster_of(a->store);
	if (o->article == a->cur.article && o->set == set)
		return o;
	free(o->v);
	o->article = a->cur.article;
	o->set = set;
	o->v = NULL;
	o->n = 0;
	if (a->cur.article < 0)
		return o;
	size_t room = cluster_size(a->store, (size_t)a->cur.article);
	o->v = xmalloc(room * sizeof *o->v);
	o->n = group_members(a->store, (size_t)a->cur.article, o->v, room);
	return o;
}

static size_t count(struct app *a, struct pane *p)
{
	return outlets(a, p)->n;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	const struct article *ar = app_article(a, a->cur.article);
	const char *t = ar ? article_title(ar) : NULL;
	buf_printf(out, "Outlets (%zu): %s", outlets(a, p)->n, t ? t : "");
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	size_t i = outlets(a, p)->v[line];
	const struct article *ar = store_row(a->store, i);
	bool focus = pane_focused(a) == p;
	bool unread = !(a->marks[i] & MARK_READ);
	enum style st = selected ? (focus ? ST_SELECTED : ST_CURSOR) : unread ? ST_UNREAD : ST_NORMAL;
	int x = p->r.x, w = p->r.w;
	char buf[64];
	snprintf(buf, sizeof buf, "%c%c ", unread ? 'N' : ' ', a->marks[i] & MARK_STARRED ? '*' : ' ');
	screen_put(y, x, 3, buf, 3, st, NULL, 0);
	x += 3, w -= 3;
	if (w >= 50) {
		if (ar->has & HAS_DATE)
			app_format_time(ar->date, buf, sizeof buf, false);
		else
			snprintf(buf, sizeof buf, "-");
		screen_put(y, x, 11, buf, strlen(buf), st, NULL, 0);
		const char *pv = ar->provider.name ? ar->provider.name : "";
		screen_put(y, x + 11, 15, pv, strlen(pv), st, NULL, 0);
		if (article_score_known(ar->has, HAS_QUALITY, ar->quality))
			snprintf(buf, sizeof buf, "%4d ", ar->quality);
		else
			snprintf(buf, sizeof buf, "   - ");
		screen_put(y, x + 26, 5, buf, strlen(buf), st, NULL, 0);
		x += 31, w -= 31;
	}
	const char *t = article_title(ar);
	struct span *sp = NULL;
	size_t n = a->search && t ? search_spans(a->search, t, strlen(t), &sp) : 0;
	t = t ? t : ar->path;
	screen_put(y, x, w, t, strlen(t), st, sp, n);
	free(sp);
}

/* Enter opens the outlet under the cursor in the story view (this view
 * is closed by the jump: nothing here is touched after it); o opens its
 * webUrl, read once opened; copy-url copies it. */
/* m and * mark the outlet under the cursor, not the story the pane is of;
 * the cursor goes on to the next, as in the list. */
static void toggle(struct app *a, struct pane *p, long idx, unsigned bit)
{
	bool on = !(a->marks[idx] & bit);
	if (!app_mark(a, idx, bit, on))
		return; /* it said why */
	app_message(a, false, "%s", bit == MARK_READ ? (on ? "marked read" : "marked unread")
						     : (on ? "starred" : "star taken away"));
	pane_move(a, p, 1);
}

static bool action(struct app *a, struct pane *p, enum action act)
{
	if (act != ACT_OPEN && act != ACT_BROWSE && act != ACT_COPY_URL &&
	    act != ACT_TOGGLE_READ && act != ACT_TOGGLE_STAR)
		return false;
	const struct outlets *o = outlets(a, p);
	if (p->sel >= o->n) {
		app_message(a, true, "no story selected");
		return true;
	}
	long idx = (long)o->v[p->sel];
	if (act == ACT_TOGGLE_READ || act == ACT_TOGGLE_STAR) {
		toggle(a, p, idx, act == ACT_TOGGLE_READ ? MARK_READ : MARK_STARRED);
		return true;
	}
	if (act == ACT_OPEN) {
		history_jump(a, (struct story){.article = idx, .related = -1});
		return true;
	}
	const struct article *row = store_row(a->store, (size_t)idx);
	const char *url = row->web_url && *row->web_url ? row->web_url : row->original_url;
	if (act == ACT_COPY_URL) {
		triage_copy_url(a, url);
		return true;
	}
	app_open_url(a, url);
	if (!a->message_error)
		app_mark(a, idx, MARK_READ, true);
	return true;
}

const struct view_ops view_cluster_ops = {
	.id = VIEW_RELATED, /* a list of stories, bound as the related view */
	.name = "outlets",
	.open = open_view,
	.close = close_view,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.action = action,
};
