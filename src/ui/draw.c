/* draw: the screen from the app's state, once a loop: the layout, the
 * panes' titles and lines (the views draw their own), the separator, the
 * status line (position, sort, search, filter, marks, problems) and the
 * prompt line (the input being edited, or the last message). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "lede/ui/draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "lede/ui/pane.h"
#include "lede/ui/prompt.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

static void draw_pane(struct app *a, struct pane *p, bool focus)
{
	if (p->r.w <= 0 || p->r.h <= 0)
		return;
	if (p->ops->prepare)
		p->ops->prepare(a, p, p->r.w);
	pane_keep_visible(a, p);
	struct buf t = {0};
	p->ops->title(a, p, &t);
	screen_put(p->r.y, p->r.x, p->r.w, buf_str(&t), t.len, focus ? ST_TITLE_FOCUS : ST_HEADER,
		   NULL, 0);
	buf_free(&t);
	size_t n = p->ops->count(a, p);
	for (int y = 1; y < p->r.h; y++) {
		size_t line = pane_line_at(p, y - 1);
		if (line < n)
			p->ops->draw_line(a, p, line, p->r.y + y, !p->ops->scroll && line == p->sel);
		else
			screen_fill(p->r.y + y, p->r.x, p->r.w, ST_NORMAL);
	}
}

static void draw_separator(struct rect r)
{
	const char *bar = text_glyph(TEXT_GLYPH_SEPARATOR);
	int bw = text_glyph_width(TEXT_GLYPH_SEPARATOR);
	for (int y = 0; y < r.h; y++)
		screen_put(r.y + y, r.x, bw, bar, strlen(bar), ST_DIM, NULL, 0);
}

/* The status line's items, each one of its strings; the first and the
 * problems are never dropped. */
enum status_item {
	SI_POS, SI_SORT, SI_SEARCH, SI_FILTER, SI_TOPIC, SI_PROVIDER, SI_TYPE, SI_HISTORY, SI_UNREAD,
	SI_STARRED, SI_SHOWING, SI_PROBLEMS, SI_COUNT
};

/* What goes first when the line is too narrow: the least telling first. */
static const enum status_item drop_order[] = {SI_HISTORY, SI_SORT,     SI_STARRED,
					      SI_PROVIDER, SI_TYPE,    SI_TOPIC,
					      SI_SHOWING,
					      SI_FILTER,  SI_UNREAD,   SI_SEARCH};

static void status_items(struct app *a, struct buf *it)
{
	struct pane *p = pane_focused(a);
	size_t n = p->ops->count(a, p);
	buf_printf(&it[SI_POS], " [%s] ", p->ops->name);
	if (p->ops->scroll)
		buf_printf(&it[SI_POS], "line %zu/%zu", n ? p->top + 1 : 0, n);
	else if (p->ops->placing && p->ops->placing(a, p))
		buf_printf(&it[SI_POS], "%s/%s", text_glyph(TEXT_GLYPH_ELLIPSIS),
			   text_glyph(TEXT_GLYPH_ELLIPSIS));
	else if (p->ops->position) {
		size_t at, of;
		p->ops->position(a, p, &at, &of);
		buf_printf(&it[SI_POS], "%zu/%zu", at, of);
	} else if (p->ops->counting && p->ops->counting(a, p))
		buf_printf(&it[SI_POS], "%zu/%s", n ? p->sel + 1 : 0, text_glyph(TEXT_GLYPH_ELLIPSIS));
	else
		buf_printf(&it[SI_POS], "%zu/%zu", n ? p->sel + 1 : 0, n);
	if (p->ops->status)
		p->ops->status(a, p, &it[SI_POS]);
	buf_printf(&it[SI_SORT], "  sort: %s %s", query_sort_name(a->order.key),
		   a->order.desc ? "desc" : "asc");
	if (a->search)
		buf_printf(&it[SI_SEARCH], "  search: %s", search_pattern(a->search));
	if (a->filter)
		buf_printf(&it[SI_FILTER], "  filter: %s", querylang_text(a->filter));
	if (query_topic(a->query))
		buf_printf(&it[SI_TOPIC], "  topic: %s", query_topic(a->query));
	if (query_provider(a->query))
		buf_printf(&it[SI_PROVIDER], "  provider: %s", query_provider(a->query));
	if (query_type(a->query))
		buf_printf(&it[SI_TYPE], "  type: %s", query_type(a->query));
	if (a->nback || a->nfwd)
		buf_printf(&it[SI_HISTORY], "  history: %zu/%zu", a->nback, a->nback + a->nfwd);
	/* kept as marks change (marksync.h), never counted here */
	buf_printf(&it[SI_UNREAD], "  unread: %zu", a->marks_sync.counts.unread);
	buf_printf(&it[SI_STARRED], "  starred: %zu", a->marks_sync.counts.starred);
	if (a->mark_filter != MARKS_ALL)
		buf_printf(&it[SI_SHOWING], " (showing %s)", query_mark_filter_name(a->mark_filter));
	if (a->store->problems.n)
		buf_printf(&it[SI_PROBLEMS], "  problems: %zu (P)", a->store->problems.n);
}

static int items_width(struct buf *it)
{
	int w = 0;
	for (int i = 0; i < SI_COUNT; i++)
		w += text_width(buf_str(&it[i]), it[i].len);
	return w;
}

static void draw_status(struct app *a)
{
	if (a->prompt != PROMPT_NONE && a->message) {
		/* the prompt line is busy: say what is wrong with the input here */
		screen_put(a->lay.status.y, 0, a->lay.status.w, a->message, strlen(a->message),
			   a->message_error ? ST_ERROR : ST_STATUS, NULL, 0);
		return;
	}
	struct buf it[SI_COUNT] = {{0}};
	status_items(a, it);
	/* one line, whatever the width: the least telling items go first, so
	 * that the position and the problems' count always show */
	for (size_t d = 0; d < sizeof drop_order / sizeof *drop_order &&
			   items_width(it) > a->lay.status.w;
	     d++)
		it[drop_order[d]].len = 0;
	struct buf b = {0};
	for (int i = 0; i < SI_COUNT; i++)
		buf_add(&b, buf_str(&it[i]), it[i].len);
	screen_put(a->lay.status.y, 0, a->lay.status.w, buf_str(&b), b.len, ST_STATUS, NULL, 0);
	buf_free(&b);
	for (int i = 0; i < SI_COUNT; i++)
		buf_free(&it[i]);
}

static void draw_prompt(struct app *a)
{
	struct rect r = a->lay.prompt;
	if (a->prompt == PROMPT_CONFIRM_MARK_ALL) {
		const char *m = triage_confirm_text(a);
		screen_put(r.y, 0, r.w, m, strlen(m), ST_NORMAL, NULL, 0);
		screen_cursor(0, 0, false);
		return;
	}
	if (a->prompt == PROMPT_URL || a->prompt == PROMPT_CONFIRM_QUIT) {
		struct buf m = {0};
		if (a->prompt == PROMPT_URL)
			prompt_url_menu(a, &m);
		else
			buf_puts(&m, "quit lede? (y/n)");
		/* action titles come from the data: put through the text layer */
		screen_put(r.y, 0, r.w, buf_str(&m), m.len, ST_NORMAL, NULL, 0);
		screen_cursor(0, 0, false);
		buf_free(&m);
		return;
	}
	if (a->prompt != PROMPT_NONE) {
		const char *lead = a->prompt == PROMPT_SEARCH   ? "/"
				   : a->prompt == PROMPT_FIND   ? "find in story: "
				   : a->prompt == PROMPT_FILTER ? "filter: "
								: ":";
		struct buf b = {0};
		buf_puts(&b, lead);
		buf_add(&b, a->input.data ? a->input.data : "", a->input.len);
		int w = text_width(b.data, b.len);
		/* keep the end of a long input in view */
		size_t off = 0;
		while (w >= r.w && off < b.len) {
			unsigned cp;
			int l = utf8_decode(b.data + off, b.len - off, &cp);
			off += l > 0 ? (size_t)l : 1;
			w = text_width(b.data + off, b.len - off);
		}
		screen_put(r.y, 0, r.w, b.data + off, b.len - off, ST_NORMAL, NULL, 0);
		screen_cursor(r.y, w < r.w ? w : r.w - 1, true);
		buf_free(&b);
		return;
	}
	screen_cursor(0, 0, false);
	const char *m = a->message ? a->message : "";
	screen_put(r.y, 0, r.w, m, strlen(m), a->message_error ? ST_ERROR : ST_NORMAL, NULL, 0);
}

void draw_layout_in(const struct app *a, struct layout_in *in)
{
	int cols, rows;
	screen_size(&cols, &rows);
	*in = (struct layout_in){.cols = cols,
				 .rows = rows,
				 .vertical = a->vertical,
				 .bottom_open = a->story_open && !a->overlay_open,
				 .zoom = a->zoom,
				 .focus = a->focus,
				 .list_height = a->cfg->list_height,
				 .list_percent = a->cfg->list_height_percent,
				 .facets_open = a->facets_open && !a->overlay_open,
				 .facets_focus = a->facets_focus};
}

/* The layout, the list given the rows a short story leaves free: the
 * story's lines are made at its pane's width (which its height does not
 * change) and counted. */
static void lay_out(struct app *a)
{
	struct layout_in in;
	draw_layout_in(a, &in);
	layout_compute(&in, &a->lay);
	struct pane *p = &a->story;
	if (in.vertical || !in.bottom_open || in.zoom || a->lay.too_small || a->lay.story.h <= 0)
		return;
	if (p->ops->prepare)
		p->ops->prepare(a, p, a->lay.story.w);
	size_t n = p->ops->count(a, p), nl = a->list.ops->count(a, &a->list);
	if (n + 1 >= (size_t)a->lay.story.h || nl + 1 <= (size_t)a->lay.list.h)
		return;
	in.story_rows = (int)n + 1; /* its title, then its lines */
	in.list_rows = nl + 1 < (size_t)in.rows ? (int)nl + 1 : in.rows;
	layout_compute(&in, &a->lay);
}

void draw_screen(struct app *a)
{
	int cols, rows;
	screen_size(&cols, &rows);
	lay_out(a);
	erase();
	if (a->lay.too_small) {
		const char *m = "terminal too small";
		for (int y = 0; y < rows && y < 1; y++)
			screen_put(y, 0, cols, m, strlen(m), ST_NORMAL, NULL, 0);
		refresh();
		return;
	}
	if (a->overlay_open) {
		a->overlay.r = (struct rect){0, 0, cols, rows - 2}; /* all but status and prompt */
		draw_pane(a, &a->overlay, true);
	} else {
		a->list.r = a->lay.list;
		a->story.r = a->lay.story;
		a->facets.r = a->lay.facets;
		struct pane *focused = pane_focused(a);
		draw_pane(a, &a->list, focused == &a->list);
		if (a->story_open)
			draw_pane(a, &a->story, focused == &a->story);
		if (a->facets_open)
			draw_pane(a, &a->facets, focused == &a->facets);
		draw_separator(a->lay.sep);
		draw_separator(a->lay.facets_sep);
	}
	app_say_late_problems(a); /* the panes drew the articles they show */
	draw_status(a);
	draw_prompt(a);
	refresh();
}
