/* commands: the one table of commands, and the language made of them.
 * Config files, keymap files, the `:` prompt and test scripts (which type
 * at the prompt) all run through it; the prompt's Tab completion and the
 * help view's list of commands are made from it. Each entry says its name
 * and alias, its synopsis and help, where it may run (a config file, the
 * prompt, or both), how many words it takes and what each word completes
 * from.
 *
 * The reader's own commands (sort, search, filter, topic, provider, open,
 * help, quit) act through hooks the UI hands in (struct commands_ui), so
 * that this module knows nothing of the UI above it. In a config file they
 * are an error that names the file and line.
 *
 * Errors never stop a file: each bad line leaves one "FILE:LINE: message"
 * and the lines after it still apply. Every message is terminal-safe. */
#ifndef LEDE_COMMANDS_H
#define LEDE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/config.h"
#include "lede/query.h"
#include "lede/util.h"

/* How deep `source` (and keymap files that load keymaps) may nest. */
#define COMMANDS_MAX_DEPTH 10

/* Where a command may run: bits. */
enum commands_where {
	COMMANDS_CONFIG = 1 << 0, /* config and keymap files */
	COMMANDS_PROMPT = 1 << 1, /* the : prompt (and so test scripts) */
};

/* What a word of a command completes from. */
enum commands_arg {
	ARG_NONE,     /* free text, a key name, a file */
	ARG_OPTION,   /* config_option_name */
	ARG_VALUE,    /* config_option_values of the word before; for keymap,
		       * config_keymap_names */
	ARG_VIEW,     /* all, then keymap_view_name */
	ARG_ACTION,   /* action_table's names */
	ARG_ELEMENT,  /* config_element_name */
	ARG_COLOR,    /* config_color_name */
	ARG_ATTR,     /* config_attr_name */
	ARG_SORT_KEY, /* query_sort_name */
	ARG_SORT_DIR, /* asc, desc */
	ARG_TOPIC,    /* the topics of the loaded stories (commands_ui.names) */
	ARG_PROVIDER, /* their providers' names (commands_ui.names) */
	ARG_TYPE,     /* their types (commands_ui.names) */
	ARG_SAVED_VIEW, /* the config's saved views' names */
};

/* The reader's side of its commands, handed in by the UI; app is passed
 * back to each hook. A hook says the outcome on the reader's message line
 * itself. names (may be NULL) pushes the candidates of kind (ARG_TOPIC,
 * ARG_PROVIDER, ARG_TYPE) on out, each once. */
struct commands_ui {
	void *app;
	void (*quit)(void *app);
	void (*sort)(void *app, struct sort_order order);
	void (*search)(void *app, const char *pattern); /* "" clears */
	void (*filter)(void *app, const char *pattern); /* "" clears */
	void (*topic)(void *app, const char *name);     /* NULL: all */
	void (*provider)(void *app, const char *name);  /* NULL: all */
	void (*open)(void *app);
	void (*help)(void *app);
	/* A config command ran at the prompt: take the config again. */
	void (*config_changed)(void *app, const char *line);
	void (*names)(void *app, enum commands_arg kind, struct strlist *out);
	/* The "FILE:LINE: message"s of the files a line read (source, a
	 * keymap), each, before the one message that sums them up (may be
	 * NULL). */
	void (*problems)(void *app, const struct strlist *errors);
	void (*type)(void *app, const char *name); /* NULL: all */
	/* Apply the saved view name (the config has it); NULL: say which
	 * views there are. */
	void (*view)(void *app, const char *name);
	/* `set NAME` alone: say the option's value; `set` alone (name NULL):
	 * show every option with its value. NULL: both are usage errors, as
	 * in a config file. */
	void (*show_options)(void *app, const char *name);
	void (*facets)(void *app); /* show the facets pane, or hide it */
};

struct commands_run;

#define COMMANDS_MAX_ARGS 4

struct command {
	const char *name;
	const char *alias;    /* another spelling, or NULL */
	const char *synopsis; /* "sort KEY [asc|desc]" */
	const char *help;     /* one line */
	unsigned where;       /* enum commands_where bits */
	size_t min_args, max_args;
	/* What word i + 1 completes from; past the last given, the last one
	 * repeats when max_args allows more. */
	enum commands_arg args[COMMANDS_MAX_ARGS];
	/* The words after the name are one argument (a name with spaces):
	 * completion works on all of them at once. */
	bool rest;
	int (*run)(struct commands_run *r, char **args, size_t nargs, char **err);
};

/* The i-th command of the table; NULL past the end. */
const struct command *commands_get(size_t i);
/* The command called name (or spelled so by its alias); NULL if none. */
const struct command *commands_find(const char *name);

/* Apply one line of a config file's language; blank lines and comments are
 * fine. Commands are those of the table allowed in COMMANDS_CONFIG: set,
 * bind, unbind, unbind-all, color (also spelled colour) and source (FILE
 * relative to the current directory here). Returns 0, or -1 with *err
 * (caller frees), e.g. "unknown command 'x'". When a sourced file has bad
 * lines, *err is the first "FILE:LINE: message", with " (and N more)" when
 * there are more. */
int commands_line(struct config *c, const char *line, char **err);

/* Run one line typed at the : prompt: any command of the table, the
 * reader's own through ui's hooks, the config's on c (then
 * ui->config_changed). Returns 0, or -1 with *err (caller frees), e.g.
 * "unknown command: x", "usage: sort KEY [asc|desc]". */
int commands_prompt(struct config *c, const struct commands_ui *ui, const char *line,
		    char **err);

/* Read the file at path and apply each line. Each bad line adds
 * "FILE:LINE: message" to *errors and the rest still applies; a `source`
 * line reads its file relative to this file's directory, nesting at most
 * COMMANDS_MAX_DEPTH deep. Returns 0 if the file was read (even with bad
 * lines), -1 if it could not be (*errors gets "FILE: cannot read: reason").
 * A missing file is no error when missing_ok. */
int commands_load_file(struct config *c, const char *path, bool missing_ok,
		       struct strlist *errors);

/* Apply a keymap on top of c->keymap. A name without '/' is read from
 * DIR/NAME for the first DIR of search_dirs (NULL-terminated; NULL means
 * c->keymap_dirs) that has it; anything else is a file path (~/ is the home
 * directory). The name "default" always works: when no directory has it,
 * the built-in default keymap is put back. Bad lines add "FILE:LINE:
 * message" to *errors. Returns 0 if the keymap was read (even with bad
 * lines), or -1 with one message in *errors, e.g. "keymap 'x' not found
 * (looked in: ./keymaps, /usr/share/lede/keymaps)". On success
 * c->keymap_name becomes name_or_file. `set keymap NAME` does the same. */
int commands_load_keymap(struct config *c, const char *name_or_file,
			 const char *const *search_dirs, struct strlist *errors);

/* Tab at the prompt: push on cands the words that may stand where line
 * ends (a command name, then what the command's word there completes
 * from; `set keymap ` the names in c's keymap directories; c and ui may be
 * NULL). Returns the offset in line where the text they would replace
 * starts. */
size_t commands_complete(const char *line, const struct config *c, const struct commands_ui *ui,
			 struct strlist *cands);

#endif
