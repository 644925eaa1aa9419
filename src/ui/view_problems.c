/* The problems view: what loading met (and the marks' and the config's
 * problems), each message whole, wrapped to the pane, its lines after the
 * first indented; the cursor rests on a problem's first line, and Enter
 * opens the file the problem names in $PAGER at its line. The wrapped lines
 * are the view's state, rebuilt when the width or the problems change. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lede/ui/app.h"
#include "lede/ui/pane.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

enum { INDENT = 2 };

struct problem_line {
	size_t problem;    /* index in the store's problems */
	size_t start, end; /* bytes of its text */
};

struct problem_lines {
	struct problem_line *v;
	size_t n, cap;
	int width;       /* -1: stale */
	size_t problems; /* how many there were when built */
};

static struct problem_lines *lines_of(struct pane *p)
{
	return p->state;
}

static void open_view(struct app *a, struct pane *p)
{
	(void)a;
	struct problem_lines *l = xcalloc(1, sizeof *l);
	l->width = -1;
	p->state = l;
}

static void close_view(struct app *a, struct pane *p)
{
	(void)a;
	free(lines_of(p)->v);
	free(p->state);
}

static void invalidate(struct app *a, struct pane *p)
{
	(void)a;
	lines_of(p)->width = -1;
}

static void prepare(struct app *a, struct pane *p, int width)
{
	struct problem_lines *l = lines_of(p);
	const struct strlist *pr = &a->store->problems;
	if (l->width == width && l->problems == pr->n)
		return;
	l->n = 0;
	l->width = width;
	l->problems = pr->n;
	int w = width - INDENT > 8 ? width - INDENT : 8;
	for (size_t i = 0; i < pr->n; i++) {
		struct span *sp;
		size_t n = text_wrap(pr->v[i], strlen(pr->v[i]), w, &sp);
		for (size_t k = 0; k < n; k++) {
			l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
			l->v[l->n++] = (struct problem_line){i, sp[k].start, sp[k].end};
		}
		free(sp);
	}
}

static size_t count(struct app *a, struct pane *p)
{
	(void)a;
	return lines_of(p)->n ? lines_of(p)->n : 1;
}

/* A problem's first line: where the cursor rests. */
static bool selectable(struct app *a, struct pane *p, size_t line)
{
	(void)a;
	const struct problem_lines *l = lines_of(p);
	return line < l->n && (line == 0 || l->v[line - 1].problem != l->v[line].problem);
}

/* The position among the problems, not their wrapped lines. */
static void position(struct app *a, struct pane *p, size_t *at, size_t *of)
{
	const struct problem_lines *l = lines_of(p);
	*of = a->store->problems.n;
	*at = l->n && p->sel < l->n ? l->v[p->sel].problem + 1 : 0;
}

static void title(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	buf_printf(out, "Problems (%zu) met while loading %zu files (Enter: the file; q closes)",
		   a->store->problems.n, a->store->nfiles);
}

static void draw_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	const struct problem_lines *l = lines_of(p);
	if (!l->n) {
		screen_put(y, p->r.x, p->r.w, "No problems.", 12, ST_NORMAL, NULL, 0);
		return;
	}
	const struct problem_line *pl = &l->v[line];
	const char *t = a->store->problems.v[pl->problem];
	bool first = selectable(a, p, line);
	bool focus = pane_focused(a) == p;
	enum style st = selected ? (focus ? ST_SELECTED : ST_CURSOR) : ST_NORMAL;
	int ind = first || p->r.w <= INDENT ? 0 : INDENT;
	screen_fill(y, p->r.x, ind, ST_NORMAL);
	screen_put(y, p->r.x + ind, p->r.w - ind, t + pl->start, pl->end - pl->start, st, NULL, 0);
}

/* The file a problem names and its line (0: none): the longest prefix
 * before a ':' that is a regular file ("FILE:LINE:COL: message", "FILE:
 * message", "config: FILE:LINE: message"). NULL when none is; the caller
 * frees. */
static char *problem_file(const char *text, long *line)
{
	char *found = NULL;
	*line = 0;
	for (const char *c = strchr(text, ':'); c; c = strchr(c + 1, ':')) {
		const char *from = text;
		/* a prefix such as "config: " or "marks: " before the path */
		for (const char *s = text; s < c; s++)
			if (s[0] == ':' && s[1] == ' ')
				from = s + 2;
		char *path = xstrndup(from, (size_t)(c - from));
		struct stat sb;
		if (*path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			free(found);
			found = path;
			char *end;
			long n = strtol(c + 1, &end, 10);
			*line = end > c + 1 && *end == ':' && n > 0 ? n : 0;
		} else {
			free(path);
		}
	}
	return found;
}

static bool action(struct app *a, struct pane *p, enum action act)
{
	const struct problem_lines *l = lines_of(p);
	if (act != ACT_OPEN)
		return false;
	if (!l->n || p->sel >= l->n)
		return true;
	long line;
	char *path = problem_file(a->store->problems.v[l->v[p->sel].problem], &line);
	if (!path) {
		app_message(a, true, "this problem names no file that can be opened");
		return true;
	}
	triage_page_file(a, path, line);
	free(path);
	return true;
}

const struct view_ops view_problems_ops = {
	.id = VIEW_PROBLEMS,
	.name = "problems",
	.open = open_view,
	.close = close_view,
	.invalidate = invalidate,
	.prepare = prepare,
	.count = count,
	.title = title,
	.draw_line = draw_line,
	.selectable = selectable,
	.position = position,
	.action = action,
};
