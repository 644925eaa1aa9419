/* store: loading and the URL index (open addressing, FNV-1a). */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lede/parse.h"
#include "lede/scan.h"
#include "lede/store.h"

struct url_slot {
	const char *url; /* borrowed from the article */
	uint64_t hash;
	size_t idx;
};

void store_init(struct store *s)
{
	memset(s, 0, sizeof *s);
}

void store_add(struct store *s, struct article *a)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = a;
}

/* One file's outcome, written by whichever thread loaded it and read by the
 * calling thread after the join, so that the merge can follow scan order. */
struct load_slot {
	struct article *a;      /* NULL when skipped */
	struct strlist problems; /* from the parser */
	int read_errno;          /* read_file failed with this; 0 otherwise */
};

struct loader {
	const struct strlist *files;
	struct load_slot *slots;
	size_t max, chunk;
	atomic_size_t next; /* the first file no thread has claimed */
	atomic_size_t done; /* files finished, for progress only */
	/* Workers still running; the calling thread sleeps on cv until it is
	 * 0 or until the next progress report is due. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t running;
};

static void load_one(const struct loader *L, size_t i)
{
	struct load_slot *slot = &L->slots[i];
	const char *path = L->files->v[i];
	char *data;
	size_t len;
	if (read_file(path, L->max, &data, &len) < 0) {
		/* The message is written when merging: strerror() belongs to
		 * one thread. */
		slot->read_errno = errno ? errno : EIO;
		return;
	}
	slot->a = parse_article(path, data, len, &slot->problems);
	free(data);
}

/* Claim and load the next chunk of files; false when none is left. */
static bool load_chunk(struct loader *L)
{
	size_t n = L->files->n;
	size_t i = atomic_fetch_add_explicit(&L->next, L->chunk, memory_order_relaxed);
	if (i >= n)
		return false;
	size_t end = n - i < L->chunk ? n : i + L->chunk;
	for (size_t k = i; k < end; k++)
		load_one(L, k);
	atomic_fetch_add_explicit(&L->done, end - i, memory_order_relaxed);
	return true;
}

static void *load_worker(void *arg)
{
	struct loader *L = arg;
	while (load_chunk(L))
		;
	pthread_mutex_lock(&L->mu);
	L->running--;
	pthread_cond_signal(&L->cv);
	pthread_mutex_unlock(&L->mu);
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
	/* A container or taskset may give us fewer CPUs than are online. */
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0 &&
	    (n < 1 || CPU_COUNT(&set) < n))
		n = CPU_COUNT(&set);
#endif
	return n < 1 ? 1 : n > STORE_MAX_THREADS ? STORE_MAX_THREADS : (int)n;
}

static size_t pick_threads(const struct store_opts *opts, size_t nfiles)
{
	size_t t;
	if (opts && opts->threads > 0) {
		t = opts->threads > STORE_MAX_THREADS ? STORE_MAX_THREADS : (size_t)opts->threads;
	} else {
		/* Below a few dozen files, starting threads costs more than
		 * it saves. */
		if (nfiles < 64)
			return 1;
		t = (size_t)online_cpus();
		if (t > STORE_MAX_AUTO_THREADS)
			t = STORE_MAX_AUTO_THREADS;
	}
	return t > nfiles ? (nfiles ? nfiles : 1) : t;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Progress reporting from the calling thread. */
struct reporter {
	void (*fn)(void *ctx, size_t done, size_t total);
	void *ctx;
	int64_t due; /* ns on the monotonic clock */
	bool called;
};

enum { PROGRESS_AFTER_MS = 300, PROGRESS_EVERY_MS = 100 };

static void report_if_due(struct reporter *r, struct loader *L)
{
	if (!r->fn)
		return;
	int64_t t = now_ns();
	if (t < r->due)
		return;
	r->fn(r->ctx, atomic_load_explicit(&L->done, memory_order_relaxed), L->files->n);
	r->called = true;
	r->due = t + (int64_t)PROGRESS_EVERY_MS * 1000000;
}

/* Read and parse every file into its slot: the calling thread works too,
 * between progress reports, then waits for the workers. */
static void load_all(struct loader *L, size_t nthreads, struct reporter *rep)
{
	pthread_t *tids = xcalloc(nthreads, sizeof *tids);
	size_t started = 0;
	pthread_mutex_init(&L->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&L->cv, &ca);
	pthread_condattr_destroy(&ca);

	/* Signals (SIGWINCH, SIGINT) stay with the calling thread, where the
	 * program's handlers expect them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	L->running = 0;
	for (size_t t = 1; t < nthreads; t++) {
		pthread_mutex_lock(&L->mu);
		L->running++;
		pthread_mutex_unlock(&L->mu);
		if (pthread_create(&tids[started], NULL, load_worker, L) != 0) {
			/* Fewer threads only make it slower. */
			pthread_mutex_lock(&L->mu);
			L->running--;
			pthread_mutex_unlock(&L->mu);
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	while (load_chunk(L))
		report_if_due(rep, L);

	pthread_mutex_lock(&L->mu);
	while (L->running) {
		if (!rep->fn) {
			pthread_cond_wait(&L->cv, &L->mu);
			continue;
		}
		struct timespec ts = {(time_t)(rep->due / 1000000000),
				      (long)(rep->due % 1000000000)};
		pthread_cond_timedwait(&L->cv, &L->mu, &ts);
		if (!L->running)
			break;
		pthread_mutex_unlock(&L->mu);
		report_if_due(rep, L);
		pthread_mutex_lock(&L->mu);
	}
	pthread_mutex_unlock(&L->mu);
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	free(tids);
	pthread_cond_destroy(&L->cv);
	pthread_mutex_destroy(&L->mu);
}

static void read_problem(struct store *s, const char *path, int err, size_t max)
{
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	if (err == EFBIG)
		buf_printf(&b, ": larger than the %zu byte limit, skipped", max);
	else if (err == EINVAL)
		buf_puts(&b, ": not a regular file, skipped");
	else
		buf_printf(&b, ": cannot read: %s", strerror(err));
	strlist_push(&s->problems, b.data);
}

void store_load(struct store *s, const char *const *paths, size_t n,
		const struct store_opts *opts)
{
	struct reporter rep = {0};
	if (opts && opts->progress) {
		int after = opts->progress_after_ms ? opts->progress_after_ms : PROGRESS_AFTER_MS;
		rep.fn = opts->progress;
		rep.ctx = opts->progress_ctx;
		rep.due = now_ns() + (int64_t)(after > 0 ? after : 0) * 1000000;
	}
	struct loader L = {
		.max = opts && opts->max_file_size ? opts->max_file_size : STORE_DEFAULT_MAX_FILE,
	};
	struct strlist files = {0};
	scan_paths(paths, n, &files, &s->problems);
	s->nfiles += files.n;
	L.files = &files;

	if (files.n) {
		size_t nthreads = pick_threads(opts, files.n);
		/* Chunks small enough to balance a few huge files, big enough
		 * that the shared counter is touched rarely. */
		L.chunk = files.n / (nthreads * 16);
		L.chunk = L.chunk < 1 ? 1 : L.chunk > 64 ? 64 : L.chunk;
		L.slots = xcalloc(files.n, sizeof *L.slots);
		atomic_init(&L.next, 0);
		atomic_init(&L.done, 0);
		load_all(&L, nthreads, &rep);

		s->v = xgrow(s->v, &s->cap, s->n + files.n, sizeof *s->v);
		for (size_t i = 0; i < files.n; i++) {
			struct load_slot *slot = &L.slots[i];
			if (slot->read_errno)
				read_problem(s, files.v[i], slot->read_errno, L.max);
			for (size_t k = 0; k < slot->problems.n; k++)
				strlist_push(&s->problems, slot->problems.v[k]);
			free(slot->problems.v);
			if (slot->a)
				store_add(s, slot->a);
		}
		free(L.slots);
		if (rep.called)
			rep.fn(rep.ctx, files.n, files.n);
	}
	strlist_free(&files);
	store_link(s);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void index_url(struct store *s, const char *url, size_t idx)
{
	if (!url || !*url)
		return;
	uint64_t h = hash_str(url);
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct url_slot *sl = &s->slots[i];
		if (!sl->url) {
			*sl = (struct url_slot){url, h, idx};
			return;
		}
		if (sl->hash == h && !strcmp(sl->url, url))
			return; /* the first article keeps the URL */
	}
}

long store_find_url(const struct store *s, const char *url)
{
	if (!url || !s->nslots)
		return -1;
	uint64_t h = hash_str(url);
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct url_slot *sl = &s->slots[i];
		if (!sl->url)
			return -1;
		if (sl->hash == h && !strcmp(sl->url, url))
			return (long)sl->idx;
	}
}

void store_link(struct store *s)
{
	free(s->slots);
	size_t want = 16;
	while (want < s->n * 3 * 2)
		want *= 2;
	s->nslots = want;
	s->slots = xcalloc(want, sizeof *s->slots);
	for (size_t i = 0; i < s->n; i++) {
		index_url(s, s->v[i]->web_url, i);
		index_url(s, s->v[i]->original_url, i);
		index_url(s, s->v[i]->amp_web_url, i);
	}

	/* Resolve related stories, counting backlinks per target. */
	free(s->backlink_start);
	free(s->backlinks);
	s->backlink_start = xcalloc(s->n + 1, sizeof *s->backlink_start);
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct article *a = s->v[i];
		for (size_t r = 0; r < a->nrelated; r++) {
			long t = store_find_url(s, a->related[r].web_url);
			a->related[r].local = t;
			if (t >= 0 && (size_t)t != i) {
				s->backlink_start[t + 1]++;
				total++;
			}
		}
	}
	for (size_t i = 0; i < s->n; i++)
		s->backlink_start[i + 1] += s->backlink_start[i];
	s->backlinks = xmalloc((total ? total : 1) * sizeof *s->backlinks);
	size_t *fill = xcalloc(s->n + 1, sizeof *fill);
	for (size_t i = 0; i < s->n; i++) {
		struct article *a = s->v[i];
		for (size_t r = 0; r < a->nrelated; r++) {
			long t = a->related[r].local;
			if (t < 0 || (size_t)t == i)
				continue;
			/* one backlink per article, even if it names the target twice */
			size_t b0 = s->backlink_start[t], *at = &fill[t];
			if (*at && s->backlinks[b0 + *at - 1] == i)
				continue;
			s->backlinks[b0 + (*at)++] = i;
		}
	}
	/* Close the gaps left by duplicates. */
	size_t out = 0;
	for (size_t t = 0; t < s->n; t++) {
		size_t b0 = s->backlink_start[t];
		s->backlink_start[t] = out;
		for (size_t k = 0; k < fill[t]; k++)
			s->backlinks[out++] = s->backlinks[b0 + k];
	}
	s->backlink_start[s->n] = out;
	free(fill);
}

void store_free(struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		article_free(s->v[i]);
	free(s->v);
	strlist_free(&s->problems);
	free(s->slots);
	free(s->backlink_start);
	free(s->backlinks);
	memset(s, 0, sizeof *s);
}
