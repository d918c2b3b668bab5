/*
 * test_review: what the review parsers share (sources/review.h): id
 * characters, the answer's id, optional strings, times, tokens, text and
 * authors, and the walk that keeps an answer only after its review.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/review.h"

#include "rwtest.h"

static json_t *
doc(const char *text)
{
	char *json = rwt_json_quotes(text);
	json_t *d = json_loads(json, 0, NULL);

	cr_assert_not_null(d, "%s", json);
	free(json);
	return d;
}

Test(review, ids_and_answer_ids)
{
	char id[RW_REVIEW_ID_MAX + 1], *reply = NULL;

	cr_assert(rw_review_id_chars("ab-1", 8, "-"));
	cr_assert_not(rw_review_id_chars("ab_1", 8, "-"));
	cr_assert_not(rw_review_id_chars("abcdefghi", 8, "-"));
	cr_assert_not(rw_review_id_chars("", 8, "-"));
	cr_assert_not(rw_review_id_chars(NULL, 8, "-"));
	memset(id, 'r', RW_REVIEW_ID_MAX);
	id[RW_REVIEW_ID_MAX] = '\0';
	cr_assert_eq(rw_review_reply_id(id, &reply), 0);
	cr_assert_eq(strlen(reply), RW_ITEM_ID_MAX);
	cr_assert(rw_item_id_valid(reply));
	cr_assert_str_eq(reply + RW_REVIEW_ID_MAX, RW_REVIEW_REPLY_SUFFIX);
	free(reply);
}

Test(review, optional_strings_times_tokens)
{
	json_t *d = doc("{'s': 'x', 'e': '', 'n': null, 'i': 5, 'a': ['x'],"
			" 't': '2017-11-15T08:10:34-08:00', 'old': '1969-12-31T23:59:59Z',"
			" 'bad': 'soon', 'tok': 'AQ.AOM', 'sp': 'a b'}");
	const char *s;

	cr_assert_eq(rw_review_opt_str(d, "s", &s), 0);
	cr_assert_str_eq(s, "x");
	cr_assert_eq(rw_review_opt_str(d, "e", &s), 0);
	cr_assert_null(s);
	cr_assert_eq(rw_review_opt_str(d, "n", &s), 0);
	cr_assert_null(s);
	cr_assert_eq(rw_review_opt_str(d, "missing", &s), 0);
	cr_assert_null(s);
	cr_assert_eq(rw_review_opt_str(NULL, "s", &s), 0);
	cr_assert_eq(rw_review_opt_str(d, "i", &s), -1);
	cr_assert_null(s);
	cr_assert_eq(rw_review_opt_str(d, "a", &s), -1);

	cr_assert_eq(rw_review_time(d, "t"), rwt_utc_ms(2017, 11, 15, 16, 10) + 34000);
	cr_assert_eq(rw_review_time(d, "old"), 0);
	cr_assert_eq(rw_review_time(d, "bad"), 0);
	cr_assert_eq(rw_review_time(d, "i"), 0);
	cr_assert_eq(rw_review_time(d, "missing"), 0);

	cr_assert_eq(rw_review_token(json_object_get(d, "tok"), &s), 0);
	cr_assert_str_eq(s, "AQ.AOM");
	cr_assert_eq(rw_review_token(json_object_get(d, "e"), &s), 0);
	cr_assert_null(s);
	cr_assert_eq(rw_review_token(NULL, &s), 0);
	cr_assert_null(s);
	cr_assert_eq(rw_review_token(json_object_get(d, "sp"), &s), -1);
	cr_assert_eq(rw_review_token(json_object_get(d, "i"), &s), -1);
	json_decref(d);
}

Test(review, text_and_author)
{
	char *out = NULL;

	cr_assert_eq(rw_review_text("Title", "Body", &out), 0);
	cr_assert_str_eq(out, "Title\n\nBody");
	free(out);
	cr_assert_eq(rw_review_text(NULL, "Body", &out), 0);
	cr_assert_str_eq(out, "Body");
	free(out);
	cr_assert_eq(rw_review_text("Title", NULL, &out), 0);
	cr_assert_str_eq(out, "Title");
	free(out);
	cr_assert_eq(rw_review_text(NULL, NULL, &out), 0);
	cr_assert_null(out);

	cr_assert_eq(rw_review_author("Jane D.", false, &out), 0);
	cr_assert_str_eq(out, "Jane D.");
	free(out);
	cr_assert_eq(rw_review_author("A Google user", true, &out), 0);
	cr_assert_str_eq(out, RW_REVIEW_ANONYMOUS);
	free(out);
	cr_assert_eq(rw_review_author(NULL, false, &out), 0);
	cr_assert_str_eq(out, RW_REVIEW_ANONYMOUS);
	free(out);
	cr_assert_eq(rw_review_author("a\x1b[31mb\xff", false, &out), 0);
	cr_assert_str_eq(out, "a?[31mb?");
	free(out);
}

/* A list whose entries say what they are: {'id', 'ms', 'review': KEPT or
 * REJECTED, 'reply': KEPT, REJECTED or absent}. */
static void
test_place(const json_t *e, const char **id, int64_t *ms)
{
	*id = json_string_value(json_object_get(e, "id"));
	*ms = json_integer_value(json_object_get(e, "ms"));
}

static void
test_read(const json_t *e, void *ctx, struct rw_review_entry *out)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *review = json_string_value(json_object_get(e, "review"));
	const char *reply = json_string_value(json_object_get(e, "reply"));

	(void)ctx;
	out->review.id = strdup(id);
	out->review.author = strdup("a");
	out->review.created_at_ms = 1;
	out->review_e = strcmp(review, "KEPT") == 0 ? RW_PAGE_KEPT : RW_PAGE_REJECTED;
	out->review_why = RW_REJECT_BAD_TIME;
	out->reply_e = RW_PAGE_SKIPPED;
	if (reply == NULL)
		return;
	cr_assert_eq(rw_review_reply_id(id, &out->reply.id), 0);
	out->reply.from_brand = true;
	out->reply.in_reply_to = strdup(id);
	out->reply_e = strcmp(reply, "KEPT") == 0 ? RW_PAGE_KEPT : RW_PAGE_REJECTED;
	out->reply_why = RW_REJECT_WRONG_TYPE;
}

/* Oldest entry first, each review before its answer; the answer of a
 * rejected review is not kept, nor rejected on its own. */
Test(review, walk_keeps_answers_after_their_reviews)
{
	json_t *d = doc("[{'id': 'n', 'ms': 30, 'review': 'KEPT', 'reply': 'KEPT'},"
			" {'id': 'm', 'ms': 20, 'review': 'REJECTED', 'reply': 'KEPT'},"
			" {'id': 'l', 'ms': 0, 'review': 'KEPT', 'reply': 'REJECTED'},"
			" {'id': 'k', 'ms': 10, 'review': 'KEPT'}]");
	struct rw_review_list list = {test_place, test_read, NULL};
	struct rw_page page;

	memset(&page, 0, sizeof(page));
	cr_assert_eq(rw_review_walk(d, &list, &page), 0);
	cr_assert_eq(page.nentries, 4);
	cr_assert_eq(page.nitems, 4);
	cr_assert_str_eq(page.items[0].id, "k");
	cr_assert_str_eq(page.items[1].id, "l");
	cr_assert_str_eq(page.items[2].id, "n");
	cr_assert_str_eq(page.items[3].id, "n/reply");
	cr_assert_eq(page.nrejects, 2);
	cr_assert_str_eq(page.rejects[0].reason, RW_REJECT_WRONG_TYPE);
	cr_assert_str_eq(page.rejects[0].id, "l/reply");
	cr_assert_str_eq(page.rejects[1].reason, RW_REJECT_BAD_TIME);
	cr_assert_str_eq(page.rejects[1].id, "m");
	cr_assert_str_eq(page.newest_id, "n");
	cr_assert_str_eq(page.oldest_id, "k");
	cr_assert_eq(page.newest_ms, 30);
	cr_assert_eq(page.oldest_ms, 10);
	rw_page_clear(&page);
	json_decref(d);
}
