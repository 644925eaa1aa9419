/* browser: URL checks, argv building, fork + execvp, reaping. */
#define _GNU_SOURCE
#include "lede/browser.h"
#include "lede/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void safe_put(struct buf *b, const char *s)
{
	buf_put_safe(b, s, strlen(s));
}

/* ---- the URL check ---- */

static char *refuse(const char *url, const char *reason)
{
	struct buf b = {0};
	buf_puts(&b, "refusing to open '");
	safe_put(&b, url);
	buf_printf(&b, "': %s", reason);
	return b.data;
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The length of the RFC 3986 scheme before the ':' at url's front, or 0. */
static size_t scheme_len(const char *url)
{
	if (!is_alpha(url[0]))
		return 0;
	size_t n = 1;
	while (is_alpha(url[n]) || (url[n] >= '0' && url[n] <= '9') || url[n] == '+' ||
	       url[n] == '-' || url[n] == '.')
		n++;
	return url[n] == ':' ? n : 0;
}

/* What makes url unfit to leave the program, or NULL; *cp_out gets the
 * code point when it is a Unicode space or invisible character. */
static const char *url_flaw(const char *url, unsigned *cp_out)
{
	const char *p = url, *end = url + strlen(url);
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return "it holds a control character";
			if (c == ' ')
				return "it holds a space";
			p++;
			continue;
		}
		unsigned cp;
		int n = utf8_decode(p, (size_t)(end - p), &cp);
		if (!n)
			return "it is not valid UTF-8";
		/* C1 controls (U+0080..U+009F) are as dangerous on a terminal as C0. */
		if (cp < 0xa0)
			return "it holds a control character";
		/* A space or an invisible character can make the URL shown
		 * differ from the URL opened. */
		enum unicode_hidden kind = unicode_hidden_kind(cp);
		if (kind != UNICODE_SHOWN) {
			*cp_out = cp;
			return kind == UNICODE_SPACE ? "it holds a space"
						     : "it holds an invisible character";
		}
		p += n;
	}
	return NULL;
}

bool browser_url_ok(const char *url, const struct strlist *schemes, char **why)
{
	/* A browser would take "-oProxyCommand=..." as an option, not a page. */
	if (url[0] == '-') {
		*why = refuse(url, "it starts with '-'");
		return false;
	}
	unsigned cp = 0;
	const char *flaw = url_flaw(url, &cp);
	if (flaw) {
		char *reason = cp ? xasprintf("%s (U+%04X)", flaw, cp) : xstrdup(flaw);
		*why = refuse(url, reason);
		free(reason);
		return false;
	}
	size_t n = scheme_len(url);
	if (n == 0) {
		*why = refuse(url, "it is not a URL");
		return false;
	}
	for (size_t i = 0; i < schemes->n; i++)
		if (strlen(schemes->v[i]) == n && !strncasecmp(url, schemes->v[i], n))
			return true;
	char *scheme = xstrndup(url, n);
	struct buf reason = {0};
	buf_puts(&reason, "scheme '");
	safe_put(&reason, scheme);
	buf_puts(&reason, "' is not in browser-schemes");
	*why = refuse(url, reason.data);
	buf_free(&reason);
	free(scheme);
	return false;
}

/* The ASCII characters RFC 3986 allows nowhere in a URL but that are
 * printable: a browser or a shell script given the URL may take them for
 * its own syntax, so they leave as %XX, which every browser reads back. */
static bool needs_escape(char c)
{
	return c && strchr("\"<>\\^`{|}", c);
}

char *browser_url_encode(const char *url)
{
	struct buf b = {0};
	for (const char *p = url; *p; p++) {
		if (needs_escape(*p))
			buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&b, *p);
	}
	buf_str(&b);
	return b.data;
}

/* ---- the command ---- */

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Would execvp find prog? Searched as execvp does, so $BROWSER's choice
 * matches what then runs. */
static bool program_found(const char *prog)
{
	if (!*prog)
		return false;
	if (strchr(prog, '/'))
		return is_executable_file(prog);
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin"; /* glibc execvp's own default */
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		/* An empty entry means the current directory. */
		char *full = n ? xasprintf("%.*s/%s", (int)n, p, prog) : xasprintf("./%s", prog);
		bool ok = is_executable_file(full);
		free(full);
		if (ok)
			return true;
		if (p[n] == '\0')
			return false;
		p += n + 1;
	}
}

/* The first usable entry of $BROWSER, or NULL; the caller frees. */
static char *browser_from_env(void)
{
	const char *env = getenv("BROWSER");
	if (!env)
		return NULL;
	for (const char *p = env;;) {
		size_t n = strcspn(p, ":");
		char *entry = xstrndup(p, n);
		struct strlist words = {0};
		char *err = NULL;
		if (config_split_words(entry, &words, &err) == 0 && words.n > 0 &&
		    program_found(words.v[0])) {
			strlist_free(&words);
			return entry;
		}
		free(err);
		strlist_free(&words);
		free(entry);
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* word with its placeholders replaced; sets *used when the url went in. */
static char *expand_word(const char *word, const char *url, bool take_s, bool *used)
{
	struct buf b = {0};
	for (const char *p = word; *p; p++) {
		if (p[0] == '%' && (p[1] == 'u' || (take_s && p[1] == 's'))) {
			buf_puts(&b, url);
			*used = true;
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_putc(&b, '%');
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	buf_str(&b); /* an empty word is still a string */
	return b.data;
}

int browser_argv(const struct config *c, const char *url, struct strlist *argv, char **err)
{
	char *env_cmd = NULL;
	const char *cmd = "xdg-open";
	if (c->browser && *c->browser)
		cmd = c->browser;
	else if ((env_cmd = browser_from_env()))
		cmd = env_cmd;

	struct strlist words = {0};
	char *why = NULL;
	int rc = -1;
	if (config_split_words(cmd, &words, &why) < 0) {
		*err = xasprintf("bad browser command: %s", why);
		free(why);
		goto out;
	}
	if (words.n == 0) {
		*err = xstrdup("the browser command is empty");
		goto out;
	}
	struct strlist out = {0};
	bool used = false;
	for (size_t i = 0; i < words.n; i++) {
		strlist_push(&out, expand_word(words.v[i], url, env_cmd != NULL, &used));
		/* The program itself must come from the person, never from data. */
		if (i == 0 && used) {
			strlist_free(&out);
			*err = xstrdup("the browser command must start with a program, not %u");
			goto out;
		}
	}
	if (!used)
		strlist_push(&out, xstrdup(url));
	for (size_t i = 0; i < out.n; i++)
		strlist_push(argv, out.v[i]);
	free(out.v);
	rc = 0;
out:
	strlist_free(&words);
	free(env_cmd);
	return rc;
}

/* ---- running it ---- */

struct child {
	pid_t pid;
	char *name; /* argv[0], for messages */
};

/* Background browsers not yet reaped. Main thread only, like curses. */
static struct child *children;
static size_t nchildren, capchildren;

/* Runs in the child between fork and exec: async-signal-safe calls only,
 * since the parent may have other threads. */
static void child_setup(bool background)
{
	/* the browser starts with the signals' defaults, not with ours */
	compat_child_signals();
	if (!background)
		return;
	/* Its own session: no controlling terminal, so it can never draw over
	 * the curses screen or read our keys. */
	setsid();
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static pid_t wait_for(pid_t pid, int *status)
{
	pid_t r;
	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Fork and exec argv. Returns the pid, or -1 with *exec_errno when the
 * program could not be started (the child, if any, already reaped). */
static pid_t spawn(char **argv, bool background, int *exec_errno)
{
	/* The child writes errno here if exec fails; close-on-exec makes a
	 * successful exec read as end of file, so we know at once either way. */
	int fds[2];
	if (compat_pipe_cloexec(fds) < 0) {
		*exec_errno = errno;
		return -1;
	}
	/* Keep the write end clear of 0..2, which the child replaces. */
	if (fds[1] <= STDERR_FILENO) {
		int fd = fcntl(fds[1], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (fd >= 0) {
			close(fds[1]);
			fds[1] = fd;
		}
	}
	pid_t pid = fork();
	if (pid < 0) {
		*exec_errno = errno;
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_setup(background);
		execvp(argv[0], argv);
		int e = errno;
		if (write(fds[1], &e, sizeof e) < 0) {
			/* nothing more a child can do */
		}
		_exit(127);
	}
	close(fds[1]);
	int e = 0;
	ssize_t r;
	do
		r = read(fds[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(fds[0]);
	if (r == (ssize_t)sizeof e) {
		int status;
		wait_for(pid, &status);
		*exec_errno = e;
		return -1;
	}
	return pid;
}

/* NULL when status is a clean exit, else the message; the caller frees. */
static char *status_msg(const char *name, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	struct buf b = {0};
	buf_putc(&b, '\'');
	safe_put(&b, name);
	if (WIFEXITED(status))
		buf_printf(&b, "' exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		buf_printf(&b, "' was killed by signal %d", WTERMSIG(status));
	else
		buf_puts(&b, "' stopped");
	return b.data;
}

int browser_open(const struct config *c, const char *url, char **msg)
{
	if (!browser_url_ok(url, &c->browser_schemes, msg))
		return -1;
	char *encoded = browser_url_encode(url);
	url = encoded;
	struct strlist args = {0};
	if (browser_argv(c, url, &args, msg) < 0) {
		free(encoded);
		return -1;
	}
	/* execvp wants a NULL-terminated array; built before fork, since the
	 * child may not allocate. */
	strlist_push(&args, NULL);
	args.n--;
	char **argv = args.v;
	bool bg = !c->browser_foreground;

	/* As system() does: while the browser has the terminal, ^C is for it. */
	struct sigaction ign, old_int, old_quit;
	if (!bg) {
		memset(&ign, 0, sizeof ign);
		ign.sa_handler = SIG_IGN;
		sigemptyset(&ign.sa_mask);
		sigaction(SIGINT, &ign, &old_int);
		sigaction(SIGQUIT, &ign, &old_quit);
	}

	int rc = -1, e = 0;
	struct buf b = {0};
	pid_t pid = spawn(argv, bg, &e);
	if (pid < 0) {
		buf_puts(&b, "cannot run '");
		safe_put(&b, argv[0]);
		buf_printf(&b, "': %s", strerror(e));
	} else if (bg) {
		children = xgrow(children, &capchildren, nchildren + 1, sizeof *children);
		children[nchildren++] = (struct child){pid, xstrdup(argv[0])};
		rc = 0;
	} else {
		int status;
		if (wait_for(pid, &status) < 0) {
			buf_puts(&b, "cannot wait for '");
			safe_put(&b, argv[0]);
			buf_printf(&b, "': %s", strerror(errno));
		} else {
			char *m = status_msg(argv[0], status);
			if (m)
				buf_puts(&b, m);
			else
				rc = 0;
			free(m);
		}
	}
	if (!bg) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
	}
	if (rc == 0) {
		buf_puts(&b, "opened ");
		safe_put(&b, url);
		buf_puts(&b, " with ");
		safe_put(&b, argv[0]);
	}
	*msg = b.data;
	strlist_free(&args);
	free(encoded);
	return rc;
}

int browser_reap(char **msg)
{
	for (size_t i = 0; i < nchildren;) {
		int status;
		pid_t r = waitpid(children[i].pid, &status, WNOHANG);
		if (r == 0) {
			i++;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* Reaped now, or gone already (ECHILD: SIGCHLD ignored elsewhere):
		 * either way it is no longer ours to wait for. */
		struct child ch = children[i];
		children[i] = children[--nchildren];
		char *m = r > 0 ? status_msg(ch.name, status) : NULL;
		free(ch.name);
		if (m) {
			*msg = m;
			return 1;
		}
	}
	return 0;
}
