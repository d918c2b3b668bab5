/*
 * allegro_issues.c: the Allegro post-purchase issue streams (beta v1):
 * new issues newest openedDate first down to the watermark, and every open
 * issue (DISPUTE_ONGOING, CLAIM_SUBMITTED) each poll, whose chat is read as
 * a follow-up when its last message is newer than the watermark less the
 * overlap. Parsing is in allegro_issues_parse.c; see sources/allegro_msg.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/sources/allegro_msg.h"

#define ISSUE_OFFSET_MAX 100000LL /* a bound of ours: Allegro documents none */
#define CHAT_PAGES 3

/* The offset of page token (page numbers from 1) of a list of per_page. */
static void
allegro_offset(const char *token, char *out, size_t len)
{
	long long page = token ? strtoll(token, NULL, 10) : 1;
	long long off = (page < 1 ? 0 : page - 1) * RW_ALLEGRO_ISSUES_PER_PAGE;

	snprintf(out, len, "%lld", off > ISSUE_OFFSET_MAX ? ISSUE_OFFSET_MAX : off);
}

char *
rw_allegro_issues_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	char offset[24];

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_BETA);
	allegro_offset(walk->token, offset, sizeof(offset));
	return rw_url_build(rw_poll_source(poll)->base_url, "/sale/issues", "limit", "100",
			    "offset", offset, NULL);
}

int
rw_allegro_issues_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
			char *err, size_t errlen)
{
	(void)poll;
	return rw_allegro_parse_issues(body, len, RW_ALLEGRO_OPENED, page, err, errlen);
}

char *
rw_allegro_open_issues_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	char offset[24];

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_BETA);
	allegro_offset(walk->token, offset, sizeof(offset));
	return rw_url_build(rw_poll_source(poll)->base_url, "/sale/issues", "status",
			    "DISPUTE_ONGOING", "status", "CLAIM_SUBMITTED", "limit", "100",
			    "offset", offset, NULL);
}

int
rw_allegro_open_issues_parse(struct rw_poll *poll, const char *body, size_t len,
			     struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	return rw_allegro_parse_issues(body, len, RW_ALLEGRO_LAST_MESSAGE, page, err, errlen);
}

static char *
allegro_chat_url(struct rw_poll *poll, const char *issue, const char *token)
{
	char path[RW_ALLEGRO_MSG_ID_MAX + 32];

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_BETA);
	snprintf(path, sizeof(path), "/sale/issues/%s/chat", issue);
	return rw_url_build(rw_poll_source(poll)->base_url, path, "limit", "100", "offset",
			    token ? token : "0", NULL);
}

static int
allegro_chat_parse(struct rw_poll *poll, const char *issue, const char *token, const char *body,
		   size_t len, struct rw_page *page, char *err, size_t errlen)
{
	char *web = rw_allegro_web_base(rw_poll_source(poll)->base_url);
	int rc;

	if (web == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = rw_allegro_parse_chat(body, len, issue, token, web, page, err, errlen);
	free(web);
	return rc;
}

const struct rw_follow rw_allegro_chat_follow = {
	.endpoint = "issue_chat",
	.gone_status = 404,
	.max_pages = CHAT_PAGES,
	.url = allegro_chat_url,
	.parse = allegro_chat_parse,
};
