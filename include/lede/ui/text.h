/* ui/text: the one place where text from article files becomes something the
 * screen may draw. It owns the replacement rules (what a control byte, an
 * escape sequence, invalid UTF-8 or an invisible formatting character looks
 * like on screen), the cell width of everything it lets through, fitting text
 * into N cells with an ellipsis, and word wrapping.
 *
 * Widths come from wcwidth(), the same table ncursesw uses, so the numbers
 * here match what the terminal draws. Everything assumes the program has
 * called setlocale(LC_ALL, "") under a UTF-8 locale; in any other locale
 * non-ASCII text degrades to '?' rather than to something unsafe.
 *
 * Replacement rules, applied by every function below:
 *   - tab, CR, LF, U+2028 and U+2029 become a space;
 *   - other C0 controls become their Control Picture (ESC -> U+241B),
 *     DEL becomes U+2421;
 *   - C1 controls, invalid UTF-8 (one U+FFFD per bad byte), the characters
 *     that draw as nothing (util's unicode_is_invisible_format(): bidi
 *     controls, zero-width characters, BOM, soft hyphen, tag characters
 *     U+E0000-U+E007F, Hangul fillers...), private-use code points (fonts
 *     draw them at widths wcwidth() cannot know) and anything wcwidth()
 *     rejects become U+FFFD;
 *   - a zero-width character (a combining mark) with nothing before it to
 *     attach to, at the start of the text or of a wrapped line, becomes
 *     U+FFFD of width 1, so it can never merge into a neighbouring cell on
 *     screen;
 *   - if the locale cannot show a Control Picture or U+FFFD in one cell,
 *     or the UI's glyphs are ASCII (below), '?' is used instead.
 *
 * The UI's own glyphs (the pane separator, the ellipsis, the sort and
 * related-story marks) are chosen here too, once, from the locale and the
 * "ascii" option: Unicode when the locale draws them in one cell, ASCII
 * otherwise. Each of them is East Asian "ambiguous" width: terminals in a
 * Chinese, Japanese or Korean locale draw them two cells wide where
 * wcwidth() says one, so those locales get ASCII too. */
#ifndef LEDE_UI_TEXT_H
#define LEDE_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "lede/search.h"

/* The glyphs the UI draws of its own, each one cell wide. */
enum text_glyph {
	TEXT_GLYPH_SEPARATOR, /* between panes side by side: U+2502, else '|' */
	TEXT_GLYPH_ELLIPSIS,  /* the last cell of clipped text: U+2026, else '~' */
	TEXT_GLYPH_ARROW,     /* a related story in the archive: U+2192, else '>' */
	TEXT_GLYPH_SORT_DESC, /* beside the sorted column: U+25BC, else 'v' */
	TEXT_GLYPH_SORT_ASC,  /* U+25B2, else '^' */
	TEXT_GLYPH_COUNT
};

/* Which glyphs to draw: ASCII only, Unicode wherever the locale draws it in
 * one cell, or (auto) Unicode unless the locale is a CJK one. */
enum text_ascii { TEXT_ASCII_AUTO, TEXT_ASCII_YES, TEXT_ASCII_NO };

/* Choose the glyphs for the current locale (after setlocale) and mode;
 * until this is called they are chosen as by TEXT_ASCII_AUTO. */
void text_glyphs_choose(enum text_ascii mode);
/* Whether the glyphs chosen are ASCII. */
bool text_glyphs_ascii(void);
/* Glyph g as UTF-8 (a static string), and its width in cells as this layer
 * measures it: lay out by the width, never by assuming one. */
const char *text_glyph(enum text_glyph g);
int text_glyph_width(enum text_glyph g);
/* Is the locale named (as setlocale(LC_CTYPE, NULL) names it, "ja_JP.UTF-8")
 * a Chinese, Japanese or Korean one, whose terminals draw ambiguous-width
 * characters two cells wide? */
bool text_locale_is_cjk(const char *name);

/* Text fitted into terminal cells: wc[0..n) wide characters, with wc[n] == 0
 * kept for convenience; hl[i] nonzero when wc[i] comes from bytes inside one
 * of the spans given (padding, the ellipsis and the space left by a clipped
 * wide character are never highlighted); cols is the number of cells used.
 * Start from a zeroed struct; it owns wc and hl, reuse it across calls and
 * release it with text_fitted_free(). */
struct fitted {
	wchar_t *wc;
	unsigned char *hl;
	size_t n, cap;
	int cols;
};
/* Free wc and hl and leave f zeroed, ready for reuse. */
void text_fitted_free(struct fitted *f);

/* The visible replacement for one code point: the code point itself when it
 * is safe and printable, else a replacement; *width gets its cell width (0, 1
 * or 2). Width 0 means a combining mark: the caller must draw it after a
 * base character (text_fit does this for you). */
wchar_t text_safe_char(unsigned cp, int *width);

/* Display width of s[0..len) after replacements, as text_fit would draw it
 * with unlimited room (saturates at INT_MAX). */
int text_width(const char *s, size_t len);

/* Fit s[0..len) into at most width cells, replacing f's previous content.
 * When the text is wider it is clipped and the ellipsis (TEXT_GLYPH_ELLIPSIS)
 * takes the last cell, so a clipped result always uses exactly width cells; a wide character
 * that does not fit before the ellipsis is never split but leaves a space.
 * Combining marks stay with their base. When pad is true, spaces fill up to
 * exactly width cells. width < 1 gives an empty result.
 * spans (may be NULL when nspans is 0) mark highlighted bytes of s; they are
 * best sorted by start, as search_spans() returns them (any order works,
 * only slower). */
void text_fit(struct fitted *f, const char *s, size_t len, int width,
	      const struct span *spans, size_t nspans, bool pad);

/* Wrap s[0..len) into lines of at most width cells. Lines break at spaces
 * and tabs where they can, and the spaces at a soft break are dropped (from
 * the end of one line and the start of the next); a word longer than a line
 * is broken inside, never before a combining mark. '\n' is a hard break:
 * spaces before it are dropped, the indentation after it is kept unless the
 * first word does not fit beside it. A final '\n' ends the last line rather
 * than starting an empty one. A single character wider than the whole line
 * (a 2-cell character when width is 1) goes alone on its line and overflows
 * it, so wrapping always makes progress.
 * Each line is a byte range of s, stored in *lines (caller frees). Returns
 * the number of lines: at least 1 (an empty line for empty input), or 0 with
 * *lines NULL when width < 1. */
size_t text_wrap(const char *s, size_t len, int width, struct span **lines);

#endif
