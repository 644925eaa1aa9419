/* libFuzzer harness: parse_article on the input bytes.
 * The body is fuzz_parse_one in targets.h, which make test also replays. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_one(data, size);
	return 0;
}
