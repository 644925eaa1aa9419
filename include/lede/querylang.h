/* querylang: the query language of filters (-q, f and :filter in the
 * reader, saved views), compiled once and evaluated per article of a store
 * (lazy records included) on any thread.
 *
 *   word "quoted phrase" /regex/   title, excerpt, provider name, topics
 *   ~T ~e ~p ~t ~u ~y PATTERN      title, excerpt, provider name or domain,
 *                                  a topic, a URL, the type
 *   ~d DATES                       2021, 2021-03, 2021-03-04, A..B (either
 *                                  side optional, inclusive), <7d newer,
 *                                  >1y older (h d w m y); UTC
 *   ~q RANGE, ~h RANGE             quality, heat: 50 50.. ..10 10..50 >50
 *                                  <10 >=50 <=10; unknown (missing or -1)
 *                                  never matches
 *   ~N ~F ~L ~B ~C                 unread, starred, links to an article of
 *                                  the archive, linked from one, in a
 *                                  cluster of two or more
 *   juxtaposition AND, | OR (weaker), ! NOT, ( ) group
 *
 * Every pattern is a PCRE2 pattern with smart case (search.h),
 * unanchored. Inside "...", \" is a quote; inside /.../, \/ is a slash;
 * any other backslash is the pattern's own. */
#ifndef LEDE_QUERYLANG_H
#define LEDE_QUERYLANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/search.h"
#include "lede/store.h"

struct querylang;

/* Compile text; relative dates count back from now (seconds since the
 * epoch, UTC). Blank text matches every article. NULL on error, with *err
 * (caller frees) "query:COL: message", COL counting characters from 1:
 * "query:4: expected a range after ~q". When the text is not a query but
 * is a valid regex, the message says to write it as /.../. */
struct querylang *querylang_compile(const char *text, int64_t now, char **err);
void querylang_free(struct querylang *q);
/* The same query compiled again, for another thread to own. */
struct querylang *querylang_copy(const struct querylang *q);
/* The text it was compiled from. */
const char *querylang_text(const struct querylang *q);
/* "/" PATTERN "/" with every slash of pattern escaped: the query that is
 * the search for pattern (lede -e). The caller frees. */
char *querylang_quote_regex(const char *pattern);

/* What evaluating q reads besides the articles' own fields: bits. */
enum {
	QUERYLANG_MARKS = 1 << 0,    /* ~N ~F: the marks */
	QUERYLANG_LINKS = 1 << 1,    /* ~L ~B: the store linked (store_link) */
	QUERYLANG_TEXTS = 1 << 2,    /* a pattern: the articles' texts */
	QUERYLANG_CLUSTERS = 1 << 3, /* ~C */
};
unsigned querylang_needs(const struct querylang *q);
/* When q is a single pattern over the searched fields (a word, a quoted
 * phrase or a /regex/ alone), its search: the query engine then takes it
 * as a plain search. NULL otherwise. Owned by q. */
struct search *querylang_plain(const struct querylang *q);

/* Patterns are the costly part of an evaluation. The engine keeps their
 * outcomes per article, a bit each, for the first QUERYLANG_MAX_SLOW of
 * them (found on threads), and evaluates the rest of the query (numbers,
 * marks, links) as it stands when the rows are made, so that a mark
 * changed is seen at once. */
enum { QUERYLANG_MAX_SLOW = 32 };
/* How many patterns q has (those past QUERYLANG_MAX_SLOW are evaluated
 * each time). */
size_t querylang_nslow(const struct querylang *q);

/* An evaluation of q over the articles of s, for one thread at a time
 * (one each: any number may run at once while s does not change). q and
 * s must outlive it. */
struct querylang_eval;
struct querylang_eval *querylang_eval_new(const struct querylang *q, const struct store *s);
void querylang_eval_free(struct querylang_eval *e);
/* The marks, a byte per article (state.h's bits); NULL: nothing is read or
 * starred. Kept, not copied. */
void querylang_eval_marks(struct querylang_eval *e, const unsigned char *marks);
/* Does article i match? */
bool querylang_match(struct querylang_eval *e, size_t i);
/* Article i's pattern outcomes: bit k for the k-th pattern. */
uint32_t querylang_slow(struct querylang_eval *e, size_t i);
/* Does article i match, its patterns' outcomes taken from bits (as
 * querylang_slow gave them)? */
bool querylang_match_with(struct querylang_eval *e, size_t i, uint32_t bits);

#endif
