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
