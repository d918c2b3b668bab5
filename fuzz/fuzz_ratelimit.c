/*
 * fuzz_ratelimit: rate-limit headers (ratelimit.h) of each platform and
 * Retry-After. The input is header lines "Name: value" (LF or CRLF); every
 * platform of the table (platform.h) reads the same set, at a fixed instant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "replywatch/config.h"
#include "replywatch/ratelimit.h"

#define NOW_MS INT64_C(1796385600000) /* 2026-12-04T12:00:00Z */
#define MAX_HEADERS 32

struct headers {
	const char *name[MAX_HEADERS];
	const char *value[MAX_HEADERS];
	size_t n;
};

/* The lookup libcurl's glue gives the reader: the first header of that
 * name, any case. */
static const char *
lookup(void *arg, const char *name)
{
	const struct headers *h = arg;

	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

/* Splits text in place into lines "Name: value" (the value without its
 * leading blanks, as libcurl's header API gives it). */
static void
split(char *text, struct headers *h)
{
	char *save = NULL;

	h->n = 0;
	for (char *line = strtok_r(text, "\r\n", &save); line != NULL && h->n < MAX_HEADERS;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon++ = '\0';
		colon += strspn(colon, " \t");
		h->name[h->n] = line;
		h->value[h->n++] = colon;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rw_fuzz_string(data, size);
	struct headers h;

	if (text == NULL)
		return 0;
	split(text, &h);
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++) {
		struct rw_ratelimit rl;

		memset(&rl, 0xa5, sizeof(rl));
		rw_ratelimit_read((enum rw_source_type)t, lookup, &h, NOW_MS, &rl);
		RW_FUZZ_CHECK(rl.limit >= -1 && rl.remaining >= -1);
		/* A reset may be any instant (one before 1970 is simply past);
		 * Retry-After is a delay from now or a date after 1970. */
		RW_FUZZ_CHECK(rl.retry_at_ms >= 0);
		if (!rl.known)
			RW_FUZZ_CHECK(rl.limit == -1 && rl.remaining == -1 && rl.reset_at_ms == 0);
	}
	free(text);
	return 0;
}
