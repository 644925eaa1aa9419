/* A first run streams: each file is encoded into the new cache on the
 * thread that parsed it, through lanes that spill to files, and the load
 * keeps of each article only what its caller needs. Held against the cache
 * as it was written before (every file parsed whole, then added one by
 * one), against lede's output without a cache, and against a bound on the
 * writer's memory that does not grow with the number of entries. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/atomic.h"
#include "lede/cache.h"
#include "lede/cache_encode.h"
#include "lede/parse.h"
#include "lede/scan.h"
#include "lede/search.h"
#include "lede/spill.h"
#include "lede/store.h"
#include "lede/util.h"

static unsigned char *bytes_of(const char *path, size_t *len)
{
	return (unsigned char *)slurp(path, len);
}

static void commit_ok(struct cache_writer *w, const char *path)
{
	char *err = NULL;
	int r = cache_writer_commit(w, path, &err);
	cr_assert_eq(r, 0, "commit: %s", err ? err : "(no message)");
}

/* The key the store gives a file found under root: the root resolved,
 * then the rest of the path. */
static char *key_for(const char *root, const char *path)
{
	char *rk = cache_root_key(root);
	const char *rest = path + strlen(root);
	while (*rest == '/')
		rest++;
	char *k = *rest ? xasprintf("%s/%s", rk, rest) : xstrdup(rk);
	free(rk);
	return k;
}

/* One file as the loader sees it: stat-ed, then read and parsed. */
struct parsed {
	char *key;
	const char *path;
	struct stat st;
	struct article *a;
	struct strlist problems;
};

static void parse_file(struct parsed *p, const char *root, const char *path)
{
	p->path = path;
	p->key = key_for(root, path);
	cr_assert(stat(path, &p->st) == 0, "stat %s: %s", path, strerror(errno));
	char *data;
	size_t len;
	cr_assert(read_file(path, STORE_DEFAULT_MAX_FILE, &data, &len) == 0, "read %s", path);
	p->problems = (struct strlist){0};
	p->a = parse_article(path, data, len, &p->problems);
	free(data);
}

static void parsed_free(struct parsed *p)
{
	free(p->key);
	article_free(p->a);
	strlist_free(&p->problems);
}

/* An entry's bytes, as the encoder writes them: equal bytes, equal
 * articles and problems (the decoder reads back exactly what it wrote). */
static void encode(struct buf *b, const char *key, const char *path, const struct article *a,
		   const struct strlist *problems)
{
	struct buf body = {0};
	b->len = 0;
	cache_encode(b, &body, key, path, a, (const char *const *)problems->v, problems->n);
	buf_add(b, body.data, body.len);
	buf_free(&body);
}

/* Entry of p's file in c: found, and decoding to p's article and problems. */
static void assert_entry_is(struct cache_reader *r, const struct parsed *p)
{
	long id = cache_find(r, p->key, &p->st);
	cr_assert_geq(id, 0, "%s: not in the cache", p->path);
	/* guessed right, or wrong (the entry before or after it) */
	cr_assert_eq(cache_find_near(r, p->key, &p->st, (size_t)id), id, "%s", p->path);
	cr_assert_eq(cache_find_near(r, p->key, &p->st, (size_t)id + 1), id, "%s", p->path);
	cr_assert_eq(cache_find_near(r, p->key, &p->st, id ? (size_t)id - 1 : 1), id, "%s",
		     p->path);
	struct strlist problems = {0};
	const struct cache_text *texts;
	size_t ntexts;
	int kind = cache_read_head_as(r, (size_t)id, p->key, p->path, &problems, &texts, &ntexts);
	cr_assert_eq(kind, p->a != NULL, "%s: kind %d", p->path, kind);
	struct article *a = kind == 1 ? cache_read_article(r, (size_t)id, p->path) : NULL;
	cr_assert_eq(a != NULL, p->a != NULL, "%s: article", p->path);
	struct buf want = {0}, got = {0};
	encode(&want, p->key, p->path, p->a, &p->problems);
	encode(&got, p->key, p->path, a, &problems);
	cr_assert(want.len == got.len && !memcmp(want.data, got.data, want.len),
		  "%s: the cached article or problems differ", p->path);
	buf_free(&want);
	buf_free(&got);
	article_free(a);
	strlist_free(&problems);
}

struct roots {
	const char *v[2];
	size_t n;
};

static struct roots first_run_roots[] = {
	{{"seeds"}, 1},
	{{"tests/corpus"}, 1},
	{{"seeds", "tests/corpus"}, 2},
};

ParameterizedTestParameters(cache_stream, first_run_is_the_cache_of_before)
{
	return cr_make_param_array(struct roots, first_run_roots,
				   sizeof first_run_roots / sizeof first_run_roots[0]);
}

/* The cache a first run writes, on two threads, is byte for byte the one
 * the writer makes of every file parsed and added in scan order, and it
 * gives back each file's article and problems. */
ParameterizedTest(struct roots *rt, cache_stream, first_run_is_the_cache_of_before)
{
	char *dir = temp_dir("stream");
	char *new_path = xasprintf("%s/new/x.cache", dir), *old_path = xasprintf("%s/old.cache", dir);
	struct store s;
	store_init(&s);
	struct store_opts opts = {.cache_path = new_path, .threads = 2, .list_only = true};
	store_load(&s, rt->v, rt->n, &opts);
	cr_assert_gt(s.n, 0);

	struct strlist files = {0}, scan_problems = {0};
	scan_paths(rt->v, rt->n, &files, &scan_problems);
	struct parsed *p = xcalloc(files.n, sizeof *p);
	struct cache_writer *w = cache_writer_new();
	for (size_t i = 0, r = 0; i < files.n; i++) {
		while (r + 1 < rt->n && strncmp(files.v[i], rt->v[r], strlen(rt->v[r])))
			r++;
		parse_file(&p[i], rt->v[r], files.v[i]);
		cache_writer_add_as(w, p[i].key, p[i].path, &p[i].st, p[i].a,
				    (const char *const *)p[i].problems.v, p[i].problems.n);
	}
	commit_ok(w, old_path);
	cache_writer_free(w);

	size_t nold, nnew;
	unsigned char *old = bytes_of(old_path, &nold), *new = bytes_of(new_path, &nnew);
	cr_assert(nold == nnew && !memcmp(old, new, nold), "the caches differ (%zu, %zu bytes)",
		  nold, nnew);
	char *err = NULL;
	struct cache *c = cache_open(new_path, &err);
	cr_assert_not_null(c, "%s", err ? err : "");
	cr_assert_eq(cache_count(c), files.n, "files left out of the cache");
	struct cache_reader *rd = cache_reader_new(c);
	for (size_t i = 0; i < files.n; i++) {
		assert_entry_is(rd, &p[i]);
		parsed_free(&p[i]);
	}
	cache_reader_free(rd);
	cache_close(c);
	free(p);
	free(old);
	free(new);
	strlist_free(&files);
	strlist_free(&scan_problems);
	store_free(&s);
	free(new_path);
	free(old_path);
	temp_dir_free(dir);
}

static void run_list(struct run *r, const char *cache_home, const char *root, const char *pattern,
		     bool no_cache)
{
	char *env = xasprintf("XDG_CACHE_HOME=%s", cache_home);
	const char *argv[6] = {"--list"}, *envv[] = {env, NULL};
	size_t n = 1;
	if (no_cache)
		argv[n++] = "--no-cache";
	if (pattern) {
		argv[n++] = "-e";
		argv[n++] = pattern;
	}
	argv[n++] = root;
	argv[n] = NULL;
	run_lede(r, argv, envv);
	free(env);
}

static void assert_same_run(const struct run *want, const struct run *got, const char *what)
{
	cr_assert_eq(got->status, want->status, "%s: status", what);
	cr_assert_str_eq(got->out, want->out, "%s: stdout", what);
	cr_assert_str_eq(got->err, want->err, "%s: stderr", what);
}

/* lede --list, with and without a search, prints the same on a first run
 * (which writes the cache), a warm one and without the cache. */
Test(cache_stream, list_is_the_same_with_and_without_the_cache)
{
	static const char *const roots[] = {"seeds", "tests/corpus"};
	static const char *const patterns[] = {NULL, "the", "(?i)robot|vision", "zzz-nothing"};
	for (size_t i = 0; i < 2; i++) {
		for (size_t k = 0; k < 4; k++) {
			char *home = temp_dir("stream-cli");
			struct run plain, first, warm;
			run_list(&plain, home, roots[i], patterns[k], true);
			run_list(&first, home, roots[i], patterns[k], false);
			run_list(&warm, home, roots[i], patterns[k], false);
			char *what = xasprintf("%s -e %s", roots[i], patterns[k] ? patterns[k] : "-");
			cr_assert_eq(plain.status, 0, "%s: %s", what, plain.err);
			assert_same_run(&plain, &first, what);
			assert_same_run(&plain, &warm, what);
			free(what);
			run_free(&plain);
			run_free(&first);
			run_free(&warm);
			temp_dir_free(home);
		}
	}
}

/* A load that commits behind (store_opts.commit_behind) writes the very
 * cache a load that commits before it returns writes, once waited for;
 * and a cache it cannot write is said from the wait on. */
Test(cache_stream, a_commit_behind_writes_the_same_cache)
{
	static const char *const roots[] = {"tests/corpus"};
	char *dir = temp_dir("stream-behind");
	char *before = xasprintf("%s/before/x.cache", dir), *behind = xasprintf("%s/behind/x.cache", dir);
	struct store a, b;
	store_init(&a);
	store_init(&b);
	struct store_opts oa = {.cache_path = before, .threads = 2, .list_only = true};
	struct store_opts ob = oa;
	ob.cache_path = behind;
	ob.commit_behind = true;
	store_load(&a, roots, 1, &oa);
	store_load(&b, roots, 1, &ob);
	cr_assert_null(a.committing);
	store_commit_wait(&b);
	cr_assert_null(b.committing);
	cr_assert_eq(b.warnings.n, 0, "%s", b.warnings.n ? b.warnings.v[0] : "");
	size_t na, nb;
	unsigned char *ca = bytes_of(before, &na), *cb = bytes_of(behind, &nb);
	cr_assert(na == nb && !memcmp(ca, cb, na), "the caches differ (%zu, %zu bytes)", na, nb);
	free(ca);
	free(cb);

	/* the cache's directory a regular file: the commit fails */
	char *file = xasprintf("%s/file", dir), *bad = xasprintf("%s/file/x.cache", dir);
	write_text(file, "not a directory");
	struct store c;
	store_init(&c);
	ob.cache_path = bad;
	store_load(&c, roots, 1, &ob);
	size_t said = c.warnings.n;
	for (size_t i = 0; i < said; i++)
		cr_assert_null(strstr(c.warnings.v[i], "cannot"), "%s", c.warnings.v[i]);
	store_commit_wait(&c);
	cr_assert_eq(c.warnings.n, said + 1, "the failure is not said");
	cr_assert(strstr(c.warnings.v[said], "cannot"), "%s", c.warnings.v[said]);
	store_commit_wait(&c); /* once */
	cr_assert_eq(c.warnings.n, said + 1);
	store_free(&a);
	store_free(&b);
	store_free(&c);
	free(file);
	free(bad);
	free(before);
	free(behind);
	temp_dir_free(dir);
}

/* Whole: any of the parts that --list never prints. */
static bool kept_whole(const struct article *a)
{
	return a->excerpt || a->nimages || a->nrelated || a->ntopics || a->category ||
	       a->original_url || a->provider.domain;
}

/* A first run for --list keeps no article whole: the list's fields of
 * those the search matches, the path of the others; and it still knows
 * which matched, as the search over a whole load says. */
Test(cache_stream, first_run_for_a_list_keeps_no_article_whole)
{
	char *err = NULL;
	struct search *re = search_compile("the", &err);
	cr_assert_not_null(re);
	const char *paths[] = {"tests/corpus"};
	struct store whole;
	store_init(&whole);
	store_load(&whole, paths, 1, NULL);
	size_t nwhole = 0, nmatch = 0;
	for (size_t i = 0; i < whole.n; i++)
		nwhole += kept_whole(whole.v[i]);
	cr_assert_gt(nwhole, whole.n / 2, "the corpus has little to leave out");

	for (int with_search = 0; with_search < 2; with_search++) {
		char *dir = temp_dir("stream-keep");
		char *cache_path = xasprintf("%s/x.cache", dir);
		struct store s;
		store_init(&s);
		struct store_opts opts = {.cache_path = cache_path,
					  .threads = 2,
					  .list_only = true,
					  .match_only = with_search ? re : NULL};
		store_load(&s, paths, 1, &opts);
		cr_assert_eq(s.n, whole.n);
		cr_assert_eq(s.cache_hits, 0, "not a first run");
		struct article tmp = {0};
		for (size_t i = 0; i < s.n; i++) {
			cr_assert(!s.v[i] && s.rows && s.rows[i], "%s: not a row", whole.v[i]->path);
			const struct article *a = store_list_view(&s, i, &tmp), *w = whole.v[i];
			cr_assert_str_eq(a->path, w->path);
			cr_assert(!kept_whole(a), "%s kept whole", a->path);
			if (with_search) {
				bool m = search_article(re, w);
				cr_assert_not_null(s.matched);
				cr_assert_eq(s.matched[i], m, "%s: verdict", a->path);
				nmatch += m;
				if (!m)
					continue;
			}
			cr_assert((!a->title && !w->title) || !strcmp(a->title, w->title));
			cr_assert((!a->web_url && !w->web_url) || !strcmp(a->web_url, w->web_url));
			cr_assert_eq(a->date, w->date);
		}
		store_free(&s);
		free(cache_path);
		temp_dir_free(dir);
	}
	cr_assert_gt(nmatch, 0);
	store_free(&whole);
	search_free(re);
}

/* A first run for --check keeps only each article's path and webUrl (which
 * tells a duplicate), and --check says
 * the same on a first run, a warm one and without the cache. */
Test(cache_stream, first_run_for_a_check_keeps_only_paths)
{
	const char *paths[] = {"tests/corpus"};
	char *dir = temp_dir("stream-check");
	char *cache_path = xasprintf("%s/x.cache", dir);
	struct store s;
	store_init(&s);
	struct store_opts opts = {
		.cache_path = cache_path, .threads = 2, .list_only = true, .count_only = true};
	store_load(&s, paths, 1, &opts);
	cr_assert_gt(s.n, 20);
	struct article tmp = {0};
	for (size_t i = 0; i < s.n; i++) {
		const struct article *a = store_list_view(&s, i, &tmp);
		cr_assert(!a->title && !a->provider.name && !kept_whole(a),
			  "%s kept more than its path and webUrl", a->path);
	}
	store_free(&s);
	free(cache_path);

	struct run plain, first, warm;
	char *env = xasprintf("XDG_CACHE_HOME=%s", dir);
	const char *const envv[] = {env, NULL};
	const char *const no_cache[] = {"--check", "--no-cache", "tests/corpus", NULL};
	const char *const cached[] = {"--check", "tests/corpus", NULL};
	run_lede(&plain, no_cache, envv);
	run_lede(&first, cached, envv);
	run_lede(&warm, cached, envv);
	cr_assert_neq(strstr(plain.out, " articles, "), NULL, "%s", plain.out);
	assert_same_run(&plain, &first, "--check, first run");
	assert_same_run(&plain, &warm, "--check, warm");
	run_free(&plain);
	run_free(&first);
	run_free(&warm);
	free(env);
	temp_dir_free(dir);
}

enum { MANY = 12000, RUN = 32 };

/* A writer given many entries on two lanes, taken as the loader takes
 * files (runs of RUN, the lanes in turn) and placed in order; and the same
 * entries added one by one to a writer that keeps them all in memory. */
static void write_many(const char *stream_path, const char *serial_path, bool park,
		       size_t *peak)
{
	struct parsed p;
	parse_file(&p, "seeds", "seeds/000_05f876dcdba3f9f7.txt");
	cr_assert_not_null(p.a);
	struct cache_writer *w = cache_writer_new(), *serial = cache_writer_new();
	cache_writer_stream(w, stream_path, 2);
	struct cache_ticket *t = xcalloc(MANY, sizeof *t);
	struct stat *st = xcalloc(MANY, sizeof *st);
	for (size_t i = 0; i < MANY; i++) {
		st[i] = p.st;
		st[i].st_ino = (ino_t)(1000 + i);
		st[i].st_mtim.tv_sec = st[i].st_ctim.tv_sec = 1000000000;
		char *key = xasprintf("/archive/%05zu.md", i);
		cache_writer_encode(w, i / RUN % 2, key, key, &st[i], p.a,
				    (const char *const *)p.problems.v, p.problems.n, &t[i]);
		cr_assert(t[i].made);
		if (park) {
			cache_ticket_park(w, &t[i]);
			cr_assert_null(t[i].body, "a parked body still in memory");
		}
		cache_writer_add_as(serial, key, key, &st[i], p.a,
				    (const char *const *)p.problems.v, p.problems.n);
		free(key);
	}
	for (size_t i = 0; i < MANY; i++)
		cache_writer_place(w, &t[i], &st[i]);
	commit_ok(w, stream_path);
	commit_ok(serial, serial_path);
	*peak = cache_writer_peak(w);
	cr_assert_gt(cache_writer_peak(serial), 8 * (size_t)SPILL_BOUND,
		     "too few entries to tell a bound");
	cr_log_info("writer: %zu bytes held streaming, %zu in memory", *peak,
		    cache_writer_peak(serial));
	cache_writer_free(w);
	cache_writer_free(serial);
	free(t);
	free(st);
	parsed_free(&p);
}

/* The names in dir, but . and .., joined by spaces. */
static char *names_in(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	struct buf b = {0};
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			buf_printf(&b, "%s%s", b.len ? " " : "", e->d_name);
	closedir(d);
	return b.data ? b.data : xstrdup("");
}

/* The bodies are written into the cache file as they are placed, and the
 * file has no name until the commit gives it the cache's: a writer given
 * up, or a process killed, leaves nothing in the directory, and a commit
 * leaves the cache alone. */
Test(cache_stream, the_file_is_nameless_until_committed)
{
	char *dir = temp_dir("nameless");
	char *cpath = xasprintf("%s/c.cache", dir);
	struct parsed p;
	parse_file(&p, "seeds", "seeds/000_05f876dcdba3f9f7.txt");
	cr_assert_not_null(p.a);
	for (int commit = 0; commit < 2; commit++) {
		struct cache_writer *w = cache_writer_new();
		cache_writer_stream(w, cpath, 1);
		for (size_t i = 0; i < MANY; i++) {
			struct stat st = p.st;
			st.st_ino = (ino_t)(1000 + i);
			st.st_mtim.tv_sec = st.st_ctim.tv_sec = 1000000000;
			char *key = xasprintf("/archive/%05zu.md", i);
			struct cache_ticket t;
			cache_writer_encode(w, 0, key, key, &st, p.a, NULL, 0, &t);
			cr_assert(t.made);
			cache_writer_place(w, &t, &st);
			free(key);
		}
		cr_assert_gt(cache_writer_peak(w), 0);
		char *names = names_in(dir);
		cr_assert_str_eq(names, "", "named while written: %s", names);
		free(names);
		if (commit)
			commit_ok(w, cpath);
		cache_writer_free(w);
		names = names_in(dir);
		cr_assert_str_eq(names, commit ? "c.cache" : "", "after the writer: %s", names);
		free(names);
	}
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err ? err : "");
	cr_assert_eq(cache_count(c), MANY);
	struct stat st;
	cr_assert_eq(stat(cpath, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cache_close(c);
	parsed_free(&p);
	free(cpath);
	temp_dir_free(dir);
}

/* The streaming writer holds a bounded amount, however many entries it is
 * given (here, some megabytes of them), and writes the same file as one
 * that held them all. */
Test(cache_stream, the_writer_holds_a_bounded_amount)
{
	char *dir = temp_dir("stream-writer");
	char *a = xasprintf("%s/sub/stream.cache", dir), *b = xasprintf("%s/serial.cache", dir);
	size_t peak;
	write_many(a, b, false, &peak);
	/* ten streams (two lanes' heads, the writer's own lane's, the
	 * bodies placed, the index, and the records section's five:
	 * records, topics, related hashes, keys, titles), each at most
	 * twice the bound of capacity */
	cr_assert_leq(peak, 10 * 2 * (size_t)SPILL_BOUND, "peak %zu bytes", peak);
	size_t na, nb;
	unsigned char *x = bytes_of(a, &na), *y = bytes_of(b, &nb);
	cr_assert_gt(na, 4 * peak, "the cache is no bigger than what was held");
	cr_assert(na == nb && !memcmp(x, y, na), "the two writers' files differ");
	char *err = NULL;
	struct cache *c = cache_open(a, &err);
	cr_assert_not_null(c, "%s", err ? err : "");
	cr_assert_eq(cache_count(c), MANY);
	cache_close(c);
	free(x);
	free(y);
	free(a);
	free(b);
	temp_dir_free(dir);
}

/* Tickets that wait for the end of the load (one that does not stream)
 * keep their bodies in their lanes' streams, not in memory: the same file,
 * the same bound. */
Test(cache_stream, tickets_parked_till_the_end_hold_a_bounded_amount)
{
	char *dir = temp_dir("stream-parked");
	char *a = xasprintf("%s/sub/stream.cache", dir), *b = xasprintf("%s/serial.cache", dir);
	size_t peak;
	write_many(a, b, true, &peak);
	/* and two streams more, the lanes' parked bodies */
	cr_assert_leq(peak, 12 * 2 * (size_t)SPILL_BOUND, "peak %zu bytes", peak);
	size_t na, nb;
	unsigned char *x = bytes_of(a, &na), *y = bytes_of(b, &nb);
	cr_assert_gt(na, 4 * peak, "the cache is no bigger than what was held");
	cr_assert(na == nb && !memcmp(x, y, na), "the two writers' files differ");
	char *err = NULL;
	struct cache *c = cache_open(a, &err);
	cr_assert_not_null(c, "%s", err ? err : "");
	cr_assert_eq(cache_count(c), MANY);
	cache_close(c);
	free(x);
	free(y);
	free(a);
	free(b);
	temp_dir_free(dir);
}

/* The spills' files: unnamed, in the cache's directory, read back as
 * written, and nothing left there once closed (nor while open). */
Test(cache_stream, scratch_files_leave_nothing)
{
	char *dir = temp_dir("stream-scratch");
	char *path = xasprintf("%s/x.cache", dir);
	int fd = atomic_scratch(path);
	cr_assert_geq(fd, 0, "atomic_scratch: %s", strerror(errno));
	cr_assert_eq(write(fd, "spilled", 7), 7);
	char back[8] = {0};
	cr_assert_eq(pread(fd, back, 7, 0), 7);
	cr_assert_str_eq(back, "spilled");
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	size_t names = 0;
	for (struct dirent *e; (e = readdir(d));)
		names += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	cr_assert_eq(names, 0, "a scratch file has a name");
	close(fd);
	free(path);
	temp_dir_free(dir);
}
