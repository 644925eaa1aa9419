/* The help view (every action with the keys the live keymap gives it) and
 * the problems view (what loading met). Both are made fresh when drawn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/ui/app.h"

static size_t help_count(struct app *a, struct pane *p)
{
	(void)a, (void)p;
	return ACT_COUNT - 1;
}

static void help_title(struct app *a, struct pane *p, struct buf *out)
{
	(void)a, (void)p;
	buf_puts(out, "Help: keys and actions (q closes)");
}

static void help_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	(void)selected;
	enum action act = (enum action)(line + 1);
	struct buf keys = {0};
	for (size_t i = 0; i < a->keymap->n; i++) {
		const struct binding *b = &a->keymap->v[i];
		if (b->action != act)
			continue;
		char name[32];
		keymap_key_name(b->key, name, sizeof name);
		if (keys.len)
			buf_puts(&keys, " ");
		buf_puts(&keys, name);
		if (b->view != VIEW_ALL)
			buf_printf(&keys, "(%s)", keymap_view_name(b->view));
	}
	char *text = xasprintf("%-18s %-14s %s", keys.len ? keys.data : "-", action_table[act].name,
			       action_table[act].help);
	screen_put(y, p->r.x, p->r.w, text, strlen(text), ST_NORMAL, NULL, 0);
	free(text);
	buf_free(&keys);
}

const struct view_ops view_help_ops = {
	.id = VIEW_HELP,
	.name = "help",
	.count = help_count,
	.title = help_title,
	.draw_line = help_line,
	.scroll = true,
};

static size_t problems_count(struct app *a, struct pane *p)
{
	(void)p;
	return a->store->problems.n ? a->store->problems.n : 1;
}

static void problems_title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	buf_printf(out, "Problems (%zu) met while loading %zu files (q closes)", a->store->problems.n,
		   a->store->nfiles);
}

static void problems_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	(void)selected;
	const char *t = a->store->problems.n ? a->store->problems.v[line] : "No problems.";
	screen_put(y, p->r.x, p->r.w, t, strlen(t), ST_NORMAL, NULL, 0);
}

const struct view_ops view_problems_ops = {
	.id = VIEW_PROBLEMS,
	.name = "problems",
	.count = problems_count,
	.title = problems_title,
	.draw_line = problems_line,
	.scroll = true,
};
