/* reload: the reload action and the watch. A reload is the store's check
 * of every file (store.h), run on its own thread and applied by
 * app_take_check between keys; this file starts it, by hand or a moment
 * after the watch saw the archive change, and keeps the watch: an inotify
 * descriptor, a watch on every directory under the paths (those added
 * later too), waited on beside the terminal. */
#define _GNU_SOURCE
#include "lede/ui/reload.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "lede/util.h"
#include "lede/worker.h"

void reload_start(struct app *a)
{
	if (store_reload_start(a->store)) {
		a->reload.asked = true;
	} else if (store_checking(a->store)) {
		/* the check running began before what is asked about */
		a->reload.again = a->reload.again_asked = true;
	} else {
		app_message(a, true, "nothing to reload");
		return;
	}
	app_message(a, false, "reloading");
}

void reload_applied(struct app *a)
{
	a->reload.asked = false;
	if (!a->reload.again)
		return;
	a->reload.again = false;
	if (store_reload_start(a->store))
		a->reload.asked = a->reload.again_asked;
	a->reload.again_asked = false;
}

/* ---- the watch ---- */

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* What the status line says of the watch, once. */
enum watch_say { SAY_NOTHING, SAY_UNAVAILABLE, SAY_LIMIT };

struct reload_watch {
	int fd; /* -1: none */
	/* The directory each watch descriptor stands for, by descriptor: a
	 * new directory's path is its parent's and its name. Under mu: the
	 * walk's thread adds to it while the main thread reads events. */
	pthread_mutex_t mu;
	char **dirs;
	size_t ndirs, capdirs;
	pthread_t tid;
	bool started;
	atomic_bool stop;
	atomic_int say; /* enum watch_say, to be said */
	char *why;      /* with SAY_UNAVAILABLE: strerror's */
	bool said;
	char **roots;
	size_t nroots;
	bool *walk; /* roots[i] is a directory to walk below */
	double due; /* ms, monotonic; 0: no reload due */
};

#ifdef __linux__

enum {
	WATCH_MASK = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
		     IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR,
};

/* Watch dir, and remember it by its descriptor; false once the limit of
 * watches is reached (then nothing more is added). */
static bool watch_dir(struct reload_watch *w, const char *dir)
{
	int wd = inotify_add_watch(w->fd, dir, WATCH_MASK);
	if (wd < 0) {
		if (errno != ENOSPC)
			return true; /* unreadable or gone: the walk skips it too */
		atomic_store(&w->say, SAY_LIMIT);
		return false;
	}
	pthread_mutex_lock(&w->mu);
	if ((size_t)wd >= w->ndirs) {
		w->dirs = xgrow(w->dirs, &w->capdirs, (size_t)wd + 1, sizeof *w->dirs);
		memset(w->dirs + w->ndirs, 0, ((size_t)wd + 1 - w->ndirs) * sizeof *w->dirs);
		w->ndirs = (size_t)wd + 1;
	}
	free(w->dirs[wd]);
	w->dirs[wd] = xstrdup(dir);
	pthread_mutex_unlock(&w->mu);
	return true;
}

/* Is name under dir a directory the walk would enter (no hidden ones, no
 * symbolic links)? */
static bool is_dir(const char *dir, const struct dirent *e)
{
	if (e->d_name[0] == '.')
		return false;
	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	char *p = xasprintf("%s/%s", dir, e->d_name);
	struct stat st;
	bool yes = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return yes;
}

/* Watch dir and every directory under it; false once the limit is hit. */
static bool watch_below(struct reload_watch *w, const char *dir);

static bool watch_tree(struct reload_watch *w, const char *dir)
{
	if (atomic_load(&w->stop) || !watch_dir(w, dir))
		return false;
	return watch_below(w, dir);
}

/* Watch dir's subdirectories, and theirs; false once the limit is hit. */
static bool watch_below(struct reload_watch *w, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return true;
	struct dirent *e;
	bool ok = true;
	while (ok && (e = readdir(d))) {
		if (!is_dir(dir, e))
			continue;
		char *sub = xasprintf("%s/%s", dir, e->d_name);
		ok = watch_tree(w, sub);
		free(sub);
	}
	closedir(d);
	return ok;
}

/* The paths themselves, watched at once (a path that is a file through
 * its directory); which of them are directories to walk into. */
static bool *watch_roots(struct reload_watch *w)
{
	bool *walk = xcalloc(w->nroots ? w->nroots : 1, sizeof *walk);
	for (size_t i = 0; i < w->nroots; i++) {
		struct stat st;
		if (stat(w->roots[i], &st) < 0)
			continue;
		walk[i] = S_ISDIR(st.st_mode);
		char *dir = xstrdup(w->roots[i]), *slash = strrchr(dir, '/');
		if (!walk[i] && slash)
			slash[slash == dir] = '\0';
		bool ok = watch_dir(w, walk[i] || slash ? dir : ".");
		free(dir);
		if (!ok)
			break;
	}
	return walk;
}

/* The walk below the paths, on its own thread: a hundred thousand files
 * are a few thousand directories, and the reader's keys never wait for
 * them. */
static void *watch_main(void *arg)
{
	struct reload_watch *w = arg;
	for (size_t i = 0; i < w->nroots; i++)
		if (w->walk[i] && !watch_below(w, w->roots[i]))
			break;
	return NULL;
}

static void watch_start(struct reload_watch *w)
{
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		w->why = xstrdup(strerror(errno));
		atomic_store(&w->say, SAY_UNAVAILABLE);
		return;
	}
	w->walk = watch_roots(w);
	w->started = worker_spawn(&w->tid, watch_main, w);
	if (!w->started)
		watch_main(w);
}

/* One event: a change is a reload due a moment later; a new directory is
 * watched too (and what is in it already found by that reload). */
static void watch_event(struct reload_watch *w, const struct inotify_event *ev)
{
	if (ev->len && ev->name[0] == '.')
		return; /* hidden: never walked (an editor's swap file, .git) */
	w->due = now_ms() + RELOAD_QUIET_MS;
	if (!(ev->mask & IN_ISDIR) || !(ev->mask & (IN_CREATE | IN_MOVED_TO)) || ev->wd < 0)
		return;
	pthread_mutex_lock(&w->mu);
	char *dir = (size_t)ev->wd < w->ndirs && w->dirs[ev->wd]
			    ? xasprintf("%s/%s", w->dirs[ev->wd], ev->name)
			    : NULL;
	pthread_mutex_unlock(&w->mu);
	if (dir && atomic_load(&w->say) != SAY_LIMIT)
		watch_tree(w, dir);
	free(dir);
}

static void watch_drain(struct reload_watch *w)
{
	/* aligned as the kernel's events are */
	char buf[16 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n <= 0)
			return; /* EAGAIN: all read */
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				w->due = now_ms() + RELOAD_QUIET_MS; /* lost some: reload all the same */
			else
				watch_event(w, ev);
			p += sizeof *ev + ev->len;
		}
	}
}

#else /* no inotify */

static void watch_start(struct reload_watch *w)
{
	w->fd = -1;
	w->why = xstrdup("not on this system");
	atomic_store(&w->say, SAY_UNAVAILABLE);
}

static void watch_drain(struct reload_watch *w)
{
	(void)w;
}

#endif

void reload_watch_open(struct app *a)
{
	size_t n;
	const char *const *paths = store_reload_paths(a->store, &n);
	if (!a->cfg->watch || !paths || a->reload.watch)
		return;
	struct reload_watch *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	atomic_init(&w->stop, false);
	atomic_init(&w->say, SAY_NOTHING);
	w->nroots = n;
	w->roots = xcalloc(n ? n : 1, sizeof *w->roots);
	for (size_t i = 0; i < n; i++)
		w->roots[i] = xstrdup(paths[i]);
	a->reload.watch = w;
	watch_start(w);
}

void reload_watch_close(struct app *a)
{
	struct reload_watch *w = a->reload.watch;
	if (!w)
		return;
	atomic_store(&w->stop, true);
	if (w->started)
		pthread_join(w->tid, NULL);
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->ndirs; i++)
		free(w->dirs[i]);
	free(w->dirs);
	for (size_t i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->walk);
	free(w->why);
	pthread_mutex_destroy(&w->mu);
	free(w);
	a->reload.watch = NULL;
}

void reload_watch_read(struct app *a)
{
	struct reload_watch *w = a->reload.watch;
	if (w && w->fd >= 0)
		watch_drain(w);
}

void reload_poll(struct app *a, long wait_ms, bool watch_only)
{
	struct reload_watch *w = a->reload.watch;
	struct pollfd fds[2] = {{.fd = watch_only ? -1 : STDIN_FILENO, .events = POLLIN},
				{.fd = w ? w->fd : -1, .events = POLLIN}};
	/* a signal (a resize) ends the wait early: the loop goes round */
	if (poll(fds, 2, wait_ms < 0 ? -1 : (int)wait_ms) > 0 && (fds[1].revents & POLLIN))
		reload_watch_read(a);
}

long reload_watch_due_ms(const struct app *a)
{
	const struct reload_watch *w = a->reload.watch;
	if (!w || !w->due)
		return -1;
	double left = w->due - now_ms();
	return left <= 0 ? 0 : (long)left + 1;
}

/* Say once why there is no watch. */
static void watch_say(struct app *a, struct reload_watch *w)
{
	int say = atomic_load(&w->say);
	if (w->said || say == SAY_NOTHING)
		return;
	w->said = true;
	if (say == SAY_LIMIT)
		app_message(a, true, "watch: the limit of inotify watches is reached "
				     "(fs.inotify.max_user_watches); R reloads");
	else
		app_message(a, true, "watch: no inotify (%s); R reloads", w->why);
}

void reload_watch_tick(struct app *a)
{
	struct reload_watch *w = a->reload.watch;
	if (!w)
		return;
	watch_say(a, w);
	if (!w->due || now_ms() < w->due)
		return;
	w->due = 0;
	if (!store_reload_start(a->store))
		a->reload.again = true; /* after the check running */
}
