/* names: interned names, exact or folded to lower-case ASCII, each an id
 * in the order first met, in an open-addressed table kept at most half
 * full (names.h). */
#include "lede/names.h"

#include <stdlib.h>
#include <string.h>

#include "lede/hash.h"

/* name with ASCII letters lowered, in b; its length is b->len. */
static const char *fold_name(struct buf *b, const char *name)
{
	b->len = 0;
	buf_puts(b, name);
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] + 32);
	return buf_str(b);
}

/* The slot of key (its hash h): the one holding it, or the empty one
 * where it would go. */
static size_t slot_of(const struct names *t, const char *key, uint64_t h)
{
	size_t at = (size_t)h & t->mask;
	while (t->slots[at]) {
		const struct name *nm = &t->v[t->slots[at] - 1];
		if (nm->hash == h && !strcmp(nm->key, key))
			break;
		at = (at + 1) & t->mask;
	}
	return at;
}

static void grow(struct names *t)
{
	size_t nslots = t->slots ? (t->mask + 1) * 2 : 64;
	free(t->slots);
	t->slots = xcalloc(nslots, sizeof *t->slots);
	t->mask = nslots - 1;
	for (size_t id = 0; id < t->n; id++)
		t->slots[slot_of(t, t->v[id].key, t->v[id].hash)] = (uint32_t)id + 1;
}

uint32_t names_intern(struct names *t, const char *name)
{
	const char *key = t->fold ? fold_name(&t->scratch, name) : name;
	uint64_t h = hash_bytes(key, t->fold ? t->scratch.len : strlen(key));
	if (!t->slots)
		grow(t);
	size_t at = slot_of(t, key, h);
	if (t->slots[at]) {
		struct name *nm = &t->v[t->slots[at] - 1];
		if (t->fold && strcmp(name, nm->first) < 0)
			nm->first = name;
		return t->slots[at] - 1;
	}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	uint32_t id = (uint32_t)t->n++;
	char *own = xstrdup(key);
	t->v[id] = (struct name){own, h, t->fold ? name : own};
	t->slots[at] = id + 1;
	if (t->n * 2 > t->mask + 1) /* at most half full */
		grow(t);
	return id;
}

uint32_t names_find(const struct names *t, const char *name)
{
	if (!t->slots)
		return NAMES_ABSENT;
	struct buf b = {0};
	const char *key = t->fold ? fold_name(&b, name) : name;
	size_t at = slot_of(t, key, hash_bytes(key, t->fold ? b.len : strlen(key)));
	buf_free(&b);
	return t->slots[at] ? t->slots[at] - 1 : NAMES_ABSENT;
}

void names_free(struct names *t)
{
	for (size_t id = 0; id < t->n; id++)
		free(t->v[id].key);
	free(t->v);
	free(t->slots);
	buf_free(&t->scratch);
}
