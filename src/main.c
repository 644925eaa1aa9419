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
#include "lede/compat.h"
#include "lede/config.h"
#include "lede/keymap.h"
#include "lede/output.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/ui/app.h"
#include "lede/util.h"

#ifndef LEDE_VERSION
#define LEDE_VERSION "0.1"
#endif
#ifndef LEDE_DATADIR
#define LEDE_DATADIR "/usr/local/share/lede"
#endif

enum mode { MODE_UI, MODE_LIST, MODE_JSON, MODE_CHECK };

static const char usage_text[] =
	"usage: lede [OPTION...] [PATH...]\n"
	"Read an archive of news articles (YAML front matter files).\n"
	"\n"
	"  -s, --sort KEY[:asc|:desc]  date, quality, heat, title or provider\n"
	"  -e, --search REGEX          only articles that match (PCRE2, smart case)\n"
	"      --list                  print the list, tab-separated, and exit\n"
	"      --json                  print the articles as JSON Lines and exit\n"
	"      --check                 report every problem in the archive and exit\n"
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

int main(int argc, char **argv)
{
	/* the benchmark's "time to the first screen" counts from here */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double started_us = (double)t0.tv_sec * 1e6 + (double)t0.tv_nsec / 1e3;
	static const struct option longopts[] = {
		{"sort", required_argument, NULL, 's'},
		{"search", required_argument, NULL, 'e'},
		{"list", no_argument, NULL, 'l'},
		{"json", no_argument, NULL, 'J'},
		{"check", no_argument, NULL, 'C'},
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
	enum mode mode = MODE_UI;
	struct sort_order order = {SORT_DATE, true};
	const char *pattern = NULL, *config_path = NULL, *script = NULL, *keymap = NULL;
	bool sort_given = false, no_cache = false, follow = false;
	int c, cols = 0, rows = 0;

	bool stdout_closed = output_stdout_guard();
	setlocale(LC_ALL, "");
	opterr = 0; /* its messages quote arguments raw: option_error() */
	for (int at = optind; (c = getopt_long(argc, argv, ":s:e:Lc:k:hV", longopts, NULL)) != -1;
	     at = optind) {
		switch (c) {
		case 's':
			if (query_parse_sort(optarg, &order) < 0) {
				char *q = quoted(optarg, strlen(optarg));
				fprintf(stderr,
					"lede: bad sort %s: use date, quality, heat, title or "
					"provider, optionally with :asc or :desc\n",
					q);
				free(q);
				return 2;
			}
			sort_given = true;
			break;
		case 'e':
			pattern = optarg;
			break;
		case 'l':
			mode = MODE_LIST;
			break;
		case 'L':
			follow = true;
			break;
		case 'J':
			mode = MODE_JSON;
			break;
		case 'C':
			mode = MODE_CHECK;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			keymap = optarg;
			break;
		case 'N':
			no_cache = true;
			break;
		case 'X':
			script = optarg;
			break;
		case 'Z':
			if (sscanf(optarg, "%dx%d", &cols, &rows) != 2 || cols < 1 || rows < 1) {
				char *q = quoted(optarg, strlen(optarg));
				fprintf(stderr, "lede: bad size %s: use COLSxROWS\n", q);
				free(q);
				return 2;
			}
			break;
		case 'h':
			out_text(usage_text);
			return finish(0);
		case 'V':
			out_text("lede " LEDE_VERSION "\n");
			return finish(0);
		default:
			/* optind stays put inside a bundle of short options */
			option_error(c, argv[optind > at ? optind - 1 : optind], longopts);
			fputs(usage_text, stderr);
			return 2;
		}
	}

	struct search *re = NULL;
	if (pattern) {
		char *err;
		if (!(re = search_compile(pattern, &err))) {
			fprintf(stderr, "lede: %s\n", err);
			free(err);
			return 2;
		}
	}

	struct config cfg;
	config_init(&cfg);
	{
		/* a source tree's keymaps come before the installed ones */
		char *local = bundled_dir("keymaps", true);
		if (local) {
			strlist_push(&cfg.keymap_dirs, NULL);
			memmove(cfg.keymap_dirs.v + 1, cfg.keymap_dirs.v,
				(cfg.keymap_dirs.n - 1) * sizeof *cfg.keymap_dirs.v);
			cfg.keymap_dirs.v[0] = local;
		}
	}
	if (keymap) {
		/* first, so that the config's own bind lines apply on top of it */
		struct strlist errors = {0};
		int r = config_load_keymap(&cfg, keymap, NULL, &errors);
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "lede: %s\n", errors.v[i]);
		strlist_free(&errors);
		if (r < 0) {
			config_free(&cfg);
			search_free(re);
			return 2;
		}
		cfg.keymap_locked = true;
	}
	{
		struct strlist errors = {0};
		char *def = config_path ? NULL : config_default_path();
		int r = config_load_file(&cfg, config_path ? config_path : def, !config_path, &errors);
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "lede: %s\n", errors.v[i]);
		strlist_free(&errors);
		free(def);
		if (r < 0 && config_path) {
			config_free(&cfg);
			search_free(re);
			return 2;
		}
	}
	if (!sort_given && cfg.sort && query_parse_sort(cfg.sort, &order) < 0)
		fprintf(stderr, "lede: config: bad sort '%s'\n", cfg.sort);

	char *seeds = NULL;
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);
	if (npaths == 0 && cfg.path.n) {
		paths = (const char *const *)cfg.path.v;
		npaths = cfg.path.n;
	} else if (npaths == 0) {
		seeds = bundled_dir("seeds", false);
		paths = (const char *const *)&seeds;
		npaths = 1;
	}

	struct store s;
	store_init(&s);
	struct store_opts opts = {.max_file_size = cfg.max_file_size,
				  .follow_links = follow || cfg.follow_links};
	char *cache_path = no_cache ? NULL : cache_path_for(paths, npaths);
	opts.cache_path = cache_path;
	if (mode == MODE_LIST) {
		opts.match_only = re; /* the list shows nothing else */
		opts.list_only = !re; /* nor anything of the articles but its columns */
	}
	struct output_progress progress = {.fd = STDERR_FILENO};
	/* the reader opens its screen once the articles are in: until then the
	 * same line tells how the load goes (never in the headless mode) */
	if (!script && isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &progress.t0);
		opts.progress = output_progress;
		opts.progress_ctx = &progress;
	}
	store_load(&s, paths, npaths, &opts);
	free(cache_path);
	for (size_t i = 0; i < s.warnings.n; i++)
		fprintf(stderr, "lede: %s\n", s.warnings.v[i]);
	int status = s.n ? 0 : 1;

	if (mode == MODE_CHECK) {
		print_problems(&s);
		char *summary = xasprintf("%zu files, %zu articles, %zu problems\n", s.nfiles, s.n,
					  s.problems.n);
		out_text(summary);
		free(summary);
		status = s.problems.n || !s.n ? 1 : 0;
	} else if (mode == MODE_UI) {
		struct state *st = open_marks();
		if (!s.n) {
			fprintf(stderr, "lede: no article could be loaded\n");
		} else {
			status = app_run(&s, &cfg, &cfg.keymap, st, order, re, script, cols, rows,
					 started_us);
			re = NULL; /* the reader owned it */
		}
		state_close(st);
	} else {
		print_problems(&s);
		size_t *idx = xmalloc((s.n ? s.n : 1) * sizeof *idx);
		size_t n = query_filter(&s, re, idx);
		query_sort(&s, idx, n, order);
		struct buf b = {0};
		/* the marks are read, never written, here */
		struct state *st = mode == MODE_JSON ? open_marks() : NULL;
		for (size_t i = 0; i < n; i++) {
			if (mode == MODE_LIST)
				output_list_line(&b, s.v[idx[i]]);
			else
				output_json_line(&b, &s, s.v[idx[i]],
						 state_get(st, s.v[idx[i]]->web_url));
			if (b.len > 1 << 16 || i + 1 == n) {
				if (output_stdout_write(b.data, b.len) < 0)
					break; /* said once, by finish() */
				b.len = 0;
			}
		}
		buf_free(&b);
		state_close(st);
		free(idx);
	}
	if (!s.n && mode != MODE_CHECK && mode != MODE_UI)
		fprintf(stderr, "lede: no article could be loaded\n");
	if (script && stdout_closed)
		output_stdout_write("\n", 1); /* the dumps went nowhere: say so */
	status = finish(status);
	store_free(&s);
	search_free(re);
	config_free(&cfg);
	free(seeds);
	return status;
}
