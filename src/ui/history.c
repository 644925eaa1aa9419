/* history: the back and forward stacks of stories visited, each with the
 * view the story pane showed; app_show_story shows one taken from them. */
#include "lede/ui/history.h"

#include "lede/util.h"

static void push(struct story **v, size_t *n, size_t *cap, struct story s)
{
	*v = xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

/* The current story as history keeps it: with the view the story pane
 * shows and that view's cursor (a view that scrolls has none). */
static struct story here(const struct app *a)
{
	struct story s = a->cur;
	s.view = a->story.ops;
	s.sel = a->story.ops && !a->story.ops->scroll ? a->story.sel : 0;
	return s;
}

void history_jump(struct app *a, struct story s)
{
	push(&a->back, &a->nback, &a->capback, here(a));
	a->nfwd = 0;
	app_show_story(a, s);
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
	app_show_story(a, s); /* focused, as a jump: the list must not take the story back */
}
