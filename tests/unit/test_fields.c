/* The field table: its names, and that every path that searches or sorts
 * reads the fields the command line promises (DESIGN.md: -e looks at the
 * title, excerpt, provider name and topics; --sort takes date, quality,
 * heat, title and provider). The promised sets are written here, apart
 * from the table, so that a field dropped from it (or added to it) fails
 * a test rather than quietly changing what a search finds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "lede/cache_encode.h"
#include "lede/cache_format.h"
#include "lede/fields.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/store.h"

/* What a search looks at, in the order a cache entry's head holds it: a
 * change here is a change of the cache's format (CACHE_FORMAT_VERSION). */
static const char *const searched[] = {"title", "excerpt", "provider", "topics"};
enum { NSEARCHED = sizeof searched / sizeof *searched };

static const char *const sorted[] = {"date", "quality", "heat", "title", "provider"};
static const bool sorted_desc[] = {true, true, true, false, false};
enum { NSORTED = sizeof sorted / sizeof *sorted };

Test(fields, names_are_unique_and_found)
{
	for (size_t i = 0; i < FIELD_N; i++) {
		const struct field *f = &fields_table[i];
		cr_assert(f->name && *f->name, "field %zu has no name", i);
		cr_assert_eq(fields_find(f->name, strlen(f->name)), f, "%s", f->name);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(fields_table[j].name, f->name, "%s named twice", f->name);
	}
	cr_assert_null(fields_find("titles", 6));
	cr_assert_null(fields_find("titl", 4));
	cr_assert_eq(fields_find("title:asc", 5), &fields_table[FIELD_TITLE]);
}

Test(fields, kinds_fit_their_uses)
{
	for (size_t i = 0; i < FIELD_N; i++) {
		const struct field *f = &fields_table[i];
		bool text = f->kind == FIELD_IS_STRING || f->kind == FIELD_IS_LIST;
		if (f->flags & FIELD_SEARCHED)
			cr_assert(text && f->max > 0, "%s: searched, not text with a limit", f->name);
		if (f->flags & FIELD_SORTED)
			cr_assert_neq(f->kind, FIELD_IS_LIST, "%s: a list cannot be a sort key", f->name);
		if (f->flags & FIELD_DESC)
			cr_assert(f->flags & FIELD_SORTED, "%s: a direction without a sort", f->name);
		if (f->flags & FIELD_SHOWN)
			cr_assert(f->label && *f->label, "%s: a column without a heading", f->name);
		if (!text)
			cr_assert_neq(f->has, 0, "%s: no has bit to tell it missing", f->name);
		if (f->kind == FIELD_IS_LIST)
			cr_assert(f->count_off != f->off && f->max_items > 0, "%s", f->name);
	}
}

/* The accessors read the members the names say. */
Test(fields, accessors_read_the_named_members)
{
	struct article *a = article_new("dir/a.md");
	const char *topics[] = {"one", "two"};
	a->title = "T";
	a->excerpt = "E";
	a->provider.name = "P";
	a->provider.domain = "D";
	a->type = "Y";
	a->web_url = "W";
	a->topics = topics;
	a->ntopics = 2;
	a->date = 1614841200;
	a->quality = 7;
	a->heat = -1;
	a->has = HAS_DATE | HAS_HEAT;
	cr_assert_str_eq(fields_str(&fields_table[FIELD_TITLE], a), "T");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_EXCERPT], a), "E");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_PROVIDER], a), "P");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_DOMAIN], a), "D");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_TYPE], a), "Y");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_WEB_URL], a), "W");
	cr_assert_str_eq(fields_str(&fields_table[FIELD_PATH], a), "dir/a.md");
	cr_assert_null(fields_str(&fields_table[FIELD_CATEGORY], a));
	const struct field *t = &fields_table[FIELD_TOPICS];
	cr_assert_eq(fields_ntexts(t, a), 2);
	cr_assert_str_eq(fields_text(t, a, 1), "two");
	cr_assert_eq(fields_ntexts(&fields_table[FIELD_CATEGORY], a), 0);
	const struct field *d = &fields_table[FIELD_DATE], *q = &fields_table[FIELD_QUALITY],
			   *h = &fields_table[FIELD_HEAT];
	cr_assert(fields_has(d, a) && fields_int(d, a) == 1614841200);
	cr_assert(!fields_has(q, a));
	cr_assert(fields_has(h, a) && fields_int(h, a) == -1);
	article_free(a);
}

Test(fields, the_searched_set_is_the_promised_one)
{
	size_t n = 0;
	for (size_t i = 0; i < FIELD_N; i++) {
		const struct field *f = &fields_table[i];
		if (!(f->flags & FIELD_SEARCHED))
			continue;
		cr_assert_lt(n, NSEARCHED, "%s is searched, which -e does not promise", f->name);
		cr_assert_str_eq(f->name, searched[n], "searched field %zu (the cache's order)", n);
		n++;
	}
	cr_assert_eq(n, NSEARCHED, "only %zu of the promised fields are searched", n);
}

/* Every sort key's name goes through --sort's parser and back, to the
 * same field, with its default direction. */
Test(fields, sort_keys_round_trip)
{
	size_t n = 0;
	for (size_t i = 0; i < FIELD_N; i++) {
		const struct field *f = &fields_table[i];
		struct sort_order o;
		if (!(f->flags & FIELD_SORTED)) {
			cr_assert_eq(query_parse_sort(f->name, &o), -1, "%s sorts", f->name);
			continue;
		}
		n++;
		cr_assert_eq(query_parse_sort(f->name, &o), 0, "%s", f->name);
		cr_assert_eq(query_sort_field(o.key), f, "%s", f->name);
		cr_assert_str_eq(query_sort_name(o.key), f->name);
		cr_assert_eq(o.desc, (f->flags & FIELD_DESC) != 0, "%s", f->name);
		char spec[64];
		snprintf(spec, sizeof spec, "%s:asc", f->name);
		cr_assert(query_parse_sort(spec, &o) == 0 && !o.desc, "%s", spec);
		snprintf(spec, sizeof spec, "%s:desc", f->name);
		cr_assert(query_parse_sort(spec, &o) == 0 && o.desc, "%s", spec);
	}
	cr_assert_eq(n, SORT_NKEYS);
	for (int k = 0; k < SORT_NKEYS; k++)
		cr_assert(query_sort_field((enum sort_key)k)->flags & FIELD_SORTED, "key %d", k);
	cr_assert_eq(NSORTED, SORT_NKEYS);
	for (size_t i = 0; i < NSORTED; i++) {
		struct sort_order o;
		cr_assert_eq(query_parse_sort(sorted[i], &o), 0, "%s", sorted[i]);
		cr_assert_eq(o.desc, sorted_desc[i], "%s", sorted[i]);
	}
}

/* A word of its own in one field of an article, the rest filler. */
static const char *word_of(size_t field)
{
	static const char *const words[NSEARCHED] = {"qqtitleqq", "qqexcerptqq", "qqproviderqq",
						     "qqtopicsqq"};
	return words[field];
}

static struct article *article_with_word(size_t field, const char **topics)
{
	char path[32];
	snprintf(path, sizeof path, "a%zu.md", field);
	struct article *a = article_new(path);
	const char *w = word_of(field);
	a->title = field == 0 ? w : "Filler title";
	a->excerpt = field == 1 ? w : "Filler excerpt";
	a->provider.name = field == 2 ? w : "Filler";
	a->provider.domain = "qqdomainqq"; /* never searched */
	a->type = "qqtypeqq";
	topics[0] = "filler";
	topics[1] = field == 3 ? w : "more filler";
	a->topics = topics;
	a->ntopics = 2;
	return a;
}

/* Which of s's articles the pattern finds, by each path a search takes:
 * the plain search, the reader's engine (its haystack for a plain word,
 * PCRE2 on threads for a regex) and the cache's searchable text. */
static void assert_found_only(const struct store *s, const char *pat, size_t want)
{
	char *err = NULL;
	struct search *re = search_compile(pat, &err);
	cr_assert_not_null(re, "%s", err);
	size_t *out = malloc(s->n * sizeof *out);
	for (size_t i = 0; i < s->n; i++)
		cr_assert_eq(search_article(re, s->v[i]), i == want, "%s in article %zu", pat, i);
	size_t n = query_filter(s, re, out);
	cr_assert(n == 1 && out[0] == want, "query_filter %s: %zu rows", pat, n);
	struct query *q = query_new(s);
	query_set_thread_min(q, 1);
	uint32_t *rows = malloc(s->n * sizeof *rows);
	n = query_rows(q, (struct sort_order){SORT_TITLE, false}, re, NULL, MARKS_ALL, rows);
	cr_assert(n == 1 && rows[0] == want, "query_rows %s: %zu rows", pat, n);
	free(rows);
	query_free(q);
	for (size_t i = 0; i < s->n; i++) {
		struct buf head = {0}, body = {0};
		const char *path = s->v[i]->path;
		cache_encode(&head, &body, path, path, s->v[i], NULL, 0);
		struct strlist problems = {0};
		struct cache_texts texts = {0};
		cr_assert(cache_format_decode_head((const unsigned char *)head.data, head.len, path,
						   path, true, &problems, &texts));
		bool hit = false;
		for (size_t t = 0; t < texts.n; t++)
			hit |= search_match(re, texts.v[t].s, texts.v[t].len);
		cr_assert_eq(hit, i == want, "%s in the cached texts of article %zu", pat, i);
		struct article *back = cache_format_decode_article(
			(const unsigned char *)head.data, head.len, true,
			(const unsigned char *)body.data, body.len, path);
		cr_assert_not_null(back);
		cr_assert_eq(search_article(re, back), i == want, "%s decoded, article %zu", pat, i);
		article_free(back);
		free(texts.v);
		strlist_free(&problems);
		buf_free(&head);
		buf_free(&body);
	}
	free(out);
	search_free(re);
}

Test(fields, every_searched_field_is_found_by_every_search)
{
	struct store s;
	store_init(&s);
	const char *topics[NSEARCHED][2];
	for (size_t f = 0; f < NSEARCHED; f++)
		store_add(&s, article_with_word(f, topics[f]));
	for (size_t f = 0; f < NSEARCHED; f++) {
		assert_found_only(&s, word_of(f), f); /* plain: the haystack */
		char re[64];
		snprintf(re, sizeof re, "%s\\b", word_of(f)); /* a regex: PCRE2 */
		assert_found_only(&s, re, f);
	}
	/* what no search promises is not searched */
	char *err = NULL;
	struct search *re = search_compile("qqdomainqq|qqtypeqq|a0\\.md", &err);
	size_t out[NSEARCHED];
	cr_assert_eq(query_filter(&s, re, out), 0);
	search_free(re);
	store_free(&s);
}

/* The same through the command line, cold and from the cache: the stub
 * loader matches on the cache's head alone. */
Test(fields, the_command_line_searches_every_searched_field, .timeout = 60)
{
	char *dir = temp_dir("fields");
	char arch[512], cache[512], path[600];
	snprintf(arch, sizeof arch, "%s/arch", dir);
	snprintf(cache, sizeof cache, "%s/cache", dir);
	cr_assert_eq(mkdir(arch, 0700), 0);
	cr_assert_eq(mkdir(cache, 0700), 0);
	for (size_t f = 0; f < NSEARCHED; f++) {
		const char *w = word_of(f);
		struct buf b = {0};
		buf_printf(&b,
			   "---\ntitle: \"%s\"\nexcerpt: \"%s\"\nwebUrl: https://example.com/%s\n"
			   "type: qqtypeqq\nprovider:\n  name: %s\n  domain: qqdomainqq\n"
			   "topics:\n  - filler\n  - %s\n---\n",
			   f == 0 ? w : "Filler title", f == 1 ? w : "Filler excerpt", searched[f],
			   f == 2 ? w : "Filler", f == 3 ? w : "more filler");
		snprintf(path, sizeof path, "%s/%s.md", arch, searched[f]);
		write_text(path, buf_str(&b));
		buf_free(&b);
	}
	wait_until_not_racy();
	char env_cache[600];
	snprintf(env_cache, sizeof env_cache, "XDG_CACHE_HOME=%s", cache);
	const char *env[] = {env_cache, NULL};
	const char *warm[] = {"--list", arch, NULL};
	struct run r;
	run_lede(&r, warm, env); /* writes the cache */
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	for (int cached = 0; cached < 2; cached++) {
		for (size_t f = 0; f < NSEARCHED; f++) {
			const char *argv[] = {"--list", "-e", word_of(f), arch,
					      cached ? NULL : "--no-cache", NULL};
			run_lede(&r, argv, env);
			cr_assert_eq(r.status, 0, "%s", r.err);
			char want[128];
			snprintf(want, sizeof want, "https://example.com/%s\n", searched[f]);
			size_t lines = 0;
			for (const char *p = r.out; *p; p++)
				lines += *p == '\n';
			cr_assert(lines == 1 && strstr(r.out, want),
				  "-e %s (%s) gave:\n%s", word_of(f), cached ? "cached" : "cold", r.out);
			run_free(&r);
		}
		const char *none[] = {"--list", "-e", "qqdomainqq|qqtypeqq", arch,
				      cached ? NULL : "--no-cache", NULL};
		run_lede(&r, none, env);
		cr_assert_str_eq(r.out, "", "unsearched fields matched");
		run_free(&r);
	}
	temp_dir_free(dir);
}
