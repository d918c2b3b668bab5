/*
 * fake_sim_hooks.c: the simulator's Meta webhooks. POST /_fake/simulator
 * {"webhooks": {"app_secret", "facebook": URL, "instagram": URL}} says
 * where to send them (the demo: replywatchd's /hooks/acme-facebook and
 * /hooks/acme-instagram); fake_sim_meta.c queues the change of some live
 * items, and the simulator's loop sends the queue signed like Meta
 * (fake_meta_send_signed) with the state lock let go, so the daemon may
 * poll the fake meanwhile. A send that fails is counted, not retried: the
 * poll finds the item anyway, as with a delivery Meta loses.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sim.h"

static const char *const target_names[FAKE_HOOK_TARGETS] = {"facebook", "instagram"};

static void
secret_free(char *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void
fake_sim_hooks_queue(struct fake_sim *sim, const struct ev *e, enum fake_hook_target to,
		     json_t *payload)
{
	char *text;

	/* Only live items (the history happened before anyone listened), and
	 * a bounded queue: a receiver that hangs costs deliveries, not memory. */
	if (payload == NULL || e->at < sim->live_ms || sim->hooks.url[to] == NULL ||
	    sim->nqueue == FAKE_HOOK_QUEUE_MAX) {
		json_decref(payload);
		return;
	}
	text = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	if (text == NULL)
		return;
	sim->queue[sim->nqueue] = text;
	sim->queue_to[sim->nqueue++] = to;
}

void
fake_sim_hooks_flush(struct fake_sim *sim)
{
	struct fake_state *st = sim->st;
	char *text[FAKE_HOOK_QUEUE_MAX], *url[FAKE_HOOK_QUEUE_MAX], *secret;
	long status[FAKE_HOOK_QUEUE_MAX];
	size_t n = sim->nqueue;

	if (n == 0)
		return;
	/* Copies: a control call may change the targets while the lock is let go. */
	secret = sim->hooks.app_secret ? strdup(sim->hooks.app_secret) : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *u = sim->hooks.url[sim->queue_to[i]];

		text[i] = sim->queue[i];
		url[i] = u ? strdup(u) : NULL;
	}
	sim->nqueue = 0;
	pthread_mutex_unlock(&st->lock);
	for (size_t i = 0; i < n; i++)
		status[i] = url[i] && secret ? fake_meta_send_signed(url[i], secret, text[i],
								     strlen(text[i]))
					     : 0;
	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < n; i++) {
		sim->hooks.sent++;
		sim->hooks.failed += status[i] != 200;
		sim->hooks.last_status = status[i];
		sim->made[MADE_HOOKS]++;
		free(text[i]);
		free(url[i]);
	}
	secret_free(secret);
}

void
fake_sim_hooks_free(struct fake_sim *sim)
{
	for (size_t i = 0; i < FAKE_HOOK_TARGETS; i++) {
		free(sim->hooks.url[i]);
		sim->hooks.url[i] = NULL;
	}
	secret_free(sim->hooks.app_secret);
	sim->hooks.app_secret = NULL;
	for (size_t i = 0; i < sim->nqueue; i++)
		free(sim->queue[i]);
	sim->nqueue = 0;
}

/* Reads spec into urls and *secret (new strings); false after a 400. */
static bool
hooks_read(json_t *spec, char *urls[FAKE_HOOK_TARGETS], char **secret, struct fake_resp *resp)
{
	const char *key, *s;
	json_t *v;
	bool any = false;

	json_object_foreach(spec, key, v)
	{
		bool known = strcmp(key, "app_secret") == 0;

		for (size_t i = 0; i < FAKE_HOOK_TARGETS; i++) {
			if (strcmp(key, target_names[i]) != 0 || json_is_null(v))
				continue;
			known = true;
			if ((s = json_string_value(v)) == NULL || !fake_meta_send_loopback(s))
				goto bad;
			any = true;
			if ((urls[i] = strdup(s)) == NULL)
				goto oom;
		}
		if (!known)
			goto bad;
	}
	v = json_object_get(spec, "app_secret");
	if (v != NULL && (!json_is_string(v) || json_string_length(v) == 0))
		goto bad;
	if (any && v == NULL)
		goto bad;
	if (v != NULL && (*secret = strdup(json_string_value(v))) == NULL)
		goto oom;
	return true;
bad:
	fake_control_error(
		resp, 400,
		"webhooks: {\"app_secret\": \"...\", \"facebook\": URL, \"instagram\": "
		"URL} (loopback URLs: http://127.0.0.1:PORT/... or http://[::1]:PORT/...; "
		"either may be left out), or null");
	return false;
oom:
	fake_control_error(resp, 500, "out of memory");
	return false;
}

bool
fake_sim_webhooks(struct fake_state *st, json_t *spec, struct fake_resp *resp)
{
	struct fake_sim *sim = st->sim;
	char *urls[FAKE_HOOK_TARGETS] = {NULL}, *secret = NULL;

	if (sim == NULL) {
		fake_control_error(resp, 409, "no simulator: start rwfake with --simulate");
		return false;
	}
	if (!json_is_null(spec) &&
	    (!json_is_object(spec) || !hooks_read(spec, urls, &secret, resp))) {
		if (!json_is_object(spec))
			fake_control_error(resp, 400, "webhooks must be an object or null");
		for (size_t i = 0; i < FAKE_HOOK_TARGETS; i++)
			free(urls[i]);
		secret_free(secret);
		return false;
	}
	for (size_t i = 0; i < FAKE_HOOK_TARGETS; i++) {
		free(sim->hooks.url[i]);
		sim->hooks.url[i] = urls[i];
	}
	secret_free(sim->hooks.app_secret);
	sim->hooks.app_secret = secret;
	return true;
}

json_t *
fake_sim_webhooks_json(const struct fake_state *st)
{
	const struct fake_sim *sim = st->sim;

	if (sim == NULL)
		return json_null();
	return json_pack("{s:s?, s:s?, s:I, s:I, s:I}", "facebook",
			 sim->hooks.url[FAKE_HOOK_FACEBOOK], "instagram",
			 sim->hooks.url[FAKE_HOOK_INSTAGRAM], "sent", (json_int_t)sim->hooks.sent,
			 "failed", (json_int_t)sim->hooks.failed, "last_status",
			 (json_int_t)sim->hooks.last_status);
}
