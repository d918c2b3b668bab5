/*
 * fuzz_mention: a stored mention read back from Redis (rw_mention_decode).
 * The bytes are RESP, turned into replies by hiredis' own reader as the
 * store's connection does; each complete reply is decoded as a HGETALL
 * answer, and a decoded mention is written back out as the store's hash
 * fields and as GET /mentions shows it.
 */
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "replywatch/config.h"
#include "replywatch/mention.h"

/* At most this many replies per input (a pipelined answer). */
#define MAX_REPLIES 8

static void
decode_one(const redisReply *reply)
{
	static char name[] = "fuzz";
	struct rw_source_config src = {.name = name, .type = RW_SOURCE_PUSH};
	struct rw_mention m;
	json_t *o;
	int rc = rw_mention_decode(&m, "1234", reply);

	RW_FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc != 0)
		return;
	RW_FUZZ_CHECK(m.id != NULL && m.author != NULL && m.kind != 0);
	RW_FUZZ_CHECK(m.nescalate <= RW_MAX_ESCALATIONS);
	json_decref(rw_mention_fields(&m));
	o = rw_mention_to_json(&m, &src);
	json_decref(o);
	rw_mention_clear(&m);
}

/* True when the bytes announce an array of 10000 elements or more
 * anywhere. hiredis 0.14's reader allocates the element array as soon as it
 * reads the count (1.x has a cap); the daemon's replies come from its own
 * Redis, so such counts are skipped rather than reported as out of memory. */
static int
huge_array(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		size_t n = 0;

		if (data[i] != '*')
			continue;
		if (i + 1 < size && data[i + 1] == '-')
			i++;
		while (i + 1 + n < size && data[i + 1 + n] >= '0' && data[i + 1 + n] <= '9')
			n++;
		if (n >= 5)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	redisReader *r;
	void *reply = NULL;

	if (huge_array(data, size) || (r = redisReaderCreate()) == NULL)
		return 0;
	if (redisReaderFeed(r, (const char *)data, size) == REDIS_OK) {
		for (int i = 0; i < MAX_REPLIES; i++) {
			reply = NULL;
			if (redisReaderGetReply(r, &reply) != REDIS_OK || reply == NULL)
				break;
			decode_one(reply);
			freeReplyObject(reply);
		}
	}
	redisReaderFree(r);
	return 0;
}
