/*
 * Graph sources under poll_every "auto" and the app secret proof, end to
 * end: the real daemon (test clock) polls the fake Graph API
 * (tests/fakes/fake_meta.c, fake_meta_guard.c) over loopback.
 *
 * Pacing: the fake reports usage percentages that rise poll after poll
 * (X-App-Usage 50, 60, ... 90 %); /status poll_interval shows the interval
 * growing as the share left shrinks. At 100 % with
 * estimated_time_to_regain_access, the call that learnt it is the last:
 * no request at all (the fake's log) until the regain time on the
 * daemon's clock, then polling resumes and catches up.
 *
 * Proof: with app_secret, every Graph call carries appsecret_proof (the
 * fake verifies it when it requires one); without it, Graph's error names
 * the proof and the source is down with what to fix; the proof is in no
 * log.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"

#define MINUTE_MS (60 * 1000LL)
#define FB_PARAMS ", \"page_id\": \"" RWM_PAGE_ID "\", \"down_after\": \"1h\""
#define IG_PARAMS                                                                                  \
	", \"user_id\": \"" RWM_IG_USER "\", \"username\": \"" RWM_IG_USERNAME "\","               \
	" \"down_after\": \"1h\""
#define APP_SECRET "meta-app-secret"
/* printf '%s' meta-test-token | openssl dgst -sha256 -hmac meta-app-secret */
#define PROOF "fe9d2470df83d7c748889a2bc6832d9fa248160fb626099e933a9eef8a5c76ea"

TestSuite(meta_pacing, .init = rwm_setup, .fini = rwm_teardown, .timeout = 120);

/* What differs between the two Graph types. */
struct graph_type {
	const char *type, *params;
	const char *post_fields; /* a post of the brand's own list */
	const char *name_key;    /* the author's name in a comment */
};

static const struct graph_type facebook = {
	"facebook",
	FB_PARAMS,
	"'edge': 'posts', 'from_id': '" RWM_PAGE_ID "', 'from_name': 'Brand Cafe', 'text': 'News'",
	"from_name",
};

static const struct graph_type instagram = {
	"instagram",
	IG_PARAMS,
	"'edge': 'media', 'from_id': '" RWM_IG_USER "', 'username': '" RWM_IG_USERNAME
	"', 'text': 'New season'",
	"username",
};

static int64_t
now_s(void)
{
	int64_t t = rw_now_ms();

	return t - t % 1000;
}

static char *
customer_comment(const struct graph_type *g, const char *post, int64_t at)
{
	char fields[256];

	snprintf(fields, sizeof(fields),
		 "'post': '%s', 'from_id': '17841400000000900', '%s': 'someone', 'text': 'Hello?'",
		 post, g->name_key);
	return rwm_add("comment", fields, at);
}

static void
set_usage(long app, long business, long regain)
{
	char body[128], b[40] = "";

	/* A figure left out is the window's own. */
	if (business >= 0)
		snprintf(b, sizeof(b), ", 'business': %ld", business);
	snprintf(body, sizeof(body), "{'app': %ld%s, 'regain': %ld}", app, b, regain);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/usage", body));
}

static double
interval_of(const json_t *s)
{
	return json_number_value(json_object_get(json_object_get(s, "poll_interval"), "seconds"));
}

static bool
auto_chosen(void *arg)
{
	json_t *s = rwm_source_status();
	bool ok = json_is_number(json_object_get(json_object_get(s, "poll_interval"), "seconds"));

	(void)arg;
	json_decref(s);
	return ok;
}

/* True once /status shows a last_poll_at other than arg. */
static bool
polled_since(void *arg)
{
	json_t *s = rwm_source_status();
	const char *at = json_string_value(json_object_get(s, "last_poll_at"));
	bool ok = at != NULL && strcmp(at, arg) != 0;

	json_decref(s);
	return ok;
}

/* Moves the daemon's clock past the chosen interval (and its jitter, at
 * most 10 %) and waits for the poll that comes then; its status (caller
 * decrefs). */
static json_t *
next_poll(double interval)
{
	json_t *s = rwm_source_status();
	char *last = strdup(json_string_value(json_object_get(s, "last_poll_at")));

	json_decref(s);
	rwt_clock_advance(&rwm.daemon, (int64_t)(interval * 1.1) + 2);
	cr_assert(rwt_wait_until(polled_since, last, 10.0), "no poll after %.1f s\n%s", interval,
		  rwt_daemon_log(&rwm.daemon));
	free(last);
	return rwm_source_status();
}

/* Every request the fake logged, and those answered with an error. */
static void
count_log(size_t *all, size_t *errors)
{
	json_t *list = rwt_fake_requests(&rwm.fake, "meta", NULL), *r;
	size_t i;

	*all = json_array_size(list);
	*errors = 0;
	json_array_foreach(list, i, r)
	{
		if (json_integer_value(json_object_get(r, "status")) >= 400)
			(*errors)++;
	}
	json_decref(list);
}

static bool
asked_since(void *arg)
{
	size_t all, errors;

	count_log(&all, &errors);
	return all > *(size_t *)arg;
}

/* True once item arg is tracked (in whatever state: hours of daemon time
 * have passed since it was written, so it may be breached already). */
static bool
tracked(void *arg)
{
	json_t *m = rwm_mention(arg);

	json_decref(m);
	return m != NULL;
}

static void
pacing(const struct graph_type *g)
{
	char *post = rwm_add("post", g->post_fields, now_s() - 60 * MINUTE_MS), *late, *why;
	double prev, v, seen[4];
	size_t before, after, errors;
	int64_t limited, reset;
	json_t *s, *rl;

	set_usage(50, -1, 0);
	rwm_start_every(g->type, "auto", g->params);
	rwm_wait_source_state("ok", 10.0);
	cr_assert(rwt_wait_until(auto_chosen, NULL, 10.0), "no auto interval");
	s = rwm_source_status();
	prev = interval_of(s);
	json_decref(s);

	/* Usage rises ten points a poll: the interval grows with it. With a
	 * rolling hour and ten points a poll in reserve: 40 % left pays for
	 * 3 polls (every 1200 s), 30 % for 2 (1800 s), 20 % for 1 (3600 s),
	 * 10 % for none (wait for the window: the ceiling, 3600 s). */
	for (int i = 0; i < 4; i++) {
		long used = 60 + 10 * i;

		set_usage(used, -1, 0);
		s = next_poll(prev);
		v = seen[i] = interval_of(s);
		rl = json_object_get(s, "rate_limit");
		why = json_dumps(s, 0);
		cr_assert_eq(json_integer_value(json_object_get(rl, "remaining")), 100 - used, "%s",
			     why);
		/* One budget for every edge (the app's and the Page's usage). */
		cr_assert_eq(json_object_size(json_object_get(rl, "endpoints")), 1, "%s", why);
		cr_assert_geq(v, prev, "%ld %%: the interval shrank: %s", used, why);
		cr_assert_not_null(strstr(json_string_value(json_object_get(
						  json_object_get(s, "poll_interval"), "why")),
					  "calls left until"),
				   "%s", why);
		free(why);
		json_decref(s);
		prev = v;
	}
	cr_assert(seen[0] > 1100 && seen[0] < 1250, "40 %% left: %.1f s", seen[0]);
	cr_assert(seen[1] > 1700 && seen[1] < 1850, "30 %% left: %.1f s", seen[1]);
	cr_assert_float_eq(seen[3], 3600.0, 1e-6, "10 %% left: %.1f s", seen[3]);

	/* 100 % with 30 minutes to regain: the answer that says so is the
	 * last request until then. */
	set_usage(100, 100, 30);
	count_log(&before, &errors);
	cr_assert_eq(errors, 0);
	s = next_poll(prev);
	json_decref(s);
	rwm_wait_source_state("rate_limited", 10.0);
	count_log(&after, &errors);
	cr_assert_eq(after, before + 1, "the other edges were asked at 100 %%");
	cr_assert_eq(errors, 0, "the fake had to throttle a call");
	s = rwm_source_status();
	rl = json_object_get(s, "rate_limit");
	cr_assert_eq(json_integer_value(json_object_get(rl, "remaining")), 0, "%s",
		     json_dumps(s, 0));
	/* The regain time on the daemon's clock, from the answer's time. */
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(s, "last_poll_at")), &limited),
		     0);
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(rl, "reset_at")), &reset), 0);
	cr_assert(reset > limited + 29 * MINUTE_MS && reset <= limited + 30 * MINUTE_MS, "%s",
		  json_dumps(s, 0));
	json_decref(s);

	late = customer_comment(g, post, now_s());
	for (int i = 0; i < 2; i++) {
		rwt_clock_advance(&rwm.daemon, 14 * 60);
		cr_assert_not(rwt_wait_until(asked_since, &after, 1.5),
			      "asked before the regain time");
	}
	/* Past the regain time usage has fallen: polling resumes. */
	set_usage(20, -1, 0);
	rwt_clock_advance(&rwm.daemon, 3 * 60);
	cr_assert(rwt_wait_until(tracked, late, 10.0),
		  "the comment made meanwhile is not tracked\n%s", rwt_daemon_log(&rwm.daemon));
	rwm_wait_source_state("ok", 10.0);
	free(post);
	free(late);
}

Test(meta_pacing, facebook_auto_slows_as_usage_nears_100)
{
	pacing(&facebook);
}

Test(meta_pacing, instagram_auto_slows_as_usage_nears_100)
{
	pacing(&instagram);
}

/* The fake requires the proof: a source with app_secret sends the right
 * one on every call and tracks the comment; the proof is in no log nor
 * /status. */
static void
proof_sent(const struct graph_type *g)
{
	char *post = rwm_add("post", g->post_fields, now_s() - 60 * MINUTE_MS), *c, *text, *log;
	json_t *list, *r;
	size_t i;

	c = customer_comment(g, post, now_s() - 30 * MINUTE_MS);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/require_proof",
				  "{'app_secret': '" APP_SECRET "'}"));
	cr_assert(asprintf(&text, "%s, \"app_secret\": \"%s\"", g->params, APP_SECRET) > 0);
	rwm_start(g->type, text);
	free(text);
	rwm_wait_state(c, "open", 10.0);
	rwm_wait_source_state("ok", 10.0);
	list = rwt_fake_requests(&rwm.fake, "meta", NULL);
	cr_assert_gt(json_array_size(list), 0);
	json_array_foreach(list, i, r)
	{
		/* The fake's log redacts it: present, and answered 200. */
		cr_assert_not_null(strstr(json_string_value(json_object_get(r, "query")),
					  "appsecret_proof=REDACTED"),
				   "%s", json_dumps(r, 0));
		cr_assert_eq(json_integer_value(json_object_get(r, "status")), 200);
	}
	json_decref(list);
	log = rwt_daemon_log(&rwm.daemon);
	cr_assert_null(strstr(log, PROOF), "the proof is logged");
	cr_assert_null(strstr(log, APP_SECRET));
	free(log);
	r = rwm_source_status();
	text = json_dumps(r, 0);
	cr_assert_null(strstr(text, PROOF));
	free(text);
	json_decref(r);
	free(post);
	free(c);
}

Test(meta_pacing, facebook_appsecret_proof_on_every_call)
{
	proof_sent(&facebook);
}

Test(meta_pacing, instagram_appsecret_proof_on_every_call)
{
	proof_sent(&instagram);
}

/* Without app_secret (or with the wrong one) Graph refuses every call with
 * code 100 naming the proof: the source is down, says to set app_secret. */
static void
proof_refused(const char *params_extra)
{
	char *text;
	const char *err;
	json_t *s;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/require_proof",
				  "{'app_secret': '" APP_SECRET "'}"));
	cr_assert(asprintf(&text, "%s%s", FB_PARAMS, params_extra) > 0);
	rwm_start("facebook", text);
	free(text);
	rwm_wait_source_state("down", 10.0);
	s = rwm_source_status();
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err != NULL && strstr(err, "appsecret_proof") && strstr(err, "app_secret"), "%s",
		  json_dumps(s, 0));
	json_decref(s);
}

Test(meta_pacing, appsecret_proof_missing_is_down)
{
	proof_refused("");
}

Test(meta_pacing, appsecret_proof_wrong_secret_is_down)
{
	proof_refused(", \"app_secret\": \"not-the-app-secret\"");
}
