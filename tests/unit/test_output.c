/* The command line's output: standard output that cannot take it (a full
 * device, a closed descriptor) is an error said in one line, never a cut
 * list that exits 0. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/util.h"

enum sink { SINK_FULL, SINK_CLOSED };

/* Run lede with standard output on /dev/full or closed; its stderr and
 * exit status come back in r (r->out stays empty). */
static void run_into(struct run *r, enum sink sink, const char *const *argv)
{
	char home[] = "/tmp/lede-out-XXXXXX";
	cr_assert_not_null(mkdtemp(home));
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	int pe[2];
	cr_assert_eq(pipe(pe), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(pe[0]);
		dup2(pe[1], 2);
		close(pe[1]);
		if (sink == SINK_FULL) {
			int fd = open("/dev/full", O_WRONLY);
			if (fd < 0 || dup2(fd, 1) < 0)
				_exit(126);
			close(fd);
		} else {
			close(1);
		}
		/* strerror() in the C locale, as the test compares it */
		setenv("LC_ALL", "C", 1);
		setenv("HOME", home, 1);
		setenv("XDG_CONFIG_HOME", home, 1);
		setenv("XDG_CACHE_HOME", home, 1);
		setenv("XDG_STATE_HOME", home, 1);
		size_t n = 0;
		while (argv[n])
			n++;
		const char **av = calloc(n + 2, sizeof *av);
		av[0] = bin;
		memcpy(av + 1, argv, n * sizeof *av);
		execv(bin, (char *const *)av);
		_exit(127);
	}
	close(pe[1]);
	struct buf err = {0};
	char tmp[4096];
	ssize_t got;
	while ((got = read(pe[0], tmp, sizeof tmp)) > 0)
		buf_add(&err, tmp, (size_t)got);
	close(pe[0]);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->err_len = err.len;
	r->err = (char *)buf_str(&err);
	r->out = xstrdup("");
	r->out_len = 0;
	char *cmd = xasprintf("rm -rf '%s'", home);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", home);
	free(cmd);
}

struct sink_case {
	const char *args[4];
	enum sink sink;
	const char *want; /* the whole of stderr */
};

ParameterizedTestParameters(output, stdout_failure)
{
	static struct sink_case cases[] = {
		/* 0 */ {{"--list", "seeds"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 1 */ {{"--list", "seeds"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 2 */ {{"--json", "seeds"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 3 */ {{"--json", "seeds"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 4 */ {{"--help"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 5 */ {{"--help"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 6 */ {{"--version"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 7 */ {{"--version"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 8 */ {{"--check", "seeds"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 9 */ {{"--check", "seeds"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 10: more than one stdio buffer, so a write fails before the end */
		{{"--json", "seeds", "tests/corpus"}, SINK_FULL, "lede: stdout: No space left on device\n"},
		/* 11 */
		{{"--json", "seeds", "tests/corpus"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 12 */ {{"-h"}, SINK_CLOSED, "lede: stdout: Bad file descriptor\n"},
		/* 13 */ {{"-V"}, SINK_FULL, "lede: stdout: No space left on device\n"},
	};
	return cr_make_param_array(struct sink_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct sink_case *c, output, stdout_failure)
{
	struct run r;
	run_into(&r, c->sink, c->args);
	cr_assert_eq(r.status, 1, "%s into %s: status %d", c->args[0],
		     c->sink == SINK_FULL ? "/dev/full" : "a closed stdout", r.status);
	cr_assert_str_eq(r.err, c->want);
	run_free(&r);
}

Test(output, list_into_a_pipe_is_whole)
{
	/* the same output as before when nothing fails, and status 0 */
	struct run r;
	run_lede(&r, (const char *[]){"--json", "seeds", "tests/corpus", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.err, "");
	size_t lines = 0;
	for (char *p = r.out; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 95);
	run_free(&r);
}

/* --- arguments quoted in messages ----------------------------------------- */

struct arg_case {
	const char *args[3];
	const char *want; /* the first line of stderr */
};

ParameterizedTestParameters(output, arguments_are_escaped_in_messages)
{
	static struct arg_case cases[] = {
		/* 0 */ {{"-s", "\x1b[31mdate"}, "lede: bad sort '\\x1b[31mdate': use date, quality, "
						 "heat, title or provider, optionally with :asc or :desc"},
		/* 1 */ {{"--sort=\x1b]0;owned\x07"}, "lede: bad sort '\\x1b]0;owned\\x07': use date, "
						     "quality, heat, title or provider, optionally "
						     "with :asc or :desc"},
		/* 2 */ {{"--size", "\x1b[31m"}, "lede: bad size '\\x1b[31m': use COLSxROWS"},
		/* 3 */ {{"--size=80x\x9b"}, "lede: bad size '80x\\x9b': use COLSxROWS"},
		/* 4 */ {{"--\x1b[2J"}, "lede: unrecognized option '--\\x1b[2J'"},
		/* 5 */ {{"-\x1b"}, "lede: invalid option -- '\\x1b'"},
		/* 6 */ {{"--list=\x1b[2J"}, "lede: option '--list' doesn't allow an argument"},
		/* 7 */ {{"--s\xe2\x80\xae"}, "lede: unrecognized option '--s\\u{202e}'"},
		/* 8 */ {{"-s"}, "lede: option requires an argument -- 's'"},
		/* 9 */ {{"--sort"}, "lede: option '--sort' requires an argument"},
		/* 10 */ {{"--s"}, "lede: option '--s' is ambiguous"},
	};
	return cr_make_param_array(struct arg_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct arg_case *c, output, arguments_are_escaped_in_messages)
{
	struct run r;
	run_lede(&r, c->args, (const char *[]){"LC_ALL=C.UTF-8", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "");
	cr_assert(!memchr(r.err, '\x1b', r.err_len), "a raw ESC on stderr: %s", r.err);
	cr_assert(!memmem(r.err, r.err_len, "\xc2\x9b", 2), "a raw C1 CSI on stderr");
	cr_assert(!memmem(r.err, r.err_len, "\xe2\x80\xae", 3), "a raw RLO on stderr");
	char *nl = strchr(r.err, '\n');
	cr_assert_not_null(nl);
	*nl = '\0';
	cr_assert_str_eq(r.err, c->want);
	run_free(&r);
}
