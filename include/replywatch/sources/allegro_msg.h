/*
 * allegro_msg: Allegro's buyer messages, as streams of the allegro
 * connector (sources/allegro.c) and as pure parsers (no I/O).
 *
 *   GET /messaging/threads?limit=20&offset=N            public v1: every thread
 *   GET /messaging/threads?type=POST_PURCHASE_ISSUE&limit=20[&page.id=C]
 *                                                       beta v1: purchase problems
 *   GET /messaging/threads/ID/messages?limit=20[&offset=N | &page.id=C]
 *   GET /sale/issues?limit=100&offset=N                 beta v1: disputes and claims
 *   GET /sale/issues?status=DISPUTE_ONGOING&status=CLAIM_SUBMITTED&limit=100&offset=N
 *   GET /sale/issues/ID/chat?limit=100&offset=N         beta v1
 *
 * A buyer's message becomes an inbound item of kind message whose
 * conversation is its thread (or issue); a seller's message is a brand
 * reply to the whole conversation (from_brand, conversation_id, no
 * in_reply_to): the tracker resolves every open buyer message of the
 * conversation made no later than it, each with its own response time.
 */
#ifndef REPLYWATCH_ALLEGRO_MSG_H
#define REPLYWATCH_ALLEGRO_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "replywatch/connector.h"

struct rw_page;

/*
 * The streams the allegro connector (allegro.c) lists after its ratings
 * stream, as struct rw_stream initialisers (its streams[] is an array of
 * values, which C cannot fill from other files' objects), and their
 * fan-outs as struct rw_stream_extra initialisers, each ended by a comma:
 * Message Center threads (public v1), purchase-problem threads (beta v1),
 * new issues (by openedDate) and open issues (walked whole, by their chat's
 * last message), all by time with an overlap (a message may show up late
 * with an earlier createdAt: moderation), each thread's messages and each
 * issue's chat read as follow-ups.
 */
#define RW_ALLEGRO_MSG_OVERLAP_MS (15 * 60 * 1000)
#define RW_ALLEGRO_THREADS_PER_PAGE 20
#define RW_ALLEGRO_ISSUES_PER_PAGE 100
/* clang-format off */
#define RW_ALLEGRO_MSG_STREAMS                                                                  \
	{"threads", 'm', true, true, rw_allegro_threads_url, rw_allegro_threads_parse,          \
	 rw_allegro_msg_ms_ok, RW_ALLEGRO_MSG_OVERLAP_MS, RW_ALLEGRO_THREADS_PER_PAGE},         \
	{"problem_threads", 'q', true, true, rw_allegro_problem_threads_url,                    \
	 rw_allegro_problem_threads_parse, rw_allegro_msg_ms_ok, RW_ALLEGRO_MSG_OVERLAP_MS, 0}, \
	{"issues", 'i', true, true, rw_allegro_issues_url, rw_allegro_issues_parse,             \
	 rw_allegro_msg_ms_ok, RW_ALLEGRO_MSG_OVERLAP_MS, RW_ALLEGRO_ISSUES_PER_PAGE},          \
	{"open_issues", 'j', true, true, rw_allegro_open_issues_url,                            \
	 rw_allegro_open_issues_parse, rw_allegro_msg_ms_ok, RW_ALLEGRO_MSG_OVERLAP_MS,         \
	 RW_ALLEGRO_ISSUES_PER_PAGE},
#define RW_ALLEGRO_MSG_EXTRAS                                                                   \
	{"threads", NULL, &rw_allegro_messages_follow, false},                                  \
	{"problem_threads", NULL, &rw_allegro_problem_messages_follow, false},                  \
	{"issues", NULL, &rw_allegro_chat_follow, false},                                       \
	{"open_issues", NULL, &rw_allegro_chat_follow, true},
/* clang-format on */

/* What the macros above name (allegro_threads.c, allegro_issues.c). */
char *rw_allegro_threads_url(struct rw_poll *poll, const struct rw_walk *walk);
int rw_allegro_threads_parse(struct rw_poll *poll, const char *body, size_t len,
			     struct rw_page *page, char *err, size_t errlen);
char *rw_allegro_problem_threads_url(struct rw_poll *poll, const struct rw_walk *walk);
int rw_allegro_problem_threads_parse(struct rw_poll *poll, const char *body, size_t len,
				     struct rw_page *page, char *err, size_t errlen);
char *rw_allegro_issues_url(struct rw_poll *poll, const struct rw_walk *walk);
int rw_allegro_issues_parse(struct rw_poll *poll, const char *body, size_t len,
			    struct rw_page *page, char *err, size_t errlen);
char *rw_allegro_open_issues_url(struct rw_poll *poll, const struct rw_walk *walk);
int rw_allegro_open_issues_parse(struct rw_poll *poll, const char *body, size_t len,
				 struct rw_page *page, char *err, size_t errlen);
/* A by-time watermark: ms as 1 to 16 digits. */
bool rw_allegro_msg_ms_ok(const char *ms);
extern const struct rw_follow rw_allegro_messages_follow;
extern const struct rw_follow rw_allegro_problem_messages_follow;
extern const struct rw_follow rw_allegro_chat_follow;

/* The marketplace's web site a source's items link to: "https://" + the
 * API host less its "api." ("https://allegro.pl", the sandbox's
 * "https://allegro.pl.allegrosandbox.pl"); "https://allegro.pl" for any
 * other base_url (a test's fake). Caller frees; NULL when out of memory. */
char *rw_allegro_web_base(const char *base_url);

/* Thread, message and issue ids: 1 to 128 bytes of [A-Za-z0-9._~=-] (thread
 * ids are ~43 opaque characters, message and issue ids UUIDs): they go
 * unescaped into URL paths. */
#define RW_ALLEGRO_MSG_ID_MAX 128
bool rw_allegro_msg_id_valid(const char *id);

/* True when id is the shape of a message's id (a UUID, 8-4-4-4-12 hex
 * digits), which ratings' ids (24 hex digits) never are: the ratings
 * re-read skips such open items (they are buyer messages). */
bool rw_allegro_msg_item_id(const char *id);

/* Which representation an answer is in. */
enum rw_allegro_repr {
	RW_ALLEGRO_V1,   /* application/vnd.allegro.public.v1+json */
	RW_ALLEGRO_BETA, /* application/vnd.allegro.beta.v1+json */
};

/*
 * A thread list ({"threads": [...]}, newest lastMessageDateTime first). No
 * item: each thread is a follow-up (rw_page_follow: context = its id, at =
 * lastMessageDateTime), read by rw_allegro_parse_messages. A thread without
 * lastMessageDateTime (null: no message yet) is skipped; in beta, one whose
 * type is not POST_PURCHASE_ISSUE is skipped (COMMON threads are read
 * through v1). Rejects: an entry that is no object ("wrong type"), no or a
 * bad id, an unreadable time. newest_ms/oldest_ms: lastMessageDateTime;
 * next: beta nextPage.id (v1 pages by offset: none). More than
 * RW_PAGE_MAX_ENTRIES threads, or a next page id rw_page_token_valid
 * refuses, is an error. Returns 0, or -1 with err (page zeroed).
 */
int rw_allegro_parse_threads(const char *body, size_t len, enum rw_allegro_repr repr,
			     struct rw_page *page, char *err, size_t errlen);

/*
 * The messages of thread ({"messages": [...]}). Messages whose status is
 * VERIFYING or BLOCKED are skipped: the seller cannot see them (moderation)
 * and so cannot answer; once delivered they are read with their own
 * createdAt (the walk's overlap re-reads them). Who wrote a message: v1
 * author.isInterlocutor (true: the buyer); beta author.role BUYER (the
 * buyer), SELLER (the seller), USER (compared with seller_login: the
 * seller's own login from GET /me; unknown seller_login: rejected as "bad
 * author"); CONSULTANT, ALLEGRO and others are skipped.
 * A buyer's message: id = message id, kind message, author = author.login
 * ("buyer" when Allegro gives none), text, created_at = createdAt,
 * conversation_id = thread, url = web + "/wiadomosci/" + thread (web: the
 * marketplace's site, "https://allegro.pl"; NULL: no url).
 * A seller's message: a brand reply with id, created_at, text and
 * conversation_id = thread (no in_reply_to).
 * Rejects: an entry, or its author, that is no object ("wrong type"); no or
 * a bad id; an unreadable createdAt; a v1 message without a boolean
 * isInterlocutor ("bad author"). oldest_ms/newest_ms: createdAt of every
 * message read. next: v1, the next offset when the answer's "limit"
 * entries came (from its "offset"); beta, nextPage.id. Returns 0, or -1
 * with err (page zeroed).
 */
int rw_allegro_parse_messages(const char *body, size_t len, enum rw_allegro_repr repr,
			      const char *thread, const char *seller_login, const char *web,
			      struct rw_page *page, char *err, size_t errlen);

/* What an issue list's times count for the walk. */
enum rw_allegro_issue_time {
	RW_ALLEGRO_OPENED,       /* openedDate: the list's own order (new issues) */
	RW_ALLEGRO_LAST_MESSAGE, /* chat.lastMessage.createdAt (open issues: walked whole) */
};

/*
 * An issue list ({"issues": [...]}, newest openedDate first; beta v1). No
 * item: each issue is a follow-up (context = its id, at = its
 * chat.lastMessage.createdAt, else its openedDate), read by
 * rw_allegro_parse_chat. Its type (DISPUTE, later maybe CLAIM) and
 * currentState.chatActive do not matter: a closed chat keeps what it has.
 * Rejects: an entry that is no object, no or a bad id, no readable
 * openedDate. newest_ms/oldest_ms: as time says. Returns 0, or -1 with err
 * (page zeroed).
 */
int rw_allegro_parse_issues(const char *body, size_t len, enum rw_allegro_issue_time time,
			    struct rw_page *page, char *err, size_t errlen);

/*
 * An issue's chat ({"chat": [...]}, beta v1): author.role BUYER is the
 * buyer's message (kind message, author = login or "buyer", conversation_id
 * = issue, url = web + "/reklamacje/" + issue), SELLER the seller's brand
 * reply to the conversation; ADMIN, SYSTEM, FULFILLMENT and others are
 * skipped. Rejects as for messages. next: offset + 100 (limit) when 100
 * messages came, offset being the token (NULL: 0). Returns 0, or -1 with
 * err (page zeroed).
 */
#define RW_ALLEGRO_CHAT_LIMIT 100
int rw_allegro_parse_chat(const char *body, size_t len, const char *issue, const char *token,
			  const char *web, struct rw_page *page, char *err, size_t errlen);

#endif
