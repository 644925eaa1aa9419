/* article: arena allocation and the article's life cycle. */
#include "lede/article.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "lede/compat.h"
#include "lede/util.h"

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

enum { ARENA_MIN_BLOCK = 256, ARENA_MAX_BLOCK = 64 * 1024 };

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = a->next ? a->next : ARENA_MIN_BLOCK;
		if (size < n)
			size = n;
		/* grow geometrically, so a big article needs few blocks */
		a->next = size * 2 < ARENA_MAX_BLOCK ? size * 2 : ARENA_MAX_BLOCK;
		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		if (a->head && a->head->size - a->head->used > size - n) {
			/* the current block has more room left: keep it on top */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	if (n == 0)
		return NULL;
	void *d = arena_alloc(a, n);
	memcpy(d, p, n);
	return d;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

struct article *article_new_sized(const char *path, size_t hint)
{
	struct article *a = xcalloc(1, sizeof *a);
	size_t plen = strlen(path);
	/* the path as arena_alloc rounds it */
	a->arena.next = hint + ((plen + 1 + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1));
	a->path = arena_strndup(&a->arena, path, plen);
	return a;
}

struct article *article_new(const char *path)
{
	return article_new_sized(path, 0);
}

void article_free(struct article *a)
{
	if (!a)
		return;
	arena_free(&a->arena);
	free(a);
}

size_t article_bytes(const struct article *a)
{
	size_t n = sizeof *a;
	for (const struct arena_block *b = a->arena.head; b; b = b->next)
		n += sizeof *b + b->size;
	return n;
}

static const char *keep(struct arena *ar, const char *s)
{
	return s ? arena_strndup(ar, s, strlen(s)) : NULL;
}

static void keep_site(struct article *t, const struct article *a);
static const char *lazy_original(const struct article *a);
static const char *lazy_name(const struct article *a);

struct article *article_copy_listed(const struct article *a)
{
	size_t need = (a->title ? strlen(a->title) + 1 : 0) +
		      (a->web_url ? strlen(a->web_url) + 1 : 0) +
		      (a->provider.name ? strlen(a->provider.name) + 1 : 0) + 64;
	struct article *t = article_new_sized(a->path, need);
	t->title = keep(&t->arena, a->title);
	t->web_url = keep(&t->arena, a->web_url);
	t->provider.name = keep(&t->arena, a->provider.name);
	keep_site(t, a); /* the identity, the title's stand-in, the type */
	t->date = a->date;
	t->quality = a->quality;
	t->heat = a->heat;
	t->has = a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT);
	return t;
}

/* What a listed copy keeps of a site's records:
 * the originalUrl only where it is the identity, the name only where it
 * stands for the title. */
static const char *lazy_original(const struct article *a)
{
	return a->web_url ? NULL : a->original_url;
}

static const char *lazy_name(const struct article *a)
{
	return a->title ? NULL : a->name;
}

static void keep_site(struct article *t, const struct article *a)
{
	t->original_url = keep(&t->arena, lazy_original(a));
	t->name = keep(&t->arena, lazy_name(a));
	t->type = keep(&t->arena, a->type);
}


/* ---- slabs ---- */

struct slab_chunk {
	struct slab_chunk *next;
	size_t used, size; /* size: of the whole mapping */
	alignas(max_align_t) unsigned char data[];
};

/* Big enough that the chunks are few, and their mapping worth making
 * whole at once (compat_map_prefaulted). */
enum { SLAB_CHUNK = 2 << 20 };

/* n bytes from s, at a multiple of align (a power of two) */
static void *slab_take(struct slab *s, size_t n, size_t align)
{
	struct slab_chunk *c = s->head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (!c || at > c->size - sizeof *c || c->size - sizeof *c - at < n) {
		size_t size = n > SLAB_CHUNK - sizeof *c ? sizeof *c + n : SLAB_CHUNK;
		c = size == SLAB_CHUNK ? compat_map_huge(size) : compat_map_prefaulted(size);
		c->size = size;
		c->next = s->head;
		s->head = c;
		at = 0;
	}
	c->used = at + n;
	return c->data + at;
}

void *slab_alloc(struct slab *s, size_t n)
{
	return slab_take(s, n, alignof(max_align_t));
}

void slab_move(struct slab *to, struct slab *from)
{
	while (from->head) {
		struct slab_chunk *c = from->head;
		from->head = c->next;
		c->next = to->head;
		to->head = c;
	}
}

void slab_free(struct slab *s)
{
	while (s->head) {
		struct slab_chunk *c = s->head;
		s->head = c->next;
		compat_unmap(c, c->size);
	}
}

const char *slab_strdup(struct slab *sl, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	return memcpy(slab_take(sl, n, 1), s, n); /* strings packed, unaligned */
}

_Static_assert(!(ROW_ORIGINAL & (HAS_DATE | HAS_QUALITY | HAS_HEAT)), "a row's bits apart");

struct list_row *list_row_stub_in(struct slab *sl, const char *path)
{
	/* zero already (a slab's chunks are fresh mappings, never reused),
	 * aligned for its pointers alone */
	struct list_row *r = slab_take(sl, sizeof *r, alignof(struct list_row));
	r->path = path;
	return r;
}

struct list_row *list_row_copy_in(struct slab *sl, const struct article *a, const char *path)
{
	struct list_row *r = list_row_stub_in(sl, path);
	const char *original = lazy_original(a);
	r->title = slab_strdup(sl, a->title);
	r->url = slab_strdup(sl, original ? original : a->web_url);
	r->provider = slab_strdup(sl, a->provider.name);
	r->date = a->date;
	r->quality = a->quality;
	r->heat = a->heat;
	r->has = (unsigned char)((a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT)) |
				 (original ? ROW_ORIGINAL : 0));
	return r;
}

const struct article *list_row_view(const struct list_row *r, struct article *tmp)
{
	bool original = r->has & ROW_ORIGINAL;
	tmp->path = r->path;
	tmp->title = r->title;
	tmp->web_url = list_row_web_url(r);
	tmp->original_url = original ? r->url : NULL;
	tmp->provider.name = r->provider;
	tmp->date = r->date;
	tmp->quality = r->quality;
	tmp->heat = r->heat;
	tmp->has = r->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT);
	return tmp;
}

struct article *article_trim(struct article *a)
{
	struct article *t = article_copy_listed(a);
	article_free(a);
	return t;
}

const char *article_identity(const struct article *a)
{
	if (a->web_url && *a->web_url)
		return a->web_url;
	if (a->original_url && *a->original_url)
		return a->original_url;
	return a->path;
}

const char *article_title(const struct article *a)
{
	if (a->title && *a->title)
		return a->title;
	if (a->name && *a->name)
		return a->name;
	return NULL;
}
