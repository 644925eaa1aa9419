/* libFuzzer harness: date_parse, and the round trip through date_format_iso.
 * The body is fuzz_date_one in targets.h, which make test also replays. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_date_one(data, size);
	return 0;
}
