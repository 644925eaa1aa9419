/* parse: one article file's YAML front matter into a struct article, with
 * libyaml's event API.
 *
 * What is a problem and what happens to the file:
 *  - no opening '---', no closing '---', an empty front matter, a document
 *    that is not a mapping, or a YAML syntax error: the file is skipped;
 *  - a key whose value has the wrong type, an unparseable date, a number
 *    out of range, an alias, a duplicate key: that field is left out (for a
 *    duplicate, the first value stays) and the rest of the article loads;
 *  - a string longer than its limit in article.h: cut to it, at a UTF-8
 *    character boundary; a list with more items than its limit: the first
 *    ones kept; a NUL in a string (a "\0" escape, or \x00, \u0000): made
 *    U+FFFD, since a C string would end there. The rest of the article
 *    loads.
 * Every problem is one line "path:line:col: message" (1-based), with any
 * text from the file made terminal-safe.
 *
 * Not every file is an article: one that does not start with '---'
 * (an empty one too), whose front matter is empty or has, at its top,
 * none of the keys a story has (title, name, excerpt, originalUrl,
 * webUrl, ampWebUrl, cdnAmpWebUrl, publishedDateTime), or that says
 * 'taxonomy:' (a site's data record: an organisation, a topic) is not
 * one. Met by walking a directory, such a file is counted, never a
 * problem: a site checkout's README and data files. Named on the command
 * line, it is a problem. A file that tries to be an article and fails (a
 * '---' never closed, a YAML error) is a problem either way. */
#ifndef LEDE_PARSE_H
#define LEDE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lede/article.h"
#include "lede/util.h"

/* Parse data[0..len) read from path, a file named on the command line.
 * Appends problems to *problems. Returns the article (caller frees with
 * article_free), or NULL if skipped. */
struct article *parse_article(const char *path, const char *data, size_t len,
			      struct strlist *problems);

/* parse_article of a candidate file: named, it was named on the command
 * line (parse_article's way); otherwise met by a walk, and then a file
 * that is not an article (see above) gives NULL, no problem and
 * *not_article true. *not_article is false otherwise. */
struct article *parse_candidate(const char *path, const char *data, size_t len, bool named,
				struct strlist *problems, bool *not_article);

/* parse_article with libyaml reading every file: most files take a faster
 * path of the parser's own, which must give exactly the same; the tests
 * hold the two to that. */
struct article *parse_article_slow(const char *path, const char *data, size_t len,
				   struct strlist *problems);
/* Does parse_article take its fast path for this file? */
bool parse_is_fast(const char *path, const char *data, size_t len);

#endif
