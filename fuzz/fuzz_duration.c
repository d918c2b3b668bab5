/*
 * fuzz_duration: the configuration's durations (duration.h). What parses
 * is within RW_DURATION_MAX and survives a round trip through the
 * canonical form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/duration.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rw_fuzz_string(data, size);
	char buf[64];
	int64_t s = -1, back = -1;
	int n;

	if (text == NULL)
		return 0;
	if (rw_duration_parse(text, &s) == 0) {
		RW_FUZZ_CHECK(s >= 0 && s <= RW_DURATION_MAX);
		n = rw_duration_format(s, buf, sizeof(buf));
		RW_FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
		RW_FUZZ_CHECK(rw_duration_parse(buf, &back) == 0 && back == s);
	} else {
		RW_FUZZ_CHECK(s == -1);
	}
	free(text);
	return 0;
}
