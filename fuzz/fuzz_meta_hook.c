/*
 * fuzz_meta_hook: Meta's webhook parser (meta_hook.h) over the same bytes as
 * a Page delivery and an Instagram one, and the signature check over them
 * with a header made of the first bytes. What is kept must keep the item
 * promises: a Graph id, an author, a time not after the receipt, a brand
 * reply answering a Graph id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/hooks.h"
#include "replywatch/item.h"
#include "replywatch/sources/meta_hook.h"

#define PAGE "111222333444555"
#define RECEIVED_MS 1780000000000LL

static void
check(const char *body, size_t size, enum rw_meta_object obj)
{
	struct rw_hook_batch b = {0};
	char err[256];
	int rc = rw_meta_hook_parse(body, size, obj, PAGE, RECEIVED_MS, &b, err, sizeof(err));

	RW_FUZZ_CHECK(rc == 0 || (b.nitems == 0 && b.nremoved == 0 && b.nqueued == 0));
	for (size_t i = 0; i < b.nitems; i++) {
		const struct rw_item *it = &b.items[i];

		RW_FUZZ_CHECK(rw_meta_id_valid(it->id) && rw_item_id_valid(it->id));
		RW_FUZZ_CHECK(it->author != NULL && it->author[0] != '\0');
		RW_FUZZ_CHECK(it->created_at_ms > 0 && it->created_at_ms <= RECEIVED_MS);
		RW_FUZZ_CHECK(!it->from_brand || rw_meta_id_valid(it->in_reply_to));
		RW_FUZZ_CHECK(it->conversation_id == NULL || rw_meta_id_valid(it->conversation_id));
	}
	for (size_t i = 0; i < b.nremoved; i++)
		RW_FUZZ_CHECK(rw_meta_id_valid(b.removed[i]));
	/* Queued mentions must make valid queue members (hookstore.h). */
	for (size_t i = 0; i < b.nqueued; i++) {
		const struct rw_queued *q = &b.queued[i];

		RW_FUZZ_CHECK(q->kind == RW_META_QUEUED_COMMENT || q->kind == RW_META_QUEUED_MEDIA);
		RW_FUZZ_CHECK(rw_meta_id_valid(q->id) && rw_queued_ref_ok(q->id));
		RW_FUZZ_CHECK(q->conversation_id == NULL || (rw_meta_id_valid(q->conversation_id) &&
							     rw_queued_ref_ok(q->conversation_id)));
		RW_FUZZ_CHECK(q->received_ms == RECEIVED_MS);
	}
	rw_hook_batch_clear(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	char header[80];
	size_t n = size < sizeof(header) - 1 ? size : sizeof(header) - 1;

	check(body, size, RW_META_PAGE);
	check(body, size, RW_META_INSTAGRAM);
	memcpy(header, body, n);
	header[n] = '\0';
	/* A header cut out of the body cannot be its own signature. */
	RW_FUZZ_CHECK(!rw_meta_hook_signature_ok("secret", 6, header, body, size) ||
		      strncmp(header, "sha256=", 7) == 0);
	return 0;
}
