/* Tab after :topic and :provider offers the archive's names most frequent
 * first: on tests/corpus, MarketWatch (23 articles) before VentureBeat
 * (6), each name once, the counts never rising. */
#include <criterion/criterion.h>
#include <string.h>
#include <strings.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

/* How many articles of s carry name (as a topic, or as provider). */
static size_t carried(const struct store *s, enum query_names kind, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (kind == QUERY_PROVIDERS) {
			const char *pv = store_provider_name(s, i);
			n += pv && !strcasecmp(pv, name);
			continue;
		}
		for (size_t k = 0; k < store_ntopics(s, i); k++)
			if (!strcasecmp(store_topic(s, i, k), name)) {
				n++;
				break;
			}
	}
	return n;
}

Test(names_count, most_frequent_first, .timeout = 30)
{
	struct store s;
	load_path(&s, "tests/corpus");
	struct query *q = query_new(&s);
	for (int kind = 0; kind < 2; kind++) {
		struct strlist by_count = {0}, sorted = {0};
		query_names_by_count(q, (enum query_names)kind, &by_count);
		query_names(q, (enum query_names)kind, &sorted);
		cr_assert_eq(by_count.n, sorted.n, "every name once");
		for (size_t i = 1; i < by_count.n; i++)
			cr_assert_geq(carried(&s, (enum query_names)kind, by_count.v[i - 1]),
				      carried(&s, (enum query_names)kind, by_count.v[i]), "%s before %s",
				      by_count.v[i - 1], by_count.v[i]);
		if (kind == QUERY_PROVIDERS)
			cr_assert_str_eq(by_count.v[0], "MarketWatch");
		strlist_free(&by_count);
		strlist_free(&sorted);
	}
	query_free(q);
	store_free(&s);
}
