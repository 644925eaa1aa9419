/* The install: a staged `make install PREFIX=/usr DESTDIR=...` of the binary
 * under test (tests/e2e/install.sh, which reuses it rather than building
 * again), its staged tree, its man pages' paths, its finding its data
 * relative to itself, and an uninstall that removes only lede's files. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

Test(install, staged_tree_finds_its_data_and_uninstalls_only_its_files, .timeout = 60)
{
	const char *bin = getenv("LEDE_BIN");
	if (!bin || !*bin)
		bin = "./lede";
	char dir[] = "/tmp/lede-install-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char stage[sizeof dir + 16], err[sizeof dir + 16];
	snprintf(stage, sizeof stage, "%s/stage", dir);
	snprintf(err, sizeof err, "%s/stderr", dir);

	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		FILE *e = freopen(err, "w", stderr);
		if (!e)
			_exit(127);
		execlp("sh", "sh", "tests/e2e/install.sh", bin, stage, (char *)NULL);
		_exit(127);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	char *msg = slurp(err, NULL);
	remove_tree(dir);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "install check failed: %s", msg);
	free(msg);
}
