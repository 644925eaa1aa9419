/* fields: the table of an article's fields (see fields.h). */
#include "lede/fields.h"

#include <pthread.h>
#include <string.h>

/* Where a field is read, and what the parser keeps of it (article.h). */
#define AT(member) offsetof(struct article, member)
#define STRING(member, limit) .kind = FIELD_IS_STRING, .off = AT(member), .max = (limit)
#define LIST(member, count, limit, items)                                                  \
	.kind = FIELD_IS_LIST, .off = AT(member), .count_off = AT(count), .max = (limit),    \
	.max_items = (items)
#define NUMBER(k, member, bit) .kind = (k), .off = AT(member), .has = (bit)

const struct field fields_table[FIELD_N] = {
	/* The searched fields, in the order a cache entry's head holds them. */
	[FIELD_TITLE] = {.name = "title", .label = "Title", STRING(title, ARTICLE_TITLE_MAX),
			 .flags = FIELD_SEARCHED | FIELD_SORTED | FIELD_SHOWN},
	[FIELD_EXCERPT] = {.name = "excerpt", STRING(excerpt, ARTICLE_EXCERPT_MAX),
			   .flags = FIELD_SEARCHED},
	[FIELD_PROVIDER] = {.name = "provider", .label = "Provider",
			    STRING(provider.name, ARTICLE_NAME_MAX),
			    .flags = FIELD_SEARCHED | FIELD_SORTED | FIELD_SHOWN},
	[FIELD_TOPICS] = {.name = "topics",
			  LIST(topics, ntopics, ARTICLE_TOPIC_MAX, ARTICLE_TOPICS_MAX),
			  .flags = FIELD_SEARCHED},
	[FIELD_DATE] = {.name = "date", .label = "Date", NUMBER(FIELD_IS_DATE, date, HAS_DATE),
			.flags = FIELD_SORTED | FIELD_DESC | FIELD_SHOWN},
	[FIELD_QUALITY] = {.name = "quality", .label = "Qual",
			   NUMBER(FIELD_IS_INT, quality, HAS_QUALITY),
			   .flags = FIELD_SORTED | FIELD_DESC | FIELD_SHOWN},
	[FIELD_HEAT] = {.name = "heat", .label = "Heat", NUMBER(FIELD_IS_INT, heat, HAS_HEAT),
			.flags = FIELD_SORTED | FIELD_DESC | FIELD_SHOWN},
	/* Named, not yet searched, sorted or shown. */
	[FIELD_DOMAIN] = {.name = "domain", STRING(provider.domain, ARTICLE_NAME_MAX)},
	[FIELD_CATEGORY] = {.name = "category", STRING(category, ARTICLE_NAME_MAX)},
	[FIELD_TYPE] = {.name = "type", STRING(type, ARTICLE_NAME_MAX)},
	[FIELD_WEB_URL] = {.name = "webUrl", STRING(web_url, ARTICLE_URL_MAX)},
	[FIELD_ORIGINAL_URL] = {.name = "originalUrl", STRING(original_url, ARTICLE_URL_MAX)},
	[FIELD_AMP_WEB_URL] = {.name = "ampWebUrl", STRING(amp_web_url, ARTICLE_URL_MAX)},
	[FIELD_CDN_AMP_WEB_URL] = {.name = "cdnAmpWebUrl",
				   STRING(cdn_amp_web_url, ARTICLE_URL_MAX)},
	/* the file's path: never missing, limited by the system alone */
	[FIELD_PATH] = {.name = "path", STRING(path, 0)},
};

static struct field_set searched;
static pthread_once_t searched_once = PTHREAD_ONCE_INIT;

static void find_searched(void)
{
	for (size_t i = 0; i < FIELD_N; i++)
		if (fields_table[i].flags & FIELD_SEARCHED)
			searched.v[searched.n++] = &fields_table[i];
}

const struct field_set *fields_searched(void)
{
	pthread_once(&searched_once, find_searched);
	return &searched;
}

const struct field *fields_find(const char *name, size_t len)
{
	for (size_t i = 0; i < FIELD_N; i++) {
		const struct field *f = &fields_table[i];
		if (strlen(f->name) == len && !memcmp(f->name, name, len))
			return f;
	}
	return NULL;
}
