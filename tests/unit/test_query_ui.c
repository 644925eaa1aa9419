/* The reader over the engine's quick paths: the selection stays on its
 * story through every sort with a filter, a topic or a provider on (the
 * inverse order in a filtered part), and the status line's counts follow
 * the marks as they change. Played headless by the lede binary; the
 * script's own expectations decide. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/util.h"

static void play(const char *name, const char *script)
{
	char *dir = temp_dir("query-ui");
	char *path = xasprintf("%s/%s.script", dir, name);
	/* one line per file: these tests are about rows, not the grouped list */
	char *text = xasprintf("config set group none\n%s", script);
	write_text(path, text);
	free(text);
	char *state = xasprintf("XDG_STATE_HOME=%s", dir);
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache",
			     "NO_COLOR=1", state, NULL};
	const char *argv[] = {"--script", path, "seeds", NULL};
	struct run r;
	run_lede(&r, argv, env);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", name, r.status, r.err);
	cr_assert_eq(r.err_len, 0, "%s: %s", name, r.err);
	run_free(&r);
	free(state);
	free(path);
	temp_dir_free(dir);
}

/* Through the s key's walk, then each of two reversed, and back to the
 * date, newest first: the selected story stays. */
#define EVERY_SORT(title)                                                                        \
	"key s\nexpect selected " title "\nkey s\nexpect selected " title "\n"                   \
	"key s\nexpect selected " title "\nkey s\nexpect selected " title "\n"                   \
	"key S\nexpect selected " title "\nkey s\nexpect selected " title "\n"                   \
	"key S\nexpect selected " title "\nkey S\nexpect selected " title "\n"                   \
	"expect status sort: date desc\n"

Test(query_ui, selection_stays_through_sorts_under_filters)
{
	play("filtered",
	     /* the whole list: the order itself */
	     "key j j\nexpect selected SEER\n" EVERY_SORT("SEER")
	     /* a filter: the rows are a part of the order */
	     "type fnew\nkey Enter\nexpect rows 3\nexpect selected SEER\n" EVERY_SORT("SEER")
	     "key j\nexpect selected vision model\n" EVERY_SORT("vision model")
	     "key G\nexpect selected image-recognition\n" EVERY_SORT("image-recognition")
	     /* the filter cleared: still on the same story */
	     "type f\nkey C-u Enter\nexpect rows 5\nexpect selected image-recognition\n"
	     /* a topic and a provider, in another case than the archive's */
	     "type :topic computer vision\nkey Enter\nexpect rows 2\n"
	     "expect message ^2 stories with topic computer vision$\n"
	     "key G\nexpect selected vision model\n" EVERY_SORT("vision model")
	     "key g\nexpect selected Analytics\n" EVERY_SORT("Analytics")
	     "type :topic\nkey Enter\nexpect rows 5\nexpect selected Analytics\n"
	     "type :provider VENTUREBEAT\nkey Enter\nexpect rows 2\n"
	     "expect selected self-supervised\n"
	     "key G\nexpect selected vision model\n" EVERY_SORT("vision model")
	     "type :provider nobody\nkey Enter\nexpect rows 0\n"
	     "type :provider\nkey Enter\nexpect rows 5\nexpect selected self-supervised\n");
}

Test(query_ui, counts_follow_the_marks)
{
	play("counts",
	     "expect status unread: 5  starred: 0$\n"
	     /* m and * move on to the next story, as in mutt */
	     "key m\nexpect status unread: 4  starred: 0$\n"
	     "key m\nexpect status unread: 3  starred: 0$\n"
	     "key k\nexpect selected Analytics\nkey m\nexpect status unread: 4  starred: 0$\n"
	     "key *\nexpect status unread: 4  starred: 1$\n"
	     "key *\nexpect status unread: 4  starred: 2$\n"
	     "key g j j\nexpect selected SEER\nkey *\nexpect status unread: 4  starred: 1$\n"
	     /* a filter of the marks shows them, and what it keeps */
	     "key u\nexpect rows 4\nexpect status unread: 4  starred: 1 \\(showing unread\\)$\n"
	     "key u\nexpect rows 1\nexpect selected vision model\n"
	     "key m\nexpect status unread: 3  starred: 1 \\(showing starred\\)$\n"
	     "key u\nexpect rows 5\nexpect status unread: 3  starred: 1$\n"
	     /* Enter reads the story */
	     "key G Enter\nexpect status unread: 2  starred: 1$\n");
}

/* An archive of n stories a minute apart, "story NNNN" newest first; the
 * ones whose number is in rare are "zebra story NNNN". */
static char *minutes_archive(size_t n, const size_t *rare, size_t nrare)
{
	char *dir = temp_dir("query-ui-seek");
	for (size_t i = 0; i < n; i++) {
		bool zebra = false;
		for (size_t k = 0; k < nrare; k++)
			zebra |= rare[k] == i;
		char *path = xasprintf("%s/%04zu.txt", dir, i);
		char *text = xasprintf("---\ntitle: \"%sstory %04zu\"\nexcerpt: \"plain words\"\n"
				       "publishedDateTime: 2021-01-%02zuT%02zu:%02zu:00Z\ntype: article\n"
				       "---\n",
				       zebra ? "zebra " : "", i, 1 + i / 1440, i / 60 % 24, i % 60);
		write_text(path, text);
		free(text);
		free(path);
	}
	return dir;
}

/* The script over archive, with LEDE_SEEK_US, LEDE_THREAD_MIN and
 * LEDE_WARM_DELAY_US as given (NULL: unset); its own expectations decide. */
static void play_over_held(const char *archive, const char *script, const char *seek_us,
			   const char *thread_min, const char *warm_us)
{
	char *dir = temp_dir("query-ui-seek-run");
	char *path = xasprintf("%s/seek.script", dir);
	char *text = xasprintf("config set group none\n%s", script);
	write_text(path, text);
	free(text);
	char *state = xasprintf("XDG_STATE_HOME=%s", dir);
	char *seek = seek_us ? xasprintf("LEDE_SEEK_US=%s", seek_us) : NULL;
	char *tmin = thread_min ? xasprintf("LEDE_THREAD_MIN=%s", thread_min) : NULL;
	const char *env[12] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			       "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache",
			       "NO_COLOR=1", state};
	size_t e = 8;
	if (seek)
		env[e++] = seek;
	if (tmin)
		env[e++] = tmin;
	char *warm = warm_us ? xasprintf("LEDE_WARM_DELAY_US=%s", warm_us) : NULL;
	if (warm)
		env[e++] = warm;
	const char *argv[] = {"--script", path, archive, NULL};
	struct run r;
	run_lede(&r, argv, env);
	cr_assert_eq(r.status, 0, "LEDE_SEEK_US=%s LEDE_THREAD_MIN=%s: exit %d: %s",
		     seek_us ? seek_us : "-", thread_min ? thread_min : "-", r.status, r.err);
	cr_assert_eq(r.err_len, 0, "%s", r.err);
	run_free(&r);
	free(seek);
	free(tmin);
	free(warm);
	free(state);
	free(path);
	temp_dir_free(dir);
}

static void play_over(const char *archive, const char *script, const char *seek_us,
		      const char *thread_min)
{
	play_over_held(archive, script, seek_us, thread_min, NULL);
}

/* A step of the search that a key leaves pending (no time for it: the
 * engine's matches found on a thread meanwhile) lands, once the ticks
 * finish it, on the row the step lands on at once when they are known:
 * forward and back, round the end both ways, and typed on. The player
 * finishes it before each expectation. */
Test(query_ui, a_pending_search_step_lands_where_a_known_one_does)
{
	const size_t rare[] = {2900, 1500, 100};
	char *archive = minutes_archive(3000, rare, 3);
	const char *script = "type /zebra\nkey Enter\nexpect selected zebra story 2900\n"
			     "expect message ^match 1 of 3$\n"
			     "key n\nexpect selected zebra story 1500\n"
			     "key n\nexpect selected zebra story 0100\n"
			     "key n\nexpect selected zebra story 2900\n"
			     "expect message ^match 1 of 3, wrapped$\n"
			     "key N\nexpect selected zebra story 0100\n"
			     "expect message ^match 3 of 3, wrapped$\n"
			     "key N\nexpect selected zebra story 1500\n"
			     "key g\ntype /zebra story 01\nkey Enter\n"
			     "expect selected zebra story 0100\n"
			     "type /no such words\nkey Enter\nexpect selected zebra story 0100\n"
			     "expect message ^no match for no such words$\n";
	play_over(archive, script, NULL, NULL);     /* known at once: a small store */
	play_over(archive, script, NULL, "1");      /* found on a thread */
	play_over(archive, script, "0", "1");       /* and each key's step left pending */
	temp_dir_free(archive);
	/* in an order the warm-up makes after the start (the quality's: none
	 * has one, so the titles', the zebras last), with more stories than
	 * the head of an order the reader makes itself: a step past it waits
	 * for a tick rather than make the order on the key. The warm-up is
	 * held back half a second, so that the steps meet the order still
	 * being made. */
	const size_t rare_far[] = {5900, 1500, 100};
	archive = minutes_archive(6000, rare_far, 3);
	const char *by_quality = "type :sort quality\nkey Enter\n"
				 "type /zebra\nkey Enter\nexpect selected zebra story 0100\n"
				 "expect message ^match 1 of 3$\n"
				 "key n\nexpect selected zebra story 1500\n"
				 "key n\nexpect selected zebra story 5900\n"
				 "key n\nexpect selected zebra story 0100\n"
				 "expect message ^match 1 of 3, wrapped$\n"
				 "key N\nexpect selected zebra story 5900\n"
				 "expect message ^match 3 of 3, wrapped$\n"
				 "key g\nkey N\nexpect selected zebra story 5900\n"
				 "expect message ^match 3 of 3, wrapped$\n";
	play_over(archive, by_quality, NULL, NULL);
	play_over_held(archive, by_quality, NULL, "1", "500000");
	play_over_held(archive, by_quality, "0", "1", "500000");
	temp_dir_free(archive);
}
