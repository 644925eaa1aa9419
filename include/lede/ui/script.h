/* script: the headless player. Keys, typed text, mouse events, resizes and
 * screen dumps come from a script file (see tests/ui/), screens go to
 * stdout; "stats" prints the time to the first screen and per-key
 * latencies, for the benchmark. */
#ifndef LEDE_UI_SCRIPT_H
#define LEDE_UI_SCRIPT_H

#include "lede/ui/app.h"

/* Play the script at path against a; started_us is when the process began
 * (CLOCK_MONOTONIC, microseconds). Returns the exit status: 2 for a script
 * that cannot be read or has a bad line (said on stderr as path:line). */
int script_play(struct app *a, const char *path, double started_us);

#endif
