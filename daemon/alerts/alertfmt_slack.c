/*
 * alertfmt_slack.c: the "slack" format, an incoming-webhook body
 *   {"text": one fallback line per event,
 *    "blocks": [one section per event: a headline, the facts as fields and a
 *               button to the post; a context block "and N more" past 50]}
 * Text from outside (authors, posts, errors) is put on one line, cut short
 * and escaped for mrkdwn (&, <, >), so it can neither break the layout nor
 * pass Slack's length limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/alertfmt.h"

#include "alerts/alertfmt_internal.h"

/* Slack's limits: 50 blocks a message, 10 fields a section, 3000
 * characters in a button URL. */
#define BLOCKS_MAX 50
#define FIELDS_MAX 10
#define BUTTON_URL_MAX 3000

/* How much of outside text a block shows (well inside Slack's 2000
 * characters a field and 3000 a section text, even once escaped). */
#define QUOTE_MAX 300

/* Past this many bytes the fallback text gets no more event lines (Slack
 * takes at most 40 000 characters there). */
#define TEXT_BUDGET 30000
#define NAME_MAX_CHARS 100
#define ERROR_MAX 300

/* Appends s on one line, at most max characters, escaped for mrkdwn. */
static void
add_esc(struct rw_af_buf *b, const char *s, size_t max)
{
	char *line = rw_af_line(s, max);

	if (line == NULL) {
		b->failed = true;
		return;
	}
	for (const char *p = line; *p != '\0'; p++) {
		if (*p == '&')
			rw_af_buf_add(b, "&amp;");
		else if (*p == '<')
			rw_af_buf_add(b, "&lt;");
		else if (*p == '>')
			rw_af_buf_add(b, "&gt;");
		else
			rw_af_buf_addn(b, p, 1);
	}
	free(line);
}

/* Appends url for a <url> link: the characters that would end the link
 * (<, >, |) and blanks are percent-encoded. */
static void
add_url(struct rw_af_buf *b, const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '|')
			rw_af_buf_addf(b, "%%%02X", *p);
		else
			rw_af_buf_addn(b, (const char *)p, 1);
	}
}

/* {"type":"mrkdwn","text":text}; takes text (NULL: out of memory). */
static json_t *
mrkdwn(char *text)
{
	json_t *o = text != NULL ? json_pack("{s:s, s:s}", "type", "mrkdwn", "text", text) : NULL;

	free(text);
	return o;
}

/* A field "*label*\nvalue" (value escaped, at most max characters). */
static int
add_field(json_t *fields, const char *label, const char *value, size_t max)
{
	struct rw_af_buf b = {0};

	if (json_array_size(fields) >= FIELDS_MAX)
		return 0;
	rw_af_buf_addf(&b, "*%s*\n", label);
	add_esc(&b, value, max);
	return json_array_append_new(fields, mrkdwn(rw_af_buf_take(&b)));
}

/* The label of the time a mention has waited (and the seconds), or NULL. */
static const char *
wait_label(const struct rw_af_event *e, double *secs)
{
	*secs = e->age;
	switch (e->type) {
	case RW_AF_RESOLVED:
		if (e->has_response) {
			*secs = e->response;
			return "Answered after";
		}
		return e->has_age ? "Waited" : NULL;
	case RW_AF_EXPIRED:
		return e->has_age ? "Waited" : NULL;
	default:
		return e->has_age ? "Waiting" : NULL;
	}
}

static int
mention_fields(json_t *fields, const struct rw_af_event *e)
{
	char handle[RW_AF_HANDLE_MAX], d[32], d2[32], lvl[32];
	const char *label, *who = rw_af_handle(e, handle, sizeof(handle));
	struct rw_af_buf b = {0};
	double secs;
	char *text;
	int rc;

	if (who != NULL && add_field(fields, "Author", who, NAME_MAX_CHARS) == -1)
		return -1;
	if (e->platform != NULL)
		rw_af_buf_addf(&b, "%s (%s)", e->source, e->platform);
	else
		rw_af_buf_add(&b, e->source);
	if ((text = rw_af_buf_take(&b)) == NULL)
		return -1;
	rc = add_field(fields, "Source", text, 2 * NAME_MAX_CHARS);
	free(text);
	if (rc == -1)
		return -1;
	if ((label = wait_label(e, &secs)) != NULL &&
	    add_field(fields, label, rw_af_duration(secs, d, sizeof(d)), NAME_MAX_CHARS) == -1)
		return -1;
	if (e->has_business_age &&
	    add_field(fields, "Business time", rw_af_duration(e->business_age, d, sizeof(d)),
		      NAME_MAX_CHARS) == -1)
		return -1;
	if (e->policy != NULL) {
		rw_af_buf_add(&b, e->policy);
		if (e->has_warn_after && e->has_breach_after)
			rw_af_buf_addf(&b, " (warn %s, breach %s)",
				       rw_af_duration(e->warn_after, d, sizeof(d)),
				       rw_af_duration(e->breach_after, d2, sizeof(d2)));
		if ((text = rw_af_buf_take(&b)) == NULL)
			return -1;
		rc = add_field(fields, "Policy", text, 2 * NAME_MAX_CHARS);
		free(text);
		if (rc == -1)
			return -1;
	}
	if (e->due != NULL && add_field(fields, "Due", e->due, NAME_MAX_CHARS) == -1)
		return -1;
	if (e->level > 0) {
		snprintf(lvl, sizeof(lvl), "%lld", (long long)e->level);
		if (add_field(fields, "Level", lvl, NAME_MAX_CHARS) == -1)
			return -1;
	}
	return 0;
}

static int
source_fields(json_t *fields, const struct rw_af_event *e)
{
	if (add_field(fields, "Source", e->source, NAME_MAX_CHARS) == -1 ||
	    (e->platform != NULL && add_field(fields, "Type", e->platform, NAME_MAX_CHARS) == -1) ||
	    (e->state != NULL && add_field(fields, "State", e->state, NAME_MAX_CHARS) == -1) ||
	    (e->last_error != NULL && e->last_error[0] != '\0' &&
	     add_field(fields, "Error", e->last_error, ERROR_MAX) == -1))
		return -1;
	return 0;
}

/* "*SLA breached*: @ann on acme-x" and a quote of the post. */
static char *
headline(const struct rw_af_event *e)
{
	char title[64], handle[RW_AF_HANDLE_MAX];
	const char *who = rw_af_handle(e, handle, sizeof(handle));
	struct rw_af_buf b = {0};

	rw_af_buf_addf(&b, "*%s*: ", rw_af_title(e, title, sizeof(title)));
	if (!e->is_source) {
		if (who != NULL) {
			add_esc(&b, who, NAME_MAX_CHARS);
		} else {
			rw_af_buf_add(&b, "a ");
			add_esc(&b, e->kind != NULL && e->kind[0] ? e->kind : "mention",
				NAME_MAX_CHARS);
		}
		rw_af_buf_add(&b, " on ");
	}
	add_esc(&b, e->source, NAME_MAX_CHARS);
	if (!e->is_source && e->text != NULL && e->text[0] != '\0') {
		rw_af_buf_add(&b, "\n>");
		add_esc(&b, e->text, QUOTE_MAX);
	}
	return rw_af_buf_take(&b);
}

/* The section block of event number i. */
static json_t *
section(const struct rw_af_event *e, size_t i)
{
	json_t *block = json_object(), *fields = json_array(), *button;
	char action[32];

	if (block == NULL || fields == NULL ||
	    json_object_set_new(block, "type", json_string("section")) == -1 ||
	    json_object_set_new(block, "text", mrkdwn(headline(e))) == -1 ||
	    (e->is_source ? source_fields(fields, e) : mention_fields(fields, e)) == -1 ||
	    json_object_set(block, "fields", fields) == -1)
		goto fail;
	if (e->url != NULL && strlen(e->url) <= BUTTON_URL_MAX) {
		snprintf(action, sizeof(action), "open_post_%zu", i);
		button = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "type", "button", "text",
				   "type", "plain_text", "text", "Open post", "url", e->url,
				   "action_id", action);
		if (json_object_set_new(block, "accessory", button) == -1)
			goto fail;
	}
	json_decref(fields);
	return block;
fail:
	json_decref(block);
	json_decref(fields);
	return NULL;
}

/* The fallback line of one event: the summary and the link. */
static void
add_line(struct rw_af_buf *b, const struct rw_af_event *e)
{
	char *summary = rw_af_summary(e);

	if (summary == NULL) {
		b->failed = true;
		return;
	}
	add_esc(b, summary, RW_AF_SUMMARY_MAX);
	free(summary);
	if (e->url != NULL) {
		rw_af_buf_add(b, " <");
		add_url(b, e->url);
		rw_af_buf_add(b, ">");
	}
}

char *
rw_alertfmt_slack(const json_t *events, char *err, size_t errlen)
{
	size_t n = json_array_size(events), shown, lines = 0, i;
	json_t *body = NULL, *blocks = NULL, *block;
	struct rw_af_buf text = {0};
	struct rw_af_event e;
	char more[64], *fallback = NULL, *out = NULL;

	if (rw_af_check_events(events, err, errlen) == -1)
		return NULL;
	if (n == 0) {
		rw_af_err(err, errlen, "events: empty (Slack needs a message)");
		return NULL;
	}
	shown = n <= BLOCKS_MAX ? n : BLOCKS_MAX - 1;
	if ((body = json_object()) == NULL || (blocks = json_array()) == NULL)
		goto oom;
	for (i = 0; i < shown; i++) {
		rw_af_read_checked(events, i, &e);
		if (text.len < TEXT_BUDGET) {
			if (i > 0)
				rw_af_buf_add(&text, "\n");
			add_line(&text, &e);
			lines++;
		}
		if ((block = section(&e, i)) == NULL || json_array_append_new(blocks, block) == -1)
			goto oom;
	}
	if (lines < n)
		rw_af_buf_addf(&text, "\nand %zu more", n - lines);
	if (shown < n) {
		snprintf(more, sizeof(more), "and %zu more", n - shown);
		block = json_pack("{s:s, s:[{s:s, s:s}]}", "type", "context", "elements", "type",
				  "mrkdwn", "text", more);
		if (json_array_append_new(blocks, block) == -1)
			goto oom;
	}
	if ((fallback = rw_af_buf_take(&text)) == NULL ||
	    json_object_set_new(body, "text", json_string(fallback)) == -1 ||
	    json_object_set(body, "blocks", blocks) == -1 ||
	    (out = json_dumps(body, JSON_COMPACT)) == NULL)
		goto oom;
	goto done;
oom:
	rw_af_err(err, errlen, "out of memory");
done:
	rw_af_buf_free(&text);
	free(fallback);
	json_decref(blocks);
	json_decref(body);
	return out;
}
