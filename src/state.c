/* state: marks in a hash table, a journal of changes, and a careful save. */
#define _GNU_SOURCE
#include "lede/state.h"
#include "lede/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEADER "lede-marks 1\n"
#define MAX_BAD_LINES 100 /* reported one by one, of one file */

struct slot {
	char *url; /* owned; NULL: empty */
	uint64_t hash;
	unsigned char flags;
	bool changed; /* set since the last save */
};

struct state {
	char *path;
	struct slot *slots;
	size_t nslots, used;
	bool dirty;
	bool backup_pending; /* the file on disk is damaged: keep it aside first */
};

/* Keyed: the URLs come from articles, and a crafted set of them must not
 * pile up in one run of slots. */
static uint64_t hash_url(const char *s)
{
	return hash_str(s);
}

static struct slot *find(struct slot *slots, size_t nslots, const char *url, uint64_t h)
{
	size_t mask = nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask)
		if (!slots[i].url || (slots[i].hash == h && !strcmp(slots[i].url, url)))
			return &slots[i];
}

static void grow(struct state *st)
{
	if (st->used * 2 < st->nslots)
		return;
	size_t n = st->nslots ? st->nslots * 2 : 64;
	struct slot *v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i].url)
			*find(v, n, st->slots[i].url, st->slots[i].hash) = st->slots[i];
	free(st->slots);
	st->slots = v;
	st->nslots = n;
}

/* The slot for url, created when missing. */
static struct slot *slot_for(struct state *st, const char *url)
{
	grow(st);
	uint64_t h = hash_url(url);
	struct slot *s = find(st->slots, st->nslots, url, h);
	if (!s->url) {
		s->url = xstrdup(url);
		s->hash = h;
		st->used++;
	}
	return s;
}

char *state_default_path(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/lede/marks", x);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.local/state/lede/marks", home);
	return NULL;
}

static void msg(struct strlist *msgs, const char *path, size_t line, const char *text)
{
	if (!msgs)
		return;
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	if (line)
		buf_printf(&b, ":%zu", line);
	buf_printf(&b, ": %s", text);
	strlist_push(msgs, b.data);
}

/* Undo the escapes of a URL in place; false if one is malformed. */
static bool unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (!strncmp(r, "%09", 3))
			*w++ = '\t';
		else if (!strncmp(r, "%0A", 3))
			*w++ = '\n';
		else if (!strncmp(r, "%0D", 3))
			*w++ = '\r';
		else if (!strncmp(r, "%25", 3))
			*w++ = '%';
		else
			return false;
		r += 2;
	}
	*w = '\0';
	return true;
}

/* Parse a marks file's text. Calls apply for each good line. Returns false
 * when anything was damaged (reported in msgs). */
static bool parse_marks(const char *path, char *text, size_t len, struct strlist *msgs,
			void (*apply)(void *ctx, const char *url, unsigned flags), void *ctx)
{
	if (len == 0)
		return true;
	if (len < sizeof HEADER - 1 || memcmp(text, HEADER, sizeof HEADER - 1)) {
		msg(msgs, path, 1, "not a lede marks file (no \"lede-marks 1\" header)");
		return false;
	}
	if (memchr(text, '\0', len)) {
		msg(msgs, path, 0, "holds NUL bytes");
		return false;
	}
	bool good = true;
	size_t lineno = 1, bad = 0;
	char *p = text + sizeof HEADER - 1, *end = text + len;
	while (p < end) {
		lineno++;
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			msg(msgs, path, lineno, "the last line is cut short");
			good = false;
			break;
		}
		*nl = '\0';
		char *tab = strchr(p, '\t');
		unsigned flags = 0;
		bool ok = tab && tab > p && tab[1];
		for (char *f = p; ok && f < tab; f++) {
			if (*f == 'r')
				flags |= STATE_READ;
			else if (*f == 's')
				flags |= STATE_STARRED;
			else
				ok = false;
		}
		if (ok)
			ok = unescape(tab + 1);
		if (ok) {
			apply(ctx, tab + 1, flags);
		} else {
			/* the first ones tell what is wrong; a file of garbage
			 * would otherwise be millions of messages held */
			if (bad < MAX_BAD_LINES)
				msg(msgs, path, lineno, "malformed line, skipped");
			else if (bad == MAX_BAD_LINES) {
				char *m = xasprintf("more than %d malformed lines, the rest "
						    "not reported", MAX_BAD_LINES);
				msg(msgs, path, lineno, m);
				free(m);
			}
			bad++;
			good = false;
		}
		p = nl + 1;
	}
	return good;
}

static void apply_open(void *ctx, const char *url, unsigned flags)
{
	struct state *st = ctx;
	slot_for(st, url)->flags = (unsigned char)flags;
}

static int read_text(const char *path, char **text, size_t *len)
{
	if (read_file(path, 256u << 20, text, len) == 0)
		return 0;
	if (errno == ENOENT) {
		*text = NULL;
		*len = 0;
		return 0;
	}
	return -1;
}

struct state *state_open(const char *path, struct strlist *msgs)
{
	struct state *st = xcalloc(1, sizeof *st);
	st->path = path ? xstrdup(path) : NULL;
	if (!path)
		return st;
	char *text;
	size_t len;
	if (read_text(path, &text, &len) < 0) {
		char *m = xasprintf("cannot read: %s", strerror(errno));
		msg(msgs, path, 0, m);
		free(m);
		st->backup_pending = errno != EACCES;
		return st;
	}
	if (text && !parse_marks(path, text, len, msgs, apply_open, st)) {
		st->backup_pending = true;
		msg(msgs, path, 0, "damaged: it will be kept aside as marks.corrupt-* on the next save");
	}
	free(text);
	return st;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nslots; i++)
		free(st->slots[i].url);
	free(st->slots);
	free(st->path);
	free(st);
}

unsigned state_get(const struct state *st, const char *url)
{
	if (!st || !url || !st->nslots)
		return 0;
	const struct slot *s = find(st->slots, st->nslots, url, hash_url(url));
	return s->url ? s->flags : 0;
}

void state_set(struct state *st, const char *url, unsigned flags)
{
	if (!url || !*url)
		return;
	struct slot *s = slot_for(st, url);
	if (s->flags == flags)
		return;
	s->flags = (unsigned char)flags;
	s->changed = true;
	st->dirty = true;
}

bool state_dirty(const struct state *st)
{
	return st->dirty;
}

size_t state_count(const struct state *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->nslots; i++)
		n += st->slots[i].url && st->slots[i].flags;
	return n;
}

/* What others saved, taken in unless we changed that URL ourselves. */
static void apply_merge(void *ctx, const char *url, unsigned flags)
{
	struct state *st = ctx;
	struct slot *s = slot_for(st, url);
	if (!s->changed)
		s->flags = (unsigned char)flags;
}

/* The file on disk, with our own changes on top. When the file reads
 * cleanly it is the truth for every URL we did not touch (another lede may
 * have cleared a mark); when it is damaged, nothing we hold is dropped. */
static void merge_disk(struct state *st)
{
	char *text;
	size_t len;
	if (read_text(st->path, &text, &len) < 0 || !text)
		return;
	struct state disk = {0};
	struct strlist ignored = {0};
	char *copy = xstrndup(text, len);
	bool clean = parse_marks(st->path, copy, len, &ignored, apply_open, &disk);
	free(copy);
	strlist_free(&ignored);
	if (clean) {
		for (size_t i = 0; i < st->nslots; i++)
			if (st->slots[i].url && !st->slots[i].changed)
				st->slots[i].flags = 0;
	} else {
		st->backup_pending = true;
	}
	for (size_t i = 0; i < disk.nslots; i++)
		if (disk.slots[i].url && (clean || disk.slots[i].flags))
			apply_merge(st, disk.slots[i].url, disk.slots[i].flags);
	for (size_t i = 0; i < disk.nslots; i++)
		free(disk.slots[i].url);
	free(disk.slots);
	free(text);
}

static void put_escaped(FILE *f, const char *url)
{
	for (const char *p = url; *p; p++) {
		switch (*p) {
		case '\t': fputs("%09", f); break;
		case '\n': fputs("%0A", f); break;
		case '\r': fputs("%0D", f); break;
		case '%': fputs("%25", f); break;
		default: fputc(*p, f); break;
		}
	}
}

static int cmp_slot_url(const void *a, const void *b)
{
	return strcmp((*(const struct slot *const *)a)->url, (*(const struct slot *const *)b)->url);
}

/* The slots that hold a mark, sorted by URL (the caller frees the array).
 * The table's own order comes from a hash keyed anew in every process:
 * written in that order, the file would be shuffled at every save. */
static const struct slot **marked_in_order(const struct state *st, size_t *n)
{
	const struct slot **v = xmalloc((st->used ? st->used : 1) * sizeof *v);
	*n = 0;
	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i].url && st->slots[i].flags)
			v[(*n)++] = &st->slots[i];
	qsort(v, *n, sizeof *v, cmp_slot_url);
	return v;
}

static int mkdirs(const char *path)
{
	char *d = xstrdup(path);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			free(d);
			return -1;
		}
		*p = '/';
	}
	free(d);
	return 0;
}

int state_save(struct state *st, char **err)
{
	if (!st->path) {
		*err = xstrdup("no place for the marks: set XDG_STATE_HOME or HOME");
		return -1;
	}
	if (mkdirs(st->path) < 0) {
		*err = xasprintf("cannot create the directory of %s: %s", st->path, strerror(errno));
		return -1;
	}
	char *lockpath = xasprintf("%s.lock", st->path);
	int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lockpath);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		*err = xasprintf("cannot lock %s: %s", st->path, strerror(errno));
		if (lock >= 0)
			close(lock);
		return -1;
	}
	int rc = -1;
	char *tmp = NULL;
	/* Merge what is on disk now: another lede may have saved since. */
	merge_disk(st);
	if (st->backup_pending) {
		char *bak = xasprintf("%s.corrupt-%lld", st->path, (long long)time(NULL));
		if (link(st->path, bak) < 0 && errno != ENOENT && errno != EEXIST) {
			*err = xasprintf("cannot keep the damaged %s aside: %s", st->path,
					 strerror(errno));
			free(bak);
			goto out;
		}
		free(bak);
		st->backup_pending = false;
	}
	tmp = xasprintf("%s.tmp.%ld", st->path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		*err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fputs(HEADER, f);
	size_t n;
	const struct slot **marked = marked_in_order(st, &n);
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = marked[i];
		fprintf(f, "%s%s\t", s->flags & STATE_READ ? "r" : "", s->flags & STATE_STARRED ? "s" : "");
		put_escaped(f, s->url);
		fputc('\n', f);
	}
	free(marked);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		*err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, st->path) < 0) {
		*err = xasprintf("cannot replace %s: %s", st->path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* the rename itself must reach the disk */
	char *dir = xstrdup(st->path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	for (size_t i = 0; i < st->nslots; i++)
		st->slots[i].changed = false;
	st->dirty = false;
	rc = 0;
out:
	free(tmp);
	flock(lock, LOCK_UN);
	close(lock);
	return rc;
}
