#!/bin/sh
# exit-status.sh FILE COMMAND [ARG...]
# Runs COMMAND (no shell re-parsing: the arguments pass as they are), then
# writes its exit status (128+N after signal N) to FILE, atomically, and
# exits with it. The end-to-end tests run lede in a tmux pane through this:
# with tmux 3.3a, #{pane_dead_status} sometimes stays empty for good (the
# exited process left an unreaped zombie), so the tests read FILE instead.
file=${1:?usage: exit-status.sh FILE COMMAND [ARG...]}
shift
"$@"
status=$?
printf '%s\n' "$status" >"$file.tmp" && mv -f "$file.tmp" "$file"
exit "$status"
