/* config: the settings a person chooses. Owns struct config (its strings,
 * lists, colours and keymap), the table of options and their setters, the
 * colour names, and the word splitter that config lines, the `:` prompt and
 * the browser command share. The language that sets these (`set`, `bind`,
 * `color`, `source`, ... in config files, keymap files and at the prompt)
 * is the commands module's, one level up. Every message is terminal-safe. */
#ifndef LEDE_CONFIG_H
#define LEDE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/keymap.h"
#include "lede/util.h"

enum layout { LAYOUT_HORIZONTAL, LAYOUT_VERTICAL };
/* The "ascii" option: the UI's own glyphs in ASCII, in Unicode where the
 * locale draws it, or (auto) ASCII in a CJK locale only. */
enum config_ascii { CONFIG_ASCII_AUTO, CONFIG_ASCII_YES, CONFIG_ASCII_NO };
/* When a story becomes read: when opened (Enter, next-story...), or also
 * once it has been shown in the story pane for mark_read_delay_ms. */
enum config_mark_read { CONFIG_MARK_READ_VIEW, CONFIG_MARK_READ_OPEN };

/* What `color` can style; names are config_element_name's. The UI's enum
 * style gives each of these a style of the same name. */
enum config_element {
	CONFIG_EL_NORMAL,
	CONFIG_EL_HEADER,
	CONFIG_EL_TITLE_FOCUS,
	CONFIG_EL_SELECTED,
	CONFIG_EL_CURSOR,
	CONFIG_EL_STATUS,
	CONFIG_EL_MATCH,
	CONFIG_EL_LOCAL,
	CONFIG_EL_DIM,
	CONFIG_EL_LABEL,
	CONFIG_EL_STORY_TITLE,
	CONFIG_EL_URL,
	CONFIG_EL_ERROR,
	CONFIG_EL_UNREAD,
	CONFIG_EL_COUNT
};

/* Attributes as bits of our own, so this module needs no curses. */
enum config_attr {
	CONFIG_ATTR_BOLD = 1 << 0,
	CONFIG_ATTR_UNDERLINE = 1 << 1,
	CONFIG_ATTR_REVERSE = 1 << 2,
	CONFIG_ATTR_DIM = 1 << 3,
	CONFIG_ATTR_STANDOUT = 1 << 4,
};

/* The terminal's own foreground or background. */
#define CONFIG_COLOR_DEFAULT (-1)

struct config_color {
	bool set;       /* false: the UI keeps its built-in style */
	int fg, bg;     /* 0-255, or CONFIG_COLOR_DEFAULT */
	unsigned attrs; /* enum config_attr bits */
};

/* Owns every string and list it holds; config_free releases them. */
struct config {
	char *browser;                  /* NULL: use $BROWSER, else xdg-open */
	bool browser_foreground;        /* a terminal browser takes the terminal */
	struct strlist browser_schemes; /* lower case; default: http, https, ftp */
	char *sort;                     /* e.g. "date" or "heat:asc"; NULL = default */
	enum layout layout;
	/* Counts every `set layout`, even to the value it had: the reader
	 * takes the layout again only then, so that another option set live
	 * keeps the split the user toggled. */
	unsigned long layout_sets;
	size_t max_file_size;           /* bytes, default 4 MiB; option "max-file-size" */
	struct strlist path;            /* archive paths used when none is given; ~ expanded */
	bool follow_links;              /* follow links inside the walk; default no */
	char *date_format;              /* strftime format of the story pane's dates */
	/* The list's date column's format; NULL: date-format's when it was
	 * set, else the date (with the time on a wide list). */
	char *list_date_format;
	bool mouse;                     /* default no */
	bool confirm_quit;              /* default no */
	bool wrap;                      /* wrap long lines in the story pane; default yes */
	/* The list's height when the panes are one above the other: rows, or
	 * a percent of the rows above the status line when list_height_percent;
	 * default 40%. */
	int list_height;
	bool list_height_percent;
	/* The story text's widest line, so that a wide terminal keeps it
	 * readable: text wraps at the smaller of it and the pane's width;
	 * 0: the pane's width. Default CONFIG_DEFAULT_TEXT_WIDTH. */
	int text_width;
	/* Reload by itself a moment after the archive's files change (the
	 * reader's inotify watch); default yes on Linux, where it is. */
	bool watch;
	/* The list shows one row per coverage cluster (cluster.h), or one per
	 * file; default yes ("set group clusters"). */
	bool group_clusters;
	enum config_ascii ascii;        /* the UI's glyphs; default auto */
	enum config_mark_read mark_read_on; /* default view */
	unsigned long mark_read_delay_ms;   /* default 1000 */
	/* copy-url's command, split like a config line, the URL on its
	 * stdin; "osc52": the terminal's clipboard sequence; NULL: none set */
	char *copy_command;
	struct config_color colors[CONFIG_EL_COUNT];

	struct keymap keymap;           /* starts as the built-in default */
	char *keymap_name;              /* the last keymap loaded as given; NULL: built-in */
	/* Where a keymap name is looked up (DIR/NAME), in order; config_init
	 * puts the installed directory here, config_prefer_keymap_dir one
	 * before it. */
	struct strlist keymap_dirs;
	/* Set by the caller once -k has loaded a keymap: the command line wins,
	 * so `set keymap` in a config file is then ignored (bind and unbind
	 * lines still apply on top). */
	bool keymap_locked;
	/* Saved views (`view NAME QUERY`): view_names.v[i] is the query
	 * view_queries.v[i], in the order they were first defined. */
	struct strlist view_names, view_queries;
};

#define CONFIG_DEFAULT_MAX_FILE_SIZE ((size_t)4 << 20)
#define CONFIG_DEFAULT_DATE_FORMAT "%Y-%m-%d %H:%M"
#define CONFIG_DEFAULT_MARK_READ_DELAY_MS 1000UL
#define CONFIG_MARK_READ_DELAY_MAX 3600UL /* seconds */
#define CONFIG_DEFAULT_TEXT_WIDTH 100
#define CONFIG_TEXT_WIDTH_MAX 10000 /* columns */

/* Fill c with the defaults, the built-in default keymap included. */
void config_init(struct config *c);
void config_free(struct config *c);

/* Define the saved view name as query (a copy), or change its query. */
void config_set_view(struct config *c, const char *name, const char *query);
/* The query of the saved view name, or NULL. */
const char *config_view(const struct config *c, const char *name);

/* Look up keymap names in dir (owned by c from now on) before every
 * directory already listed: a source tree's keymaps come before the
 * installed ones. */
void config_prefer_keymap_dir(struct config *c, char *dir);

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
 *   path                archive paths, split into words like a config line
 *   follow-links        yes/no: follow symbolic links met inside the
 *                       directories walked (-L)
 *   date-format         a strftime format (no %n or %t: they are control
 *                       characters on the screen)
 *   list-date-format    the same, for the list's date column
 *   keymap              a keymap name or file: listed here, but loaded by
 *                       the commands module (commands_load_keymap), since
 *                       a keymap is a file of commands; refused here
 *   mouse, confirm-quit, wrap, watch   yes/no
 *   list-height         N rows or N% (1 to 99) of the screen for the list
 *                       one above the story, N up to CONFIG_TEXT_WIDTH_MAX
 *   text-width          columns the story text wraps at, at most (0: the
 *                       pane's width), up to CONFIG_TEXT_WIDTH_MAX
 *   group               clusters (one list row per coverage cluster) or
 *                       none (one per file)
 *   mark-read-on        open or view
 *   mark-read-delay     seconds, up to three decimals ("0.5"), at most 3600
 *   copy-command        osc52, or a command split like a config line that
 *                       gets the URL on its stdin; "" sets none
 * Returns 0, or -1 with *err set (caller frees), e.g. "unknown option 'x'",
 * "bad value 'x' for browser-foreground: use yes or no"; c is unchanged on
 * error. */
int config_set(struct config *c, const char *name, const char *value, char **err);

/* Apply `color ELEMENT FG BG [ATTRIBUTE...]`: args[0..nargs) are the words
 * after the command (nargs >= 3). Returns 0, or -1 with *err (caller frees),
 * e.g. "unknown colour element 'x'"; c is unchanged on error. */
int config_set_color(struct config *c, char **args, size_t nargs, char **err);

/* The default config path: $XDG_CONFIG_HOME/lede/config when that is an
 * absolute path, else $HOME/.config/lede/config (the password entry's home
 * when $HOME is unset). NULL when there is no home at all; else the caller
 * frees. */
char *config_default_path(void);

/* Names, for the help, the man page test and completion: the i-th option,
 * colour element, colour ("default" first) and attribute; NULL past the
 * end. */
const char *config_option_name(size_t i);
/* The values Tab offers for option name, space-separated ("yes no"); NULL
 * for free text or an unknown name. */
const char *config_option_values(const char *name);
/* Option name's value in c as `set` would take it back (an unset one
 * says what stands for it, in parentheses); the caller frees it. NULL for
 * no such option. */
char *config_option_value(const struct config *c, const char *name);
/* The keymap names c's keymap directories hold (their regular files, by
 * name), with the built-in "default", sorted, each once, pushed on out.
 * A name a command could not take as one word, or that would show as
 * something else (a space, a control byte, a leading dot), is left out. */
void config_keymap_names(const struct config *c, struct strlist *out);
const char *config_element_name(size_t i);
const char *config_color_name(size_t i);
const char *config_attr_name(size_t i);

/* For messages of the config language: "PREFIX'TEXT'SUFFIX" with TEXT
 * made terminal-safe and cut after 100 bytes (caller frees); the same
 * quoting appended to b; p with a leading "~" or "~/" made the home
 * directory ("~user" is left alone: it needs a lookup that can hang on a
 * network directory; caller frees). */
char *config_quote(const char *prefix, const char *text, const char *suffix);
void config_put_quoted(struct buf *b, const char *s);
char *config_expand_home(const char *p);

#endif
