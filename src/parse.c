/* parse: front matter framing, then a table-driven walk over libyaml events.
 * Nothing here recurses on the document's nesting, so deep documents cost
 * only libyaml's own stack, and aliases are never expanded. */
#include "lede/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "lede/date.h"

enum kind { K_STR, K_INT, K_BOOL, K_DATE, K_PROVIDER, K_TOPICS, K_IMAGES, K_RELATED, K_IGNORE };

struct field {
	const char *key;
	enum kind kind;
	size_t off;   /* the value, or the array pointer */
	size_t off_n; /* the array's count */
	unsigned bit; /* HAS_* set when present */
};

#define STR(k, T, m) {k, K_STR, offsetof(T, m), 0, 0}
#define NUM(k, T, m, b) {k, K_INT, offsetof(T, m), 0, b}
#define ARR(k, K, T, m, n) {k, K, offsetof(T, m), offsetof(T, n), 0}

static const struct field image_fields[] = {
	STR("url", struct image, url),
	STR("title", struct image, title),
	NUM("width", struct image, width, HAS_WIDTH),
	NUM("height", struct image, height, HAS_HEIGHT),
	{"isCached", K_BOOL, offsetof(struct image, is_cached), 0, HAS_CACHED},
	{NULL, 0, 0, 0, 0},
};

static const struct field provider_fields[] = {
	STR("name", struct provider, name),
	STR("domain", struct provider, domain),
	ARR("images", K_IMAGES, struct provider, images, nimages),
	{NULL, 0, 0, 0, 0},
};

static const struct field related_fields[] = {
	STR("title", struct related, title),
	STR("excerpt", struct related, excerpt),
	STR("type", struct related, type),
	STR("webUrl", struct related, web_url),
	STR("ampWebUrl", struct related, amp_web_url),
	STR("cdnAmpWebUrl", struct related, cdn_amp_web_url),
	{"publishedDateTime", K_DATE, offsetof(struct related, date), 0, HAS_DATE},
	NUM("quality", struct related, quality, HAS_QUALITY),
	{"provider", K_PROVIDER, offsetof(struct related, provider), 0, 0},
	ARR("images", K_IMAGES, struct related, images, nimages),
	{NULL, 0, 0, 0, 0},
};

static const struct field article_fields[] = {
	STR("category", struct article, category),
	STR("type", struct article, type),
	STR("title", struct article, title),
	STR("excerpt", struct article, excerpt),
	{"publishedDateTime", K_DATE, offsetof(struct article, date), 0, HAS_DATE},
	STR("originalUrl", struct article, original_url),
	STR("webUrl", struct article, web_url),
	STR("ampWebUrl", struct article, amp_web_url),
	STR("cdnAmpWebUrl", struct article, cdn_amp_web_url),
	NUM("quality", struct article, quality, HAS_QUALITY),
	NUM("heat", struct article, heat, HAS_HEAT),
	{"published", K_BOOL, offsetof(struct article, published), 0, HAS_PUBLISHED},
	{"provider", K_PROVIDER, offsetof(struct article, provider), 0, 0},
	ARR("topics", K_TOPICS, struct article, topics, ntopics),
	ARR("images", K_IMAGES, struct article, images, nimages),
	ARR("related", K_RELATED, struct article, related, nrelated),
	{"secured", K_IGNORE, 0, 0, 0},
	{NULL, 0, 0, 0, 0},
};

struct parser {
	yaml_parser_t y;
	yaml_event_t ev;
	bool have_ev;
	const char *path;
	struct strlist *problems;
	struct arena *arena;
};

static void vproblem(struct parser *p, size_t line, size_t col, const char *fmt, va_list ap)
{
	struct buf b = {0};
	char *msg = xvasprintf(fmt, ap);
	buf_put_safe(&b, p->path, strlen(p->path));
	buf_printf(&b, ":%zu:%zu: %s", line, col, msg);
	free(msg);
	strlist_push(p->problems, b.data ? b.data : xstrdup(""));
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

static bool next(struct parser *p)
{
	if (p->have_ev)
		yaml_event_delete(&p->ev);
	p->have_ev = false;
	if (!yaml_parser_parse(&p->y, &p->ev)) {
		const char *what = p->y.problem ? p->y.problem : "unknown error";
		if (p->y.context)
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
	const char *v = (const char *)ev->data.scalar.value;
	return ev->data.scalar.length == 0 || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
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
	if (end == v || *end || (v[0] != '-' && v[0] != '+' && (v[0] < '0' || v[0] > '9'))) {
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
	for (size_t i = 0; i < 3; i++) {
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

static bool read_str(struct parser *p, const char *key, const char **dst)
{
	bool ok;
	if (!want_scalar(p, key, "a string", &ok))
		return false;
	if (ok)
		*dst = arena_strndup(p->arena, (const char *)p->ev.data.scalar.value,
				     p->ev.data.scalar.length);
	return true;
}

static bool read_mapping(struct parser *p, const char *key, const struct field *fields,
			 void *obj, unsigned *has);

/* A list whose items are each read into a new element of elem bytes. */
static bool read_list(struct parser *p, const char *key, enum kind kind, void **arr, size_t *count)
{
	size_t elem = kind == K_TOPICS ? sizeof(char *)
		      : kind == K_IMAGES ? sizeof(struct image)
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
	bool good = true;
	for (;;) {
		if (!(good = next(p)))
			break;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		items = xgrow(items, &cap, (n + 1) * elem, 1);
		void *it = items + n * elem;
		memset(it, 0, elem);
		bool keep = true;
		if (kind == K_TOPICS) {
			const char *s = NULL;
			good = read_str(p, key, &s);
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

static bool read_value(struct parser *p, const struct field *f, void *obj, unsigned *has)
{
	char *at = (char *)obj + f->off;
	bool ok = false, good = true;
	switch (f->kind) {
	case K_STR:
		return read_str(p, f->key, (const char **)at);
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
		if (is_null(&p->ev))
			return true;
		return read_mapping(p, f->key, provider_fields, at, NULL);
	case K_TOPICS:
	case K_IMAGES:
	case K_RELATED:
		return read_list(p, f->key, f->kind, (void **)at, (size_t *)((char *)obj + f->off_n));
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
		while (f->key && strcmp(f->key, k))
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
		if (!read_value(p, f, obj, has))
			return false;
	}
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

struct article *parse_article(const char *path, const char *data, size_t len,
			      struct strlist *problems)
{
	struct parser p = {.path = path, .problems = problems};
	const char *end = data + len, *s = data;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	if (s == end) {
		problem_line(&p, 1, "empty file");
		return NULL;
	}
	const char *eol = memchr(s, '\n', (size_t)(end - s));
	if (!is_fence(s, eol ? eol : end)) {
		problem_line(&p, 1, "no front matter: the first line should be '---'");
		return NULL;
	}
	/* Find the closing fence. */
	const char *close = NULL;
	size_t line = 1;
	for (const char *l = eol ? eol + 1 : end; l < end;) {
		line++;
		const char *e = memchr(l, '\n', (size_t)(end - l));
		if (!e)
			e = end;
		if (is_fence(l, e)) {
			close = l;
			break;
		}
		l = e + 1;
	}
	if (!close) {
		problem_line(&p, 1, "front matter is not closed: no '---' line after line 1");
		return NULL;
	}

	struct article *a = article_new_sized(path, len);
	p.arena = &a->arena;
	yaml_parser_initialize(&p.y);
	yaml_parser_set_input_string(&p.y, (const unsigned char *)s, (size_t)(close - s));
	bool good = next(&p) && p.ev.type == YAML_STREAM_START_EVENT && next(&p);
	if (good && p.ev.type == YAML_STREAM_END_EVENT) {
		problem_line(&p, 1, "front matter is empty");
		good = false;
	} else if (good && p.ev.type == YAML_DOCUMENT_START_EVENT && next(&p)) {
		if (p.ev.type == YAML_MAPPING_START_EVENT) {
			good = read_mapping(&p, "front matter", article_fields, a, &a->has);
		} else if (is_null(&p.ev)) {
			problem_line(&p, 1, "front matter is empty");
			good = false;
		} else {
			problem_at(&p, p.ev.start_mark, "front matter should be a mapping, not %s",
				   node_kind(&p.ev));
			good = false;
		}
	} else {
		good = false;
	}
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.y);
	if (!good) {
		article_free(a);
		return NULL;
	}
	return a;
}
