/*
 * fuzz_push: the items of POST /ingest/SOURCE (push.h). A body accepted
 * gives items that keep the item contract and the documented cap.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "replywatch/item.h"
#include "replywatch/push.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_item *items = NULL;
	size_t n = 0;
	char err[300]; /* as POST /ingest (http/ingest.c) */

	if (rw_push_parse((const char *)data, size, &items, &n, err, sizeof(err)) != 0) {
		RW_FUZZ_CHECK(err[0] != '\0');
		RW_FUZZ_CHECK(rw_fuzz_text_ok(err));
		return 0;
	}
	RW_FUZZ_CHECK(n >= 1 && n <= RW_PUSH_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		rw_fuzz_check_item(&items[i]);
		rw_item_clear(&items[i]);
	}
	free(items);
	return 0;
}
