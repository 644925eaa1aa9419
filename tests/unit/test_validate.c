/* The reader's first screen from the cache alone, and the check of every
 * file after it: a load from the cache's entries (no walk, no stat) shows
 * what the cache holds; the check then finds the files changed (even with
 * the same size and mtime), added, gone, broken or too big, and once
 * applied the list, its order and the problems are those of a fresh full
 * load. Nothing changed: nothing changes. A file that changes while the
 * check reads it is never kept stale. The reader says what changed on its
 * message line and keeps the same article selected. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

enum { LIMIT = 64 * 1024 }; /* the size limit of these loads */

static const char *const changed_name =
	"everyday-cc__ai/2021-03-06-artificial-intelligence-reveals-current-drugs-that-may-help-"
	"combat-alzheimers-disease.md";
static const char *const gone_name =
	"everyday-cc__ai/2021-03-09-alphabets-waymo-says-its-tech-would-avoid-fatal-human-"
	"crashes.md";
static const char *const broken_name =
	"everyday-cc__ai/2021-03-05-study-warns-deepfakes-can-fool-facial-recognition.md";
static const char *const big_name =
	"everyday-cc__ai/2022-06-11-the-google-engineer-who-thinks-the-companys-ai-has-come-to-"
	"life.md";

static char *in_dir(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* The usual load: a walk, every file stat-ed, through the cache or not. */
static void load_full(struct store *s, const char *dir, const char *cache)
{
	const char *paths[] = {dir};
	struct store_opts opts = {.cache_path = cache, .max_file_size = LIMIT};
	store_init(s);
	store_load(s, paths, 1, &opts);
}

/* A copy of the corpus named name, with its cache beside it (*cache) as a
 * full load writes it. */
static char *warm_copy(const char *name, char **cache)
{
	char *dir = corpus_copy(name);
	*cache = xasprintf("%s.cache", dir);
	struct store warm;
	load_full(&warm, dir, *cache);
	store_free(&warm);
	return dir;
}

/* The copy and its cache, gone. */
static void copy_free(char *dir, char *cache)
{
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* The reader's load: from the cache's entries when it can. */
static void load_reader(struct store *s, const char *dir, const char *cache,
			void (*hook)(void *, const char *), void *ctx)
{
	const char *paths[] = {dir};
	struct store_opts opts = {.cache_path = cache,
				  .max_file_size = LIMIT,
				  .lazy = true,
				  .from_cache = true,
				  .before_read = hook,
				  .before_read_ctx = ctx};
	store_init(s);
	store_load(s, paths, 1, &opts);
}

/* The reader's store, its check applied, against a fresh full load. */
static void assert_same_as_fresh(const struct store *s, const char *dir)
{
	struct store fresh;
	load_full(&fresh, dir, NULL);
	char *got = store_listing(s), *want = store_listing(&fresh);
	cr_assert_str_eq(got, want, "the list after the check is not a fresh load's");
	char *gp = store_problems_text(s), *wp = store_problems_text(&fresh);
	cr_assert_str_eq(gp, wp, "the problems after the check are not a fresh load's");
	cr_assert_eq(store_listed(s), fresh.n);
	free(got);
	free(want);
	free(gp);
	free(wp);
	store_free(&fresh);
}

static long find_path(const struct store *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(store_path(s, i), path))
			return (long)i;
	return -1;
}

/* The same bytes but one, so the same size, and the mtime set back: only
 * the ctime tells. */
static void change_same_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	size_t len;
	char *text = slurp(path, &len);
	char *at = strstr(text, "reveals");
	cr_assert_not_null(at);
	memcpy(at, "REVEALS", 7);
	write_text(path, text);
	free(text);
	struct timespec ts[2] = {st.st_atim, st.st_mtim};
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	struct stat now;
	cr_assert_eq(stat(path, &now), 0);
	cr_assert_eq(now.st_size, st.st_size);
	cr_assert_eq(now.st_mtim.tv_sec, st.st_mtim.tv_sec);
}

static const char new_article[] = "---\n"
				  "title: \"A story new since the cache\"\n"
				  "publishedDateTime: 2030-01-01T00:00:00Z\n"
				  "webUrl: \"https://example.com/new-since\"\n"
				  "---\n"
				  "Body.\n";

/* Every kind of change at once. */
static void change_everything(const char *dir)
{
	char *p = in_dir(dir, changed_name);
	change_same_size(p);
	free(p);
	p = in_dir(dir, gone_name);
	cr_assert_eq(unlink(p), 0);
	free(p);
	p = in_dir(dir, "everyday-cc__ai/2030-01-01-new.md");
	write_text(p, new_article);
	free(p);
	p = in_dir(dir, broken_name);
	write_text(p, "---\ntitle: [unclosed\n---\n");
	free(p);
	p = in_dir(dir, big_name);
	char *big = xmalloc(LIMIT + 2);
	memset(big, 'x', LIMIT + 1);
	big[LIMIT + 1] = '\0';
	write_text(p, big);
	free(big);
	free(p);
}

Test(validate, first_screen_from_the_cache_then_every_change_found, .timeout = 60)
{
	char *cache, *dir = warm_copy("validate-all", &cache);
	change_everything(dir);

	struct store s;
	load_reader(&s, dir, cache, NULL, NULL);
	/* from the cache alone: what it held, the changes not seen yet */
	cr_assert(s.check_due, "not loaded from the cache's entries");
	char *gone = in_dir(dir, gone_name), *changed = in_dir(dir, changed_name);
	long g = find_path(&s, gone), c = find_path(&s, changed);
	cr_assert_geq(g, 0, "the gone file's article was not loaded from the cache");
	cr_assert_geq(c, 0);
	cr_assert_null(strstr(store_row(&s, (size_t)c)->title, "REVEALS"));

	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added, 1, "added %zu", ch.added);
	cr_assert_eq(ch.changed, 3, "changed %zu", ch.changed);
	cr_assert_eq(ch.gone, 1, "gone %zu", ch.gone);
	cr_assert(ch.problems);
	/* indices stay: the changed one in place, the gone one hidden */
	cr_assert_eq(find_path(&s, changed), c);
	cr_assert_not_null(strstr(store_row(&s, (size_t)c)->title, "REVEALS"));
	cr_assert(store_is_hidden(&s, (size_t)g));
	cr_assert_eq(store_find_url(&s, "https://example.com/new-since"), (long)s.n - 1);
	assert_same_as_fresh(&s, dir);
	store_free(&s);

	/* the check rewrote the cache: the next start agrees as well */
	load_reader(&s, dir, cache, NULL, NULL);
	cr_assert(store_check_start(&s));
	cr_assert(store_check_apply(&s, true, &ch));
	assert_same_as_fresh(&s, dir);
	store_free(&s);
	free(gone);
	free(changed);
	copy_free(dir, cache);
}

Test(validate, nothing_changed_changes_nothing, .timeout = 60)
{
	char *cache, *dir = warm_copy("validate-none", &cache);
	struct stat before;
	cr_assert_eq(stat(cache, &before), 0);

	struct store s;
	load_reader(&s, dir, cache, NULL, NULL);
	cr_assert(s.check_due);
	size_t n = s.n;
	char *list0 = store_listing(&s), *prob0 = store_problems_text(&s);
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert(!ch.added && !ch.changed && !ch.gone && !ch.problems,
		  "+%zu, %zu changed, %zu gone", ch.added, ch.changed, ch.gone);
	cr_assert_eq(s.n, n);
	cr_assert_eq(s.nhidden, 0);
	char *list1 = store_listing(&s), *prob1 = store_problems_text(&s);
	cr_assert_str_eq(list0, list1);
	cr_assert_str_eq(prob0, prob1);
	assert_same_as_fresh(&s, dir);
	/* applied once; nothing more to take */
	cr_assert(!store_check_apply(&s, true, &ch));
	struct stat after;
	cr_assert_eq(stat(cache, &after), 0);
	cr_assert_eq(after.st_ino, before.st_ino, "the cache was rewritten for nothing");
	free(list0);
	free(list1);
	free(prob0);
	free(prob1);
	store_free(&s);
	copy_free(dir, cache);
}

/* Paths given that are files, not directories: the usual load. */
Test(validate, a_file_given_loads_as_usual, .timeout = 60)
{
	char *dir = corpus_copy("validate-file");
	char *cache = xasprintf("%s.cache", dir);
	char *file = in_dir(dir, changed_name);
	const char *paths[] = {file};
	struct store_opts opts = {.cache_path = cache, .lazy = true, .from_cache = true};
	struct store s;
	for (int i = 0; i < 2; i++) {
		store_init(&s);
		store_load(&s, paths, 1, &opts);
		cr_assert(!s.check_due, "a file given was loaded from the cache alone");
		cr_assert(!store_check_start(&s));
		store_free(&s);
	}
	free(file);
	copy_free(dir, cache);
}

struct race {
	const char *path;
	bool done;
};

/* The file changes again just as the check is about to read it. */
static void change_under_the_check(void *ctx, const char *path)
{
	struct race *r = ctx;
	if (r->done || strcmp(path, r->path))
		return;
	r->done = true;
	write_text(path, "---\ntitle: \"The third version\"\n"
			 "publishedDateTime: 2021-03-06T00:00:00Z\n---\n");
}

Test(validate, a_file_changed_during_the_check_is_never_kept_stale, .timeout = 60)
{
	char *cache, *dir = warm_copy("validate-race", &cache);
	char *changed = in_dir(dir, changed_name);
	change_same_size(changed);

	struct race race = {changed, false};
	struct store s;
	load_reader(&s, dir, cache, change_under_the_check, &race);
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert(race.done, "the check never read the changed file");
	cr_assert_eq(ch.changed, 1);
	long c = find_path(&s, changed);
	cr_assert_geq(c, 0);
	cr_assert_str_eq(store_row(&s, (size_t)c)->title, "The third version");
	assert_same_as_fresh(&s, dir);
	store_free(&s);
	/* the cache the check wrote holds no stale version of it */
	load_reader(&s, dir, cache, NULL, NULL);
	cr_assert(store_check_start(&s));
	cr_assert(store_check_apply(&s, true, &ch));
	assert_same_as_fresh(&s, dir);
	c = find_path(&s, changed);
	cr_assert(c >= 0 && !store_is_hidden(&s, (size_t)c));
	cr_assert_str_eq(store_row(&s, (size_t)c)->title, "The third version");
	store_free(&s);
	free(changed);
	copy_free(dir, cache);
}

/* The check holds on the first file it reads until the test lets it go. */
static atomic_bool let_go;
static void hold_the_check(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	while (!atomic_load(&let_go))
		usleep(1000);
}

/* A reader that quits while its check runs: the check stops where it is
 * and writes no cache, though it met a new file that a whole check would
 * have cached. */
Test(validate, a_check_cancelled_stops_and_writes_nothing, .timeout = 60)
{
	char *cache, *dir = warm_copy("validate-cancel", &cache);
	char *added = in_dir(dir, "a-new-one.md");
	write_text(added, new_article);
	struct stat before, after;
	cr_assert_eq(stat(cache, &before), 0);

	atomic_store(&let_go, false);
	struct store s;
	load_reader(&s, dir, cache, hold_the_check, NULL);
	cr_assert(store_check_start(&s));
	store_check_cancel(&s);
	atomic_store(&let_go, true);
	store_free(&s); /* joins the check */
	cr_assert_eq(stat(cache, &after), 0);
	cr_assert(before.st_ino == after.st_ino && before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		  before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
		  "a cancelled check rewrote the cache");

	/* not cancelled, the same check finds the file and caches it */
	load_reader(&s, dir, cache, NULL, NULL);
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added, 1);
	store_free(&s);
	cr_assert_eq(stat(cache, &after), 0);
	cr_assert(before.st_ino != after.st_ino, "the whole check did not rewrite the cache");
	free(added);
	copy_free(dir, cache);
}

/* A cache the check cannot write is said, as a load says it, not lost. */
Test(validate, a_cache_the_check_cannot_write_is_said, .timeout = 60)
{
	char *cache, *dir = warm_copy("validate-unwritable", &cache);
	char *added = in_dir(dir, "a-new-one.md");
	write_text(added, new_article);

	struct store s;
	load_reader(&s, dir, cache, NULL, NULL);
	/* the file it opened stays readable; its name now holds a directory,
	 * which no cache can be renamed over */
	cr_assert_eq(unlink(cache), 0);
	cr_assert_eq(mkdir(cache, 0700), 0);
	size_t before = s.warnings.n;
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added, 1);
	cr_assert_eq(ch.warnings, 1);
	cr_assert_eq(s.warnings.n, before + 1);
	cr_assert(strstr(s.warnings.v[before], "cannot write"), "%s", s.warnings.v[before]);
	store_free(&s);
	rmdir(cache);
	free(added);
	free(cache);
	temp_dir_free(dir);
}

/* A copy of the corpus for the reader, and its own cache and marks. */
struct reader_case {
	char *home, *dir, *cache_env, *state_env;
	const char *env[10];
};

static void case_open(struct reader_case *c, const char *name)
{
	char *home = xasprintf("%s-home", name);
	c->home = temp_dir(home);
	free(home);
	c->dir = corpus_copy(name);
	reader_env(c->home, &c->cache_env, &c->state_env, c->env);
}

/* Its cache written, as a first lede --check writes it. */
static void case_warm(struct reader_case *c)
{
	struct run r;
	const char *check[] = {"--check", c->dir, NULL};
	run_lede(&r, check, c->env);
	run_free(&r);
}

static void case_close(struct reader_case *c)
{
	free(c->cache_env);
	free(c->state_env);
	temp_dir_free(c->dir);
	temp_dir_free(c->home);
}

/* The reader over the case's archive, headless, playing script_text:
 * every expectation met. */
static void play(const struct reader_case *c, const char *script_text)
{
	char *script = xasprintf("%s.script", c->dir);
	write_text(script, script_text);
	const char *argv[] = {"--script", script, "--size", "200x30", c->dir, NULL};
	struct run r;
	run_lede(&r, argv, c->env);
	unlink(script);
	free(script);
	cr_assert_eq(r.status, 0, "the reader failed: %s%s", r.out, r.err);
	cr_assert_null(strstr(r.err, "expected"), "%s", r.err);
	run_free(&r);
}

Test(validate, reader_says_what_changed_and_keeps_the_selection, .timeout = 60)
{
	struct reader_case c;
	case_open(&c, "validate-reader");
	case_warm(&c);
	const char *dir = c.dir;

	char *p = in_dir(dir, changed_name);
	change_same_size(p);
	free(p);
	p = in_dir(dir, gone_name);
	cr_assert_eq(unlink(p), 0);
	free(p);
	for (int i = 0; i < 2; i++) {
		p = in_dir(dir, i ? "everyday-cc__ai/2031-new.md" : "everyday-cc__ai/2030-new.md");
		char *text = xasprintf("---\ntitle: \"New story %d\"\n"
				       "publishedDateTime: 203%d-01-01T00:00:00Z\n---\n",
				       i, i);
		write_text(p, text);
		free(text);
		free(p);
	}
	/* the fourth row before the check, which puts two rows above it and
	 * takes one away */
	play(&c, "key j j j\n"
	     "expect message ^\\+2 new, 1 changed, 1 gone\n"
	     "expect selected Study warns deepfakes\n"
	     "expect status \\] 5/\n"
	     "expect screen REVEALS\n"
	     "key j\n"
	     "expect message ^ *$\n");
	case_close(&c);
}

/* The selected story is gone: the row where it stood, and its story. */
Test(validate, reader_selects_the_nearest_row_when_the_story_is_gone, .timeout = 60)
{
	struct reader_case c;
	case_open(&c, "validate-gone");
	case_warm(&c);
	char *p = in_dir(c.dir, gone_name);
	cr_assert_eq(unlink(p), 0);
	free(p);
	play(&c, "key j\n"
	     "expect message ^1 gone\n"
	     "expect selected Artificial intelligence reveals\n"
	     "expect story Artificial intelligence reveals\n"
	     "expect status \\] 2/\n");
	case_close(&c);
}

Test(validate, reader_says_nothing_when_nothing_changed, .timeout = 60)
{
	struct reader_case c;
	case_open(&c, "validate-quiet");
	case_warm(&c);
	play(&c, "key j j j\n"
	     "expect message ^ *$\n"
	     "expect selected Study warns deepfakes\n");
	case_close(&c);
}

/* --list checks every file before it prints: a change made after the
 * cache was written is in its very first output. */
Test(validate, list_sees_a_change_at_once, .timeout = 60)
{
	struct reader_case c;
	case_open(&c, "validate-list");
	struct run r;
	const char *list[] = {"--list", c.dir, NULL};
	run_lede(&r, list, c.env);
	cr_assert_null(strstr(r.out, "REVEALS"));
	run_free(&r);
	char *p = in_dir(c.dir, changed_name);
	change_same_size(p);
	free(p);
	run_lede(&r, list, c.env);
	cr_assert_not_null(strstr(r.out, "REVEALS"), "--list printed the cached title");
	run_free(&r);
	case_close(&c);
}
