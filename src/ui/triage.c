/* triage: next and previous story, next and previous unread story,
 * mark-all-read and its confirmation, open-file and edit-file, copy-url,
 * quit-all and suspend; counts and ":42"; marking read what the story pane
 * has shown for a moment. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include "lede/ui/triage.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/clip.h"
#include "lede/cluster.h"
#include "lede/spawn.h"
#include "lede/ui/pane.h"

/* Counts ------------------------------------------------------------------- */

bool triage_count_feed(unsigned long *count, int key)
{
	key &= ~KEYMAP_META; /* Alt-5, as Emacs counts */
	if (key < '0' || key > '9' || (key == '0' && !*count))
		return false;
	unsigned long d = (unsigned long)(key - '0');
	*count = *count > (TRIAGE_COUNT_MAX - d) / 10 ? TRIAGE_COUNT_MAX : *count * 10 + d;
	return true;
}

bool triage_counted(enum action act)
{
	switch (act) {
	case ACT_NEXT:
	case ACT_PREV:
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
	case ACT_NEXT_STORY:
	case ACT_PREV_STORY:
	case ACT_NEXT_UNREAD:
	case ACT_PREV_UNREAD:
	case ACT_FIRST:
	case ACT_LAST:
	case ACT_GROW_LIST:
	case ACT_SHRINK_LIST:
		return true;
	default:
		return false;
	}
}

/* The list ----------------------------------------------------------------- */

/* The list's selected article, its row placed first; -1 when none. */
static long list_article(struct app *a)
{
	app_rows_place(a);
	return a->nlines && a->list.sel < a->nlines ? (long)a->lines[a->list.sel] : -1;
}

/* Is the story pane the focus (the story view or the related view)? */
static bool in_story_pane(const struct app *a)
{
	return !a->overlay_open && a->focus && a->story_open;
}

/* Open article idx as Enter does: read, shown in the story pane, focused. */
static void open_article(struct app *a, long idx)
{
	app_mark(a, idx, MARK_READ, true);
	app_show_story(a, (struct story){.article = idx, .related = -1});
}

/* Open line as Enter does: a folded cluster's outlets, focused (its
 * members unread, each opened from there), else its article. */
static void open_line(struct app *a, size_t line)
{
	long idx = (long)a->lines[line];
	if (app_line_folded(a, line))
		app_show_story(a, (struct story){.article = idx, .related = -1,
						 .view = &view_cluster_ops});
	else
		open_article(a, idx);
}

/* n rows on (dir 1) or back (-1): from the story pane, that story opened;
 * from the list, the cursor moves and the story pane follows. */
static void step_story(struct app *a, int dir, unsigned long n)
{
	if (list_article(a) < 0) {
		app_message(a, true, "no story listed");
		return;
	}
	if (dir > 0)
		app_rows_need(a, a->list.sel + n);
	size_t sel = a->list.sel, to;
	if (dir > 0)
		to = n >= a->nlines - 1 - sel ? a->nlines - 1 : sel + n;
	else
		to = n >= sel ? 0 : sel - n;
	if (to == sel) {
		app_message(a, true, dir > 0 ? "this is the last story" : "this is the first story");
		return;
	}
	a->list.sel = to;
	if (in_story_pane(a))
		open_line(a, to);
}

/* The n-th unread row from the selection on in direction dir, going round
 * the ends; -1 when there is none but the selection itself. */
static long find_unread(struct app *a, int dir, unsigned long n, bool *wrapped)
{
	app_rows_need(a, SIZE_MAX); /* going round needs them all */
	size_t rows = a->nlines, sel = a->list.sel;
	long found = -1;
	*wrapped = false;
	for (size_t k = 1; k < rows && n; k++) {
		size_t r = dir > 0 ? (sel + k) % rows : (sel + rows - k) % rows;
		if (app_line_marks(a, r) & MARK_READ)
			continue;
		if (dir > 0 ? r < sel : r > sel)
			*wrapped = true;
		found = (long)r;
		n--;
	}
	return found;
}

static void step_unread(struct app *a, int dir, unsigned long n)
{
	long cur = list_article(a);
	if (cur < 0) {
		app_message(a, true, "no story listed");
		return;
	}
	bool wrapped;
	long r = find_unread(a, dir, n, &wrapped);
	if (r < 0) {
		bool self = !(app_line_marks(a, a->list.sel) & MARK_READ);
		app_message(a, false, self ? "no other unread story" : "no unread story left");
		return;
	}
	a->list.sel = (size_t)r;
	open_line(a, (size_t)r);
	if (wrapped)
		app_message(a, false, dir > 0 ? "wrapped to the top" : "wrapped to the bottom");
}

bool triage_page_down_at_end(struct app *a)
{
	struct pane *p = &a->story;
	if (!in_story_pane(a) || p->ops != &view_story_ops)
		return false;
	if (p->top + (size_t)pane_page_lines(p) < p->ops->count(a, p))
		return false;
	step_story(a, 1, 1);
	return true;
}

bool triage_goto_row(struct app *a, const char *line)
{
	line += strspn(line, " \t");
	size_t n = strspn(line, "0123456789");
	if (!n || line[n + strspn(line + n, " \t")])
		return false;
	unsigned long row = 0;
	for (size_t i = 0; i < n; i++)
		row = row > TRIAGE_COUNT_MAX / 10 ? TRIAGE_COUNT_MAX : row * 10 + (unsigned long)(line[i] - '0');
	a->focus = 0;
	app_rows_place(a);
	long to = row ? (long)row - 1 : 0;
	pane_move(a, &a->list, to - (long)a->list.sel);
	return true;
}

/* mark-all-read ------------------------------------------------------------- */

/* Every article of the rows, and every member of the folded clusters the
 * lines show (read, as their lines say then). */
static void mark_rows_read(struct app *a)
{
	size_t marked = 0;
	for (size_t i = 0; i < a->nrows; i++) {
		size_t idx = a->rows[i];
		/* every story has an identity to keep its marks by */
		if (!(a->marks[idx] & MARK_READ) && app_mark(a, (long)idx, MARK_READ, true))
			marked++;
	}
	uint32_t *m = NULL;
	size_t room = 0;
	for (size_t l = 0; a->group && l < a->nlines; l++) {
		if (!app_line_folded(a, l))
			continue;
		size_t need = cluster_size(a->store, a->lines[l]);
		if (need > room)
			m = xrealloc(m, (room = need) * sizeof *m);
		size_t n = app_line_articles(a, l, m, room);
		for (size_t k = 0; k < n; k++)
			if (!(a->marks[m[k]] & MARK_READ) && app_mark(a, (long)m[k], MARK_READ, true))
				marked++;
	}
	free(m);
	if (!marked)
		app_message(a, false, "every listed story was read already");
	else
		app_message(a, false, "marked %zu %s read", marked, marked == 1 ? "story" : "stories");
}

static void mark_all_read(struct app *a)
{
	app_rows_place(a);
	app_rows_need(a, SIZE_MAX);
	if (!a->nrows) {
		app_message(a, true, "no story listed");
		return;
	}
	/* more than one screenful: some of them were never on the screen */
	if (a->nlines > (size_t)pane_page_lines(&a->list)) {
		free(a->triage.confirm_text);
		a->triage.confirm_text = xasprintf("mark all %zu listed stories read? (y/n)", a->nrows);
		a->triage.confirm_rows = a->nrows;
		a->prompt = PROMPT_CONFIRM_MARK_ALL;
		return;
	}
	mark_rows_read(a);
}

void triage_confirm_key(struct app *a, int key)
{
	a->prompt = PROMPT_NONE;
	if (key == 'y' || key == 'Y')
		mark_rows_read(a);
	else
		app_message(a, false, "nothing marked");
}

const char *triage_confirm_text(const struct app *a)
{
	return a->triage.confirm_text ? a->triage.confirm_text : "";
}

/* Programs on the terminal -------------------------------------------------- */

/* argv on the terminal, curses left for it and taken back after. */
static void run_on_terminal(struct app *a, struct strlist *argv)
{
	strlist_push(argv, NULL);
	argv->n--;
	bool tty = !screen_headless();
	if (tty) {
		def_prog_mode();
		endwin();
	}
	char *msg = NULL;
	int r = spawn_foreground(argv->v, &msg);
	if (tty) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
	if (r < 0)
		app_message(a, true, "%s", msg);
	free(msg);
}

static void run_on_file(struct app *a, const char *const *vars, const char *fallback,
			const char *path, long line)
{
	struct strlist argv = {0};
	char *err;
	if (spawn_file_argv(vars, fallback, path, line, &argv, &err) < 0) {
		app_message(a, true, "%s", err);
		free(err);
		return;
	}
	run_on_terminal(a, &argv);
	strlist_free(&argv);
}

void triage_page_file(struct app *a, const char *path, long line)
{
	static const char *const vars[] = {"PAGER", NULL};
	run_on_file(a, vars, "less", path, line);
}

/* The story the action is about: the story pane's, else the list's. */
static long story_article(struct app *a)
{
	return in_story_pane(a) ? a->cur.article : list_article(a);
}

static void open_file(struct app *a, bool edit)
{
	static const char *const editors[] = {"VISUAL", "EDITOR", NULL};
	const struct article *ar = app_article(a, story_article(a));
	if (!ar || !ar->path) {
		app_message(a, true, "no story's file to open");
		return;
	}
	char *path = xstrdup(ar->path); /* the article may be decoded again meanwhile */
	if (edit)
		run_on_file(a, editors, "vi", path, 0);
	else
		triage_page_file(a, path, 0);
	free(path);
}

/* copy-url ------------------------------------------------------------------ */

void triage_copy_url(struct app *a, const char *url)
{
	if (!url || !*url) {
		app_message(a, true, "this story has no web URL");
		return;
	}
	const char *cmd = a->cfg->copy_command;
	if (clip_is_osc52(cmd)) {
		/* base64 inside the sequence: no byte of the URL reaches the
		 * terminal as itself */
		char *seq = clip_osc52(url);
		if (!screen_headless()) {
			fputs(seq, stdout);
			fflush(stdout);
		}
		free(seq);
		app_message(a, false, "copied %s (through the terminal)", url);
		return;
	}
	char *msg = NULL;
	if (clip_run(cmd, url, &msg) < 0)
		app_message(a, true, "%s", msg);
	else
		app_message(a, false, "copied %s", url);
	free(msg);
}

static void copy_story_url(struct app *a)
{
	long idx = in_story_pane(a) ? a->cur.article : list_article(a);
	const struct article *ar = app_article(a, idx);
	if (!ar) {
		app_message(a, true, "no story listed");
		return;
	}
	bool related = in_story_pane(a) && a->cur.related >= 0;
	triage_copy_url(a, related ? ar->related[a->cur.related].web_url : ar->web_url);
}

/* Quitting and suspending --------------------------------------------------- */

static void quit_all(struct app *a)
{
	if (a->cfg->confirm_quit)
		a->prompt = PROMPT_CONFIRM_QUIT;
	else
		a->quit = true;
}

/* The terminal as it was, a stop (the shell's job control takes over),
 * and the screen drawn again when fg brings it back. */
static void suspend(struct app *a)
{
	if (screen_headless()) {
		app_message(a, false, "suspend: no terminal to give back here");
		return;
	}
	def_prog_mode();
	endwin();
	raise(SIGTSTP);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

bool triage_action(struct app *a, enum action act, unsigned long count)
{
	unsigned long n = count ? count : 1;
	switch (act) {
	case ACT_NEXT_STORY:
		step_story(a, 1, n);
		return true;
	case ACT_PREV_STORY:
		step_story(a, -1, n);
		return true;
	case ACT_NEXT_UNREAD:
		step_unread(a, 1, n);
		return true;
	case ACT_PREV_UNREAD:
		step_unread(a, -1, n);
		return true;
	case ACT_MARK_ALL_READ:
		mark_all_read(a);
		return true;
	case ACT_OPEN_FILE:
	case ACT_EDIT_FILE:
		open_file(a, act == ACT_EDIT_FILE);
		return true;
	case ACT_COPY_URL:
		copy_story_url(a);
		return true;
	case ACT_QUIT_ALL:
		quit_all(a);
		return true;
	case ACT_SUSPEND:
		suspend(a);
		return true;
	default:
		return false;
	}
}

/* Read once shown ----------------------------------------------------------- */

static double now_ms(const struct app *a)
{
	if (screen_headless())
		return a->triage.clock_ms;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The article the story pane shows on the screen now, or -1. */
static long shown_article(const struct app *a)
{
	if (!a->story_open || a->overlay_open || a->story.ops != &view_story_ops ||
	    a->cur.related >= 0 || a->story.r.h < 2 || a->story.r.w < 1)
		return -1;
	if (a->zoom && !a->focus)
		return -1; /* the list has the whole screen */
	return a->cur.article;
}

bool triage_tick(struct app *a)
{
	struct app_triage *t = &a->triage;
	long shown = shown_article(a);
	double now = now_ms(a);
	if (shown != t->viewed) {
		t->viewed = shown;
		t->viewed_since_ms = now;
		t->viewed_done = false;
	}
	if (shown < 0 || t->viewed_done || a->cfg->mark_read_on != CONFIG_MARK_READ_VIEW ||
	    now - t->viewed_since_ms < (double)a->cfg->mark_read_delay_ms)
		return false;
	t->viewed_done = true;
	if (a->marks[shown] & MARK_READ)
		return false; /* nothing to say: the N goes */
	return app_mark(a, shown, MARK_READ, true);
}

long triage_wait_ms(const struct app *a)
{
	const struct app_triage *t = &a->triage;
	if (t->viewed < 0 || t->viewed_done || a->cfg->mark_read_on != CONFIG_MARK_READ_VIEW)
		return -1;
	double left = t->viewed_since_ms + (double)a->cfg->mark_read_delay_ms - now_ms(a);
	return left <= 0 ? 0 : (long)left + 1;
}

void triage_clock_advance(struct app *a, unsigned long ms)
{
	a->triage.clock_ms += (double)ms;
}
