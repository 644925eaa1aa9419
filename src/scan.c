/* scan: a careful recursive walk: links inside it followed only on
 * request, every directory entered once (a hash set of device and inode),
 * loops and paths too long to open reported. */
#define _GNU_SOURCE
#include "lede/scan.h"
#include "lede/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/hash.h"

/* Every directory entered, by (device, inode), in a hash set: a directory
 * met again by another way is not walked twice, and one still being walked
 * (active) is a loop. Checking a list of them all made the walk quadratic
 * in the number of directories. */
struct dirid {
	uint64_t dev, ino;
	bool used, active;
};

struct dirset {
	struct dirid *v;
	size_t cap, n; /* cap: a power of two, or 0 */
	size_t probes; /* slots visited by lookups, for scan_last_probes() */
};

/* The slots visited by the last walk's lookups (see scan.h). */
static _Atomic size_t last_probes;

static struct dirid *dirset_find(struct dirid *v, size_t cap, uint64_t dev, uint64_t ino,
				 size_t *probes)
{
	size_t mask = cap - 1;
	for (size_t i = hash_pair(dev, ino) & mask;; i = (i + 1) & mask) {
		++*probes;
		if (!v[i].used || (v[i].dev == dev && v[i].ino == ino))
			return &v[i];
	}
}

/* The entry for (dev, ino), added (unused) when missing. */
static struct dirid *dirset_get(struct dirset *set, uint64_t dev, uint64_t ino)
{
	if ((set->n + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct dirid *v = xcalloc(cap, sizeof *v);
		size_t ignored = 0; /* growing is linear overall */
		for (size_t i = 0; i < set->cap; i++)
			if (set->v[i].used)
				*dirset_find(v, cap, set->v[i].dev, set->v[i].ino, &ignored) = set->v[i];
		free(set->v);
		set->v = v;
		set->cap = cap;
	}
	struct dirid *d = dirset_find(set->v, set->cap, dev, ino, &set->probes);
	if (!d->used) {
		*d = (struct dirid){dev, ino, true, false};
		set->n++;
	}
	return d;
}

/* What walk_dir holds while it walks one directory: its names, their
 * offsets, and (lent) the room its entries' paths are made in. Kept for
 * the next directory at the same depth: freeing them at each directory's
 * end gave the heap's top back to the system and took it again, a
 * hundred times in an archive of a hundred directories, each time
 * interrupting the loading threads (a flush of their address
 * translations). */
struct walk_level {
	struct buf names;
	size_t *at, capat;
	char *room;
	size_t roomcap;
};

struct walk {
	void (*found)(void *ctx, char *path);
	void *ctx;
	struct strlist *problems;
	bool follow; /* follow links met inside the walk */
	bool lent;   /* SCAN_LENT_PATHS */
	struct dirset dirs;
	struct walk_level **levels; /* by depth; each stays where it is */
	size_t nlevels, caplevels, depth;
};

/* The level for the directory being entered at w->depth. */
static struct walk_level *level_enter(struct walk *w)
{
	if (w->depth == w->nlevels) {
		w->levels = xgrow(w->levels, &w->caplevels, w->nlevels + 1, sizeof *w->levels);
		w->levels[w->nlevels++] = xcalloc(1, sizeof **w->levels);
	}
	struct walk_level *lv = w->levels[w->depth];
	lv->names.len = 0;
	return lv;
}

static void levels_free(struct walk *w)
{
	for (size_t i = 0; i < w->nlevels; i++) {
		buf_free(&w->levels[i]->names);
		free(w->levels[i]->at);
		free(w->levels[i]->room);
		free(w->levels[i]);
	}
	free(w->levels);
}

/* Give found a candidate: the walk's own path when it is lent, else a
 * copy, which found owns. */
static void give(struct walk *w, const char *path)
{
	w->found(w->ctx, w->lent ? (char *)path : xstrdup(path));
}

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

static void cannot_read(struct walk *w, const char *path)
{
	char *m = xasprintf("cannot read: %s", strerror(errno));
	problem(w, path, m);
	free(m);
}

/* A path given by the user: followed, whatever it is. */
static void visit_named(struct walk *w, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		cannot_read(w, path);
	else if (S_ISDIR(st.st_mode))
		walk_dir(w, path, &st);
	else if (S_ISREG(st.st_mode))
		give(w, path);
	else
		problem(w, path, "not a regular file, skipped");
}

/* What a directory entry is, the way the walk treats it: st filled and
 * true, or false when it is a link not to be followed or cannot be read
 * (a problem when it matters). name is looked up relative to dfd (with
 * AT_FDCWD, path and name are the same); path is what a problem names. */
static bool entry_stat(struct walk *w, const char *path, int dfd, const char *name,
		       struct stat *st)
{
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (candidate_name(name))
			cannot_read(w, path);
		return false;
	}
	if (!S_ISLNK(st->st_mode))
		return true;
	/* Links met inside the walk are followed only on request, to a file
	 * as to a directory: a link to / would otherwise take in the whole
	 * machine. */
	if (!w->follow)
		return false;
	if (fstatat(dfd, name, st, 0) < 0) {
		if (candidate_name(name) || errno == ELOOP)
			cannot_read(w, path);
		return false;
	}
	return true;
}

/* An entry of a directory that needs a stat: a directory, a link, or one
 * the file system gave no type for. */
static void visit_entry(struct walk *w, char *path, const char *name)
{
	struct stat st;
	if (!entry_stat(w, path, AT_FDCWD, path, &st))
		return;
	if (S_ISDIR(st.st_mode))
		walk_dir(w, path, &st);
	else if (S_ISREG(st.st_mode) && candidate_name(name))
		give(w, path);
	else if (!S_ISREG(st.st_mode) && candidate_name(name))
		problem(w, path, "not a regular file, skipped");
}

/* An entry whose path is too long for the system to open: never read,
 * never silent when it could hold an article. dir is its directory's
 * path, which is short enough. */
static void too_long(struct walk *w, const char *dir, const char *name, const char *path)
{
	struct stat st;
	int dfd = open(dir, COMPAT_O_DIRSEARCH | O_DIRECTORY | O_CLOEXEC);
	bool known = dfd >= 0 && entry_stat(w, path, dfd, name, &st);
	if (dfd >= 0)
		close(dfd);
	if (dfd >= 0 && !known)
		return; /* a link not followed, or already reported */
	if (!known || S_ISDIR(st.st_mode) || candidate_name(name)) {
		char *m = xasprintf("path longer than %d bytes, not read", PATH_MAX - 1);
		problem(w, path, m);
		free(m);
	}
}

/* The names of a directory, each with its d_type byte in front, in one
 * buffer, sorted; at[] holds their offsets. False when it cannot be read
 * (a problem). */
static bool read_names(struct walk *w, const char *path, struct buf *names, size_t **at,
		       size_t *cap, size_t *n)
{
	DIR *d = opendir(path);
	if (!d) {
		char *m = xasprintf("cannot open directory: %s", strerror(errno));
		problem(w, path, m);
		free(m);
		return false;
	}
	/* One buffer, and d_type kept, so that the walk can skip a stat for
	 * what readdir already says is a regular file: with a hundred
	 * thousand files, those stats and the allocations would be most of a
	 * scan. */
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		*at = xgrow(*at, cap, *n + 1, sizeof **at);
		(*at)[(*n)++] = names->len;
		buf_putc(names, (char)e->d_type);
		buf_add(names, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	if (*n)
		compat_qsort_r(*at, *n, sizeof **at, cmp_name, names->data);
	return true;
}

static void walk_dir(struct walk *w, const char *path, const struct stat *st)
{
	uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino;
	size_t before = w->dirs.n;
	struct dirid *id = dirset_get(&w->dirs, dev, ino);
	if (id->active) {
		problem(w, path, "directory loop (a link back to a parent), not followed");
		return;
	}
	if (w->dirs.n == before)
		return; /* reached before by another way */
	struct walk_level *lv = level_enter(w);
	size_t n = 0;
	if (!read_names(w, path, &lv->names, &lv->at, &lv->capat, &n))
		return;
	id->active = true; /* the set does not move until the next dirset_get */
	w->depth++;

	size_t plen = strlen(path);
	bool slash = plen && path[plen - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		unsigned char type = (unsigned char)lv->names.data[lv->at[i]];
		const char *name = lv->names.data + lv->at[i] + 1;
		/* A regular file is a candidate by its name alone. A directory
		 * still needs its device and inode for the loop checks; links
		 * (when followed) and file systems that do not fill d_type
		 * need a stat to say what they are; the rest (FIFOs, devices,
		 * sockets) are never opened, only reported when named like an
		 * article. */
		if (type == DT_REG && !candidate_name(name))
			continue;
		if (type == DT_LNK && !w->follow)
			continue;
		size_t nlen = strlen(name), need = plen + 1 + nlen + 1;
		/* lent: one room for every entry's path, in turn */
		char *child = w->lent ? (lv->room = xgrow(lv->room, &lv->roomcap, need, 1))
				      : xmalloc(need);
		memcpy(child, path, plen);
		size_t k = plen;
		if (!slash)
			child[k++] = '/';
		memcpy(child + k, name, nlen + 1);
		if (k + nlen >= PATH_MAX)
			too_long(w, path, name, child);
		else if (type == DT_REG) {
			w->found(w->ctx, child);
			if (!w->lent)
				continue; /* found owns it */
		} else if (type == DT_DIR || type == DT_LNK || type == DT_UNKNOWN)
			visit_entry(w, child, name);
		else if (candidate_name(name))
			problem(w, child, "not a regular file, skipped");
		if (!w->lent)
			free(child);
	}
	w->depth--;
	dirset_find(w->dirs.v, w->dirs.cap, dev, ino, &w->dirs.probes)->active = false;
}

void scan_paths_each(const char *const *paths, size_t n, unsigned flags,
		     void (*found)(void *ctx, char *path), void *ctx, struct strlist *problems)
{
	struct walk w = {.found = found,
			 .ctx = ctx,
			 .problems = problems,
			 .follow = (flags & SCAN_FOLLOW_LINKS) != 0,
			 .lent = (flags & SCAN_LENT_PATHS) != 0};
	for (size_t i = 0; i < n; i++)
		visit_named(&w, paths[i]);
	last_probes = w.dirs.probes;
	free(w.dirs.v);
	levels_free(&w);
}

size_t scan_last_probes(void)
{
	return last_probes;
}

static void push(void *files, char *path)
{
	strlist_push(files, path);
}

void scan_paths(const char *const *paths, size_t n, struct strlist *files,
		struct strlist *problems)
{
	scan_paths_each(paths, n, 0, push, files, problems);
}
