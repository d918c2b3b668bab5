/*
 * fuzz_htmltext: a status's HTML content as plain text (htmltext.h, with
 * libxml2's HTML parser). Valid UTF-8 in gives valid UTF-8 out (a JSON
 * string must hold it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/sources/htmltext.h"
#include "replywatch/utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rw_html_to_text((const char *)data, size);

	RW_FUZZ_CHECK(text != NULL);
	if (rw_utf8_valid((const char *)data, size))
		RW_FUZZ_CHECK(rw_utf8_valid(text, strlen(text)));
	free(text);
	return 0;
}
