/*
 * test_allegro_msg_parse: the Allegro Message Center and issue parsers
 * (sources/allegro_msg.h) on the documented samples (platforms research
 * 14.5 b-e) and hostile entries: thread lists to follow-ups (v1, beta with
 * its type filter and nextPage.id), messages to buyer items and the
 * seller's conversation-level replies (v1 isInterlocutor, beta roles and
 * the seller's login), moderation, issue lists and chats, the id rules and
 * the site the items link to.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro_msg.h"

#include "rwtest.h"
#include "rwtparse.h"

#define WEB "https://allegro.pl"
#define THREAD "YHWQewc3BcZmoYfSPwtWi4DlCjCz1PTXl9a4rEp7nNx"

static int
threads_v1(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	   size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_threads(body, len, RW_ALLEGRO_V1, page, err, errlen);
}

static int
threads_beta(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	     size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_threads(body, len, RW_ALLEGRO_BETA, page, err, errlen);
}

static int
messages_v1(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	    size_t errlen)
{
	return rw_allegro_parse_messages(body, len, RW_ALLEGRO_V1, THREAD, brand, WEB, page, err,
					 errlen);
}

static int
messages_beta(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	      size_t errlen)
{
	return rw_allegro_parse_messages(body, len, RW_ALLEGRO_BETA, THREAD, brand, WEB, page, err,
					 errlen);
}

static int
issues(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
       size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_issues(body, len, RW_ALLEGRO_OPENED, page, err, errlen);
}

static int
chat(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
     size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_chat(body, len, "73cc3981-bc7e-45b2-911a-a0156871f18f", NULL, WEB,
				     page, err, errlen);
}

static int64_t
ms(const char *t)
{
	int64_t v = 0;

	cr_assert_eq(rw_time_parse(t, &v), 0, "%s", t);
	return v;
}

/* ---- threads ---- */

Test(allegro_threads, documented_v1_list_gives_follow_ups)
{
	struct rw_page page;

	rwt_parse_ok(threads_v1,
		     "{ 'threads': [ { 'id': '" THREAD "', 'read': false, 'lastMessageDateTime':"
		     " '2025-11-20T06:32:46.784Z', 'interlocutor': null },"
		     " { 'id': 'SbVppkLiYOFehnH2gEtQ3ooNkuIKQheyNFo7OPVbrp5', 'read': true,"
		     " 'lastMessageDateTime': '2025-11-15T17:58:15.506Z', 'interlocutor': null } ],"
		     " 'offset': 0, 'limit': 20 }",
		     NULL, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nfollows, 2);
	cr_assert_str_eq(page.follows[0].context, THREAD);
	cr_assert_eq(page.follows[0].at_ms, ms("2025-11-20T06:32:46.784Z"));
	cr_assert_eq(page.newest_ms, ms("2025-11-20T06:32:46.784Z"));
	cr_assert_eq(page.oldest_ms, ms("2025-11-15T17:58:15.506Z"));
	cr_assert_null(page.next, "v1 pages by offset");
	rw_page_clear(&page);
}

Test(allegro_threads, beta_follows_purchase_problems_only_and_pages_by_id)
{
	struct rw_page page;

	rwt_parse_ok(threads_beta,
		     "{ 'threads': [ { 'id': 'L1H4FmWRwD5lAEInohQoEGWQR71RfBpEmHqeKZSXdhW', 'type':"
		     " 'POST_PURCHASE_ISSUE', 'lastMessageDateTime': '2026-06-02T10:00:00.000Z' },"
		     " { 'id': 'c0mmon', 'type': 'COMMON', 'lastMessageDateTime':"
		     " '2026-06-02T09:00:00.000Z' } ],"
		     " 'nextPage': { 'id': 'cD0yMDI2LTA2LTAyVDEyOjEwOjAwWjtzPTEwMDQ=' } }",
		     NULL, &page);
	cr_assert_eq(page.nfollows, 1);
	cr_assert_str_eq(page.follows[0].context, "L1H4FmWRwD5lAEInohQoEGWQR71RfBpEmHqeKZSXdhW");
	cr_assert_str_eq(page.next, "cD0yMDI2LTA2LTAyVDEyOjEwOjAwWjtzPTEwMDQ=");
	cr_assert_eq(page.oldest_ms, ms("2026-06-02T09:00:00.000Z"));
	rw_page_clear(&page);
}

Test(allegro_threads, hostile_entries)
{
	struct rw_page page;

	rwt_parse_ok(threads_v1,
		     "{ 'threads': [ 5, { 'lastMessageDateTime': '2026-01-01T00:00:00Z' },"
		     " { 'id': 'a/b', 'lastMessageDateTime': '2026-01-01T00:00:00Z' },"
		     " { 'id': 'ok1', 'lastMessageDateTime': 'yesterday' },"
		     " { 'id': 'empty', 'lastMessageDateTime': null },"
		     " { 'id': 'ok2', 'lastMessageDateTime': '2026-01-01T00:00:00+02:00' } ] }",
		     NULL, &page);
	cr_assert_eq(page.nentries, 6);
	cr_assert_eq(page.nfollows, 1);
	cr_assert_str_eq(page.follows[0].context, "ok2");
	cr_assert_eq(page.nrejects, 4);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_TIME, "ok1");
	rw_page_clear(&page);
	rwt_parse_fails(threads_v1, "{\"threads\": {}}", 15, NULL, "threads: expected an array",
			false, 100);
	rwt_parse_fails(threads_beta, "{\"threads\": [], \"nextPage\": {\"id\": \"a b\"}}", 42,
			NULL, "nextPage.id: not a usable page id", false, 100);
	rwt_parse_fails(threads_v1, "[]", 2, NULL, "expected a JSON object", false, 100);
}

/* ---- messages ---- */

Test(allegro_messages, documented_question_and_answer)
{
	struct rw_page page;
	const struct rw_item *q, *a;

	rwt_parse_ok(
		messages_v1,
		"{ 'messages': ["
		" { 'id': '97dc0b60-2da4-4247-92ba-b748630ba0f6', 'status': 'DELIVERED', 'type':"
		" 'MESSAGE_CENTER', 'createdAt': '2026-05-04T09:15:02.120Z', 'thread': { 'id': "
		"'" THREAD "' }, 'author': { 'login': 'my-shop', 'isInterlocutor': false }, 'text':"
		" 'Tak, ma tuner DVB-T2 HEVC.' },"
		" { 'id': '1b7e2c44-0d4e-4a51-9f3c-6a0c2b9e8d11', 'status': 'DELIVERED', 'type':"
		" 'ASK_QUESTION', 'createdAt': '2026-05-04T08:52:04.000Z', 'thread': { 'id': "
		"'" THREAD
		"' }, 'author': { 'login': 'example-buyer', 'isInterlocutor': true }, 'text':"
		" 'Czy ten telewizor ma tuner DVB-T2?', 'relatesTo': { 'offer': { 'id': "
		"'82398120310' }"
		" } } ], 'offset': 0, 'limit': 20 }",
		NULL, &page);
	cr_assert_eq(page.nitems, 2);
	a = &page.items[0];
	q = &page.items[1];
	cr_assert_str_eq(q->id, "1b7e2c44-0d4e-4a51-9f3c-6a0c2b9e8d11");
	cr_assert_eq(q->kind, RW_KIND_MESSAGE);
	cr_assert_not(q->from_brand);
	cr_assert_str_eq(q->author, "example-buyer");
	cr_assert_str_eq(q->conversation_id, THREAD);
	cr_assert_str_eq(q->url, WEB "/wiadomosci/" THREAD);
	cr_assert_eq(q->created_at_ms, ms("2026-05-04T08:52:04.000Z"));
	cr_assert(a->from_brand);
	cr_assert_null(a->in_reply_to, "a reply to the whole conversation");
	cr_assert_str_eq(a->conversation_id, THREAD);
	cr_assert_eq(a->created_at_ms, ms("2026-05-04T09:15:02.120Z"));
	cr_assert_str_eq(a->text, "Tak, ma tuner DVB-T2 HEVC.");
	cr_assert_null(page.next, "2 of 20: the last page");
	cr_assert(rw_allegro_msg_item_id(q->id));
	rw_page_clear(&page);
}

Test(allegro_messages, moderation_skipped_full_page_has_next)
{
	struct rw_page page;

	rwt_parse_ok(messages_v1,
		     "{ 'messages': ["
		     " { 'id': 'm1', 'status': 'VERIFYING', 'createdAt': '2026-05-04T08:00:00Z',"
		     " 'author': { 'login': 'b', 'isInterlocutor': true } },"
		     " { 'id': 'm2', 'status': 'BLOCKED', 'createdAt': '2026-05-04T07:00:00Z',"
		     " 'author': { 'login': 'b', 'isInterlocutor': true } } ],"
		     " 'offset': 40, 'limit': 2 }",
		     NULL, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 0);
	cr_assert_eq(page.oldest_ms, ms("2026-05-04T07:00:00Z"));
	cr_assert_str_eq(page.next, "42");
	rw_page_clear(&page);
}

Test(allegro_messages, beta_roles_and_the_sellers_login)
{
	struct rw_page page;

	rwt_parse_ok(messages_beta,
		     "{ 'messages': ["
		     " { 'id': 'b1', 'createdAt': '2026-06-02T09:00:00Z', 'author': { 'role':"
		     " 'BUYER', 'login': 'BuyerLogin' }, 'text': 'broken' },"
		     " { 'id': 'c1', 'createdAt': '2026-06-02T09:01:00Z', 'author': { 'role':"
		     " 'CONSULTANT' } },"
		     " { 'id': 's1', 'createdAt': '2026-06-02T09:30:00Z', 'author': { 'role':"
		     " 'SELLER', 'login': 'SellerLogin' } },"
		     " { 'id': 'u1', 'createdAt': '2026-06-02T10:00:00Z', 'author': { 'role':"
		     " 'USER', 'login': 'acme-shop' } },"
		     " { 'id': 'u2', 'createdAt': '2026-06-02T10:30:00Z', 'author': { 'role':"
		     " 'USER', 'login': 'someone' } } ],"
		     " 'nextPage': { 'id': 'p2' } }",
		     "acme-shop", &page);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nitems, 4);
	cr_assert_str_eq(page.items[0].id, "b1");
	cr_assert_not(page.items[0].from_brand);
	cr_assert(page.items[1].from_brand, "SELLER");
	cr_assert(page.items[2].from_brand, "USER with the seller's login");
	cr_assert_not(page.items[3].from_brand, "USER with another login");
	cr_assert_str_eq(page.items[3].author, "someone");
	cr_assert_str_eq(page.next, "p2");
	rw_page_clear(&page);
	/* USER without the seller's login known: no guess. */
	rwt_parse_ok(messages_beta,
		     "{ 'messages': [ { 'id': 'u1', 'createdAt': '2026-06-02T10:00:00Z',"
		     " 'author': { 'role': 'USER', 'login': 'acme-shop' } } ] }",
		     NULL, &page);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_AUTHOR, NULL);
	rw_page_clear(&page);
}

Test(allegro_messages, hostile_entries)
{
	struct rw_page page;

	rwt_parse_ok(messages_v1,
		     "{ 'messages': [ 'x',"
		     " { 'id': 'no time', 'createdAt': '2026-05-04T08:00:00Z' },"
		     " { 'id': 'm1', 'createdAt': 'then', 'author': { 'isInterlocutor': true } },"
		     " { 'id': 'm2', 'createdAt': '2026-05-04T08:00:00Z', 'author': 'b' },"
		     " { 'id': 'm3', 'createdAt': '2026-05-04T08:00:00Z', 'author': {} },"
		     " { 'id': 'm4', 'createdAt': '2026-05-04T08:00:00Z', 'author': {"
		     " 'isInterlocutor': true }, 'text': 7 },"
		     " { 'id': 'm5', 'createdAt': '2026-05-04T08:00:00Z', 'author': {"
		     " 'isInterlocutor': true, 'login': null } } ] }",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].author, "buyer", "Allegro gave no login");
	cr_assert_eq(page.nrejects, 6);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_TIME, NULL);
	rw_page_clear(&page);
}

/* ---- issues ---- */

Test(allegro_issues, documented_claim_follows_its_chat)
{
	struct rw_page page;

	rwt_parse_ok(
		issues,
		"{ 'issues': [ { 'id': '73cc3981-bc7e-45b2-911a-a0156871f18f', 'type': 'CLAIM',"
		" 'openedDate': '2025-06-10T12:12:12.019Z', 'currentState': { 'status':"
		" 'CLAIM_SUBMITTED', 'chatActive': true }, 'chat': { 'lastMessage': { 'status':"
		" 'BUYER_REPLIED', 'createdAt': '2025-06-10T14:06:11.019Z' }, 'messagesCount': 2 } "
		"},"
		" { 'id': 'no-chat', 'openedDate': '2025-06-09T00:00:00Z' },"
		" { 'id': 'bad-time', 'openedDate': '2025-06-10T12:12:12.000.019Z' } ] }",
		NULL, &page);
	cr_assert_eq(page.nfollows, 2);
	cr_assert_eq(page.follows[0].at_ms, ms("2025-06-10T14:06:11.019Z"));
	cr_assert_eq(page.follows[1].at_ms, ms("2025-06-09T00:00:00Z"), "only its opening");
	cr_assert_eq(page.newest_ms, ms("2025-06-10T12:12:12.019Z"), "by openedDate");
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "bad-time");
	rw_page_clear(&page);
	cr_assert_eq(rw_allegro_parse_issues("{'issues': [{'id': 'a', 'openedDate': "
					     "'2025-06-01T00:00:00Z', 'chat': {'lastMessage': "
					     "{'createdAt': '2025-06-05T00:00:00Z'}}}]}",
					     0, RW_ALLEGRO_LAST_MESSAGE, &page, NULL, 0),
		     -1, "an empty body is malformed");
}

Test(allegro_issues, chat_buyer_seller_and_staff)
{
	struct rw_page page;

	rwt_parse_ok(chat,
		     "{ 'chat': ["
		     " { 'id': 'a9927fcc-f11a-436a-9f8d-177fd37d393c', 'text': 'Prosze o"
		     " doprecyzowanie.', 'author': { 'login': 'example-seller', 'role': 'SELLER' },"
		     " 'createdAt': '2025-06-10T12:30:00.000Z' },"
		     " { 'id': 'x1', 'author': { 'role': 'SYSTEM' }, 'createdAt':"
		     " '2025-06-10T12:20:00Z' },"
		     " { 'id': '63707fb6-1a81-47a5-8d65-b9c6cbdb9ee0', 'text': 'hello', 'author': {"
		     " 'login': 'example-user', 'role': 'BUYER' }, 'createdAt':"
		     " '2025-06-10T12:12:12.019Z' } ] }",
		     NULL, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert(page.items[0].from_brand);
	cr_assert_str_eq(page.items[0].conversation_id, "73cc3981-bc7e-45b2-911a-a0156871f18f");
	cr_assert_not(page.items[1].from_brand);
	cr_assert_eq(page.items[1].kind, RW_KIND_MESSAGE);
	cr_assert_str_eq(page.items[1].url, WEB "/reklamacje/73cc3981-bc7e-45b2-911a-a0156871f18f");
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* ---- ids and the site ---- */

Test(allegro_msg_ids, ids_and_web_base)
{
	char *w;

	cr_assert(rw_allegro_msg_id_valid(THREAD));
	cr_assert(rw_allegro_msg_id_valid("73cc3981-bc7e-45b2-911a-a0156871f18f"));
	cr_assert_not(rw_allegro_msg_id_valid(""));
	cr_assert_not(rw_allegro_msg_id_valid("../x"));
	cr_assert_not(rw_allegro_msg_id_valid("a?b"));
	cr_assert_not(rw_allegro_msg_item_id("5df0a6d1ef437e00255572a1"), "a rating id");
	cr_assert_not(rw_allegro_msg_item_id("73cc3981-bc7e-45b2-911a-a0156871f18"));
	w = rw_allegro_web_base("https://api.allegro.pl");
	cr_assert_str_eq(w, "https://allegro.pl");
	free(w);
	w = rw_allegro_web_base("https://api.allegro.pl.allegrosandbox.pl/");
	cr_assert_str_eq(w, "https://allegro.pl.allegrosandbox.pl");
	free(w);
	w = rw_allegro_web_base("http://127.0.0.1:8080");
	cr_assert_str_eq(w, "https://allegro.pl");
	free(w);
	w = rw_allegro_web_base("https://api.allegro.pl.evil.example");
	cr_assert_str_eq(w, "https://allegro.pl");
	free(w);
}
