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
#include "lede/output.h"
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
		exec_lede(bin, argv);
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
		/* 11: inside a bundle, after a long option */
		{{"--list", "-\x1bV"}, "lede: invalid option -- '\\x1b'"},
		/* 12 */ {{"seeds", "--\x1b=1"}, "lede: unrecognized option '--\\x1b'"},
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

/* --- --list escaping -------------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The decoder README.md and lede(1) describe: the field's bytes again, or
 * false for a sequence the format never writes. */
static bool list_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t' || s[i] == '\n')
			return false; /* never inside a field */
		if (s[i] != '\\') {
			buf_add(out, s + i, 1);
			continue;
		}
		if (++i >= n)
			return false;
		char c = s[i];
		int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
		if (c == '\\' || c == 't' || c == 'n' || c == 'r') {
			buf_putc(out, c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : '\\');
			continue;
		}
		if (!digits || i + (size_t)digits >= n)
			return false;
		unsigned v = 0;
		for (int d = 1; d <= digits; d++) {
			if (hexval(s[i + (size_t)d]) < 0)
				return false;
			v = v << 4 | (unsigned)hexval(s[i + (size_t)d]);
		}
		i += (size_t)digits;
		if (c == 'x')
			buf_putc(out, (char)v);
		else
			buf_put_utf8(out, v);
	}
	return true;
}

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen */
	const char *want;
};

ParameterizedTestParameters(output, list_escape)
{
	static struct esc_case cases[] = {
		/* 0 */ {"plain text", 0, "plain text"},
		/* 1 */ {"\x1b[31m", 0, "\\x1b[31m"},
		/* 2 */ {"\\x1b", 0, "\\\\x1b"},
		/* 3 */ {"a\\b", 0, "a\\\\b"},
		/* 4 */ {"\t\n\r", 0, "\\t\\n\\r"},
		/* 5 */ {"\x01\x7f", 0, "\\x01\\x7f"},
		/* 6: NUL, in a field given with its length */
		{"a\0b", 3, "a\\x00b"},
		/* 7: C1 CSI and NEL, as UTF-8 */ {"\xc2\x9b\xc2\x85", 0, "\\xc2\\x9b\\xc2\\x85"},
		/* 8: bytes that are not UTF-8 */ {"\xff\x9b\xc3", 0, "\\xff\\x9b\\xc3"},
		/* 9: a truncated sequence, then ASCII */ {"\xe2\x80" "a", 0, "\\xe2\\x80a"},
		/* 10 */ {"a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", 0, "a\\u2028b\\u2029c"},
		/* 11: RLO, ZWSP, BOM */
		{"\xe2\x80\xae\xe2\x80\x8b\xef\xbb\xbf", 0, "\\u202e\\u200b\\ufeff"},
		/* 12: tag characters */ {"\xf3\xa0\x81\x81\xf3\xa0\x81\xbf", 0, "\\U000e0041\\U000e007f"},
		/* 13: other UTF-8 as is */
		{"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xc2\xa0", 0,
		 "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xc2\xa0"},
		/* 14: an encoded surrogate is not UTF-8 */ {"\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},
		/* 15 */ {"", 0, ""},
	};
	return cr_make_param_array(struct esc_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct esc_case *c, output, list_escape)
{
	size_t n = c->len ? c->len : strlen(c->in);
	struct buf b = {0}, back = {0};
	output_list_escape(&b, c->in, n);
	cr_assert_str_eq(buf_str(&b), c->want);
	cr_assert(list_decode(b.data, b.len, &back), "cannot decode %s", b.data);
	cr_assert_eq(back.len, n);
	cr_assert(!memcmp(buf_str(&back), c->in, n), "the round trip changed the bytes");
	buf_free(&b);
	buf_free(&back);
}

/* Every byte pair and every code point: decodable back to the same bytes,
 * and nothing a terminal could act on left raw. */
Test(output, list_escape_round_trips_everything)
{
	struct buf b = {0}, back = {0};
	for (unsigned x = 0; x < 65536; x++) {
		char s[2] = {(char)(x >> 8), (char)x};
		b.len = back.len = 0;
		output_list_escape(&b, s, 2);
		cr_assert(list_decode(b.data, b.len, &back));
		cr_assert(back.len == 2 && !memcmp(back.data, s, 2), "%04x", x);
		for (size_t i = 0; i < b.len; i++) {
			unsigned char c = (unsigned char)b.data[i];
			cr_assert(c >= 0x20 && c != 0x7f, "%04x: raw control %02x", x, c);
		}
	}
	for (unsigned cp = 0x80; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		struct buf in = {0};
		buf_put_utf8(&in, cp);
		b.len = back.len = 0;
		output_list_escape(&b, in.data, in.len);
		cr_assert(list_decode(b.data, b.len, &back));
		cr_assert(back.len == in.len && !memcmp(back.data, in.data, in.len), "U+%04X", cp);
		bool raw = b.len == in.len;
		if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029 || unicode_is_invisible_format(cp))
			cr_assert(!raw, "U+%04X is written raw", cp);
		buf_free(&in);
	}
	buf_free(&b);
	buf_free(&back);
}

/* An archive of one article a title, written as YAML. */
static char *archive_of(const char *const *titles, size_t n)
{
	char *dir = xstrdup("/tmp/lede-list-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%zu.md", dir, i);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fprintf(f,
			"---\ntitle: \"%s\"\nwebUrl: \"https://example.com/%zu\"\n"
			"publishedDateTime: 2021-03-0%zuT07:00:00Z\n---\n",
			titles[i], i, i + 1);
		fclose(f);
		free(path);
	}
	return dir;
}

/* Remove an archive_of directory and free its name. */
static void drop_archive(char *dir)
{
	remove_tree(dir);
	free(dir);
}

Test(output, list_titles_decode_to_their_bytes)
{
	/* YAML escapes, and the bytes the parser makes of them */
	static const char *const yaml[] = {
		"\\e[31mred",        "\\\\x1b[31mred",      "back\\\\slash\\\\",
		"tab\\there",        "new\\nline\\r",       "line\\u2028sep\\u2029par",
		"c1\\x9bcsi",        "rlo\\u202eevil",      "tag\\U000E0041\\U000E007F",
	};
	static const char *const bytes[] = {
		"\x1b[31mred",       "\\x1b[31mred",        "back\\slash\\",
		"tab\there",         "new\nline\r",         "line\xe2\x80\xa8sep\xe2\x80\xa9par",
		"c1\xc2\x9b" "csi",  "rlo\xe2\x80\xae" "evil", "tag\xf3\xa0\x81\x81\xf3\xa0\x81\xbf",
	};
	size_t n = sizeof yaml / sizeof *yaml;
	char *dir = archive_of(yaml, n);
	struct run r;
	run_lede(&r, (const char *[]){"--list", "--no-cache", "-s", "date:asc", dir, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	/* a real ESC and the text \x1b are told apart */
	cr_assert(strstr(r.out, "\t\\x1b[31mred\t") != NULL);
	cr_assert(strstr(r.out, "\t\\\\x1b[31mred\t") != NULL);
	cr_assert(strstr(r.out, "\tline\\u2028sep\\u2029par\t") != NULL);
	char *line = r.out;
	for (size_t i = 0; i < n; i++) {
		char *nl = strchr(line, '\n');
		cr_assert_not_null(nl, "line %zu missing", i);
		*nl = '\0';
		/* six fields: the title is the fifth */
		char *f = line;
		for (int k = 0; k < 4; k++) {
			f = strchr(f, '\t');
			cr_assert_not_null(f, "line %zu: %s", i, line);
			f++;
		}
		char *end = strchr(f, '\t');
		cr_assert_not_null(end);
		cr_assert_null(strchr(end + 1, '\t'), "line %zu has more than six fields", i);
		cr_assert_null(memchr(line, '\x1b', (size_t)(nl - line)));
		struct buf back = {0};
		cr_assert(list_decode(f, (size_t)(end - f), &back), "line %zu: %s", i, f);
		cr_assert_str_eq(buf_str(&back), bytes[i], "line %zu: %s", i, f);
		buf_free(&back);
		line = nl + 1;
	}
	cr_assert_str_eq(line, "", "more lines than articles");
	run_free(&r);
	drop_archive(dir);
}

/* --- --json and file names that are not UTF-8 ---------------------------- */

static int b64val(char c)
{
	const char *d = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(d, c) : NULL;
	return p ? (int)(p - d) : -1;
}

/* The string value of "key":"..." in a JSON line (no escapes in it), or
 * NULL when the line has no such key. */
static char *json_field(const char *line, const char *key)
{
	char *k = xasprintf("\"%s\":\"", key);
	const char *p = strstr(line, k);
	size_t kl = strlen(k);
	free(k);
	if (!p)
		return NULL;
	p += kl;
	const char *e = strchr(p, '"');
	cr_assert_not_null(e);
	return xstrndup(p, (size_t)(e - p));
}

static char *base64_decode(const char *s)
{
	struct buf b = {0};
	size_t n = strlen(s);
	cr_assert_eq(n % 4, 0, "base64 of length %zu", n);
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
			cr_assert_geq(v[k], 0, "not base64: %s", s);
		}
		unsigned w = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
		char o[3] = {(char)(w >> 16), (char)(w >> 8), (char)w};
		buf_add(&b, o, s[i + 2] == '=' ? 1 : s[i + 3] == '=' ? 2 : 3);
	}
	return (char *)buf_str(&b);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

Test(output, json_finds_a_non_utf8_file_again)
{
	char *dir = xstrdup("/tmp/lede-json-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* byte 0xff: never in UTF-8; the other one related to it */
	char *bad = xasprintf("%s/caf\xff\xc3\xa9.md", dir);
	char *good = xasprintf("%s/good.md", dir);
	static const char bad_text[] = "---\ntitle: \"Bad name\"\nwebUrl: \"https://e.com/bad\"\n"
				       "publishedDateTime: 2021-03-02T07:00:00Z\n---\n";
	write_file(bad, bad_text);
	write_file(good, "---\ntitle: \"Good name\"\nwebUrl: \"https://e.com/good\"\n"
			 "publishedDateTime: 2021-03-01T07:00:00Z\n"
			 "related:\n  - title: \"Bad name\"\n    webUrl: \"https://e.com/bad\"\n---\n");
	struct run r;
	run_lede(&r, (const char *[]){"--json", "--no-cache", "-s", "date", dir, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *nl = strchr(r.out, '\n');
	cr_assert_not_null(nl);
	*nl = '\0';
	const char *first = r.out, *second = nl + 1;

	/* the string is for reading: U+FFFD for the bad byte */
	char *shown = json_field(first, "path");
	char *want = xasprintf("%s/caf\\ufffd\\u00e9.md", dir);
	cr_assert_str_eq(shown, want);
	/* the base64 is for finding the file */
	char *b64 = json_field(first, "pathBase64");
	cr_assert_not_null(b64, "no pathBase64: %s", first);
	char *path = base64_decode(b64);
	cr_assert_str_eq(path, bad);
	char *text = slurp(path, NULL);
	cr_assert_str_eq(text, bad_text);
	/* the related story that is this file: the same for localPath */
	char *local = json_field(second, "localPathBase64");
	cr_assert_not_null(local, "no localPathBase64: %s", second);
	char *lpath = base64_decode(local);
	cr_assert_str_eq(lpath, bad);
	/* a UTF-8 name has the string alone */
	cr_assert_null(strstr(second, "\"pathBase64\""));
	cr_assert(strstr(second, "\"path\":\"") != NULL);

	free(shown);
	free(want);
	free(b64);
	free(path);
	free(text);
	free(local);
	free(lpath);
	run_free(&r);
	unlink(bad);
	unlink(good);
	free(bad);
	free(good);
	drop_archive(dir);
}

Test(output, json_escapes_separators_and_tags)
{
	static const char *const yaml[] = {"line\\u2028sep\\u2029par tag\\U000E0041\\e"};
	char *dir = archive_of(yaml, 1);
	struct run r;
	run_lede(&r, (const char *[]){"--json", "--no-cache", dir, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\"title\":\"line\\u2028sep\\u2029par tag\\udb40\\udc41\\u001b\"") !=
		  NULL, "%s", r.out);
	for (size_t i = 0; i < r.out_len; i++)
		cr_assert((unsigned char)r.out[i] < 0x80 && (r.out[i] >= 0x20 || r.out[i] == '\n'));
	run_free(&r);
	drop_archive(dir);
}
