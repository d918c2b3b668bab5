/*
 * linkedin: pure parsers for LinkedIn's Community Management API (Rest.li
 * 2.0 shapes, no I/O); the connector (sources/linkedin.c) does the requests.
 *
 *   GET /rest/organizationalEntityNotifications?q=criteria&...  (comments on
 *       the organisation's posts and mentions of it)
 *   GET /rest/socialActions/{URN}/comments   (replies under a comment, or
 *       the comments on a post)
 *
 * LinkedIn's terms allow members' comments and mentions to be stored for
 * 48 hours only: no parser here keeps their text, nor the commenter's
 * identity (an item's author is "LinkedIn member"); ids, times and links
 * are kept, as the SLA needs them (docs/connectors.md#linkedin).
 */
#ifndef REPLYWATCH_LINKEDIN_H
#define REPLYWATCH_LINKEDIN_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* What an item's author is when a member wrote it. */
#define RW_LINKEDIN_MEMBER "LinkedIn member"

/* True when urn is "urn:li:TYPE:REST" with TYPE of letters and REST of 1
 * or more printable ASCII characters other than space and '|', at most
 * RW_ITEM_ID_MAX bytes in all. */
bool rw_linkedin_urn_valid(const char *urn);

/* True when urn is "urn:li:organization:DIGITS" (1 to 20 digits). */
bool rw_linkedin_org_valid(const char *urn);

/* A comment URN with "urn:li:" inside its composite key, as LinkedIn's
 * decorated payloads write it: "urn:li:comment:(activity:1,2)" becomes
 * "urn:li:comment:(urn:li:activity:1,2)"; any other URN is copied. Caller
 * frees; NULL when urn is not valid or memory fails. */
char *rw_linkedin_urn_normalise(const char *urn);

/*
 * A page of organizationalEntityNotifications (elements[], paging). Kept:
 * action COMMENT (item kind comment: id = the comment URN normalised, from
 * decoratedGeneratedActivity.comment.entity else generatedActivity) and
 * SHARE_MENTION (kind mention: id = generatedActivity, the mentioning
 * post); conversation_id = the item's own id (every member is the same
 * RW_LINKEDIN_MEMBER: a reply to one must not resolve another's), both
 * with created_at = lastModifiedAt (ms), author RW_LINKEDIN_MEMBER (or the
 * organisation URN that wrote it), no text, url
 * https://www.linkedin.com/feed/update/POST (a comment's adds
 * ?commentUrn=ENCODED). A comment written by org (the brand itself) and
 * other actions (LIKE, SHARE, ADMIN_COMMENT, COMMENT_EDIT, COMMENT_DELETE)
 * are skipped. Rejects: an element that is no object ("wrong type"), no or
 * a bad URN ("no id", "bad id"), no positive lastModifiedAt ("bad
 * created_at"). Every element's lastModifiedAt counts into newest_ms/
 * oldest_ms; next is never set (the connector pages by start/count). More
 * than RW_PAGE_MAX_ENTRIES elements is an error.
 * Returns 0, or -1 with a reason in err (page zeroed).
 */
int rw_linkedin_parse_notifications(const char *body, size_t len, const char *org,
				    struct rw_page *page, char *err, size_t errlen);

/*
 * The comments under about (a comment URN, or a post URN for a mention):
 * each element whose actor is org becomes a brand reply: id = its
 * commentUrn (normalised; else "urn:li:comment:(OBJECT,ID)"), in_reply_to
 * = conversation_id = about, created_at = created.time (ms), author
 * = org, no text. Comments by anyone else are skipped; an org comment
 * without a usable id or time is rejected as above.
 * Returns 0, or -1 with a reason in err (page zeroed).
 */
int rw_linkedin_parse_replies(const char *body, size_t len, const char *org, const char *about,
			      struct rw_page *page, char *err, size_t errlen);

#endif
