/* history: the back and forward stacks of stories visited, and showing a
 * story taken from them in the story pane. */
#include "lede/ui/history.h"

#include "lede/util.h"

static void push(struct story **v, size_t *n, size_t *cap, struct story s)
{
	*v = xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

static void show_story(struct app *a, struct story s)
{
	a->cur = s;
	a->story.top = 0;
	a->story.sel = s.sel;
	app_select_article(a, s.article);
	a->story.ops = s.in_related ? &view_related_ops : &view_story_ops;
	a->story_open = true;
}

/* The current story as history keeps it: with the view and cursor. */
static struct story here(const struct app *a)
{
	struct story s = a->cur;
	s.in_related = a->story_open && a->story.ops == &view_related_ops;
	s.sel = s.in_related ? a->story.sel : 0;
	return s;
}

void history_jump(struct app *a, struct story s)
{
	push(&a->back, &a->nback, &a->capback, here(a));
	a->nfwd = 0;
	show_story(a, s);
	a->focus = 1;
	if (s.related < 0)
		app_mark(a, s.article, MARK_READ, true);
}

void history_step(struct app *a, bool forward)
{
	struct story *from = forward ? a->fwd : a->back;
	size_t *n = forward ? &a->nfwd : &a->nback;
	if (!*n) {
		app_message(a, false, forward ? "nothing forward in history" : "nothing back in history");
		return;
	}
	struct story s = from[--*n];
	if (forward)
		push(&a->back, &a->nback, &a->capback, here(a));
	else
		push(&a->fwd, &a->nfwd, &a->capfwd, here(a));
	show_story(a, s);
	a->focus = 1; /* as a jump does: the list must not take the story back */
}
