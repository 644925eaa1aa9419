/* Hostile archives: every kind of bad file, each with its exact message, and
 * the rest of the archive still loaded. Big and special files are made at
 * run time in a temporary copy of tests/data/hostile-archive. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/article.h"
#include "lede/store.h"
#include "lede/util.h"

static char dir[64];

static void put(const char *name, const char *text, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "%s", p);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	free(p);
}

static void make_archive(void)
{
	strcpy(dir, "/tmp/lede-hostile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char *cmd = xasprintf("cp -p tests/data/hostile-archive/* '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);

	/* a 10 MB title: over the default limit, and loadable under a bigger one */
	struct buf b = {0};
	buf_puts(&b, "---\nwebUrl: \"https://h.example/big-title\"\ntitle: \"");
	for (int i = 0; i < 10 * 1024 * 1024 / 16; i++)
		buf_puts(&b, "very long title ");
	buf_puts(&b, "\"\n---\n");
	put("big-title.md", b.data, b.len);
	b.len = 0;
	/* 100,000 related stories */
	buf_puts(&b, "---\ntitle: \"Many related\"\nwebUrl: \"https://h.example/many\"\nrelated:\n");
	for (int i = 0; i < 100000; i++)
		buf_printf(&b, "  - {webUrl: \"r%d\"}\n", i);
	buf_puts(&b, "---\n");
	put("many-related.md", b.data, b.len);
	b.len = 0;
	/* nesting 10,000 levels deep, under a key lede does not know */
	buf_puts(&b, "---\ntitle: \"Deep\"\nwebUrl: \"https://h.example/deep\"\nextra: ");
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '[');
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, ']');
	buf_puts(&b, "\n---\n");
	put("deep.md", b.data, b.len);
	buf_free(&b);

	char *p = xasprintf("%s/fifo.md", dir);
	cr_assert_eq(mkfifo(p, 0600), 0);
	free(p);
	p = xasprintf("%s/device.md", dir);
	cr_assert_eq(symlink("/dev/zero", p), 0);
	free(p);
	p = xasprintf("%s/self-link.md", dir);
	cr_assert_eq(symlink("self-link.md", p), 0);
	free(p);
	p = xasprintf("%s/loop", dir);
	cr_assert_eq(symlink(".", p), 0);
	free(p);
}

static void remove_archive(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
	free(cmd);
}

TestSuite(hostile, .init = make_archive, .fini = remove_archive, .timeout = 60);

/* The problems, with the temporary directory's name taken out. */
static char *problems_of(const struct store *s)
{
	struct buf b = {0};
	size_t dl = strlen(dir);
	for (size_t i = 0; i < s->problems.n; i++) {
		const char *m = s->problems.v[i];
		buf_puts(&b, strncmp(m, dir, dl) ? m : m + dl + 1);
		buf_putc(&b, '\n');
	}
	return (char *)buf_str(&b);
}

Test(hostile, each_with_its_message)
{
	struct store s;
	store_init(&s);
	const char *paths[] = {dir};
	/* links followed (-L), so that those to a device, to themselves
	 * and back to a parent are met */
	struct store_opts follow = {.follow_links = true};
	store_load(&s, paths, 1, &follow);
	char *got = problems_of(&s);
	/* what the walk met comes first, then each file's own, in path order */
	const char *want =
		"device.md: not a regular file, skipped\n"
		"fifo.md: not a regular file, skipped\n"
		"loop: directory loop (a link back to a parent), not followed\n"
		"self-link.md: cannot read: Too many levels of symbolic links\n"
		"alias-bomb.md:14:9: 'topics': aliases are not supported\n"
		"alias-bomb.md:15:10: 'excerpt': aliases are not supported\n"
		"bad-utf8.md:2:14: YAML syntax error: invalid trailing UTF-8 octet (byte 0x28)\n"
		"big-title.md: larger than the 4194304 byte limit, skipped\n"
		"dates.md:3:20: 'publishedDateTime' is not an ISO 8601 date: \"10000-01-01T00:00:00Z\"\n"
		"dates.md:7:24: 'publishedDateTime' is not an ISO 8601 date: \"0000-12-31\"\n"
		"duplicate.md:3:1: duplicate key 'title' (the first one is kept)\n"
		"list.md:2:1: front matter should be a mapping, not a list\n"
		"many-related.md:261:5: 'related' has more than 256 items, the rest left out\n"
		"nul.md:2:13: YAML syntax error: control characters are not allowed (byte 0x00)\n"
		"numbers.md:3:10: 'quality' is out of range: \"2147483648\"\n"
		"numbers.md:4:7: 'heat' is out of range: \"-99999999999999999999\"\n"
		"scalar.md:2:1: front matter should be a mapping, not a scalar\n"
		"tab-indent.md:4:1: YAML syntax error: found character that cannot start any token "
		"(while scanning for the next token at 4:1)\n"
		"unclosed.md:1:1: front matter is not closed: no '---' line after line 1\n";
	cr_assert_str_eq(got, want);
	free(got);
	/* binary.md and empty.md do not start with '---': met by the walk,
	 * not articles, and no problem */
	cr_assert_eq(s.not_articles, 2);
	/* what is good still loads, and the damaged-but-readable keep their fields */
	static const char *const loaded[] = {"alias-bomb.md", "bom.md", "crlf.md", "dates.md",
					     "deep.md", "duplicate.md", "many-related.md",
					     "numbers.md", "tab-value.md"};
	cr_assert_eq(s.n, sizeof loaded / sizeof *loaded);
	for (size_t i = 0; i < s.n; i++) {
		const char *name = strrchr(s.v[i]->path, '/') + 1;
		cr_assert_str_eq(name, loaded[i]);
	}
	cr_assert_str_eq(find_article(&s, "bom.md")->title, "With a BOM");
	cr_assert_eq(find_article(&s, "crlf.md")->quality, 3);
	cr_assert_str_eq(find_article(&s, "tab-value.md")->title, "Tab\tin a value");
	cr_assert_str_eq(find_article(&s, "duplicate.md")->title, "First title");
	cr_assert_eq(find_article(&s, "many-related.md")->nrelated, ARTICLE_RELATED_MAX);
	cr_assert_eq(find_article(&s, "alias-bomb.md")->ntopics, 0);
	store_free(&s);
}

/* Under a raised size limit the file loads, its title cut to the most an
 * article keeps. */
Test(hostile, a_raised_limit_loads_the_10mb_title_cut)
{
	struct store s;
	store_init(&s);
	char *p = xasprintf("%s/big-title.md", dir);
	struct store_opts o = {.max_file_size = 32u << 20};
	store_load(&s, (const char *const *)&p, 1, &o);
	cr_assert_eq(s.problems.n, 1);
	char *want = xasprintf("%s:3:8: 'title' is longer than %d bytes, cut", p, ARTICLE_TITLE_MAX);
	cr_assert_str_eq(s.problems.v[0], want);
	free(want);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(strlen(s.v[0]->title), ARTICLE_TITLE_MAX);
	store_free(&s);
	free(p);
}

/* The message for a file lede may not read; as root (who reads every file)
 * the load runs in a child that has become "nobody" first. */
Test(hostile, an_unreadable_file)
{
	char *p = xasprintf("%s/secret.md", dir);
	put("secret.md", "---\ntitle: \"x\"\n---\n", 18);
	cr_assert_eq(chmod(p, 0), 0);
	char *want = xasprintf("%s: cannot read: Permission denied", p);
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		struct store s;
		store_init(&s);
		store_load(&s, (const char *const *)&p, 1, NULL);
		const char *got = s.problems.n == 1 ? s.problems.v[0] : "(not one problem)";
		if (write(fds[1], got, strlen(got)) < 0)
			_exit(4);
		_exit(s.n == 0 && !strcmp(got, want) ? 0 : 1);
	}
	close(fds[1]);
	char got[512] = "";
	ssize_t n = read(fds[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status), "the reading child died");
	cr_assert_neq(WEXITSTATUS(status), 3, "could not become nobody");
	cr_assert_str_eq(got, want);
	cr_assert_eq(WEXITSTATUS(status), 0);
	free(want);
	free(p);
}

/* A file deleted between the walk that found it and its reading. */
static void pull_away(void *ctx, const char *path)
{
	(void)ctx;
	size_t n = strlen(path);
	if (n > 13 && !strcmp(path + n - 13, "/vanishing.md"))
		unlink(path);
}

Test(hostile, a_file_deleted_between_scan_and_read)
{
	put("vanishing.md", "---\ntitle: \"Soon gone\"\n---\n", 28);
	struct store s;
	store_init(&s);
	const char *paths[] = {dir};
	struct store_opts o = {.before_read = pull_away};
	store_load(&s, paths, 1, &o);
	bool found = false;
	for (size_t i = 0; i < s.problems.n; i++) {
		const char *m = s.problems.v[i] + strlen(dir) + 1;
		if (!strcmp(m, "vanishing.md: cannot read: No such file or directory"))
			found = true;
	}
	cr_assert(found, "no message for the vanished file");
	cr_assert_null(find_article(&s, "vanishing.md"));
	cr_assert_not_null(find_article(&s, "bom.md"), "the rest still loads");
	store_free(&s);
}
