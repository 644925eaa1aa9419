/* screen: curses, colours, and drawing through the text layer. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include "lede/ui/screen.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lede/ui/text.h"
#include "lede/util.h"

/* last: its macros (lines, columns...) would rename words of the headers above */
#include <term.h>

static SCREEN *scr;
static FILE *null_out, *null_in;
static bool headless;
static attr_t attrs[ST_COUNT];
static bool use_color;

static struct fitted fit;

static void styles(bool color)
{
	/* Without colour, attributes alone keep every style apart. */
	attr_t plain[ST_COUNT] = {
		[ST_HEADER] = A_BOLD,      [ST_TITLE_FOCUS] = A_REVERSE | A_BOLD,
		[ST_SELECTED] = A_REVERSE, [ST_CURSOR] = A_UNDERLINE,
		[ST_STATUS] = A_REVERSE | A_BOLD,   [ST_MATCH] = A_BOLD | A_UNDERLINE,
		[ST_LOCAL] = A_BOLD,       [ST_DIM] = A_DIM,
		[ST_LABEL] = A_BOLD,       [ST_STORY_TITLE] = A_BOLD,
		[ST_URL] = A_NORMAL,    [ST_ERROR] = A_BOLD,
		[ST_UNREAD] = A_BOLD,
	};
	memcpy(attrs, plain, sizeof attrs);
	if (!color)
		return;
	/* Pairs on the terminal's own background (-1). */
	static const short pairs[ST_COUNT][2] = {
		[ST_HEADER] = {COLOR_BLUE, -1},   [ST_TITLE_FOCUS] = {COLOR_WHITE, COLOR_BLUE},
		[ST_SELECTED] = {COLOR_BLACK, COLOR_CYAN}, [ST_STATUS] = {COLOR_WHITE, COLOR_BLUE},
		[ST_MATCH] = {COLOR_BLACK, COLOR_YELLOW}, [ST_LOCAL] = {COLOR_GREEN, -1},
		[ST_LABEL] = {COLOR_CYAN, -1},    [ST_STORY_TITLE] = {COLOR_YELLOW, -1},
		[ST_URL] = {COLOR_BLUE, -1},      [ST_ERROR] = {COLOR_RED, -1},
	};
	for (int s = 1; s < ST_COUNT; s++) {
		if (!pairs[s][0] && !pairs[s][1])
			continue;
		init_pair((short)s, pairs[s][0], pairs[s][1]);
		attr_t keep = plain[s] & (A_BOLD | A_UNDERLINE | A_DIM);
		if (s == ST_SELECTED || s == ST_STATUS || s == ST_TITLE_FOCUS || s == ST_MATCH)
			keep &= ~(attr_t)A_REVERSE;
		attrs[s] = COLOR_PAIR(s) | keep;
	}
}

/* Can curses place the cursor and clear the screen on $TERM? Read from
 * the terminfo entry alone, writing nothing to the terminal; an unknown
 * TERM is left to newterm to say. */
static bool can_drive(void)
{
	int e;
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK)
		return true;
	char *cup = tigetstr("cup"), *clear = tigetstr("clear");
	bool ok = cup && cup != (char *)-1 && clear && clear != (char *)-1;
	del_curterm(cur_term);
	cur_term = NULL;
	return ok;
}

int screen_open(int cols, int rows, char **err)
{
	headless = cols > 0 && rows > 0;
	if (headless) {
		null_out = fopen("/dev/null", "w");
		null_in = fopen("/dev/null", "r");
		if (!null_out || !null_in) {
			*err = xstrdup("cannot open /dev/null");
			return -1;
		}
		scr = newterm("xterm", null_out, null_in);
	} else {
		if (!isatty(0) || !isatty(1)) {
			*err = xstrdup("the reader needs a terminal (use --list or --json in a pipe)");
			return -1;
		}
		if (!can_drive()) {
			/* a terminal that cannot move its cursor (TERM=dumb) would
			 * get the screen as a stream of garbage; asked before curses
			 * starts, which would write to it (newlines, on such a one) */
			const char *term = getenv("TERM");
			struct buf b = {0};
			buf_puts(&b, "the terminal '");
			buf_put_safe(&b, term ? term : "", term ? strlen(term) : 0);
			buf_puts(&b, "' cannot be driven (no cursor addressing): use --list or --json");
			*err = b.data;
			return -1;
		}
		scr = newterm(NULL, stdout, stdin);
	}
	if (!scr) {
		*err = xstrdup("cannot start curses on this terminal (is TERM right?); "
			       "--list or --json print the stories without one");
		return -1;
	}
	set_term(scr);
	if (headless)
		resizeterm(rows, cols);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	bool color = !getenv("NO_COLOR") && has_colors() && !headless;
	use_color = color;
	if (color) {
		start_color();
		use_default_colors();
	}
	styles(color);
	return 0;
}

void screen_apply_colors(const struct config_color *colors)
{
	for (int s = 0; s < ST_COUNT; s++) {
		const struct config_color *c = &colors[s];
		if (!c->set)
			continue;
		attr_t at = 0;
		if (c->attrs & CONFIG_ATTR_BOLD)
			at |= A_BOLD;
		if (c->attrs & CONFIG_ATTR_UNDERLINE)
			at |= A_UNDERLINE;
		if (c->attrs & CONFIG_ATTR_REVERSE)
			at |= A_REVERSE;
		if (c->attrs & CONFIG_ATTR_DIM)
			at |= A_DIM;
		if (c->attrs & CONFIG_ATTR_STANDOUT)
			at |= A_STANDOUT;
		if (!use_color) {
			attrs[s] = at;
			continue;
		}
		if (c->fg >= COLORS || c->bg >= COLORS)
			continue; /* more than this terminal has: keep the built-in */
		short pair = (short)(s ? s : ST_COUNT); /* pair 0 cannot change */
		init_pair(pair, (short)c->fg, (short)c->bg);
		attrs[s] = COLOR_PAIR(pair) | at;
		if (s == ST_NORMAL)
			bkgdset(' ' | COLOR_PAIR(pair));
	}
}

void screen_mouse(bool on)
{
	mousemask(on ? BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
			       BUTTON5_PRESSED
		     : 0,
		  NULL);
}

void screen_close(void)
{
	if (!scr)
		return;
	endwin();
	delscreen(scr);
	scr = NULL;
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
	null_out = null_in = NULL;
	text_fitted_free(&fit);
}

bool screen_headless(void)
{
	return headless;
}

void screen_resize(int cols, int rows)
{
	resizeterm(rows, cols);
}

void screen_size(int *cols, int *rows)
{
	*cols = COLS;
	*rows = LINES;
}

void screen_fill(int y, int x, int w, enum style st)
{
	if (w <= 0)
		return;
	attrset(attrs[st]);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

int screen_put(int y, int x, int w, const char *s, size_t len, enum style st,
	       const struct span *spans, size_t nspans)
{
	if (w <= 0)
		return 0;
	/* Fitted without padding, so that the cells it used are known without
	 * measuring all of s: text_fit stops once the width is filled, and a
	 * long title costs only what shows. */
	text_fit(&fit, s ? s : "", s ? len : 0, w, spans, nspans, false);
	int used = fit.cols;
	move(y, x);
	size_t i = 0;
	while (i < fit.n) {
		size_t j = i;
		while (j < fit.n && fit.hl[j] == fit.hl[i])
			j++;
		attrset(fit.hl[i] ? attrs[ST_MATCH] : attrs[st]);
		addnwstr(fit.wc + i, (int)(j - i));
		i = j;
	}
	if (used < w) {
		attrset(attrs[st]);
		hline(' ', w - used);
	}
	attrset(A_NORMAL);
	return used;
}

void screen_cursor(int y, int x, bool show)
{
	if (show) {
		move(y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/* Which selection, if any, a row shows: '>' the focused pane's, '-' the
 * other pane's, ' ' none; so that dumps show where the cursor is. */
static char row_mark_in(int y, int x0, int x1)
{
	attr_t mask = A_REVERSE | A_UNDERLINE | A_BOLD;
	for (int x = x0; x < x1; x++) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1];
		attr_t at;
		short pair;
		if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &at, &pair, NULL) == ERR)
			continue;
		if ((at & mask) == (attrs[ST_SELECTED] & mask))
			return '>';
		if ((at & mask) == (attrs[ST_CURSOR] & mask))
			return '-';
	}
	return ' ';
}

static char row_mark(int y)
{
	return row_mark_in(y, 0, COLS);
}

void screen_dump(FILE *out)
{
	wchar_t *line = xmalloc(((size_t)COLS * 4 + 1) * sizeof *line);
	for (int y = 0; y < LINES; y++) {
		char mark = row_mark(y);
		int n = mvinnwstr(y, 0, line, COLS * 4);
		if (n < 0)
			n = 0;
		line[n] = L'\0';
		while (n > 0 && line[n - 1] == L' ')
			line[--n] = L'\0';
		fprintf(out, "%c|%ls\n", mark, line);
	}
	free(line);
}

void screen_text(int y, int x, int w, struct buf *out)
{
	buf_str(out);
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (w < 0 || w > COLS - x)
		w = COLS - x;
	/* A cell holds a character and its combining marks. */
	wchar_t *line = xmalloc(((size_t)w * CCHARW_MAX + 1) * sizeof *line);
	int n = mvinnwstr(y, x, line, w * CCHARW_MAX);
	if (n < 0)
		n = 0;
	/* inn_wstr counts characters, not cells: stop at w cells. */
	int cells = 0, k = 0;
	for (; k < n; k++) {
		int cw = wcwidth(line[k]);
		if (cw > 0 && cells + cw > w)
			break;
		cells += cw > 0 ? cw : 0;
	}
	while (k > 0 && line[k - 1] == L' ')
		k--;
	for (int i = 0; i < k; i++)
		buf_put_utf8(out, (unsigned)line[i]);
	free(line);
}

void screen_match_text(int y, int x, int w, struct buf *out)
{
	buf_str(out);
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	int x1 = w < 0 || w > COLS - x ? COLS : x + w;
	attr_t want = attrs[ST_MATCH] & (A_ATTRIBUTES & ~A_COLOR);
	short want_pair = (short)PAIR_NUMBER(attrs[ST_MATCH]);
	bool in_run = false;
	for (int cx = x; cx < x1; cx++) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1];
		attr_t at;
		short pair;
		bool match = mvin_wch(y, cx, &cc) != ERR &&
			     getcchar(&cc, wch, &at, &pair, NULL) != ERR &&
			     (at & (A_ATTRIBUTES & ~A_COLOR)) == want && pair == want_pair;
		if (match) {
			for (int i = 0; wch[i]; i++)
				buf_put_utf8(out, (unsigned)wch[i]);
			if (wcwidth(wch[0]) == 2)
				cx++; /* its right half is the same character */
		} else if (in_run) {
			buf_putc(out, ' ');
		}
		in_run = match;
	}
	if (in_run)
		buf_putc(out, ' ');
}

int screen_selected_row(int x, int w)
{
	int x1 = w < 0 || w > COLS - x ? COLS : x + w;
	for (int y = 0; y < LINES; y++)
		if (row_mark_in(y, x, x1) == '>')
			return y;
	return -1;
}
