/* The list view: one story a line in columns that fit the width. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "lede/cluster.h"
#include "lede/fields.h"
#include "lede/ui/app.h"
#include "lede/ui/pane.h"
#include "lede/ui/text.h"

struct columns {
	int date, quality, heat, provider, title;
	bool with_time;
	const char *date_format; /* NULL: the date, with_time the time too */
};

/* The columns fmt takes at most: formatted at a date of every month, the
 * day, hour and minute of two digits and every weekday met (month and
 * day names differ in length). Kept for the last format asked. */
static int date_width(const char *fmt)
{
	static char cached[128];
	static int width;
	if (width && !strcmp(cached, fmt))
		return width;
	int most = 1;
	for (int m = 0; m < 12; m++) {
		struct tm tm = {.tm_year = 121, .tm_mon = m, .tm_mday = 28, .tm_hour = 23,
				.tm_min = 59, .tm_sec = 59, .tm_wday = m % 7, .tm_yday = 300};
		char buf[256];
		size_t n = strftime(buf, sizeof buf, fmt, &tm);
		int w = n ? text_width(buf, n) : 1;
		most = w > most ? w : most;
	}
	snprintf(cached, sizeof cached, "%s", fmt);
	width = most;
	return width;
}

/* Sized to the width: on a wide list the provider column grows to the
 * widest name drawn, the title keeping 50 columns; the date column to its
 * format when one is set. */
static struct columns columns_for(const struct app *a, int w)
{
	struct columns c = {0};
	if (w >= 90) {
		c = (struct columns){16, 4, 4, 18, 0, true, NULL};
	} else if (w >= 60) {
		c = (struct columns){10, 4, 4, 14, 0, false, NULL};
	} else if (w >= 40) {
		c = (struct columns){10, 0, 0, 10, 0, false, NULL};
	} else {
		c = (struct columns){0, 0, 0, 0, 0, false, NULL};
	}
	const char *fmt = app_list_date_format(a);
	if (fmt && c.date) {
		c.date_format = fmt;
		c.date = date_width(fmt);
		if (c.date > w / 3)
			c.date = w / 3 > 1 ? w / 3 : 1;
	}
	int used = 3; /* the marks */
	for (const int *p = &c.date; p <= &c.provider; p++)
		used += *p ? *p + 1 : 0;
	if (w >= 90 && a->list_provider_w > c.provider) {
		int room = w - used - 50; /* what the title can spare */
		int more = a->list_provider_w - c.provider;
		more = more < room ? more : room > 0 ? room : 0;
		c.provider += more;
		used += more;
	}
	c.title = w - used > 0 ? w - used : 0;
	return c;
}

/* The widest provider name of the rows the pane shows, into the app's
 * high-water mark, before the columns are laid out for them. */
static void measure_providers(struct app *a, struct pane *p)
{
	if (p->r.w < 90)
		return;
	for (size_t line = p->top; line < a->nrows && line < p->top + (size_t)p->r.h; line++) {
		const char *pv = store_provider_name(a->store, a->rows[line]);
		int w = pv ? text_width(pv, strlen(pv)) : 0;
		if (w > a->list_provider_w)
			a->list_provider_w = w;
	}
}

static size_t count(struct app *a, struct pane *p)
{
	(void)p;
	return a->nlines;
}

/* While a filter's matches are being found, the rows are the first of
 * them: a move finds those it reaches. */
static void need(struct app *a, struct pane *p, size_t line)
{
	(void)p;
	app_rows_place(a);
	app_rows_need(a, line);
}

static bool counting(struct app *a, struct pane *p)
{
	(void)p;
	return !app_lines_complete(a);
}

static bool placing(struct app *a, struct pane *p)
{
	(void)p;
	return a->keep_pending >= 0;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	measure_providers(a, p);
	struct columns c = columns_for(a, p->r.w);
	buf_puts(out, "   ");
	enum text_glyph mark = a->order.desc ? TEXT_GLYPH_SORT_DESC : TEXT_GLYPH_SORT_ASC;
	/* the shown fields (fields.h), in this view's order */
	const enum field_id cols[] = {FIELD_DATE, FIELD_QUALITY, FIELD_HEAT, FIELD_PROVIDER,
				      FIELD_TITLE};
	const int widths[] = {c.date, c.quality, c.heat, c.provider, c.title};
	for (int i = 0; i < 5; i++) {
		if (!widths[i])
			continue;
		const struct field *f = &fields_table[cols[i]];
		bool sorted = query_sort_field(a->order.key) == f;
		int len = (int)strlen(f->label) + (sorted ? text_glyph_width(mark) : 0);
		buf_puts(out, f->label);
		if (sorted)
			buf_puts(out, text_glyph(mark));
		if (i < 4)
			for (int k = len; k < widths[i] + 1; k++)
				buf_putc(out, ' ');
	}
}

/* t in fmt, local time; "?" when it cannot be. */
static void format_date(int64_t t, const char *fmt, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(buf, size, fmt, &tm))
		snprintf(buf, size, "?");
}

static int put_spans(struct app *a, const char *s, struct span **sp)
{
	*sp = NULL;
	if (!a->search || !s)
		return 0;
	return (int)search_spans(a->search, s, strlen(s), sp);
}

/* A right-aligned score column (none when width is 0), "-" when missing. */
static void put_score(int y, int *x, int width, bool has, int value, enum style st)
{
	if (!width)
		return;
	char buf[32];
	if (has)
		snprintf(buf, sizeof buf, "%*d ", width, value);
	else
		snprintf(buf, sizeof buf, "%*s ", width, "-");
	screen_put(y, *x, width + 1, buf, strlen(buf), st, NULL, 0);
	*x += width + 1;
}

/* What a record is, when it is not a news story: "video ", "course ",
 * before its title (none for an article, which most are); the columns it
 * took. */
static int put_type(int y, int x, int w, const char *type, enum style st)
{
	if (!type || !*type || !strcmp(type, "article") || w < 20)
		return 0;
	struct buf b = {0};
	buf_printf(&b, "%s ", type);
	int used = screen_put(y, x, w / 3, b.data, b.len, st, NULL, 0);
	buf_free(&b);
	return used;
}

/* Where the line stands in its cluster: a folded cluster's "+4" (its
 * other outlets) after a fold mark, an expanded one's open mark, a
 * member's indent; the columns it took. */
static int put_tree(struct app *a, size_t line, int y, int x, int w, enum style st)
{
	enum group_kind k = app_line_kind(a, line);
	if (k == GROUP_ALONE || w < 8)
		return 0;
	struct buf b = {0};
	size_t i = a->lines[line];
	if (k == GROUP_MEMBER)
		buf_puts(&b, "  ");
	else if (group_expanded(a->group, i))
		buf_puts(&b, "- ");
	else
		buf_printf(&b, "+%zu ", cluster_size(a->store, i) - 1);
	int used = screen_put(y, x, w / 3, b.data, b.len, st, NULL, 0);
	buf_free(&b);
	return used;
}

/* The title, else the name, else the file's name, dimmed: every record
 * has something to be known by. */
static void put_title(struct app *a, const struct article *ar, int y, int x, int w, enum style st)
{
	const char *t = article_title(ar);
	if (!t) {
		const char *slash = strrchr(ar->path, '/');
		t = slash && slash[1] ? slash + 1 : ar->path;
		screen_put(y, x, w, t, strlen(t), st == ST_NORMAL ? ST_DIM : st, NULL, 0);
		return;
	}
	struct span *sp;
	int n = put_spans(a, t, &sp);
	screen_put(y, x, w, t, strlen(t), st, sp, (size_t)n);
	free(sp);
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	selected = selected && a->keep_pending < 0; /* its row is not known yet */
	const struct article *ar = store_row(a->store, a->lines[line]);
	bool focus = pane_focused(a) == p;
	/* a folded cluster's marks are its members' */
	unsigned m = app_line_marks(a, line);
	/* unread rows bold as well as marked N, as mutt and newsboat draw them */
	bool unread = !(m & MARK_READ);
	enum style st = selected ? (focus ? ST_SELECTED : ST_CURSOR) : unread ? ST_UNREAD : ST_NORMAL;
	struct columns c = columns_for(a, p->r.w);
	int x = p->r.x;
	char buf[256];
	/* N for unread, * for starred, as mutt and newsboat show them */
	snprintf(buf, sizeof buf, "%c%c ", m & MARK_READ ? ' ' : 'N', m & MARK_STARRED ? '*' : ' ');
	screen_put(y, x, 3, buf, 3, st, NULL, 0);
	x += 3;
	if (c.date) {
		if ((ar->has & HAS_DATE) && c.date_format)
			format_date(ar->date, c.date_format, buf, sizeof buf);
		else if (ar->has & HAS_DATE)
			app_format_time(ar->date, buf, sizeof buf, c.with_time);
		else
			snprintf(buf, sizeof buf, "\u2013"); /* an en dash: undated */
		screen_put(y, x, c.date + 1, buf, strlen(buf), st, NULL, 0);
		x += c.date + 1;
	}
	put_score(y, &x, c.quality, article_score_known(ar->has, HAS_QUALITY, ar->quality),
		  ar->quality, st);
	put_score(y, &x, c.heat, article_score_known(ar->has, HAS_HEAT, ar->heat), ar->heat, st);
	struct span *sp;
	int n;
	if (c.provider) {
		const char *pv = ar->provider.name ? ar->provider.name : "";
		n = put_spans(a, pv, &sp);
		screen_put(y, x, c.provider, pv, strlen(pv), st, sp, (size_t)n);
		screen_put(y, x + c.provider, 1, " ", 1, st, NULL, 0);
		free(sp);
		x += c.provider + 1;
	}
	x += put_tree(a, line, y, x, p->r.x + p->r.w - x, st);
	x += put_type(y, x, p->r.x + p->r.w - x, ar->type, selected ? st : ST_DIM);
	put_title(a, ar, y, x, p->r.x + p->r.w - x, st);
}

/* Enter opens the selected story in the story pane (the app opens it:
 * the pane's view is not the list's to set). */
static bool action(struct app *a, struct pane *p, enum action act)
{
	if (act != ACT_OPEN)
		return false;
	app_rows_place(a);
	if (!a->nlines)
		return false;
	long idx = (long)a->lines[p->sel];
	if (app_line_folded(a, p->sel)) { /* a story of several: its outlets */
		app_show_story(a, (struct story){.article = idx, .related = -1,
						 .view = &view_cluster_ops});
		return true;
	}
	app_mark(a, idx, MARK_READ, true);
	app_show_story(a, (struct story){.article = idx, .related = -1});
	return true;
}

/* Out of how many, when filters hide some; grouped, the lines are
 * stories, and the files they hold are said beside when they differ. */
static void status(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	size_t listed = app_stories(a);
	if (a->group && (a->nlines != a->nrows || !app_lines_complete(a))) {
		buf_puts(out, " (");
		if (a->walk.complete)
			buf_printf(out, "%zu", a->nrows);
		else
			buf_puts(out, text_glyph(TEXT_GLYPH_ELLIPSIS));
		if (a->nrows != listed || !a->walk.complete)
			buf_printf(out, " of %zu", listed);
		buf_puts(out, " files)");
	} else if (a->nrows != listed) {
		buf_printf(out, " of %zu", listed);
	}
}

const struct view_ops view_list_ops = {
	.id = VIEW_LIST,
	.name = "list",
	.count = count,
	.need = need,
	.counting = counting,
	.placing = placing,
	.title = title,
	.draw_line = draw_line,
	.action = action,
	.status = status,
};
