/* screen_put draws what fits and reads no further: a title of megabytes
 * costs the screen only its first cells. The text is laid just before an
 * inaccessible page, with a length that runs into it: reading past what
 * shows would fault. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lede/ui/screen.h"
#include "lede/util.h"

Test(screen_put, reads_no_further_than_the_width)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	char *err = NULL;
	cr_assert_eq(screen_open(80, 24, &err), 0, "%s", err);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(mem, MAP_FAILED);
	cr_assert_eq(mprotect(mem + page, page, PROT_NONE), 0);
	memset(mem, 'x', page);
	/* a length of megabytes, of which one page can be read */
	size_t claimed = (size_t)4 << 20;
	int used = screen_put(0, 0, 40, mem, claimed, ST_NORMAL, NULL, 0);
	cr_assert_eq(used, 40, "a clipped text fills the width");
	/* the short case still reports what it used, and pads */
	cr_assert_eq(screen_put(1, 0, 40, "abc", 3, ST_NORMAL, NULL, 0), 3);
	screen_close();
	munmap(mem, 2 * page);
}
