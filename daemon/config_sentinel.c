/*
 * config_sentinel.c: the Sentinel form of the "redis" section,
 * "sentinels" (a list of "IP:PORT" or "[IPv6]:PORT") with "master_name",
 * "db" and "sentinel_password", instead of "url".
 *
 * Sentinel hands out IP addresses and hiredis resolves names synchronously,
 * so the sentinels are IP literals too.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/secret.h"

#define SENTINELS_MAX 16
#define REDIS_DB_MAX 15

bool
rw_cfg_redis_is_sentinel(const json_t *sec)
{
	return json_object_get(sec, "sentinels") != NULL ||
	       json_object_get(sec, "master_name") != NULL ||
	       json_object_get(sec, "sentinel_password") != NULL;
}

void
rw_cfg_redis_sentinels_free(struct rw_redis_config *r)
{
	for (size_t i = 0; i < r->nsentinels; i++)
		free(r->sentinels[i].host);
	free(r->sentinels);
	free(r->master_name);
	rw_secret_free(r->sentinel_password);
	r->sentinels = NULL;
	r->nsentinels = 0;
	r->master_name = NULL;
	r->sentinel_password = NULL;
}

/* "IP:PORT" or "[IPv6]:PORT" into host (no brackets) and port. Returns 0 or -1. */
static int
parse_sentinel(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	bool v6 = s[0] == '[';
	unsigned char buf[sizeof(struct in6_addr)];
	size_t hlen;
	char *end;
	long p;

	if (colon == NULL || (v6 && (colon == s || colon[-1] != ']')))
		return -1;
	hlen = (size_t)(colon - s) - (v6 ? 2 : 0);
	if (hlen == 0 || hlen >= hostlen)
		return -1;
	memcpy(host, s + (v6 ? 1 : 0), hlen);
	host[hlen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) != 1)
		return -1;
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static int
check_sentinel(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	char host[64], q[RW_CFG_QUOTE_MAX];
	int port;

	(void)arg;
	if (parse_sentinel(value, host, sizeof(host), &port) == 0)
		return 0;
	rw_cfg_err(ctx, path,
		   "%s is not a sentinel address (use IP:PORT or [IPv6]:PORT with an IP "
		   "literal, e.g. 127.0.0.1:26379)",
		   rw_cfg_quote(q, sizeof(q), value));
	return -1;
}

static void
store_sentinels(struct rw_cfg_ctx *ctx, const struct rw_strlist *list)
{
	struct rw_redis_config *r = &ctx->cfg->redis;

	if ((r->sentinels = calloc(list->n, sizeof(*r->sentinels))) == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		char host[64];
		int port;

		if (parse_sentinel(list->items[i], host, sizeof(host), &port) == -1)
			continue; /* already reported */
		r->sentinels[r->nsentinels].host = rw_cfg_strdup(ctx, host);
		r->sentinels[r->nsentinels].port = port;
		r->nsentinels++;
	}
}

/* master_name: what sentinel.conf calls the master; no spaces. */
static void
read_master_name(struct rw_cfg_ctx *ctx, const json_t *sec)
{
	struct rw_redis_config *r = &ctx->cfg->redis;
	char q[RW_CFG_QUOTE_MAX];
	const char *s;
	int rc = rw_cfg_string(ctx, sec, "redis", "master_name", &s);

	if (rc == 0) {
		rw_cfg_missing(ctx, "redis", "master_name",
			       "(the name the sentinels monitor, as in sentinel.conf)");
		return;
	}
	if (rc != 1)
		return;
	for (const char *c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			rw_cfg_err(ctx, "redis.master_name",
				   "%s must not contain spaces or control characters",
				   rw_cfg_quote(q, sizeof(q), s));
			return;
		}
	}
	if (*s == '\0') {
		rw_cfg_err(ctx, "redis.master_name", "must not be empty");
		return;
	}
	r->master_name = rw_cfg_strdup(ctx, s);
}

/* "sentinel:NAME/DB": what logs and /status call the configured Redis. */
static void
set_display(struct rw_cfg_ctx *ctx)
{
	struct rw_redis_config *r = &ctx->cfg->redis;

	if (r->master_name == NULL)
		return;
	if (asprintf(&r->display, "sentinel:%s/%d", r->master_name, r->db) == -1) {
		r->display = NULL;
		rw_cfg_oom(ctx);
	}
}

void
rw_cfg_read_redis_sentinel(struct rw_cfg_ctx *ctx, const json_t *sec)
{
	struct rw_redis_config *r = &ctx->cfg->redis;
	struct rw_strlist list = {0};
	int64_t db = 0;
	int rc;

	rc = rw_cfg_strlist(ctx, sec, "redis", "sentinels", "list at least one sentinel",
			    check_sentinel, NULL, &list);
	if (rc == 0)
		rw_cfg_missing(ctx, "redis", "sentinels",
			       "(a list of \"IP:PORT\", with redis.master_name)");
	else if (rc == 1 && list.n > SENTINELS_MAX)
		rw_cfg_err(ctx, "redis.sentinels", "at most %d sentinels", SENTINELS_MAX);
	else if (rc == 1)
		store_sentinels(ctx, &list);
	rw_cfg_strlist_free(&list);
	read_master_name(ctx, sec);
	rw_cfg_secret(ctx, sec, "redis", "sentinel_password", &r->sentinel_password);
	if (rw_cfg_int(ctx, sec, "redis", "db", 0, REDIS_DB_MAX, &db) == 1)
		r->db = (int)db;
	set_display(ctx);
}
