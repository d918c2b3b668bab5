/*
 * alertfmt_summary.c: the one readable line every format shows for an event,
 *   "SLA breached: @ann on acme-x waiting 1h 02m (policy social)"
 *   "Resolved: @ann on acme-x after 1h 05m (policy social)"
 *   "Source down: acme-x (x): mentions: HTTP 401 (credentials rejected)"
 * cut to RW_AF_SUMMARY_MAX characters.
 */
#include <stdio.h>
#include <stdlib.h>

#include "replywatch/alertfmt.h"

#include "alerts/alertfmt_internal.h"

/* Caps on the parts that come from outside, so one long field cannot crowd
 * out the rest of the line. */
#define AUTHOR_MAX 100
#define NAME_MAX_CHARS 100
#define ERROR_MAX 600

/* Appends s, on one line and at most max characters. */
static void
add_clipped(struct rw_af_buf *b, const char *s, size_t max)
{
	char *line = rw_af_line(s, max);

	if (line == NULL) {
		b->failed = true;
		return;
	}
	rw_af_buf_add(b, line);
	free(line);
}

/* "@ann on acme-x waiting 1h 02m (policy social)" and its variants. */
static void
add_mention_facts(struct rw_af_buf *b, const struct rw_af_event *e)
{
	char handle[RW_AF_HANDLE_MAX], d[32];
	const char *who = rw_af_handle(e, handle, sizeof(handle));
	double secs = e->age;
	bool has_secs = e->has_age;
	const char *how = "waiting";

	if (who != NULL)
		add_clipped(b, who, AUTHOR_MAX);
	else
		rw_af_buf_addf(b, "a %s", e->kind != NULL && e->kind[0] ? e->kind : "mention");
	rw_af_buf_add(b, " on ");
	add_clipped(b, e->source, NAME_MAX_CHARS);
	if (e->type == RW_AF_RESOLVED || e->type == RW_AF_EXPIRED) {
		how = "after";
		if (e->type == RW_AF_RESOLVED && e->has_response) {
			secs = e->response;
			has_secs = true;
		}
	}
	if (has_secs)
		rw_af_buf_addf(b, " %s %s", how, rw_af_duration(secs, d, sizeof(d)));
	if (e->policy != NULL) {
		rw_af_buf_add(b, " (policy ");
		add_clipped(b, e->policy, NAME_MAX_CHARS);
		rw_af_buf_add(b, ")");
	}
}

/* "acme-x (x): the last error". */
static void
add_source_facts(struct rw_af_buf *b, const struct rw_af_event *e)
{
	add_clipped(b, e->source, NAME_MAX_CHARS);
	if (e->platform != NULL && e->platform[0] != '\0') {
		rw_af_buf_add(b, " (");
		add_clipped(b, e->platform, NAME_MAX_CHARS);
		rw_af_buf_add(b, ")");
	}
	if (e->type == RW_AF_SOURCE_DOWN && e->last_error != NULL && e->last_error[0] != '\0') {
		rw_af_buf_add(b, ": ");
		add_clipped(b, e->last_error, ERROR_MAX);
	}
}

char *
rw_af_summary(const struct rw_af_event *e)
{
	struct rw_af_buf b = {0};
	char title[64], *text, *line;

	rw_af_buf_add(&b, rw_af_title(e, title, sizeof(title)));
	rw_af_buf_add(&b, ": ");
	if (e->is_source)
		add_source_facts(&b, e);
	else
		add_mention_facts(&b, e);
	if ((text = rw_af_buf_take(&b)) == NULL)
		return NULL;
	line = rw_af_line(text, RW_AF_SUMMARY_MAX);
	free(text);
	return line;
}

char *
rw_alertfmt_summary(const json_t *event)
{
	struct rw_af_event e;

	if (rw_af_read(event, "event", &e, NULL, 0) == -1)
		return NULL;
	return rw_af_summary(&e);
}
