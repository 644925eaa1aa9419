/* Coverage clusters: the method measured on the labelled pairs of
 * tests/data/cluster-pairs.tsv (articles of tests/corpus and seeds/, judged
 * same story or not by reading them), its cases one by one, and what the
 * command line prints of them (--json's "cluster", --list --group). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cluster.h"
#include "lede/store.h"
#include "lede/util.h"

#define PAIRS "tests/data/cluster-pairs.tsv"
#define SEEDS "seeds"
#define SEER0 "seeds/000_05f876dcdba3f9f7.txt" /* VentureBeat, quality 74 */
#define DINO "seeds/004_b985d409ac3f70d7.txt"
#define SEER0_URL                                                                              \
	"https://venturebeat.com/2021/03/04/facebooks-new-computer-vision-model-achieves-state-" \
	"of-the-art-performance-by-learning-from-random-images/"

/* The floors the method must keep on the labelled pairs (it measures
 * 0.900 and 1.000 there: see the README's "Stories, not files"). */
#define PRECISION_FLOOR 0.85
#define RECALL_FLOOR 0.90

static void load_corpus(struct store *s, const char *const *paths, size_t n)
{
	store_init(s);
	store_load(s, paths, n, NULL);
	cluster_publish(s, cluster_compute(s, NULL));
	cr_assert_not_null(cluster_of(s));
}

static long index_of(const struct store *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(store_path(s, i), path))
			return (long)i;
	return -1;
}

static bool same_cluster(const struct store *s, long a, long b)
{
	return cluster_lead(s, (size_t)a) == cluster_lead(s, (size_t)b);
}

struct measure {
	size_t tp, fp, fn, tn;
};

/* Every labelled pair, judged by the clusters of s. */
static struct measure measure_pairs(const struct store *s)
{
	struct measure m = {0};
	size_t len;
	char *text = slurp(PAIRS, &len);
	size_t lineno = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		lineno++;
		if (line[0] == '#')
			continue;
		char *a = line, *b = strchr(a, '\t');
		cr_assert_not_null(b, PAIRS ":%zu: no second article", lineno);
		*b++ = '\0';
		char *verdict = strchr(b, '\t');
		cr_assert_not_null(verdict, PAIRS ":%zu: no verdict", lineno);
		*verdict++ = '\0';
		char *reason = strchr(verdict, '\t');
		cr_assert(reason && reason[1], PAIRS ":%zu: no reason", lineno);
		*reason = '\0';
		long ia = index_of(s, a), ib = index_of(s, b);
		cr_assert(ia >= 0 && ib >= 0, PAIRS ":%zu: %s or %s not loaded", lineno, a, b);
		bool same = !strcmp(verdict, "same");
		cr_assert(same || !strcmp(verdict, "different"), PAIRS ":%zu: bad verdict %s",
			  lineno, verdict);
		bool said = same_cluster(s, ia, ib);
		if (same)
			said ? m.tp++ : m.fn++;
		else
			said ? m.fp++ : m.tn++;
	}
	free(text);
	return m;
}

Test(cluster, precision_and_recall_on_the_labelled_pairs_stay_above_their_floors)
{
	struct store s;
	const char *paths[] = {"tests/corpus", SEEDS};
	load_corpus(&s, paths, 2);
	struct measure m = measure_pairs(&s);
	cr_assert_geq(m.tp + m.fn, 25, "too few same-story pairs: %zu", m.tp + m.fn);
	cr_assert_geq(m.fp + m.tn, 40, "too few different pairs: %zu", m.fp + m.tn);
	double precision = (double)m.tp / (double)(m.tp + m.fp);
	double recall = (double)m.tp / (double)(m.tp + m.fn);
	cr_log_info("cluster pairs: precision %.3f, recall %.3f (tp %zu fp %zu fn %zu tn %zu)",
		    precision, recall, m.tp, m.fp, m.fn, m.tn);
	cr_expect_geq(precision, PRECISION_FLOOR, "precision %.3f (tp %zu, fp %zu)", precision,
		      m.tp, m.fp);
	cr_expect_geq(recall, RECALL_FLOOR, "recall %.3f (tp %zu, fn %zu)", recall, m.tp, m.fn);
	store_free(&s);
}

/* The seeds: four outlets on SEER, one cluster led by the best of them;
 * DINO, a month later on the same subject, alone. */
Test(cluster, seer_is_one_story_and_dino_another)
{
	struct store s;
	load_path(&s, SEEDS);
	cluster_publish(&s, cluster_compute(&s, NULL));
	long dino = index_of(&s, DINO), lead = index_of(&s, SEER0);
	cr_assert(dino >= 0 && lead >= 0);
	for (size_t i = 0; i < s.n; i++) {
		if ((long)i == dino)
			continue;
		cr_expect_eq(cluster_size(&s, i), 4, "%s", store_path(&s, i));
		cr_expect_eq(cluster_lead(&s, i), (size_t)lead, "%s", store_path(&s, i));
	}
	cr_expect_eq(cluster_size(&s, (size_t)dino), 1);
	cr_expect_eq(cluster_lead(&s, (size_t)dino), (size_t)dino);
	/* the ring: the lead, then the others by date */
	const struct cluster_set *c = cluster_of(&s);
	size_t i = (size_t)lead, seen = 0;
	int64_t last = INT64_MIN;
	do {
		if (i != (size_t)lead) {
			cr_expect_geq(store_date(&s, i), last, "%s", store_path(&s, i));
			last = store_date(&s, i);
		}
		i = c->next[i];
		seen++;
	} while (i != (size_t)lead && seen < 10);
	cr_expect_eq(seen, 4);
	cr_expect_eq(c->nclusters, 1);
	cr_expect_eq(c->nclustered, 4);
	store_free(&s);
}

/* One wire's templated market reports share every common word of their
 * titles and excerpts and link to each other: never one story. */
Test(cluster, templated_reports_of_one_wire_stay_apart)
{
	struct store s;
	const char *paths[] = {"tests/corpus"};
	load_corpus(&s, paths, 1);
	static const char *const how_will[] = {
		"how-will-natural-language-processing-market-deal-with-the-covid-19-crisis.md",
		"how-will-service-robotics-market-deal-with-the-covid-19-crisis.md",
		"how-will-speech-and-voice-recognition-market-deal-with-the-covid-19-crisis.md",
	};
	long v[3];
	for (int k = 0; k < 3; k++) {
		char *p = xasprintf("tests/corpus/SmartableAI__artificial-intelligence/2020-04-22-%s",
				    how_will[k]);
		v[k] = index_of(&s, p);
		cr_assert_geq(v[k], 0, "%s", p);
		free(p);
	}
	cr_expect_not(same_cluster(&s, v[0], v[1]));
	cr_expect_not(same_cluster(&s, v[0], v[2]));
	cr_expect_not(same_cluster(&s, v[1], v[2]));
	store_free(&s);
}

/* The same story saved twice under two names is one cluster, whatever
 * else is loaded; so is it saved a third time, far from the others'
 * dates under a name that sorts first. */
Test(cluster, exact_duplicates_are_one_cluster)
{
	char *dir = temp_dir("cluster-dup");
	size_t len;
	char *text = slurp(DINO, &len);
	char *a = xasprintf("%s/a.md", dir), *b = xasprintf("%s/b.md", dir);
	write_text(a, text);
	write_text(b, text);
	struct store s;
	const char *paths[] = {SEEDS, dir};
	load_corpus(&s, paths, 2);
	long ia = index_of(&s, a), ib = index_of(&s, b), id = index_of(&s, DINO);
	cr_assert(ia >= 0 && ib >= 0 && id >= 0);
	cr_expect_eq(cluster_size(&s, (size_t)ia), 3);
	cr_expect(same_cluster(&s, ia, ib));
	cr_expect(same_cluster(&s, ia, id));
	/* the SEER cluster is untouched by the copies */
	cr_expect_eq(cluster_size(&s, (size_t)index_of(&s, SEER0)), 4);
	store_free(&s);
	free(text);
	free(a);
	free(b);
	temp_dir_free(dir);
}

/* The same articles loaded in another order make the same clusters. */
Test(cluster, the_clusters_do_not_depend_on_the_load_order)
{
	struct store s1, s2;
	const char *order1[] = {"tests/corpus", SEEDS};
	const char *order2[] = {SEEDS, "tests/corpus"};
	load_corpus(&s1, order1, 2);
	load_corpus(&s2, order2, 2);
	cr_assert_eq(s1.n, s2.n);
	for (size_t i = 0; i < s1.n; i++) {
		long j = index_of(&s2, store_path(&s1, i));
		cr_assert_geq(j, 0);
		cr_expect_eq(cluster_size(&s1, i), cluster_size(&s2, (size_t)j), "%s",
			     store_path(&s1, i));
		cr_expect_str_eq(store_path(&s1, cluster_lead(&s1, i)),
				 store_path(&s2, cluster_lead(&s2, (size_t)j)), "%s",
				 store_path(&s1, i));
	}
	store_free(&s1);
	store_free(&s2);
}

/* Before a set is published every article is alone (what ~C reads while
 * the reader computes them); a cancelled computation gives none. */
Test(cluster, no_set_means_every_article_alone)
{
	struct store s;
	load_path(&s, SEEDS);
	for (size_t i = 0; i < s.n; i++) {
		cr_expect_eq(cluster_size(&s, i), 1);
		cr_expect_eq(cluster_lead(&s, i), i);
	}
	cr_expect_eq(cluster_size(&s, s.n + 5), 1);
	atomic_bool cancel = true;
	cr_expect_null(cluster_compute(&s, &cancel));
	store_free(&s);
}

/* The lead: the highest quality, a missing or -1 one lowest; then the
 * earliest. */
Test(cluster, leads_by_quality_then_date)
{
	struct store s;
	load_path(&s, SEEDS);
	long q74 = index_of(&s, SEER0), q67 = index_of(&s, "seeds/003_ff85beba3be8e642.txt");
	long q39_early = index_of(&s, "seeds/001_f1014d9369e0f1d9.txt");
	long q39_late = index_of(&s, "seeds/002_20383254385bc3bd.txt");
	cr_expect(cluster_leads(&s, (size_t)q74, (size_t)q67));
	cr_expect_not(cluster_leads(&s, (size_t)q67, (size_t)q74));
	cr_expect(cluster_leads(&s, (size_t)q39_early, (size_t)q39_late));
	cr_expect_not(cluster_leads(&s, (size_t)q39_late, (size_t)q39_early));
	store_free(&s);
}

/* ---- the command line ---- */

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of out that holds needle, as a new string. */
static char *line_with(const char *out, const char *needle)
{
	const char *p = strstr(out, needle);
	cr_assert_not_null(p, "%s not in %s", needle, out);
	const char *start = p;
	while (start > out && start[-1] != '\n')
		start--;
	const char *end = strchr(p, '\n');
	return xstrndup(start, (size_t)(end - start));
}

Test(cluster_cli, json_gives_members_their_lead_s_web_url_and_the_alone_nothing)
{
	struct run r;
	run_lede(&r, (const char *[]){"--json", "--no-cache", SEEDS, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.out), 5);
	const char *want = "\"cluster\":\"" SEER0_URL "\"";
	for (int k = 0; k < 4; k++) {
		char *path = xasprintf("\"path\":\"seeds/00%d_", k);
		char *line = line_with(r.out, path);
		cr_expect_not_null(strstr(line, want), "%s", line);
		free(line);
		free(path);
	}
	char *dino = line_with(r.out, "\"path\":\"" DINO "\"");
	cr_expect_null(strstr(dino, "\"cluster\""), "%s", dino);
	free(dino);
	run_free(&r);
}

Test(cluster_cli, list_group_prints_one_line_per_cluster_with_its_count)
{
	struct run list, group;
	run_lede(&list, (const char *[]){"--list", "--no-cache", SEEDS, NULL}, NULL);
	run_lede(&group, (const char *[]){"--list", "--group", "--no-cache", SEEDS, NULL}, NULL);
	cr_assert_eq(group.status, 0, "%s", group.err);
	/* newest first: DINO alone, then SEER (placed by its newest member),
	 * shown by its lead */
	char *dino = line_with(list.out, "segment-images-and-videos");
	char *seer = line_with(list.out, SEER0_URL);
	char *want = xasprintf("%s\t1\n%s\t4\n", dino, seer);
	cr_expect_str_eq(group.out, want);
	free(want);
	free(dino);
	free(seer);
	run_free(&list);
	run_free(&group);
}

/* With a search, a cluster counts and shows the matching members alone:
 * SEER's name is in two of them, which quality does not tell apart, so
 * the earlier leads. */
Test(cluster_cli, list_group_with_a_search_counts_the_matches)
{
	struct run list, group;
	run_lede(&list, (const char *[]){"--list", "--no-cache", "-e", "SEER", SEEDS, NULL}, NULL);
	run_lede(&group,
		 (const char *[]){"--list", "--group", "--no-cache", "-e", "SEER", SEEDS, NULL},
		 NULL);
	cr_assert_eq(group.status, 0, "%s", group.err);
	cr_assert_eq(count_lines(list.out), 2, "%s", list.out);
	char *first = line_with(list.out, "siliconangle.com");
	char *want = xasprintf("%s\t2\n", first);
	cr_expect_str_eq(group.out, want);
	free(want);
	free(first);
	run_free(&list);
	run_free(&group);
}

Test(cluster_cli, group_without_list_is_a_usage_error)
{
	struct run r;
	run_lede(&r, (const char *[]){"--json", "--group", SEEDS, NULL}, NULL);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "lede: --group works with --list only\n");
	cr_expect_str_eq(r.out, "");
	run_free(&r);
}

/* ---- the reader ---- */

/* The reader shows the stories of the archive as the check of every file
 * leaves it: DINO saved again after the cache was written is found by the
 * check, after the first screen, and then DINO's related view lists the
 * copy as another outlet of its story. */
Test(cluster_reader, the_stories_follow_the_check_of_every_file, .timeout = 60)
{
	char *home = temp_dir("cluster-reader-home"), *dir = temp_dir("cluster-reader");
	char *cmd = xasprintf("cp seeds/* '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	char *cache_env, *state_env;
	const char *env[10];
	reader_env(home, &cache_env, &state_env, env);
	struct run r;
	run_lede(&r, (const char *[]){"--check", dir, NULL}, env); /* writes the cache */
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);

	size_t len;
	char *text = slurp(DINO, &len);
	char *again = xasprintf("%s/saved-again.md", dir);
	write_text(again, text);
	char *script = xasprintf("%s.script", dir);
	write_text(script, "expect message ^\\+1 new\n"
			   "key g r\n"
			   "expect view related\n"
			   "expect screen Same story, other outlets \\(1\\)\n"
			   "expect screen saved-again|segment images\n");
	run_lede(&r, (const char *[]){"--script", script, "--size", "120x30", dir, NULL}, env);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect_null(strstr(r.err, "expected"), "%s", r.err);
	run_free(&r);
	unlink(script);
	free(script);
	free(again);
	free(text);
	free(cache_env);
	free(state_env);
	temp_dir_free(dir);
	temp_dir_free(home);
}

/* Articles that share no word with any other (an archive of one, or of
 * strangers): every one alone, and nothing read past an empty list of
 * words (the sanitizers' run of this test caught a copy from a NULL). */
Test(cluster, articles_with_no_word_in_common_stay_alone)
{
	char *dir = temp_dir("cluster-strangers");
	char *a = xasprintf("%s/a.md", dir), *b = xasprintf("%s/b.md", dir);
	struct store s;
	write_text(a, "---\ntitle: \"Shell test\"\npublishedDateTime: 2021-01-01T00:00:00Z\n---\n");
	const char *paths[] = {dir};
	load_corpus(&s, paths, 1);
	cr_assert_eq(s.n, 1);
	cr_expect_eq(cluster_size(&s, 0), 1);
	store_free(&s);
	write_text(b, "---\ntitle: \"Entirely different words\"\n---\n");
	load_corpus(&s, paths, 1);
	cr_assert_eq(s.n, 2);
	cr_expect_eq(cluster_size(&s, 0), 1);
	cr_expect_eq(cluster_size(&s, 1), 1);
	cr_expect_eq(cluster_of(&s)->nclusters, 0);
	store_free(&s);
	free(a);
	free(b);
	temp_dir_free(dir);
}
