/* find: / in the story pane, over the text of the view it shows. Lines
 * are the view's own (a wrapped line each, a label and its text one line);
 * a match is counted by the lines that hold one, so that "match 2 of 7"
 * is the line n goes to among the lines it can go to. */
#include "lede/ui/find.h"

#include <stdlib.h>
#include <string.h>

#include "lede/ui/pane.h"

bool find_applies(struct app *a)
{
	return !a->overlay_open && !(a->facets_open && a->facets_focus) && a->focus &&
	       a->story_open && a->story.ops && a->story.ops->line_text;
}

static void drop(struct app *a)
{
	search_free(a->find.re);
	a->find.re = NULL;
}

struct search *find_active(struct app *a)
{
	const struct app_find *f = &a->find;
	if (f->re && (!a->story_open || a->story.ops != f->view || a->cur.article != f->article ||
		      a->cur.related != f->related))
		drop(a);
	return a->find.re;
}

static bool line_matches(struct app *a, struct pane *p, size_t line)
{
	const char *t = p->ops->line_text(a, p, line);
	return t && search_match(a->find.re, t, strlen(t));
}

/* The first matching line from `from` on in direction dir (round the end
 * when none is that way: *wrapped says so), or -1 when none matches. */
static long next_match(struct app *a, struct pane *p, size_t from, int dir, bool *wrapped)
{
	size_t n = p->ops->count(a, p);
	*wrapped = false;
	if (!n)
		return -1;
	if (from >= n)
		from = dir > 0 ? n : n - 1; /* nothing that way: round at once */
	for (size_t k = 0; k < n; k++) {
		size_t at;
		if (dir > 0) {
			at = from + k;
			if (at >= n)
				at -= n, *wrapped = true;
		} else {
			*wrapped = k > from;
			at = k <= from ? from - k : n - (k - from);
		}
		if (line_matches(a, p, at))
			return (long)at;
	}
	*wrapped = false;
	return -1;
}

/* Go to line: the pane scrolled to show it first, and said. */
static void go_to(struct app *a, struct pane *p, size_t line, bool wrapped)
{
	size_t n = p->ops->count(a, p), place = 0, of = 0;
	for (size_t i = 0; i < n; i++) {
		if (line_matches(a, p, i)) {
			of++;
			place += i <= line;
		}
	}
	a->find.line = line;
	p->top = line; /* the draw keeps the pane full at the end */
	app_message(a, false, "match %zu of %zu in the story%s", place, of,
		    wrapped ? ", wrapped" : "");
}

void find_start(struct app *a, const char *pattern)
{
	struct pane *p = &a->story;
	if (!*pattern || !find_applies(a))
		return;
	char *err;
	struct search *re = search_compile(pattern, &err);
	if (!re) {
		app_message(a, true, "%s", err);
		free(err);
		return;
	}
	drop(a);
	a->find = (struct app_find){re, a->cur.article, a->cur.related, p->ops, 0};
	if (p->ops->prepare)
		p->ops->prepare(a, p, p->r.w);
	bool wrapped;
	long at = next_match(a, p, p->top, 1, &wrapped);
	if (at < 0) {
		drop(a);
		app_message(a, true, "no match for %s in the story", pattern);
		return;
	}
	go_to(a, p, (size_t)at, wrapped);
}

void find_step(struct app *a, int dir)
{
	struct pane *p = &a->story;
	if (!find_active(a))
		return;
	if (p->ops->prepare)
		p->ops->prepare(a, p, p->r.w);
	/* on from the match last gone to while it shows, else from the top
	 * line of what shows (the pane was scrolled since) */
	size_t h = (size_t)pane_page_lines(p), from = p->top;
	bool shown = a->find.line >= p->top && a->find.line < p->top + h;
	if (shown)
		from = a->find.line;
	bool wrapped;
	long at;
	/* a match on the top line is where the reader is: n goes past it */
	if (dir > 0)
		at = next_match(a, p, from + 1, 1, &wrapped);
	else if (from > 0)
		at = next_match(a, p, from - 1, -1, &wrapped);
	else /* from the first line back: round to the end at once */
		at = next_match(a, p, p->ops->count(a, p) - 1, -1, &wrapped), wrapped = true;
	if (at < 0) {
		app_message(a, true, "no match for %s in the story", search_pattern(a->find.re));
		return;
	}
	go_to(a, p, (size_t)at, wrapped);
}

size_t find_spans(struct app *a, const char *text, size_t len, struct span **out)
{
	struct search *re = find_active(a);
	if (!re)
		re = a->search;
	*out = NULL;
	return re ? search_spans(re, text, len, out) : 0;
}

void find_free(struct app *a)
{
	drop(a);
}
