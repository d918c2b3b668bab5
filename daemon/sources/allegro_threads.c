/*
 * allegro_threads.c: the Allegro Message Center streams: thread lists
 * (public v1, and beta v1 for purchase problems) walked newest
 * lastMessageDateTime first down to the watermark less an overlap, and the
 * messages of each thread that changed read as follow-ups (poller fan-out).
 * Parsing is in allegro_threads_parse.c; see sources/allegro_msg.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/sources/allegro_msg.h"

#define THREAD_OFFSET_MAX 15000000LL /* Allegro's cap on a thread list's offset */
#define MESSAGE_OFFSET_MAX 15000LL   /* and on a thread's messages' */
#define MESSAGES_PER_PAGE "20"
/* Pages of one thread's messages read in one poll: 100 messages since the
 * last poll is far more than one conversation gets. */
#define MESSAGE_PAGES 5

bool
rw_allegro_msg_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

char *
rw_allegro_web_base(const char *base_url)
{
	static const char api[] = "https://api.";
	const char *host = base_url + sizeof(api) - 1;
	char *out;

	if (strncmp(base_url, api, sizeof(api) - 1) != 0 ||
	    (strncmp(host, "allegro.pl", 10) != 0 ||
	     (host[10] != '\0' && host[10] != '/' &&
	      strncmp(host + 10, ".allegrosandbox.pl", 18) != 0)))
		return strdup("https://allegro.pl");
	if (asprintf(&out, "https://%.*s", (int)strcspn(host, "/"), host) < 0)
		return NULL;
	return out;
}

char *
rw_allegro_threads_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	long long page = walk->token ? strtoll(walk->token, NULL, 10) : 1;
	long long off = (page < 1 ? 0 : page - 1) * RW_ALLEGRO_THREADS_PER_PAGE;
	char offset[24];

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_V1);
	if (off > THREAD_OFFSET_MAX)
		off = THREAD_OFFSET_MAX;
	snprintf(offset, sizeof(offset), "%lld", off);
	return rw_url_build(rw_poll_source(poll)->base_url, "/messaging/threads", "limit", "20",
			    "offset", offset, NULL);
}

int
rw_allegro_threads_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
			 char *err, size_t errlen)
{
	(void)poll;
	return rw_allegro_parse_threads(body, len, RW_ALLEGRO_V1, page, err, errlen);
}

char *
rw_allegro_problem_threads_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_BETA);
	return rw_url_build(rw_poll_source(poll)->base_url, "/messaging/threads", "type",
			    "POST_PURCHASE_ISSUE", "limit", "20", "page.id", walk->token, NULL);
}

int
rw_allegro_problem_threads_parse(struct rw_poll *poll, const char *body, size_t len,
				 struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	return rw_allegro_parse_threads(body, len, RW_ALLEGRO_BETA, page, err, errlen);
}

/* A thread's messages: v1 pages by offset, beta by page.id. */
static char *
allegro_messages_url(struct rw_poll *poll, const char *thread, const char *token, bool beta)
{
	char path[RW_ALLEGRO_MSG_ID_MAX + 40];
	const char *offset = NULL, *page_id = NULL;

	rw_allegro_use_accept(poll, beta ? RW_ALLEGRO_ACCEPT_BETA : RW_ALLEGRO_ACCEPT_V1);
	if (beta)
		page_id = token;
	else if (token != NULL && strtoll(token, NULL, 10) <= MESSAGE_OFFSET_MAX)
		offset = token;
	snprintf(path, sizeof(path), "/messaging/threads/%s/messages", thread);
	return rw_url_build(rw_poll_source(poll)->base_url, path, "limit", MESSAGES_PER_PAGE,
			    "offset", offset, "page.id", page_id, NULL);
}

static int
allegro_messages_parse(struct rw_poll *poll, const char *thread, const char *body, size_t len,
		       bool beta, struct rw_page *page, char *err, size_t errlen)
{
	char *web = rw_allegro_web_base(rw_poll_source(poll)->base_url);
	int rc;

	if (web == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = rw_allegro_parse_messages(body, len, beta ? RW_ALLEGRO_BETA : RW_ALLEGRO_V1, thread,
				       rw_allegro_seller_login(rw_poll_state(poll)), web, page, err,
				       errlen);
	free(web);
	return rc;
}

static char *
allegro_v1_messages_url(struct rw_poll *poll, const char *thread, const char *token)
{
	return allegro_messages_url(poll, thread, token, false);
}

static int
allegro_v1_messages_parse(struct rw_poll *poll, const char *thread, const char *token,
			  const char *body, size_t len, struct rw_page *page, char *err,
			  size_t errlen)
{
	(void)token;
	return allegro_messages_parse(poll, thread, body, len, false, page, err, errlen);
}

static char *
allegro_beta_messages_url(struct rw_poll *poll, const char *thread, const char *token)
{
	return allegro_messages_url(poll, thread, token, true);
}

static int
allegro_beta_messages_parse(struct rw_poll *poll, const char *thread, const char *token,
			    const char *body, size_t len, struct rw_page *page, char *err,
			    size_t errlen)
{
	(void)token;
	return allegro_messages_parse(poll, thread, body, len, true, page, err, errlen);
}

const struct rw_follow rw_allegro_messages_follow = {
	.endpoint = "thread_messages",
	.gone_status = 404,
	.max_pages = MESSAGE_PAGES,
	.url = allegro_v1_messages_url,
	.parse = allegro_v1_messages_parse,
};

const struct rw_follow rw_allegro_problem_messages_follow = {
	.endpoint = "thread_messages",
	.gone_status = 404,
	.max_pages = MESSAGE_PAGES,
	.url = allegro_beta_messages_url,
	.parse = allegro_beta_messages_parse,
};
