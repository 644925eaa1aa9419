/* config: the settings a person chooses and the config-file language that
 * sets them. Owns struct config (its strings and lists), the word splitter
 * that the config file, the `:` prompt and the browser command share, the
 * table of options and the table of commands (`set` for now; `bind`,
 * `unbind`, `color` and `source` join the same table later).
 *
 * Errors never stop a file: each bad line leaves one "FILE:LINE: message"
 * and the lines after it still apply. Every message is terminal-safe. */
#ifndef LEDE_CONFIG_H
#define LEDE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/util.h"

enum layout { LAYOUT_HORIZONTAL, LAYOUT_VERTICAL };

/* Owns every string and list it holds; config_free releases them. */
struct config {
	char *browser;                  /* NULL: use $BROWSER, else xdg-open */
	bool browser_foreground;        /* a terminal browser takes the terminal */
	struct strlist browser_schemes; /* lower case; default: http, https, ftp */
	char *sort;                     /* e.g. "date" or "heat:asc"; NULL = default */
	enum layout layout;
	size_t max_file_size;           /* bytes, default 4 MiB; option "max-file-size" */
};

#define CONFIG_DEFAULT_MAX_FILE_SIZE ((size_t)4 << 20)

/* Fill c with the defaults. */
void config_init(struct config *c);
void config_free(struct config *c);

/* Split a line into words, appended to *words (owned by the list): blanks
 * (space, tab) separate words; '...' quotes literally; "..." quotes with
 * backslash escapes (\" and \\; a backslash before any other character
 * keeps both); a backslash outside quotes escapes the next character; a '#'
 * at the start of a word begins a comment to the end of the line. Quoted
 * parts join the text around them ("a'b c'd" is one word) and '' is an empty
 * word. Returns 0, or -1 with *err set (caller frees), e.g. "unterminated
 * quote"; on error *words is left as it was. */
int config_split_words(const char *line, struct strlist *words, char **err);

/* Apply one option by name:
 *   browser             a command line, split like a config line; %u is the
 *                       URL, %% a percent sign; "" restores the default
 *   browser-foreground  yes/no, true/false, on/off
 *   browser-schemes     a space or comma separated list of URL schemes
 *   sort                KEY[:asc|:desc] as for --sort
 *   layout              horizontal or vertical
 *   max-file-size       bytes, with an optional k/K (KiB) or M (MiB) suffix
 * Returns 0, or -1 with *err set (caller frees), e.g. "unknown option 'x'",
 * "bad value 'x' for browser-foreground: use yes or no"; c is unchanged on
 * error. */
int config_set(struct config *c, const char *name, const char *value, char **err);

/* Apply one line of the config language; blank lines and comments are fine.
 * Commands: `set NAME VALUE`. Anything else: -1 with *err (caller frees)
 * "unknown command 'x'". */
int config_line(struct config *c, const char *line, char **err);

/* Read the file at path and apply each line. Each bad line adds
 * "FILE:LINE: message" to *errors and the rest still applies. Returns 0 if
 * the file was read (even with bad lines), -1 if it could not be (*errors
 * gets "FILE: cannot read: reason"). A missing file is no error when
 * missing_ok. */
int config_load_file(struct config *c, const char *path, bool missing_ok,
		     struct strlist *errors);

/* The default config path: $XDG_CONFIG_HOME/lede/config when that is an
 * absolute path, else $HOME/.config/lede/config (the password entry's home
 * when $HOME is unset). NULL when there is no home at all; else the caller
 * frees. */
char *config_default_path(void);

#endif
