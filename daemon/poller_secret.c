/*
 * poller_secret.c: a connector's secrets kept in Redis across restarts,
 * encrypted (connector.h rw_poll_secret_load/save, vault.h).
 *
 * One GET or one SET of "PREFIX{SOURCE}:NAME" through the poller's store.
 * The vault key is derived from secrets_key for each call (HKDF is cheap
 * and a reload may change the key), and wiped at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/log.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "replywatch/vault.h"

struct secret_call {
	struct rw_poll *poll;
	rw_poll_secret_fn *fn;
};

/* The vault of the configuration in force, or NULL (no secrets_key). */
static struct rw_vault *
secret_vault(const struct rw_poll *poll)
{
	const struct rw_secret *key = poll->ps->poller->cfg->secrets_key;
	char err[120];

	if (key == NULL)
		return NULL;
	return rw_vault_new(rw_secret_value(key), rw_secret_len(key), err, sizeof(err));
}

/* The source's key k into buf; NULL when the name does not fit. */
static const char *
secret_key(const struct rw_poll *poll, enum rw_key k, char *buf, size_t len)
{
	return rw_key_name(k, rw_store_key_prefix(poll->ps->poller->store), poll->ps->name, NULL,
			   buf, len);
}

/* True when the poll can no longer go on (its source removed, the poller
 * freed): the callback ends it instead of the connector. */
static bool
secret_abandoned(struct rw_poll *poll)
{
	if (poll->ps->retired || poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "abandoned");
		return true;
	}
	return false;
}

static void
secret_loaded(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct secret_call *call = arg;
	struct rw_poll *poll = call->poll;
	rw_poll_secret_fn *fn = call->fn;
	struct rw_vault *v;
	char *plain = NULL, err[160];
	size_t len = 0;

	(void)st;
	free(call);
	if (secret_abandoned(poll))
		return;
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
		return;
	}
	if (reply->type == REDIS_REPLY_NIL) {
		fn(poll, RW_POLL_SECRET_NONE, NULL, 0);
		return;
	}
	if (reply->type != REDIS_REPLY_STRING || (v = secret_vault(poll)) == NULL) {
		fn(poll, RW_POLL_SECRET_UNREADABLE, NULL, 0);
		return;
	}
	if (rw_vault_open(v, poll->ps->name, reply->str, &plain, &len, err, sizeof(err)) == -1) {
		rw_vault_free(v);
		log_warnx("%s: stored credential: %s", poll->ps->name, err);
		fn(poll, RW_POLL_SECRET_UNREADABLE, NULL, 0);
		return;
	}
	rw_vault_free(v);
	fn(poll, RW_POLL_SECRET_OK, plain, len);
	rw_vault_wipe_free(plain, len);
}

void
rw_poll_secret_load(struct rw_poll *poll, enum rw_key k, rw_poll_secret_fn *fn)
{
	struct secret_call *call = calloc(1, sizeof(*call));
	char key[RW_KEY_SIZE];
	const char *argv[2] = {"GET", secret_key(poll, k, key, sizeof(key))};
	size_t lens[2] = {3, strlen(key)};

	if (call == NULL || argv[1] == NULL) {
		free(call);
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
		return;
	}
	call->poll = poll;
	call->fn = fn;
	if (rw_store_command(poll->ps->poller->store, 2, argv, lens, secret_loaded, call) == -1) {
		free(call);
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
	}
}

static void
secret_saved(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct secret_call *call = arg;
	struct rw_poll *poll = call->poll;
	rw_poll_secret_fn *fn = call->fn;

	(void)st;
	free(call);
	if (secret_abandoned(poll))
		return;
	if (reply == NULL || reply->type != REDIS_REPLY_STATUS) {
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
		return;
	}
	fn(poll, RW_POLL_SECRET_OK, NULL, 0);
}

void
rw_poll_secret_save(struct rw_poll *poll, enum rw_key k, const char *value, size_t len,
		    rw_poll_secret_fn *fn)
{
	struct rw_vault *v = secret_vault(poll);
	struct secret_call *call = NULL;
	char key[RW_KEY_SIZE], err[160], *sealed = NULL;
	const char *argv[3];
	size_t lens[3];

	if (v == NULL) {
		fn(poll, RW_POLL_SECRET_UNREADABLE, NULL, 0);
		return;
	}
	sealed = rw_vault_seal(v, poll->ps->name, value, len, err, sizeof(err));
	rw_vault_free(v);
	if (sealed == NULL || (call = calloc(1, sizeof(*call))) == NULL) {
		free(sealed);
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
		return;
	}
	call->poll = poll;
	call->fn = fn;
	argv[0] = "SET";
	argv[1] = secret_key(poll, k, key, sizeof(key));
	argv[2] = sealed;
	for (int i = 0; i < 3; i++)
		lens[i] = strlen(argv[i] ? argv[i] : "");
	if (argv[1] == NULL ||
	    rw_store_command(poll->ps->poller->store, 3, argv, lens, secret_saved, call) == -1) {
		free(call);
		free(sealed);
		fn(poll, RW_POLL_SECRET_STORE, NULL, 0);
		return;
	}
	free(sealed);
}

void
rw_poll_credential(struct rw_poll *poll, int64_t rotated_ms, int64_t expires_ms)
{
	poll->ps->cred_rotated_ms = rotated_ms;
	poll->ps->cred_expires_ms = expires_ms;
}
