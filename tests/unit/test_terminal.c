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
		if (r <= 0) {
			/* the child is closing: give it the time to become waitable */
			struct timespec ts = {0, 20 * 1000000};
			nanosleep(&ts, NULL);
			return needle == NULL;
		}
		buf_add(out, tmp, (size_t)r);
	}
	return needle == NULL;
}

static bool has(const struct buf *b, const char *s)
{
	return b->data && memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/* Run lede in a pty over archive with extra arguments and environment,
 * press keys (the last must quit it), and return every byte it wrote. */
static void run_in_pty(struct buf *out, const char *archive_rel, const char *const *args,
		       const char *const *extra_env, const char *const *keys)
{
	char dir[] = "/tmp/lede-term-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	char *cwd = get_current_dir_name();
	char *exe = bin[0] == '/' ? xstrdup(bin) : xasprintf("%s/%s", cwd, bin);
	char *archive = xasprintf("%s/%s", cwd, archive_rel);
	free(cwd);

	struct winsize ws = {.ws_row = 30, .ws_col = 120};
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *env[32] = {"TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
				       "TZ=UTC"};
		size_t ne = 4;
		env[ne++] = xasprintf("HOME=%s", dir);
		env[ne++] = xasprintf("XDG_CONFIG_HOME=%s", dir);
		env[ne++] = xasprintf("XDG_CACHE_HOME=%s", dir);
		env[ne++] = xasprintf("XDG_STATE_HOME=%s", dir);
		for (size_t i = 0; extra_env && extra_env[i] && ne < 31; i++)
			env[ne++] = extra_env[i];
		env[ne] = NULL;
		const char *argv[32] = {exe, "--no-cache"};
		size_t na = 2;
		for (size_t i = 0; args && args[i] && na < 30; i++)
			argv[na++] = args[i];
		argv[na++] = archive;
		argv[na] = NULL;
		signal(SIGINT, SIG_DFL);
		execve(exe, (char *const *)argv, (char *const *)env);
		_exit(127);
	}
	cr_assert(pump(master, out, "unread:", 10000), "lede did not draw: %.300s", out->data);
	for (size_t i = 0; keys[i]; i++) {
		cr_assert_eq(write(master, keys[i], strlen(keys[i])), (ssize_t)strlen(keys[i]));
		pump(master, out, NULL, 150);
	}
	int status = 0;
	for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		pump(master, out, NULL, 50);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		struct buf tail = {0};
		size_t from = out->len > 1500 ? out->len - 1500 : 0;
		buf_put_safe(&tail, out->data + from, out->len - from);
		cr_assert_fail("lede did not quit; the last output: %s", buf_str(&tail));
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	close(master);
	free(exe);
	free(archive);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

Test(terminal, data_never_reaches_it_as_control_sequences, .timeout = 60)
{
	struct buf out = {0};
	/* the list, then the story, its related view, the help, and out */
	const char *keys[] = {"\r", "r", "q", "\t", "j", "?", "q", "q", "q", NULL};
	run_in_pty(&out, "tests/data/hostile", NULL, (const char *[]){"NO_COLOR=1", NULL}, keys);

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
}

/* Any SGR colour (a parameter 30-38 or 40-48 of a CSI ... m sequence). */
static bool any_colour(const struct buf *b)
{
	for (size_t i = 0; b->data && i + 2 < b->len; i++) {
		if (b->data[i] != '\x1b' || b->data[i + 1] != '[')
			continue;
		size_t e = i + 2;
		while (e < b->len && (b->data[e] == ';' || (b->data[e] >= '0' && b->data[e] <= '9')))
			e++;
		if (e >= b->len || b->data[e] != 'm')
			continue; /* not SGR: cursor motion and the like */
		for (size_t p = i + 2; p + 1 < e; p++) {
			bool starts = p == i + 2 || b->data[p - 1] == ';';
			char c0 = b->data[p], c1 = b->data[p + 1];
			bool two = p + 2 == e || b->data[p + 2] == ';';
			if (starts && two && (c0 == '3' || c0 == '4') && c1 >= '0' && c1 <= '8')
				return true;
		}
	}
	return false;
}

Test(terminal, colours_and_no_color, .timeout = 60)
{
	const char *keys[] = {"j", "q", NULL};
	struct buf plain = {0}, coloured = {0}, custom = {0};
	run_in_pty(&coloured, "seeds", NULL, NULL, keys);
	/* the selected line: black on cyan by default */
	cr_assert(any_colour(&coloured), "no colour at all by default");
	cr_assert(has(&coloured, "\x1b[46m"), "the selection is not on cyan");

	run_in_pty(&plain, "seeds", NULL, (const char *[]){"NO_COLOR=1", NULL}, keys);
	cr_assert(!any_colour(&plain), "NO_COLOR is set, yet colours were sent");
	cr_assert(has(&plain, "\x1b[7m") || has(&plain, "\x1b[0;7m"),
		  "without colour the selection is reverse video");

	char conf[] = "/tmp/lede-colour-XXXXXX";
	int fd = mkstemp(conf);
	cr_assert_geq(fd, 0);
	const char *line = "color selected black yellow bold\n";
	cr_assert_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	run_in_pty(&custom, "seeds", (const char *[]){"-c", conf, NULL}, NULL, keys);
	unlink(conf);
	cr_assert(has(&custom, "\x1b[43m"), "the config's yellow selection is not there");
	cr_assert(!has(&custom, "\x1b[46m"), "the built-in cyan is still used");
	buf_free(&plain);
	buf_free(&coloured);
	buf_free(&custom);
}
