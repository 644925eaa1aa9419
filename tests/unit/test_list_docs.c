/* The --list escaping as README.md and lede(1) state it, read from the
 * documents and held against output_list_escape(): the characters they say
 * become \uHHHH are exactly those that do, so that the text a decoder is
 * written from is the truth. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/output.h"
#include "lede/util.h"

#define MAX_CP 0x110000

/* Every "U+XXXX" in s[0..n) into set, and every range between two of them
 * ("U+XXXX to U+YYYY", "U+XXXX–U+YYYY", roff's "\(en"). */
static void collect(const char *s, size_t n, bool *set)
{
	long open = -1; /* the start of a range whose end comes next */
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] != 'U' || s[i + 1] != '+' || !isxdigit((unsigned char)s[i + 2]))
			continue;
		char *end;
		long cp = strtol(s + i + 2, &end, 16);
		cr_assert(cp >= 0 && cp < MAX_CP);
		if (open >= 0) {
			for (long c = open; c <= cp; c++)
				set[c] = true;
			open = -1;
		}
		set[cp] = true;
		size_t j = (size_t)(end - s);
		const char *const seps[] = {" to ", "\xe2\x80\x93", "\\(en"};
		for (size_t k = 0; k < sizeof seps / sizeof *seps; k++)
			if (!strncmp(s + j, seps[k], strlen(seps[k])) &&
			    !strncmp(s + j + strlen(seps[k]), "U+", 2))
				open = cp;
		i = j - 1;
	}
}

/* The text of path from the first from (included) to the first to after
 * it (excluded). */
static char *between(const char *path, const char *from, const char *to, size_t *n)
{
	size_t len;
	char *text = slurp(path, &len);
	char *a = strstr(text, from);
	cr_assert_not_null(a, "%s: no '%s'", path, from);
	char *b = strstr(a, to);
	cr_assert_not_null(b, "%s: no '%s' after '%s'", path, to, from);
	*n = (size_t)(b - a);
	char *s = xstrndup(a, *n);
	free(text);
	return s;
}

/* Is cp escaped as \u or \U by --list? */
static bool escaped_as_u(unsigned cp, char want)
{
	char s[4];
	size_t n = utf8_encode(cp, s);
	struct buf b = {0};
	output_list_escape(&b, s, n);
	bool yes = b.len > 2 && b.data[0] == '\\' && b.data[1] == want;
	buf_free(&b);
	return yes;
}

static void check(const char *doc, const char *from, const char *to, char want)
{
	size_t n;
	char *text = between(doc, from, to, &n);
	bool *set = calloc(MAX_CP, sizeof *set);
	cr_assert_not_null(set);
	collect(text, n, set);
	size_t wrong = 0;
	for (unsigned cp = 0x80; cp < MAX_CP; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		bool is = escaped_as_u(cp, want);
		if (set[cp] == is)
			continue;
		if (wrong++ < 5) /* a few, not a million lines */
			cr_log_error("%s: U+%04X is %s as \\%c, the document says %s", doc, cp,
				     is ? "escaped" : "not escaped", want,
				     set[cp] ? "it is" : "nothing of it");
	}
	cr_assert_eq(wrong, 0, "%s: %zu characters escaped otherwise than it says", doc, wrong);
	free(set);
	free(text);
}

Test(list_docs, readme_says_which_characters_are_u_escaped)
{
	check("README.md", "| U+2028", "`\\uHHHH`", 'u');
	check("README.md", "| tag characters", "`\\UHHHHHHHH`", 'U');
}

Test(list_docs, man_says_which_characters_are_u_escaped)
{
	check("man/lede.1", "U+2028, U+2029", ".BI \\eu HHHH", 'u');
	check("man/lede.1", "and the tag characters", ".BI \\eU HHHHHHHH", 'U');
}
