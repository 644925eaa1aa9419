/* gen-cache-seed OUT FILE...: write a small, valid cache of FILEs to OUT,
 * the cache target's seed. make fuzz runs it on every run, so the fuzzer
 * always starts from a cache in the current format, whatever the
 * checked-in seed was written by. */
#include <stdio.h>

#include "targets.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT FILE...\n", argv[0]);
		return 2;
	}
	return fuzz_cache_write_seed(argv[1], (const char *const *)argv + 2,
				     (size_t)argc - 2) < 0;
}
