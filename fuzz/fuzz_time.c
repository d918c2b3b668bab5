/*
 * fuzz_time: RFC 3339 times (rw_time_parse, clock.h), which every platform
 * answer and pushed item carries. What parses formats back (rw_time_format)
 * to a time that parses to the same instant.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "replywatch/clock.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rw_fuzz_string(data, size);
	char buf[RW_TIME_MAX];
	int64_t ms = 42, back = 43;

	if (text == NULL)
		return 0;
	if (rw_time_parse(text, &ms) == 0) {
		rw_time_format(ms, buf, sizeof(buf));
		RW_FUZZ_CHECK(rw_time_parse(buf, &back) == 0 && back == ms);
	} else {
		RW_FUZZ_CHECK(ms == 42);
	}
	free(text);
	return 0;
}
