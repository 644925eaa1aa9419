/* The terminal is never the attacker's: lede runs in a real pseudo-terminal
 * over an article full of escape sequences, every byte it writes is
 * recorded, and none of the data's sequences may be among them. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lede/util.h"

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read what the terminal got until needle shows up (or the time is out). */
static bool pump(int fd, struct buf *out, const char *needle, long ms)
{
	long end = now_ms() + ms;
	while (now_ms() < end) {
		if (needle && out->data && memmem(out->data, out->len, needle, strlen(needle)))
			return true;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		char tmp[4096];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r <= 0)
			return needle == NULL; /* the child is gone */
		buf_add(out, tmp, (size_t)r);
	}
	return needle == NULL;
}

static bool has(const struct buf *b, const char *s)
{
	return b->data && memmem(b->data, b->len, s, strlen(s)) != NULL;
}

Test(terminal, data_never_reaches_it_as_control_sequences, .timeout = 60)
{
	char dir[] = "/tmp/lede-term-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	char *cwd = get_current_dir_name();
	char *exe = bin[0] == '/' ? xstrdup(bin) : xasprintf("%s/%s", cwd, bin);
	char *archive = xasprintf("%s/tests/data/hostile", cwd);
	free(cwd);

	struct winsize ws = {.ws_row = 30, .ws_col = 120};
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char *home = xasprintf("HOME=%s", dir), *xc = xasprintf("XDG_CONFIG_HOME=%s", dir),
		     *xk = xasprintf("XDG_CACHE_HOME=%s", dir), *xs = xasprintf("XDG_STATE_HOME=%s", dir);
		char *env[] = {"TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC",
			       home, xc, xk, xs, NULL};
		signal(SIGINT, SIG_DFL);
		execle(exe, exe, "--no-cache", archive, (char *)NULL, env);
		_exit(127);
	}
	struct buf out = {0};
	/* the list, then the story, its related view, the help, and out */
	cr_assert(pump(master, &out, "unread:", 10000), "lede did not draw: %.300s", out.data);
	const char *keys[] = {"\r", "r", "q", "\t", "j", "?", "q", "q", "q"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		cr_assert_eq(write(master, keys[i], strlen(keys[i])), (ssize_t)strlen(keys[i]));
		pump(master, &out, NULL, 150);
	}
	pump(master, &out, NULL, 2000);
	int status = 0;
	for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		pump(master, &out, NULL, 50);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		struct buf tail = {0};
		size_t from = out.len > 1500 ? out.len - 1500 : 0;
		buf_put_safe(&tail, out.data + from, out.len - from);
		cr_assert_fail("lede did not quit; the last output: %s", buf_str(&tail));
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	close(master);

	/* the data was drawn, as visible text */
	cr_assert(has(&out, "\xe2\x90\x9b[31mred"), "the title's ESC is not shown as U+241B");
	cr_assert(has(&out, "\xe2\x90\x9b]0;owned\xe2\x90\x87"));
	cr_assert(has(&out, "\xe2\x90\x9b]52;c;SGVsbG8="));
	cr_assert(has(&out, "\xe2\x90\x9b[?1049h"));
	/* and none of it raw */
	static const char *const raw[] = {
		"\x1b[31mred",   "\x1b]0;owned", "\x1b]52;",     "\x1b]8;;http", "\x1b[5mBlink",
		"evil\x1b[2J",   "\x07",         "\xc2\x9b",     "\xe2\x80\xae", "\xe2\x80\xac",
	};
	for (size_t i = 0; i < sizeof raw / sizeof *raw; i++)
		cr_assert(!has(&out, raw[i]), "raw sequence %zu from the data reached the terminal",
			  i);
	buf_free(&out);
	free(exe);
	free(archive);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}
