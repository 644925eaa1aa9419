/* The related view: a collection's items, the current story's related
 * stories, the local articles that name it (its backlinks), then the
 * other outlets of its coverage cluster (the same news event). Enter
 * jumps, and history keeps the way back. Its state is where the items
 * were found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/cluster.h"
#include "lede/compat.h"
#include "lede/ui/app.h"
#include "lede/ui/history.h"
#include "lede/ui/pane.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

/* ---- a collection's items ----
 *
 * An item names another record by its path without the extension,
 * relative to the folder of the collection's kind (the parent of the
 * collection's own folder: "videos/x" of _learning/collections/c.md is
 * _learning/videos/x.md), else to a folder above it, up to the archive's
 * root. They are found among the articles loaded, by path. */
struct items_state {
	long article;     /* whose items were found; -1: none yet */
	size_t store_n;   /* the store's size then */
	size_t *by_path;  /* the articles' indices sorted by path */
	size_t npaths;
	long *found;      /* item k's article, or -1 */
	size_t nitems;
};

static void open_view(struct app *a, struct pane *p)
{
	(void)a;
	struct items_state *st = xcalloc(1, sizeof *st);
	st->article = -1;
	p->state = st;
}

static void close_view(struct app *a, struct pane *p)
{
	(void)a;
	struct items_state *st = p->state;
	free(st->by_path);
	free(st->found);
	free(st);
}

static int cmp_path(const void *x, const void *y, void *ctx)
{
	const struct store *s = ctx;
	return strcmp(store_path(s, *(const size_t *)x), store_path(s, *(const size_t *)y));
}

/* The listed article whose path is path, or -1. */
static long find_path(const struct store *s, const struct items_state *st, const char *path)
{
	size_t lo = 0, hi = st->npaths;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(store_path(s, st->by_path[mid]), path);
		if (!c)
			return store_is_hidden(s, st->by_path[mid]) ? -1 : (long)st->by_path[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The record item names, from the folder dir[0..dlen) or one above it. */
static long find_item(const struct store *s, const struct items_state *st, const char *dir,
		      size_t dlen, const char *item)
{
	static const char *const ext[] = {".md", ".markdown", ".txt", ".yml", ".yaml"};
	struct buf b = {0};
	long found = -1;
	for (;;) {
		for (size_t e = 0; e < sizeof ext / sizeof *ext && found < 0; e++) {
			b.len = 0;
			if (dlen)
				buf_printf(&b, "%.*s/", (int)dlen, dir);
			buf_printf(&b, "%s%s", item, ext[e]);
			found = find_path(s, st, buf_str(&b));
		}
		if (found >= 0 || !dlen)
			break;
		while (dlen && dir[dlen - 1] != '/')
			dlen--; /* the folder above */
		while (dlen && dir[dlen - 1] == '/')
			dlen--;
	}
	buf_free(&b);
	return found;
}

/* Find the current story's items, once for it (and again when the store
 * grew). */
static struct items_state *items(struct app *a, struct pane *p)
{
	struct items_state *st = p->state;
	const struct article *ar = a->cur.related < 0 ? app_article(a, a->cur.article) : NULL;
	if (!ar || !ar->nitems) {
		st->nitems = 0;
		return st;
	}
	if (st->article == a->cur.article && st->store_n == a->store->n)
		return st;
	const struct store *s = a->store;
	if (st->store_n != s->n || !st->by_path) {
		free(st->by_path);
		st->by_path = xmalloc((s->n ? s->n : 1) * sizeof *st->by_path);
		for (size_t i = 0; i < s->n; i++)
			st->by_path[i] = i;
		compat_qsort_r(st->by_path, s->n, sizeof *st->by_path, cmp_path, (void *)s);
		st->npaths = s->n;
	}
	st->article = a->cur.article;
	st->store_n = s->n;
	/* the kind's folder: two levels above the collection's file */
	const char *path = ar->path;
	size_t dlen = strlen(path);
	for (int up = 0; up < 2; up++) {
		while (dlen && path[dlen - 1] != '/')
			dlen--;
		while (dlen && path[dlen - 1] == '/')
			dlen--;
	}
	free(st->found);
	st->found = xmalloc(ar->nitems * sizeof *st->found);
	st->nitems = ar->nitems;
	for (size_t k = 0; k < ar->nitems; k++)
		st->found[k] = find_item(s, st, path, dlen, ar->items[k]);
	return st;
}

/* The lines before the related stories' heading: the items' heading and
 * the items, when there are any. */
static size_t nitems_lines(struct app *a, struct pane *p)
{
	size_t n = items(a, p)->nitems;
	return n ? n + 1 : 0;
}

/* The other articles of the current story's coverage cluster (the same
 * news event, cluster.h), each openable: how many. */
static size_t nsame(struct app *a)
{
	if (a->cur.article < 0 || a->cur.related >= 0)
		return 0;
	return cluster_size(a->store, (size_t)a->cur.article) - 1;
}

/* The k-th of them (k < nsame), in the cluster's order: the lead, then
 * by date. */
static size_t same(struct app *a, size_t k)
{
	const struct cluster_set *c = cluster_of(a->store);
	size_t cur = (size_t)a->cur.article, i = c->lead[cur];
	for (;;) {
		if (i != cur && !k--)
			return i;
		i = c->next[i];
	}
}

/* Their lines, after the backlinks: a heading and them, when there are
 * any. */
static size_t nsame_lines(struct app *a)
{
	size_t n = nsame(a);
	return n ? n + 1 : 0;
}

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
	return nitems_lines(a, p) + nsame_lines(a) + 2 + nrelated(a) + nback(a);
}

static bool selectable(struct app *a, struct pane *p, size_t line)
{
	size_t io = nitems_lines(a, p), rest = 2 + nrelated(a) + nback(a);
	if (io && line < io)
		return line != 0;
	line -= io;
	if (line >= rest) /* the other outlets: after their heading */
		return line != rest;
	return line != 0 && line != 1 + nrelated(a);
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	const struct article *ar = app_article(a, a->cur.article);
	const char *t = ar ? article_title(ar) : NULL;
	buf_printf(out, "Related: %s", t ? t : "");
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

/* What an article of the archive is known by here: its title, else its
 * name, else its file's name. */
static const char *shown_title(const struct article *ar)
{
	const char *t = article_title(ar), *slash;
	if (t)
		return t;
	slash = strrchr(ar->path, '/');
	return slash && slash[1] ? slash + 1 : ar->path;
}

/* Item k of the collection: the record found, as a story of the archive,
 * or the item's name dimmed. */
static void item_row(struct app *a, struct pane *p, int y, enum style st, size_t k)
{
	const struct article *ar = app_article(a, a->cur.article);
	long idx = items(a, p)->found[k];
	if (idx < 0) {
		const char *t = ar->items[k];
		int mw = text_glyph_width(TEXT_GLYPH_ARROW) + 1;
		screen_put(y, p->r.x, mw, "", 0, st, NULL, 0);
		screen_put(y, p->r.x + mw, p->r.w - mw, t, strlen(t), st == ST_NORMAL ? ST_DIM : st,
			   NULL, 0);
		return;
	}
	const struct article *it = store_row(a->store, (size_t)idx);
	row(a, p, y, st, true, it->date, it->has & HAS_DATE, it->provider.name,
	    article_score_known(it->has, HAS_QUALITY, it->quality), it->quality, shown_title(it));
}

/* An article of the archive as a row: date, provider, quality, title. */
static void story_row(struct app *a, struct pane *p, int y, enum style st, size_t idx)
{
	const struct article *it = store_row(a->store, idx);
	row(a, p, y, st, true, it->date, it->has & HAS_DATE, it->provider.name,
	    article_score_known(it->has, HAS_QUALITY, it->quality), it->quality, shown_title(it));
}

static void heading(struct pane *p, int y, char *owned)
{
	screen_put(y, p->r.x, p->r.w, owned, strlen(owned), ST_HEADER, NULL, 0);
	free(owned);
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	bool focus = pane_focused(a) == p;
	enum style st = selected ? (focus ? ST_SELECTED : ST_CURSOR) : ST_NORMAL;
	const struct article *ar = app_article(a, a->cur.article);
	size_t nr = nrelated(a), io = nitems_lines(a, p), rest = 2 + nr + nback(a);
	if (io && line < io) {
		if (line == 0)
			heading(p, y, xasprintf("Items (%zu)", io - 1));
		else
			item_row(a, p, y, st, line - 1);
		return;
	}
	line -= io;
	if (line >= rest) {
		if (line == rest)
			heading(p, y, xasprintf("Same story, other outlets (%zu)", nsame(a)));
		else
			story_row(a, p, y, st, same(a, line - rest - 1));
		return;
	}
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
		    article_score_known(r->has, HAS_QUALITY, r->quality), r->quality, r->title);
		return;
	}
	story_row(a, p, y, st, backlink(a, line - 2 - nr));
}

/* The selected line's web URL and the article it is in the archive (-1:
 * none), for o and copy-url; false when the line is no story. */
static bool selected_url(struct app *a, struct pane *p, const char **url, long *local)
{
	size_t nr = nrelated(a), line = p->sel, io = nitems_lines(a, p), rest = 2 + nr + nback(a);
	const struct article *ar = app_article(a, a->cur.article);
	if (!ar || !selectable(a, p, line) || line >= count(a, p))
		return false;
	if (io && line < io) {
		/* a collection's item: its story's URL, when it is in the archive */
		*local = items(a, p)->found[line - 1];
		if (*local < 0)
			return false;
	} else if (line - io > rest) {
		*local = (long)same(a, line - io - rest - 1);
	} else if ((line -= io) <= nr) {
		const struct related *r = &ar->related[line - 1];
		*url = r->web_url;
		*local = r->local;
		return true;
	} else {
		*local = (long)backlink(a, line - 2 - nr);
	}
	/* a story of the archive: its webUrl, else its originalUrl */
	const struct article *row = store_row(a->store, (size_t)*local);
	*url = row->web_url && *row->web_url ? row->web_url : row->original_url;
	return true;
}

/* o opens the selected story's URL (read once opened, when it is in the
 * archive); copy-url copies it. */
static bool url_action(struct app *a, struct pane *p, enum action act)
{
	const char *url = NULL;
	long local = -1;
	if (!selected_url(a, p, &url, &local)) {
		app_message(a, true, "no story selected");
		return true;
	}
	if (act == ACT_COPY_URL) {
		triage_copy_url(a, url);
		return true;
	}
	app_open_url(a, url);
	if (!a->message_error && local >= 0)
		app_mark(a, local, MARK_READ, true);
	return true;
}

/* Enter jumps to the story under the cursor. The jump opens the story
 * view in this very pane, closing this one: nothing here is touched after
 * it. */
static bool action(struct app *a, struct pane *p, enum action act)
{
	if (act == ACT_BROWSE || act == ACT_COPY_URL)
		return url_action(a, p, act);
	if (act != ACT_OPEN)
		return false;
	size_t nr = nrelated(a), line = p->sel, io = nitems_lines(a, p);
	const struct article *ar = app_article(a, a->cur.article);
	if (!ar || !selectable(a, p, line) || line >= count(a, p))
		return true;
	if (io && line < io) {
		long idx = items(a, p)->found[line - 1];
		if (idx < 0)
			app_message(a, true, "this item is not in the archive");
		else
			history_jump(a, (struct story){.article = idx, .related = -1});
		return true;
	}
	line -= io;
	if (line > 2 + nr + nback(a)) {
		history_jump(a, (struct story){.article = (long)same(a, line - 3 - nr - nback(a)),
					       .related = -1});
		return true;
	}
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

/* The position among the stories, not the lines: the headings are not
 * counted. */
static void position(struct app *a, struct pane *p, size_t *at, size_t *of)
{
	size_t nr = nrelated(a), io = nitems_lines(a, p), ni = io ? io - 1 : 0;
	size_t nb = nback(a), ns = nsame(a);
	*of = ni + nr + nb + ns;
	if (!*of)
		*at = 0;
	else if (p->sel < io) /* an item: after the items' heading */
		*at = p->sel;
	else if (p->sel - io > 2 + nr + nb) /* another outlet: after three headings */
		*at = ni + p->sel - io - 2;
	else /* after the items, and the one or two headings of the rest */
		*at = ni + (p->sel - io <= nr ? p->sel - io : p->sel - io - 1);
}

const struct view_ops view_related_ops = {
	.id = VIEW_RELATED,
	.name = "related",
	.open = open_view,
	.close = close_view,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.selectable = selectable,
	.position = position,
	.action = action,
	.parent = &view_story_ops, /* opened over the story, q goes back to it */
};
