/* main: the command line. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lede/cache.h"
#include "lede/cluster.h"
#include "lede/cluster_file.h"
#include "lede/commands.h"
#include "lede/compat.h"
#include "lede/config.h"
#include "lede/keymap.h"
#include "lede/output.h"
#include "lede/query.h"
#include "lede/querylang.h"
#include "lede/search.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/timeline.h"
#include "lede/ui/app.h"
#include "lede/util.h"
#include "lede/worker.h"

#ifndef LEDE_VERSION
#define LEDE_VERSION "0.1"
#endif
#ifndef LEDE_DATADIR
#define LEDE_DATADIR "/usr/local/share/lede"
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LEDE_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(leak_sanitizer) || __has_feature(memory_sanitizer)
#define LEDE_FREE_AT_EXIT 1
#endif
#endif
#ifndef LEDE_FREE_AT_EXIT
#define LEDE_FREE_AT_EXIT 0
#endif

enum mode { MODE_UI, MODE_LIST, MODE_JSON, MODE_CHECK, MODE_TIMELINE };

static const char usage_text[] =
	"usage: lede [OPTION...] [PATH...]\n"
	"Read an archive of news articles (YAML front matter files).\n"
	"\n"
	"  -s, --sort KEY[:asc|:desc]  date, quality, heat, title or provider\n"
	"  -e, --search REGEX          only articles that match (PCRE2, smart case)\n"
	"  -q, --query QUERY           only articles the query matches (lede(1): QUERIES)\n"
	"      --view NAME             only articles the config's saved view NAME matches\n"
	"      --list                  print the list, tab-separated, and exit\n"
	"      --group                 with --list: one line per story, its count last\n"
	"      --json                  print the articles as JSON Lines and exit\n"
	"      --check                 report every problem in the archive and exit\n"
	"      --timeline              print how many stories a period, and exit\n"
	"  -L, --follow                follow symbolic links inside the directories\n"
	"  -c, --config FILE           read FILE instead of the default config\n"
	"  -k, --keymap NAME|FILE      use a shipped keymap or a keymap file\n"
	"      --no-cache              neither read nor write the article cache\n"
	"  -h, --help                  this help\n"
	"  -V, --version               the version\n"
	"\n"
	"With no PATH, lede opens the bundled seeds. See lede(1) and lede(5).\n";

/* The exit status once standard output is flushed and closed: 1, said in
 * one line, when any of it could not be written. */
static int finish(int status)
{
	if (output_stdout_close() < 0) {
		fprintf(stderr, "lede: stdout: %s\n", strerror(errno));
		return 1;
	}
	return status;
}

/* Text for standard output; a failure is remembered for finish(). */
static void out_text(const char *s)
{
	output_stdout_write(s, strlen(s));
}

/* An argument quoted in a message, escaped as every text from outside is:
 * a command line can hold escape sequences too. The caller frees it. */
static char *quoted(const char *s, size_t n)
{
	struct buf b = {0};
	buf_putc(&b, '\'');
	buf_put_safe(&b, s, n);
	buf_putc(&b, '\'');
	return (char *)buf_str(&b);
}

/* What getopt_long() would have said itself, had it escaped what it
 * quotes: c is what it returned (':' or '?'), arg the option it stopped
 * at. */
static void option_error(int c, const char *arg, const struct option *longopts)
{
	char *q;
	if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
		char opt = (char)optopt;
		q = quoted(&opt, 1);
		fprintf(stderr, c == ':' ? "lede: option requires an argument -- %s\n"
					 : "lede: invalid option -- %s\n",
			q);
		free(q);
		return;
	}
	size_t n = strcspn(arg, "=");
	q = quoted(arg, n);
	if (c == ':') {
		fprintf(stderr, "lede: option %s requires an argument\n", q);
	} else if (optopt) {
		fprintf(stderr, "lede: option %s doesn't allow an argument\n", q);
	} else {
		size_t matches = 0;
		for (const struct option *o = longopts; o->name; o++)
			matches += !strncmp(o->name, arg + 2, n - 2);
		fprintf(stderr, matches > 1 ? "lede: option %s is ambiguous\n"
					    : "lede: unrecognized option %s\n",
			q);
	}
	free(q);
}

/* dir/name when it is a directory, else NULL. Caller frees. */
static char *dir_if_present(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return p;
	free(p);
	return NULL;
}

/* A bundled directory, found from the executable first: beside it (a
 * source tree), then at ../share/lede beside it (an install, wherever it
 * was moved to), else the compiled-in one. Returns NULL when only the
 * compiled-in one is left and local_only is set. */
static char *bundled_dir(const char *name, bool local_only)
{
	char exe[PATH_MAX];
	char *slash;
	if (compat_exe_path(exe, sizeof exe) > 0 && (slash = strrchr(exe, '/'))) {
		*slash = '\0';
		char *p = dir_if_present(exe, name);
		if (!p) {
			char *rel = xasprintf("%s/../share/lede", exe);
			p = dir_if_present(rel, name);
			free(rel);
		}
		if (p)
			return p;
	}
	return local_only ? NULL : xasprintf("%s/%s", LEDE_DATADIR, name);
}

/* The read and starred marks, with any problem in them said on stderr. */
static struct state *open_marks(void)
{
	struct strlist msgs = {0};
	char *path = state_default_path();
	struct state *st = state_open(path, &msgs);
	for (size_t i = 0; i < msgs.n; i++)
		fprintf(stderr, "lede: %s\n", msgs.v[i]);
	strlist_free(&msgs);
	free(path);
	return st;
}

static void print_problems(const struct store *s)
{
	for (size_t i = 0; i < s->problems.n; i++)
		fprintf(stderr, "%s\n", s->problems.v[i]);
}

/* Does a problem already say what is wrong with path ("PATH: ...")? */
static bool problem_names(const struct store *s, const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < s->problems.n; i++)
		if (!strncmp(s->problems.v[i], path, n) && s->problems.v[i][n] == ':')
			return true;
	return false;
}

/* Could one of the paths given not be read at all? */
static bool any_unreadable(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (access(paths[i], R_OK) < 0)
			return true;
	return false;
}

/* Nothing could be loaded: why, path by path, then the verdict; the
 * problems first where the mode has not printed them (with_problems). */
static void explain_nothing_loaded(const struct store *s, const char *const *paths, size_t n,
				   bool with_problems)
{
	if (with_problems)
		print_problems(s);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		char *q = quoted(paths[i], strlen(paths[i]));
		if (stat(paths[i], &sb) < 0) {
			if (!problem_names(s, paths[i]))
				fprintf(stderr, "lede: %s: %s\n", q, strerror(errno));
		} else if (S_ISDIR(sb.st_mode) && !s->nfiles) {
			fprintf(stderr,
				"lede: no article files (*.md, *.markdown, *.txt, *.yml, *.yaml) under %s\n",
				q);
		}
		free(q);
	}
	if (s->nfiles)
		fprintf(stderr, "lede: no article could be loaded: none of the %zu %s read is one\n",
			s->nfiles, s->nfiles == 1 ? "file" : "files");
	else
		fprintf(stderr, "lede: no article could be loaded\n");
}

/* What the command line asked for. */
struct args {
	enum mode mode;
	struct sort_order order;
	bool sort_given, no_cache, follow, group;
	const char *pattern, *config_path, *script, *keymap;
	const char *query, *view; /* -q, --view */
	int cols, rows; /* --size, for the headless reader; 0 when not given */
	const char *const *paths;
	size_t npaths;
};

static const struct option longopts[] = {
	{"sort", required_argument, NULL, 's'},
	{"search", required_argument, NULL, 'e'},
	{"query", required_argument, NULL, 'q'},
	{"view", required_argument, NULL, 'W'},
	{"list", no_argument, NULL, 'l'},
	{"group", no_argument, NULL, 'G'},
	{"json", no_argument, NULL, 'J'},
	{"check", no_argument, NULL, 'C'},
	{"timeline", no_argument, NULL, 'T'},
	{"follow", no_argument, NULL, 'L'},
	{"config", required_argument, NULL, 'c'},
	{"keymap", required_argument, NULL, 'k'},
	{"no-cache", no_argument, NULL, 'N'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"script", required_argument, NULL, 'X'},
	{"size", required_argument, NULL, 'Z'},
	{NULL, 0, NULL, 0},
};

/* A bad value given to an option: what is wrong, the value escaped, the
 * way to say it right. Returns the exit status for a usage error. */
static int bad_value(const char *what, const char *value, const char *hint)
{
	char *q = quoted(value, strlen(value));
	fprintf(stderr, "lede: bad %s %s: %s\n", what, q, hint);
	free(q);
	return 2;
}

/* The modes that print: two of them is a mistake, not "the last wins". */
static int set_mode(struct args *a, enum mode m)
{
	static const char *const names[] = {[MODE_LIST] = "--list", [MODE_JSON] = "--json",
					    [MODE_CHECK] = "--check",
					    [MODE_TIMELINE] = "--timeline"};
	if (a->mode != MODE_UI && a->mode != m) {
		fprintf(stderr, "lede: %s and %s cannot be used together\n", names[a->mode],
			names[m]);
		return 2;
	}
	a->mode = m;
	return -1;
}

/* Record the option c (with its optarg) in a. Returns -1 to go on, else
 * the exit status; 0 means c is none of the options that take effect
 * later. */
static int take_option(int c, struct args *a)
{
	switch (c) {
	case 's':
		if (query_parse_sort(optarg, &a->order) < 0)
			return bad_value("sort", optarg,
					 "use date, quality, heat, title or provider, "
					 "optionally with :asc or :desc");
		a->sort_given = true;
		return -1;
	case 'Z':
		if (sscanf(optarg, "%dx%d", &a->cols, &a->rows) != 2 || a->cols < 1 || a->rows < 1)
			return bad_value("size", optarg, "use COLSxROWS");
		return -1;
	case 'e': a->pattern = optarg; return -1;
	case 'q': a->query = optarg; return -1;
	case 'W': a->view = optarg; return -1;
	case 'l': return set_mode(a, MODE_LIST);
	case 'J': return set_mode(a, MODE_JSON);
	case 'C': return set_mode(a, MODE_CHECK);
	case 'T': return set_mode(a, MODE_TIMELINE);
	case 'L': a->follow = true; return -1;
	case 'G': a->group = true; return -1;
	case 'c': a->config_path = optarg; return -1;
	case 'k': a->keymap = optarg; return -1;
	case 'N': a->no_cache = true; return -1;
	case 'X': a->script = optarg; return -1;
	}
	return 0;
}

/* Fill a from the command line. Returns -1 to go on, else the exit
 * status (help and version are done here too). */
static int parse_args(int argc, char **argv, struct args *a)
{
	*a = (struct args){.mode = MODE_UI, .order = {SORT_DATE, true}};
	opterr = 0; /* its messages quote arguments raw: option_error() */
	int c;
	for (int at = optind; (c = getopt_long(argc, argv, ":s:e:q:Lc:k:hV", longopts, NULL)) != -1;
	     at = optind) {
		int r = take_option(c, a);
		if (r > 0)
			return r;
		if (r < 0)
			continue;
		if (c == 'h') {
			out_text(usage_text);
			return finish(0);
		}
		if (c == 'V') {
			out_text("lede " LEDE_VERSION "\n");
			return finish(0);
		}
		/* optind stays put inside a bundle of short options */
		option_error(c, argv[optind > at ? optind - 1 : optind], longopts);
		fputs(usage_text, stderr);
		return 2;
	}
	a->paths = (const char *const *)argv + optind;
	a->npaths = (size_t)(argc - optind);
	if (a->group && a->mode != MODE_LIST) {
		fprintf(stderr, "lede: --group works with --list only\n");
		return 2;
	}
	return -1;
}

/* The compiled --search pattern into *re (NULL when none was given).
 * Returns -1 to go on, else the exit status. */
static int compile_search(const char *pattern, struct search **re)
{
	char *err;
	*re = NULL;
	if (pattern && !(*re = search_compile(pattern, &err))) {
		fprintf(stderr, "lede: %s\n", err);
		free(err);
		return 2;
	}
	return -1;
}

/* One query of the command line compiled, to check it alone (its
 * columns its own). Returns -1 to go on, else the exit status. */
static int check_query(const char *text, const char *what)
{
	char *err = NULL;
	struct querylang *q = querylang_compile(text, (int64_t)time(NULL), &err);
	if (!q) {
		struct buf b = {0};
		buf_put_safe(&b, err, strlen(err));
		fprintf(stderr, "lede: %s%s\n", what, buf_str(&b));
		buf_free(&b);
		free(err);
		return 2;
	}
	querylang_free(q);
	return -1;
}

/* The query that is the search for pattern: pattern itself when it reads
 * so as a query, else /pattern/. The caller frees. */
static char *plain_query(const char *pattern)
{
	char *err = NULL;
	struct querylang *q = querylang_compile(pattern, 0, &err);
	struct search *plain = q ? querylang_plain(q) : NULL;
	bool same = plain && !strcmp(search_pattern(plain), pattern);
	querylang_free(q);
	free(err);
	return same ? xstrdup(pattern) : querylang_quote_regex(pattern);
}

/* "(a) (b)": both, each checked already; a blank one is left out. */
static void and_query(struct buf *b, const char *text)
{
	if (!text[strspn(text, " \t\n")])
		return;
	buf_printf(b, "%s(%s)", b->len ? " " : "", text);
}

/* The filter the command line asks for, into *ql (NULL: none): --view's
 * query, -q's, and, with pattern (the reader's -e), that regex, ANDed.
 * Returns -1 to go on, else the exit status. */
static int command_query(const struct args *a, const struct config *cfg, const char *pattern,
			 struct querylang **ql)
{
	*ql = NULL;
	const char *view = NULL;
	if (a->view && !(view = config_view(cfg, a->view))) {
		struct buf b = {0};
		buf_puts(&b, "lede: unknown view '");
		buf_put_safe(&b, a->view, strlen(a->view));
		buf_puts(&b, "' (");
		if (!cfg->view_names.n)
			buf_puts(&b, "no view is saved: 'view NAME QUERY' in the config saves one");
		for (size_t i = 0; i < cfg->view_names.n; i++) {
			buf_puts(&b, i ? ", " : "saved views: ");
			buf_put_safe(&b, cfg->view_names.v[i], strlen(cfg->view_names.v[i]));
		}
		fprintf(stderr, "%s)\n", buf_str(&b));
		buf_free(&b);
		return 2;
	}
	int r;
	if (a->query && (r = check_query(a->query, "")) >= 0)
		return r;
	struct buf b = {0};
	char *re = pattern ? plain_query(pattern) : NULL;
	size_t parts = (re != NULL) + (view != NULL) + (a->query != NULL);
	if (parts == 1) { /* alone: as it was written */
		buf_puts(&b, re ? re : view ? view : a->query);
	} else {
		if (re)
			and_query(&b, re);
		if (view)
			and_query(&b, view);
		if (a->query)
			and_query(&b, a->query);
	}
	free(re);
	char *err = NULL;
	if (parts && !(*ql = querylang_compile(buf_str(&b), (int64_t)time(NULL), &err))) {
		fprintf(stderr, "lede: %s\n", err); /* cannot be: each part compiled */
		free(err);
		buf_free(&b);
		return 2;
	}
	buf_free(&b);
	return -1;
}

/* The config's messages, said on stderr and kept (moved to kept) for the
 * reader's problems view, where they stay once the screen has taken over. */
static struct strlist config_problems;

static void print_messages(struct strlist *msgs)
{
	for (size_t i = 0; i < msgs->n; i++) {
		fprintf(stderr, "lede: %s\n", msgs->v[i]);
		strlist_push(&config_problems, msgs->v[i]);
	}
	free(msgs->v);
	*msgs = (struct strlist){0};
}

/* The config as the command line and the config file leave it; a keymap
 * or config file that was named and could not be read is an error:
 * returns -1 to go on, else the exit status (cfg is then freed). */
static int load_config(struct args *a, struct config *cfg)
{
	struct strlist errors = {0};
	config_init(cfg);
	char *local = bundled_dir("keymaps", true);
	if (local)
		config_prefer_keymap_dir(cfg, local);
	if (a->keymap) {
		/* first, so that the config's own bind lines apply on top of it */
		int r = commands_load_keymap(cfg, a->keymap, NULL, &errors);
		print_messages(&errors);
		if (r < 0) {
			config_free(cfg);
			return 2;
		}
		cfg->keymap_locked = true;
	}
	char *def = a->config_path ? NULL : config_default_path();
	int r = commands_load_file(cfg, a->config_path ? a->config_path : def, !a->config_path,
				 &errors);
	print_messages(&errors);
	free(def);
	if (r < 0 && a->config_path) {
		config_free(cfg);
		return 2;
	}
	if (!a->sort_given && cfg->sort && query_parse_sort(cfg->sort, &a->order) < 0)
		fprintf(stderr, "lede: config: bad sort '%s'\n", cfg->sort);
	return -1;
}

/* With no PATH on the command line: the config's paths, else the bundled
 * seeds (whose path is put in *seeds for the caller to free). */
static void resolve_paths(struct args *a, const struct config *cfg, char **seeds)
{
	*seeds = NULL;
	if (a->npaths)
		return;
	if (cfg->path.n) {
		a->paths = (const char *const *)cfg->path.v;
		a->npaths = cfg->path.n;
	} else {
		*seeds = bundled_dir("seeds", false);
		a->paths = (const char *const *)seeds;
		a->npaths = 1;
	}
}

/* Does what the command line prints need the coverage clusters? */
static bool needs_clusters(const struct args *a, const struct querylang *ql)
{
	return a->mode == MODE_JSON || a->group ||
	       (ql && (querylang_needs(ql) & QUERYLANG_CLUSTERS));
}

/* The cache a load went through, and whether every article came from it
 * as it is (the clusters kept beside it are then the store's). */
struct load_source {
	char *cache_path; /* NULL: --no-cache */
	struct cache_identity id;
	bool whole;
};

/* Every file a hit, and the cache file the same before and after the
 * load: the store holds that cache's articles and nothing else. */
static bool all_from(const struct store *s, const struct cache_identity *before, bool had,
		     const char *cache_path, struct cache_identity *after)
{
	return had && !s->warnings.n && s->cache_hits == s->nfiles &&
	       cache_identity_at(cache_path, after) && after->index_sum == before->index_sum &&
	       after->records_sum == before->records_sum;
}

/* The articles into s, through the cache unless --no-cache, with the
 * load's warnings said on stderr; what it went through into *src. */
static void load_articles(struct store *s, const struct args *a, const struct config *cfg,
			  const struct search *re, const struct querylang *ql,
			  struct load_source *src)
{
	struct store_opts opts = {.max_file_size = cfg->max_file_size,
				  .follow_links = a->follow || cfg->follow_links};
	char *cache_path = a->no_cache ? NULL : cache_path_for(a->paths, a->npaths);
	opts.cache_path = cache_path;
	if ((a->mode == MODE_LIST || a->mode == MODE_TIMELINE) && !ql && !a->group) {
		opts.match_only = re; /* the list shows nothing else */
		opts.list_only = true; /* nor anything of the articles but its columns */
		opts.only_matches = true; /* nor the articles it does not show */
	}
	/* it counts articles, and shows none (but a query, which reads
	 * them whole, counts those it matches) */
	if (a->mode == MODE_CHECK && !ql)
		opts.list_only = opts.count_only = true;
	/* the reader decodes an article whole when a view shows it */
	opts.lazy = a->mode == MODE_UI;
	/* and, running a while, frees and makes again arrays of an article or
	 * so a byte (orders, searches, the check): each its own mapping, so
	 * that its pages go back with it (at 100,000 articles its peak was
	 * 4 MB higher, in the median of six runs, with glibc's moving
	 * threshold, and its runs spread over 7 MB rather than 2) */
	if (a->mode == MODE_UI)
		compat_map_blocks_from(256 * 1024);
	/* its first screen from the cache alone, every file checked after it;
	 * the modes that print check every file before they print */
	opts.from_cache = a->mode == MODE_UI;
	/* --json prints related stories' local paths, never backlinks; --list
	 * and --check print no link at all */
	if (a->mode != MODE_UI)
		opts.linking = a->mode == MODE_JSON ? STORE_LINK_RELATED : STORE_LINK_NONE;
	/* the modes that print commit a rewrite of the cache behind their
	 * sorting and printing (waited for before the exit), unless they
	 * read the cache file again for its clusters */
	opts.commit_behind = a->mode != MODE_UI && !needs_clusters(a, ql);
	if (ql && (querylang_needs(ql) & QUERYLANG_LINKS)) /* ~L ~B */
		opts.linking = STORE_LINK_ALL;
	/* the clusters (--list --group, ~C) weigh related links and every text */
	else if (a->mode != MODE_UI && needs_clusters(a, ql))
		opts.linking = STORE_LINK_RELATED;
	struct output_progress progress = {.fd = STDERR_FILENO};
	/* the reader opens its screen once the articles are in: until then the
	 * same line tells how the load goes (never in the headless mode) */
	if (!a->script && isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &progress.t0);
		opts.progress = output_progress;
		opts.progress_ctx = &progress;
	}
	struct cache_identity before;
	bool had = cache_path && cache_identity_at(cache_path, &before);
	store_init(s);
	store_load(s, a->paths, a->npaths, &opts);
	*src = (struct load_source){.cache_path = cache_path};
	/* a rewrite of the cache behind: not all from it */
	src->whole = !s->committing && all_from(s, &before, had, cache_path, &src->id);
	for (size_t i = 0; i < s->warnings.n; i++)
		fprintf(stderr, "lede: %s\n", s->warnings.v[i]);
}

/* idx[0..n) kept where ql matches (NULL: all), the marks read for it
 * when it asks for them; returns how many are left. */
static size_t filter_query(const struct store *s, const struct querylang *ql, size_t *idx,
			   size_t n)
{
	if (!ql)
		return n;
	unsigned char *marks = NULL;
	if (querylang_needs(ql) & QUERYLANG_MARKS) {
		struct state *st = open_marks();
		marks = xcalloc(s->n ? s->n : 1, 1);
		for (size_t k = 0; k < n; k++)
			marks[idx[k]] = (unsigned char)state_get(st, article_identity(s->v[idx[k]]));
		state_close(st);
	}
	struct querylang_eval *e = querylang_eval_new(ql, s);
	querylang_eval_marks(e, marks);
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (querylang_match(e, idx[k]))
			idx[m++] = idx[k];
	querylang_eval_free(e);
	free(marks);
	return m;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* --check's notes of the duplicates (store.h), one a line on stderr:
 * never problems, the archive may hold a mirror on purpose. How many. */
static size_t print_dups(const struct store *s)
{
	size_t n = 0;
	struct buf b = {0};
	for (size_t i = 0; i < s->n; i++) {
		long lead = store_dup_of(s, i);
		if (lead < 0)
			continue;
		n++;
		b.len = 0;
		const char *p = store_path(s, i), *l = store_path(s, (size_t)lead);
		buf_put_safe(&b, p, strlen(p));
		buf_puts(&b, ": note: the same story (webUrl) as ");
		buf_put_safe(&b, l, strlen(l));
		buf_puts(&b, ", listed once\n");
		fputs(buf_str(&b), stderr);
	}
	buf_free(&b);
	return n;
}

/* --check: every problem, then the counts (and, with a query, how many
 * articles it matches). */
static int run_check(const struct store *s, const struct args *a, const struct querylang *ql)
{
	print_problems(s);
	if (!s->n)
		explain_nothing_loaded(s, a->paths, a->npaths, false);
	char matching[64] = "";
	if (ql) {
		size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof *idx);
		for (size_t i = 0; i < s->n; i++)
			idx[i] = i;
		snprintf(matching, sizeof matching, ", %zu matching", filter_query(s, ql, idx, s->n));
		free(idx);
	}
	size_t ndups = print_dups(s);
	char dups[64] = "";
	if (ndups)
		snprintf(dups, sizeof dups, ", %zu duplicate%s", ndups, ndups == 1 ? "" : "s");
	char *summary = xasprintf("%zu file%s, %zu article%s, %zu not article%s, %zu problem%s%s%s\n",
				  s->nfiles, plural(s->nfiles), s->n, plural(s->n), s->not_articles,
				  plural(s->not_articles), s->problems.n, plural(s->problems.n), dups,
				  matching);
	out_text(summary);
	free(summary);
	return s->problems.n || !s->n ? 1 : 0;
}

/* The reader, which takes *ql over. */
static int run_ui(struct store *s, struct config *cfg, const struct args *a,
		  struct querylang **ql, double started_us)
{
	int status = 1;
	struct state *st = open_marks();
	for (size_t i = 0; i < config_problems.n; i++)
		strlist_pushf(&s->problems, "config: %s", config_problems.v[i]);
	if (!s->n) {
		explain_nothing_loaded(s, a->paths, a->npaths, true);
	} else {
		status = app_run(s, cfg, &cfg->keymap, st, a->order, *ql, a->script, a->cols,
				 a->rows, started_us);
		*ql = NULL; /* the reader owned it */
	}
	state_close(st);
	return status;
}

/* The webUrl of the lead of article i's cluster (its identity when it
 * has none), or NULL when i is alone. */
static const char *cluster_url(const struct store *s, size_t i)
{
	if (cluster_size(s, i) < 2)
		return NULL;
	const struct article *lead = s->v[cluster_lead(s, i)];
	return lead->web_url && *lead->web_url ? lead->web_url : article_identity(lead);
}

/* The other paths of the story article i leads (its duplicates', in
 * load order): how many, into *v (grown as need be, *cap its room); the
 * store's strings. */
static size_t dup_paths(const struct store *s, size_t i, const char ***v, size_t *cap)
{
	size_t n = 0;
	for (long d = store_next_dup(s, i, -1); d >= 0; d = store_next_dup(s, i, d)) {
		*v = xgrow(*v, cap, n + 1, sizeof **v);
		(*v)[n++] = store_path(s, (size_t)d);
	}
	return n;
}

/* --list --group: the rows idx[0..n) (sorted), one line per cluster, at
 * its first row's place: the best of its rows (as a cluster's lead is
 * chosen) with the count of its rows as a last column. */
static void print_groups(const struct store *s, const size_t *idx, size_t n)
{
	uint32_t *group_of = xmalloc((s->n ? s->n : 1) * sizeof *group_of);
	size_t *best = xmalloc((n ? n : 1) * sizeof *best);
	size_t *count = xcalloc(n ? n : 1, sizeof *count);
	size_t ngroups = 0;
	for (size_t i = 0; i < s->n; i++)
		group_of[i] = UINT32_MAX;
	for (size_t r = 0; r < n; r++) {
		size_t lead = cluster_lead(s, idx[r]);
		if (group_of[lead] == UINT32_MAX) {
			group_of[lead] = (uint32_t)ngroups;
			best[ngroups++] = idx[r];
		}
		size_t g = group_of[lead];
		if (count[g]++ && cluster_leads(s, idx[r], best[g]))
			best[g] = idx[r];
	}
	struct buf b = {0};
	for (size_t g = 0; g < ngroups; g++) {
		output_list_line(&b, s->v[best[g]]);
		b.len--; /* its newline, after the count */
		buf_printf(&b, "\t%zu\n", count[g]);
		if (b.len > 1 << 16 || g + 1 == ngroups) {
			if (output_stdout_write(b.data, b.len) < 0)
				break; /* said once, by finish() */
			b.len = 0;
		}
	}
	buf_free(&b);
	free(group_of);
	free(best);
	free(count);
}

/* The articles the command line selects, into idx (s->n of them at
 * most); returns how many. */
static size_t selected(const struct store *s, struct search *re, const struct querylang *ql,
		       size_t *idx)
{
	/* a search the load ran already is not run again */
	size_t n = s->matched ? store_matches(s, idx) : query_filter(s, re, idx);
	return filter_query(s, ql, idx, n);
}

/* The exit status of a mode that prints, once it has: nothing loaded is
 * explained, and a path given that could not be read (said already)
 * still makes the run a failure, for a script to notice. */
static int printed_status(const struct store *s, const struct args *a)
{
	if (!s->n && !s->unmatched)
		explain_nothing_loaded(s, a->paths, a->npaths, false);
	return (s->n || s->unmatched) && !any_unreadable(a->paths, a->npaths) ? 0 : 1;
}

/* --timeline: the selected stories' dates as a histogram, a period a
 * line; the undated are not counted. */
static int run_timeline(const struct store *s, const struct args *a, struct search *re,
			const struct querylang *ql)
{
	print_problems(s);
	size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof *idx);
	size_t n = selected(s, re, ql, idx);
	int64_t *dates = xmalloc((n ? n : 1) * sizeof *dates);
	size_t nd = 0;
	for (size_t i = 0; i < n; i++)
		if (store_has(s, idx[i]) & HAS_DATE)
			dates[nd++] = store_date(s, idx[i]);
	struct timeline t;
	timeline_make(&t, dates, nd);
	struct buf b = {0};
	timeline_histogram(&t, &b, TIMELINE_BAR_WIDTH);
	if (b.len)
		output_stdout_write(b.data, b.len);
	buf_free(&b);
	timeline_free(&t);
	free(dates);
	free(idx);
	return printed_status(s, a);
}

enum { PRINT_AHEAD = 8 };

/* A line's memory asked for some lines ahead of line i of idx[..n): a
 * sorted list visits the articles all over memory, and at a million lines
 * each one waited on its own misses (the pointer, the row or article, then
 * the strings it prints, each once the one before is there). */
static void prefetch_line(const struct store *s, const size_t *idx, size_t i, size_t n)
{
	if (i + 3 * PRINT_AHEAD < n)
		__builtin_prefetch(s->rows ? (const void *)&s->rows[idx[i + 3 * PRINT_AHEAD]]
					   : (const void *)&s->v[idx[i + 3 * PRINT_AHEAD]]);
	if (i + 2 * PRINT_AHEAD < n) {
		size_t k = idx[i + 2 * PRINT_AHEAD];
		const struct list_row *r = s->rows ? s->rows[k] : NULL;
		const char *x = r ? (const char *)r : (const char *)s->v[k];
		size_t size = r ? sizeof *r : sizeof(struct article);
		for (size_t at = 0; at < size; at += 64)
			__builtin_prefetch(x + at);
	}
	if (i + PRINT_AHEAD < n) {
		struct article tmp;
		const struct article *x = store_list_view(s, idx[i + PRINT_AHEAD], &tmp);
		__builtin_prefetch(x->title);
		__builtin_prefetch(x->web_url);
		__builtin_prefetch(x->provider.name);
	}
}

/* --list's lines, made on two threads: the main one makes the even blocks
 * of lines and writes every block in order, a worker makes the odd ones
 * into a ring of LIST_RING buffers, at most that many ahead of the
 * writing. Blocks of LIST_BLOCK lines, or of $LEDE_LIST_BLOCK (for the
 * tests); on two threads from four blocks on. */
enum { LIST_BLOCK = 2048, LIST_RING = 4 };

static size_t list_block_lines(void)
{
	const char *e = getenv("LEDE_LIST_BLOCK");
	long v = e ? strtol(e, NULL, 10) : 0;
	return v > 0 && v <= LIST_BLOCK ? (size_t)v : LIST_BLOCK;
}

struct list_print {
	const struct store *s;
	const size_t *idx;
	size_t n, lines; /* lines: a block's */
	struct buf ring[LIST_RING];
	size_t made, written; /* odd blocks made by the worker, written */
	bool stop;            /* the output failed: the worker gives up */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void list_block(struct list_print *p, size_t block, struct buf *b)
{
	size_t end = (block + 1) * p->lines < p->n ? (block + 1) * p->lines : p->n;
	struct article tmp = {0};
	for (size_t i = block * p->lines; i < end; i++) {
		prefetch_line(p->s, p->idx, i, end);
		output_list_line(b, store_list_view(p->s, p->idx[i], &tmp));
	}
}

static void *list_maker(void *arg)
{
	struct list_print *p = arg;
	for (size_t k = 0; 2 * k + 1 < (p->n + p->lines - 1) / p->lines; k++) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && k >= p->written + LIST_RING)
			pthread_cond_wait(&p->cv, &p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		struct buf *b = &p->ring[k % LIST_RING];
		b->len = 0;
		list_block(p, 2 * k + 1, b);
		pthread_mutex_lock(&p->mu);
		p->made = k + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static void print_list(const struct store *s, const size_t *idx, size_t n, size_t lines)
{
	struct list_print p = {.s = s, .idx = idx, .n = n, .lines = lines};
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	struct worker w = {0};
	bool alone = !worker_start(&w, list_maker, &p); /* then every block here */
	struct buf mine = {0};
	for (size_t block = 0; block * lines < n; block++) {
		struct buf *b = &mine;
		if (block % 2 && !alone) {
			size_t k = block / 2;
			pthread_mutex_lock(&p.mu);
			while (p.made <= k)
				pthread_cond_wait(&p.cv, &p.mu);
			pthread_mutex_unlock(&p.mu);
			b = &p.ring[k % LIST_RING];
		} else {
			mine.len = 0;
			list_block(&p, block, &mine);
		}
		int rc = output_stdout_write(b->data, b->len);
		pthread_mutex_lock(&p.mu);
		p.written += block % 2;
		p.stop = rc < 0; /* said once, by finish() */
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		if (rc < 0)
			break;
	}
	worker_join(&w);
	buf_free(&mine);
	for (size_t i = 0; i < LIST_RING; i++)
		buf_free(&p.ring[i]);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
}

/* --list and --json: the matching articles in order on stdout. */
static int run_print(struct store *s, const struct args *a, struct search *re,
		     const struct querylang *ql)
{
	print_problems(s);
	size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof *idx);
	size_t n = selected(s, re, ql, idx);
	query_sort(s, idx, n, a->order);
	if (a->group) {
		print_groups(s, idx, n);
		n = 0;
	}
	size_t lines = list_block_lines();
	if (a->mode == MODE_LIST && n >= 4 * lines) {
		print_list(s, idx, n, lines);
		n = 0;
	}
	struct buf b = {0};
	/* the marks are read, never written, here */
	struct state *st = a->mode == MODE_JSON ? open_marks() : NULL;
	const char **paths = NULL;
	size_t cap = 0;
	struct article tmp = {0};
	for (size_t i = 0; i < n; i++) {
		const struct article *art = store_list_view(s, idx[i], &tmp);
		prefetch_line(s, idx, i, n);
		if (a->mode == MODE_LIST) {
			output_list_line(&b, art);
		} else {
			size_t np = dup_paths(s, idx[i], &paths, &cap);
			struct output_json_extra x = {cluster_url(s, idx[i]), paths, np};
			output_json_line_in(&b, s, art, state_get(st, article_identity(art)), &x);
		}
		if (b.len > 1 << 16 || i + 1 == n) {
			if (output_stdout_write(b.data, b.len) < 0)
				break; /* said once, by finish() */
			b.len = 0;
		}
	}
	buf_free(&b);
	free(paths);
	state_close(st);
	free(idx);
	return printed_status(s, a);
}

int main(int argc, char **argv)
{
	/* the benchmark's "time to the first screen" counts from here */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double started_us = (double)t0.tv_sec * 1e6 + (double)t0.tv_nsec / 1e3;
	bool stdout_closed = output_stdout_guard();
	setlocale(LC_ALL, "");

	struct args a;
	struct search *re;
	struct querylang *ql = NULL;
	struct config cfg;
	int status = parse_args(argc, argv, &a);
	if (status < 0)
		status = compile_search(a.pattern, &re);
	if (status >= 0)
		return status;
	if ((status = load_config(&a, &cfg)) >= 0) {
		search_free(re);
		return status;
	}
	/* the reader's filter is one query, -e's pattern in it */
	if ((status = command_query(&a, &cfg, a.mode == MODE_UI ? a.pattern : NULL, &ql)) >= 0) {
		search_free(re);
		config_free(&cfg);
		return status;
	}
	char *seeds;
	resolve_paths(&a, &cfg, &seeds);
	static struct store s; /* reachable until the exit: see below */
	struct load_source src;
	load_articles(&s, &a, &cfg, re, ql, &src);

	/* the printing modes find them once, before anything is selected:
	 * kept beside the cache when the articles all came from it */
	if (a.mode != MODE_UI && needs_clusters(&a, ql))
		cluster_publish(&s, cluster_file_get(&s, src.cache_path,
						     src.whole ? &src.id : NULL, NULL, NULL, NULL));
	free(src.cache_path);
	if (a.mode == MODE_CHECK)
		status = run_check(&s, &a, ql);
	else if (a.mode == MODE_UI)
		status = run_ui(&s, &cfg, &a, &ql, started_us);
	else if (a.mode == MODE_TIMELINE)
		status = run_timeline(&s, &a, re, ql);
	else
		status = run_print(&s, &a, re, ql);
	if (a.script && stdout_closed)
		output_stdout_write("\n", 1); /* the dumps went nowhere: say so */
	/* before stdout is closed: a pipe broken meanwhile ends lede with its
	 * signal once the cache is written, as it did before */
	size_t said = s.warnings.n;
	store_commit_wait(&s);
	for (size_t i = said; i < s.warnings.n; i++)
		fprintf(stderr, "lede: %s\n", s.warnings.v[i]);
	status = finish(status);
	/* Freeing a hundred thousand articles only to exit costs as much as
	 * sorting them: the modes that print and exit leave it to the exit
	 * (the store stays reachable, so no leak checker calls it lost), but
	 * for sanitizer builds, whose runs check that freeing it is sound. */
	if (a.mode == MODE_UI || LEDE_FREE_AT_EXIT)
		store_free(&s);
	search_free(re);
	querylang_free(ql);
	config_free(&cfg);
	strlist_free(&config_problems);
	free(seeds);
	return status;
}
