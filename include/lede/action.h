/* action: the one list of what a key can do. The X-macro below makes the
 * action enum, the names the keymap parser accepts, the help view and the
 * man page's key table; the default keys are the design's contract. */
#ifndef LEDE_ACTION_H
#define LEDE_ACTION_H

/* X(ENUM, "name", "default keys", "help text") */
#define LEDE_ACTIONS(X)                                                                    \
	X(NEXT, "next", "j Down", "next line: story, related story, or scroll")            \
	X(PREV, "prev", "k Up", "previous line")                                          \
	X(FIRST, "first", "g Home", "first line")                                          \
	X(LAST, "last", "G End", "last line")                                              \
	X(PAGE_DOWN, "page-down", "C-d PgDn Space", "page down")                           \
	X(PAGE_UP, "page-up", "C-u PgUp", "page up")                                       \
	X(OPEN, "open", "Enter", "open the selected story")                               \
	X(NEXT_PANE, "next-pane", "Tab", "move to the other pane")                         \
	X(ZOOM, "zoom", "z", "zoom the current pane, or unzoom")                           \
	X(RELATED, "related", "r", "the related stories of the current story")             \
	X(BACK, "back", "Backspace h", "back in history")                                  \
	X(FORWARD, "forward", "l", "forward in history")                                   \
	X(BROWSE, "browse", "o", "open the story's URL in the browser")                  \
	X(BROWSE_MENU, "browse-menu", "O", "choose which of the story's URLs to open")     \
	X(SEARCH, "search", "/", "search (incremental; Enter keeps, Esc restores)")        \
	X(SEARCH_NEXT, "search-next", "n", "next match")                                   \
	X(SEARCH_PREV, "search-prev", "N", "previous match")                               \
	X(FILTER, "filter", "f", "filter the list by a query (empty clears)")              \
	X(SORT_NEXT, "sort-next", "s", "next sort key: date, quality, heat, title, provider") \
	X(SORT_REVERSE, "sort-reverse", "S", "reverse the sort direction")                 \
	X(TOGGLE_READ, "toggle-read", "m", "mark the story read, or unread again")            \
	X(TOGGLE_STAR, "toggle-star", "*", "star the story, or take its star away")          \
	X(FILTER_MARKS, "filter-marks", "u", "show every story, only unread, or only starred") \
	X(TOGGLE_GROUP, "toggle-group", "T", "one line per story (coverage cluster), or per file") \
	X(TOGGLE_CLUSTER, "toggle-cluster", "c", "expand the selected cluster's outlets, or fold them") \
	X(TOGGLE_CLUSTERS, "toggle-clusters", "C", "expand every cluster, or fold every one") \
	X(NEXT_VIEW, "next-view", "V", "apply the next saved view (after the last: none)")  \
	X(FACETS, "facets", "F", "the facets pane: views, topics, providers and months")   \
	X(NEXT_STORY, "next-story", "J", "the next story of the list, opened")              \
	X(PREV_STORY, "prev-story", "K", "the previous story of the list, opened")          \
	X(NEXT_UNREAD, "next-unread", "]", "the next unread story, opened (wraps)")          \
	X(PREV_UNREAD, "prev-unread", "[", "the previous unread story, opened (wraps)")      \
	X(MARK_ALL_READ, "mark-all-read", "A", "mark every story the list shows read")      \
	X(OPEN_FILE, "open-file", "e", "the story's file in $PAGER (else less)")            \
	X(EDIT_FILE, "edit-file", "E", "the story's file in $VISUAL (else $EDITOR, else vi)") \
	X(COPY_URL, "copy-url", "y", "copy the story's webUrl (set copy-command)")        \
	X(SPLIT, "toggle-split", "v", "split the panes side by side, or one above the other") \
	X(GROW_LIST, "grow-list", "+", "the list a row taller, the story a row shorter")     \
	X(SHRINK_LIST, "shrink-list", "-", "the list a row shorter, the story a row taller") \
	X(RELOAD, "reload", "R", "re-scan the archive: new, changed and gone files")       \
	X(PROBLEMS, "problems", "P", "the problems met while loading")                     \
	X(HELP, "help", "?", "this help")                                                  \
	X(PROMPT, "prompt", ":", "command prompt")                                         \
	X(REDRAW, "redraw", "C-l", "redraw the screen")                                    \
	X(QUIT, "quit", "q", "close the current view; quit from the list")                 \
	X(QUIT_ALL, "quit-all", "Q", "quit from anywhere (confirm-quit asks first)")       \
	X(SUSPEND, "suspend", "C-z", "suspend lede (fg brings it back)")

enum action {
	ACT_NONE,
#define X(e, name, keys, help) ACT_##e,
	LEDE_ACTIONS(X)
#undef X
	ACT_COUNT
};

struct action_info {
	const char *name, *keys, *help;
};

/* Indexed by enum action; entry ACT_NONE has NULL fields. */
extern const struct action_info action_table[ACT_COUNT];

/* The action named name, or ACT_NONE. */
enum action action_by_name(const char *name);

#endif
