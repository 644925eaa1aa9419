/* parse: front matter framing, then a table-driven walk over YAML events:
 * libyaml's, or for the plain files most archives hold, the same events
 * from a fast scanner of our own (parse_fast.c). The walk does
 * not recurse on the document's nesting, the scanner only to a fixed depth,
 * so deep documents cost only libyaml's own stack; aliases are never
 * expanded. The article is then moved into memory of its exact size. */
#define _GNU_SOURCE /* memmem */
#include "lede/parse.h"

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "lede/date.h"
#include "lede/parse_fast.h"

enum kind {
	K_STR,
	K_INT,
	K_BOOL,
	K_DATE,
	K_PROVIDER,      /* a related story's */
	K_PROVIDER_TOP,  /* an article's: with its authors */
	K_TOPICS,
	K_ITEMS,         /* a collection's items: strings */
	K_IMAGES,
	K_RELATED,
	K_ACTIONS,
	K_AUTHORS,       /* mappings, of which the name is kept */
	K_PLAYER,        /* an HTML player, of which the src is kept */
	K_IGNORE,
};

struct field {
	const char *key;
	enum kind kind;
	size_t off;   /* the value, or the array pointer */
	size_t off_n; /* the array's count */
	unsigned bit; /* HAS_* set when present */
	size_t max;   /* a string's bytes, or a list's items (article.h) */
	unsigned mark; /* MARK_*: what the key, at the top, says of the file */
};

/* Keys whose presence at the top of the front matter decides whether the
 * file is an article at all (parse.h): a key a story has, or the mark of
 * a data record. */
enum { MARK_STORY = 1, MARK_RECORD = 2 };

#define STR(k, T, m, max) {k, K_STR, offsetof(T, m), 0, 0, max, 0}
#define NUM(k, T, m, b) {k, K_INT, offsetof(T, m), 0, b, 0, 0}
#define ARR(k, K, T, m, n, max) {k, K, offsetof(T, m), offsetof(T, n), 0, max, 0}
#define STORY_STR(k, m, max) {k, K_STR, offsetof(struct article, m), 0, 0, max, MARK_STORY}

static const struct field image_fields[] = {
	STR("url", struct image, url, ARTICLE_URL_MAX),
	STR("title", struct image, title, ARTICLE_TITLE_MAX),
	NUM("width", struct image, width, HAS_WIDTH),
	NUM("height", struct image, height, HAS_HEIGHT),
	{"isCached", K_BOOL, offsetof(struct image, is_cached), 0, HAS_CACHED, 0, 0},
	{NULL, 0, 0, 0, 0, 0, 0},
};

static const struct field provider_fields[] = {
	STR("name", struct provider, name, ARTICLE_NAME_MAX),
	STR("domain", struct provider, domain, ARTICLE_NAME_MAX),
	ARR("images", K_IMAGES, struct provider, images, nimages, ARTICLE_IMAGES_MAX),
	{NULL, 0, 0, 0, 0, 0, 0},
};

static const struct field top_provider_fields[] = {
	STR("name", struct provider, name, ARTICLE_NAME_MAX),
	STR("domain", struct provider, domain, ARTICLE_NAME_MAX),
	ARR("images", K_IMAGES, struct provider, images, nimages, ARTICLE_IMAGES_MAX),
	ARR("authors", K_AUTHORS, struct provider, authors, nauthors, ARTICLE_AUTHORS_MAX),
	{NULL, 0, 0, 0, 0, 0, 0},
};

/* An author: only the name is kept, so an author is that pointer. */
static const struct field author_fields[] = {
	{"name", K_STR, 0, 0, 0, ARTICLE_NAME_MAX, 0},
	{NULL, 0, 0, 0, 0, 0, 0},
};

static const struct field action_fields[] = {
	STR("title", struct article_action, title, ARTICLE_TITLE_MAX),
	STR("url", struct article_action, url, ARTICLE_URL_MAX),
	STR("type", struct article_action, type, ARTICLE_NAME_MAX),
	{NULL, 0, 0, 0, 0, 0, 0},
};

static const struct field related_fields[] = {
	STR("title", struct related, title, ARTICLE_TITLE_MAX),
	STR("excerpt", struct related, excerpt, ARTICLE_EXCERPT_MAX),
	STR("type", struct related, type, ARTICLE_NAME_MAX),
	STR("webUrl", struct related, web_url, ARTICLE_URL_MAX),
	STR("ampWebUrl", struct related, amp_web_url, ARTICLE_URL_MAX),
	STR("cdnAmpWebUrl", struct related, cdn_amp_web_url, ARTICLE_URL_MAX),
	{"publishedDateTime", K_DATE, offsetof(struct related, date), 0, HAS_DATE, 0, 0},
	NUM("quality", struct related, quality, HAS_QUALITY),
	{"provider", K_PROVIDER, offsetof(struct related, provider), 0, 0, 0, 0},
	ARR("images", K_IMAGES, struct related, images, nimages, ARTICLE_IMAGES_MAX),
	{NULL, 0, 0, 0, 0, 0, 0},
};

static const struct field article_fields[] = {
	STR("category", struct article, category, ARTICLE_NAME_MAX),
	STR("type", struct article, type, ARTICLE_NAME_MAX),
	STORY_STR("title", title, ARTICLE_TITLE_MAX),
	STORY_STR("excerpt", excerpt, ARTICLE_EXCERPT_MAX),
	{"publishedDateTime", K_DATE, offsetof(struct article, date), 0, HAS_DATE, 0, MARK_STORY},
	STORY_STR("originalUrl", original_url, ARTICLE_URL_MAX),
	STORY_STR("webUrl", web_url, ARTICLE_URL_MAX),
	STORY_STR("ampWebUrl", amp_web_url, ARTICLE_URL_MAX),
	STORY_STR("cdnAmpWebUrl", cdn_amp_web_url, ARTICLE_URL_MAX),
	NUM("quality", struct article, quality, HAS_QUALITY),
	NUM("heat", struct article, heat, HAS_HEAT),
	{"published", K_BOOL, offsetof(struct article, published), 0, HAS_PUBLISHED, 0, 0},
	{"provider", K_PROVIDER_TOP, offsetof(struct article, provider), 0, 0, 0, 0},
	ARR("topics", K_TOPICS, struct article, topics, ntopics, ARTICLE_TOPICS_MAX),
	ARR("items", K_ITEMS, struct article, items, nitems, ARTICLE_ITEMS_MAX),
	ARR("actions", K_ACTIONS, struct article, actions, nactions, ARTICLE_ACTIONS_MAX),
	{"featuredContent", K_PLAYER, offsetof(struct article, player), 0, 0, ARTICLE_URL_MAX, 0},
	ARR("images", K_IMAGES, struct article, images, nimages, ARTICLE_IMAGES_MAX),
	ARR("related", K_RELATED, struct article, related, nrelated, ARTICLE_RELATED_MAX),
	{"secured", K_IGNORE, 0, 0, 0, 0, 0},
	STORY_STR("name", name, ARTICLE_TITLE_MAX),
	{"taxonomy", K_IGNORE, 0, 0, 0, 0, MARK_RECORD},
	{NULL, 0, 0, 0, 0, 0, 0},
};

struct parser {
	const char *input; /* what libyaml reads, for locating reader errors */
	yaml_parser_t y;
	yaml_event_t ev;
	bool have_ev;
	const char *path;
	struct strlist *problems;
	struct arena *arena;
	/* The fast path's events (parse_fast.h), when it is tried: then any
	 * problem sets bailed instead of being said. */
	const struct parse_fast *fast;
	size_t fi; /* the next of them */
	bool bailed;
	unsigned marks; /* MARK_* of the keys met at the top */
	bool empty;     /* the front matter holds nothing */
};

static void vproblem(struct parser *p, size_t line, size_t col, const char *fmt, va_list ap)
{
	if (p->fast) {
		p->bailed = true; /* libyaml will say it, with its marks */
		return;
	}
	struct buf b = {0};
	char *msg = xvasprintf(fmt, ap);
	buf_put_safe(&b, p->path, strlen(p->path));
	buf_printf(&b, ":%zu:%zu: %s", line, col, msg);
	free(msg);
	strlist_push(p->problems, b.data ? b.data : xstrdup(""));
}

static void vproblem_fmt(struct parser *p, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void vproblem_fmt(struct parser *p, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(p, line, col, fmt, ap);
	va_end(ap);
}

static void problem_at(struct parser *p, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem_at(struct parser *p, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(p, m.line + 1, m.column + 1, fmt, ap);
	va_end(ap);
}

static void problem_line(struct parser *p, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem_line(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(p, line, 1, fmt, ap);
	va_end(ap);
}

/* A short, terminal-safe quotation of a scalar for messages. */
static char *quote(const yaml_event_t *ev)
{
	struct buf b = {0};
	size_t n = ev->data.scalar.length, max = 40;
	buf_putc(&b, '"');
	buf_put_safe(&b, (const char *)ev->data.scalar.value, n > max ? max : n);
	buf_puts(&b, n > max ? "...\"" : "\"");
	return b.data;
}

/* The fast path's next event; past the last, or once bailed, false. */
static bool next_fast(struct parser *p)
{
	if (p->bailed || !parse_fast_event(p->fast, p->fi++, &p->ev)) {
		p->bailed = true;
		return false;
	}
	return true;
}

static bool next(struct parser *p)
{
	if (p->fast)
		return next_fast(p);
	if (p->have_ev)
		yaml_event_delete(&p->ev);
	p->have_ev = false;
	if (!yaml_parser_parse(&p->y, &p->ev)) {
		const char *what = p->y.problem ? p->y.problem : "unknown error";
		if (p->y.error == YAML_READER_ERROR) {
			/* bad bytes: libyaml gives an offset, not a line */
			size_t line = 1, col = 1;
			for (size_t i = 0; i < p->y.problem_offset; i++) {
				if (p->input[i] == '\n')
					line++, col = 1;
				else if (((unsigned char)p->input[i] & 0xc0) != 0x80)
					col++;
			}
			vproblem_fmt(p, line, col, "YAML syntax error: %s (byte 0x%02x)", what,
				     (unsigned)p->y.problem_value & 0xff);
		} else if (p->y.context)
			problem_at(p, p->y.problem_mark, "YAML syntax error: %s (%s at %zu:%zu)",
				   what, p->y.context, p->y.context_mark.line + 1,
				   p->y.context_mark.column + 1);
		else
			problem_at(p, p->y.problem_mark, "YAML syntax error: %s", what);
		return false;
	}
	p->have_ev = true;
	return true;
}

/* The current event starts a node; consume the whole node. */
static bool skip_node(struct parser *p)
{
	size_t depth = 0;
	for (;;) {
		switch (p->ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth == 0)
			return true;
		if (!next(p))
			return false;
	}
}

static const char *node_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "a scalar";
	}
}

static bool is_null(const yaml_event_t *ev)
{
	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	/* by length first: this runs on every plain scalar (which holds no
	 * NUL, so the lengths say what strcmp would) */
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	return n == 0 || (n == 1 && v[0] == '~') ||
	       (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

/* The current event must be a scalar for key; otherwise report and skip. */
static bool want_scalar(struct parser *p, const char *key, const char *what, bool *ok)
{
	*ok = false;
	if (p->ev.type == YAML_SCALAR_EVENT) {
		*ok = !is_null(&p->ev);
		return true;
	}
	if (p->ev.type == YAML_ALIAS_EVENT)
		problem_at(p, p->ev.start_mark, "'%s': aliases are not supported", key);
	else
		problem_at(p, p->ev.start_mark, "'%s' should be %s, not %s", key, what,
			   node_kind(&p->ev));
	return skip_node(p);
}

static bool read_int(struct parser *p, const char *key, int32_t *dst, bool *ok)
{
	if (!want_scalar(p, key, "an integer", ok))
		return false;
	if (!*ok)
		return true;
	const char *v = (const char *)p->ev.data.scalar.value;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	*ok = false;
	/* to the scalar's end, not to a NUL inside it */
	if (end == v || end != v + p->ev.data.scalar.length ||
	    (v[0] != '-' && v[0] != '+' && (v[0] < '0' || v[0] > '9'))) {
		char *q = quote(&p->ev);
		problem_at(p, p->ev.start_mark, "'%s' should be an integer, not %s", key, q);
		free(q);
	} else if (errno == ERANGE || n < INT32_MIN || n > INT32_MAX) {
		char *q = quote(&p->ev);
		problem_at(p, p->ev.start_mark, "'%s' is out of range: %s", key, q);
		free(q);
	} else {
		*dst = (int32_t)n;
		*ok = true;
	}
	return true;
}

static bool read_bool(struct parser *p, const char *key, bool *dst, bool *ok)
{
	if (!want_scalar(p, key, "true or false", ok))
		return false;
	if (!*ok)
		return true;
	static const char *yes[] = {"true", "yes", "on"}, *no[] = {"false", "no", "off"};
	const char *v = (const char *)p->ev.data.scalar.value;
	bool whole = strlen(v) == p->ev.data.scalar.length; /* no NUL inside */
	for (size_t i = 0; i < 3 && whole; i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*dst = !strcasecmp(v, yes[i]);
			return true;
		}
	}
	*ok = false;
	char *q = quote(&p->ev);
	problem_at(p, p->ev.start_mark, "'%s' should be true or false, not %s", key, q);
	free(q);
	return true;
}

static bool read_date(struct parser *p, const char *key, int64_t *dst, bool *ok)
{
	if (!want_scalar(p, key, "a date", ok))
		return false;
	if (!*ok)
		return true;
	if (date_parse((const char *)p->ev.data.scalar.value, p->ev.data.scalar.length, dst) < 0) {
		*ok = false;
		char *q = quote(&p->ev);
		problem_at(p, p->ev.start_mark, "'%s' is not an ISO 8601 date: %s", key, q);
		free(q);
	}
	return true;
}

/* How many of a string's n bytes fit in max without splitting a character
 * (the text is valid UTF-8: libyaml and the fast path both see to it). */
static size_t cut_len(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* s[0..n) with each NUL (a "\0" escape: the strings are C strings, where a
 * NUL would silently end the text) made U+FFFD; the caller frees. */
static char *replace_nuls(const char *s, size_t n, size_t *out_n)
{
	struct buf b = {0};
	for (const char *e = s + n, *z; s < e; s = z + 1) {
		z = memchr(s, '\0', (size_t)(e - s));
		if (!z)
			z = e;
		buf_add(&b, s, (size_t)(z - s));
		if (z < e)
			buf_puts(&b, "\xef\xbf\xbd");
	}
	*out_n = b.len;
	return (char *)buf_str(&b);
}

/* A string of at most max bytes: longer text is cut, a NUL replaced, each
 * with a problem; the rest of the article loads either way. */
static bool read_str(struct parser *p, const char *key, const char **dst, size_t max)
{
	bool ok;
	if (!want_scalar(p, key, "a string", &ok))
		return false;
	if (!ok)
		return true;
	const char *v = (const char *)p->ev.data.scalar.value;
	size_t n = p->ev.data.scalar.length;
	char *fixed = NULL;
	if (memchr(v, '\0', n)) {
		problem_at(p, p->ev.start_mark, "'%s' holds a NUL character, replaced by U+FFFD",
			   key);
		v = fixed = replace_nuls(v, n, &n);
	}
	size_t keep = cut_len(v, n, max);
	if (keep < n)
		problem_at(p, p->ev.start_mark, "'%s' is longer than %zu bytes, cut", key, max);
	*dst = arena_strndup(p->arena, v, keep);
	free(fixed);
	return true;
}

static bool read_mapping(struct parser *p, const char *key, const struct field *fields,
			 void *obj, unsigned *has);

/* A list whose items are each read into a new element of elem bytes; the
 * items past max are left out, with a problem at the first of them. */
static bool read_list(struct parser *p, const char *key, enum kind kind, size_t max, void **arr,
		      size_t *count)
{
	bool strings = kind == K_TOPICS || kind == K_ITEMS;
	size_t elem = strings || kind == K_AUTHORS ? sizeof(char *)
		      : kind == K_IMAGES	   ? sizeof(struct image)
		      : kind == K_ACTIONS	   ? sizeof(struct article_action)
						   : sizeof(struct related);
	if (p->ev.type != YAML_SEQUENCE_START_EVENT) {
		if (is_null(&p->ev))
			return true;
		if (p->ev.type == YAML_ALIAS_EVENT)
			problem_at(p, p->ev.start_mark, "'%s': aliases are not supported", key);
		else
			problem_at(p, p->ev.start_mark, "'%s' should be a list, not %s", key,
				   node_kind(&p->ev));
		return skip_node(p);
	}
	unsigned char *items = NULL;
	size_t n = 0, cap = 0;
	bool good = true, over = false;
	for (;;) {
		if (!(good = next(p)))
			break;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (n == max) {
			if (!over)
				problem_at(p, p->ev.start_mark,
					   "'%s' has more than %zu items, the rest left out", key, max);
			over = true;
			if (!(good = skip_node(p)))
				break;
			continue;
		}
		items = xgrow(items, &cap, (n + 1) * elem, 1);
		void *it = items + n * elem;
		memset(it, 0, elem);
		bool keep = true;
		if (strings) {
			const char *s = NULL;
			good = read_str(p, key, &s,
					kind == K_TOPICS ? ARTICLE_TOPIC_MAX : ARTICLE_TITLE_MAX);
			*(const char **)it = s;
			keep = s != NULL;
		} else if (p->ev.type != YAML_MAPPING_START_EVENT) {
			if (p->ev.type == YAML_ALIAS_EVENT)
				problem_at(p, p->ev.start_mark, "'%s': aliases are not supported", key);
			else
				problem_at(p, p->ev.start_mark, "'%s' items should be mappings, not %s",
					   key, node_kind(&p->ev));
			good = skip_node(p);
			keep = false;
		} else if (kind == K_IMAGES) {
			struct image *im = it;
			good = read_mapping(p, key, image_fields, im, &im->has);
		} else if (kind == K_AUTHORS) {
			good = read_mapping(p, key, author_fields, it, NULL);
			keep = *(const char **)it != NULL;
		} else if (kind == K_ACTIONS) {
			good = read_mapping(p, key, action_fields, it, NULL);
		} else {
			struct related *r = it;
			r->local = -1;
			good = read_mapping(p, key, related_fields, r, &r->has);
		}
		if (!good)
			break;
		if (keep)
			n++;
	}
	*arr = arena_memdup(p->arena, items, n * elem);
	*count = n;
	free(items);
	return good;
}

/* The src of the player an HTML snippet embeds (src="..." or '...'), kept
 * when it is short enough; NULL when there is none. Derived, so never a
 * problem. */
static const char *player_src(struct arena *ar, const char *v, size_t n, size_t max)
{
	for (const char *e = v + n, *q = v; (q = memmem(q, (size_t)(e - q), "src=", 4)); q += 4) {
		if (q > v && q[-1] != ' ' && q[-1] != '\t' && q[-1] != '\n')
			continue;
		const char *u = q + 4;
		if (u >= e || (*u != '"' && *u != '\''))
			continue;
		const char *end = memchr(u + 1, *u, (size_t)(e - u - 1));
		size_t len = end ? (size_t)(end - u - 1) : 0;
		if (!len || len > max || memchr(u + 1, '\0', len))
			return NULL;
		return arena_strndup(ar, u + 1, len);
	}
	return NULL;
}

static bool read_player(struct parser *p, const char *key, const char **dst, size_t max)
{
	bool ok;
	if (!want_scalar(p, key, "a string", &ok))
		return false;
	if (ok)
		*dst = player_src(p->arena, (const char *)p->ev.data.scalar.value,
				  p->ev.data.scalar.length, max);
	return true;
}

static bool read_value(struct parser *p, const struct field *f, void *obj, unsigned *has)
{
	char *at = (char *)obj + f->off;
	bool ok = false, good = true;
	switch (f->kind) {
	case K_STR:
		return read_str(p, f->key, (const char **)at, f->max);
	case K_INT: {
		int32_t v = 0;
		good = read_int(p, f->key, &v, &ok);
		if (ok)
			*(int32_t *)at = v;
		break;
	}
	case K_BOOL: {
		bool v = false;
		good = read_bool(p, f->key, &v, &ok);
		if (ok)
			*(bool *)at = v;
		break;
	}
	case K_DATE: {
		int64_t v = 0;
		good = read_date(p, f->key, &v, &ok);
		if (ok)
			*(int64_t *)at = v;
		break;
	}
	case K_PROVIDER:
	case K_PROVIDER_TOP:
		if (is_null(&p->ev))
			return true;
		return read_mapping(p, f->key,
				    f->kind == K_PROVIDER ? provider_fields : top_provider_fields,
				    at, NULL);
	case K_PLAYER:
		return read_player(p, f->key, (const char **)at, f->max);
	case K_TOPICS:
	case K_ITEMS:
	case K_IMAGES:
	case K_RELATED:
	case K_ACTIONS:
	case K_AUTHORS:
		return read_list(p, f->key, f->kind, f->max, (void **)at,
				 (size_t *)((char *)obj + f->off_n));
	case K_IGNORE:
		return skip_node(p);
	}
	if (ok && has)
		*has |= f->bit;
	return good;
}

/* The current event is the value for key; read it as a mapping of fields. */
static bool read_mapping(struct parser *p, const char *key, const struct field *fields,
			 void *obj, unsigned *has)
{
	if (p->ev.type != YAML_MAPPING_START_EVENT) {
		if (p->ev.type == YAML_ALIAS_EVENT)
			problem_at(p, p->ev.start_mark, "'%s': aliases are not supported", key);
		else
			problem_at(p, p->ev.start_mark, "'%s' should be a mapping, not %s", key,
				   node_kind(&p->ev));
		return skip_node(p);
	}
	uint32_t seen = 0;
	for (;;) {
		if (!next(p))
			return false;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return true;
		if (p->ev.type != YAML_SCALAR_EVENT) {
			problem_at(p, p->ev.start_mark, "a key should be a scalar, not %s",
				   node_kind(&p->ev));
			if (!skip_node(p) || !next(p) || !skip_node(p))
				return false;
			continue;
		}
		const char *k = (const char *)p->ev.data.scalar.value;
		const struct field *f = fields;
		/* the first byte first: most keys differ there; a key with a NUL
		 * inside is none of ours */
		if (strlen(k) != p->ev.data.scalar.length)
			k = "";
		while (f->key && (f->key[0] != k[0] || strcmp(f->key, k)))
			f++;
		yaml_mark_t kmark = p->ev.start_mark;
		bool dup = f->key && (seen & (1u << (f - fields)));
		if (dup)
			problem_at(p, kmark, "duplicate key '%s' (the first one is kept)", f->key);
		if (!next(p))
			return false;
		if (!f->key || dup) {
			if (!skip_node(p))
				return false;
			continue;
		}
		seen |= 1u << (f - fields);
		if (fields == article_fields)
			p->marks |= f->mark;
		if (!read_value(p, f, obj, has))
			return false;
	}
}

/* Read the article from the fast path's events; false if it bailed. */
static bool read_fast(struct parser *p, struct article *a)
{
	return next(p) && p->ev.type == YAML_STREAM_START_EVENT && next(p) &&
	       p->ev.type == YAML_DOCUMENT_START_EVENT && next(p) &&
	       p->ev.type == YAML_MAPPING_START_EVENT &&
	       read_mapping(p, "front matter", article_fields, a, &a->has) && !p->bailed;
}

/* Is line [s, e) a front matter fence: "---" then only blanks? */
static bool is_fence(const char *s, const char *e)
{
	if (e - s < 3 || memcmp(s, "---", 3))
		return false;
	for (s += 3; s < e; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

/* ---- the article, moved into memory of its exact size ----
 *
 * The parser's arena starts with a block as big as the file, since the
 * text it will hold is not known in advance, and most of a file (keys,
 * quotes, the opaque "secured") is never kept: moved once parsing is done,
 * a hundred thousand articles take a third less memory. An originalUrl
 * equal to the webUrl, as most are, is shared rather than copied. */

struct sizes {
	size_t str, img, top, rel, act; /* top: string pointers (topics, items, authors) */
};

static void size_str(struct sizes *z, const char *s)
{
	if (s)
		z->str += strlen(s) + 1;
}

static void size_images(struct sizes *z, const struct image *v, size_t n)
{
	z->img += n;
	for (size_t i = 0; i < n; i++) {
		size_str(z, v[i].url);
		size_str(z, v[i].title);
	}
}

static void size_provider(struct sizes *z, const struct provider *p)
{
	size_str(z, p->name);
	size_str(z, p->domain);
	size_images(z, p->images, p->nimages);
}

struct mover {
	char *s;
	struct image *img;
	const char **ptr; /* the string pointers' arrays */
};

static const char *move_str(struct mover *m, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = memcpy(m->s, s, n);
	m->s += n;
	return d;
}

static struct image *move_images(struct mover *m, const struct image *v, size_t n)
{
	if (!n)
		return NULL;
	struct image *d = m->img;
	m->img += n;
	for (size_t i = 0; i < n; i++) {
		d[i] = v[i];
		d[i].url = move_str(m, v[i].url);
		d[i].title = move_str(m, v[i].title);
	}
	return d;
}

static void size_strs(struct sizes *z, const char *const *v, size_t n)
{
	z->top += n;
	for (size_t i = 0; i < n; i++)
		size_str(z, v[i]);
}

static const char **move_strs(struct mover *m, const char *const *v, size_t n)
{
	if (!n)
		return NULL;
	const char **d = m->ptr;
	m->ptr += n;
	for (size_t i = 0; i < n; i++)
		d[i] = move_str(m, v[i]);
	return d;
}

static void move_provider(struct mover *m, struct provider *d, const struct provider *p)
{
	d->name = move_str(m, p->name);
	d->domain = move_str(m, p->domain);
	d->images = move_images(m, p->images, p->nimages);
	d->nimages = p->nimages;
	d->authors = move_strs(m, p->authors, p->nauthors);
	d->nauthors = p->nauthors;
}

/* A site's fields of a (name, player, items, actions, the provider's
 * authors): sized, then moved. */
static void size_site(struct sizes *z, const struct article *a)
{
	size_str(z, a->name);
	size_str(z, a->player);
	size_strs(z, a->items, a->nitems);
	size_strs(z, a->provider.authors, a->provider.nauthors);
	z->act += a->nactions;
	for (size_t i = 0; i < a->nactions; i++) {
		size_str(z, a->actions[i].title);
		size_str(z, a->actions[i].url);
		size_str(z, a->actions[i].type);
	}
}

static void move_site(struct mover *m, struct article *c, const struct article *a,
		      struct article_action *act)
{
	c->name = move_str(m, a->name);
	c->player = move_str(m, a->player);
	c->items = move_strs(m, a->items, a->nitems);
	c->actions = a->nactions ? act : NULL;
	for (size_t i = 0; i < a->nactions; i++) {
		act[i].title = move_str(m, a->actions[i].title);
		act[i].url = move_str(m, a->actions[i].url);
		act[i].type = move_str(m, a->actions[i].type);
	}
}

static size_t align_max(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

static struct article *compact(struct article *a)
{
	bool same_url = a->original_url && a->web_url && !strcmp(a->original_url, a->web_url);
	struct sizes z = {0, 0, a->ntopics, a->nrelated, 0};
	size_site(&z, a);
	size_str(&z, a->category);
	size_str(&z, a->type);
	size_str(&z, a->title);
	size_str(&z, a->excerpt);
	if (!same_url)
		size_str(&z, a->original_url);
	size_str(&z, a->web_url);
	size_str(&z, a->amp_web_url);
	size_str(&z, a->cdn_amp_web_url);
	size_provider(&z, &a->provider);
	for (size_t i = 0; i < a->ntopics; i++)
		size_str(&z, a->topics[i]);
	size_images(&z, a->images, a->nimages);
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		size_str(&z, r->title);
		size_str(&z, r->excerpt);
		size_str(&z, r->type);
		size_str(&z, r->web_url);
		size_str(&z, r->amp_web_url);
		size_str(&z, r->cdn_amp_web_url);
		size_provider(&z, &r->provider);
		size_images(&z, r->images, r->nimages);
	}
	size_t rel = align_max(z.rel * sizeof(struct related));
	size_t img = align_max(z.img * sizeof(struct image));
	size_t top = align_max(z.top * sizeof(const char *));
	size_t act = align_max(z.act * sizeof(struct article_action));
	size_t total = rel + img + top + act + z.str;

	struct article *c = article_new_sized(a->path, total + 2 * alignof(max_align_t));
	unsigned char *mem = arena_alloc(&c->arena, total);
	struct arena arena = c->arena;
	const char *path = c->path;
	*c = *a;
	c->arena = arena;
	c->path = path;
	struct mover m = {(char *)mem + rel + img + top + act, (struct image *)(void *)(mem + rel),
			  (const char **)(void *)(mem + rel + img)};
	c->category = move_str(&m, a->category);
	c->type = move_str(&m, a->type);
	c->title = move_str(&m, a->title);
	c->excerpt = move_str(&m, a->excerpt);
	c->web_url = move_str(&m, a->web_url);
	c->original_url = same_url ? c->web_url : move_str(&m, a->original_url);
	c->amp_web_url = move_str(&m, a->amp_web_url);
	c->cdn_amp_web_url = move_str(&m, a->cdn_amp_web_url);
	move_provider(&m, &c->provider, &a->provider);
	c->topics = move_strs(&m, a->topics, a->ntopics);
	move_site(&m, c, a, (struct article_action *)(void *)(mem + rel + img + top));
	c->images = move_images(&m, a->images, a->nimages);
	c->related = a->nrelated ? (void *)mem : NULL;
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		struct related *d = &c->related[i];
		*d = *r;
		d->title = move_str(&m, r->title);
		d->excerpt = move_str(&m, r->excerpt);
		d->type = move_str(&m, r->type);
		d->web_url = move_str(&m, r->web_url);
		d->amp_web_url = move_str(&m, r->amp_web_url);
		d->cdn_amp_web_url = move_str(&m, r->cdn_amp_web_url);
		move_provider(&m, &d->provider, &r->provider);
		d->images = move_images(&m, r->images, r->nimages);
	}
	article_free(a);
	return c;
}

/* Whether the fast path was tried and took the file. */
struct fast_probe {
	bool fast;
};

/* How a file is read: named on the command line or met by a walk, and
 * what it turned out to be. */
struct verdict {
	bool named;       /* a file that is not an article is a problem */
	bool not_article; /* out: it was met by a walk and is not one */
};

static struct article *parse_probe(const char *path, const char *data, size_t len,
				   struct strlist *problems, struct fast_probe *probe,
				   struct verdict *v);

static struct article *parse(const char *path, const char *data, size_t len,
			     struct strlist *problems, bool try_fast)
{
	struct verdict v = {.named = true};
	return try_fast ? parse_probe(path, data, len, problems, &(struct fast_probe){0}, &v)
			: parse_probe(path, data, len, problems, NULL, &v);
}

/* The front matter of data[0..len): from its opening fence line (after
 * any BOM) to the start of its closing one. False, with the problem said,
 * when there is none. */
static bool front_matter(struct parser *p, const char *data, size_t len, const char **from,
			 const char **to)
{
	const char *end = data + len, *s = data;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	if (s == end) {
		problem_line(p, 1, "empty file");
		p->empty = true;
		return false;
	}
	const char *eol = memchr(s, '\n', (size_t)(end - s));
	if (!is_fence(s, eol ? eol : end)) {
		problem_line(p, 1, "no front matter: the first line should be '---'");
		p->empty = true;
		return false;
	}
	/* Find the closing fence: a line that starts with "---" (memmem
	 * skips the other lines faster than looking at each). */
	const char *close = NULL;
	for (const char *at = eol; at && at < end;) {
		const char *c = memmem(at, (size_t)(end - at), "\n---", 4);
		if (!c)
			break;
		const char *l = c + 1, *e = memchr(l, '\n', (size_t)(end - l));
		if (is_fence(l, e ? e : end)) {
			close = l;
			break;
		}
		at = l;
	}
	if (!close) {
		problem_line(p, 1, "front matter is not closed: no '---' line after line 1");
		return false;
	}
	*from = s;
	*to = close;
	return true;
}

/* The article of front matter s[0..n), of a file of len bytes, by the fast
 * path; NULL when the file is not of its shape or the walk bailed, having
 * said nothing. */
static struct article *parse_fast_path(struct parser *p, const char *s, size_t n, size_t len)
{
	struct parse_fast f = {0};
	struct article *a = NULL;
	if (parse_fast_scan(&f, s, n)) {
		a = article_new_sized(p->path, len);
		p->arena = &a->arena;
		p->fast = &f;
		if (!read_fast(p, a)) {
			article_free(a);
			a = NULL;
		}
		p->fast = NULL;
		p->bailed = false;
		if (!a)
			p->marks = 0; /* libyaml reads it all again */
	}
	parse_fast_free(&f);
	return a;
}

/* The article of front matter s[0..n), of a file of len bytes, read by
 * libyaml; NULL, with the problems said, if the file is skipped. */
static struct article *parse_slow_path(struct parser *p, const char *s, size_t n, size_t len)
{
	struct article *a = article_new_sized(p->path, len);
	p->arena = &a->arena;
	yaml_parser_initialize(&p->y);
	yaml_parser_set_input_string(&p->y, (const unsigned char *)s, n);
	p->input = s;
	bool good = next(p) && p->ev.type == YAML_STREAM_START_EVENT && next(p);
	if (good && p->ev.type == YAML_STREAM_END_EVENT) {
		problem_line(p, 1, "front matter is empty");
		p->empty = true;
		good = false;
	} else if (good && p->ev.type == YAML_DOCUMENT_START_EVENT && next(p)) {
		if (p->ev.type == YAML_MAPPING_START_EVENT) {
			good = read_mapping(p, "front matter", article_fields, a, &a->has);
		} else if (is_null(&p->ev)) {
			problem_line(p, 1, "front matter is empty");
			p->empty = true;
			good = false;
		} else {
			problem_at(p, p->ev.start_mark, "front matter should be a mapping, not %s",
				   node_kind(&p->ev));
			good = false;
		}
	} else {
		good = false;
	}
	if (p->have_ev)
		yaml_event_delete(&p->ev);
	yaml_parser_delete(&p->y);
	if (!good) {
		article_free(a);
		return NULL;
	}
	return compact(a);
}

/* Is the article just read from p's front matter an article at all, by
 * the keys at its top (parse.h)? When not, why, for a file named. */
static const char *not_article_why(const struct parser *p)
{
	if (p->marks & MARK_RECORD)
		return "not an article: it says 'taxonomy:', a data record";
	if (!(p->marks & MARK_STORY))
		return "not an article: the front matter has none of title, name, excerpt, "
		       "a URL or publishedDateTime";
	return NULL;
}

/* The file read is not an article: a file met by a walk is only counted
 * (its problems, if any, taken back); one named says why, after what else
 * was wrong with it. */
static struct article *not_article(struct parser *p, size_t n0, struct verdict *v,
				   const char *why)
{
	if (v->named) {
		if (why)
			problem_line(p, 1, "%s", why);
		return NULL; /* without why: said already, as it always was */
	}
	while (p->problems->n > n0)
		free(p->problems->v[--p->problems->n]);
	v->not_article = true;
	return NULL;
}

/* probe NULL: libyaml alone. */
static struct article *parse_probe(const char *path, const char *data, size_t len,
				   struct strlist *problems, struct fast_probe *probe,
				   struct verdict *v)
{
	struct parser p = {.path = path, .problems = problems};
	size_t n0 = problems->n;
	const char *s, *close;
	if (!front_matter(&p, data, len, &s, &close))
		return p.empty ? not_article(&p, n0, v, NULL) : NULL;
	size_t n = (size_t)(close - s);
	struct article *a = probe ? parse_fast_path(&p, s, n, len) : NULL;
	if (a)
		probe->fast = true;
	else
		a = parse_slow_path(&p, s, n, len);
	if (!a)
		return p.empty ? not_article(&p, n0, v, NULL) : NULL;
	const char *why = not_article_why(&p);
	if (why) {
		article_free(a);
		return not_article(&p, n0, v, why);
	}
	return probe && probe->fast ? compact(a) : a;
}

struct article *parse_candidate(const char *path, const char *data, size_t len, bool named,
				struct strlist *problems, bool *not_article)
{
	struct verdict v = {.named = named};
	struct article *a =
		parse_probe(path, data, len, problems, &(struct fast_probe){0}, &v);
	*not_article = v.not_article;
	return a;
}

struct article *parse_article(const char *path, const char *data, size_t len,
			      struct strlist *problems)
{
	return parse(path, data, len, problems, true);
}

struct article *parse_article_slow(const char *path, const char *data, size_t len,
				   struct strlist *problems)
{
	return parse(path, data, len, problems, false);
}

bool parse_is_fast(const char *path, const char *data, size_t len)
{
	struct strlist problems = {0};
	struct fast_probe probe = {0};
	struct verdict v = {.named = true};
	struct article *a = parse_probe(path, data, len, &problems, &probe, &v);
	article_free(a);
	strlist_free(&problems);
	return probe.fast;
}
