/* spawn: fork + execvp for the programs the reader hands a file or a URL
 * to, in the foreground (a pager, an editor) or fed on stdin (a clipboard
 * command); and their argv from an environment variable. */
#define _GNU_SOURCE
#include "lede/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lede/compat.h"
#include "lede/config.h"

int spawn_file_argv(const char *const *vars, const char *fallback, const char *file, long line,
		    struct strlist *argv, char **err)
{
	const char *cmd = fallback, *from = NULL;
	for (const char *const *v = vars; *v; v++) {
		const char *e = getenv(*v);
		if (e && *e) {
			cmd = e;
			from = *v;
			break;
		}
	}
	struct strlist words = {0};
	char *why = NULL;
	if (config_split_words(cmd, &words, &why) < 0 || !words.n) {
		if (!why)
			why = xstrdup("no command");
		struct buf b = {0};
		buf_printf(&b, "%s%s", from ? "$" : "", from ? from : "the command");
		buf_puts(&b, ": ");
		buf_put_safe(&b, why, strlen(why));
		free(why);
		strlist_free(&words);
		*err = b.data;
		return -1;
	}
	for (size_t i = 0; i < words.n; i++)
		strlist_push(argv, words.v[i]);
	free(words.v);
	if (line > 0)
		strlist_pushf(argv, "+%ld", line);
	strlist_push(argv, file[0] == '-' ? xasprintf("./%s", file) : xstrdup(file));
	return 0;
}

/* A descriptor above 2, which the child replaces: fd itself, or a copy. */
static int above_stdio(int fd)
{
	if (fd > STDERR_FILENO)
		return fd;
	int d = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (d < 0)
		return fd;
	close(fd);
	return d;
}

/* Fork and exec argv; in_fd (-1: ours) becomes its stdin, and with quiet
 * its stdout and stderr are /dev/null. Returns the pid, or -1 with *err
 * the errno of what failed (an exec that failed is known at once: the
 * child writes its errno on a close-on-exec pipe). */
static pid_t start(char *const *argv, int in_fd, bool quiet, int *err)
{
	int fds[2];
	if (compat_pipe_cloexec(fds) < 0) {
		*err = errno;
		return -1;
	}
	fds[1] = above_stdio(fds[1]);
	int null_fd = quiet ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
	pid_t pid = fork();
	if (pid == 0) {
		compat_child_signals();
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		if (null_fd >= 0) {
			dup2(null_fd, STDOUT_FILENO);
			dup2(null_fd, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		int e = errno;
		if (write(fds[1], &e, sizeof e) < 0) {
			/* nothing more a child can do */
		}
		_exit(127);
	}
	int fork_errno = errno;
	if (null_fd >= 0)
		close(null_fd);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		*err = fork_errno;
		return -1;
	}
	int e = 0;
	ssize_t r;
	do
		r = read(fds[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(fds[0]);
	if (r == (ssize_t)sizeof e) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		*err = e;
		return -1;
	}
	return pid;
}

static char *cannot_run(const char *name, int e)
{
	struct buf b = {0};
	buf_puts(&b, "cannot run '");
	buf_put_safe(&b, name, strlen(name));
	buf_printf(&b, "': %s", strerror(e));
	return b.data;
}

/* Wait for pid: 0 for a clean exit, else -1 with *msg. */
static int finish(pid_t pid, const char *name, char **msg)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		*msg = cannot_run(name, errno);
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	struct buf b = {0};
	buf_putc(&b, '\'');
	buf_put_safe(&b, name, strlen(name));
	if (WIFEXITED(st))
		buf_printf(&b, "' exited with status %d", WEXITSTATUS(st));
	else
		buf_printf(&b, "' was killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	*msg = b.data;
	return -1;
}

int spawn_foreground(char *const *argv, char **msg)
{
	struct sigaction ign, old_int, old_quit;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	int e = 0, rc = -1;
	pid_t pid = start(argv, -1, false, &e);
	if (pid < 0)
		*msg = cannot_run(argv[0], e);
	else
		rc = finish(pid, argv[0], msg);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return rc;
}

int spawn_with_input(char *const *argv, const char *input, size_t len, char **msg)
{
	int fds[2];
	if (compat_pipe_cloexec(fds) < 0) {
		*msg = cannot_run(argv[0], errno);
		return -1;
	}
	/* a program that exits without reading all of it must not kill us */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	int e = 0, rc = -1;
	pid_t pid = start(argv, fds[0], true, &e);
	close(fds[0]);
	if (pid < 0) {
		*msg = cannot_run(argv[0], e);
	} else {
		for (size_t off = 0; off < len;) {
			ssize_t w = write(fds[1], input + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break; /* it stopped reading: its exit status says the rest */
			off += (size_t)w;
		}
		close(fds[1]);
		fds[1] = -1;
		rc = finish(pid, argv[0], msg);
	}
	if (fds[1] >= 0)
		close(fds[1]);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}
