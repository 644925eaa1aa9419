/* app: the interactive reader's state and its one loop. Views (list,
 * story, related, help, problems) are const ops tables that draw lines and
 * take the actions specific to them; what only a view needs (the story
 * view's wrapped lines) is that view's own state, made by its open hook
 * and freed by its close hook, and no other code reads it. The state the
 * views share (the store, the list's rows, the current story, the marks)
 * lives here, and pane.h, history.h, prompt.h, draw.h and script.h work on
 * it. Generic code never asks which view a pane shows: it calls hooks. */
#ifndef LEDE_UI_APP_H
#define LEDE_UI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/action.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/group.h"
#include "lede/keymap.h"
#include "lede/query.h"
#include "lede/querylang.h"
#include "lede/search.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/ui/layout.h"
#include "lede/ui/marksync.h"
#include "lede/ui/screen.h"
#include "lede/util.h"

struct app;
struct pane;

struct view_ops {
	int id; /* enum view_id: which bindings apply */
	const char *name;
	/* Make the view's own state in p->state as a pane opens it, and free
	 * it as the pane closes it (both optional: NULL for none). */
	void (*open)(struct app *a, struct pane *p);
	void (*close)(struct app *a, struct pane *p);
	/* The config changed: forget what was built from it, so that the
	 * next draw builds it again (optional). */
	void (*invalidate)(struct app *a, struct pane *p);
	/* Rebuild whatever depends on the width (optional). */
	void (*prepare)(struct app *a, struct pane *p, int width);
	size_t (*count)(struct app *a, struct pane *p);
	/* Lines up to line are wanted (a move or the wheel goes there): a
	 * view whose lines are still being found finds those now (optional). */
	void (*need)(struct app *a, struct pane *p, size_t line);
	/* Are more lines than count() still being found (optional)? */
	bool (*counting)(struct app *a, struct pane *p);
	/* Is the selected line's place not known yet (optional)? */
	bool (*placing)(struct app *a, struct pane *p);
	/* The pane's first row. */
	void (*title)(struct app *a, struct pane *p, struct buf *out);
	void (*draw_line)(struct app *a, struct pane *p, size_t line, int y, bool selected);
	/* The text of line as / in the story pane finds it (find.h), into
	 * the view's state until its next prepare; NULL for none. Optional:
	 * without it, / in the story pane searches the list. */
	const char *(*line_text)(struct app *a, struct pane *p, size_t line);
	/* Lines a cursor may rest on (NULL: all). */
	bool (*selectable)(struct app *a, struct pane *p, size_t line);
	/* Actions of this view; true when handled. */
	bool (*action)(struct app *a, struct pane *p, enum action act);
	/* The position the status line gives, "at/of" from 1 (optional: the
	 * cursor's line of count()), for a view whose lines are not all
	 * items (headings). */
	void (*position)(struct app *a, struct pane *p, size_t *at, size_t *of);
	/* What the status line says after the position (optional). */
	void (*status)(struct app *a, struct pane *p, struct buf *out);
	/* The view q goes back to in the same pane (NULL: q closes the pane). */
	const struct view_ops *parent;
	bool scroll; /* no cursor: moving scrolls */
	/* The first lines stay at the top of the pane while the others
	 * scroll under them (a heading that must not scroll away). */
	unsigned pinned;
};

/* A pane shows one view at a time; pane_open and pane_close (pane.h)
 * change it, so that the view's hooks see it opened and closed. */
struct pane {
	const struct view_ops *ops; /* NULL: none */
	void *state;                /* the view's own, owned by the view */
	size_t sel, top;
	struct rect r;
};

/* A story: an article, or one related summary of an article. */
struct story {
	long article; /* -1: none */
	long related; /* -1: the article itself */
	/* History: the view the story pane showed (NULL: the story view) and
	 * its cursor. */
	const struct view_ops *view;
	size_t sel;
};

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_SEARCH,
	PROMPT_FIND, /* / in the story pane: its own text (find.h) */
	PROMPT_FILTER,
	PROMPT_COMMAND,
	PROMPT_URL,
	PROMPT_CONFIRM_QUIT,
	PROMPT_CONFIRM_MARK_ALL
};

/* What the triage actions keep between keys (triage.h). */
struct app_triage {
	unsigned long count;  /* digits typed before a motion; 0: none */
	size_t confirm_rows;  /* the rows mark-all-read asks about */
	char *confirm_text;   /* its question */
	/* The story the story pane shows, since when, and whether it was
	 * marked read by being shown (once a showing: m can undo it). */
	long viewed;
	double viewed_since_ms;
	bool viewed_done;
	double clock_ms; /* the headless player's clock */
};

/* What / in the story pane is finding (find.h): the pattern, the story
 * and view it was found in (another shown drops it), and the line it
 * went to last. */
struct app_find {
	struct search *re; /* NULL: none */
	long article, related;
	const struct view_ops *view;
	size_t line;
};

/* What reload and the watch keep (reload.h). */
struct app_reload {
	bool asked; /* a reload the user asked for runs: "no change" is said */
	bool again; /* asked for while a check ran: one more once it is in */
	bool again_asked; /* and by the user, not the watch */
	struct reload_watch *watch; /* NULL: not watching */
};

struct app {
	struct store *store;
	struct config *cfg;
	struct keymap *keymap;

	/* Read and starred marks: the saved state, and a byte per article. */
	struct state *state;
	unsigned char *marks;
	struct marksync marks_sync;     /* marks[] against the state */
	bool marks_failing;             /* the last save failed */
	enum mark_filter mark_filter;
	/* The widest provider name the list has drawn (columns): its provider
	 * column grows to it on a wide terminal, never shrinks back. */
	int list_provider_w;

	/* The list: store indices, filtered and sorted by the query engine;
	 * rows is the engine's kept order itself when nothing filters, else
	 * rows_buf (owned). While a filter's matches are still being found on
	 * another thread, rows are the first of them (walk.complete false):
	 * moves find more as they need them (app_rows_need), and app_tick
	 * completes them when the thread is done. */
	struct query *query;
	/* The coverage clusters being computed, after the first screen and
	 * again after the check changed the store; NULL when none runs. */
	struct cluster_job *clusters;
	/* The store's duplicates are left out of the rows: once its links
	 * are made (behind the first screen), the rows are made again. */
	bool dups_hidden;
	const uint32_t *rows;
	size_t nrows;
	uint32_t *rows_buf;
	struct query_walk walk;
	unsigned long rows_gen;  /* changes whenever rows (or lines) are made again */
	/* The list's lines, what its cursor moves over (list.sel is a line):
	 * the rows themselves (set group none: lines is rows), or the rows
	 * folded into one line per coverage cluster (group.h), made as far
	 * as the list needs them like the rows, and the rest a slice per
	 * tick. group is NULL when not grouping. */
	struct group *group;
	const uint32_t *lines;
	size_t nlines;
	/* The article the list keeps selected across a new sort or filter,
	 * when its row is not known yet (it lies far in the order and the
	 * matches are still being found, or the order itself is being made,
	 * or its line lies far past the lines folded yet): -1 when none. It
	 * is placed (the list scrolled from keep_top) when the work is done,
	 * or first thing when a key needs the selection's row
	 * (app_rows_place), unless that would wait for an order or a long
	 * fold: then the key starts from the first row. */
	long keep_pending;
	size_t keep_top;
	/* The story pane is to follow the list's first row, not found yet. */
	bool follow_pending;
	struct sort_order order; /* the order rows are in */
	struct search *search;
	/* The filter: a query (querylang.h), or NULL; its text is what the
	 * status line shows. */
	struct querylang *filter;
	/* A message that holds the rows' count: said again with the count
	 * once it is known, if it is still the one shown (count_message). */
	const char *count_message;
	/* A "match K of …" said before every match was known: said again with
	 * the count once it is, if it is still the one shown. */
	const char *match_message;
	bool match_wrapped;
	enum app_count_say {
		SAY_NONE,
		SAY_FILTER,
		SAY_TOPIC,
		SAY_PROVIDER,
		SAY_TYPE,
		SAY_MARKS,
		SAY_VIEW
	} count_say;
	/* The saved view the filter is (its index in the config's), or -1:
	 * where next-view goes on from. */
	long view_at;
	/* What the last / typed on found: rows [search_from, search_from +
	 * search_clean) (forward, wrapping) hold no match of search_pattern,
	 * nor so of any plain pattern that extends it; valid for rows_gen. */
	char *search_pattern;
	size_t search_from, search_clean;
	unsigned long search_gen;
	/* A step of the list's search (/ typed or entered, n, N) that has
	 * not found its row yet (prompt.c): while the engine does not know
	 * the search's matches, a key tests rows one by one for a few
	 * milliseconds only, and the ticks between keys go on from there
	 * (with the matches once known); the next key drops it and acts on
	 * the list as it is. */
	struct app_seek {
		bool pending;
		bool quiet;       /* typed on: nothing said */
		bool enter;       /* the / prompt's Enter */
		int dir;          /* 1 or -1 */
		int phase;        /* 0: from start to the end (or 0); 1: round */
		size_t sel;       /* the selection it started from */
		size_t start;     /* forward: the first line; back: below it, stop */
		size_t skip;      /* lines known clean from start */
		size_t tail;      /* forward, round: the lines from start to the end */
		size_t stop;      /* round: the line it stops at */
		long at;          /* the next line to test */
		unsigned long gen; /* rows_gen it started with */
		const struct search *re; /* the search it started with */
		const char *message; /* "searching …" while it is the one shown */
		bool may_wait;    /* settling: the rows it needs found, whatever they take */
		bool stalled;     /* needs rows of an order still being made */
	} seek;

	struct pane list, story, overlay;
	bool story_open, overlay_open, zoom, vertical;
	/* The facets pane (view_facets.h): shown, and focused (then keys go
	 * to it, whatever focus says). */
	struct pane facets;
	bool facets_open, facets_focus;
	unsigned long layout_sets; /* the config's, when vertical last followed it */
	int focus; /* 0: list, 1: story pane */

	struct story cur;
	struct story *back, *fwd;
	size_t nback, capback, nfwd, capfwd;

	/* The prompt line. */
	enum prompt_kind prompt;
	struct buf input;
	size_t saved_sel;
	struct search *saved_search;
	struct querylang *saved_filter;
	struct strlist history;             /* of the : prompt */
	struct strlist history_search, history_filter; /* of / and f */
	struct strlist history_find; /* of / in the story pane */
	struct app_find find;
	size_t hist_pos;

	char *message;
	bool message_error;
	size_t late_problems_said; /* the store's late_problems, said on the prompt line */
	bool quit;
	struct layout_out lay;
	struct app_triage triage;
	struct app_reload reload;
};

/* Where the help view's options begin (the line `set` alone scrolls to). */
size_t view_help_options_at(void);
extern const struct view_ops view_list_ops, view_story_ops, view_related_ops, view_help_ops,
	view_problems_ops, view_cluster_ops;

/* Make saved view k of the config the filter (-1: none), and say how
 * many stories it shows. */
void app_apply_view(struct app *a, long k);

/* Run the reader over a loaded store; filter (may be NULL) is the initial
 * filter, and the reader owns it. With script set, keys come from that
 * file and screens are written to stdout (the headless mode); its "stats"
 * command prints the time to the first screen (from started_us, on
 * CLOCK_MONOTONIC in microseconds) and per-key latencies. Returns the exit
 * status. */
int app_run(struct store *s, struct config *cfg, struct keymap *km, struct state *st,
	    struct sort_order order, struct querylang *filter, const char *script, int cols,
	    int rows, double started_us);

/* For views: article idx whole (store_article: decoded on first need when
 * the store loaded it lazy), or NULL. The list's own fields are in
 * store->v[idx] already. */
const struct article *app_article(const struct app *a, long idx);
/* The same for what shows no related story's local article (the story
 * pane): it never waits for the links (store_article_early). */
const struct article *app_article_early(const struct app *a, long idx);
void app_message(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A problem store_article met since the last call (an article whose cache
 * entry was damaged after the load) into the message: the frame that shows
 * the article says so. */
void app_say_late_problems(struct app *a);
/* Set or clear mark bits of article idx (remembered for the next save).
 * false, with a message, when the story has no webUrl to keep them by. */
bool app_mark(struct app *a, long idx, unsigned bits, bool on);

/* Take in what the check of every file found (store_check_start), if it
 * is done (wait: wait for it): the engine, marks and rows built again,
 * the same article kept selected, and the message line says what changed;
 * nothing happens and nothing is said when nothing did. Between keys. */
void app_take_check(struct app *a, bool wait);
/* Select article idx in the list if it is there. */
bool app_select_article(struct app *a, long idx);
/* Show s in the story pane, in the view it names, focused, and select its
 * article in the list if it is there. */
void app_show_story(struct app *a, struct story s);
/* For the UI's own modules (the script player drives the app as a
 * terminal would). */
enum app_mouse_event { MOUSE_CLICK, MOUSE_DOUBLE, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };
/* One key (keymap notation's int): the prompt's, or a bound action. */
void app_handle_key(struct app *a, int key);
/* The wheel scrolls the pane under the pointer, a click selects there, a
 * double click opens; x and y are screen cells. */
void app_mouse(struct app *a, enum app_mouse_event ev, int x, int y);
/* The spec of the list's rows: the order, the marks, and the filter (one
 * pattern alone taken as the engine's plain search). */
struct query_spec app_rows_spec(const struct app *a);
/* Filter and sort the list again, keeping the selection on the same
 * article: the first rows at once, the rest when the engine's threads are
 * done. */
void app_rebuild_rows(struct app *a);
/* Make rows up to line exist if there are that many (SIZE_MAX: all of
 * them), and a page more, finding them now. */
void app_rows_need(struct app *a, size_t line);
/* Are all the list's lines made (the rows complete, and all folded)? */
bool app_lines_complete(const struct app *a);
/* The kind of the list's line (group.h's GROUP_ALONE when not grouping). */
enum group_kind app_line_kind(const struct app *a, size_t line);
/* The marks line shows: a folded cluster's are its members' (unread
 * while any member is, starred while any is). */
unsigned app_line_marks(const struct app *a, size_t line);
/* Does line match the search re: its article, or for a folded cluster,
 * any member? (set: the engine's set for re, when known, else NULL.) */
bool app_line_matches(struct app *a, struct search *re, const unsigned char *set, size_t line);
/* The first of lines[from], lines[from + dir], ... (count of them) that
 * matches the search; -1 when none. */
long app_find_line(struct app *a, size_t from, size_t count, int dir);
/* The articles line stands for, into out (room for the store's n): the
 * members of a folded cluster, else its article. */
size_t app_line_articles(const struct app *a, size_t line, uint32_t *out, size_t room);
/* Is line a folded cluster's (its story pane lists the outlets)? */
bool app_line_folded(const struct app *a, size_t line);
/* The search's hit at the selection is a folded cluster whose lead it
 * does not match (going forward; going back, any member it matches):
 * the cluster expanded and the member it matches selected, the first
 * going forward, the last going back, as mutt opens a thread on a hit.
 * True when it did. */
bool app_open_search_hit(struct app *a, int dir);
/* Fold or expand the cluster of the selected line (all: every cluster),
 * the cursor kept on the cluster's line. */
void app_toggle_cluster(struct app *a, bool all);
/* Place the article kept selected whose row was not known yet (waiting
 * for the rows it needs): before anything that reads the selection's row.
 * When placing it would wait for a sort order the warm-up is making, or
 * fold far into the lines, it is let go instead: the first row is
 * selected, as the list shows it. */
void app_rows_place(struct app *a);
/* Take in what the engine's threads finished (never waiting): the rows
 * completed, a count said. Between keys and before each draw. */
void app_tick(struct app *a);
/* Say how many rows there are (what: which message); while they are being
 * counted, an ellipsis, and the number once app_tick knows it. */
/* How many stories the list holds unfiltered: the listed articles but
 * the duplicates once they are known (store.h). */
size_t app_stories(const struct app *a);
void app_say_count(struct app *a, enum app_count_say what);
/* Mark read what the story pane has shown long enough (set mark-read-on
 * view), and save the marks if it did: between keys, and when the headless
 * player's clock moves. True when it marked one. */
bool app_tick_marks(struct app *a);
/* Wait for the engine's threads and take in their work: what the headless
 * replay does before it compares a screen. */
void app_settle(struct app *a);
/* Run one line of the : prompt (any command of the table, config lines
 * live); the outcome goes to the message line. */
void app_run_command(struct app *a, const char *line);
/* The app's hooks for the command table's reader commands. */
void app_commands_ui(struct app *a, struct commands_ui *ui);
/* Open url (NULL: say there is none) in the configured browser, if its
 * scheme is allowed; the outcome goes to the message line. */
void app_open_url(struct app *a, const char *url);
/* A stop signal (SIGTERM, SIGHUP, SIGINT) came: end as q would. */
bool app_stopping(void);

/* Local time "2021-03-04 08:00" (16 bytes + NUL) in buf. */
void app_format_time(int64_t t, char *buf, size_t size, bool with_time);
/* The format of the list's date column: list-date-format, else a
 * date-format set, else NULL (the date, with the time when wide). */
const char *app_list_date_format(const struct app *a);

#endif
