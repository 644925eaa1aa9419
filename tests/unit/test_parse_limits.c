/* What a file may cost: strings cut to the limits of article.h and lists
 * left short, each with its problem; NULs from "\0" escapes never cut a
 * string silently; an article's memory bounded whatever the file holds, and
 * the peak of a whole load a small multiple of the files' size. Every case
 * runs through both parser paths (the fast path and libyaml alone), which
 * must agree. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lede/article.h"
#include "lede/parse.h"
#include "lede/util.h"

/* parse_article or parse_article_slow */
typedef struct article *(*parse_fn)(const char *, const char *, size_t, struct strlist *);
static const parse_fn both[] = {parse_article, parse_article_slow};
static const char *const both_names[] = {"fast", "libyaml"};

/* The problems, one a line. */
static char *joined(const struct strlist *l)
{
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < l->n; i++) {
		buf_puts(&b, l->v[i]);
		buf_putc(&b, '\n');
	}
	return b.data;
}

/* "---\n" + front + "---\n" */
/* An article of front: a story's key (a name) after it, so that a case
 * without one is still an article (parse.h). */
static char *doc(const char *front)
{
	return xasprintf("---\n%sname: n\n---\nbody\n", front);
}

/* s repeated to n bytes (whole copies, then a part). */
static char *repeat(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);
	size_t k = strlen(s);
	for (size_t i = 0; i < n; i++)
		r[i] = s[i % k];
	r[n] = '\0';
	return r;
}

/* ---- strings over their limit ---- */

Test(limits, a_1mb_title_is_cut_with_a_problem)
{
	/* one ASCII byte, then two-byte characters: the limit falls inside one,
	 * which must not be split */
	char *big = repeat("\xc3\xa9", 1 << 20);
	char *front = xasprintf("webUrl: https://example.com/a\ntitle: \"x%s\"\nquality: 3\n", big);
	char *text = doc(front);
	for (size_t k = 0; k < 2; k++) {
		struct strlist pr = {0};
		struct article *a = both[k]("d/big.md", text, strlen(text), &pr);
		cr_assert_not_null(a, "%s", both_names[k]);
		char *got = joined(&pr);
		char *want = xasprintf("d/big.md:3:8: 'title' is longer than %d bytes, cut\n",
				       ARTICLE_TITLE_MAX);
		cr_assert_str_eq(got, want, "%s", both_names[k]);
		size_t n = strlen(a->title);
		cr_assert_eq(n, ARTICLE_TITLE_MAX - 1, "%s: %zu bytes", both_names[k], n);
		cr_assert_eq(a->title[0], 'x');
		cr_assert_eq(memcmp(a->title + 1, big, n - 1), 0, "%s", both_names[k]);
		/* the rest of the article is there */
		cr_assert_str_eq(a->web_url, "https://example.com/a");
		cr_assert_eq(a->quality, 3);
		free(got), free(want);
		article_free(a);
		strlist_free(&pr);
	}
	free(text), free(front), free(big);
}

struct str_case {
	int num;
	const char *front_fmt; /* one %s: where the long value goes */
	const char *key;
	size_t max;
	int line, col;
};

ParameterizedTestParameters(limits, strings)
{
	static struct str_case cases[] = {
		{1, "title: %s\n", "title", ARTICLE_TITLE_MAX, 2, 8},
		{2, "excerpt: %s\n", "excerpt", ARTICLE_EXCERPT_MAX, 2, 10},
		{3, "webUrl: %s\n", "webUrl", ARTICLE_URL_MAX, 2, 9},
		{4, "originalUrl: %s\n", "originalUrl", ARTICLE_URL_MAX, 2, 14},
		{5, "ampWebUrl: %s\n", "ampWebUrl", ARTICLE_URL_MAX, 2, 12},
		{6, "cdnAmpWebUrl: %s\n", "cdnAmpWebUrl", ARTICLE_URL_MAX, 2, 15},
		{7, "category: %s\n", "category", ARTICLE_NAME_MAX, 2, 11},
		{8, "type: %s\n", "type", ARTICLE_NAME_MAX, 2, 7},
		{9, "provider:\n  name: %s\n", "name", ARTICLE_NAME_MAX, 3, 9},
		{10, "provider:\n  domain: %s\n", "domain", ARTICLE_NAME_MAX, 3, 11},
		{11, "topics:\n  - %s\n", "topics", ARTICLE_TOPIC_MAX, 3, 5},
		{12, "images:\n  - url: %s\n", "url", ARTICLE_URL_MAX, 3, 10},
		{13, "images:\n  - title: %s\n", "title", ARTICLE_TITLE_MAX, 3, 12},
		{14, "related:\n  - title: %s\n", "title", ARTICLE_TITLE_MAX, 3, 12},
		{15, "related:\n  - excerpt: %s\n", "excerpt", ARTICLE_EXCERPT_MAX, 3, 14},
		{16, "related:\n  - webUrl: %s\n", "webUrl", ARTICLE_URL_MAX, 3, 13},
		{17, "related:\n  - type: %s\n", "type", ARTICLE_NAME_MAX, 3, 11},
		{18, "related:\n  - provider: {name: %s}\n", "name", ARTICLE_NAME_MAX, 3, 22},
		{19, "provider:\n  images:\n    - title: %s\n", "title", ARTICLE_TITLE_MAX, 4, 14},
	};
	return cr_make_param_array(struct str_case, cases, sizeof cases / sizeof *cases);
}

/* The string the case put its long value in. */
static const char *field_of(const struct article *a, int num)
{
	const char *const by_num[] = {
		NULL,
		a->title,
		a->excerpt,
		a->web_url,
		a->original_url,
		a->amp_web_url,
		a->cdn_amp_web_url,
		a->category,
		a->type,
		a->provider.name,
		a->provider.domain,
		a->ntopics ? a->topics[0] : NULL,
		a->nimages ? a->images[0].url : NULL,
		a->nimages ? a->images[0].title : NULL,
		a->nrelated ? a->related[0].title : NULL,
		a->nrelated ? a->related[0].excerpt : NULL,
		a->nrelated ? a->related[0].web_url : NULL,
		a->nrelated ? a->related[0].type : NULL,
		a->nrelated ? a->related[0].provider.name : NULL,
		a->provider.nimages ? a->provider.images[0].title : NULL,
	};
	return by_num[num];
}

ParameterizedTest(struct str_case *c, limits, strings)
{
	for (int over = 0; over <= 1; over++) {
		/* exactly at the limit: kept whole, no problem; one more: cut */
		char *value = repeat("abcdefgh", c->max + (size_t)over);
		char *front = xasprintf(c->front_fmt, value);
		char *text = doc(front);
		for (size_t k = 0; k < 2; k++) {
			struct strlist pr = {0};
			struct article *a = both[k]("f.md", text, strlen(text), &pr);
			cr_assert_not_null(a, "case %d %s", c->num, both_names[k]);
			const char *got = field_of(a, c->num);
			cr_assert_not_null(got, "case %d %s", c->num, both_names[k]);
			cr_assert_eq(strlen(got), c->max, "case %d %s", c->num, both_names[k]);
			cr_assert_eq(strncmp(got, value, c->max), 0);
			char *probs = joined(&pr);
			char *want = over ? xasprintf("f.md:%d:%d: '%s' is longer than %zu bytes, cut\n",
						      c->line, c->col, c->key, c->max)
					  : xstrdup("");
			cr_assert_str_eq(probs, want, "case %d %s", c->num, both_names[k]);
			free(probs), free(want);
			article_free(a);
			strlist_free(&pr);
		}
		free(text), free(front), free(value);
	}
}

/* ---- lists over their limit ---- */

struct list_case {
	int num;
	const char *head, *item; /* the list's key line(s); one item, %d its number */
	const char *key;
	size_t max;
	int col;
};

ParameterizedTestParameters(limits, lists)
{
	static struct list_case cases[] = {
		{1, "topics:\n", "  - t%d\n", "topics", ARTICLE_TOPICS_MAX, 5},
		{2, "images:\n", "  - url: u%d\n", "images", ARTICLE_IMAGES_MAX, 5},
		{3, "related:\n", "  - webUrl: r%d\n", "related", ARTICLE_RELATED_MAX, 5},
		{4, "provider:\n  images:\n", "    - url: u%d\n", "images", ARTICLE_IMAGES_MAX, 7},
		{5, "related:\n  - title: x\n    images:\n", "      - {url: u%d}\n", "images",
		 ARTICLE_IMAGES_MAX, 9},
		{6, "topics: [\n", "  t%d,\n", "topics", ARTICLE_TOPICS_MAX, 3},
	};
	return cr_make_param_array(struct list_case, cases, sizeof cases / sizeof *cases);
}

static size_t list_count(const struct article *a, int num)
{
	switch (num) {
	case 1:
	case 6:
		return a->ntopics;
	case 2:
		return a->nimages;
	case 3:
		return a->nrelated;
	case 4:
		return a->provider.nimages;
	default:
		return a->nrelated ? a->related[0].nimages : 0;
	}
}

ParameterizedTest(struct list_case *c, limits, lists)
{
	size_t head_lines = 0;
	for (const char *s = c->head; *s; s++)
		head_lines += *s == '\n';
	for (int over = 0; over <= 3; over += 3) {
		struct buf b = {0};
		buf_puts(&b, "---\ntitle: t\n");
		buf_puts(&b, c->head);
		for (size_t i = 0; i < c->max + (size_t)over; i++)
			buf_printf(&b, c->item, (int)i);
		if (c->num == 6)
			buf_puts(&b, "  ]\n");
		buf_puts(&b, "quality: 7\n---\n");
		for (size_t k = 0; k < 2; k++) {
			struct strlist pr = {0};
			struct article *a = both[k]("l.md", b.data, b.len, &pr);
			cr_assert_not_null(a, "case %d %s", c->num, both_names[k]);
			cr_assert_eq(list_count(a, c->num), c->max, "case %d %s: %zu", c->num,
				     both_names[k], list_count(a, c->num));
			cr_assert_eq(a->quality, 7, "the rest still loads");
			char *probs = joined(&pr);
			/* at the first item left out */
			char *want = over ? xasprintf("l.md:%zu:%d: '%s' has more than %zu items, "
						      "the rest left out\n",
						      3 + head_lines + c->max, c->col, c->key, c->max)
					  : xstrdup("");
			cr_assert_str_eq(probs, want, "case %d %s", c->num, both_names[k]);
			free(probs), free(want);
			article_free(a);
			strlist_free(&pr);
		}
		buf_free(&b);
	}
}

/* ---- NUL from an escape ---- */

struct nul_case {
	int num;
	const char *front;
	const char *title; /* what the title becomes; NULL: none */
	const char *problems;
};

#define FFFD "\xef\xbf\xbd"

ParameterizedTestParameters(limits, nul)
{
	static struct nul_case cases[] = {
		{1, "title: \"ab\\0cd\"\n", "ab" FFFD "cd",
		 "n.md:2:8: 'title' holds a NUL character, replaced by U+FFFD\n"},
		{2, "title: \"\\x00\\u0000x\\U00000000\"\n", FFFD FFFD "x" FFFD,
		 "n.md:2:8: 'title' holds a NUL character, replaced by U+FFFD\n"},
		{3, "title: t\nrelated:\n  - excerpt: \"e\\0\"\n", "t",
		 "n.md:4:14: 'excerpt' holds a NUL character, replaced by U+FFFD\n"},
		{4, "title: t\ntopics:\n  - \"\\0\"\n", "t",
		 "n.md:4:5: 'topics' holds a NUL character, replaced by U+FFFD\n"},
		/* a number or a boolean with a NUL is not one */
		{5, "title: t\nquality: \"12\\0\"\n", "t",
		 "n.md:3:10: 'quality' should be an integer, not \"12\\x00\"\n"},
		{6, "title: t\npublished: \"yes\\0no\"\n", "t",
		 "n.md:3:12: 'published' should be true or false, not \"yes\\x00no\"\n"},
		/* a key with a NUL is not the key before it */
		{7, "\"title\\0x\": bad\ntitle: good\n", "good", ""},
		/* cut after the replacement, never inside it */
		{8, NULL, NULL, NULL},
	};
	return cr_make_param_array(struct nul_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct nul_case *c, limits, nul)
{
	char *front = NULL, *title = NULL, *problems = NULL;
	if (c->front) {
		front = xstrdup(c->front);
		title = xstrdup(c->title);
		problems = xstrdup(c->problems);
	} else {
		char *pad = repeat("a", ARTICLE_TITLE_MAX - 2);
		front = xasprintf("title: \"%s\\0zz\"\n", pad);
		title = xasprintf("%s", pad); /* U+FFFD (3 bytes) would pass the limit */
		problems = xasprintf("n.md:2:8: 'title' holds a NUL character, replaced by U+FFFD\n"
				     "n.md:2:8: 'title' is longer than %d bytes, cut\n",
				     ARTICLE_TITLE_MAX);
		free(pad);
	}
	char *text = doc(front);
	for (size_t k = 0; k < 2; k++) {
		struct strlist pr = {0};
		struct article *a = both[k]("n.md", text, strlen(text), &pr);
		cr_assert_not_null(a, "case %d %s", c->num, both_names[k]);
		cr_assert_str_eq(a->title, title, "case %d %s", c->num, both_names[k]);
		char *got = joined(&pr);
		cr_assert_str_eq(got, problems, "case %d %s", c->num, both_names[k]);
		free(got);
		if (c->num == 3) {
			cr_assert_eq(a->nrelated, 1);
			cr_assert_str_eq(a->related[0].excerpt, "e" FFFD);
		}
		if (c->num == 4) {
			cr_assert_eq(a->ntopics, 1);
			cr_assert_str_eq(a->topics[0], FFFD);
		}
		if (c->num == 5)
			cr_assert_not(a->has & HAS_QUALITY);
		if (c->num == 6)
			cr_assert_not(a->has & HAS_PUBLISHED);
		article_free(a);
		strlist_free(&pr);
	}
	free(text), free(front), free(title), free(problems);
}

/* ---- memory ---- */

enum { BIG = 3900 * 1000 }; /* a file just under the default 4 MiB limit */

/* Files of BIG bytes shaped to cost the most per byte: long strings, and
 * lists whose items are tiny in YAML and big in memory. */
static char *big_file(int shape, size_t *len)
{
	struct buf b = {0};
	buf_puts(&b, "---\ntitle: t\nwebUrl: https://example.com/x\n");
	switch (shape) {
	case 0: /* a plain title of nearly the whole file */
		b.len = 0;
		buf_puts(&b, "---\nwebUrl: https://example.com/x\ntitle: ");
		while (b.len < BIG - 16)
			buf_puts(&b, "word ");
		buf_puts(&b, "\n");
		break;
	case 1: /* a double-quoted excerpt full of escapes */
		buf_puts(&b, "excerpt: \"");
		while (b.len < BIG - 16)
			buf_puts(&b, "w\\u00e9rd\\t ");
		buf_puts(&b, "\"\n");
		break;
	case 2: /* topics */
		buf_puts(&b, "topics:\n");
		while (b.len < BIG - 16)
			buf_puts(&b, "  - t\n");
		break;
	case 3: /* related stories */
		buf_puts(&b, "related:\n");
		while (b.len < BIG - 16)
			buf_puts(&b, "  - type: r\n");
		break;
	case 4: /* images, in flow style */
		buf_puts(&b, "images:\n");
		while (b.len < BIG - 16)
			buf_puts(&b, "  - {}\n");
		break;
	default: /* topics in flow style: libyaml alone */
		buf_puts(&b, "topics: [");
		while (b.len < BIG - 16)
			buf_puts(&b, "t, ");
		buf_puts(&b, "t]\n");
		break;
	}
	buf_puts(&b, "---\n");
	*len = b.len;
	return b.data;
}

enum { NSHAPES = 6 };

/* Whatever the file holds, the article it makes keeps at most what the
 * limits allow: here a small part of the file. */
Test(limits, an_article_costs_little_whatever_the_file)
{
	for (int shape = 0; shape < NSHAPES; shape++) {
		size_t len;
		char *text = big_file(shape, &len);
		for (size_t k = 0; k < 2; k++) {
			struct strlist pr = {0};
			struct article *a = both[k]("m.md", text, len, &pr);
			cr_assert_not_null(a, "shape %d %s", shape, both_names[k]);
			cr_assert_eq(pr.n, 1, "shape %d %s: one problem for the cut", shape,
				     both_names[k]);
			size_t bytes = article_bytes(a);
			cr_assert_leq(bytes, len / 8, "shape %d %s: %zu bytes kept of a %zu byte file",
				      shape, both_names[k], bytes, len);
			article_free(a);
			strlist_free(&pr);
		}
		free(text);
	}
}

static void put_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* The peak memory, in KiB, of `lede --list --no-cache dir`, its output
 * thrown away. */
static long peak_kib(const char *dir)
{
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(bin, bin, "--list", "--no-cache", dir, (char *)NULL);
		_exit(127);
	}
	int status;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s --list %s failed", bin, dir);
	return ru.ru_maxrss;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* A load of files under the size limit peaks at a small multiple of their
 * size: here of the largest file, as they load one after another (a few
 * files load on one thread) and what each leaves behind is small. */
Test(limits, the_peak_of_a_load_is_a_small_multiple_of_the_files, .timeout = 120)
{
	char dir[] = "/tmp/lede-limits-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *small_dir = xasprintf("%s/small", dir), *big_dir = xasprintf("%s/big", dir);
	cr_assert_eq(mkdir(small_dir, 0700), 0);
	cr_assert_eq(mkdir(big_dir, 0700), 0);
	char *p = xasprintf("%s/a.md", small_dir);
	put_file(p, "---\ntitle: t\n---\n", 17);
	free(p);
	size_t total = 0;
	for (int copy = 0; copy < 2; copy++) {
		for (int shape = 0; shape < NSHAPES; shape++) {
			size_t len;
			char *text = big_file(shape, &len);
			p = xasprintf("%s/%d-%d.md", big_dir, shape, copy);
			put_file(p, text, len);
			total += len;
			free(p);
			free(text);
		}
	}
	long base = peak_kib(small_dir), peak = peak_kib(big_dir);
	/* removed before the verdict: a failure leaves no 47 MB behind */
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd), free(small_dir), free(big_dir);
	long grew = peak - base, bound = (long)(4 * (size_t)BIG / 1024);
	fprintf(stderr,
		"limits: %zu files of %d bytes (%zu in all): peak %ld KiB, %ld KiB over an "
		"empty load; bound %ld KiB\n",
		(size_t)2 * NSHAPES, BIG, total, peak, grew, bound);
#ifdef UNDER_ASAN
	fprintf(stderr, "limits: the peak is not checked under AddressSanitizer, whose shadow "
			"memory and quarantine it would measure\n");
#else
	cr_assert_leq(grew, bound, "a load of %zu bytes peaked %ld KiB over an empty one", total,
		      grew);
#endif
}
