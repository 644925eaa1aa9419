/* The parser: every seed field by field, dates, malformed files. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "lede/date.h"
#include "lede/parse.h"

static struct store seeds;

static void load_seeds(void)
{
	load_path(&seeds, "seeds");
}

static void free_seeds(void)
{
	store_free(&seeds);
}

TestSuite(seeds, .init = load_seeds, .fini = free_seeds);

Test(seeds, all_five_load_without_problems)
{
	cr_assert_eq(seeds.n, 5);
	cr_assert_eq(seeds.nfiles, 5);
	cr_assert_eq(seeds.problems.n, 0, "first problem: %s",
		     seeds.problems.n ? seeds.problems.v[0] : "");
}

Test(seeds, seed0_every_field)
{
	struct article *a = find_article(&seeds, "000_05f876dcdba3f9f7.txt");
	cr_assert_not_null(a);
	cr_assert_str_eq(a->title, "Facebook\xe2\x80\x99s new computer vision model achieves "
				   "state-of-the-art performance by learning from random images");
	cr_assert_str_eq(a->category, "news");
	cr_assert_str_eq(a->type, "article");
	cr_assert(a->has & HAS_DATE);
	cr_assert_eq(a->date, 1614841200); /* 2021-03-04T07:00:00Z */
	cr_assert(a->has & HAS_QUALITY);
	cr_assert_eq(a->quality, 74);
	cr_assert_eq(a->heat, 94);
	cr_assert(a->has & HAS_PUBLISHED);
	cr_assert(a->published);
	cr_assert_str_eq(a->web_url, "https://venturebeat.com/2021/03/04/facebooks-new-computer-"
				     "vision-model-achieves-state-of-the-art-performance-by-"
				     "learning-from-random-images/");
	cr_assert_str_eq(a->amp_web_url, "https://venturebeat.com/2021/03/04/facebooks-new-"
					 "computer-vision-model-achieves-state-of-the-art-"
					 "performance-by-learning-from-random-images/amp/");
	cr_assert(!strncmp(a->cdn_amp_web_url, "https://venturebeat-com.cdn.ampproject.org/", 43));
	cr_assert(!strncmp(a->excerpt, "Join Transform 2021 for the most important themes", 49));
	cr_assert_str_eq(a->provider.name, "VentureBeat");
	cr_assert_str_eq(a->provider.domain, "venturebeat.com");
	cr_assert_eq(a->provider.nimages, 1);
	cr_assert_eq(a->provider.images[0].width, 50);
	cr_assert_eq(a->ntopics, 3);
	cr_assert_str_eq(a->topics[0], "Computer Vision");
	cr_assert_str_eq(a->topics[2], "Facebook AI");
	cr_assert_eq(a->nimages, 1);
	cr_assert_eq(a->images[0].width, 1200);
	cr_assert_eq(a->images[0].height, 630);
	cr_assert(a->images[0].is_cached);
	cr_assert_str_eq(a->images[0].url, "https://venturebeat.com/wp-content/uploads/2021/03/"
					   "SEER-HEROimage-e1614752416726.jpeg?w=1200&strip=all");
	cr_assert_eq(a->nrelated, 2);
	struct related *r = &a->related[1];
	cr_assert_str_eq(r->title, "Facebook mulls face biometrics for forthcoming smart glasses");
	cr_assert_eq(r->date, 1614630180); /* 2021-03-01T20:23:00Z */
	cr_assert_str_eq(r->web_url, "https://www.biometricupdate.com/202103/facebook-mulls-face-"
				     "biometrics-for-forthcoming-smart-glasses");
	cr_assert_str_eq(r->type, "article");
	cr_assert_str_eq(r->provider.name, "Biometric Companies");
	cr_assert_str_eq(r->provider.domain, "biometricupdate.com");
	cr_assert(r->has & HAS_QUALITY);
	cr_assert_eq(r->quality, 24);
	cr_assert_eq(r->nimages, 1);
	cr_assert_eq(r->images[0].width, 1600);
	cr_assert_eq(r->images[0].height, 900);
	cr_assert_null(r->amp_web_url);
}

struct seed_case {
	const char *file;
	long long date;
	int quality, heat;
	bool published;
	const char *provider;
	size_t ntopics, nimages, nrelated;
	const char *title_start;
};

static const struct seed_case seed_cases[] = {
	{"000_05f876dcdba3f9f7.txt", 1614841200, 74, 94, true, "VentureBeat", 3, 1, 2,
	 "Facebook\xe2\x80\x99s new computer vision"},
	{"001_f1014d9369e0f1d9.txt", 1614879720, 39, -1, false, "SiliconANGLE", 0, 0, 7,
	 "Facebook\xe2\x80\x99s new AI model SEER"},
	{"002_20383254385bc3bd.txt", 1615657980, 39, -1, false, "Analytics Insight", 0, 0, 4,
	 "Facebook\xe2\x80\x99s computer vision system"},
	{"003_ff85beba3be8e642.txt", 1614841200, 67, -1, false, "Digital Trends", 0, 0, 3,
	 "Facebook\xe2\x80\x99s new image-recognition"},
	{"004_b985d409ac3f70d7.txt", 1619791200, 89, 109, true, "VentureBeat", 0, 0, 2,
	 "Facebook details self-supervised AI"},
};

Test(seeds, each_seed_summary)
{
	for (size_t i = 0; i < sizeof seed_cases / sizeof *seed_cases; i++) {
		const struct seed_case *c = &seed_cases[i];
		struct article *a = find_article(&seeds, c->file);
		cr_assert_not_null(a, "%s", c->file);
		cr_expect_eq(a->date, c->date, "%s date", c->file);
		cr_expect_eq(a->quality, c->quality, "%s quality", c->file);
		cr_expect_eq(a->heat, c->heat, "%s heat", c->file);
		cr_expect_eq(a->published, c->published, "%s published", c->file);
		cr_expect_str_eq(a->provider.name, c->provider, "%s provider", c->file);
		if (c->ntopics)
			cr_expect_eq(a->ntopics, c->ntopics, "%s topics", c->file);
		if (c->nimages)
			cr_expect_eq(a->nimages, c->nimages, "%s images", c->file);
		cr_expect_eq(a->nrelated, c->nrelated, "%s related", c->file);
		cr_expect(!strncmp(a->title, c->title_start, strlen(c->title_start)), "%s title",
			  c->file);
	}
}

/* Dates ------------------------------------------------------------------ */

struct date_case {
	const char *text;
	long long want; /* -1 with ok false means rejected */
	bool ok;
};

ParameterizedTestParameters(date, parse)
{
	static struct date_case cases[] = {
		{"2021-03-04T07:00:00Z", 1614841200, true},
		{"2021-03-04T09:00:00+02:00", 1614841200, true},
		{"2021-03-04T02:00:00-05:00", 1614841200, true},
		{"2021-03-04T07:00:00.123456Z", 1614841200, true},
		{"2021-03-04T12:30:00+0530", 1614841200, true},
		{"2021-03-04T08:00:00+01", 1614841200, true},
		{"2021-03-04 07:00:00Z", 1614841200, true},
		{"2021-03-04T07:00Z", 1614841200, true},
		{"2021-03-04T07:00:00", 1614841200, true},
		{"2021-03-04", 1614816000, true},
		{"1970-01-01T00:00:00Z", 0, true},
		{"1969-12-31T23:59:59Z", -1, true},
		{"2020-02-29", 1582934400, true},
		{"2021-02-29", 0, false},
		{"2021-13-01", 0, false},
		{"2021-03-04T25:00:00Z", 0, false},
		{"2021-03-04T07:00:00+24:00", 0, false},
		{"2021-03-04T07:00:00Zjunk", 0, false},
		{"March 4, 2021", 0, false},
		{"", 0, false},
		{"2021-3-4", 0, false},
		{"0000-01-01", 0, false},
	};
	return cr_make_param_array(struct date_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct date_case *c, date, parse)
{
	int64_t t = 42;
	int r = date_parse(c->text, strlen(c->text), &t);
	if (c->ok) {
		cr_assert_eq(r, 0, "'%s' should parse", c->text);
		cr_assert_eq(t, c->want, "'%s': %lld, want %lld", c->text, (long long)t, c->want);
	} else {
		cr_assert_eq(r, -1, "'%s' should be rejected", c->text);
	}
}

Test(date, format_round_trip)
{
	static const char *texts[] = {"2021-03-04T07:00:00Z", "1970-01-01T00:00:00Z",
				      "1969-12-31T23:59:59Z", "2000-02-29T12:34:56Z",
				      "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		int64_t t;
		char out[DATE_ISO_LEN + 1];
		cr_assert_eq(date_parse(texts[i], strlen(texts[i]), &t), 0);
		date_format_iso(t, out);
		cr_assert_str_eq(out, texts[i]);
	}
}

/* Malformed files: the exact message for each, and the rest still loads. */

struct bad_case {
	const char *file;
	const char *messages; /* every problem of the file, one a line */
	bool loads;
};

ParameterizedTestParameters(malformed, message)
{
	static struct bad_case cases[] = {
		{"no-close.md", "1:1: front matter is not closed: no '---' line after line 1", false},
		{"no-open.md", "1:1: no front matter: the first line should be '---'", false},
		{"list-doc.md", "2:1: front matter should be a mapping, not a list", false},
		{"scalar-doc.md", "2:1: front matter should be a mapping, not a scalar", false},
		{"syntax.md", "4:1: YAML syntax error: found unexpected end of stream (while "
			      "scanning a quoted scalar at 2:8)", false},
		{"empty-front.md", "1:1: front matter is empty", false},
		{"empty.md", "1:1: empty file", false},
		{"bad-date.md", "3:20: 'publishedDateTime' is not an ISO 8601 date: "
				"\"2021-13-45T07:00:00Z\"", true},
		{"wrong-types.md", "3:10: 'quality' should be an integer, not \"high\"\n"
				   "4:7: 'heat' should be an integer, not a list\n"
				   "5:12: 'published' should be true or false, not \"maybe\"\n"
				   "6:9: 'topics' should be a list, not a scalar\n"
				   "7:11: 'provider' should be a mapping, not a scalar", true},
		{"dup-range.md", "3:1: duplicate key 'title' (the first one is kept)\n"
				 "4:10: 'quality' is out of range: \"99999999999\"", true},
		{"alias.md", "3:11: 'provider': aliases are not supported", true},
	};
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct bad_case *c, malformed, message)
{
	char path[256];
	snprintf(path, sizeof path, "tests/data/bad/%s", c->file);
	size_t len;
	char *data = slurp(path, &len);
	struct strlist problems = {0};
	struct article *a = parse_article(path, data, len, &problems);
	struct buf want = {0}, got = {0};
	/* Each expected line is prefixed with the path. */
	const char *m = c->messages;
	while (*m) {
		const char *nl = strchr(m, '\n');
		size_t n = nl ? (size_t)(nl - m) : strlen(m);
		buf_printf(&want, "%s:%.*s\n", path, (int)n, m);
		m += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < problems.n; i++)
		buf_printf(&got, "%s\n", problems.v[i]);
	cr_assert_str_eq(buf_str(&got), buf_str(&want));
	cr_assert_eq(a != NULL, c->loads, "%s: loaded %d", c->file, a != NULL);
	article_free(a);
	strlist_free(&problems);
	buf_free(&want);
	buf_free(&got);
	free(data);
}

Test(malformed, field_problems_keep_the_rest)
{
	struct store s;
	load_path(&s, "tests/data/bad");
	struct article *a = find_article(&s, "wrong-types.md");
	cr_assert_not_null(a);
	cr_assert_str_eq(a->title, "Wrong types");
	cr_assert_str_eq(a->web_url, "https://example.com/wrong-types");
	cr_assert_eq(a->has & (HAS_QUALITY | HAS_HEAT | HAS_PUBLISHED), 0);
	cr_assert_eq(a->ntopics, 0);
	a = find_article(&s, "dup-range.md");
	cr_assert_str_eq(a->title, "First");
	cr_assert_eq(a->has & HAS_QUALITY, 0);
	a = find_article(&s, "alias.md");
	cr_assert_null(a->provider.name);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.nfiles, 11);
	cr_assert_eq(s.not_articles, 3);
	cr_assert_eq(s.problems.n, 13);
	store_free(&s);
}

Test(parse, bom_crlf_and_body_after_front_matter)
{
	const char text[] = "\xef\xbb\xbf---\r\ntitle: \"CRLF\"\r\nquality: 5\r\n---\r\n"
			    "# A body\n---\nnot: front matter\n";
	struct strlist problems = {0};
	struct article *a = parse_article("mem.md", text, sizeof text - 1, &problems);
	cr_assert_not_null(a);
	cr_assert_eq(problems.n, 0);
	cr_assert_str_eq(a->title, "CRLF");
	cr_assert_eq(a->quality, 5);
	article_free(a);
}

Test(parse, unknown_keys_and_nesting_are_skipped)
{
	const char text[] = "---\nextra:\n  deep: [1, [2, {a: b}]]\ntitle: \"Kept\"\n"
			    "secured: \"x\"\nrelated:\n  - title: \"R\"\n    unknown: {x: 1}\n---\n";
	struct strlist problems = {0};
	struct article *a = parse_article("mem.md", text, sizeof text - 1, &problems);
	cr_assert_not_null(a);
	cr_assert_eq(problems.n, 0);
	cr_assert_str_eq(a->title, "Kept");
	cr_assert_eq(a->nrelated, 1);
	cr_assert_str_eq(a->related[0].title, "R");
	article_free(a);
}

Test(parse, control_bytes_in_messages_are_escaped)
{
	const char text[] = "---\ntitle: t\nquality: \"\\e]0;pwned\\a\"\n---\n";
	struct strlist problems = {0};
	struct article *a = parse_article("mem.md", text, sizeof text - 1, &problems);
	cr_assert_eq(problems.n, 1);
	cr_assert_null(strchr(problems.v[0], '\x1b'));
	cr_assert_null(strchr(problems.v[0], '\x07'));
	cr_assert(strstr(problems.v[0], "\\x1b]0;pwned\\x07") != NULL, "%s",
		  problems.v[0]);
	article_free(a);
	strlist_free(&problems);
}
