/* reload: the reader's reload (the action, and what is said once its check
 * is applied) and its watch: inotify on every directory of the archive,
 * and a reload a moment after the last change seen, on the store's
 * background check (store_reload_start), so that no key ever waits. */
#ifndef LEDE_UI_RELOAD_H
#define LEDE_UI_RELOAD_H

#include "lede/ui/app.h"

/* How long the watch waits after the last change before it reloads: a
 * git pull writes many files over a moment, and is one reload. */
enum { RELOAD_QUIET_MS = 400 };

/* The reload action: the check of every file started (or, one running,
 * started again once it is in), "reloading" said. */
void reload_start(struct app *a);
/* After app_take_check applied a check: a reload asked for meanwhile is
 * started. */
void reload_applied(struct app *a);

/* Start watching the store's paths when `set watch` says so (a thread of
 * its own walks the directories); where inotify cannot be had, or its
 * limit of watches is reached, the status line says so once (at the
 * next reload_watch_tick) and the reader goes on without it. */
void reload_watch_open(struct app *a);
void reload_watch_close(struct app *a);
/* Wait up to wait_ms (-1: no limit) for a key on the terminal (unless
 * watch_only: the headless player's) or for a change the watch sees,
 * taking in what the watch saw. */
void reload_poll(struct app *a, long wait_ms, bool watch_only);
/* Take in what the watch saw, without waiting. */
void reload_watch_read(struct app *a);
/* Milliseconds until the watch's reload is due, or -1 when none is. */
long reload_watch_due_ms(const struct app *a);
/* Between keys: the watch's reload started once it is due (after the
 * check running, if one is), and what the watch has to say said. */
void reload_watch_tick(struct app *a);

#endif
