/* The story view: the current story in detail, wrapped to the pane and
 * scrolled. The lines are rebuilt when the story or the width changes. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/ui/app.h"
#include "lede/ui/text.h"

enum { LABEL_W = 11 };

static void add(struct app *a, const char *text, size_t len, enum style st, int indent)
{
	a->dl = xgrow(a->dl, &a->capdl, a->ndl + 1, sizeof *a->dl);
	a->dl[a->ndl++] = (struct detail_line){xstrndup(text, len), st, indent};
}

/* text wrapped into the pane, the first line after label. */
static void field(struct app *a, int width, const char *label, const char *text, enum style st)
{
	if (!text)
		return;
	int indent = label ? LABEL_W : 0;
	struct span *lines;
	/* without wrap, only hard line breaks split; the pane clips the rest */
	int w = !a->cfg->wrap ? INT_MAX / 4 : width - indent > 8 ? width - indent : 8;
	size_t n = text_wrap(text, strlen(text), w, &lines);
	for (size_t i = 0; i < n; i++) {
		const char *s = text + lines[i].start;
		size_t len = lines[i].end - lines[i].start;
		if (i == 0 && label) {
			char *l = xasprintf("%-*s", LABEL_W, label);
			add(a, l, strlen(l), ST_LABEL, 0);
			free(l);
			a->dl[a->ndl - 1].indent = -1; /* a label: the text joins it */
			add(a, s, len, st, indent);
		} else {
			add(a, s, len, st, indent);
		}
	}
	free(lines);
}

static void blank(struct app *a)
{
	add(a, "", 0, ST_NORMAL, 0);
}

static void images(struct app *a, int width, const char *label, const struct image *im, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *t;
		if ((im[i].has & HAS_WIDTH) && (im[i].has & HAS_HEIGHT))
			t = xasprintf("%dx%d %s", (int)im[i].width, (int)im[i].height,
				      im[i].url ? im[i].url : "");
		else
			t = xasprintf("%s", im[i].url ? im[i].url : "");
		field(a, width, i == 0 ? label : "", t, ST_URL);
		free(t);
	}
}

static void prepare(struct app *a, struct pane *p, int width)
{
	(void)p;
	if (a->dl_width == width && a->dl_story.article == a->cur.article &&
	    a->dl_story.related == a->cur.related && a->ndl)
		return;
	for (size_t i = 0; i < a->ndl; i++)
		free(a->dl[i].text);
	a->ndl = 0;
	a->dl_width = width;
	a->dl_story = a->cur;
	const struct article *ar = app_article(a, a->cur.article);
	if (!ar) {
		add(a, "No story.", 9, ST_DIM, 0);
		return;
	}
	const struct related *r = a->cur.related >= 0 ? &ar->related[a->cur.related] : NULL;
	const char *title = r ? r->title : ar->title;
	const struct provider *pv = r ? &r->provider : &ar->provider;
	field(a, width, NULL, title ? title : "(no title)", ST_STORY_TITLE);
	blank(a);
	if (pv->name || pv->domain) {
		char *t = xasprintf("%s%s%s%s", pv->name ? pv->name : "", pv->domain ? " (" : "",
				    pv->domain ? pv->domain : "", pv->domain ? ")" : "");
		field(a, width, "Provider", t, ST_NORMAL);
		free(t);
	}
	unsigned has = r ? r->has : ar->has;
	if (has & HAS_DATE) {
		char d[256];
		time_t t = (time_t)(r ? r->date : ar->date);
		struct tm tm;
		const char *fmt = a->cfg->date_format ? a->cfg->date_format : CONFIG_DEFAULT_DATE_FORMAT;
		if (!localtime_r(&t, &tm) || !strftime(d, sizeof d, fmt, &tm))
			snprintf(d, sizeof d, "?");
		field(a, width, "Date", d, ST_NORMAL);
	}
	struct buf b = {0};
	if (has & HAS_QUALITY)
		buf_printf(&b, "quality %d", (int)(r ? r->quality : ar->quality));
	if (!r && (has & HAS_HEAT))
		buf_printf(&b, "%sheat %d", b.len ? ", " : "", (int)ar->heat);
	if (!r && (has & HAS_PUBLISHED))
		buf_printf(&b, "%s%s", b.len ? ", " : "", ar->published ? "published" : "not published");
	if (b.len)
		field(a, width, "Scores", b.data, ST_NORMAL);
	b.len = 0;
	if (!r && ar->ntopics) {
		for (size_t i = 0; i < ar->ntopics; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ar->topics[i]);
		field(a, width, "Topics", b.data, ST_NORMAL);
	}
	buf_free(&b);
	if (r)
		field(a, width, "Related to", ar->title ? ar->title : ar->path, ST_DIM);
	const char *excerpt = r ? r->excerpt : ar->excerpt;
	if (excerpt) {
		blank(a);
		field(a, width, NULL, excerpt, ST_NORMAL);
	}
	blank(a);
	field(a, width, "Web", r ? r->web_url : ar->web_url, ST_URL);
	if (!r)
		field(a, width, "Original", ar->original_url, ST_URL);
	field(a, width, "AMP", r ? r->amp_web_url : ar->amp_web_url, ST_URL);
	field(a, width, "CDN AMP", r ? r->cdn_amp_web_url : ar->cdn_amp_web_url, ST_URL);
	images(a, width, "Images", r ? r->images : ar->images, r ? r->nimages : ar->nimages);
	if (!r) {
		size_t nb;
		store_backlinks(a->store, (size_t)a->cur.article, &nb);
		char *t = xasprintf("%zu related, %zu linking here (r shows them)", ar->nrelated, nb);
		field(a, width, "Links", t, ST_NORMAL);
		free(t);
		field(a, width, "File", ar->path, ST_DIM);
	}
}

/* Label lines are drawn with the line after them: count the pairs as one. */
static size_t count(struct app *a, struct pane *p)
{
	(void)p;
	size_t n = 0;
	for (size_t i = 0; i < a->ndl; i++)
		n += a->dl[i].indent != -1;
	return n;
}

static size_t nth(struct app *a, size_t line)
{
	for (size_t i = 0; i < a->ndl; i++) {
		if (a->dl[i].indent == -1)
			continue;
		if (line-- == 0)
			return i;
	}
	return a->ndl;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	const struct article *ar = app_article(a, a->cur.article);
	buf_puts(out, a->cur.related >= 0 ? "Related story" : "Story");
	if (ar && a->cur.related < 0 && ar->web_url) {
		buf_puts(out, ": ");
		buf_puts(out, ar->provider.domain ? ar->provider.domain : ar->path);
	}
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	(void)selected;
	size_t i = nth(a, line);
	if (i >= a->ndl)
		return;
	int x = p->r.x, w = p->r.w;
	if (i > 0 && a->dl[i - 1].indent == -1) {
		screen_put(y, x, LABEL_W < w ? LABEL_W : w, a->dl[i - 1].text,
			   strlen(a->dl[i - 1].text), ST_LABEL, NULL, 0);
	} else if (a->dl[i].indent > 0) {
		screen_fill(y, x, a->dl[i].indent < w ? a->dl[i].indent : w, ST_NORMAL);
	}
	int ind = a->dl[i].indent > 0 ? a->dl[i].indent : 0;
	if (ind >= w)
		return;
	struct span *sp = NULL;
	size_t n = a->search ? search_spans(a->search, a->dl[i].text, strlen(a->dl[i].text), &sp) : 0;
	screen_put(y, x + ind, w - ind, a->dl[i].text, strlen(a->dl[i].text), a->dl[i].style, sp, n);
	free(sp);
}

const struct view_ops view_story_ops = {
	.id = VIEW_DETAIL,
	.name = "story",
	.prepare = prepare,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.scroll = true,
};
