/* The loading line on a real pseudo-terminal: whatever the width, it stays
 * on one row and is gone, all of it, when the load is done. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lede/output.h"
#include "lede/util.h"

/* A terminal just capable enough for the loading line: printable ASCII
 * with autowrap, CR, LF and the erase to the end of the row (CSI K). */
enum { ROWS = 8, MAXCOLS = 200 };
struct term {
	char cell[ROWS][MAXCOLS];
	int cols, row, col;
	bool pending_wrap;
};

static void term_feed(struct term *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r') {
			t->col = 0;
			t->pending_wrap = false;
		} else if (c == '\n') {
			t->row++;
			t->pending_wrap = false;
		} else if (c == '\x1b') {
			cr_assert(i + 2 < n && s[i + 1] == '[' && s[i + 2] == 'K',
				  "an escape sequence the model does not know at %zu", i);
			i += 2;
			if (!t->pending_wrap)
				memset(&t->cell[t->row][t->col], ' ', (size_t)(t->cols - t->col));
			else
				t->cell[t->row][t->cols - 1] = ' ';
		} else {
			cr_assert(c >= 0x20 && c < 0x7f, "byte %02x", (unsigned char)c);
			if (t->pending_wrap) {
				t->row++;
				t->col = 0;
				t->pending_wrap = false;
			}
			cr_assert_lt(t->row, ROWS, "the line scrolled the terminal");
			t->cell[t->row][t->col] = c;
			if (t->col == t->cols - 1)
				t->pending_wrap = true;
			else
				t->col++;
		}
		cr_assert_lt(t->row, ROWS);
	}
}

static bool row_blank(const struct term *t, int r)
{
	for (int c = 0; c < t->cols; c++)
		if (t->cell[r][c] != ' ')
			return false;
	return true;
}

/* Everything the terminal got so far, without blocking. */
static void drain(int master, struct buf *out)
{
	char tmp[4096];
	for (;;) {
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, 0) <= 0)
			return;
		ssize_t r = read(master, tmp, sizeof tmp);
		if (r <= 0)
			return;
		buf_add(out, tmp, (size_t)r);
	}
}

ParameterizedTestParameters(progress, one_row_and_erased)
{
	static int widths[] = {1, 2, 10, 20, 33, 34, 40, 80, 200};
	return cr_make_param_array(int, widths, sizeof widths / sizeof *widths);
}

ParameterizedTest(int *width, progress, one_row_and_erased)
{
	struct winsize ws = {.ws_row = ROWS, .ws_col = (unsigned short)*width};
	int master, slave;
	cr_assert_eq(openpty(&master, &slave, NULL, NULL, &ws), 0);
	struct termios tio;
	cr_assert_eq(tcgetattr(slave, &tio), 0);
	cfmakeraw(&tio); /* the bytes as written */
	cr_assert_eq(tcsetattr(slave, TCSANOW, &tio), 0);

	struct output_progress p = {.fd = slave};
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	p.t0.tv_sec -= 10; /* a rate that is not 0/s */
	struct term t = {.cols = *width};
	memset(t.cell, ' ', sizeof t.cell);
	struct buf out = {0};
	/* longer and longer lines, as the count grows */
	const size_t steps[][2] = {{1, 10}, {5, 100}, {999, 100000}, {123456, 9999999}};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		output_progress(&p, steps[i][0], steps[i][1]);
		drain(master, &out);
		term_feed(&t, out.data, out.len);
		out.len = 0;
		cr_assert_eq(t.row, 0, "width %d: the line wrapped", *width);
		for (int r = 1; r < ROWS; r++)
			cr_assert(row_blank(&t, r), "width %d: row %d written", *width, r);
	}
	if (*width >= 20)
		cr_assert(!strncmp(t.cell[0], "lede: loading", 13), "%.*s", *width, t.cell[0]);
	output_progress(&p, 9999999, 9999999);
	drain(master, &out);
	term_feed(&t, out.data, out.len);
	for (int r = 0; r < ROWS; r++)
		cr_assert(row_blank(&t, r), "width %d: row %d not erased: %.*s", *width, r, *width,
			  t.cell[r]);
	cr_assert_eq(t.row, 0);
	cr_assert_eq(t.col, 0);
	buf_free(&out);
	close(slave);
	close(master);
}

Test(progress, a_width_not_known_is_80)
{
	/* a pipe has no width: the line is kept to 79 columns */
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct output_progress p = {.fd = fds[1]};
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	output_progress(&p, (size_t)-2, (size_t)-1);
	close(fds[1]);
	char tmp[512];
	ssize_t n = read(fds[0], tmp, sizeof tmp);
	close(fds[0]);
	/* \r, the line, \033[K */
	cr_assert_eq(n, 1 + 79 + 3);
	cr_assert_eq(tmp[0], '\r');
	cr_assert(!memcmp(tmp + n - 3, "\x1b[K", 3));
}
