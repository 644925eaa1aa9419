/* The related view: the current story's related stories, then the local
 * articles that name it (its backlinks). Enter jumps, and history keeps
 * the way back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/ui/app.h"
#include "lede/ui/history.h"
#include "lede/ui/pane.h"
#include "lede/ui/text.h"

/* Lines: a heading, the related stories, a heading, the backlinks. */
static size_t nrelated(struct app *a)
{
	const struct article *ar = app_article(a, a->cur.article);
	return ar && a->cur.related < 0 ? ar->nrelated : 0;
}

/* The articles that name the current story; a related summary has none. */
static const size_t *backlinks(struct app *a, size_t *n)
{
	*n = 0;
	if (a->cur.article < 0 || a->cur.related >= 0)
		return NULL;
	return store_backlinks(a->store, (size_t)a->cur.article, n);
}

static size_t nback(struct app *a)
{
	size_t n;
	backlinks(a, &n);
	return n;
}

/* The k-th of them (k < nback). */
static size_t backlink(struct app *a, size_t k)
{
	size_t n;
	return backlinks(a, &n)[k];
}

static size_t count(struct app *a, struct pane *p)
{
	(void)p;
	return 2 + nrelated(a) + nback(a);
}

static bool selectable(struct app *a, struct pane *p, size_t line)
{
	(void)p;
	return line != 0 && line != 1 + nrelated(a);
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	const struct article *ar = app_article(a, a->cur.article);
	buf_printf(out, "Related: %s", ar && ar->title ? ar->title : "");
}

static void row(struct app *a, struct pane *p, int y, enum style st, bool local, int64_t date,
		bool has_date, const char *provider, bool has_q, int q, const char *t)
{
	int x = p->r.x, w = p->r.w;
	char buf[64];
	/* The mark's column: the arrow and a space. */
	int mw = text_glyph_width(TEXT_GLYPH_ARROW) + 1;
	const char *mark = local ? text_glyph(TEXT_GLYPH_ARROW) : "";
	screen_put(y, x, mw, mark, strlen(mark), local && st == ST_NORMAL ? ST_LOCAL : st, NULL, 0);
	x += mw, w -= mw;
	if (w >= 60) {
		if (has_date)
			app_format_time(date, buf, sizeof buf, false);
		else
			snprintf(buf, sizeof buf, "-");
		screen_put(y, x, 11, buf, strlen(buf), st, NULL, 0);
		const char *pv = provider ? provider : "";
		screen_put(y, x + 11, 15, pv, strlen(pv), st, NULL, 0);
		if (has_q)
			snprintf(buf, sizeof buf, "%4d ", q);
		else
			snprintf(buf, sizeof buf, "   - ");
		screen_put(y, x + 26, 5, buf, strlen(buf), st, NULL, 0);
		x += 31, w -= 31;
	}
	struct span *sp = NULL;
	size_t n = a->search && t ? search_spans(a->search, t, strlen(t), &sp) : 0;
	t = t ? t : "(no title)";
	screen_put(y, x, w, t, strlen(t), st, sp, n);
	free(sp);
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	bool focus = pane_focused(a) == p;
	enum style st = selected ? (focus ? ST_SELECTED : ST_CURSOR) : ST_NORMAL;
	const struct article *ar = app_article(a, a->cur.article);
	size_t nr = nrelated(a);
	if (line == 0 || line == 1 + nr) {
		char *h = line == 0 ? xasprintf("Related stories (%zu)", nr)
				    : xasprintf("Stories that link here (%zu)", nback(a));
		screen_put(y, p->r.x, p->r.w, h, strlen(h), ST_HEADER, NULL, 0);
		free(h);
		return;
	}
	if (line <= nr) {
		const struct related *r = &ar->related[line - 1];
		row(a, p, y, st, r->local >= 0, r->date, r->has & HAS_DATE, r->provider.name,
		    r->has & HAS_QUALITY, r->quality, r->title);
		return;
	}
	const struct article *from = store_row(a->store, backlink(a, line - 2 - nr));
	row(a, p, y, st, true, from->date, from->has & HAS_DATE, from->provider.name,
	    from->has & HAS_QUALITY, from->quality, from->title);
}

/* Enter jumps to the story under the cursor. The jump opens the story
 * view in this very pane, closing this one: nothing here is touched after
 * it. */
static bool action(struct app *a, struct pane *p, enum action act)
{
	if (act != ACT_OPEN)
		return false;
	size_t nr = nrelated(a), line = p->sel;
	const struct article *ar = app_article(a, a->cur.article);
	if (!ar || !selectable(a, p, line) || line >= count(a, p))
		return true;
	if (line <= nr) {
		const struct related *r = &ar->related[line - 1];
		if (r->local >= 0)
			history_jump(a, (struct story){.article = r->local, .related = -1});
		else
			history_jump(a, (struct story){.article = a->cur.article,
						       .related = (long)(line - 1)});
	} else {
		history_jump(a, (struct story){.article = (long)backlink(a, line - 2 - nr),
					       .related = -1});
	}
	return true;
}

const struct view_ops view_related_ops = {
	.id = VIEW_RELATED,
	.name = "related",
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.selectable = selectable,
	.action = action,
	.parent = &view_story_ops, /* opened over the story, q goes back to it */
};
