/*
 * fake_reqlog.c: every platform request the fake received, in order, for
 * tests to assert on (GET /_fake/requests). Tokens are never recorded: only
 * whether the credentials were ok, missing, wrong or expired (an
 * access_token or appsecret_proof query parameter is redacted).
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define LOG_MAX 200000 /* oldest entries are dropped beyond this */

static const char *const auth_names[] = {
	[FAKE_AUTH_OK] = "ok",
	[FAKE_AUTH_MISSING] = "missing",
	[FAKE_AUTH_WRONG] = "wrong",
	[FAKE_AUTH_EXPIRED] = "expired",
};

const char *
fake_auth_name(enum fake_auth a)
{
	return auth_names[a];
}

/* A copy of query with the value of any access_token parameter replaced
 * (Mastodon accepts the token there). Caller frees. */
static char *
redacted(const char *query)
{
	struct fake_buf b = {0};

	for (const char *s = query; *s != '\0';) {
		size_t n = strcspn(s, "&");

		if (strncmp(s, "access_token=", 13) == 0 && n >= 13)
			fake_buf_adds(&b, "access_token=REDACTED");
		else if (strncmp(s, "appsecret_proof=", 16) == 0 && n >= 16)
			fake_buf_adds(&b, "appsecret_proof=REDACTED"); /* derived from secrets */
		else
			fake_buf_add(&b, s, n);
		s += n;
		if (*s == '&') {
			fake_buf_adds(&b, "&");
			s++;
		}
	}
	return fake_buf_take(&b);
}

long
fake_log_add(struct fake_state *st, enum fake_platform p, const char *endpoint, const char *method,
	     const char *query, enum fake_auth auth)
{
	struct fake_log_entry *e;

	if (st->nlog == LOG_MAX) {
		free(st->log[0].query);
		memmove(st->log, st->log + 1, (st->nlog - 1) * sizeof(*st->log));
		st->nlog--;
	}
	if (st->nlog == st->log_cap) {
		size_t cap = st->log_cap ? st->log_cap * 2 : 256;
		struct fake_log_entry *n = realloc(st->log, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		st->log = n;
		st->log_cap = cap;
	}
	e = &st->log[st->nlog];
	memset(e, 0, sizeof(*e));
	e->query = redacted(query);
	if (e->query == NULL)
		return -1;
	e->at_ms = fake_now_ms();
	e->platform = p;
	e->endpoint = endpoint;
	strncpy(e->method, method, sizeof(e->method) - 1);
	e->auth = auth;
	return (long)st->nlog++;
}

void
fake_log_set_status(struct fake_state *st, long i, unsigned status)
{
	if (i >= 0 && (size_t)i < st->nlog)
		st->log[i].status = status;
}

json_t *
fake_log_json(const struct fake_state *st, const char *platform, const char *endpoint)
{
	json_t *list = json_array(), *out;

	if (list == NULL)
		return NULL;
	for (size_t i = 0; i < st->nlog; i++) {
		const struct fake_log_entry *e = &st->log[i];
		char at[FAKE_TIME_LEN];

		if ((platform != NULL && *platform != '\0' &&
		     strcmp(platform, fake_platform_name(e->platform)) != 0) ||
		    (endpoint != NULL && *endpoint != '\0' && strcmp(endpoint, e->endpoint) != 0))
			continue;
		fake_fmt_ms(e->at_ms, at);
		if (json_array_append_new(
			    list,
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "at", at, "platform",
				      fake_platform_name(e->platform), "endpoint", e->endpoint,
				      "method", e->method, "query", e->query, "auth",
				      fake_auth_name(e->auth), "status", (int)e->status)) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	out = json_pack("{s:o}", "requests", list);
	return out;
}

void
fake_log_clear(struct fake_state *st)
{
	for (size_t i = 0; i < st->nlog; i++)
		free(st->log[i].query);
	st->nlog = 0;
}
