/* scan: a careful recursive walk. */
#define _GNU_SOURCE
#include "lede/scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dirid {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct strlist *files, *problems;
	struct dirid *seen; /* every directory entered */
	size_t nseen, capseen;
	struct dirid *stack; /* the directories being walked, outermost first */
	size_t depth, capstack;
};

static void problem(struct walk *w, const char *path, const char *msg)
{
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	buf_printf(&b, ": %s", msg);
	strlist_push(w->problems, b.data);
}

static bool candidate_name(const char *name)
{
	static const char *const ext[] = {".md", ".markdown", ".txt", ".yml", ".yaml"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strcmp(name + n - e, ext[i]))
			return true;
	}
	return false;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(struct walk *w, const char *path, const struct stat *st);

static void visit(struct walk *w, const char *path, bool named)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (named || candidate_name(path) || errno == ELOOP) {
			char *m = xasprintf("cannot read: %s", strerror(errno));
			problem(w, path, m);
			free(m);
		}
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(w, path, &st);
	} else if (S_ISREG(st.st_mode)) {
		if (named || candidate_name(path))
			strlist_push(w->files, xstrdup(path));
	} else if (named || candidate_name(path)) {
		problem(w, path, "not a regular file, skipped");
	}
}

static void walk_dir(struct walk *w, const char *path, const struct stat *st)
{
	for (size_t i = 0; i < w->depth; i++) {
		if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino) {
			problem(w, path, "directory loop (a link back to a parent), not followed");
			return;
		}
	}
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return; /* reached before by another way */
	w->seen = xgrow(w->seen, &w->capseen, w->nseen + 1, sizeof *w->seen);
	w->seen[w->nseen++] = (struct dirid){st->st_dev, st->st_ino};

	DIR *d = opendir(path);
	if (!d) {
		char *m = xasprintf("cannot open directory: %s", strerror(errno));
		problem(w, path, m);
		free(m);
		return;
	}
	struct strlist names = {0};
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strlist_push(&names, xstrdup(e->d_name));
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_name);

	w->stack = xgrow(w->stack, &w->capstack, w->depth + 1, sizeof *w->stack);
	w->stack[w->depth++] = (struct dirid){st->st_dev, st->st_ino};
	size_t plen = strlen(path);
	bool slash = plen && path[plen - 1] == '/';
	for (size_t i = 0; i < names.n; i++) {
		char *child = xasprintf("%s%s%s", path, slash ? "" : "/", names.v[i]);
		visit(w, child, false);
		free(child);
	}
	w->depth--;
	strlist_free(&names);
}

void scan_paths(const char *const *paths, size_t n, struct strlist *files,
		struct strlist *problems)
{
	struct walk w = {.files = files, .problems = problems};
	for (size_t i = 0; i < n; i++)
		visit(&w, paths[i], true);
	free(w.seen);
	free(w.stack);
}
