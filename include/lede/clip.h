/* clip: copying a URL to the clipboard, with the command a person set
 * (`set copy-command "wl-copy"`: split into words like a config line, the
 * URL on its standard input, never a shell) or with the terminal's own
 * clipboard sequence (OSC 52, `set copy-command osc52`), the text
 * base64-encoded in it so that nothing of the URL can act on the terminal.
 * Every message it returns is terminal-safe. */
#ifndef LEDE_CLIP_H
#define LEDE_CLIP_H

#include <stdbool.h>
#include <stddef.h>

/* data[0..len) in base64 (RFC 4648, with '=' padding); the caller frees. */
char *clip_base64(const void *data, size_t len);

/* The OSC 52 sequence that puts text on the terminal's clipboard:
 * ESC ] 5 2 ; c ; BASE64 BEL. The caller frees. */
char *clip_osc52(const char *text);

/* Is command the terminal's sequence rather than a program? */
bool clip_is_osc52(const char *command);

/* Run command (not osc52) with text on its stdin. Returns 0, or -1 with
 * *msg (caller frees): "no copy command: set copy-command ...", "cannot
 * run 'x': ...". */
int clip_run(const char *command, const char *text, char **msg);

#endif
