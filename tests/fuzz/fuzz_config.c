/* libFuzzer harness: commands_line on the input as one line and line by line,
 * and commands_load_file on it.
 * The body is fuzz_config_one in targets.h, which make test also replays. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_config_one(data, size);
	return 0;
}
