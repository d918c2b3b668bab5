/*
 * fuzz_json_map: the `json` type's mapping (sources/json_map.h) of the same
 * bytes through three configured specs: a main list with every field, the
 * brand rule, url_template, reply_at and cursor paging; a top-level array
 * in epoch seconds with in_reply_to and next_url paging; and a replies
 * list. The specs come from a configuration, as in the daemon.
 *
 * Promises checked: a failed mapping leaves page and failures empty; each
 * kept item has a valid id, a time, text a JSON string can hold, a rating
 * of 1 to 5 when it has one; a brand item answers an id or a conversation
 * (interface 2: conversation-level replies); a reply_at reply follows its
 * item as "ID#reply"; every failure is counted once among the rejects and
 * names an item of the list; the paging value can be sent back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/config.h"
#include "replywatch/connector.h"
#include "replywatch/sources/json_map.h"

static struct rw_config *cfg;

static const char config[] =
	"{\"sources\": ["
	"{\"name\": \"a\", \"type\": \"json\", \"base_url\": \"https://h.example\","
	" \"request\": {\"url\": \"/i?c={cursor}\"}, \"items\": \"/items\","
	" \"fields\": {\"id\": \"/id\", \"created_at\": \"/t\", \"author\": \"/u/name\","
	" \"text\": \"/x\", \"rating\": \"/r\", \"conversation_id\": \"/c\","
	" \"author_followers\": \"/u/f\", \"in_reply_to\": \"/p\"},"
	" \"url_template\": \"https://h.example/{/c}/{/id}\","
	" \"brand\": {\"pointer\": \"/u/name\", \"equals\": [\"acme\", \"1\"]},"
	" \"reply_at\": \"/ra\", \"paging\": {\"type\": \"cursor\", \"pointer\": \"/next\"}},"
	"{\"name\": \"b\", \"type\": \"json\", \"base_url\": \"https://h.example\","
	" \"request\": {\"url\": \"/i\"}, \"items\": \"\", \"time_format\": \"epoch_s\","
	" \"fields\": {\"id\": \"/0\", \"created_at\": \"/1\", \"author\": \"/2\","
	" \"in_reply_to\": \"/3\", \"url\": \"/4\"},"
	" \"brand\": {\"pointer\": \"/2\", \"equals\": [\"acme\"]},"
	" \"paging\": {\"type\": \"next_url\", \"pointer\": \"/0/5\"},"
	" \"replies\": {\"request\": {\"url\": \"/r\"}, \"items\": \"/items\","
	" \"fields\": {\"id\": \"/id\", \"created_at\": \"/t\", \"conversation_id\": \"/c\"},"
	" \"brand\": {\"pointer\": \"/u/name\", \"equals\": [\"acme\"]}}}"
	"]}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rw_config_errors errs = {0};

	(void)argc;
	(void)argv;
	cfg = rw_config_load_string(config, "fuzz.json", &errs);
	if (cfg == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.lines[i]);
		abort();
	}
	return 0;
}

static void
check(const struct rw_json_list_spec *spec, const uint8_t *data, size_t size)
{
	static const struct rw_page zero;
	struct rw_json_failures f;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_json_map_page(spec, (const char *)data, size, &page, &f, err, sizeof(err));
	if (rc != 0) {
		RW_FUZZ_CHECK(memcmp(&page, &zero, sizeof(zero)) == 0 && f.n == 0 &&
			      f.items == NULL && rw_fuzz_text_ok(err));
		return;
	}
	RW_FUZZ_CHECK(page.nitems + page.nrejects <= 2 * page.nentries);
	RW_FUZZ_CHECK(f.n == page.nrejects);
	for (size_t i = 0; i < f.n; i++) {
		RW_FUZZ_CHECK(f.items[i].index < page.nentries && f.items[i].field != NULL);
		RW_FUZZ_CHECK(i == 0 || f.items[i - 1].index < f.items[i].index);
		RW_FUZZ_CHECK(rw_fuzz_text_ok(f.items[i].reason) && rw_fuzz_text_ok(f.items[i].id));
	}
	for (size_t i = 0; i < page.nitems; i++) {
		const struct rw_item *it = &page.items[i];
		size_t n = strlen(it->id);

		RW_FUZZ_CHECK(rw_item_id_valid(it->id) && it->created_at_ms > 0);
		RW_FUZZ_CHECK(rw_fuzz_text_ok(it->author) && rw_fuzz_text_ok(it->text));
		RW_FUZZ_CHECK(rw_fuzz_text_ok(it->url) && rw_fuzz_text_ok(it->conversation_id));
		RW_FUZZ_CHECK(!it->has_rating || (it->rating >= 1 && it->rating <= 5));
		RW_FUZZ_CHECK(!it->has_followers || it->author_followers >= 0);
		RW_FUZZ_CHECK(it->from_brand || it->author != NULL);
		RW_FUZZ_CHECK(!it->from_brand || it->in_reply_to != NULL ||
			      it->conversation_id != NULL);
		RW_FUZZ_CHECK(it->in_reply_to == NULL || rw_item_id_valid(it->in_reply_to));
		RW_FUZZ_CHECK(it->conversation_id == NULL || rw_item_id_valid(it->conversation_id));
		if (n > 6 && strcmp(it->id + n - 6, RW_JSON_REPLY_SUFFIX) == 0 &&
		    it->author == NULL && !spec->replies) {
			RW_FUZZ_CHECK(i > 0 && strcmp(page.items[i - 1].id, it->in_reply_to) == 0);
			RW_FUZZ_CHECK(strncmp(it->id, it->in_reply_to, n - 6) == 0);
		}
	}
	RW_FUZZ_CHECK(page.next == NULL || rw_cursor_token_ok(page.next));
	RW_FUZZ_CHECK(page.oldest_ms <= page.newest_ms);
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rw_json_spec *a = rw_json_spec_of(&cfg->sources[0]);
	const struct rw_json_spec *b = rw_json_spec_of(&cfg->sources[1]);

	check(&a->list, data, size);
	check(&b->list, data, size);
	check(b->replies, data, size);
	return 0;
}
