/*
 * config_net.c: the "redis" and "http" sections: addresses, the Redis URL and
 * their secrets.
 *
 * hiredis resolves host names synchronously, which would block the event
 * loop, so every address here is an IP literal (or "localhost", which is
 * stored as 127.0.0.1) or a unix socket path.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/keys.h"
#include "replywatch/secret.h"

#define REDIS_DEFAULT_URL "redis://127.0.0.1:6379/0"
#define REDIS_DEFAULT_PORT 6379
/* A default Redis has 16 databases (the "databases" setting). */
#define REDIS_DB_MAX 15
#define HTTP_DEFAULT_LISTEN "127.0.0.1:9477"
#define HTTP_DEFAULT_MAX_BODY (1024 * 1024)
#define HTTP_MIN_MAX_BODY 1024
#define HTTP_MAX_MAX_BODY (64 * 1024 * 1024)

static const char *const redis_keys[] = {"url",       "password",    "key_prefix",
					 "sentinels", "master_name", "sentinel_password",
					 "db",        NULL};
static const char *const http_keys[] = {"listen", "token", "max_body", NULL};

/* A parsed redis:// or unix:// URL, its strings owned. */
struct redis_url {
	bool unix_socket;
	char *host;
	int port;
	char *path;
	int db;
	char *username;
	struct rw_secret *password;
};

static void
redis_url_free(struct redis_url *u)
{
	free(u->host);
	free(u->path);
	free(u->username);
	rw_secret_free(u->password);
	memset(u, 0, sizeof(*u));
}

/* Parses len decimal digits of s into 0..max. Returns the value or -1. */
static long
parse_number(const char *s, size_t len, long max)
{
	long v = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* The value of hex digit c, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A copy of the len bytes at s with "%XX" escapes decoded, or NULL for a bad
 * escape, an escaped NUL or no memory. The copy may be a password: on failure
 * it is wiped.
 */
static char *
percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
		lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0)) {
			explicit_bzero(out, len + 1);
			free(out);
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return out;
}

/*
 * "user:pass" from a redis:// URL. The password becomes a secret; the user
 * name is kept in the clear (it is not secret, and logs may show it).
 */
static int
parse_userinfo(struct rw_cfg_ctx *ctx, const char *s, size_t len, struct redis_url *u)
{
	const char *colon = memchr(s, ':', len);
	size_t ulen = colon != NULL ? (size_t)(colon - s) : len;
	char *pass;

	if (ulen > 0 && (u->username = percent_decode(s, ulen)) == NULL)
		goto bad;
	if (colon == NULL || colon + 1 == s + len)
		return 0;
	if ((pass = percent_decode(colon + 1, len - ulen - 1)) == NULL)
		goto bad;
	u->password = rw_secret_from_literal(pass);
	explicit_bzero(pass, strlen(pass));
	free(pass);
	if (u->password == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	return 0;
bad:
	rw_cfg_err(ctx, "redis.url", "the user or password has a bad %%-escape (or no memory)");
	return -1;
}

/* Reports a host that is not an IP literal, quoting it (hosts are not secret). */
static void
bad_host(struct rw_cfg_ctx *ctx, const char *host, size_t len)
{
	char q[RW_CFG_QUOTE_MAX], tmp[RW_CFG_QUOTE_MAX];

	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 200 ? len : 200), host);
	rw_cfg_err(ctx, "redis.url",
		   "host %s is not an IP address (use an IP literal or "
		   "unix:///path)",
		   rw_cfg_quote(q, sizeof(q), tmp));
}

/*
 * The host of a redis:// URL: an IPv4 literal, a bracketed IPv6 literal or
 * localhost. Stored without brackets, as hiredis wants it. *rest is left at
 * what follows the host.
 */
static int
parse_host(struct rw_cfg_ctx *ctx, const char *s, size_t len, struct redis_url *u,
	   const char **rest)
{
	bool v6 = len > 0 && s[0] == '[';
	const char *start = v6 ? s + 1 : s, *end;
	unsigned char addr[sizeof(struct in6_addr)];
	char host[64];
	size_t hlen;

	end = memchr(start, v6 ? ']' : ':', len - (v6 ? 1 : 0));
	if (end == NULL && v6) {
		rw_cfg_err(ctx, "redis.url", "IPv6 address has no closing \"]\"");
		return -1;
	}
	hlen = end != NULL ? (size_t)(end - start) : len;
	*rest = end == NULL ? s + len : v6 ? end + 1 : end;
	if (hlen == 0 && !v6 && end != NULL) {
		rw_cfg_err(ctx, "redis.url",
			   "has no host (an IPv6 address goes in brackets: "
			   "redis://[::1]:6379/0)");
		return -1;
	}
	if (hlen == 0) {
		rw_cfg_err(ctx, "redis.url", "has no host (use redis://127.0.0.1:6379/0)");
		return -1;
	}
	if (hlen >= sizeof(host)) {
		bad_host(ctx, start, hlen);
		return -1;
	}
	memcpy(host, start, hlen);
	host[hlen] = '\0';
	if (!v6 && strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1) {
		bad_host(ctx, start, hlen);
		return -1;
	}
	if ((u->host = strdup(host)) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	return 0;
}

/* "HOST[:PORT]" of a redis:// URL; the port defaults to 6379. */
static int
parse_hostport(struct rw_cfg_ctx *ctx, const char *s, size_t len, struct redis_url *u)
{
	char q[RW_CFG_QUOTE_MAX], tmp[64];
	const char *p, *end = s + len;
	long n;

	if (parse_host(ctx, s, len, u, &p) == -1)
		return -1;
	u->port = REDIS_DEFAULT_PORT;
	if (p == end)
		return 0;
	if (*p != ':') {
		rw_cfg_err(ctx, "redis.url", "expected \":PORT\" after the host");
		return -1;
	}
	p++;
	if ((n = parse_number(p, (size_t)(end - p), 65535)) < 1) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(end - p < 60 ? end - p : 60), p);
		rw_cfg_err(ctx, "redis.url", "port %s is not a port number (1 to 65535)",
			   rw_cfg_quote(q, sizeof(q), tmp));
		return -1;
	}
	u->port = (int)n;
	return 0;
}

/* The database number: digits in 0..REDIS_DB_MAX. */
static int
parse_db(struct rw_cfg_ctx *ctx, const char *s, size_t len, struct redis_url *u)
{
	char q[RW_CFG_QUOTE_MAX], tmp[64];
	long n = parse_number(s, len, REDIS_DB_MAX);

	if (n < 0) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 60 ? len : 60), s);
		rw_cfg_err(ctx, "redis.url",
			   "database %s is not a number from 0 to %d (a default "
			   "Redis has 16 databases)",
			   rw_cfg_quote(q, sizeof(q), tmp), REDIS_DB_MAX);
		return -1;
	}
	u->db = (int)n;
	return 0;
}

/* "unix:///abs/path[?db=N]"; a unix URL carries no password. */
static int
parse_unix_url(struct rw_cfg_ctx *ctx, const char *rest, struct redis_url *u)
{
	const char *query = strchr(rest, '?');
	size_t plen = query != NULL ? (size_t)(query - rest) : strlen(rest);

	u->unix_socket = true;
	if (strchr(rest, '@') != NULL) {
		rw_cfg_err(ctx, "redis.url",
			   "a unix:// URL cannot hold a user or password (use "
			   "redis.password)");
		return -1;
	}
	if (rest[0] != '/' || plen < 2) {
		rw_cfg_err(ctx, "redis.url",
			   "a unix:// URL needs an absolute socket path "
			   "(unix:///run/redis/redis.sock)");
		return -1;
	}
	if (query != NULL) {
		if (strncmp(query, "?db=", 4) != 0 || strchr(query + 1, '&') != NULL) {
			rw_cfg_err(ctx, "redis.url", "the only query parameter is db=N");
			return -1;
		}
		if (parse_db(ctx, query + 4, strlen(query + 4), u) == -1)
			return -1;
	}
	if ((u->path = strndup(rest, plen)) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	return 0;
}

/*
 * "redis://[user[:pass]@]host[:port][/db]". The userinfo ends at the last
 * "@", so a password holding "@" or "/" never leaks into the host part that
 * messages quote.
 */
static int
parse_tcp_url(struct rw_cfg_ctx *ctx, const char *rest, struct redis_url *u)
{
	const char *at = strrchr(rest, '@'), *hp = at != NULL ? at + 1 : rest;
	const char *slash = strchr(hp, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - hp) : strlen(hp);

	if (strpbrk(hp, "?#") != NULL) {
		rw_cfg_err(ctx, "redis.url",
			   "a redis:// URL takes no query (put the database "
			   "after the \"/\")");
		return -1;
	}
	if (at != NULL && parse_userinfo(ctx, rest, (size_t)(at - rest), u) == -1)
		return -1;
	if (parse_hostport(ctx, hp, hlen, u) == -1)
		return -1;
	if (slash != NULL && slash[1] != '\0')
		return parse_db(ctx, slash + 1, strlen(slash + 1), u);
	return 0;
}

/* Parses url into u. Returns 0, or -1 after reporting at redis.url. */
static int
parse_redis_url(struct rw_cfg_ctx *ctx, const char *url, struct redis_url *u)
{
	char q[RW_CFG_QUOTE_MAX];

	for (const char *c = url; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			rw_cfg_err(ctx, "redis.url",
				   "must not contain spaces or control "
				   "characters");
			return -1;
		}
	}
	if (strncmp(url, "unix://", 7) == 0)
		return parse_unix_url(ctx, url + 7, u);
	if (strncmp(url, "redis://", 8) == 0)
		return parse_tcp_url(ctx, url + 8, u);
	if (strncmp(url, "rediss://", 9) == 0) {
		rw_cfg_err(ctx, "redis.url",
			   "TLS (rediss://) is not supported; use redis:// on "
			   "a trusted network or unix:///path");
		return -1;
	}
	/* What looks like userinfo may be a password: describe, do not quote. */
	if (strchr(url, '@') != NULL)
		rw_cfg_err(ctx, "redis.url",
			   "is not a Redis URL (use redis://HOST[:PORT][/DB] or "
			   "unix:///PATH[?db=N])");
	else
		rw_cfg_err(ctx, "redis.url",
			   "%s is not a Redis URL (use redis://HOST[:PORT][/DB] "
			   "or unix:///PATH[?db=N])",
			   rw_cfg_quote(q, sizeof(q), url));
	return -1;
}

/* "127.0.0.1:6379/0", "[::1]:6379/0" or "unix:/run/redis.sock/0": no password. */
static char *
redis_display(const struct redis_url *u)
{
	char *s = NULL;
	int rc;

	if (u->unix_socket)
		rc = asprintf(&s, "unix:%s/%d", u->path, u->db);
	else if (strchr(u->host, ':') != NULL)
		rc = asprintf(&s, "[%s]:%d/%d", u->host, u->port, u->db);
	else
		rc = asprintf(&s, "%s:%d/%d", u->host, u->port, u->db);
	return rc == -1 ? NULL : s;
}

/* Moves a parsed URL into the config; u is left empty. */
static void
redis_url_store(struct rw_cfg_ctx *ctx, struct redis_url *u)
{
	struct rw_redis_config *r = &ctx->cfg->redis;

	if ((r->display = redis_display(u)) == NULL)
		rw_cfg_oom(ctx);
	r->unix_socket = u->unix_socket;
	r->host = u->host;
	r->port = u->unix_socket ? 0 : u->port;
	r->path = u->path;
	r->db = u->db;
	r->username = u->username;
	r->password = u->password;
	memset(u, 0, sizeof(*u));
}

/* key_prefix: non-empty, no spaces, so keys stay one shell word in redis-cli. */
static void
read_key_prefix(struct rw_cfg_ctx *ctx, const json_t *sec)
{
	char q[RW_CFG_QUOTE_MAX];
	const char *s;

	if (sec == NULL || rw_cfg_string(ctx, sec, "redis", "key_prefix", &s) != 1)
		return;
	for (const char *c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			rw_cfg_err(ctx, "redis.key_prefix",
				   "%s must not contain spaces or control "
				   "characters",
				   rw_cfg_quote(q, sizeof(q), s));
			return;
		}
	}
	/* Longer, a key would not fit its buffer and every command naming it
	 * would fail at run time: say so now. */
	if (strlen(s) > RW_KEY_PREFIX_MAX) {
		rw_cfg_err(ctx, "redis.key_prefix", "%zu bytes, at most %d", strlen(s),
			   RW_KEY_PREFIX_MAX);
		return;
	}
	free(ctx->cfg->redis.key_prefix);
	ctx->cfg->redis.key_prefix = rw_cfg_strdup(ctx, s);
}

/* The Sentinel form: the master's address comes from the sentinels; the
 * database, password and prefix are read as for a URL. */
static void
read_sentinel_form(struct rw_cfg_ctx *ctx, const json_t *sec)
{
	struct rw_redis_config *r = &ctx->cfg->redis;

	if (json_object_get(sec, "url") != NULL)
		rw_cfg_err(ctx, "redis.url",
			   "give either redis.url or redis.sentinels with redis.master_name, "
			   "not both");
	rw_cfg_secret(ctx, sec, "redis", "password", &r->password);
	read_key_prefix(ctx, sec);
	rw_cfg_read_redis_sentinel(ctx, sec);
}

void
rw_cfg_read_redis(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "redis");
	struct redis_url u = {0};
	struct rw_secret *password = NULL;
	const char *url = REDIS_DEFAULT_URL;

	if ((ctx->cfg->redis.key_prefix = rw_cfg_strdup(ctx, "rw:")) == NULL)
		return;
	if (sec != NULL && rw_cfg_v_type(ctx, sec, "redis", JSON_OBJECT) == -1)
		sec = NULL;
	if (sec != NULL) {
		rw_cfg_check_keys(ctx, sec, "redis", redis_keys);
		if (rw_cfg_redis_is_sentinel(sec)) {
			read_sentinel_form(ctx, sec);
			return;
		}
		if (json_object_get(sec, "db") != NULL)
			rw_cfg_err(ctx, "redis.db",
				   "only with redis.sentinels (put the database in redis.url)");
		if (rw_cfg_string(ctx, sec, "redis", "url", &url) == -1)
			url = NULL;
		rw_cfg_secret(ctx, sec, "redis", "password", &password);
	}
	read_key_prefix(ctx, sec);
	if (url == NULL || parse_redis_url(ctx, url, &u) == -1)
		goto done;
	if (u.password != NULL && password != NULL) {
		rw_cfg_err(ctx, "redis.password", "redis.url has a password too (give only one)");
		goto done;
	}
	if (password != NULL) {
		u.password = password;
		password = NULL;
	}
	redis_url_store(ctx, &u);
done:
	rw_secret_free(password);
	redis_url_free(&u);
}

/*
 * "IP:PORT", "[IPv6]:PORT" or "localhost:PORT" into addr. Port 0 is allowed:
 * the OS then picks a free port (tests use it). Returns 0, or -1 after
 * reporting.
 */
static int
parse_listen(struct rw_cfg_ctx *ctx, const char *s, struct rw_http_config *h)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&h->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&h->addr;
	char host[64], q[RW_CFG_QUOTE_MAX];
	const char *colon = strrchr(s, ':');
	bool v6 = s[0] == '[';
	size_t hlen;
	long port;

	if (colon == NULL || (v6 && (colon == s || colon[-1] != ']')))
		goto bad;
	hlen = (size_t)(colon - s) - (v6 ? 2 : 0);
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, s + (v6 ? 1 : 0), hlen);
	host[hlen] = '\0';
	if ((port = parse_number(colon + 1, strlen(colon + 1), 65535)) < 0)
		goto bad;
	memset(&h->addr, 0, sizeof(h->addr));
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		h->addrlen = sizeof(*in6);
		return 0;
	}
	if (!v6 && strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (!v6 && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		h->addrlen = sizeof(*in4);
		return 0;
	}
bad:
	rw_cfg_err(ctx, "http.listen",
		   "%s is not an address to listen on (use IP:PORT, "
		   "[IPv6]:PORT or localhost:PORT, port 0 to 65535)",
		   rw_cfg_quote(q, sizeof(q), s));
	return -1;
}

void
rw_cfg_read_http(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "http");
	struct rw_http_config *h = &ctx->cfg->http;
	const char *listen = HTTP_DEFAULT_LISTEN;
	int64_t max_body = HTTP_DEFAULT_MAX_BODY;

	if (sec != NULL && rw_cfg_v_type(ctx, sec, "http", JSON_OBJECT) == -1)
		sec = NULL;
	if (sec != NULL) {
		rw_cfg_check_keys(ctx, sec, "http", http_keys);
		if (rw_cfg_string(ctx, sec, "http", "listen", &listen) == -1)
			listen = NULL;
		rw_cfg_secret(ctx, sec, "http", "token", &h->token);
		rw_cfg_int(ctx, sec, "http", "max_body", HTTP_MIN_MAX_BODY, HTTP_MAX_MAX_BODY,
			   &max_body);
	}
	h->max_body = (size_t)max_body;
	if (listen != NULL && parse_listen(ctx, listen, h) == 0)
		h->listen = rw_cfg_strdup(ctx, listen);
}
