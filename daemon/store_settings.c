/*
 * store_settings.c: the store's private copy of the redis settings, and
 * whether new settings need a new connection.
 */
#include <stdlib.h>
#include <string.h>

#include "replywatch/secret.h"
#include "store_internal.h"

void
store_settings_clear(struct rw_redis_config *s)
{
	free(s->host);
	free(s->path);
	free(s->username);
	rw_secret_free(s->password);
	free(s->key_prefix);
	free(s->display);
	for (size_t i = 0; i < s->nsentinels; i++)
		free(s->sentinels[i].host);
	free(s->sentinels);
	free(s->master_name);
	rw_secret_free(s->sentinel_password);
	memset(s, 0, sizeof(*s));
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The Sentinel part of cfg into dst (whose sentinels are unset). */
static int
sentinels_copy(struct rw_redis_config *dst, const struct rw_redis_config *cfg)
{
	if (cfg->master_name == NULL)
		return 0;
	if ((dst->master_name = strdup(cfg->master_name)) == NULL)
		return -1;
	if (cfg->sentinel_password != NULL &&
	    (dst->sentinel_password =
		     rw_secret_from_literal(rw_secret_value(cfg->sentinel_password))) == NULL)
		return -1;
	if (cfg->nsentinels == 0)
		return 0;
	if ((dst->sentinels = calloc(cfg->nsentinels, sizeof(*dst->sentinels))) == NULL)
		return -1;
	for (size_t i = 0; i < cfg->nsentinels; i++) {
		if ((dst->sentinels[i].host = strdup(cfg->sentinels[i].host)) == NULL)
			return -1;
		dst->sentinels[i].port = cfg->sentinels[i].port;
		dst->nsentinels++;
	}
	return 0;
}

int
store_settings_copy(struct rw_redis_config *dst, const struct rw_redis_config *cfg)
{
	memset(dst, 0, sizeof(*dst));
	dst->unix_socket = cfg->unix_socket;
	dst->port = cfg->port;
	dst->db = cfg->db;
	dst->host = dup_or_null(cfg->host);
	dst->path = dup_or_null(cfg->path);
	dst->username = dup_or_null(cfg->username);
	dst->key_prefix = strdup(cfg->key_prefix ? cfg->key_prefix : "rw:");
	dst->display = strdup(cfg->display ? cfg->display : "redis");
	if (cfg->password != NULL)
		dst->password = rw_secret_from_literal(rw_secret_value(cfg->password));
	if (sentinels_copy(dst, cfg) == -1) {
		store_settings_clear(dst);
		return -1;
	}
	if ((cfg->host && !dst->host) || (cfg->path && !dst->path) ||
	    (cfg->username && !dst->username) || !dst->key_prefix || !dst->display ||
	    (cfg->password && !dst->password)) {
		store_settings_clear(dst);
		return -1;
	}
	return 0;
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool
sentinels_same(const struct rw_redis_config *a, const struct rw_redis_config *b)
{
	if (!str_eq(a->master_name, b->master_name) || a->nsentinels != b->nsentinels ||
	    !rw_secret_equal(a->sentinel_password, b->sentinel_password))
		return false;
	for (size_t i = 0; i < a->nsentinels; i++)
		if (strcmp(a->sentinels[i].host, b->sentinels[i].host) != 0 ||
		    a->sentinels[i].port != b->sentinels[i].port)
			return false;
	return true;
}

/* True when a and b reach the same server as the same user. */
bool
store_settings_same(const struct rw_redis_config *a, const struct rw_redis_config *b)
{
	return sentinels_same(a, b) && a->unix_socket == b->unix_socket &&
	       str_eq(a->host, b->host) && a->port == b->port && str_eq(a->path, b->path) &&
	       a->db == b->db && str_eq(a->username, b->username) &&
	       rw_secret_equal(a->password, b->password);
}
