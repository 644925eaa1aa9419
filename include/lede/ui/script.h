/* script: the headless player. Keys, typed text, mouse events, resizes and
 * screen dumps come from a script file (see tests/ui/), screens go to
 * stdout; "expect" lines check the status line, the message line, the
 * selected line, the story pane, the list's count or the focused view, and
 * say on stderr what they found when false; "stats" prints the time to the
 * first screen and per-key latencies, for the benchmark. */
#ifndef LEDE_UI_SCRIPT_H
#define LEDE_UI_SCRIPT_H

#include "lede/ui/app.h"

/* Play the script at path against a; started_us is when the process began
 * (CLOCK_MONOTONIC, microseconds). Returns the exit status: 2 for a script
 * that cannot be read or has a bad line, else 1 when an expectation was
 * false (each said on stderr as path:line), else 0. */
int script_play(struct app *a, const char *path, double started_us);

#endif
