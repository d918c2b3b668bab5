/*
 * fake_control.c: the control API under /_fake/ (no auth, JSON in and out)
 * that tests and the demo use to add content, queue faults, change
 * behaviour, read the request log and reset the fake.
 *
 *   POST /_fake/{platform}/fault|config            (every platform, here)
 *   POST|GET /_fake/{platform}/...                 (its descriptor's control
 *                                                  and get hooks: for the
 *                                                  social three fake_social.c)
 *   GET  /_fake/requests?platform=P&endpoint=E     DELETE /_fake/requests
 *   POST /_fake/reset                              GET /_fake/state
 *   GET|POST /_fake/simulator ({"paused": bool, "webhooks": {...}})
 *   GET /_fake/platforms
 *   /_fake/hook/NAME/... and /_fake/hooks: fake_hook.c (the webhook receiver)
 *   POST /_fake/meta_hooks/send: fake_meta_send.c (signs and sends like Meta)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define HUGE_DEFAULT (10L * 1024 * 1024)
#define SLOW_DEFAULT_MS 5000L

void
fake_control_error(struct fake_resp *resp, unsigned status, const char *msg)
{
	fake_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* Reads optional string key into *out (NULL when absent); false after a 400. */
bool
fake_control_str(json_t *body, const char *key, const char **out, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "%s must be a string", key);
		fake_control_error(resp, 400, msg);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* Reads optional integer key into *out (def when absent); false after a 400. */
bool
fake_control_int(json_t *body, const char *key, long def, long *out, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	*out = def;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(msg, sizeof(msg), "%s must be a non-negative integer", key);
		fake_control_error(resp, 400, msg);
		return false;
	}
	*out = (long)json_integer_value(v);
	return true;
}

/* Reads optional created_at (RFC 3339) into *ms (0: now); false after a 400. */
bool
fake_control_time(json_t *body, int64_t *ms, struct fake_resp *resp)
{
	const char *s;

	*ms = 0;
	if (!fake_control_str(body, "created_at", &s, resp))
		return false;
	if (s != NULL && fake_parse_time(s, ms) == -1) {
		fake_control_error(resp, 400, "created_at must be an RFC 3339 time");
		return false;
	}
	return true;
}

static void
fault(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct fake_fault f = {.platform = p};
	const char *endpoint, *kind, *text, *header, *param;
	json_t *limits = json_object_get(body, "limits");
	long bytes, kindno;

	if (!fake_control_str(body, "endpoint", &endpoint, resp) ||
	    !fake_control_str(body, "kind", &kind, resp) ||
	    !fake_control_int(body, "count", 1, &f.count, resp) ||
	    !fake_control_int(body, "reset_in", -1, &f.reset_in_s, resp) ||
	    !fake_control_int(body, "retry_after", -1, &f.retry_after_s, resp) ||
	    !fake_control_int(body, "delay_ms", SLOW_DEFAULT_MS, &f.delay_ms, resp) ||
	    !fake_control_int(body, "bytes", HUGE_DEFAULT, &bytes, resp) ||
	    !fake_control_int(body, "status", 200, &f.status, resp) ||
	    !fake_control_str(body, "body", &text, resp) ||
	    !fake_control_str(body, "header", &header, resp) ||
	    !fake_control_str(body, "param", &param, resp))
		return;
	if (param != NULL && strlen(param) >= sizeof(f.param)) {
		fake_control_error(resp, 400, "param too long");
		return;
	}
	snprintf(f.param, sizeof(f.param), "%s", param ? param : "");
	f.no_limits = json_is_false(limits);
	if (text != NULL && strlen(text) >= sizeof(f.body)) {
		fake_control_error(resp, 400, "body too long");
		return;
	}
	snprintf(f.body, sizeof(f.body), "%s", text ? text : "");
	if (header != NULL) {
		/* "Name: value" */
		const char *colon = strchr(header, ':');

		if (colon == NULL || (size_t)(colon - header) >= sizeof(f.header_name) ||
		    strlen(colon + 1) >= sizeof(f.header_value)) {
			fake_control_error(resp, 400, "header must be \"Name: value\"");
			return;
		}
		snprintf(f.header_name, sizeof(f.header_name), "%.*s", (int)(colon - header),
			 header);
		snprintf(f.header_value, sizeof(f.header_value), "%s",
			 colon + 1 + (colon[1] == ' '));
	}
	if (f.status < 100 || f.status > 599) {
		fake_control_error(resp, 400, "status must be an HTTP status");
		return;
	}
	if (kind != NULL && fake_platforms[p]->own_fault != NULL &&
	    fake_platforms[p]->own_fault(st, kind, resp))
		return;
	if (kind != NULL && strcmp(kind, "expire_token") == 0) {
		fake_control_error(resp, 400, "expire_token is for bluesky");
		return;
	}
	kindno = fake_fault_kind_from_name(kind);
	if (kindno < 0) {
		fake_control_error(
			resp, 400,
			"kind must be 429, 500, 502, 503, garbage, truncated, huge, slow, "
			"401, 403, answer or expire_token");
		return;
	}
	f.kind = (enum fake_fault_kind)kindno;
	f.bytes = (size_t)bytes;
	f.endpoint = -1;
	if (endpoint != NULL && strcmp(endpoint, "*") != 0) {
		f.endpoint = fake_endpoint_index(p, endpoint);
		if (f.endpoint < 0) {
			fake_control_error(resp, 400, "unknown endpoint for this platform");
			return;
		}
	}
	if (f.count < 1) {
		fake_control_error(resp, 400, "count must be at least 1");
		return;
	}
	if (fake_fault_add(st, &f) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return;
	}
	fake_resp_json(resp, 201,
		       json_pack("{s:I, s:I}", "queued", (json_int_t)f.count, "pending",
				 (json_int_t)fake_faults_pending(st, p)));
}

json_t *
fake_control_config_json(const struct fake_state *st, enum fake_platform p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:b, s:b}", "rate_limit",
			 (json_int_t)st->p[p].rate_limit, "rate_window",
			 (json_int_t)st->p[p].rate_window_s, "page_limit_max",
			 (json_int_t)st->p[p].page_max, "access_ttl", (json_int_t)st->access_ttl_s,
			 "renamed_fields", st->x_renamed, "ignore_paging", st->p[p].ignore_paging);
}

static void
config(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	static const char *const keys[] = {"access_ttl",  "renamed_fields", "rate_limit",
					   "rate_window", "page_limit_max", "ignore_paging",
					   NULL};
	long ttl, limit, window, page;
	json_t *renamed = json_object_get(body, "renamed_fields");
	json_t *ignore = json_object_get(body, "ignore_paging");
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v)
	{
		bool known = false;

		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strcmp(keys[i], key) == 0;
		if (!known) {
			fake_control_error(
				resp, 400,
				"unknown config key (access_ttl, renamed_fields, rate_limit, "
				"rate_window, page_limit_max, ignore_paging)");
			return;
		}
	}
	if (!fake_control_int(body, "access_ttl", st->access_ttl_s, &ttl, resp) ||
	    !fake_control_int(body, "rate_limit", st->p[p].rate_limit, &limit, resp) ||
	    !fake_control_int(body, "rate_window", st->p[p].rate_window_s, &window, resp) ||
	    !fake_control_int(body, "page_limit_max", st->p[p].page_max, &page, resp))
		return;
	if (renamed != NULL && !json_is_boolean(renamed)) {
		fake_control_error(resp, 400, "renamed_fields must be true or false");
		return;
	}
	if (ignore != NULL && !json_is_boolean(ignore)) {
		fake_control_error(resp, 400, "ignore_paging must be true or false");
		return;
	}
	if (window < 1) {
		fake_control_error(resp, 400, "rate_window must be at least 1");
		return;
	}
	if (ignore != NULL)
		st->p[p].ignore_paging = json_is_true(ignore);
	/* access_ttl and renamed_fields are accepted and checked on every
	 * platform, as they always were; the one that has them applies them. */
	if (fake_platforms[p]->config != NULL)
		fake_platforms[p]->config(st, body);
	st->p[p].page_max = page;
	if (limit != st->p[p].rate_limit || window != st->p[p].rate_window_s) {
		st->p[p].rate_limit = limit;
		st->p[p].rate_window_s = window;
		fake_limits_reset(st, p);
	}
	fake_resp_json(resp, 200, fake_control_config_json(st, p));
}

static void
state(const struct fake_state *st, struct fake_resp *resp)
{
	json_t *v = json_object();

	/* The platforms first, in table order (Jansson keeps insertion order). */
	for (size_t p = 0; v != NULL && p < fake_nplatforms; p++) {
		json_t *ps = fake_platforms[p]->state(st, (enum fake_platform)p);

		if (ps == NULL || json_object_set_new(v, fake_platforms[p]->name, ps) == -1) {
			json_decref(v);
			v = NULL;
		}
	}
	if (v != NULL &&
	    (json_object_set_new(v, "requests", json_integer((json_int_t)st->nlog)) == -1 ||
	     json_object_set_new(v, "sessions", json_integer((json_int_t)st->ntokens)) == -1)) {
		json_decref(v);
		v = NULL;
	}
	fake_resp_json(resp, 200, v);
}

/* One table entry as GET /_fake/platforms shows it: no option values (they
 * are credentials), only the flags that set them. */
static json_t *
platform_json(size_t p)
{
	const struct fake_platform_def *d = fake_platforms[p];
	json_t *routes = json_array(), *options = json_array();
	char flag[96];

	for (size_t i = 0; routes != NULL && i < d->nroutes; i++) {
		if (json_array_append_new(routes, json_pack("{s:s, s:s, s:s}", "method",
							    d->routes[i].method, "path",
							    d->routes[i].pattern, "endpoint",
							    d->routes[i].endpoint)) == -1) {
			json_decref(routes);
			routes = NULL;
		}
	}
	for (size_t i = 0; options != NULL && i < FAKE_MAX_OPTIONS && d->options[i].key; i++) {
		snprintf(flag, sizeof(flag), "--%s-%s", d->name, d->options[i].key);
		if (json_array_append_new(options, json_string(flag)) == -1) {
			json_decref(options);
			options = NULL;
		}
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:b}", "name", d->name, "prefix", d->prefix,
			 "routes", routes, "options", options, "reviews", d->reviews != NULL);
}

/* GET /_fake/platforms: the fake's platform table, so tests can loop over it. */
static void
platforms(struct fake_resp *resp)
{
	json_t *list = json_array();

	for (size_t p = 0; list != NULL && p < fake_nplatforms; p++) {
		if (json_array_append_new(list, platform_json(p)) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "platforms", list) : NULL);
}

/* GET|POST /_fake/simulator: reads or sets {"paused": bool, "webhooks":
 * {...}} (either or both). While paused the simulator makes nothing (what
 * falls due meanwhile runs on resume), so a soak can compare a client's
 * view with a content that no longer moves; "webhooks" says where it sends
 * its Meta items (fake_sim_webhooks). */
static void
simulator(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	if (strcmp(req->method, "POST") == 0) {
		json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
		json_t *paused = json_object_get(body, "paused"),
		       *hooks = json_object_get(body, "webhooks");
		size_t known = (paused != NULL) + (hooks != NULL);

		if ((paused != NULL && !json_is_boolean(paused)) || known == 0 ||
		    json_object_size(body) != known) {
			json_decref(body);
			fake_control_error(resp, 400,
					   "the body must be {\"paused\": true|false, "
					   "\"webhooks\": {...}} (either or both)");
			return;
		}
		if (hooks != NULL && !fake_sim_webhooks(st, hooks, resp)) {
			json_decref(body);
			return;
		}
		if (paused != NULL) {
			st->sim_paused = json_is_true(paused);
			pthread_cond_broadcast(&st->wake);
		}
		json_decref(body);
	} else if (strcmp(req->method, "GET") != 0) {
		fake_control_error(resp, 405, "use GET or POST");
		return;
	}
	fake_resp_json(resp, 200,
		       json_pack("{s:b, s:b, s:o}", "running", st->opt->simulate, "paused",
				 st->sim_paused, "webhooks", fake_sim_webhooks_json(st)));
}

/* Routes /_fake/{platform}/{what}: fault and config here, the rest to the
 * platform's get and control hooks. */
static void
platform_call(struct fake_state *st, struct fake_req *req, const char *rest, struct fake_resp *resp)
{
	char name[32], msg[320]; /* room for every platform's name */
	size_t n = strcspn(rest, "/");
	const char *what = rest + n + (rest[n] == '/');
	const struct fake_platform_def *d;
	json_t *body;
	int p;

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : 0), rest);
	p = fake_platform_from_name(name);
	if (p < 0) {
		snprintf(msg, sizeof(msg), "unknown platform (%s)", fake_platform_list());
		fake_control_error(resp, 404, msg);
		return;
	}
	d = fake_platforms[p];
	if (strcmp(req->method, "GET") == 0 && d->get != NULL &&
	    d->get(st, (enum fake_platform)p, what, req, resp))
		return;
	if (strcmp(req->method, "POST") != 0) {
		fake_control_error(resp, 405, "use POST");
		return;
	}
	body = req->body_len ? json_loadb(req->body, req->body_len, 0, NULL) : json_object();
	if (!json_is_object(body)) {
		json_decref(body);
		fake_control_error(resp, 400, "the body must be a JSON object");
		return;
	}
	if (strcmp(what, "fault") == 0) {
		fault(st, (enum fake_platform)p, body, resp);
	} else if (strcmp(what, "config") == 0) {
		config(st, (enum fake_platform)p, body, resp);
	} else if (d->control == NULL || !d->control(st, (enum fake_platform)p, what, body, resp)) {
		snprintf(msg, sizeof(msg), "unknown control call (%s%sfault, config)",
			 d->control_calls ? d->control_calls : "", d->control_calls ? ", " : "");
		fake_control_error(resp, 404, msg);
	}
	json_decref(body);
}

void
fake_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *rest = req->path + strlen("/_fake/");

	if (fake_hook_control(st, req, resp) || fake_meta_send_control(st, req, resp))
		return;
	if (strcmp(rest, "requests") == 0 && strcmp(req->method, "GET") == 0) {
		fake_resp_json(resp, 200,
			       fake_log_json(st, fake_param(req, "platform"),
					     fake_param(req, "endpoint")));
	} else if (strcmp(rest, "requests") == 0 && strcmp(req->method, "DELETE") == 0) {
		fake_log_clear(st);
		fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(rest, "reset") == 0 && strcmp(req->method, "POST") == 0) {
		if (fake_state_reset(st) == -1)
			fake_control_error(resp, 500, "out of memory");
		else
			fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(rest, "state") == 0 && strcmp(req->method, "GET") == 0) {
		state(st, resp);
	} else if (strcmp(rest, "simulator") == 0) {
		simulator(st, req, resp);
	} else if (strcmp(rest, "platforms") == 0 && strcmp(req->method, "GET") == 0) {
		platforms(resp);
	} else if (strcmp(rest, "requests") == 0 || strcmp(rest, "reset") == 0 ||
		   strcmp(rest, "state") == 0 || strcmp(rest, "platforms") == 0) {
		fake_control_error(resp, 405, "method not allowed");
	} else {
		platform_call(st, req, rest, resp);
	}
}
