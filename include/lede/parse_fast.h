/* parse_fast: the fast path of parse.c, used by it alone.
 *
 * Nearly every article file is written by a program, in the same plain
 * shape: block mappings and sequences, keys as plain words, values plain
 * or double-quoted on one line. For that shape, a scanner of our own turns
 * the front matter into the same events libyaml would give, several times
 * faster and without an allocation per event, and parse.c's walk reads
 * them as it reads libyaml's. Anything outside the shape -- any other
 * YAML, any byte libyaml's reader would refuse -- and any problem at all
 * sends the file to libyaml from the start, so that what is accepted, what
 * is refused and every message stay exactly libyaml's. */
#ifndef LEDE_PARSE_FAST_H
#define LEDE_PARSE_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "lede/util.h"

/* Twelve bytes an event: front matter over 4 GiB is left to libyaml. */
struct parse_fast_event {
	uint32_t off, len;   /* a scalar's value in the scratch, NUL-terminated */
	unsigned char type;  /* yaml_event_type_t */
	unsigned char style; /* yaml_scalar_style_t */
};

struct parse_fast {
	const char *end;       /* of the front matter, at the closing fence */
	const char *ls, *le;   /* the current line: its start and end ('\n' or end) */
	size_t ind;            /* its indentation */
	bool eof;              /* no line left */
	struct parse_fast_event *ev;
	size_t nev, capev;
	size_t maxev; /* more events than this: libyaml, which streams them */
	struct buf val; /* the scalars' values */
	bool bad;       /* outside the shape: libyaml decides */
	int depth;
};

/* The events of the front matter s[0..n), which starts with its fence
 * line, into *f (zeroed by the caller); false when it is not of the shape
 * the fast path knows. Either way the caller frees f with parse_fast_free. */
bool parse_fast_scan(struct parse_fast *f, const char *s, size_t n);

/* Event i of a scan that succeeded, as libyaml would give it: a scalar's
 * value points into f, valid until parse_fast_free. False past the last. */
bool parse_fast_event(const struct parse_fast *f, size_t i, yaml_event_t *ev);

void parse_fast_free(struct parse_fast *f);

#endif
