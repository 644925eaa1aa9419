/* The cache from the command line: --no-cache writes nothing; the first
 * run writes the cache and the second gives the same bytes from it; a
 * changed, added or deleted file is seen; a damaged cache is said once on
 * stderr, rebuilt, and changes nothing in the output.
 *
 * Each test has its own mkdtemp directory holding the cache home
 * (XDG_CACHE_HOME) and a copy of the archive whose files carry an old
 * mtime, and waits out the two seconds after the copy: the cache leaves
 * out files changed in the last seconds (ctime, which cannot be set
 * back, as well as mtime), and a fresh copy is that recent. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/util.h"

enum { OLD_SEC = 1600000000 };

static char *tmp, *archive, *cache_env;

static void copy_old(const char *src, const char *name)
{
	size_t len;
	char *data = slurp(src, &len);
	char *dst = xasprintf("%s/%s", archive, name);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "%s: %s", dst, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	struct timespec ts[2] = {{OLD_SEC, 0}, {OLD_SEC, 0}};
	cr_assert(utimensat(AT_FDCWD, dst, ts, 0) == 0);
	free(data);
	free(dst);
}

/* The seeds and a broken file (so that problems go through the cache). */
static void setup(void)
{
	const char *t = getenv("TMPDIR");
	tmp = xasprintf("%s/lede-cache-cli-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(tmp));
	archive = xasprintf("%s/archive", tmp);
	char *home = xasprintf("%s/cache", tmp);
	cr_assert(mkdir(archive, 0700) == 0 && mkdir(home, 0700) == 0);
	cache_env = xasprintf("XDG_CACHE_HOME=%s", home);
	free(home);
	DIR *d = opendir("seeds");
	cr_assert_not_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *src = xasprintf("seeds/%s", e->d_name);
		copy_old(src, e->d_name);
		free(src);
	}
	closedir(d);
	copy_old("tests/data/bad/wrong-types.md", "wrong-types.md");
	copy_old("tests/data/bad/no-close.md", "no-close.md");
	wait_until_not_racy();
}

static void teardown(void)
{
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	free(archive);
	free(cache_env);
	tmp = archive = cache_env = NULL;
}

TestSuite(cache_cli, .init = setup, .fini = teardown);

/* lede MODE [--no-cache] archive, with the test's cache home. */
static void run(struct run *r, const char *mode, bool no_cache)
{
	const char *env[] = {cache_env, "TZ=UTC", NULL};
	if (no_cache)
		run_lede(r, (const char *[]){mode, "--no-cache", archive, NULL}, env);
	else
		run_lede(r, (const char *[]){mode, archive, NULL}, env);
}

/* The cache files in the cache home (lede keeps one per set of roots). */
static size_t cache_files(char **only)
{
	char *dir = xasprintf("%s/cache/lede", tmp);
	size_t n = 0;
	DIR *d = opendir(dir);
	if (only)
		*only = NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);
			/* the coverage clusters beside it are no cache file */
			if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 6, ".cache"))
				continue;
			n++;
			if (only) {
				free(*only);
				*only = xasprintf("%s/%s", dir, e->d_name);
			}
		}
		closedir(d);
	}
	free(dir);
	return n;
}

/* The outputs of one set of runs: without the cache, the reference. */
struct outputs {
	struct run list, json, check;
};

static void run_all(struct outputs *o, bool no_cache)
{
	run(&o->list, "--list", no_cache);
	run(&o->json, "--json", no_cache);
	run(&o->check, "--check", no_cache);
}

static void free_all(struct outputs *o)
{
	run_free(&o->list);
	run_free(&o->json);
	run_free(&o->check);
}

static void assert_same_output(const struct run *want, const struct run *got, const char *what)
{
	cr_assert_eq(got->status, want->status, "%s: exit %d, not %d", what, got->status,
		     want->status);
	cr_assert_eq(got->out_len, want->out_len, "%s: stdout differs", what);
	cr_assert(!memcmp(got->out, want->out, want->out_len), "%s: stdout differs", what);
}

static void assert_same_outputs(const struct outputs *want, const struct outputs *got)
{
	assert_same_output(&want->list, &got->list, "--list");
	assert_same_output(&want->json, &got->json, "--json");
	assert_same_output(&want->check, &got->check, "--check");
	/* --check prints the problems on stderr: the same ones */
	cr_assert_str_eq(got->check.err, want->check.err);
}

static size_t count_lines_with(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *l = s; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *line = xstrndup(l, len);
		n += strstr(line, needle) != NULL;
		free(line);
		l += len + (nl != NULL);
	}
	return n;
}

Test(cache_cli, no_cache_writes_nothing)
{
	struct outputs o;
	run_all(&o, true);
	cr_assert_eq(o.list.status, 0);
	cr_assert_eq(cache_files(NULL), 0, "--no-cache wrote a cache");
	free_all(&o);
}

Test(cache_cli, second_run_is_byte_identical)
{
	struct outputs ref, first, second;
	run_all(&ref, true);
	cr_assert_eq(cache_files(NULL), 0);
	run_all(&first, false);
	cr_assert_eq(cache_files(NULL), 1, "the first run writes one cache file");
	run_all(&second, false);
	cr_assert_eq(cache_files(NULL), 1);
	assert_same_outputs(&ref, &first);
	assert_same_outputs(&ref, &second);
	/* the problems, and nothing about the cache */
	cr_assert_str_eq(first.list.err, ref.list.err);
	cr_assert_str_eq(second.list.err, ref.list.err);
	cr_assert_str_eq(second.json.err, ref.json.err);
	cr_assert_gt(count_lines_with(ref.check.err, "wrong-types.md:"), 0);
	free_all(&ref);
	free_all(&first);
	free_all(&second);
}

/* Rewrite an archive file; keep_stat puts its old size and mtime back. */
static void rewrite(const char *name, const char *from, const char *to, bool keep_stat,
		    long sec)
{
	char *path = xasprintf("%s/%s", archive, name);
	size_t len;
	char *data = slurp(path, &len);
	char *at = strstr(data, from);
	cr_assert_not_null(at, "%s has no '%s'", name, from);
	size_t fl = strlen(from), tl = strlen(to);
	if (keep_stat)
		cr_assert_eq(fl, tl);
	struct buf b = {0};
	buf_add(&b, data, (size_t)(at - data));
	buf_add(&b, to, tl);
	buf_add(&b, at + fl, len - (size_t)(at - data) - fl);
	int fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	cr_assert(utimensat(AT_FDCWD, path, ts, 0) == 0);
	buf_free(&b);
	free(data);
	free(path);
}

static char *title_line(const char *name)
{
	char *path = xasprintf("%s/%s", archive, name);
	char *data = slurp(path, NULL);
	char *t = strstr(data, "\ntitle: ");
	cr_assert_not_null(t);
	t += 8;
	char *title = xstrndup(t, strcspn(t, "\n"));
	free(data);
	free(path);
	return title;
}

Test(cache_cli, the_cache_is_used_and_changes_are_seen)
{
	const char *name = "000_05f876dcdba3f9f7.txt";
	char *title = title_line(name);
	cr_assert_gt(strlen(title), 6);
	struct run r;
	run(&r, "--list", false);
	char *cpath;
	cr_assert_eq(cache_files(&cpath), 1);
	run_free(&r);
	/* A run that takes every file from the cache leaves it as it is. */
	struct stat before, after;
	cr_assert(stat(cpath, &before) == 0);
	run(&r, "--list", false);
	cr_assert(stat(cpath, &after) == 0);
	cr_assert_eq(after.st_ino, before.st_ino, "the cache was rewritten: it missed");
	run_free(&r);

	/* Same size, same mtime, other bytes: the ctime tells. */
	char *same_len = xstrdup(title);
	memcpy(same_len + 1, "ZQZQZ", 5);
	rewrite(name, title, same_len, true, OLD_SEC);
	run(&r, "--list", false);
	cr_assert_eq(count_lines_with(r.out, "ZQZQZ"), 1, "the old title from the cache: %s",
		     r.out);
	run_free(&r);
	free(cpath);

	/* A real edit changes the mtime: it is read again. */
	rewrite(name, same_len, "\"Edited title of the cache test\"", false, OLD_SEC + 60);
	run(&r, "--list", false);
	cr_assert_eq(count_lines_with(r.out, "Edited title of the cache test"), 1, "%s", r.out);
	run_free(&r);

	/* An added file appears, a deleted one drops out. */
	copy_old("tests/corpus/SmartableAI__artificial-intelligence/"
		 "2020-04-17-microsoft-to-be-ai-partner-for-nba.md",
		 "added.md");
	char *gone = xasprintf("%s/001_f1014d9369e0f1d9.txt", archive);
	char *gone_title = title_line("001_f1014d9369e0f1d9.txt");
	/* the title as --list prints it: unquoted */
	char *bare = xstrndup(gone_title + 1, strlen(gone_title) - 2);
	run(&r, "--list", false);
	cr_assert_eq(count_lines_with(r.out, bare), 1);
	run_free(&r);
	cr_assert(unlink(gone) == 0);
	struct run json, ref;
	run(&r, "--list", false);
	run(&json, "--json", false);
	run(&ref, "--json", true);
	cr_assert_eq(count_lines_with(r.out, bare), 0, "deleted, still listed: %s", r.out);
	cr_assert_eq(count_lines_with(r.out, "Microsoft"), 1, "%s", r.out);
	cr_assert_eq(count_lines_with(json.out, "added.md"), 1);
	assert_same_output(&ref, &json, "--json after the changes");
	run_free(&r);
	run_free(&json);
	run_free(&ref);
	free(gone);
	free(gone_title);
	free(bare);
	free(same_len);
	free(title);
}

/* ---- damaged caches ---- */

static unsigned char *cache_bytes(char **path, size_t *len)
{
	cr_assert_eq(cache_files(path), 1);
	return (unsigned char *)slurp(*path, len);
}

static void put_bytes(const char *path, const unsigned char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

enum damage { TRUNCATED, FLIPPED, WRONG_VERSION, EMPTY, GARBAGE };

ParameterizedTestParameters(cache_cli, damaged_cache_is_rebuilt)
{
	static enum damage d[] = {TRUNCATED, FLIPPED, WRONG_VERSION, EMPTY, GARBAGE};
	return cr_make_param_array(enum damage, d, sizeof d / sizeof *d);
}

ParameterizedTest(enum damage *d, cache_cli, damaged_cache_is_rebuilt)
{
	struct outputs ref, warm;
	run_all(&ref, true);
	struct run r;
	run(&r, "--list", false);
	run_free(&r);
	char *path;
	size_t len;
	unsigned char *data = cache_bytes(&path, &len);
	cr_assert_gt(len, 64);
	switch (*d) {
	case TRUNCATED:
		put_bytes(path, data, len - 100);
		break;
	case FLIPPED:
		data[len / 2] ^= 0x04;
		put_bytes(path, data, len);
		break;
	case WRONG_VERSION:
		data[8] ^= 0x7f; /* the format version follows the magic */
		put_bytes(path, data, len);
		break;
	case EMPTY:
		put_bytes(path, data, 0);
		break;
	case GARBAGE:
		memset(data, 'x', len);
		put_bytes(path, data, len);
		break;
	}

	/* one line for the damage, in the list mode as in any other */
	run(&r, "--list", false);
	assert_same_output(&ref.list, &r, "--list with a damaged cache");
	cr_assert_eq(count_lines_with(r.err, "rebuilding"), 1, "stderr: %s", r.err);
	cr_assert(!strncmp(r.err, "lede: cache ", 12), "stderr: %s", r.err);
	const char *rest = strchr(r.err, '\n');
	cr_assert_not_null(rest);
	cr_assert_str_eq(rest + 1, ref.list.err, "after the one line, the problems as ever");
	run_free(&r);

	/* rebuilt: silent, and the same again */
	run_all(&warm, false);
	assert_same_outputs(&ref, &warm);
	cr_assert_str_eq(warm.list.err, ref.list.err);
	cr_assert_eq(count_lines_with(warm.check.err, "lede: cache "), 0, "%s", warm.check.err);
	free_all(&ref);
	free_all(&warm);
	free(data);
	free(path);
}

Test(cache_cli, damage_is_said_in_check_mode_too)
{
	struct run r;
	run(&r, "--list", false);
	run_free(&r);
	char *path;
	size_t len;
	unsigned char *data = cache_bytes(&path, &len);
	put_bytes(path, data, len / 3);
	run(&r, "--check", false);
	cr_assert_eq(count_lines_with(r.err, "lede: cache "), 1, "stderr: %s", r.err);
	cr_assert_eq(count_lines_with(r.out, "problems"), 1);
	run_free(&r);
	free(data);
	free(path);
}

/* A cache that cannot be written is said, and the output is unchanged. */
Test(cache_cli, unwritable_cache_is_said)
{
	if (geteuid() == 0)
		cr_skip_test("root writes anywhere");
	char *dir = xasprintf("%s/cache", tmp);
	cr_assert(chmod(dir, 0500) == 0);
	struct run ref, r;
	run(&ref, "--list", true);
	run(&r, "--list", false);
	assert_same_output(&ref, &r, "--list");
	cr_assert_eq(count_lines_with(r.err, "lede: cache "), 1, "stderr: %s", r.err);
	chmod(dir, 0700);
	run_free(&ref);
	run_free(&r);
	free(dir);
}

/* A list piped into a reader that quit before it began still leaves the
 * cache written, which the modes that print commit behind their printing:
 * the broken pipe's signal takes effect once the cache is in place. */
Test(cache_cli, a_broken_pipe_still_writes_the_cache)
{
	const char *bin = getenv("LEDE_BIN");
	int p[2], e[2];
	cr_assert(pipe(p) == 0 && pipe(e) == 0);
	close(p[0]); /* nobody reads: the first write breaks the pipe */
	char *home = xasprintf("%s/cache", tmp);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(e[1], 2);
		close(p[1]);
		close(e[0]);
		close(e[1]);
		signal(SIGPIPE, SIG_DFL); /* whatever the runner set */
		setenv("XDG_CACHE_HOME", home, 1);
		exec_lede(bin ? bin : "./lede", (const char *[]){"--list", archive, NULL});
	}
	close(p[1]);
	close(e[1]);
	struct buf err = {0};
	char chunk[4096];
	for (ssize_t k; (k = read(e[0], chunk, sizeof chunk)) != 0;) {
		if (k > 0)
			buf_add(&err, chunk, (size_t)k);
		else if (errno != EINTR)
			break;
	}
	close(e[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	/* the signal, as when nothing was behind: no word of the pipe */
	cr_assert(!err.len || !strstr(buf_str(&err), "stdout"), "stderr: %s", buf_str(&err));
	buf_free(&err);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "status %#x", status);
	cr_assert_eq(cache_files(NULL), 1, "the cache was not written");
	struct run r;
	run(&r, "--list", false);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines_with(r.err, "lede: cache "), 0, "stderr: %s", r.err);
	run_free(&r);
	free(home);
}

/* A search with the cache decodes only what matches: the list is the same
 * as without the cache, the problems too, whatever the pattern. */
Test(cache_cli, search_from_the_cache_lists_the_same)
{
	const char *patterns[] = {"seer", "SEER", "ai", "\\p{Lu}{3}", "no such words here", "."};
	const char *env[] = {cache_env, "TZ=UTC", NULL};
	struct run r;
	run(&r, "--list", false); /* writes the cache */
	run_free(&r);
	for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
		struct run ref, warm, sorted;
		run_lede(&ref, (const char *[]){"--list", "--no-cache", "-e", patterns[i], archive, NULL},
			 env);
		run_lede(&warm, (const char *[]){"--list", "-e", patterns[i], archive, NULL}, env);
		run_lede(&sorted, (const char *[]){"--list", "-s", "title", "-e", patterns[i], archive,
						   NULL},
			 env);
		assert_same_output(&ref, &warm, patterns[i]);
		cr_assert_str_eq(warm.err, ref.err, "%s", patterns[i]);
		cr_assert_eq(sorted.status, 0);
		run_free(&ref);
		run_free(&warm);
		run_free(&sorted);
	}
	/* nothing matches: still a success, and nothing said */
	run_lede(&r, (const char *[]){"--list", "-e", "no such words here", archive, NULL}, env);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	cr_assert_eq(count_lines_with(r.err, "no article"), 0, "%s", r.err);
	run_free(&r);
}
