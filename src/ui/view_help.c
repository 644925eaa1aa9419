/* The help view: every action with the keys the live keymap gives it,
 * then every command of the command table, a legend and every option with
 * its value, made fresh when drawn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/commands.h"
#include "lede/ui/app.h"
#include "lede/ui/text.h"

/* The commands section: a group for each place commands may run, each a
 * blank line, a heading and its commands in the table's order. */
static const struct {
	unsigned where;
	const char *heading;
} groups[] = {
	{COMMANDS_PROMPT, "Commands at the : prompt"},
	{COMMANDS_PROMPT | COMMANDS_CONFIG, "Commands at the : prompt and in config files"},
	{COMMANDS_CONFIG, "Commands in config files"},
};

/* Line k of the commands section into out (with its style); false past
 * its end. Counting and drawing both walk this, so they cannot disagree. */
static bool command_line(size_t k, struct buf *out, enum style *style)
{
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
		size_t n = 0;
		const struct command *cmd;
		for (size_t i = 0; (cmd = commands_get(i)); i++)
			n += cmd->where == groups[g].where;
		if (!n)
			continue;
		if (k < 2) {
			buf_puts(out, k ? groups[g].heading : "");
			*style = ST_LABEL;
			return true;
		}
		k -= 2;
		for (size_t i = 0; (cmd = commands_get(i)); i++) {
			if (cmd->where != groups[g].where || k--)
				continue;
			buf_printf(out, "%-34s %s", cmd->synopsis, cmd->help);
			if (cmd->alias)
				buf_printf(out, " (also %s)", cmd->alias);
			*style = ST_NORMAL;
			return true;
		}
	}
	return false;
}

/* The legend after the commands: what the marks in the panes mean. */
enum { LEGEND_LINES = 6 };

static void legend_line(size_t k, struct buf *out, enum style *style)
{
	*style = k < 2 ? ST_LABEL : ST_NORMAL;
	switch (k) {
	case 1: buf_puts(out, "Legend"); break;
	case 2: buf_puts(out, "N                  an unread story (drawn bold)"); break;
	case 3: buf_puts(out, "*                  a starred story"); break;
	case 4:
		/* padded by its cells, not its bytes */
		buf_puts(out, text_glyph(TEXT_GLYPH_ARROW));
		for (int w = text_glyph_width(TEXT_GLYPH_ARROW); w < 19; w++)
			buf_putc(out, ' ');
		buf_puts(out, "a related story in the archive: Enter opens it");
		break;
	case 5: buf_puts(out, "-                  a value the story does not give"); break;
	default: break;
	}
}

static size_t command_lines(void)
{
	size_t n = 0;
	struct buf b = {0};
	enum style st;
	while (command_line(n, &b, &st))
		n++;
	buf_free(&b);
	return n;
}

/* The options after the legend, each with its value now: a blank line,
 * a heading, then one a line. */
static size_t option_lines(void)
{
	size_t n = 0;
	while (config_option_name(n))
		n++;
	return 2 + n;
}

static void option_line(const struct app *a, size_t k, struct buf *out, enum style *style)
{
	*style = k < 2 ? ST_LABEL : ST_NORMAL;
	if (k == 1)
		buf_puts(out, "Options (:set NAME VALUE changes one)");
	if (k < 2)
		return;
	const char *name = config_option_name(k - 2);
	char *v = config_option_value(a->cfg, name);
	/* a value is the config's, which may hold anything: made safe */
	buf_printf(out, "%-18s ", name);
	buf_put_safe(out, v, strlen(v));
	free(v);
}

size_t view_help_options_at(void)
{
	return ACT_COUNT - 1 + command_lines() + LEGEND_LINES;
}

static size_t help_count(struct app *a, struct pane *p)
{
	(void)a, (void)p;
	return view_help_options_at() + option_lines();
}

static void help_title(struct app *a, struct pane *p, struct buf *out)
{
	(void)a, (void)p;
	buf_puts(out, "Help: keys, actions, commands and options (q closes)");
}

static void help_line(struct app *a, struct pane *p, size_t line, int y, bool selected)
{
	(void)selected;
	if (line >= ACT_COUNT - 1) {
		struct buf b = {0};
		enum style st = ST_NORMAL;
		size_t k = line - (ACT_COUNT - 1), nc = command_lines();
		if (k < nc)
			command_line(k, &b, &st);
		else if (k < nc + LEGEND_LINES)
			legend_line(k - nc, &b, &st);
		else
			option_line(a, k - nc - LEGEND_LINES, &b, &st);
		screen_put(y, p->r.x, p->r.w, buf_str(&b), b.len, st, NULL, 0);
		buf_free(&b);
		return;
	}
	enum action act = (enum action)(line + 1);
	struct buf keys = {0};
	for (size_t i = 0; i < a->keymap->n; i++) {
		const struct binding *b = &a->keymap->v[i];
		if (b->action != act)
			continue;
		char name[32];
		keymap_key_name(b->key, name, sizeof name);
		if (keys.len)
			buf_puts(&keys, " ");
		buf_puts(&keys, name);
		if (b->view != VIEW_ALL)
			buf_printf(&keys, "(%s)", keymap_view_name(b->view));
	}
	char *text = xasprintf("%-18s %-14s %s", keys.len ? keys.data : "-", action_table[act].name,
			       action_table[act].help);
	screen_put(y, p->r.x, p->r.w, text, strlen(text), ST_NORMAL, NULL, 0);
	free(text);
	buf_free(&keys);
}

const struct view_ops view_help_ops = {
	.id = VIEW_HELP,
	.name = "help",
	.count = help_count,
	.title = help_title,
	.draw_line = help_line,
	.scroll = true,
};
