/* The parser's fast path against libyaml: for every test file, and for
 * thousands of mutations of them (a byte of YAML syntax inserted, deleted
 * or swapped; tabs, CRs, quotes, indentation, comments, escapes, multi-line
 * scalars, flow collections...), parse_article and parse_article_slow
 * (libyaml alone) give the same article, field by field, and the same
 * problems, word for word. The fast path may give up on anything; it may
 * never differ. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "lede/parse.h"
#include "lede/util.h"

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static char *diff_images(const struct image *x, size_t nx, const struct image *y, size_t ny)
{
	if (nx != ny)
		return xasprintf("%zu images vs %zu", nx, ny);
	for (size_t i = 0; i < nx; i++)
		if (!same_str(x[i].url, y[i].url) || !same_str(x[i].title, y[i].title) ||
		    x[i].width != y[i].width || x[i].height != y[i].height ||
		    x[i].is_cached != y[i].is_cached || x[i].has != y[i].has)
			return xasprintf("image %zu", i);
	return NULL;
}

static char *diff_strs(const char *what, const char *const *x, size_t nx, const char *const *y,
		       size_t ny)
{
	if (nx != ny)
		return xasprintf("%zu %s vs %zu", nx, what, ny);
	for (size_t i = 0; i < nx; i++)
		if (!same_str(x[i], y[i]))
			return xasprintf("%s %zu", what, i);
	return NULL;
}

static char *diff_provider(const struct provider *x, const struct provider *y)
{
	if (!same_str(x->name, y->name) || !same_str(x->domain, y->domain))
		return xstrdup("provider");
	char *d = diff_strs("authors", x->authors, x->nauthors, y->authors, y->nauthors);
	return d ? d : diff_images(x->images, x->nimages, y->images, y->nimages);
}

/* A site's record's own fields: the items and the actions. */
static char *diff_site(const struct article *x, const struct article *y)
{
	char *d = diff_strs("items", x->items, x->nitems, y->items, y->nitems);
	if (d)
		return d;
	if (x->nactions != y->nactions)
		return xasprintf("%zu actions vs %zu", x->nactions, y->nactions);
	for (size_t i = 0; i < x->nactions; i++)
		if (!same_str(x->actions[i].title, y->actions[i].title) ||
		    !same_str(x->actions[i].url, y->actions[i].url) ||
		    !same_str(x->actions[i].type, y->actions[i].type))
			return xasprintf("action %zu", i);
	return NULL;
}

/* NULL when the same, else what differs first (the caller frees it). */
static char *diff_article(const struct article *x, const struct article *y)
{
	if (!x || !y)
		return x == y ? NULL : xasprintf("article %s vs %s", x ? "yes" : "no", y ? "yes" : "no");
#define S(f)                                                                                \
	if (!same_str(x->f, y->f))                                                          \
		return xasprintf(#f ": \"%s\" vs \"%s\"", x->f ? x->f : "(null)",           \
				 y->f ? y->f : "(null)");
#define N(f)                                                                                \
	if (x->f != y->f)                                                                   \
		return xasprintf(#f ": %lld vs %lld", (long long)x->f, (long long)y->f);
	S(path) S(category) S(type) S(title) S(excerpt) S(original_url) S(web_url)
	S(amp_web_url) S(cdn_amp_web_url) S(name) S(player)
	N(date) N(quality) N(heat) N(published) N(has) N(ntopics) N(nrelated)
	char *d;
	if ((d = diff_provider(&x->provider, &y->provider)) || (d = diff_site(x, y)))
		return d;
	for (size_t i = 0; i < x->ntopics; i++)
		if (!same_str(x->topics[i], y->topics[i]))
			return xasprintf("topic %zu", i);
	if ((d = diff_images(x->images, x->nimages, y->images, y->nimages)))
		return d;
	for (size_t i = 0; i < x->nrelated; i++) {
		const struct related *a = &x->related[i], *b = &y->related[i];
		if (!same_str(a->title, b->title) || !same_str(a->excerpt, b->excerpt) ||
		    !same_str(a->type, b->type) || !same_str(a->web_url, b->web_url) ||
		    !same_str(a->amp_web_url, b->amp_web_url) ||
		    !same_str(a->cdn_amp_web_url, b->cdn_amp_web_url) || a->date != b->date ||
		    a->quality != b->quality || a->has != b->has || a->local != b->local)
			return xasprintf("related %zu", i);
		if ((d = diff_provider(&a->provider, &b->provider)) ||
		    (d = diff_images(a->images, a->nimages, b->images, b->nimages))) {
			char *r = xasprintf("related %zu: %s", i, d);
			free(d);
			return r;
		}
	}
#undef S
#undef N
	return NULL;
}

static size_t compared;

/* Parse data both ways; fail naming what differs. */
static void check(const char *what, const char *data, size_t len)
{
	struct strlist pf = {0}, ps = {0};
	struct article *f = parse_article("dir/file.md", data, len, &pf);
	struct article *s = parse_article_slow("dir/file.md", data, len, &ps);
	char *d = diff_article(f, s);
	if (!d && pf.n != ps.n)
		d = xasprintf("%zu problems vs %zu (%s)", pf.n, ps.n, ps.n ? ps.v[0] : pf.v[0]);
	for (size_t i = 0; !d && i < pf.n; i++)
		if (strcmp(pf.v[i], ps.v[i]))
			d = xasprintf("problem %zu: \"%s\" vs \"%s\"", i, pf.v[i], ps.v[i]);
	if (d) {
		FILE *o = fopen("build/parse-fast-differs.md", "w");
		if (o) {
			fwrite(data, 1, len, o);
			fclose(o);
		}
		cr_assert_fail("%s: the fast path differs: %s (input in build/parse-fast-differs.md)",
			       what, d);
	}
	compared++;
	article_free(f);
	article_free(s);
	strlist_free(&pf);
	strlist_free(&ps);
}

static void collect(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			collect(p, out);
			free(p);
		} else if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1 << 20) &&
			   !strstr(p, "SOURCES")) {
			strlist_push(out, p);
		} else {
			free(p);
		}
	}
	closedir(d);
}

static const char *const roots[] = {"seeds",		       "tests/corpus",
				    "tests/corpus-site",       "tests/data",
				    "tests/fuzz/seeds/parse", "tests/fuzz/regress/parse"};

static void files(struct strlist *out)
{
	for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
		collect(roots[i], out);
	cr_assert_gt(out->n, 100);
}

Test(parse_fast, every_test_file)
{
	struct strlist l = {0};
	files(&l);
	for (size_t i = 0; i < l.n; i++) {
		size_t len;
		char *data = slurp(l.v[i], &len);
		check(l.v[i], data, len);
		free(data);
	}
	strlist_free(&l);
}

/* The fast path must take the real files, or the speed is gone and this
 * suite proves little. */
Test(parse_fast, takes_the_corpus_and_the_seeds)
{
	struct strlist l = {0};
	collect("tests/corpus", &l);
	collect("seeds", &l);
	cr_assert_gt(l.n, 90);
	for (size_t i = 0; i < l.n; i++) {
		size_t len;
		char *data = slurp(l.v[i], &len);
		cr_assert(parse_is_fast("x.md", data, len), "%s: not taken by the fast path", l.v[i]);
		free(data);
	}
	strlist_free(&l);
	const char *outside[] = {"---\ntitle: 'single'\n---\n", "---\ntopics: [a]\n---\n",
				 "---\nquality: high\n---\n", "---\ntitle: x\ntitle: y\n---\n",
				 "---\ntitle: \"a\tb\"\n---\n", "---\n---\n"};
	for (size_t i = 0; i < sizeof outside / sizeof *outside; i++)
		cr_assert_not(parse_is_fast("x.md", outside[i], strlen(outside[i])), "%s", outside[i]);
}

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Whole snippets that each step outside the shape, or stay just inside. */
static const char *const snippets[] = {
	"\t", "\r", "\r\n", " #", "#", ": ", ":", "- ", "-", "\"", "'", "\\", "\\u00e9", "\\x41",
	"\\ud800", "\\N", "\\U0001F600", "\\/", "\\t", "\\0", "[", "]", "{}", "&a ", "*a", "!t ",
	"|", ">", "%", "@", "`", "?", "~", "null", "\n", "\n  ", "\n    - ", "\n---", "\n...",
	"\xc2\x85", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xc3", "\x01", "\x7f", "  ", "\n#c\n",
	"key: value\n", "\nx:\n", "\n  - a\n", "-1", "0x10", "1e3", "2021-01-01", "true", "yes",
};

static char *mutate(struct rng *r, const char *data, size_t len, size_t *out_len)
{
	struct buf b = {0};
	size_t at = len ? (size_t)(rnd(r) % len) : 0;
	int op = (int)(rnd(r) % 4);
	buf_add(&b, data, at);
	if (op == 0 && at < len) { /* delete a byte */
		buf_add(&b, data + at + 1, len - at - 1);
	} else if (op == 1 && at + 1 < len) { /* swap two */
		char x[2] = {data[at + 1], data[at]};
		buf_add(&b, x, 2);
		buf_add(&b, data + at + 2, len - at - 2);
	} else {
		const char *sn = snippets[rnd(r) % (sizeof snippets / sizeof *snippets)];
		buf_puts(&b, sn);
		buf_add(&b, data + at, len - at);
	}
	*out_len = b.len;
	return b.data ? b.data : xstrdup("");
}

Test(parse_fast, mutations_of_every_test_file, .timeout = 120)
{
	struct strlist l = {0};
	files(&l);
	struct rng r = {20210304};
	for (size_t i = 0; i < l.n; i++) {
		size_t len;
		char *data = slurp(l.v[i], &len);
		for (int k = 0; k < 60; k++) {
			size_t n1, n2;
			char *m1 = mutate(&r, data, len, &n1);
			char *m2 = mutate(&r, m1, n1, &n2); /* and two at once */
			char what[512];
			snprintf(what, sizeof what, "%s, mutation %d", l.v[i], k);
			check(what, m1, n1);
			check(what, m2, n2);
			free(m1);
			free(m2);
		}
		free(data);
	}
	cr_assert_gt(compared, 10000);
	strlist_free(&l);
}
