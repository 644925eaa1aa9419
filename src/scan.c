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
	void (*found)(void *ctx, char *path);
	void *ctx;
	struct strlist *problems;
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

/* Offsets into base of names with their d_type byte in front (see
 * walk_dir). */
static int cmp_name(const void *a, const void *b, void *base)
{
	const char *s = base;
	return strcmp(s + *(const size_t *)a + 1, s + *(const size_t *)b + 1);
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
			w->found(w->ctx, xstrdup(path));
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
	/* The names go into one buffer, each with its d_type in front, so
	 * that the walk below can skip a stat for what readdir already says is
	 * a regular file: with a hundred thousand files, those stats and the
	 * allocations would be most of a scan. */
	struct buf names = {0};
	size_t *at = NULL, n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		at = xgrow(at, &cap, n + 1, sizeof *at);
		at[n++] = names.len;
		buf_putc(&names, (char)e->d_type);
		buf_add(&names, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	if (n)
		qsort_r(at, n, sizeof *at, cmp_name, names.data);

	w->stack = xgrow(w->stack, &w->capstack, w->depth + 1, sizeof *w->stack);
	w->stack[w->depth++] = (struct dirid){st->st_dev, st->st_ino};
	size_t plen = strlen(path);
	bool slash = plen && path[plen - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		unsigned char type = (unsigned char)names.data[at[i]];
		const char *name = names.data + at[i] + 1;
		/* A regular file is a candidate by its name alone. A directory
		 * still needs its device and inode for the loop checks; links
		 * and file systems that do not fill d_type need a stat to say
		 * what they are; the rest (FIFOs, devices, sockets) are never
		 * opened, only reported when named like an article. */
		if (type == DT_REG && !candidate_name(name))
			continue;
		size_t nlen = strlen(name);
		char *child = xmalloc(plen + 1 + nlen + 1);
		memcpy(child, path, plen);
		size_t k = plen;
		if (!slash)
			child[k++] = '/';
		memcpy(child + k, name, nlen + 1);
		if (type == DT_REG) {
			w->found(w->ctx, child);
			continue;
		}
		if (type == DT_DIR || type == DT_LNK || type == DT_UNKNOWN)
			visit(w, child, false);
		else if (candidate_name(name))
			problem(w, child, "not a regular file, skipped");
		free(child);
	}
	free(at);
	buf_free(&names);
	w->depth--;
}

void scan_paths_each(const char *const *paths, size_t n, void (*found)(void *ctx, char *path),
		     void *ctx, struct strlist *problems)
{
	struct walk w = {.found = found, .ctx = ctx, .problems = problems};
	for (size_t i = 0; i < n; i++)
		visit(&w, paths[i], true);
	free(w.seen);
	free(w.stack);
}

static void push(void *files, char *path)
{
	strlist_push(files, path);
}

void scan_paths(const char *const *paths, size_t n, struct strlist *files,
		struct strlist *problems)
{
	scan_paths_each(paths, n, push, files, problems);
}
