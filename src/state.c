/* state: marks in a hash table, changes appended to a journal, the journal
 * folded into the marks file now and then. */
#define _GNU_SOURCE
#include "lede/state.h"
#include "lede/compat.h"
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

#include "lede/atomic.h"

#define HEADER "lede-marks 1\n"
#define JOURNAL_HEADER "lede-marks-journal 1\n"

/* A journal smaller than this is never folded, however small the file:
 * folding at every key of a new user's first session would cost more than
 * the journal ever does. */
enum { FOLD_MIN_BYTES = 64 * 1024 };
#define MAX_BAD_LINES 100 /* reported one by one, of one file */
/* Changes from other processes told one by one (state_changes_since); more
 * than this between two reads and the oldest are forgotten, the reader
 * reading everything again, which then costs no more than the changes. */
enum { CHANGE_LOG_MAX = 1 << 16 };

struct slot {
	char *url; /* owned; NULL: empty */
	uint64_t hash;
	unsigned char flags;
	bool pending; /* changed here, not yet in the journal */
};

/* Which version of a file was read. Another lede folding the journal
 * renames a new file in (a new inode); a chmod changes the ctime. */
struct ident {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

struct state {
	char *path, *journal, *lock;
	struct slot *slots;
	size_t nslots, used;
	const char **pending; /* URLs of pending slots (owned by the slots) */
	size_t npending, cappending;
	bool loaded;      /* the file and journal on disk are in memory */
	char *unreadable; /* why they are not, or NULL */
	struct ident main_id, journal_id;
	off_t journal_off;  /* the journal is read up to here: the end of a whole line */
	size_t journal_lines; /* lines read, for messages */
	bool main_damaged, journal_damaged; /* keep them aside before a fold */
	bool journal_foreign; /* not a journal at all: aside before an append */
	off_t fold_retry_at;  /* after a failed fold, the journal size to try again at */
	/* Every change taken in from disk adds one to the generation and,
	 * unless the whole set was being read, one entry to the log: the
	 * entries are the generations (log_base, generation]. */
	unsigned long generation, log_base;
	struct state_change *log;
	size_t nlog, caplog;
	bool replacing; /* reading the set whole: log_base follows */
	struct strlist problems;
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

/* "PATH[:LINE]: text", the path made safe for a terminal. */
static char *format_msg(const char *path, size_t line, const char *text)
{
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	if (line)
		buf_printf(&b, ":%zu", line);
	buf_printf(&b, ": %s", text);
	return b.data;
}

static void msg(struct strlist *msgs, const char *path, size_t line, const char *text)
{
	if (msgs)
		strlist_push(msgs, format_msg(path, line, text));
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

/* The flags of one line's first field; false when malformed. "-" (no
 * flags) only in the journal. */
static bool parse_flags(const char *f, const char *end, bool journal, unsigned *flags)
{
	*flags = 0;
	if (journal && end - f == 1 && *f == '-')
		return true;
	if (f == end)
		return false;
	for (; f < end; f++) {
		if (*f == 'r')
			*flags |= MARK_READ;
		else if (*f == 's')
			*flags |= MARK_STARRED;
		else
			return false;
	}
	return true;
}

typedef void apply_fn(struct state *st, const char *url, unsigned flags);

/* The lines of text[0..len) (after any header), numbered from *lineno + 1.
 * A last line without its newline is damage in the file, and in the
 * journal the trace of an append a crash cut short, dropped in silence.
 * *used is how far whole lines go. Returns false when anything was damaged
 * (reported in msgs). */
static bool parse_lines(struct state *st, const char *path, char *text, size_t len,
			size_t *lineno, bool journal, struct strlist *msgs, apply_fn *apply,
			size_t *used)
{
	bool good = true;
	char *p = text, *end = text + len;
	size_t bad = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (!journal) {
				msg(msgs, path, *lineno + 1, "the last line is cut short");
				good = false;
			}
			break;
		}
		++*lineno;
		*nl = '\0';
		char *tab = strchr(p, '\t');
		unsigned flags;
		/* a NUL would end the URL early: the line is damaged */
		bool nul = memchr(p, '\0', (size_t)(nl - p)) != NULL;
		if (!nul && tab && tab[1] && parse_flags(p, tab, journal, &flags) &&
		    unescape(tab + 1)) {
			apply(st, tab + 1, flags);
		} else {
			/* the first ones tell what is wrong; a file of garbage
			 * would otherwise be millions of messages held */
			if (bad < MAX_BAD_LINES)
				msg(msgs, path, *lineno, "malformed line, skipped");
			else if (bad == MAX_BAD_LINES) {
				char *m = xasprintf("more than %d malformed lines, the rest "
						    "not reported", MAX_BAD_LINES);
				msg(msgs, path, *lineno, m);
				free(m);
			}
			bad++;
			good = false;
		}
		p = nl + 1;
	}
	*used = (size_t)(p - text);
	return good;
}

/* One change from disk, in the log unless the set is read whole. */
static void changed(struct state *st, struct slot *s, unsigned flags)
{
	s->flags = (unsigned char)flags;
	st->generation++;
	if (st->replacing) {
		st->log_base = st->generation;
		st->nlog = 0;
		return;
	}
	if (st->nlog == CHANGE_LOG_MAX) {
		/* forget the older half: a reader that far behind reads
		 * everything again */
		size_t half = CHANGE_LOG_MAX / 2;
		memmove(st->log, st->log + half, (st->nlog - half) * sizeof *st->log);
		st->nlog -= half;
		st->log_base += half;
	}
	st->log = xgrow(st->log, &st->caplog, st->nlog + 1, sizeof *st->log);
	/* the slot's URL stays where it is until state_close */
	st->log[st->nlog++] = (struct state_change){s->url, flags};
}

/* Marks from disk, taken in unless this process changed that URL itself. */
static void apply_disk(struct state *st, const char *url, unsigned flags)
{
	struct slot *s = slot_for(st, url);
	if (s->pending || s->flags == flags)
		return;
	changed(st, s, flags);
}

static struct ident ident_of(const struct stat *sb)
{
	return (struct ident){true, sb->st_dev, sb->st_ino, sb->st_size, COMPAT_ST_MTIM(sb), COMPAT_ST_CTIM(sb)};
}

static bool same_ident(const struct ident *a, const struct ident *b)
{
	if (a->exists != b->exists)
		return false;
	return !a->exists ||
	       (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
		a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec &&
		a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec);
}

/* The identity of path now (exists false when missing); -1 on other errors. */
static int stat_ident(const char *path, struct ident *id)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		*id = ident_of(&sb);
		return 0;
	}
	*id = (struct ident){0};
	return errno == ENOENT ? 0 : -1;
}

static void set_unreadable(struct state *st, const char *path, int err)
{
	free(st->unreadable);
	char *why = xasprintf("cannot read: %s",
			      err == EINVAL ? "not a regular file" : strerror(err));
	st->unreadable = format_msg(path, 0, why);
	free(why);
	st->loaded = false;
}

/* The whole journal's text: header checked, lines applied. */
static void load_journal(struct state *st, char *text, size_t len, struct strlist *msgs)
{
	size_t hlen = sizeof JOURNAL_HEADER - 1;
	st->journal_off = 0;
	st->journal_lines = 0;
	st->journal_foreign = false;
	if (!len)
		return; /* none */
	if (len < hlen && !memcmp(text, JOURNAL_HEADER, len))
		return; /* cut short at its creation: nothing in it yet */
	/* NULs past the header are damaged lines, or zeros a crash left
	 * where an append was going: parse_lines sorts them out */
	if (memcmp(text, JOURNAL_HEADER, hlen)) {
		msg(msgs, st->journal, 1, "not a lede marks journal: it will be kept aside");
		st->journal_foreign = true;
		return;
	}
	st->journal_lines = 1;
	size_t used;
	if (!parse_lines(st, st->journal, text + hlen, len - hlen, &st->journal_lines, true, msgs,
			 apply_disk, &used))
		st->journal_damaged = true;
	st->journal_off = (off_t)(hlen + used);
}

/* Read a file whole, refusing to follow a symbolic link when nofollow;
 * a missing file is empty (*id says so). */
static int read_whole(const char *path, bool nofollow, char **text, size_t *len,
		      struct ident *id)
{
	*text = NULL;
	*len = 0;
	*id = (struct ident){0};
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat sb;
	int e = fstat(fd, &sb) < 0 ? errno : !S_ISREG(sb.st_mode) ? EINVAL : 0;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	*id = ident_of(&sb);
	/* no bound but memory: every mark the user made is read */
	e = read_fd(fd, (size_t)sb.st_size, SIZE_MAX / 4, text, len) < 0 ? errno : 0;
	close(fd);
	errno = e;
	return e ? -1 : 0;
}

/* Read the file and the journal whole and make them the truth for every
 * URL not changed here. When the file is damaged nothing held is dropped.
 * Returns 0, or -1 with the state marked unreadable. */
static int load_disk(struct state *st, struct strlist *msgs)
{
	char *text, *jtext;
	size_t len, jlen;
	struct ident mid, jid;
	if (read_whole(st->path, false, &text, &len, &mid) < 0) {
		set_unreadable(st, st->path, errno);
		return -1;
	}
	/* the journal is written, not only read: never through a link */
	if (read_whole(st->journal, true, &jtext, &jlen, &jid) < 0) {
		set_unreadable(st, st->journal, errno);
		free(text);
		return -1;
	}
	/* the file into a table of its own first: only a clean file may
	 * clear what this process holds */
	struct state disk = {.replacing = true};
	bool clean = true;
	size_t hlen = sizeof HEADER - 1, lineno = 1, used;
	if (len && (len < hlen || memcmp(text, HEADER, hlen))) {
		msg(msgs, st->path, 1, "not a lede marks file (no \"lede-marks 1\" header)");
		clean = false;
	} else if (len) {
		clean = parse_lines(&disk, st->path, text + hlen, len - hlen, &lineno, false, msgs,
				    apply_disk, &used);
	}
	/* A URL the clean file no longer has lost its marks; the others
	 * change only where they differ, so that the log holds what another
	 * process changed, not the whole set read again. */
	if (clean)
		for (size_t i = 0; i < st->nslots; i++) {
			struct slot *s = &st->slots[i];
			if (s->url && !s->pending && s->flags && !state_get(&disk, s->url))
				changed(st, s, 0);
		}
	for (size_t i = 0; i < disk.nslots; i++) {
		if (disk.slots[i].url)
			apply_disk(st, disk.slots[i].url, disk.slots[i].flags);
		free(disk.slots[i].url);
	}
	free(disk.slots);
	st->main_damaged = !clean;
	if (!clean)
		msg(msgs, st->path, 0,
		    "damaged: it will be kept aside as marks.corrupt-* when lede next rewrites it");
	st->journal_damaged = false;
	load_journal(st, jtext, jlen, msgs);
	st->main_id = mid;
	st->journal_id = jid;
	st->loaded = true;
	free(st->unreadable);
	st->unreadable = NULL;
	free(text);
	free(jtext);
	return 0;
}

/* Take in the journal's lines appended since we read it. Returns 1 when
 * that is not enough (the journal was replaced, folded or cut), 0 when
 * done, -1 on a read error. */
static int read_journal_tail(struct state *st)
{
	int fd = open(st->journal, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? (st->journal_id.exists ? 1 : 0) : -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	if (!st->journal_id.exists || sb.st_dev != st->journal_id.dev ||
	    sb.st_ino != st->journal_id.ino || sb.st_size < st->journal_off ||
	    st->journal_foreign) {
		close(fd);
		return 1;
	}
	if (st->journal_off == 0) { /* a journal cut short at its creation */
		close(fd);
		return 1;
	}
	size_t n = (size_t)(sb.st_size - st->journal_off), got = 0;
	char *text = xmalloc(n + 1);
	while (got < n) {
		ssize_t r = pread(fd, text + got, n - got, st->journal_off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(text);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	size_t used;
	if (!parse_lines(st, st->journal, text, got, &st->journal_lines, true, NULL, apply_disk,
			 &used))
		st->journal_damaged = true;
	st->journal_off += (off_t)used;
	st->journal_id = ident_of(&sb);
	free(text);
	return 0;
}

/* Under the lock: make memory hold what is on disk, cheaply when only the
 * journal grew. Returns 0, or -1 with the state marked unreadable. */
static int refresh(struct state *st)
{
	if (st->loaded) {
		struct ident mid;
		if (stat_ident(st->path, &mid) < 0) {
			set_unreadable(st, st->path, errno);
			return -1;
		}
		if (same_ident(&mid, &st->main_id)) {
			int r = read_journal_tail(st);
			if (r == 0)
				return 0;
			if (r < 0) {
				set_unreadable(st, st->journal, errno);
				return -1;
			}
		}
	}
	return load_disk(st, NULL);
}

struct state *state_open(const char *path, struct strlist *msgs)
{
	struct state *st = xcalloc(1, sizeof *st);
	if (!path) {
		st->loaded = true;
		return st;
	}
	st->path = xstrdup(path);
	st->journal = xasprintf("%s.journal", path);
	st->lock = xasprintf("%s.lock", path);
	/* no lock file: no lede has written here, or cannot; read anyway */
	int lock = atomic_lock(st->lock, LOCK_SH);
	struct strlist mine = {0};
	/* whoever reads the marks reads them whole first: no log of them */
	st->replacing = true;
	int r = load_disk(st, &mine);
	st->replacing = false;
	if (r < 0)
		strlist_push(&mine, xstrdup(st->unreadable));
	if (lock >= 0)
		close(lock);
	for (size_t i = 0; i < mine.n; i++) {
		strlist_push(&st->problems, xstrdup(mine.v[i]));
		if (msgs)
			strlist_push(msgs, xstrdup(mine.v[i]));
	}
	strlist_free(&mine);
	return st;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nslots; i++)
		free(st->slots[i].url);
	free(st->slots);
	free(st->pending);
	free(st->log);
	free(st->path);
	free(st->journal);
	free(st->lock);
	free(st->unreadable);
	strlist_free(&st->problems);
	free(st);
}

unsigned state_get(const struct state *st, const char *url)
{
	if (!st || !url || !st->nslots)
		return 0;
	const struct slot *s = find(st->slots, st->nslots, url, hash_url(url));
	return s->url ? s->flags : 0;
}

unsigned state_get_hash(const struct state *st, uint64_t hash)
{
	if (!st || !st->nslots)
		return 0;
	size_t mask = st->nslots - 1;
	for (size_t i = hash & mask; st->slots[i].url; i = (i + 1) & mask)
		if (st->slots[i].hash == hash)
			return st->slots[i].flags;
	return 0;
}

void state_set(struct state *st, const char *url, unsigned flags)
{
	if (!url || !*url)
		return;
	struct slot *s = slot_for(st, url);
	if (s->flags == flags)
		return;
	s->flags = (unsigned char)flags;
	if (!s->pending) {
		s->pending = true;
		st->pending = xgrow(st->pending, &st->cappending, st->npending + 1, sizeof *st->pending);
		st->pending[st->npending++] = s->url;
	}
}

bool state_dirty(const struct state *st)
{
	return st->npending > 0;
}

size_t state_count(const struct state *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->nslots; i++)
		n += st->slots[i].url && st->slots[i].flags;
	return n;
}

const char *state_unreadable(const struct state *st)
{
	return st->unreadable;
}

const struct strlist *state_problems(const struct state *st)
{
	return &st->problems;
}

unsigned long state_generation(const struct state *st)
{
	return st->generation;
}

bool state_changes_since(const struct state *st, unsigned long since,
			 const struct state_change **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (since > st->generation || since < st->log_base)
		return false;
	*n = (size_t)(st->generation - since);
	*v = st->log + (st->nlog - *n);
	return true;
}

static void put_line(struct buf *b, unsigned flags, const char *url, bool journal)
{
	if (!flags && journal)
		buf_putc(b, '-');
	if (flags & MARK_READ)
		buf_putc(b, 'r');
	if (flags & MARK_STARRED)
		buf_putc(b, 's');
	buf_putc(b, '\t');
	for (const char *p = url; *p; p++) {
		switch (*p) {
		case '\t': buf_puts(b, "%09"); break;
		case '\n': buf_puts(b, "%0A"); break;
		case '\r': buf_puts(b, "%0D"); break;
		case '%': buf_puts(b, "%25"); break;
		default: buf_putc(b, *p); break;
		}
	}
	buf_putc(b, '\n');
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

/* Keep path aside as "BASE.corrupt-TIME" (a second name, so nothing is
 * copied), or "BASE.corrupt-TIME.N" when an earlier one of the same second
 * has the name: the caller removes path next. Returns 0, or -1 with errno. */
static int keep_aside(const char *path, const char *base)
{
	long long now = (long long)time(NULL);
	for (int n = 0; n < 100; n++) {
		char *bak = n ? xasprintf("%s.corrupt-%lld.%d", base, now, n)
			      : xasprintf("%s.corrupt-%lld", base, now);
		int r = link(path, bak);
		int e = errno;
		free(bak);
		if (r == 0 || e == ENOENT)
			return 0;
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* Under the lock, the journal read to its end: append the pending changes
 * in one write and sync them. Returns 0, or -1 with *err. */
static int append_pending(struct state *st, char **err)
{
	if (!st->npending)
		return 0;
	if (st->journal_foreign) {
		if (keep_aside(st->journal, st->journal) < 0 ||
		    (unlink(st->journal) < 0 && errno != ENOENT)) {
			*err = format_msg(st->journal, 0, "cannot keep the damaged journal aside");
			return -1;
		}
		st->journal_foreign = false;
		st->journal_off = 0;
		st->journal_id.exists = false;
	}
	bool created = false;
	int fd = open(st->journal, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		fd = open(st->journal, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
					       O_NOCTTY,
			  0600);
		created = true;
		st->journal_off = 0;
	}
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		goto fail;
	/* what lies past the last whole line is an append a crash cut short */
	if (sb.st_size > st->journal_off && ftruncate(fd, st->journal_off) < 0)
		goto fail;
	struct buf b = {0};
	if (st->journal_off == 0)
		buf_puts(&b, JOURNAL_HEADER);
	for (size_t i = 0; i < st->npending; i++)
		put_line(&b, state_get(st, st->pending[i]), st->pending[i], true);
	int w = atomic_write_fd(fd, b.data, b.len);
	buf_free(&b);
	if (w < 0 || (created ? fsync(fd) : fdatasync(fd)) < 0) {
		int e = errno;
		if (ftruncate(fd, st->journal_off) < 0) {
			/* the lines stay pending; the next read drops a cut one */
		}
		errno = e;
		goto fail;
	}
	if (created && atomic_sync_dir(st->journal) < 0)
		goto fail;
	if (fstat(fd, &sb) < 0)
		goto fail;
	close(fd);
	st->journal_id = ident_of(&sb);
	st->journal_off = sb.st_size;
	st->journal_lines += st->npending + created;
	for (size_t i = 0; i < st->npending; i++) {
		struct slot *s = find(st->slots, st->nslots, st->pending[i], hash_url(st->pending[i]));
		s->pending = false;
	}
	st->npending = 0;
	return 0;
fail:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	char *why = xasprintf("cannot write: %s", strerror(e));
	*err = format_msg(st->journal, 0, why);
	free(why);
	return -1;
}

/* Under the lock, nothing pending: write memory (which is the file plus the
 * journal now) as the new file and drop the journal. Returns 0, or -1 with
 * *err; the journal stays until the new file is in place. */
static int fold(struct state *st, char **err)
{
	if (st->main_damaged && keep_aside(st->path, st->path) < 0) {
		*err = format_msg(st->path, 0, "cannot keep the damaged file aside");
		return -1;
	}
	/* a journal not ours (another version's, say) is removed below too */
	if ((st->journal_damaged || st->journal_foreign) &&
	    keep_aside(st->journal, st->journal) < 0) {
		*err = format_msg(st->journal, 0, "cannot keep the damaged journal aside");
		return -1;
	}
	struct atomic_file af;
	if (atomic_begin(&af, st->path) < 0)
		goto fail;
	struct buf b = {0};
	buf_puts(&b, HEADER);
	int w = 0;
	size_t n;
	const struct slot **marked = marked_in_order(st, &n);
	for (size_t i = 0; i < n && w == 0; i++) {
		put_line(&b, marked[i]->flags, marked[i]->url, false);
		if (b.len >= 1 << 16) {
			w = atomic_write(&af, b.data, b.len);
			b.len = 0;
		}
	}
	free(marked);
	if (w == 0 && b.len)
		w = atomic_write(&af, b.data, b.len);
	buf_free(&b);
	if (w < 0) {
		int e = errno;
		atomic_abort(&af);
		errno = e;
		goto fail;
	}
	if (atomic_commit(&af) < 0)
		goto fail;
	/* A crash here leaves a journal whose lines the new file already
	 * holds: applying them again changes nothing. */
	if (unlink(st->journal) == 0)
		atomic_sync_dir(st->journal);
	st->main_damaged = st->journal_damaged = st->journal_foreign = false;
	st->journal_id = (struct ident){0};
	st->journal_off = 0;
	st->journal_lines = 0;
	stat_ident(st->path, &st->main_id);
	return 0;
fail:;
	char *why = xasprintf("cannot write: %s", strerror(errno));
	*err = format_msg(st->path, 0, why);
	free(why);
	return -1;
}

/* Lock, read what changed on disk, append what changed here. With fold
 * set, or when the journal has outgrown the file, fold it in too. */
static int save(struct state *st, bool fold_now, char **err)
{
	*err = NULL;
	if (!st->path) {
		if (!st->npending)
			return 0;
		*err = xstrdup("no place for the marks: set XDG_STATE_HOME or HOME");
		return -1;
	}
	int lock = atomic_lock(st->lock, LOCK_EX);
	if (lock < 0 && errno == ENOENT && mkdirs(st->path) == 0)
		lock = atomic_lock(st->lock, LOCK_EX);
	if (lock < 0) {
		char *why = xasprintf("cannot lock: %s", strerror(errno));
		*err = format_msg(st->lock, 0, why);
		free(why);
		return -1;
	}
	int rc = -1;
	if (refresh(st) < 0) {
		/* never write over what could not be read; at quit (the fold)
		 * there is no later save to promise */
		*err = fold_now ? xstrdup(st->unreadable)
				: xasprintf("%s; saving resumes once it can be read", st->unreadable);
		goto out;
	}
	if (append_pending(st, err) < 0)
		goto out;
	rc = 0;
	bool outgrown = st->journal_off > FOLD_MIN_BYTES && st->journal_off > st->main_id.size &&
			st->journal_off >= st->fold_retry_at;
	bool worth = st->journal_id.exists || st->main_damaged || st->journal_damaged;
	if ((fold_now && worth) || outgrown) {
		char *ferr = NULL;
		/* the marks are safe in the journal either way; a failed fold
		 * is an error only when asked for */
		if (fold(st, &ferr) < 0 && fold_now) {
			*err = ferr;
			rc = -1;
		} else {
			/* a fold that failed is not tried again at every key:
			 * not before the journal has doubled */
			st->fold_retry_at = ferr ? st->journal_off * 2 : 0;
			free(ferr);
		}
	}
out:
	close(lock);
	return rc;
}

int state_save(struct state *st, char **err)
{
	if (!st->npending) {
		*err = NULL;
		return 0;
	}
	return save(st, false, err);
}

int state_compact(struct state *st, char **err)
{
	if (!st->loaded && !st->npending) {
		*err = NULL;
		return 0; /* nothing of ours to save, nothing readable to fold */
	}
	return save(st, true, err);
}
