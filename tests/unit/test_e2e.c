/* End-to-end runs: the real reader in a real terminal, through tmux.
 *
 * Each test starts a private tmux server (its own socket, no config file)
 * whose one pane runs the lede binary ($LEDE_BIN, else ./lede) at 100x30
 * with a pinned environment, drives it with send-keys and reads the screen
 * with capture-pane. Nothing sleeps blindly: every step polls the screen
 * (every 50 ms, up to 5 s) until what it waits for shows, then asserts.
 *
 * Clean-up: the suite's .fini kills the server and removes the test's temp
 * directory, also when an assertion fails. A watchdog process does the same
 * if the test process dies without running .fini (a crash, or Criterion's
 * timeout killing it), so no tmux server or lede outlives its test. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define E2E_COLS 100
#define E2E_ROWS 30
#define POLL_MS 50
#define WAIT_MS 5000
#define SESSION "e2e"

/* ---- state of the one test this process runs ---- */

static struct {
	char sock[64];		  /* tmux -L name, unique per test process */
	char sock_path[PATH_MAX]; /* where tmux puts it; tmux leaves it behind */
	char dir[64];		  /* private temp dir: home, XDG dirs, configs, logs */
	int watchdog_fd;	  /* write end of the watchdog's pipe */
	pid_t watchdog;
} E = {.watchdog_fd = -1, .watchdog = -1};

/* ---- small utilities ---- */

static void close_fds_from(int lo, int keep)
{
	for (int fd = lo; fd < 4096; fd++)
		if (fd != keep)
			close(fd);
}

/* In a child about to exec: no signal blocked or ignored. Criterion's
 * worker runs with SIGCHLD blocked and SIGINT and SIGQUIT ignored, and both
 * survive exec: a tmux server started so would never learn that lede exited
 * and lede would start with them too. */
static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *s = NULL;
	int n = vasprintf(&s, f, ap);
	va_end(ap);
	cr_assert(n >= 0, "out of memory");
	return s;
}

static bool contains(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Line n (from 0) of a captured screen, without its newline, in buf. */
static const char *line_of(const char *screen, int n, char *buf, size_t size)
{
	const char *p = screen;
	for (int i = 0; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		p = "";
	size_t len = strcspn(p, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* The whole file, or NULL when it does not exist. */
static char *read_file_or_null(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	cr_assert_not_null(s);
	size_t r;
	while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2) {
			cap *= 2;
			s = realloc(s, cap);
			cr_assert_not_null(s);
		}
	}
	fclose(f);
	s[n] = '\0';
	return s;
}

/* ---- tmux ---- */

/* Run `tmux -L SOCK -f /dev/null ARGS...` (args NULL-terminated). Returns
 * its exit status (-1 if it did not exit normally); when out is not NULL,
 * *out gets what it printed, stdout and stderr together (caller frees). */
static int tmux_v(char **out, const char *const *args)
{
	const char *argv[96];
	size_t n = 0;
	argv[n++] = "tmux";
	argv[n++] = "-L";
	argv[n++] = E.sock;
	argv[n++] = "-f";
	argv[n++] = "/dev/null";
	for (size_t i = 0; args[i]; i++) {
		cr_assert(n < sizeof argv / sizeof *argv - 1, "too many tmux arguments");
		argv[n++] = args[i];
	}
	argv[n] = NULL;

	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close_fds_from(3, -1);
		reset_signals();
		unsetenv("TMUX");
		execvp("tmux", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 8192, len = 0;
	char *s = malloc(cap);
	cr_assert_not_null(s);
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			s = realloc(s, cap);
			cr_assert_not_null(s);
		}
		ssize_t r = read(p[0], s + len, cap - len - 1);
		if (r > 0)
			len += (size_t)r;
		else if (r == 0 || errno != EINTR)
			break;
	}
	close(p[0]);
	s[len] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = s;
	else
		free(s);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define TMUX(out, ...) tmux_v((out), (const char *const[]){__VA_ARGS__, NULL})

/* Send keys by their tmux names ("j", "Enter", "BSpace"), NULL-terminated. */
#define KEYS(...) send_keys((const char *const[]){__VA_ARGS__, NULL})

static void send_keys(const char *const *keys)
{
	const char *args[32] = {"send-keys", "-t", SESSION};
	size_t n = 3;
	for (size_t i = 0; keys[i]; i++) {
		cr_assert(n < 31);
		args[n++] = keys[i];
	}
	args[n] = NULL;
	char *out;
	int st = tmux_v(&out, args);
	cr_assert_eq(st, 0, "tmux send-keys failed: %s", out);
	free(out);
}

/* Type text literally. */
static void send_text(const char *text)
{
	char *out;
	int st = TMUX(&out, "send-keys", "-t", SESSION, "-l", text);
	cr_assert_eq(st, 0, "tmux send-keys -l failed: %s", out);
	free(out);
}

/* The visible screen, one line a row (caller frees). */
static char *capture(void)
{
	char *out;
	TMUX(&out, "capture-pane", "-p", "-t", SESSION);
	return out;
}

/* A pane format such as "#{pane_dead}", expanded (caller frees). */
static char *pane_format(const char *format)
{
	char *out;
	int st = TMUX(&out, "display-message", "-p", "-t", SESSION, format);
	cr_assert_eq(st, 0, "tmux display-message failed: %s", out);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void assert_pane_format(const char *format, const char *want)
{
	char *got = pane_format(format);
	cr_assert_str_eq(got, want, "%s is '%s', expected '%s'", format, got, want);
	free(got);
}

typedef bool (*screen_pred)(const char *screen, const void *arg);

/* Poll the screen until pred holds; return that screen (caller frees).
 * Fails the test, showing the last screen, after WAIT_MS. */
static char *wait_until(screen_pred pred, const void *arg, const char *what)
{
	long deadline = now_ms() + WAIT_MS;
	for (;;) {
		char *s = capture();
		if (pred(s, arg))
			return s;
		if (now_ms() >= deadline) {
			cr_assert_fail("timed out after %d ms waiting for %s; the screen:\n%s",
				       WAIT_MS, what, s);
		}
		free(s);
		nap_ms(POLL_MS);
	}
}

static bool pred_contains(const char *screen, const void *text)
{
	return contains(screen, text);
}

/* Poll until the screen shows text. */
static char *wait_for(const char *text)
{
	char *what = fmt("\"%s\"", text);
	char *s = wait_until(pred_contains, text, what);
	free(what);
	return s;
}

/* Poll until lede has exited and tmux has read all it wrote; returns lede's
 * exit status (128+N after signal N), as tests/e2e/exit-status.sh recorded
 * it. (Not #{pane_dead_status}: with tmux 3.3a it sometimes stays empty
 * for good, the exited process left an unreaped zombie, as if tmux missed
 * its SIGCHLD.) */
static int wait_exit(void)
{
	char *file = fmt("%s/exit-status", E.dir);
	long deadline = now_ms() + WAIT_MS;
	char *got;
	while (!(got = read_file_or_null(file))) {
		if (now_ms() >= deadline) {
			char *s = capture();
			cr_assert_fail("lede still running after %d ms; the screen:\n%s", WAIT_MS, s);
		}
		nap_ms(POLL_MS);
	}
	int status = atoi(got);
	free(got);
	free(file);
	/* the pane is dead once tmux has read the pty to its end */
	for (;;) {
		char *dead = pane_format("#{pane_dead}");
		bool done = !strcmp(dead, "1");
		free(dead);
		if (done)
			break;
		if (now_ms() >= deadline)
			cr_assert_fail("lede exited but its pane is not dead after %d ms", WAIT_MS);
		nap_ms(POLL_MS);
	}
	return status;
}

static void assert_running(void)
{
	assert_pane_format("#{pane_dead}", "0");
}

/* Poll until the file at path holds text. */
static char *wait_file_holds(const char *path, const char *text)
{
	long deadline = now_ms() + WAIT_MS;
	for (;;) {
		char *s = read_file_or_null(path);
		if (s && contains(s, text))
			return s;
		if (now_ms() >= deadline) {
			char *screen = capture();
			cr_assert_fail("timed out waiting for \"%s\" in %s (it holds: %s); "
				       "the screen:\n%s",
				       text, path, s ? s : "(no file)", screen);
		}
		free(s);
		nap_ms(POLL_MS);
	}
}

/* ---- set-up and tear-down ---- */

/* A process that, once the test process is gone (its pipe reads EOF), kills
 * the tmux server and removes the temp dir: clean-up even after a crash or a
 * timeout, when no .fini runs. */
static void start_watchdog(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		setsid(); /* out of the test's process group, so not killed with it */
		reset_signals();
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		close_fds_from(3, p[0]);
		char c;
		for (;;) {
			ssize_t r = read(p[0], &c, 1);
			if (r == 0 || (r < 0 && errno != EINTR))
				break;
		}
		pid_t k = fork();
		if (k == 0) {
			reset_signals();
			unsetenv("TMUX");
			execlp("tmux", "tmux", "-L", E.sock, "-f", "/dev/null", "kill-server",
			       (char *)NULL);
			_exit(127);
		}
		if (k > 0)
			waitpid(k, NULL, 0);
		unlink(E.sock_path);
		remove_tree(E.dir);
		_exit(0);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	E.watchdog_fd = p[1];
	E.watchdog = pid;
}

static void e2e_init(void)
{
	snprintf(E.dir, sizeof E.dir, "/tmp/lede-e2e-XXXXXX");
	cr_assert_not_null(mkdtemp(E.dir), "mkdtemp: %s", strerror(errno));
	snprintf(E.sock, sizeof E.sock, "lede-e2e-%ld", (long)getpid());
	const char *tmpdir = getenv("TMUX_TMPDIR");
	snprintf(E.sock_path, sizeof E.sock_path, "%s/tmux-%ld/%s",
		 tmpdir && *tmpdir ? tmpdir : "/tmp", (long)getuid(), E.sock);
	static const char *const sub[] = {"home", "config", "cache", "state"};
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		char *d = fmt("%s/%s", E.dir, sub[i]);
		cr_assert_eq(mkdir(d, 0700), 0, "mkdir %s: %s", d, strerror(errno));
		free(d);
	}
	/* one line per file: these runs are not about the grouped list (a
	 * run that passes -c reads its own config instead) */
	char *d = fmt("%s/config/lede", E.dir);
	cr_assert_eq(mkdir(d, 0700), 0);
	char *conf = fmt("%s/config", d);
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	fputs("set group none\n", f);
	fclose(f);
	free(conf);
	free(d);
	start_watchdog();
}

static void e2e_fini(void)
{
	TMUX(NULL, "kill-server");
	if (E.watchdog_fd >= 0) {
		close(E.watchdog_fd); /* the watchdog wakes up and exits */
		E.watchdog_fd = -1;
		while (waitpid(E.watchdog, NULL, 0) < 0 && errno == EINTR)
			;
	}
	unlink(E.sock_path);
	remove_tree(E.dir);
}

TestSuite(e2e, .init = e2e_init, .fini = e2e_fini, .timeout = 30);

/* Start lede in a fresh tmux server at E2E_COLS x E2E_ROWS: `lede ARGS...`
 * (args NULL-terminated), with the pinned environment plus extra_env
 * ("K=V" strings, NULL-terminated, may be NULL), through
 * tests/e2e/exit-status.sh, which records lede's exit status for
 * wait_exit. The pane stays after lede exits (remain-on-exit) so that its
 * last screen can be read. */
static void start(const char *const *args, const char *const *extra_env)
{
	const char *bin = getenv("LEDE_BIN");
	if (!bin || !*bin)
		bin = "./lede";
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	const char *path = getenv("PATH");

	char *home = fmt("HOME=%s/home", E.dir);
	char *config = fmt("XDG_CONFIG_HOME=%s/config", E.dir);
	char *cache = fmt("XDG_CACHE_HOME=%s/cache", E.dir);
	char *state = fmt("XDG_STATE_HOME=%s/state", E.dir);
	char *pathenv = fmt("PATH=%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *cols = fmt("%d", E2E_COLS), *rows = fmt("%d", E2E_ROWS);
	char *wrapper = fmt("%s/tests/e2e/exit-status.sh", cwd);
	char *status_file = fmt("%s/exit-status", E.dir);
	char *pass_env[3] = {NULL, NULL, NULL};

	const char *argv[96];
	size_t n = 0;
#define ADD(s)                                                                  \
	do {                                                                    \
		cr_assert(n < sizeof argv / sizeof *argv - 1, "too many arguments"); \
		argv[n++] = (s);                                                \
	} while (0)
	ADD("set-option");
	ADD("-g");
	ADD("remain-on-exit");
	ADD("on");
	ADD(";");
	ADD("new-session");
	ADD("-d");
	ADD("-s");
	ADD(SESSION);
	ADD("-c");
	ADD(cwd);
	ADD("-x");
	ADD(cols);
	ADD("-y");
	ADD(rows);
	/* more than one word: tmux runs the command directly, no shell */
	ADD("env");
	ADD("-i");
	ADD("TZ=UTC");
	ADD("LANG=C.UTF-8");
	ADD("LC_ALL=C.UTF-8");
	ADD("TERM=xterm-256color");
	ADD("NO_COLOR=1");
	ADD(home);
	ADD(config);
	ADD(cache);
	ADD(state);
	ADD(pathenv);
	/* a sanitizer build's options, if any, still reach the binary */
	static const char *const pass[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(pass[i]);
		if (v) {
			pass_env[i] = fmt("%s=%s", pass[i], v);
			ADD(pass_env[i]);
		}
	}
	for (size_t i = 0; extra_env && extra_env[i]; i++)
		ADD(extra_env[i]);
	ADD("sh");
	ADD(wrapper);
	ADD(status_file);
	ADD(bin);
	for (size_t i = 0; args[i]; i++)
		ADD(args[i]);
#undef ADD
	argv[n] = NULL;

	char *out;
	int st = tmux_v(&out, argv);
	cr_assert_eq(st, 0, "tmux new-session failed (%d): %s", st, out);
	free(out);
	char *sp = pane_format("#{socket_path}");
	if (*sp)
		snprintf(E.sock_path, sizeof E.sock_path, "%s", sp);
	free(sp);
	for (size_t i = 0; i < 3; i++)
		free(pass_env[i]);
	free(status_file);
	free(wrapper);
	free(rows);
	free(cols);
	free(pathenv);
	free(state);
	free(cache);
	free(config);
	free(home);
}

static const char *const SEEDS[] = {"seeds", NULL};

/* The list rows of the seeds, newest first, at 100 columns. */
static const char *const DATE_ORDER[][2] = {
	{"VentureBeat", "Facebook details self-supervised AI"},
	{"Analytics Insight", "Facebook’s computer vision system"},
	{"SiliconANGLE", "Facebook’s new AI model SEER"},
	{"VentureBeat", "Facebook’s new computer vision model achieves"},
	{"Digital Trends", "Facebook’s new image-recognition"},
};

#define STATUS_ROW (E2E_ROWS - 2)
#define MESSAGE_ROW (E2E_ROWS - 1)

/* Start on the seeds and wait for the first screen. */
static char *start_seeds(void)
{
	start(SEEDS, NULL);
	return wait_for(" [list] 1/5  sort: date desc");
}

static void assert_line_has(const char *screen, int row, const char *text)
{
	char buf[1024];
	line_of(screen, row, buf, sizeof buf);
	cr_assert(contains(buf, text), "line %d is '%s', expected it to hold '%s'; screen:\n%s",
		  row, buf, text, screen);
}

static void assert_line_starts(const char *screen, int row, const char *text)
{
	char buf[1024];
	line_of(screen, row, buf, sizeof buf);
	cr_assert(starts_with(buf, text),
		  "line %d is '%s', expected it to start with '%s'; screen:\n%s", row, buf, text,
		  screen);
}

static void assert_screen_has(const char *screen, const char *text)
{
	cr_assert(contains(screen, text), "the screen lacks '%s':\n%s", text, screen);
}

static void assert_screen_lacks(const char *screen, const char *text)
{
	cr_assert(!contains(screen, text), "the screen shows '%s':\n%s", text, screen);
}

/* Quit from the list with q and check lede exits with status 0. */
static void quit_ok(void)
{
	KEYS("q");
	int status = wait_exit();
	cr_assert_eq(status, 0, "lede exited with status %d", status);
}

/* ---- the tests ---- */

/* The list and the first story at start; q quits, leaving the terminal as
 * it found it. */
Test(e2e, start, .timeout = 30)
{
	char *s = start_seeds();
	assert_line_starts(s, 0, "   Date▼");
	assert_line_has(s, 0, "Title");
	for (int i = 0; i < 5; i++) {
		assert_line_has(s, 1 + i, DATE_ORDER[i][0]);
		assert_line_has(s, 1 + i, DATE_ORDER[i][1]);
	}
	/* N: unread; a story shown a second becomes read (mark-read-on view) */
	assert_line_starts(s, 1, "N  2021-04-30 14:00   89  109 VentureBeat");
	assert_screen_has(s, "Story: venturebeat.com");
	assert_screen_has(s, "Facebook details self-supervised AI that can segment images and videos");
	assert_screen_has(s, "Provider   VentureBeat (venturebeat.com)");
	assert_line_starts(s, STATUS_ROW, " [list] 1/5  sort: date desc");
	assert_pane_format("#{pane_width}x#{pane_height}", "100x30");
	assert_pane_format("#{alternate_on}", "1");
	free(s);

	quit_ok();
	s = capture();
	assert_screen_lacks(s, "Date▼");
	assert_screen_lacks(s, "[list]");
	assert_screen_lacks(s, "Facebook");
	free(s);
	/* the alternate screen and the keypad mode were left */
	assert_pane_format("#{alternate_on}", "0");
	assert_pane_format("#{keypad_cursor_flag}", "0");
}

/* j j Enter: the third story in the story pane, focus there. */
Test(e2e, detail, .timeout = 30)
{
	free(start_seeds());
	KEYS("j", "j");
	free(wait_for(" [list] 3/5"));
	KEYS("Enter");
	char *s = wait_for(" [story]");
	assert_line_starts(s, STATUS_ROW, " [story]");
	assert_screen_has(s, "Story: siliconangle.com");
	/* the whole title only fits in the story pane; the list row is cut */
	assert_screen_has(s, "Facebook’s new AI model SEER can teach itself to recognize images");
	assert_screen_has(s, "Provider   SiliconANGLE (siliconangle.com)");
	assert_screen_has(s, "Date       2021-03-04 17:42");
	free(s);
	assert_running();
}

/* The related view, a jump to a local story, back and forward. */
Test(e2e, related_and_jump, .timeout = 30)
{
	free(start_seeds());
	KEYS("j", "j");
	free(wait_for(" [list] 3/5"));
	KEYS("r");
	/* the related stories, the backlinks and the story's other outlets */
	char *s = wait_for(" [related] 1/10");
	assert_screen_has(s, "Related: Facebook’s new AI model SEER");

	/* the third related row is the local one, the VentureBeat seed */
	const char *p = strstr(s, "Related stories (7)\n");
	cr_assert_not_null(p, "no 'Related stories (7)' line:\n%s", s);
	p += strlen("Related stories (7)\n");
	char row[1024];
	int arrows = 0;
	for (int i = 0; i < 7; i++) {
		line_of(p, i, row, sizeof row);
		if (starts_with(row, "→ "))
			arrows++;
		if (i == 2) {
			cr_assert(starts_with(row, "→ "), "related row 3 is not local: '%s'", row);
			cr_assert(contains(row, "VentureBeat"), "related row 3: '%s'", row);
			cr_assert(contains(row, "Facebook’s new computer vision model achieves"),
				  "related row 3: '%s'", row);
		}
	}
	cr_assert_eq(arrows, 1, "%d local related rows, expected 1:\n%s", arrows, s);
	line_of(p, 7, row, sizeof row);
	cr_assert(starts_with(row, "Stories that link here ("), "after the related rows: '%s'",
		  row);
	free(s);

	KEYS("j", "j");
	free(wait_for(" [related] 3/10"));
	KEYS("Enter");
	s = wait_for("history: 1/1");
	assert_line_starts(s, STATUS_ROW, " [story]");
	assert_screen_has(s, "Story: venturebeat.com");
	assert_screen_has(s,
			  "Facebook’s new computer vision model achieves state-of-the-art performance");
	free(s);

	KEYS("h");
	s = wait_for("history: 0/1");
	assert_line_starts(s, STATUS_ROW, " [related] 3/10");
	assert_screen_has(s, "Related: Facebook’s new AI model SEER");
	assert_screen_has(s, "Related stories (7)");
	free(s);

	KEYS("l");
	s = wait_for("history: 1/1");
	assert_line_starts(s, STATUS_ROW, " [story]");
	assert_screen_has(s, "Story: venturebeat.com");
	assert_screen_has(s,
			  "Facebook’s new computer vision model achieves state-of-the-art performance");
	free(s);
	assert_running();
}

/* / seer Enter: the first match below the cursor is the Analytics Insight
 * story (its excerpt names SEER; search covers the excerpt), n the
 * SiliconANGLE one, N back. */
Test(e2e, search, .timeout = 30)
{
	free(start_seeds());
	KEYS("/");
	send_text("seer");
	char *s = wait_for("/seer");
	assert_line_starts(s, MESSAGE_ROW, "/seer");
	free(s);
	KEYS("Enter");
	s = wait_for("search: seer");
	assert_line_starts(s, STATUS_ROW, " [list] 2/5  sort: date desc  search: seer");
	assert_screen_has(s, "Story: analyticsinsight.net");
	assert_screen_has(s, "Facebook’s computer vision system supervises its own learning process");
	free(s);

	KEYS("n");
	s = wait_for(" [list] 3/5");
	assert_line_starts(s, STATUS_ROW, " [list] 3/5  sort: date desc  search: seer");
	assert_screen_has(s, "Story: siliconangle.com");
	assert_screen_has(s, "Facebook’s new AI model SEER can teach itself to recognize images");
	free(s);

	KEYS("N");
	s = wait_for(" [list] 2/5");
	assert_screen_has(s, "Story: analyticsinsight.net");
	free(s);
	assert_running();
}

/* s: by quality, best first; S: reversed. */
Test(e2e, sort, .timeout = 30)
{
	free(start_seeds());
	KEYS("s");
	char *s = wait_for("sort: quality desc");
	assert_line_has(s, 0, "Qual▼");
	assert_line_has(s, 1, "  2021-04-30 14:00   89  109 VentureBeat");
	assert_line_has(s, 1, "Facebook details self-supervised AI");
	assert_line_has(s, 2, "   74   94 VentureBeat");
	free(s);

	KEYS("S");
	s = wait_for("sort: quality asc");
	assert_line_has(s, 0, "Qual▲");
	assert_line_has(s, 1, "  2021-03-13 17:53   39    - Analytics Insight"); /* -1: not known */
	assert_line_has(s, 5, "  2021-04-30 14:00   89  109 VentureBeat");
	free(s);
	assert_running();
}

/* A URL full of shell syntax, in a YAML single-quoted scalar. */
static char *hostile_url(const char *sep)
{
	long pid = (long)getpid();
	return fmt("https://example.com/x?a=1;touch${IFS}/tmp/lede-e2e-pwned-%ld"
		   "&b=$(touch%s/tmp/lede-e2e-pwned2-%ld)|`id`'\"\\",
		   pid, sep, pid);
}

/* hostile_url("${IFS}") as the browser gets it: the characters no URL may
 * hold percent-encoded. */
static char *hostile_url_sent(void)
{
	long pid = (long)getpid();
	return fmt("https://example.com/x?a=1;touch$%%7BIFS%%7D/tmp/lede-e2e-pwned-%ld"
		   "&b=$(touch$%%7BIFS%%7D/tmp/lede-e2e-pwned2-%ld)%%7C%%60id%%60'%%22%%5C",
		   pid, pid);
}

/* Write the article *arts/a.md (*arts a new directory) whose webUrl is url,
 * and the config *conf running tests/fake-browser in the foreground; *log
 * is where the fake browser is to write (caller frees all three). */
static void browser_setup(const char *url, char **conf, char **arts, char **log)
{
	/* YAML single quotes: a quote is doubled, nothing else is special */
	size_t n = strlen(url);
	char *quoted = malloc(2 * n + 1);
	cr_assert_not_null(quoted);
	char *q = quoted;
	for (size_t i = 0; i < n; i++) {
		if (url[i] == '\'')
			*q++ = '\'';
		*q++ = url[i];
	}
	*q = '\0';

	*arts = fmt("%s/arts", E.dir);
	cr_assert_eq(mkdir(*arts, 0700), 0);
	char *article = fmt("%s/a.md", *arts);
	char *text = fmt("---\ntitle: \"Shell test\"\npublishedDateTime: 2021-01-01T00:00:00Z\n"
			 "webUrl: '%s'\n---\n",
			 quoted);
	write_file(article, text);

	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	*conf = fmt("%s/lede.conf", E.dir);
	char *conftext =
		fmt("set browser \"%s/tests/fake-browser %%u\"\nset browser-foreground yes\n", cwd);
	write_file(*conf, conftext);
	*log = fmt("%s/browser.log", E.dir);
	free(conftext);
	free(text);
	free(article);
	free(quoted);
}

static void assert_no_markers(void)
{
	long pid = (long)getpid();
	char *m1 = fmt("/tmp/lede-e2e-pwned-%ld", pid);
	char *m2 = fmt("/tmp/lede-e2e-pwned2-%ld", pid);
	bool e1 = access(m1, F_OK) == 0, e2 = access(m2, F_OK) == 0;
	unlink(m1);
	unlink(m2);
	cr_assert(!e1, "%s exists: a shell ran the URL", m1);
	cr_assert(!e2, "%s exists: a shell ran the URL", m2);
	free(m1);
	free(m2);
}

static void remove_stale_markers(void)
{
	long pid = (long)getpid();
	char *m1 = fmt("/tmp/lede-e2e-pwned-%ld", pid);
	char *m2 = fmt("/tmp/lede-e2e-pwned2-%ld", pid);
	unlink(m1);
	unlink(m2);
	free(m1);
	free(m2);
}

/* o runs the configured browser in the terminal with the URL as its one
 * argument, no shell, only the characters no URL may hold percent-encoded;
 * lede waits, then comes back. The URL has no space (${IFS} stands for
 * one): lede refuses URLs with spaces (see the next test). */
Test(e2e, browser, .timeout = 30)
{
	remove_stale_markers();
	char *url = hostile_url("${IFS}"), *sent = hostile_url_sent();
	char *conf, *arts, *log;
	browser_setup(url, &conf, &arts, &log);
	char *logenv = fmt("LEDE_FAKE_BROWSER_LOG=%s", log);
	start((const char *const[]){"-c", conf, arts, NULL}, (const char *const[]){logenv, NULL});

	char *s = wait_for(" [list] 1/1");
	assert_screen_has(s, "Shell test");
	free(s);
	KEYS("o");

	char *got = wait_file_holds(log, "--end--");
	char *want = fmt("%s\n--end--\n", sent);
	cr_assert_str_eq(got, want, "the browser's arguments differ");
	free(want);
	free(got);
	assert_no_markers();

	/* back in lede, redrawn, with a message about the open */
	char *opened = fmt("opened %.40s", sent);
	s = wait_for(opened);
	assert_line_starts(s, MESSAGE_ROW, opened);
	assert_line_starts(s, STATUS_ROW, " [list] 1/1  sort: date desc");
	assert_line_starts(s, 0, "   Date▼");
	assert_screen_has(s, "Shell test");
	free(s);
	assert_running();
	assert_pane_format("#{alternate_on}", "1");
	quit_ok();
	/* the browser ran once only */
	got = read_file_or_null(log);
	cr_assert_not_null(got);
	want = fmt("%s\n--end--\n", sent);
	cr_assert_str_eq(got, want);
	free(want);
	free(got);

	free(sent);
	free(opened);
	free(logenv);
	free(log);
	free(arts);
	free(conf);
	free(url);
}

/* The same URL with a real space in it: lede refuses it, runs nothing. */
Test(e2e, browser_refuses_space, .timeout = 30)
{
	remove_stale_markers();
	char *url = hostile_url(" ");
	char *conf, *arts, *log;
	browser_setup(url, &conf, &arts, &log);
	char *logenv = fmt("LEDE_FAKE_BROWSER_LOG=%s", log);
	start((const char *const[]){"-c", conf, arts, NULL}, (const char *const[]){logenv, NULL});

	free(wait_for(" [list] 1/1"));
	KEYS("o");
	char *refused = fmt("refusing to open '%.40s", url);
	char *s = wait_for(refused);
	assert_line_starts(s, MESSAGE_ROW, refused);
	free(s);
	char *got = read_file_or_null(log);
	cr_assert_null(got, "the browser ran: %s", got);
	assert_no_markers();
	assert_running();
	quit_ok();

	free(refused);
	free(logenv);
	free(log);
	free(arts);
	free(conf);
	free(url);
}

static bool pred_narrow(const char *screen, const void *arg)
{
	(void)arg;
	char row[1024];
	/* after the mark column: the story shown a second is read by then */
	return starts_with(line_of(screen, 1, row, sizeof row) + 1, "  2021-04-30   89");
}

/* The terminal shrinks to 60x20: lede lays the screen out again (at 60
 * columns the date column loses its time). */
Test(e2e, resize, .timeout = 30)
{
	free(start_seeds());
	char *out;
	int st = TMUX(&out, "resize-window", "-t", SESSION, "-x", "60", "-y", "20");
	cr_assert_eq(st, 0, "tmux resize-window failed: %s", out);
	free(out);
	assert_pane_format("#{pane_width}x#{pane_height}", "60x20");

	char *s = wait_until(pred_narrow, NULL, "the list row \"2021-04-30   89\" at 60 columns");
	assert_line_starts(s, 0, "   Date▼");
	assert_line_has(s, 1, "VentureBeat");
	assert_line_starts(s, 20 - 2, " [list] 1/5  sort: date desc");
	free(s);
	assert_running();
	quit_ok();
}

/* lede's pid: the child of the pane's wrapper shell. */
static pid_t lede_pid(void)
{
	char *pp = pane_format("#{pane_pid}");
	char *path = fmt("/proc/%s/task/%s/children", pp, pp);
	char *kids = read_file_or_null(path);
	cr_assert_not_null(kids, "cannot read %s", path);
	pid_t pid = (pid_t)atol(kids);
	cr_assert_gt(pid, 0, "no child in %s", path);
	free(kids);
	free(path);
	free(pp);
	return pid;
}

/* The state letter of process pid (R, S, T...). */
static char proc_state(pid_t pid)
{
	char *path = fmt("/proc/%ld/stat", (long)pid);
	char *st = read_file_or_null(path);
	cr_assert_not_null(st);
	const char *paren = strrchr(st, ')');
	char c = paren && paren[1] && paren[2] ? paren[2] : '?';
	free(st);
	free(path);
	return c;
}

static void wait_pane_format(const char *format, const char *want)
{
	long deadline = now_ms() + WAIT_MS;
	for (;;) {
		char *got = pane_format(format);
		bool same = !strcmp(got, want);
		free(got);
		if (same)
			return;
		if (now_ms() >= deadline)
			assert_pane_format(format, want); /* fails, saying what it is */
		nap_ms(POLL_MS);
	}
}

/* The daily loop in a real terminal: Enter opens, Space reads on through
 * the stories, ] opens the next unread one, A marks every listed story
 * read, y copies the URL with a recording copy command, e shows the file
 * in the pager and the screen comes back, C-z gives the terminal back and
 * stops, SIGCONT (fg) draws the reader again, Q quits from the story pane. */
Test(e2e, triage_loop, .timeout = 30)
{
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	char *clip = fmt("%s/clip", E.dir), *log = fmt("%s/pager.log", E.dir);
	char *conf = fmt("%s/lede.conf", E.dir);
	/* the watch off: here R alone reloads (the watch has its own test) */
	char *text = fmt("set copy-command \"tee '%s'\"\nset mark-read-on open\nset watch no\n"
			 "set group none\n",
			 clip);
	write_file(conf, text);
	char *pager = fmt("PAGER=%s/tests/fake-browser", cwd);
	char *logenv = fmt("LEDE_FAKE_BROWSER_LOG=%s", log);
	/* a copy of the seeds, for a file to be added to */
	char *news = fmt("%s/news", E.dir), *cp = fmt("cp -R seeds '%s'", news);
	cr_assert_eq(system(cp), 0);
	start((const char *const[]){"-c", conf, news, NULL},
	      (const char *const[]){pager, logenv, NULL});
	free(wait_for(" [list] 1/5"));

	KEYS("Enter");
	free(wait_for(" [story] line 1/"));
	KEYS("Space");
	free(wait_for("Links      2 related")); /* paged to the story's end */
	KEYS("Space");
	free(wait_for("Story: analyticsinsight.net"));
	KEYS("Space"); /* it fits its pane, its URLs a line each: on to the next */
	char *s = wait_for("Story: siliconangle.com");
	assert_line_has(s, STATUS_ROW, "unread: 2");
	free(s);

	KEYS("]");
	s = wait_for("unread: 1");
	assert_screen_has(s, "Facebook’s new computer vision model achieves state-of-the-art");
	free(s);
	KEYS("A");
	s = wait_for("marked 1 story read");
	assert_line_has(s, STATUS_ROW, "unread: 0");
	free(s);

	KEYS("y");
	char *got = wait_file_holds(clip, "https://venturebeat.com/2021/03/04/");
	cr_assert_str_eq(got, "https://venturebeat.com/2021/03/04/"
			      "facebooks-new-computer-vision-model-achieves-state-of-the-art-"
			      "performance-by-learning-from-random-images/");
	free(got);
	free(wait_for("copied https://venturebeat.com/2021/03/04/"));

	KEYS("e");
	got = wait_file_holds(log, "--end--");
	char *want = fmt("%s/000_05f876dcdba3f9f7.txt\n--end--\n", news);
	cr_assert_str_eq(got, want);
	free(want);
	free(got);
	wait_pane_format("#{alternate_on}", "1");
	free(wait_for(" [story] line 1/"));

	/* C-z: here lede's process group is orphaned (its shell's parent is
	 * the tmux server, in another session), so the kernel drops the stop
	 * that a login shell's job would take; what is seen is that the
	 * terminal is handed back and the reader redrawn, alive. */
	pid_t pid = lede_pid();
	KEYS("C-z");
	free(wait_for(" [story] line 1/"));
	cr_assert_neq(proc_state(pid), 'Z');
	KEYS("C-l");
	s = wait_for(" [story] line 1/");
	assert_screen_has(s, "Story: venturebeat.com");
	free(s);
	assert_running();

	/* a story added to the archive: R picks it up, unread, the story
	 * shown kept */
	char *added = fmt("%s/zz-added.md", news);
	write_file(added, "---\ntitle: \"A story pulled in a moment ago\"\n"
			  "publishedDateTime: 2031-01-01T00:00:00Z\n---\nBody.\n");
	KEYS("R");
	s = wait_for("+1 new");
	assert_screen_has(s, "A story pulled in a moment ago");
	assert_screen_has(s, "Story: venturebeat.com");
	assert_line_has(s, STATUS_ROW, "unread: 1");
	free(s);
	KEYS("R");
	free(wait_for("no change"));

	KEYS("Q");
	cr_assert_eq(wait_exit(), 0);
	free(added);
	free(cp);
	free(news);
	free(logenv);
	free(pager);
	free(text);
	free(conf);
	free(log);
	free(clip);
}

/* Line row of the screen with its attributes (capture-pane -e). */
static char *capture_line_e(int row, char *buf, size_t size)
{
	char *out;
	TMUX(&out, "capture-pane", "-p", "-e", "-t", SESSION);
	line_of(out, row, buf, size);
	free(out);
	return buf;
}

/* Does a captured line turn bold on (SGR 1, alone or after others)? */
static bool sgr_bold(const char *line)
{
	return contains(line, "\033[1m") || contains(line, ";1m") || contains(line, "\033[1;");
}

/* An unread story's row is bold as well as marked N; once read it is not. */
Test(e2e, unread_rows_bold, .timeout = 30)
{
	char *conf = fmt("%s/lede.conf", E.dir);
	write_file(conf, "set mark-read-on open\nset group none\n");
	start((const char *const[]){"-c", conf, "seeds", NULL}, NULL);
	free(wait_for(" [list] 1/5"));
	char row[2048];
	capture_line_e(2, row, sizeof row);
	cr_assert(sgr_bold(row) && contains(row, "Analytics Insight"),
		  "row 2 is not bold: %s", row);
	KEYS("j", "m");
	free(wait_for("marked read"));
	capture_line_e(2, row, sizeof row);
	cr_assert(!sgr_bold(row), "row 2 is still bold once read: %s", row);
	cr_assert(contains(row, "Analytics Insight"), "%s", row);
	free(conf);
}

/* copy-url with copy-command osc52: the URL reaches tmux's clipboard
 * through the terminal's sequence (base64 in it, nothing raw). */
Test(e2e, copy_url_osc52, .timeout = 30)
{
	char *conf = fmt("%s/lede.conf", E.dir);
	write_file(conf, "set copy-command osc52\nset mark-read-on open\nset group none\n");
	start((const char *const[]){"-c", conf, "seeds", NULL}, NULL);
	char *out;
	cr_assert_eq(TMUX(&out, "set-option", "-g", "set-clipboard", "on"), 0, "%s", out);
	free(out);
	free(wait_for(" [list] 1/5"));
	KEYS("j", "y");
	free(wait_for("copied https://www.analyticsinsight.net/"));
	long deadline = now_ms() + WAIT_MS;
	for (;;) {
		int st = TMUX(&out, "show-buffer");
		if (st == 0 && contains(out, "analyticsinsight"))
			break;
		cr_assert_lt(now_ms(), deadline, "no tmux buffer from OSC 52: %s", out);
		free(out);
		nap_ms(POLL_MS);
	}
	cr_assert_str_eq(out, "https://www.analyticsinsight.net/"
			      "facebooks-computer-vision-system-supervises-its-own-learning-process/");
	free(out);
	assert_running();
	free(conf);
}

/* Stories, not files, as a person goes through them: the facets pane, a
 * month added to the filter from it, the cluster expanded in place, and
 * one of its outlets opened in the browser (the fake one, which logs). */
Test(e2e, facets_cluster_outlet, .timeout = 30)
{
	remove_stale_markers();
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	char *conf = fmt("%s/flow.conf", E.dir), *log = fmt("%s/browser.log", E.dir);
	char *conftext = fmt("set browser \"%s/tests/fake-browser %%u\"\n"
			     "set browser-foreground yes\nset mark-read-on open\n",
			     cwd);
	write_file(conf, conftext);
	char *logenv = fmt("LEDE_FAKE_BROWSER_LOG=%s", log);
	start((const char *const[]){"-c", conf, "seeds", NULL}, (const char *const[]){logenv, NULL});

	/* grouped by default: the four outlets on SEER are one line, +3 */
	char *s = wait_for(" [list] 1/2 (5 files)");
	assert_screen_has(s, "+3 Facebook’s new computer vision");
	free(s);

	KEYS("F");
	s = wait_for(" [facets] 1/10");
	assert_screen_has(s, "Facets of 5 stories");
	assert_screen_has(s, "2021-03                  4");
	free(s);
	/* the ninth facet is the month of March 2021 */
	KEYS("j", "j", "j", "j", "j", "j", "j", "j", "Enter");
	s = wait_for("Facets of 4 stories"); /* counted on a thread: … until then */
	assert_screen_has(s, "filter: ~d 2021-03");
	assert_screen_has(s, "+ 2021-03");
	assert_line_starts(s, MESSAGE_ROW, "4 of 5 stories match");
	assert_screen_lacks(s, "Facebook details self-supervised");
	free(s);

	/* to the list, the cluster expanded: its lead and three outlets */
	KEYS("Tab");
	free(wait_for(" [list] 1/1"));
	KEYS("c");
	s = wait_for(" [list] 1/4");
	assert_screen_has(s, "Digital Trends");
	assert_screen_has(s, "SiliconANGLE");
	assert_screen_has(s, "Analytics Ins");
	free(s);
	KEYS("j", "j");
	s = wait_for(" [list] 3/4");
	assert_screen_has(s, "Story: siliconangle.com");
	free(s);
	KEYS("o");
	char *got = wait_file_holds(log, "--end--");
	cr_assert_str_eq(got,
			 "https://siliconangle.com/2021/03/04/"
			 "facebooks-new-ai-model-seer-can-teach-recognize-images/\n--end--\n");
	free(got);
	assert_no_markers();
	/* opening it read it: one unread story fewer */
	s = wait_for("unread: 4");
	assert_line_starts(s, STATUS_ROW, " [list] 3/4");
	free(s);
	quit_ok();

	free(logenv);
	free(conftext);
	free(log);
	free(conf);
}
