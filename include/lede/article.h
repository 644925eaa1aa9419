/* article: the parsed article and its related stories. Every string and
 * array of one article lives in that article's arena and is freed with it by
 * article_free(); nothing inside is owned separately. Missing strings are
 * NULL; missing numbers are marked by the has_* bits. */
#ifndef LEDE_ARTICLE_H
#define LEDE_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	size_t next; /* the size of the next block; 0: a small default */
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
void arena_free(struct arena *a);

/* A slab: many small articles of one owner, carved with their strings
 * from big chunks and freed all at once by slab_free. For what a printing
 * mode keeps until it exits: a hundred thousand mallocs of an article and
 * its block, and their frees, were a third of a warm --list. */
struct slab_chunk;
struct slab {
	struct slab_chunk *head;
};
/* n bytes, zeroed (the chunks are fresh mappings), aligned for any type. */
void *slab_alloc(struct slab *s, size_t n);
/* A copy of str (NULL for NULL), unaligned. */
const char *slab_strdup(struct slab *s, const char *str);
/* Every chunk of from handed to to; from is left empty. */
void slab_move(struct slab *to, struct slab *from);
void slab_free(struct slab *s);

/* How much of each field an article keeps. The parser cuts a longer string
 * (at a UTF-8 character boundary) or leaves out the items past a count, and
 * says so; everything else about the article still loads. A file under the
 * size limit can then never hold a title that costs the reader on every key,
 * or a list whose structs outweigh the file. Far above anything a real
 * archive holds (its longest title is about 150 bytes, its longest URL about
 * 500, its most related stories about 60); the cache decoder holds cached
 * articles to the same limits. Lengths are in bytes, without the NUL. */
enum {
	ARTICLE_TITLE_MAX = 2048,   /* title, a related story's or an image's title */
	ARTICLE_EXCERPT_MAX = 8192, /* excerpt, a related story's excerpt */
	ARTICLE_URL_MAX = 8192,     /* every URL field */
	ARTICLE_NAME_MAX = 256,     /* provider name and domain, category, type */
	ARTICLE_TOPIC_MAX = 256,    /* one topic */
	ARTICLE_TOPICS_MAX = 64,    /* topics of an article */
	ARTICLE_IMAGES_MAX = 64,    /* images of an article, provider or related story */
	ARTICLE_RELATED_MAX = 256,  /* related stories of an article */
	ARTICLE_ITEMS_MAX = 256,    /* a collection's items */
	ARTICLE_ACTIONS_MAX = 64,   /* a sample's actions */
	ARTICLE_AUTHORS_MAX = 64,   /* the authors of an article's provider */
};

enum {
	HAS_DATE = 1u << 0,
	HAS_QUALITY = 1u << 1,
	HAS_HEAT = 1u << 2,
	HAS_PUBLISHED = 1u << 3,
	HAS_WIDTH = 1u << 4,
	HAS_HEIGHT = 1u << 5,
	HAS_CACHED = 1u << 6,
};

/* A quality or heat of -1 is what these archives write for a score not
 * known: the reader shows it as a missing one, the sorts put it with the
 * missing ones, --list prints it as missing; --json keeps the file's
 * value. */
enum { ARTICLE_SCORE_UNKNOWN = -1 };
/* Is the score with this bit of has (HAS_QUALITY, HAS_HEAT) known? */
static inline bool article_score_known(unsigned has, unsigned bit, int32_t value)
{
	return (has & bit) && value != ARTICLE_SCORE_UNKNOWN;
}

struct image {
	const char *url, *title;
	int32_t width, height;
	bool is_cached;
	unsigned has;
};

struct provider {
	const char *name, *domain;
	struct image *images;
	size_t nimages;
	/* The authors' names (authors[].name): an article's provider only;
	 * a related story's has none. */
	const char **authors;
	size_t nauthors;
};

/* A link a record offers besides its URLs (a sample's "Download Source
 * Code"): shown and chosen by its title. */
struct article_action {
	const char *title, *url, *type;
};

struct related {
	const char *title, *excerpt, *type;
	const char *web_url, *amp_web_url, *cdn_amp_web_url;
	struct provider provider;
	int64_t date; /* seconds since the epoch, UTC */
	int32_t quality;
	unsigned has;
	struct image *images;
	size_t nimages;
	long local; /* index of the local article in its store, or -1 */
};

struct article {
	const char *path;
	const char *category, *type, *title, *excerpt;
	const char *name; /* a profile's or forum's, which may have no title */
	const char *original_url, *web_url, *amp_web_url, *cdn_amp_web_url;
	/* The src of the player featuredContent embeds (an iframe's), the
	 * only part of that HTML kept. */
	const char *player;
	int64_t date;
	int32_t quality, heat;
	bool published;
	unsigned has;
	struct provider provider;
	const char **topics;
	size_t ntopics;
	struct image *images;
	size_t nimages;
	struct related *related;
	size_t nrelated;
	/* A collection's items: paths of other records, without their
	 * extension, relative to the folder of the collection's kind (the
	 * parent of its own folder), e.g. "videos/some-name". */
	const char **items;
	size_t nitems;
	struct article_action *actions;
	size_t nactions;
	struct arena arena;
};

/* The story's identity, which its marks are kept by and which tells the
 * same story in two files: its webUrl, else its originalUrl, else its
 * path. Never NULL. */
const char *article_identity(const struct article *a);
/* What stands for its title on screen: the title, else the name, else
 * NULL (the caller shows the file's name, dimmed). */
const char *article_title(const struct article *a);

/* A new, empty article for path (copied). With a size hint (the bytes its
 * text will roughly need, e.g. the file's length), its arena starts with
 * one block of that size, so that 100,000 articles do not each carry a
 * mostly empty block. */
struct article *article_new(const char *path);
struct article *article_new_sized(const char *path, size_t hint);
/* Frees a and its arena; nothing for one made in a slab (see below). */
void article_free(struct article *a);
/* The bytes a holds: its struct and every block of its arena. What an
 * article costs once loaded, for the tests that bound it. */
size_t article_bytes(const struct article *a);
/* A copy of a that keeps only what lede --list prints and sorts by (path,
 * title, provider name, webUrl, date, quality, heat); a is freed. */
struct article *article_trim(struct article *a);
/* The same copy, a left as it is (it may live outside any arena). */
struct article *article_copy_listed(const struct article *a);
/* What a printing mode keeps of an article, and no more: the fields lede
 * --list prints and sorts by (its path, title, provider name, webUrl,
 * date, quality and heat), and its originalUrl when that is its identity
 * (article_identity). 56 bytes where an article's struct is 256: a
 * million rows, their strings included, are 200 MB less. */
struct list_row {
	const char *path, *title, *provider;
	/* the webUrl; with ROW_ORIGINAL in has, the originalUrl of an article
	 * without one */
	const char *url;
	int64_t date;
	int32_t quality, heat;
	unsigned char has; /* HAS_DATE, HAS_QUALITY, HAS_HEAT, ROW_ORIGINAL */
};
enum { ROW_ORIGINAL = 1u << 7 };
/* a's row in sl (which owns it and its strings: slab_free frees them),
 * named path; and a row of path alone. path is kept, not copied: the
 * caller makes it live as long as sl (a copy in sl itself, say). */
struct list_row *list_row_copy_in(struct slab *sl, const struct article *a, const char *path);
struct list_row *list_row_stub_in(struct slab *sl, const char *path);
/* r read as an article, for what prints and sorts articles: r's fields
 * set in *tmp, which the caller zeroed (the other fields are never set, so
 * one *tmp serves any number of rows). Returns tmp. */
const struct article *list_row_view(const struct list_row *r, struct article *tmp);
/* r's webUrl, NULL when it has none (its url then the originalUrl). */
static inline const char *list_row_web_url(const struct list_row *r)
{
	return r->has & ROW_ORIGINAL ? NULL : r->url;
}

#endif
