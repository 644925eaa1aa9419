/* The story view: the current story in detail, wrapped to the pane (a
 * URL a line, cut at the pane's edge) and scrolled. Its wrapped lines are its own state, made when a pane opens
 * the view and freed when it closes it; they are rebuilt when the story,
 * the width or the config (wrap, text-width, date-format) changes. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/ui/app.h"
#include "lede/ui/find.h"
#include "lede/ui/text.h"

enum { LABEL_W = 11 };

struct detail_line {
	char *text;
	enum style style;
	int indent; /* -1: a label, drawn with the line after it */
};

/* The lines of one story at one width: the view's state. */
struct story_lines {
	struct detail_line *v;
	size_t n, cap;
	int width; /* -1: stale (the config changed) */
	long article, related; /* the story they are of */
	/* Made with the backlinks known: made again once they are, so that
	 * a first screen that did not wait for them shows them as soon as
	 * they come. */
	bool links_known;
};

static struct story_lines *lines_of(struct pane *p)
{
	return p->state;
}

static void open_view(struct app *a, struct pane *p)
{
	(void)a;
	struct story_lines *l = xcalloc(1, sizeof *l);
	l->width = -1;
	p->state = l;
}

static void clear(struct story_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	l->n = 0;
}

static void close_view(struct app *a, struct pane *p)
{
	(void)a;
	struct story_lines *l = lines_of(p);
	clear(l);
	free(l->v);
	free(l);
}

/* The date format or wrapping changed: the lines are rebuilt when next
 * drawn. */
static void invalidate(struct app *a, struct pane *p)
{
	(void)a;
	lines_of(p)->width = -1;
}

/* Building the lines: the app for the story and config, the lines to add
 * to. */
struct builder {
	struct app *a;
	struct story_lines *l;
};

static void add(struct builder *b, const char *text, size_t len, enum style st, int indent)
{
	struct story_lines *l = b->l;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = (struct detail_line){xstrndup(text, len), st, indent};
}

/* text wrapped into the pane (unless whole: then cut at its edge), the
 * first line after label. */
static void field_as(struct builder *b, int width, const char *label, const char *text,
		     enum style st, bool whole)
{
	if (!text)
		return;
	int indent = label ? LABEL_W : 0;
	struct span *lines;
	/* without wrap, only hard line breaks split; the pane clips the rest,
	 * an ellipsis at the cut. A URL is never wrapped: a piece on the next
	 * line behind the indent is what a mouse copy would pick up with it
	 * (copy-url and O give it whole). */
	bool nowrap = !b->a->cfg->wrap || whole;
	int w = nowrap ? INT_MAX / 4 : width - indent > 8 ? width - indent : 8;
	size_t n = text_wrap(text, strlen(text), w, &lines);
	for (size_t i = 0; i < n; i++) {
		const char *s = text + lines[i].start;
		size_t len = lines[i].end - lines[i].start;
		if (i == 0 && label) {
			char *l = xasprintf("%-*s", LABEL_W, label);
			add(b, l, strlen(l), ST_LABEL, -1); /* a label: the text joins it */
			free(l);
		}
		add(b, s, len, st, indent);
	}
	free(lines);
}

/* A URL or a path is never wrapped: a piece on the next line behind the
 * indent is what a mouse copy would pick up with it. */
static void field(struct builder *b, int width, const char *label, const char *text,
		  enum style st)
{
	field_as(b, width, label, text, st, st == ST_URL);
}

static void blank(struct builder *b)
{
	add(b, "", 0, ST_NORMAL, 0);
}

static void images(struct builder *b, int width, const char *label, const struct image *im,
		   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *t;
		if ((im[i].has & HAS_WIDTH) && (im[i].has & HAS_HEIGHT))
			t = xasprintf("%dx%d %s", (int)im[i].width, (int)im[i].height,
				      im[i].url ? im[i].url : "");
		else
			t = xasprintf("%s", im[i].url ? im[i].url : "");
		field(b, width, i == 0 ? label : "", t, ST_URL);
		free(t);
	}
}

/* A list of names on one wrapped line after label. */
static void list(struct builder *b, int width, const char *label, const char *const *v, size_t n)
{
	if (!n)
		return;
	struct buf s = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&s, "%s%s", i ? ", " : "", v[i]);
	field(b, width, label, s.data, ST_NORMAL);
	buf_free(&s);
}

/* A record's actions (a sample's downloads), each by its title, its URL
 * below it; O opens them. */
static void actions(struct builder *b, int width, const struct article *ar)
{
	for (size_t i = 0; i < ar->nactions; i++) {
		const struct article_action *x = &ar->actions[i];
		field(b, width, i ? "" : "Actions", x->title ? x->title : "(untitled)", ST_NORMAL);
		field(b, width, "", x->url, ST_URL);
	}
}

/* The date in the configured format, "?" when it cannot be shown. */
static void date(struct builder *b, int width, int64_t when)
{
	char d[256];
	time_t t = (time_t)when;
	struct tm tm;
	const char *fmt = b->a->cfg->date_format ? b->a->cfg->date_format
						 : CONFIG_DEFAULT_DATE_FORMAT;
	if (!localtime_r(&t, &tm) || !strftime(d, sizeof d, fmt, &tm))
		snprintf(d, sizeof d, "?");
	field(b, width, "Date", d, ST_NORMAL);
}

/* Title, provider, date, scores and topics: of the related summary r
 * when there is one, else of the article. */
static void head(struct builder *b, int width, const struct article *ar,
		 const struct related *r)
{
	const char *title = r ? r->title : article_title(ar);
	const struct provider *pv = r ? &r->provider : &ar->provider;
	if (title) {
		field(b, width, NULL, title, ST_STORY_TITLE);
	} else if (r) {
		field(b, width, NULL, "(no title)", ST_STORY_TITLE);
	} else { /* the file's name stands for it, dimmed */
		const char *slash = strrchr(ar->path, '/');
		field(b, width, NULL, slash && slash[1] ? slash + 1 : ar->path, ST_DIM);
	}
	blank(b);
	/* what the record is, when it is not a news story (as the list) */
	const char *type = r ? r->type : ar->type;
	if (type && strcmp(type, "article"))
		field(b, width, "Type", type, ST_NORMAL);
	if (pv->name || pv->domain) {
		char *t = xasprintf("%s%s%s%s", pv->name ? pv->name : "", pv->domain ? " (" : "",
				    pv->domain ? pv->domain : "", pv->domain ? ")" : "");
		field(b, width, "Provider", t, ST_NORMAL);
		free(t);
	}
	if (!r)
		list(b, width, "Authors", pv->authors, pv->nauthors);
	unsigned has = r ? r->has : ar->has;
	if (has & HAS_DATE)
		date(b, width, r ? r->date : ar->date);
	struct buf s = {0};
	if (article_score_known(has, HAS_QUALITY, r ? r->quality : ar->quality))
		buf_printf(&s, "quality %d", (int)(r ? r->quality : ar->quality));
	if (!r && article_score_known(has, HAS_HEAT, ar->heat))
		buf_printf(&s, "%sheat %d", s.len ? ", " : "", (int)ar->heat);
	if (!r && (has & HAS_PUBLISHED))
		buf_printf(&s, "%s%s", s.len ? ", " : "", ar->published ? "published" : "not published");
	if (s.len)
		field(b, width, "Scores", s.data, ST_NORMAL);
	s.len = 0;
	if (!r && ar->ntopics) {
		for (size_t i = 0; i < ar->ntopics; i++)
			buf_printf(&s, "%s%s", i ? ", " : "", ar->topics[i]);
		field(b, width, "Topics", s.data, ST_NORMAL);
	}
	buf_free(&s);
}

/* The story's other files (store.h's duplicates, listed once), a line
 * each below its own. */
static void also_in(struct builder *b, int width, size_t idx)
{
	const struct store *s = b->a->store;
	if (!b->a->dups_hidden) /* not known yet: the links are being made */
		return;
	bool first = true;
	for (long d = store_next_dup(s, idx, -1); d >= 0; d = store_next_dup(s, idx, d)) {
		field_as(b, width, first ? "Also in" : "", store_path(s, (size_t)d), ST_DIM, true);
		first = false;
	}
}

/* The excerpt, the URLs, the images and, for an article, its links. */
static void body(struct builder *b, int width, long idx, const struct article *ar,
		 const struct related *r)
{
	if (r)
		field(b, width, "Related to", article_title(ar) ? article_title(ar) : ar->path,
		      ST_DIM);
	const char *excerpt = r ? r->excerpt : ar->excerpt;
	if (excerpt) {
		blank(b);
		field(b, width, NULL, excerpt, ST_NORMAL);
	}
	blank(b);
	field(b, width, "Web", r ? r->web_url : ar->web_url, ST_URL);
	if (!r)
		field(b, width, "Original", ar->original_url, ST_URL);
	field(b, width, "AMP", r ? r->amp_web_url : ar->amp_web_url, ST_URL);
	field(b, width, "CDN AMP", r ? r->cdn_amp_web_url : ar->cdn_amp_web_url, ST_URL);
	if (!r) {
		field(b, width, "Player", ar->player, ST_URL);
		actions(b, width, ar);
	}
	images(b, width, "Images", r ? r->images : ar->images, r ? r->nimages : ar->nimages);
	if (!r) {
		/* the backlinks are being found behind the first screen: said
		 * so, never waited for (a second at a million articles), never
		 * shown as none */
		char here[48] = "? linking here, being counted";
		if (store_links_ready(b->a->store)) {
			size_t nb;
			store_backlinks(b->a->store, (size_t)idx, &nb);
			snprintf(here, sizeof here, "%zu linking here", nb);
		}
		char *t = ar->nitems ? xasprintf("%zu items, %zu related, %s (r shows them)",
						 ar->nitems, ar->nrelated, here)
				     : xasprintf("%zu related, %s (r shows them)", ar->nrelated,
						 here);
		field(b, width, "Links", t, ST_NORMAL);
		free(t);
		field_as(b, width, "File", ar->path, ST_DIM, true);
		also_in(b, width, (size_t)idx);
	}
}

/* The width the text wraps at: the pane's, narrowed to text-width so that
 * lines on a wide terminal stay short enough to read. */
static int wrap_width(const struct app *a, int pane_width)
{
	int tw = a->cfg->text_width;
	return tw > 0 && tw < pane_width ? tw : pane_width;
}

/* The lines are kept while the story and the width stay the same. */
static void prepare(struct app *a, struct pane *p, int pane_width)
{
	struct story_lines *l = lines_of(p);
	int width = wrap_width(a, pane_width);
	bool links_known = store_links_ready(a->store);
	if (l->width == width && l->article == a->cur.article && l->related == a->cur.related &&
	    l->links_known == links_known && l->n)
		return;
	clear(l);
	l->links_known = links_known;
	l->width = width;
	l->article = a->cur.article;
	l->related = a->cur.related;
	struct builder b = {a, l};
	const struct article *ar = app_article_early(a, a->cur.article);
	if (!ar) {
		add(&b, "No story.", 9, ST_DIM, 0);
		return;
	}
	const struct related *r = a->cur.related >= 0 ? &ar->related[a->cur.related] : NULL;
	head(&b, width, ar, r);
	body(&b, width, a->cur.article, ar, r);
}

/* Label lines are drawn with the line after them: count the pairs as one. */
static size_t count(struct app *a, struct pane *p)
{
	(void)a;
	const struct story_lines *l = lines_of(p);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].indent != -1;
	return n;
}

static size_t nth(const struct story_lines *l, size_t line)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].indent == -1)
			continue;
		if (line-- == 0)
			return i;
	}
	return l->n;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	const struct article *ar = app_article_early(a, a->cur.article);
	buf_puts(out, a->cur.related >= 0 ? "Related story" : "Story");
	if (ar && a->cur.related < 0 && ar->web_url) {
		buf_puts(out, ": ");
		buf_puts(out, ar->provider.domain ? ar->provider.domain : ar->path);
	}
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	(void)selected;
	const struct story_lines *l = lines_of(p);
	size_t i = nth(l, line);
	if (i >= l->n)
		return;
	const struct detail_line *d = &l->v[i];
	int x = p->r.x, w = p->r.w;
	if (i > 0 && l->v[i - 1].indent == -1) {
		screen_put(y, x, LABEL_W < w ? LABEL_W : w, l->v[i - 1].text,
			   strlen(l->v[i - 1].text), ST_LABEL, NULL, 0);
	} else if (d->indent > 0) {
		screen_fill(y, x, d->indent < w ? d->indent : w, ST_NORMAL);
	}
	int ind = d->indent > 0 ? d->indent : 0;
	if (ind >= w)
		return;
	struct span *sp;
	size_t n = find_spans(a, d->text, strlen(d->text), &sp);
	screen_put(y, x + ind, w - ind, d->text, strlen(d->text), d->style, sp, n);
	free(sp);
}

/* What / in the story pane finds in: the text of a line, its label not. */
static const char *line_text(struct app *a, struct pane *p, size_t line)
{
	(void)a;
	const struct story_lines *l = lines_of(p);
	size_t i = nth(l, line);
	return i < l->n ? l->v[i].text : NULL;
}

/* The pattern / is finding in the story, beside the position. */
static void status(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	struct search *re = find_active(a);
	if (re)
		buf_printf(out, "  find: %s", search_pattern(re));
}

const struct view_ops view_story_ops = {
	.id = VIEW_DETAIL,
	.name = "story",
	.open = open_view,
	.close = close_view,
	.invalidate = invalidate,
	.prepare = prepare,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.line_text = line_text,
	.status = status,
	.scroll = true,
};
