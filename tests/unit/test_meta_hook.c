/*
 * test_meta_hook: Meta's webhooks, pure parts (meta_hook.h) — the
 * X-Hub-Signature-256 check on known vectors (RFC 4231 test case 2, and one
 * computed with Python's hmac for the body next to it), the subscription
 * handshake, and the parser on Page feed and Instagram comments/mentions
 * deliveries shaped as Meta documents them (platforms.md sections 5 and 6).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/hooks.h"
#include "replywatch/item.h"
#include "replywatch/secret.h"
#include "replywatch/sources/meta_hook.h"

#define RFC_KEY "Jefe"
#define RFC_BODY "what do ya want for nothing?"
#define RFC_HEX "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define APP_SECRET "app-secret-123"
#define SMALL_BODY "{\"object\":\"page\",\"entry\":[]}"
#define SMALL_HEX "045d425314376ceef02357beda9d40971b523021cc4baad4e55bde33d2691f03"

#define PAGE "111222333444555"
#define IG "17841400000000999"
#define NOW_MS 1780000000000LL

static bool
sig_ok(const char *key, const char *header, const char *body)
{
	return rw_meta_hook_signature_ok(key, strlen(key), header, body, strlen(body));
}

Test(meta_hook_signature, known_vectors)
{
	char out[RW_META_SIGNATURE_MAX];

	cr_assert(sig_ok(RFC_KEY, "sha256=" RFC_HEX, RFC_BODY));
	cr_assert(sig_ok(APP_SECRET, "sha256=" SMALL_HEX, SMALL_BODY));
	cr_assert_eq(rw_meta_hook_sign(APP_SECRET, strlen(APP_SECRET), SMALL_BODY,
				       strlen(SMALL_BODY), out, sizeof(out)),
		     0);
	cr_assert_str_eq(out, "sha256=" SMALL_HEX);
}

Test(meta_hook_signature, upper_case_hex_is_the_same_signature)
{
	char upper[] = "sha256=" RFC_HEX;

	for (char *p = upper + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	cr_assert(sig_ok(RFC_KEY, upper, RFC_BODY));
}

Test(meta_hook_signature, anything_else_is_refused)
{
	/* One bit of the body, of the key or of the signature off. */
	cr_assert_not(sig_ok(RFC_KEY, "sha256=" RFC_HEX, "what do ya want for nothing!"));
	cr_assert_not(sig_ok("jefe", "sha256=" RFC_HEX, RFC_BODY));
	cr_assert_not(sig_ok(
		RFC_KEY, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3842",
		RFC_BODY));
	/* The old SHA-1 header's form, no prefix, short, long, not hex, NULL. */
	cr_assert_not(sig_ok(RFC_KEY, "sha1=" RFC_HEX, RFC_BODY));
	cr_assert_not(sig_ok(RFC_KEY, RFC_HEX, RFC_BODY));
	cr_assert_not(sig_ok(RFC_KEY, "sha256=5bdcc146", RFC_BODY));
	cr_assert_not(sig_ok(RFC_KEY, "sha256=" RFC_HEX "00", RFC_BODY));
	cr_assert_not(sig_ok(
		RFC_KEY, "sha256=zbdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		RFC_BODY));
	cr_assert_not(sig_ok(RFC_KEY, "", RFC_BODY));
	cr_assert_not(rw_meta_hook_signature_ok(RFC_KEY, 4, NULL, RFC_BODY, strlen(RFC_BODY)));
	/* No key: nothing can be verified. */
	cr_assert_not(
		rw_meta_hook_signature_ok("", 0, "sha256=" RFC_HEX, RFC_BODY, strlen(RFC_BODY)));
}

Test(meta_hook_handshake, challenge_only_for_the_right_token)
{
	struct rw_secret *tok = rw_secret_from_literal("verify-me");

	cr_assert_not_null(tok);
	cr_assert_str_eq(rw_meta_hook_challenge("subscribe", "verify-me", "1158201444", tok),
			 "1158201444");
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-mE", "1158201444", tok));
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me-", "1158201444", tok));
	cr_assert_null(rw_meta_hook_challenge("unsubscribe", "verify-me", "1158201444", tok));
	cr_assert_null(rw_meta_hook_challenge(NULL, "verify-me", "1158201444", tok));
	cr_assert_null(rw_meta_hook_challenge("subscribe", NULL, "1158201444", tok));
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me", NULL, tok));
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me", "", tok));
	/* Never echoed: markup, and a challenge of unbounded length. */
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me", "<script>", tok));
	{
		char big[RW_META_CHALLENGE_MAX + 2];

		memset(big, '7', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me", big, tok));
	}
	cr_assert_null(rw_meta_hook_challenge("subscribe", "verify-me", "1158201444", NULL));
	rw_secret_free(tok);
}

Test(meta_hook_ids, graph_ids)
{
	cr_assert(rw_meta_id_valid("123"));
	cr_assert(rw_meta_id_valid("123_456"));
	cr_assert(rw_meta_id_valid("1_2_3"));
	cr_assert_not(rw_meta_id_valid(""));
	cr_assert_not(rw_meta_id_valid(NULL));
	cr_assert_not(rw_meta_id_valid("_123"));
	cr_assert_not(rw_meta_id_valid("123_"));
	cr_assert_not(rw_meta_id_valid("1__2"));
	cr_assert_not(rw_meta_id_valid("12a"));
	cr_assert_not(rw_meta_id_valid("t1_abc"));
}

static struct rw_hook_batch
parse(const char *body, enum rw_meta_object obj, const char *brand)
{
	struct rw_hook_batch b = {0};
	char err[200] = "";

	cr_assert_eq(
		rw_meta_hook_parse(body, strlen(body), obj, brand, NOW_MS, &b, err, sizeof(err)), 0,
		"refused: %s", err);
	return b;
}

/* A Page feed delivery of one change (value's members between braces). */
#define FEED(value)                                                                                \
	"{\"object\":\"page\",\"entry\":[{\"id\":\"" PAGE "\",\"time\":1779999990,"                \
	"\"changes\":[{\"field\":\"feed\",\"value\":{" value "}}]}]}"

Test(meta_hook_parse, page_comment)
{
	struct rw_hook_batch b = parse(
		FEED("\"from\":{\"id\":\"5550001112223\",\"name\":\"Jane Customer\"},"
		     "\"post\":{\"status_type\":\"added_photos\"},\"message\":\"Still waiting\","
		     "\"post_id\":\"" PAGE "_1234567890\",\"comment_id\":\"1234567890_9876543210\","
		     "\"created_time\":1779999000,\"item\":\"comment\","
		     "\"parent_id\":\"" PAGE "_1234567890\",\"verb\":\"add\""),
		RW_META_PAGE, PAGE);

	cr_assert_eq(b.nitems, 1);
	cr_assert_eq(b.nremoved + b.ignored + b.unusable, 0);
	cr_assert_str_eq(b.items[0].id, "1234567890_9876543210");
	cr_assert_str_eq(b.items[0].conversation_id, PAGE "_1234567890");
	cr_assert_str_eq(b.items[0].author, "Jane Customer");
	cr_assert_str_eq(b.items[0].text, "Still waiting");
	cr_assert_eq(b.items[0].created_at_ms, 1779999000000LL);
	cr_assert_eq(b.items[0].kind, RW_KIND_COMMENT);
	cr_assert_not(b.items[0].from_brand);
	cr_assert_str_eq(b.items[0].url,
			 "https://www.facebook.com/" PAGE "_1234567890?comment_id=9876543210");
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, page_reply_is_a_brand_reply_to_its_parent)
{
	struct rw_hook_batch b = parse(
		FEED("\"from\":{\"id\":\"" PAGE "\",\"name\":\"Acme\"},\"message\":\"Sorry!\","
		     "\"post_id\":\"" PAGE "_1234567890\",\"comment_id\":\"1234567890_9876543299\","
		     "\"created_time\":1779999100,\"item\":\"comment\","
		     "\"parent_id\":\"1234567890_9876543210\",\"verb\":\"add\""),
		RW_META_PAGE, PAGE);

	cr_assert_eq(b.nitems, 1);
	cr_assert(b.items[0].from_brand);
	cr_assert_str_eq(b.items[0].id, "1234567890_9876543299");
	cr_assert_str_eq(b.items[0].in_reply_to, "1234567890_9876543210");
	cr_assert_eq(b.items[0].created_at_ms, 1779999100000LL);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, visitor_post_and_the_pages_own_post)
{
	struct rw_hook_batch b = parse(
		"{\"object\":\"page\",\"entry\":[{\"id\":\"" PAGE "\",\"time\":1779999990,"
		"\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"status\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_42\",\"from\":{\"id\":\"77\",\"name\":\"Bob\"},"
		"\"message\":\"Your app crashes\",\"created_time\":1779999500}},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"status\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_43\",\"from\":{\"id\":\"" PAGE "\",\"name\":\"Acme\"},"
		"\"message\":\"New release\",\"created_time\":1779999600}}]}]}",
		RW_META_PAGE, PAGE);

	cr_assert_eq(b.nitems, 1);
	cr_assert_eq(b.ignored, 1);
	cr_assert_str_eq(b.items[0].id, PAGE "_42");
	cr_assert_eq(b.items[0].kind, RW_KIND_MENTION);
	cr_assert_str_eq(b.items[0].url, "https://www.facebook.com/" PAGE "_42");
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, remove_edit_and_what_is_ignored)
{
	struct rw_hook_batch b = parse(
		"{\"object\":\"page\",\"entry\":[{\"id\":\"" PAGE "\",\"time\":1779999990,"
		"\"changes\":["
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"remove\","
		"\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_2\",\"created_time\":1779999000}},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"edited\","
		"\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_3\",\"from\":{\"id\":\"9\"},"
		"\"message\":\"edited text\",\"created_time\":1779999000}},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"reaction\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_1\",\"reaction_type\":\"like\"}},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"hide\","
		"\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_4\"}},"
		"{\"field\":\"ratings\",\"value\":{\"item\":\"rating\"}}]}]}",
		RW_META_PAGE, PAGE);

	cr_assert_eq(b.nremoved, 1);
	cr_assert_str_eq(b.removed[0], "1_2");
	cr_assert_eq(b.nitems, 1);
	cr_assert_str_eq(b.items[0].id, "1_3");
	cr_assert_str_eq(b.items[0].author, "9"); /* no name: the id */
	cr_assert_eq(b.ignored, 3);
	cr_assert_eq(b.unusable, 0);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, unusable_changes_are_counted_not_fatal)
{
	struct rw_hook_batch b = parse(
		"{\"object\":\"page\",\"entry\":["
		"{\"id\":\"999\",\"time\":1,\"changes\":[{\"field\":\"feed\",\"value\":{}}]},"
		"{\"id\":\"" PAGE "\",\"time\":1779999990,\"changes\":["
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_1\"}},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_2 OR 1=1\"}},"
		"{\"field\":\"feed\",\"value\":\"not an object\"},"
		"{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\","
		"\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_5\",\"message\":\"fine\"}}]}]}",
		RW_META_PAGE, PAGE);

	cr_assert_eq(b.unusable, 4);
	cr_assert_neq(b.why[0], '\0');
	cr_assert_eq(b.nitems, 1);
	cr_assert_str_eq(b.items[0].id, "1_5");
	cr_assert_str_eq(b.items[0].author, "unknown");
	/* No created_time: the entry's time. */
	cr_assert_eq(b.items[0].created_at_ms, 1779999990000LL);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, times_are_capped_at_receipt)
{
	struct rw_hook_batch b =
		parse(FEED("\"item\":\"comment\",\"verb\":\"add\",\"post_id\":\"" PAGE "_1\","
			   "\"comment_id\":\"1_2\",\"created_time\":1890000000"),
		      RW_META_PAGE, PAGE);

	cr_assert_eq(b.items[0].created_at_ms, NOW_MS);
	rw_hook_batch_clear(&b);
}

/* Found by fuzz_meta_hook: a time of 1.78e56 was converted to an integer,
 * undefined behaviour (UBSan aborted). Times out of range count as absent. */
Test(meta_hook_parse, regression_huge_real_time_is_no_time)
{
	struct rw_hook_batch b =
		parse("{\"object\":\"page\",\"entry\":[{\"id\":\"" PAGE "\",\"time\":1.78e56,"
		      "\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"comment\","
		      "\"verb\":\"add\",\"post_id\":\"" PAGE "_1\",\"comment_id\":\"1_2\","
		      "\"created_time\":-1e300}}]}]}",
		      RW_META_PAGE, PAGE);

	cr_assert_eq(b.nitems, 1);
	cr_assert_eq(b.items[0].created_at_ms, NOW_MS);
	rw_hook_batch_clear(&b);
	b = parse(FEED("\"item\":\"comment\",\"verb\":\"add\",\"post_id\":\"" PAGE "_1\","
		       "\"comment_id\":\"1_2\",\"created_time\":1779999000.5"),
		  RW_META_PAGE, PAGE);
	cr_assert_eq(b.items[0].created_at_ms, 1779999000000LL);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, not_a_delivery)
{
	struct rw_hook_batch b = {0};
	char err[100];

	cr_assert_eq(
		rw_meta_hook_parse("{nope", 5, RW_META_PAGE, PAGE, NOW_MS, &b, err, sizeof(err)),
		-1);
	cr_assert_eq(rw_meta_hook_parse("42", 2, RW_META_PAGE, PAGE, NOW_MS, &b, err, sizeof(err)),
		     -1);
	cr_assert_eq(b.nitems + b.nremoved, 0);
	/* The other object: usable JSON, nothing for this source. */
	b = parse("{\"object\":\"instagram\",\"entry\":[]}", RW_META_PAGE, PAGE);
	cr_assert_eq(b.unusable, 1);
	cr_assert_eq(b.nitems, 0);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, instagram_comments_facebook_login_shape)
{
	struct rw_hook_batch b =
		parse("{\"object\":\"instagram\",\"entry\":[{\"id\":\"" IG "\",\"time\":1779999900,"
		      "\"changes\":[{\"field\":\"comments\",\"value\":{"
		      "\"from\":{\"id\":\"17841400000000001\",\"username\":\"jane.customer\"},"
		      "\"media\":{\"id\":\"17900000000000001\",\"media_product_type\":\"FEED\"},"
		      "\"id\":\"17870913679156914\",\"text\":\"@brand where is my parcel?\"}},"
		      "{\"field\":\"comments\",\"value\":{"
		      "\"from\":{\"id\":\"" IG "\",\"username\":\"brand\"},"
		      "\"media\":{\"id\":\"17900000000000001\"},\"id\":\"17873440459141021\","
		      "\"parent_id\":\"17870913679156914\",\"text\":\"DM'd you\"}}]}]}",
		      RW_META_INSTAGRAM, IG);

	cr_assert_eq(b.nitems, 2);
	cr_assert_str_eq(b.items[0].id, "17870913679156914");
	cr_assert_str_eq(b.items[0].author, "jane.customer");
	cr_assert_str_eq(b.items[0].conversation_id, "17900000000000001");
	cr_assert_eq(b.items[0].created_at_ms, 1779999900000LL);
	cr_assert_eq(b.items[0].kind, RW_KIND_COMMENT);
	cr_assert_not(b.items[0].from_brand);
	cr_assert(b.items[1].from_brand);
	cr_assert_str_eq(b.items[1].in_reply_to, "17870913679156914");
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, instagram_business_login_shape_and_mentions)
{
	struct rw_hook_batch b = parse(
		"[{\"object\":\"instagram\",\"entry\":[{\"id\":\"" IG "\",\"time\":1779999900,"
		"\"field\":\"comments\",\"value\":{\"id\":\"178\","
		"\"from\":{\"id\":\"5\",\"username\":\"joe\"},\"text\":\"hi\","
		"\"media\":{\"id\":\"179\",\"media_product_type\":\"REELS\"}}}]},"
		"{\"object\":\"instagram\",\"entry\":[{\"id\":\"" IG "\",\"time\":1779999950,"
		"\"changes\":[{\"field\":\"mentions\",\"value\":{\"media_id\":\"180\","
		"\"comment_id\":\"181\"}},"
		"{\"field\":\"mentions\",\"value\":{\"media_id\":\"182\"}},"
		"{\"field\":\"story_insights\",\"value\":{}}]}]}]",
		RW_META_INSTAGRAM, IG);

	/* The mentions name ids only: queued to be read, not items. */
	cr_assert_eq(b.nitems, 1);
	cr_assert_str_eq(b.items[0].id, "178");
	cr_assert_eq(b.nqueued, 2);
	cr_assert_eq(b.queued[0].kind, RW_META_QUEUED_COMMENT);
	cr_assert_str_eq(b.queued[0].id, "181");
	cr_assert_str_eq(b.queued[0].conversation_id, "180");
	cr_assert_eq(b.queued[0].received_ms, NOW_MS);
	cr_assert_eq(b.queued[0].attempts, 0);
	cr_assert_eq(b.queued[1].kind, RW_META_QUEUED_MEDIA);
	cr_assert_str_eq(b.queued[1].id, "182");
	cr_assert_str_eq(b.queued[1].conversation_id, "182");
	cr_assert_eq(b.ignored, 1);
	rw_hook_batch_clear(&b);
}

Test(meta_hook_parse, author_is_cleaned_text_kept)
{
	struct rw_hook_batch b =
		parse(FEED("\"item\":\"comment\",\"verb\":\"add\",\"post_id\":\"" PAGE "_1\","
			   "\"comment_id\":\"1_2\",\"message\":\"line 1\\nline 2\","
			   "\"from\":{\"id\":\"7\",\"name\":\"Eve\\u0007\\nBot\"}"),
		      RW_META_PAGE, PAGE);

	cr_assert_str_eq(b.items[0].text, "line 1\nline 2");
	cr_assert_str_eq(b.items[0].author, "Eve??Bot");
	rw_hook_batch_clear(&b);
	/* An empty name: the id. */
	b = parse(FEED("\"item\":\"comment\",\"verb\":\"add\",\"post_id\":\"" PAGE "_1\","
		       "\"comment_id\":\"1_3\",\"from\":{\"id\":\"7\",\"name\":\"\"}"),
		  RW_META_PAGE, PAGE);
	cr_assert_str_eq(b.items[0].author, "7");
	rw_hook_batch_clear(&b);
}

Test(meta_hook_table, facebook_and_instagram_take_webhooks)
{
	cr_assert_not_null(rw_hook_platform_for(RW_SOURCE_FACEBOOK));
	cr_assert_not_null(rw_hook_platform_for(RW_SOURCE_INSTAGRAM));
	cr_assert_null(rw_hook_platform_for(RW_SOURCE_X));
	cr_assert_null(rw_hook_platform_for(RW_SOURCE_PUSH));
}
