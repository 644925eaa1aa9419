/* libFuzzer harness: keymap_key_parse, and the round trip through keymap_key_name.
 * The body is fuzz_keys_one in targets.h, which make test also replays. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_keys_one(data, size);
	return 0;
}
