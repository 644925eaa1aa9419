/* pane: opening and closing a pane's view, moving its cursor and scroll
 * position, keeping the cursor in view, and the focus. Nothing here knows
 * which view a pane shows: what differs goes through the view's hooks. */
#include "lede/ui/pane.h"

void pane_open(struct app *a, struct pane *p, const struct view_ops *ops)
{
	pane_close(a, p);
	p->ops = ops;
	p->sel = p->top = 0;
	if (ops->open)
		ops->open(a, p);
}

void pane_close(struct app *a, struct pane *p)
{
	if (p->ops && p->ops->close)
		p->ops->close(a, p);
	p->ops = NULL;
	p->state = NULL; /* the close hook freed it */
}

void pane_invalidate(struct app *a, struct pane *p)
{
	if (p->ops && p->ops->invalidate)
		p->ops->invalidate(a, p);
}

struct pane *pane_focused(struct app *a)
{
	if (a->overlay_open)
		return &a->overlay;
	if (a->facets_open && a->facets_focus)
		return &a->facets;
	return a->focus && a->story_open ? &a->story : &a->list;
}

size_t pane_pinned(const struct pane *p)
{
	long rows = p->r.h - 1, pin = p->ops ? (long)p->ops->pinned : 0;
	if (pin >= rows)
		pin = rows > 1 ? rows - 1 : 0;
	return (size_t)pin;
}

int pane_page_lines(const struct pane *p)
{
	int h = p->r.h - 1 - (int)pane_pinned(p);
	return h > 1 ? h : 1;
}

size_t pane_line_at(const struct pane *p, int row)
{
	size_t pin = pane_pinned(p);
	return (size_t)row < pin ? (size_t)row : p->top + (size_t)row - pin;
}

bool pane_selectable(struct app *a, struct pane *p, size_t line)
{
	return !p->ops->selectable || p->ops->selectable(a, p, line);
}

/* Lines up to line wanted: the view finds them if it finds lines lazily. */
static void need(struct app *a, struct pane *p, size_t line)
{
	if (p->ops->need)
		p->ops->need(a, p, line);
}

void pane_move(struct app *a, struct pane *p, long delta)
{
	need(a, p, 0); /* the view may place its selection first: a move starts there */
	if (delta > 0)
		need(a, p, (p->ops->scroll ? p->top : p->sel) + (size_t)delta);
	size_t n = p->ops->count(a, p);
	if (p->ops->scroll) {
		long max = (long)n - pane_page_lines(p);
		long top = (long)p->top + delta;
		if (top > max)
			top = max;
		if (top < 0)
			top = 0;
		p->top = (size_t)top;
		return;
	}
	if (!n)
		return;
	long s = (long)p->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)n)
		s = (long)n - 1;
	long step = delta < 0 ? -1 : 1;
	long t = s;
	while (t >= 0 && t < (long)n && !pane_selectable(a, p, (size_t)t))
		t += step;
	if (t < 0 || t >= (long)n) /* none that way: try the other */
		for (t = s; t >= 0 && t < (long)n && !pane_selectable(a, p, (size_t)t); t -= step)
			;
	if (t >= 0 && t < (long)n)
		p->sel = (size_t)t;
}

void pane_wheel(struct app *a, struct pane *p, long delta)
{
	if (p->ops->scroll) {
		pane_move(a, p, delta);
		return;
	}
	long h = pane_page_lines(p), pin = (long)pane_pinned(p);
	need(a, p, delta > 0 ? p->top + (size_t)delta + (size_t)h : 0);
	long top = (long)p->top + delta, n = (long)p->ops->count(a, p);
	long max = n - h > pin ? n - h : pin;
	p->top = (size_t)(top < pin ? pin : top > max ? max : top);
	if (p->sel < p->top)
		pane_move(a, p, (long)(p->top - p->sel));
	else if (p->sel >= p->top + (size_t)h)
		pane_move(a, p, (long)(p->top + (size_t)h) - 1 - (long)p->sel);
}

void pane_keep_visible(struct app *a, struct pane *p)
{
	size_t h = (size_t)pane_page_lines(p), n = p->ops->count(a, p);
	if (p->ops->scroll) {
		if (n <= h)
			p->top = 0;
		else if (p->top > n - h)
			p->top = n - h;
		return;
	}
	if (p->sel >= n)
		p->sel = n ? n - 1 : 0;
	/* the pinned lines show whatever the scroll: the rest scroll below */
	size_t pin = pane_pinned(p);
	if (p->top < pin)
		p->top = pin;
	if (p->sel < pin)
		; /* on a pinned line: in view */
	else if (p->sel < p->top)
		/* a heading right above comes with its first line */
		p->top = p->sel - (p->sel > pin && h > 1 && !pane_selectable(a, p, p->sel - 1));
	else if (p->sel >= p->top + h)
		p->top = p->sel - h + 1;
	if (n > pin + h && p->top > n - h)
		p->top = n - h;
	if (n <= pin + h)
		p->top = pin;
}

void pane_open_overlay(struct app *a, const struct view_ops *ops)
{
	pane_open(a, &a->overlay, ops);
	a->overlay_open = true;
}
