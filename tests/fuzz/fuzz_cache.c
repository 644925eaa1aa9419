/* libFuzzer harness: cache_open on the input bytes, then lookups of its entries.
 * The body is fuzz_cache_one in targets.h, which make test also replays. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cache_one(data, size);
	return 0;
}
