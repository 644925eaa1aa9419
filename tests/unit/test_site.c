/* A site checkout as it is (tests/corpus-site, vendored from a public
 * archive's site, see its README.md): its stories, of every type, load and
 * nothing else does; its README and data files are not articles. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/parse.h"
#include "lede/store.h"
#include "lede/util.h"

#define SITE "tests/corpus-site"
#define ROOT SITE "/SmartableAI__microsoft-power-apps"

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* --check on the checkout's root, with a cache of its own written then
 * read: no problem, every story, the rest counted. */
Test(site, check_of_the_root_reports_no_problem)
{
	char *cache = temp_dir("site-cache");
	char *env = xasprintf("XDG_CACHE_HOME=%s", cache);
	const char *const envs[] = {env, NULL};
	const char *const argv[] = {"--check", SITE, NULL};
	for (int run = 0; run < 3; run++) {
		struct run r;
		run_lede(&r, argv, run ? envs : NULL);
		cr_assert_eq(r.status, 0, "run %d: %s", run, r.err);
		cr_assert_str_eq(r.err, "", "run %d", run);
		cr_assert_str_eq(r.out, "26 files, 21 articles, 5 not articles, 0 problems\n",
				 "run %d", run);
		run_free(&r);
		if (run == 1)
			wait_until_not_racy(); /* the third run reads the cache */
	}
	free(env);
	temp_dir_free(cache);
}

Test(site, every_story_is_listed_and_nothing_else)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "--no-cache", SITE, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.out), 21, "%s", r.out);
	/* an organisation record (a name and a domain) is not a story */
	cr_assert_null(strstr(r.out, "CNN"), "%s", r.out);
	cr_assert_null(strstr(r.out, "BBC"), "%s", r.out);
	run_free(&r);
}

/* Named on the command line, a file that is not an article is still an
 * error, said with its path. */
Test(site, a_file_named_that_is_not_an_article_is_an_error)
{
	struct run r;
	const char *org = ROOT "/_data/organizations/cnn.com.md";
	const char *topic = ROOT "/_data/topics/04-ai-builder.yaml";
	run_lede(&r, (const char *[]){"--check", "--no-cache", org, topic, NULL}, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "2 files, 0 articles, 0 not articles, 2 problems\n");
	char *want = xasprintf("%s:1:1: not an article: it says 'taxonomy:', a data record\n"
			       "%s:1:1: no front matter: the first line should be '---'\n"
			       "lede: no article could be loaded: none of the 2 files read is one\n",
			       org, topic);
	cr_assert_str_eq(r.err, want);
	free(want);
	run_free(&r);
}

struct verdict_case {
	const char *text;
	bool article, not_article; /* met by a walk */
	size_t problems;
};

/* The rule, file by file, met by a walk; the fast path and libyaml read
 * the same keys. */
Test(site, the_rule_file_by_file)
{
	static const struct verdict_case cases[] = {
		{"", false, true, 0},
		{"# A README\n", false, true, 0},
		{"title: no fence\n", false, true, 0},
		{"---\n---\n", false, true, 0},
		{"---\ntaxonomy: organization\nname: CNN\ndomain: cnn.com\n---\n", false, true, 0},
		{"---\ntaxonomy: topic\ntitle: T\n---\n", false, true, 0},
		{"---\n_id: x\nkeywords:\n  - a\n---\n", false, true, 0},
		/* a field of the wrong type, but no story key: not one */
		{"---\nquality: high\n---\n", false, true, 0},
		{"---\nname: \"April\"\ntype: \"profile\"\n---\n", true, false, 0},
		{"---\noriginalUrl: https://example.com/v\n---\n", true, false, 0},
		{"---\npublishedDateTime: 2020-01-01T00:00:00Z\n---\n", true, false, 0},
		/* tries to be an article and fails: a problem */
		{"---\ntitle: never closed\n", false, false, 1},
		{"---\ntitle: \"open\n---\n", false, false, 1},
		{"---\n- a list\n---\n", false, false, 1},
		{"---\ntitle: T\nquality: high\n---\n", true, false, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct verdict_case *c = &cases[i];
		struct strlist pr = {0};
		bool no = true;
		struct article *a =
			parse_candidate("w.md", c->text, strlen(c->text), false, &pr, &no);
		cr_assert_eq(a != NULL, c->article, "case %zu", i);
		cr_assert_eq(no, c->not_article, "case %zu", i);
		cr_assert_eq(pr.n, c->problems, "case %zu: %s", i, pr.n ? pr.v[0] : "");
		article_free(a);
		strlist_free(&pr);
		/* named, whatever is not an article is a problem */
		a = parse_candidate("n.md", c->text, strlen(c->text), true, &pr, &no);
		cr_assert_eq(a != NULL, c->article, "case %zu named", i);
		cr_assert_not(no, "case %zu named", i);
		cr_assert_eq(pr.n > 0, c->problems > 0 || !c->article, "case %zu named", i);
		article_free(a);
		strlist_free(&pr);
	}
}

/* A store of the root: the counts as --check gives them. */
Test(site, store_counts)
{
	struct store s;
	load_path(&s, SITE);
	cr_assert_eq(s.nfiles, 26);
	cr_assert_eq(s.n, 21);
	cr_assert_eq(s.not_articles, 5);
	cr_assert_eq(s.problems.n, 0, "%s", s.problems.n ? s.problems.v[0] : "");
	store_free(&s);
}

/* A site's records' own fields, as --json gives them: the same cold, warm
 * (decoded from the cache) and without a cache. */
Test(site, json_has_the_records_fields_through_the_cache)
{
	char *cache = temp_dir("site-json");
	char *env = xasprintf("XDG_CACHE_HOME=%s", cache);
	const char *const envs[] = {env, NULL};
	const char *const argv[] = {"--json", SITE, NULL};
	struct run plain, first, cold, warm;
	run_lede(&plain, (const char *[]){"--json", "--no-cache", SITE, NULL}, NULL);
	run_lede(&first, argv, envs);
	run_free(&first);
	wait_until_not_racy();
	run_lede(&cold, argv, envs); /* writes every file now */
	run_lede(&warm, argv, envs);
	cr_assert_eq(plain.status, 0, "%s", plain.err);
	cr_assert_str_eq(cold.out, plain.out);
	cr_assert_str_eq(warm.out, plain.out);
	static const char *const want[] = {
		"\"name\":\"April Dunnam\"",
		"\"player\":\"https://www.youtube.com/embed/",
		"\"items\":[\"videos/dhruvin-shah-get-started-with-custom-entity-extraction",
		"\"actions\":[{\"title\":\"Download Source Code\",\"url\":\"https://",
		"\"authors\":[\"audrieg\"]",
		"\"type\":\"collection\"",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		cr_assert_not_null(strstr(warm.out, want[i]), "%s", want[i]);
	run_free(&plain);
	run_free(&cold);
	run_free(&warm);
	free(env);
	temp_dir_free(cache);
}

/* featuredContent is HTML: only its player's src is kept, whichever
 * quotes it has; no src, or an attribute that only ends in src, gives
 * none, and never a problem. */
Test(site, the_player_is_the_src_of_featured_content)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{"\"<iframe width=\\\"800\\\" src=\\\"https://www.youtube.com/embed/x\\\" "
		 "allow=\\\"autoplay\\\"></iframe>\"",
		 "https://www.youtube.com/embed/x"},
		{"\"<iframe src='https://player.example/v?a=1&b=2'></iframe>\"",
		 "https://player.example/v?a=1&b=2"},
		{"\"<iframe data-src=\\\"https://no.example/\\\"></iframe>\"", NULL},
		{"\"<p>no player</p>\"", NULL},
		{"\"<iframe src=\\\"https://never.closed\"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *text = xasprintf("---\ntitle: t\nfeaturedContent: %s\n---\n", cases[i].value);
		struct strlist pr = {0};
		struct article *a = parse_article("p.md", text, strlen(text), &pr);
		cr_assert_not_null(a, "case %zu", i);
		cr_assert_eq(pr.n, 0, "case %zu: %s", i, pr.n ? pr.v[0] : "");
		if (cases[i].want)
			cr_assert_str_eq(a->player ? a->player : "(none)", cases[i].want, "case %zu", i);
		else
			cr_assert_null(a->player, "case %zu: %s", i, a->player);
		article_free(a);
		strlist_free(&pr);
		free(text);
	}
}

/* The fast path takes a site's records as it takes the news. */
Test(site, the_fast_path_takes_the_records)
{
	static const char *const files[] = {
		ROOT "/_learning/collections/"
		     "dhruvin-shah-ai-builder-with-entity-extraction-model-step-by-step-series.md",
		ROOT "/_samples/power-apps-community-25-days-of-flows-the-app-behind-the-series.md",
		ROOT "/_people/april-dunnam.md",
		ROOT "/_learning/videos/"
		     "dhruvin-shah-create-train-and-publish-an-entity-extraction-custom-ai-model.md",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		size_t len;
		char *data = slurp(files[i], &len);
		cr_assert(parse_is_fast("x.md", data, len), "%s", files[i]);
		free(data);
	}
}

/* ---- the reader on the site ---- */

/* A replay of tests/site/NAME.script over archive, headless, with the
 * fake browser (tests/fake-browser) logging to log, the marks in state and
 * the cache in cache (NULL: none); it must run clean. */
static void play_in(const char *archive, const char *name, const char *state, const char *log,
		    const char *conf, const char *cache)
{
	char *script = xasprintf("tests/site/%s.script", name);
	char *st = xasprintf("XDG_STATE_HOME=%s", state);
	char *lg = xasprintf("LEDE_FAKE_BROWSER_LOG=%s", log);
	char *ch = xasprintf("XDG_CACHE_HOME=%s", cache ? cache : "/dev/null/no-cache");
	const char *const env[] = {"TZ=UTC",	  "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
				   "HOME=/nonexistent", ch, "NO_COLOR=1", st, lg, NULL};
	struct run r;
	run_lede(&r, (const char *[]){"--script", script, "-c", conf, archive, NULL}, env);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", name, r.status, r.err);
	cr_assert_str_eq(r.err, "", "%s", name);
	run_free(&r);
	free(script);
	free(st);
	free(lg);
	free(ch);
}

static void play_on(const char *archive, const char *name, const char *state, const char *log,
		    const char *conf)
{
	play_in(archive, name, state, log, conf, NULL);
}

static void play(const char *name, const char *state, const char *log, const char *conf)
{
	play_on(SITE, name, state, log, conf);
}

/* A config that opens URLs with the fake browser, waiting for it. */
static char *browser_conf(const char *dir)
{
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	char *conf = xasprintf("%s/config", dir);
	char *text = xasprintf("set browser \"%s/tests/fake-browser %%u\"\n"
			       "set browser-foreground yes\n",
			       cwd);
	write_text(conf, text);
	free(text);
	return conf;
}

/* A video without a webUrl opens its originalUrl, its star is kept by it
 * across a restart; the URL menu lists exactly what a record has. */
Test(site, a_video_opens_its_original_url_and_keeps_its_marks, .timeout = 60)
{
	char *dir = temp_dir("site-reader");
	char *state = xasprintf("%s/state", dir), *log = xasprintf("%s/browser.log", dir);
	char *conf = browser_conf(dir);
	play("video-open", state, log, conf);
	char *got = slurp(log, NULL);
	cr_assert_str_eq(got,
			 "https://youtube.com/watch?v=PFEA4nkRyDs\n--end--\n"
			 "https://www.youtube.com/embed/PFEA4nkRyDs\n--end--\n"
			 "https://powerusers.microsoft.com/jgvjg48436/attachments/jgvjg48436/"
			 "AppFeedbackGallery/372/1/"
			 "25%20Days%20of%20flows%20the%20Power%20Automate%20Advent%20Calendar.msapp\n"
			 "--end--\n");
	free(got);
	play("video-marks", state, log, conf);
	free(conf);
	free(state);
	free(log);
	temp_dir_free(dir);
}

/* The same with a warm cache, so that the reader keeps the video as a
 * record (its identity by the originalUrl's hash) and finds its star by
 * it after a restart. */
Test(site, a_cached_video_keeps_its_marks, .timeout = 60)
{
	char *dir = temp_dir("site-cached");
	char *state = xasprintf("%s/state", dir), *log = xasprintf("%s/browser.log", dir);
	char *cache = xasprintf("%s/cache", dir);
	cr_assert_eq(mkdir(cache, 0700), 0);
	char *conf = browser_conf(dir);
	char *env_cache = xasprintf("XDG_CACHE_HOME=%s", cache);
	const char *const env[] = {"TZ=UTC", "HOME=/nonexistent", env_cache, NULL};
	struct run r;
	run_lede(&r, (const char *[]){"--check", SITE, NULL}, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	play_in(SITE, "video-open", state, log, conf, cache);
	play_in(SITE, "video-marks", state, log, conf, cache);
	free(env_cache);
	free(conf);
	free(cache);
	free(state);
	free(log);
	temp_dir_free(dir);
}

/* A collection's items open from its related view and back, those not
 * found listed dimmed; a profile shows its name; a sample its actions and
 * its provider's authors. */
Test(site, a_collection_s_items_open_from_its_related_view, .timeout = 60)
{
	char *dir = temp_dir("site-collection");
	char *state = xasprintf("%s/state", dir), *log = xasprintf("%s/browser.log", dir);
	char *conf = browser_conf(dir);
	play("collection", state, log, conf);
	free(conf);
	free(state);
	free(log);
	temp_dir_free(dir);
}

/* :type NAME keeps one type of record, with completion. */
Test(site, type_filters_the_list, .timeout = 60)
{
	char *dir = temp_dir("site-type");
	char *state = xasprintf("%s/state", dir), *log = xasprintf("%s/browser.log", dir);
	char *conf = browser_conf(dir);
	play("type", state, log, conf);
	free(conf);
	free(state);
	free(log);
	temp_dir_free(dir);
}

/* An item is looked for from the collection's kind's folder, then from
 * each folder above it up to the archive's root. */
Test(site, items_are_found_up_to_the_root, .timeout = 60)
{
	char *dir = temp_dir("site-items");
	char *arch = xasprintf("%s/archive", dir);
	static const struct {
		const char *path, *text;
	} files[] = {
		{"_learning", NULL},
		{"_learning/collections", NULL},
		{"_learning/videos", NULL},
		{"_news", NULL},
		{"_learning/collections/c.md",
		 "---\ntitle: The collection\ntype: collection\nitems:\n  - videos/v\n"
		 "  - _news/n\n  - missing/x\n---\n"},
		{"_learning/videos/v.md", "---\ntitle: A video in its kind's folder\n---\n"},
		{"_news/n.md", "---\ntitle: A story at the root\n---\n"},
	};
	cr_assert_eq(mkdir(arch, 0700), 0);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *p = xasprintf("%s/%s", arch, files[i].path);
		if (files[i].text)
			write_text(p, files[i].text);
		else
			cr_assert_eq(mkdir(p, 0700), 0);
		free(p);
	}
	char *state = xasprintf("%s/state", dir), *log = xasprintf("%s/browser.log", dir);
	char *conf = browser_conf(dir);
	play_on(arch, "items-root", state, log, conf);
	free(conf);
	free(state);
	free(log);
	free(arch);
	temp_dir_free(dir);
}
