#define _GNU_SOURCE
#include "helpers.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lede/cluster.h"
#include "lede/fields.h"
#include "lede/query.h"
#include "lede/util.h"

void load_path(struct store *s, const char *path)
{
	store_init(s);
	store_load(s, &path, 1, NULL);
}

struct article *find_article(const struct store *s, const char *suffix)
{
	size_t n = strlen(suffix);
	for (size_t i = 0; i < s->n; i++) {
		size_t m = strlen(s->v[i]->path);
		if (m >= n && !strcmp(s->v[i]->path + m - n, suffix))
			return s->v[i];
	}
	return NULL;
}

static void drain(int fd, struct buf *b, bool *open)
{
	char tmp[65536];
	ssize_t r = read(fd, tmp, sizeof tmp);
	if (r > 0)
		buf_add(b, tmp, (size_t)r);
	else
		*open = false;
}

/* A cache home of this test process's own, so that no test writes into the
 * real ~/.cache and no two tests share a cache unless they mean to. */
static char *cache_home;

static void remove_cache_home(void)
{
	if (cache_home)
		remove_tree(cache_home);
	free(cache_home);
	cache_home = NULL;
}

static const char *test_cache_home(void)
{
	if (!cache_home) {
		cache_home = temp_dir("test-cache");
		atexit(remove_cache_home);
	}
	return cache_home;
}

void exec_lede(const char *bin, const char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	const char **av = calloc(n + 2, sizeof *av);
	av[0] = bin;
	memcpy(av + 1, argv, n * sizeof *av);
	execv(bin, (char *const *)av);
	_exit(127);
}

void run_lede(struct run *r, const char *const *argv, const char *const *env)
{
	bool own_cache = true;
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], "XDG_CACHE_HOME=", 15))
			own_cache = false;
	const char *cache = own_cache ? test_cache_home() : NULL;
	const char *bin = getenv("LEDE_BIN");
	if (!bin)
		bin = "./lede";
	int po[2], pe[2];
	cr_assert(pipe(po) == 0 && pipe(pe) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		if (cache)
			setenv("XDG_CACHE_HOME", cache, 1);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		exec_lede(bin, argv);
	}
	close(po[1]);
	close(pe[1]);
	struct buf out = {0}, err = {0};
	bool oo = true, eo = true;
	while (oo || eo) {
		struct pollfd p[2] = {{oo ? po[0] : -1, POLLIN, 0}, {eo ? pe[0] : -1, POLLIN, 0}};
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents)
			drain(po[0], &out, &oo);
		if (p[1].revents)
			drain(pe[0], &err, &eo);
	}
	close(po[0]);
	close(pe[0]);
	int st;
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out_len = out.len;
	r->err_len = err.len;
	r->out = (char *)buf_str(&out);
	r->err = (char *)buf_str(&err);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

char *slurp(const char *path, size_t *len)
{
	char *data;
	size_t n;
	cr_assert(read_file(path, 1u << 30, &data, &n) == 0, "cannot read %s", path);
	if (len)
		*len = n;
	return data;
}

void wait_until_not_racy(void)
{
	/* The filesystem's clock may lag the system's by a tick; a tenth of
	 * a second more covers it. */
	struct timespec ts = {2, 100000000};
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

long dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

void age_file(const char *path, long seconds)
{
	struct timespec ts[2] = {{time(NULL) - seconds, 0}, {time(NULL) - seconds, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0, "%s", strerror(errno));
}

char *temp_dir(const char *name)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/lede-%s-XXXXXX", t && *t ? t : "/tmp", name);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

void temp_dir_free(char *dir)
{
	/* rm, unlike nftw, copes with trees deeper than PATH_MAX */
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
	free(cmd);
	free(dir);
}

void roff_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			buf_puts(b, "\\-");
		else if (*s == '\\')
			buf_puts(b, "\\e");
		else
			buf_putc(b, *s);
	}
}

void write_bytes(const char *path, const void *d, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "cannot write %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, d, len), (ssize_t)len, "%s", path);
	close(fd);
}

char *store_listing(const struct store *s)
{
	size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof *idx);
	size_t n = query_filter_marks(s, NULL, NULL, MARKS_ALL, idx);
	query_sort(s, idx, n, (struct sort_order){SORT_DATE, true});
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		const struct article *a = store_row(s, idx[i]);
		buf_printf(&b, "%s\t%s\t%lld\n", a->path, a->title ? a->title : "",
			   (long long)a->date);
	}
	free(idx);
	return (char *)buf_str(&b);
}

char *store_problems_text(const struct store *s)
{
	struct buf b = {0};
	for (size_t i = 0; i < s->problems.n; i++)
		buf_printf(&b, "%s\n", s->problems.v[i]);
	return (char *)buf_str(&b);
}

char *store_orders(const struct store *s, bool engine)
{
	struct buf b = {0};
	size_t *rows = xmalloc((s->n ? s->n : 1) * sizeof *rows);
	uint32_t *erows = xmalloc((s->n ? s->n : 1) * sizeof *erows);
	struct query *q = engine ? query_new(s) : NULL;
	for (int k = 0; k < SORT_NKEYS; k++) {
		for (int d = 0; d < 2; d++) {
			struct sort_order o = {(enum sort_key)k, d != 0};
			size_t n;
			if (engine) {
				n = query_rows(q, o, NULL, NULL, MARKS_ALL, erows);
				for (size_t r = 0; r < n; r++)
					rows[r] = erows[r];
			} else {
				n = query_filter(s, NULL, rows);
				query_sort(s, rows, n, o);
			}
			buf_printf(&b, "%s:%s\n", query_sort_name(o.key), d ? "desc" : "asc");
			for (size_t r = 0; r < n; r++)
				buf_printf(&b, "%s\n", store_path(s, rows[r]));
		}
	}
	query_free(q);
	free(erows);
	free(rows);
	return (char *)buf_str(&b);
}

void reader_env(const char *home, char **cache_env, char **state_env, const char **env)
{
	*cache_env = xasprintf("XDG_CACHE_HOME=%s/c", home);
	cr_assert_eq(mkdir(*cache_env + strlen("XDG_CACHE_HOME="), 0700), 0);
	*state_env = xasprintf("XDG_STATE_HOME=%s/s", home);
	/* one line per file: these runs are about the rows the loads keep */
	static char config_env[300];
	snprintf(config_env, sizeof config_env, "XDG_CONFIG_HOME=%s/conf", home);
	char *conf = xasprintf("%s/conf", home), *lede = xasprintf("%s/conf/lede", home);
	cr_assert_eq(mkdir(conf, 0700), 0);
	cr_assert_eq(mkdir(lede, 0700), 0);
	char *file = xasprintf("%s/config", lede);
	write_text(file, "set group none\n");
	free(file);
	free(lede);
	free(conf);
	const char *fixed[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			       config_env, "NO_COLOR=1"};
	size_t n = 0;
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		env[n++] = fixed[i];
	env[n++] = *cache_env;
	env[n++] = *state_env;
	env[n] = NULL;
}

char *corpus_copy(const char *name)
{
	char *dir = temp_dir(name);
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	return dir;
}

void load_dir(struct store *s, const char *dir, const char *cache, bool reader)
{
	const char *paths[] = {dir};
	struct store_opts opts = {.cache_path = cache, .lazy = reader, .from_cache = reader};
	store_init(s);
	store_load(s, paths, 1, &opts);
}

/* Has a a value for f the sort knows? */
static bool sort_rule_known(const struct field *f, const struct article *a)
{
	return fields_has(f, a) && (f->kind != FIELD_IS_INT || fields_int(f, a) != -1);
}

bool sort_rule_before(const struct article *a, const struct article *b, const struct field *f,
		      bool desc)
{
	bool ha = sort_rule_known(f, a), hb = sort_rule_known(f, b);
	if (ha != hb)
		return ha;
	if (ha) {
		int64_t va = fields_int(f, a), vb = fields_int(f, b);
		if (va != vb)
			return desc ? va > vb : va < vb;
	}
	if (!a->title != !b->title)
		return a->title != NULL;
	int c = a->title ? strcmp(a->title, b->title) : 0;
	if (c)
		return c < 0;
	return strcmp(a->path, b->path) < 0;
}

void assert_same_clusters(const struct cluster_set *a, const struct cluster_set *b)
{
	cr_assert_eq(a->n, b->n);
	cr_assert_eq(a->nclusters, b->nclusters);
	cr_assert_eq(a->nclustered, b->nclustered);
	for (size_t i = 0; i < a->n; i++)
		cr_assert(a->lead[i] == b->lead[i] && a->next[i] == b->next[i] &&
				  a->size[i] == b->size[i],
			  "article %zu differs", i);
}
