/* search: a thin, careful layer over PCRE2. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "lede/search.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "lede/fields.h"
#include "lede/util.h"

/* memcheck cannot follow JIT-compiled code (it reads past string ends with
 * wide loads on purpose), so under valgrind the interpreter runs instead. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

struct search {
	pcre2_code *code;
	pcre2_match_data *md;
	char *pattern;
	bool caseless, literal;
	const struct field_set *fields; /* what is searched */
};

/* Smart case: an upper-case letter that the pattern itself spells makes the
 * search case-sensitive; escapes such as \S, \W, \P{Lu} or \x{41} do not. */
static bool has_literal_upper(const char *p)
{
	size_t n = strlen(p), i = 0;
	while (i < n) {
		if (p[i] == '\\' && i + 1 < n) {
			char c = p[i + 1];
			i += 2;
			if ((c == 'p' || c == 'P' || c == 'x' || c == 'o' || c == 'g' || c == 'k' ||
			     c == 'N') && i < n && p[i] == '{') {
				const char *close = memchr(p + i, '}', n - i);
				i = close ? (size_t)(close - p) + 1 : n;
			} else if ((c == 'p' || c == 'P') && i < n) {
				i++; /* \pL */
			} else if (c == 'c' && i < n) {
				i++; /* \cX */
			}
			continue;
		}
		if (p[i] == '(' && i + 2 < n && p[i + 1] == '?' && p[i + 2] == '<') {
			const char *close = memchr(p + i, '>', n - i);
			if (close && p[i + 3] != '=' && p[i + 3] != '!') {
				i = (size_t)(close - p) + 1; /* a group name is not text */
				continue;
			}
		}
		unsigned cp;
		int len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			i++;
			continue;
		}
		if (iswupper((wint_t)cp) || (cp < 0x80 && cp >= 'A' && cp <= 'Z'))
			return true;
		i += (size_t)len;
	}
	return false;
}

struct search *search_compile(const char *pattern, char **err)
{
	bool caseless = !has_literal_upper(pattern);
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code,
				       &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		*err = xasprintf("invalid regex at offset %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	if (!UNDER_VALGRIND())
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* a failure just means no JIT */
	struct search *s = xcalloc(1, sizeof *s);
	s->code = re;
	s->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!s->md)
		abort();
	s->pattern = xstrdup(pattern);
	s->caseless = caseless;
	s->fields = fields_searched();
	s->literal = !pattern[strcspn(pattern, "\\^$.|?*+()[]{}")];
	return s;
}

void search_free(struct search *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_code_free(s->code);
	free(s->pattern);
	free(s);
}

const char *search_pattern(const struct search *s)
{
	return s->pattern;
}

bool search_caseless(const struct search *s)
{
	return s->caseless;
}

static int run(struct search *s, const char *text, size_t len, size_t start, uint32_t opts)
{
	/* Text comes from libyaml, which only hands out valid UTF-8. */
	return pcre2_match(s->code, (PCRE2_SPTR)text, len, start, opts | PCRE2_NO_UTF_CHECK,
			   s->md, NULL);
}

bool search_match(struct search *s, const char *text, size_t len)
{
	return text && run(s, text, len, 0, 0) >= 0;
}


bool search_is_literal(const struct search *s)
{
	return s->literal;
}

struct search_space *search_space_new(const struct search *s)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(s->code, NULL);
	if (!md)
		abort();
	return (struct search_space *)md;
}

void search_space_free(struct search_space *sp)
{
	pcre2_match_data_free((pcre2_match_data *)sp);
}

static bool match_in(const struct search *s, pcre2_match_data *md, const char *text)
{
	return text && pcre2_match(s->code, (PCRE2_SPTR)text, strlen(text), 0, PCRE2_NO_UTF_CHECK,
				   md, NULL) >= 0;
}

bool search_text_in(const struct search *s, struct search_space *sp, const char *text, size_t len)
{
	return text && pcre2_match(s->code, (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK,
				   (pcre2_match_data *)sp, NULL) >= 0;
}

struct search_space *search_own_space(struct search *s)
{
	return (struct search_space *)s->md;
}

bool search_article(struct search *s, const struct article *a)
{
	return search_article_in(s, (struct search_space *)s->md, a);
}

bool search_article_in(const struct search *s, struct search_space *sp, const struct article *a)
{
	pcre2_match_data *md = (pcre2_match_data *)sp;
	const struct field_set *fs = s->fields;
	for (size_t k = 0, nf = fs->n; k < nf; k++) {
		const struct field *f = fs->v[k];
		if (f->kind != FIELD_IS_LIST) { /* a string: match_in takes a missing one */
			if (match_in(s, md, fields_str(f, a)))
				return true;
			continue;
		}
		size_t n = fields_ntexts(f, a);
		for (size_t i = 0; i < n; i++)
			if (match_in(s, md, fields_text(f, a, i)))
				return true;
	}
	return false;
}

size_t search_spans(struct search *s, const char *text, size_t len, struct span **out)
{
	struct span *v = NULL;
	size_t n = 0, cap = 0, at = 0;
	*out = NULL;
	while (at <= len) {
		if (run(s, text, len, at, 0) < 0)
			break;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
		size_t b = ov[0], e = ov[1];
		if (e > b) {
			v = xgrow(v, &cap, n + 1, sizeof *v);
			v[n++] = (struct span){b, e};
			at = e;
		} else {
			/* an empty match: step over one whole character */
			at = e + 1;
			while (at < len && ((unsigned char)text[at] & 0xc0) == 0x80)
				at++;
		}
	}
	*out = v;
	return n;
}
