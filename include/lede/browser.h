/* browser: opening a URL with the command a person chose. Owns the URL
 * check (which schemes may leave the program), turning the browser command
 * into an argv, running it with fork + execvp (never a shell, system() or
 * popen(), so nothing in a URL is ever interpreted), and the list of
 * background browsers still to be reaped. A URL leaves the program only
 * when it reads as what it is (no space or invisible character hides part
 * of it) and with the characters no URL may hold percent-encoded, so that
 * a browser command that is itself a script has fewer ways to misread it.
 *
 * Every message it returns is terminal-safe: URL and command text pass
 * through buf_put_safe. */
#ifndef LEDE_BROWSER_H
#define LEDE_BROWSER_H

#include <stdbool.h>

#include "lede/config.h"
#include "lede/util.h"

/* Is url acceptable: "scheme:" at its front, the scheme (case-insensitive)
 * in schemes, no leading '-' (it would read as an option), valid UTF-8, no
 * control characters (C0, DEL, C1), no spaces (ASCII or Unicode: U+00A0,
 * U+3000, U+2028...) and no invisible characters (zero-width characters,
 * bidi controls, the BOM, tag characters: any format character), which
 * would make the URL shown differ from the URL opened. Returns true, or
 * false with *why (caller frees), such as "refusing to open 'x': scheme
 * 'javascript' is not in browser-schemes" or "refusing to open 'x': it
 * holds an invisible character (U+200B)". */
bool browser_url_ok(const char *url, const struct strlist *schemes, char **why);

/* url with the printable ASCII characters that a URL may not hold
 * (RFC 3986) percent-encoded: " < > \ ^ ` { | } become %22 %3C %3E %5C %5E
 * %60 %7B %7C %7D; everything else, '%' included, is kept. The caller
 * frees. */
char *browser_url_encode(const char *url);

/* Append to *argv (its strings owned by the list) the command for url. The
 * command is c->browser; else the first entry of $BROWSER (colon-separated)
 * whose program is found in PATH or is an executable path; else "xdg-open".
 * It is split into words once with config_split_words; in each word "%u"
 * becomes the url (also inside a word: "--url=%u") and "%%" a "%"; entries
 * from $BROWSER also take "%s" for the url, as that convention has it. If no
 * word held the url it is appended as the last argument. Returns 0, or -1
 * with *err (caller frees). */
int browser_argv(const struct config *c, const char *url, struct strlist *argv, char **err);

/* Open url after checking it (browser_url_ok against c->browser_schemes)
 * and encoding it (browser_url_encode): the browser gets the encoded URL.
 * Background (c->browser_foreground false): the browser runs in a new
 * session with /dev/null for stdin, stdout and stderr; a failed exec is
 * known at once; its pid is kept for browser_reap.
 * Foreground: the caller has already left curses; the browser gets the
 * terminal and we wait for it (SIGINT and SIGQUIT ignored meanwhile, as
 * system() does), reporting a non-zero exit.
 * Returns 0 with *msg ("opened URL with PROGRAM", the URL as encoded), or
 * -1 with *msg ("cannot run 'nosuch': No such file or directory", "'w3m'
 * exited with status 2"); the caller frees *msg. */
int browser_open(const struct config *c, const char *url, char **msg);

/* Reap finished background browsers without blocking; only ours, never
 * another module's children. Returns 1 with *msg (caller frees) when one
 * exited non-zero or was killed ("'firefox' exited with status 1"); the rest
 * wait for the next call. Else 0. Call it from the main loop. */
int browser_reap(char **msg);

#endif
