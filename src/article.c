/* article: arena allocation and the article's life cycle. */
#include "lede/article.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

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

struct article *article_copy_listed(const struct article *a)
{
	size_t need = (a->title ? strlen(a->title) + 1 : 0) +
		      (a->web_url ? strlen(a->web_url) + 1 : 0) +
		      (a->provider.name ? strlen(a->provider.name) + 1 : 0) + 64;
	struct article *t = article_new_sized(a->path, need);
	t->title = keep(&t->arena, a->title);
	t->web_url = keep(&t->arena, a->web_url);
	t->provider.name = keep(&t->arena, a->provider.name);
	t->date = a->date;
	t->quality = a->quality;
	t->heat = a->heat;
	t->has = a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT);
	return t;
}


struct article *article_trim(struct article *a)
{
	struct article *t = article_copy_listed(a);
	article_free(a);
	return t;
}
