/*
 * http: the status HTTP server — libmicrohttpd in external-epoll mode driven
 * by the libev loop (no MHD threads), with a route table, bearer-token auth,
 * capped request bodies and JSON error answers.
 *
 * Routing: a request matches a route by exact path, or by prefix for routes
 * registered with RW_HTTP_PREFIX. A path that matches some route but not its
 * method answers 405 with an Allow header; no match answers a JSON 404.
 * Unless a route is RW_HTTP_PUBLIC or RW_HTTP_OWN_AUTH, a configured server
 * token is required as "Authorization: Bearer TOKEN" (401 otherwise),
 * compared in constant time. Bodies over the configured cap answer 413
 * before the handler runs.
 *
 * Everything a request can be refused for without its body (a control byte
 * in the path or query: 400; no route: 404/405; the token: 401; a route's
 * guard; a Content-Length over the cap: 413) is answered as soon as its
 * headers are in, and the body is never read. A body that passes the cap
 * without a Content-Length is cut off at once (the connection is closed). A
 * connection must send a request's headers within header_timeout_s (from
 * accept, or from the previous answer) and its body within body_timeout_s
 * after them, or it is closed. At the connection limit, or an address's
 * limit, the oldest connection still waiting for headers (or reading a body
 * for over a second) is closed to make room for the new one; only when none
 * is waiting is the new connection refused.
 *
 * A handler must answer each request exactly once with rw_http_respond*,
 * either before it returns or later from another callback (the connection
 * is suspended meanwhile). The request stays valid until it is answered.
 */
#ifndef REPLYWATCH_HTTP_H
#define REPLYWATCH_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct ev_loop;
struct rw_secret;
struct rw_http_server;
struct rw_http_request;

enum rw_http_route_flags {
	RW_HTTP_PREFIX = 1u << 0,   /* path is a prefix ("/mentions/") */
	RW_HTTP_PUBLIC = 1u << 1,   /* no token needed (/healthz) */
	RW_HTTP_OWN_AUTH = 1u << 2, /* the handler checks its own credentials (/ingest/) */
};

typedef void rw_http_handler(struct rw_http_request *req, void *arg);
/* Runs as soon as a request's headers are in, before any of its body is
 * read (only the path, method, headers and query are available). Returns
 * true to read the body and run the handler, or answers the request itself
 * (e.g. 401) and returns false: the body is then never read. */
typedef bool rw_http_guard(struct rw_http_request *req, void *arg);

struct rw_http_options {
	const struct sockaddr *addr; /* where to listen; port 0 picks a free port */
	socklen_t addrlen;
	size_t max_body;           /* request body cap in bytes */
	unsigned connection_limit; /* 0: 256 */
	unsigned per_ip_limit;     /* 0: 64 */
	unsigned timeout_s;        /* idle connection timeout; 0: 30 s */
	unsigned header_timeout_s; /* a request's headers must be in by then; 0: 10 s */
	unsigned body_timeout_s;   /* and its body this long after them; 0: 30 s */
};

/* Binds and starts serving on loop. Returns NULL with a reason in err
 * (e.g. "cannot listen on 127.0.0.1:9477: Address already in use"). */
struct rw_http_server *rw_http_server_new(struct ev_loop *loop, const struct rw_http_options *opt,
					  char *err, size_t errlen);

/* Adds a route; path and arg are borrowed for the server's lifetime.
 * Returns 0, or -1 on allocation failure. */
int rw_http_route(struct rw_http_server *srv, const char *method, const char *path, unsigned flags,
		  rw_http_handler *fn, void *arg);

/* Like rw_http_route, with guard run on the headers first (see
 * rw_http_guard). */
int rw_http_route_guarded(struct rw_http_server *srv, const char *method, const char *path,
			  unsigned flags, rw_http_guard *guard, rw_http_handler *fn, void *arg);

/* Sets the bearer token required by non-public routes (borrowed; NULL turns
 * auth off). Call again after a reload with the new config's token. */
void rw_http_set_token(struct rw_http_server *srv, const struct rw_secret *token);

/* Sets the request body cap for requests that start from now on. */
void rw_http_set_max_body(struct rw_http_server *srv, size_t max_body);

/* The port actually bound (useful after asking for port 0). */
int rw_http_server_port(const struct rw_http_server *srv);

/* Stops accepting new connections; requests already received are still
 * answered. Used when draining before exit. */
void rw_http_server_quiesce(struct rw_http_server *srv);

/* Requests received and not yet answered. */
size_t rw_http_server_pending(const struct rw_http_server *srv);

/* Stops serving and frees the server. Requests still pending are answered
 * 503 first. Accepts NULL. */
void rw_http_server_free(struct rw_http_server *srv);

/* Request accessors; results are borrowed from the request. */
const char *rw_http_method(const struct rw_http_request *req);
const char *rw_http_path(const struct rw_http_request *req);
/* A query-string argument, or NULL. */
const char *rw_http_query(const struct rw_http_request *req, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *rw_http_header(const struct rw_http_request *req, const char *name);
/* The request body (may contain NULs; always NUL-terminated), and its length. */
const char *rw_http_body(const struct rw_http_request *req, size_t *len);
/* The bearer token the client sent, or NULL. */
const char *rw_http_bearer(const struct rw_http_request *req);
/* True when the client connected from a loopback address
 * (rw_http_addr_loopback). */
bool rw_http_from_loopback(const struct rw_http_request *req);
/* True when sa is a loopback address: 127.0.0.0/8, ::1, or 127.x mapped
 * into IPv6. False for NULL and other families. */
bool rw_http_addr_loopback(const struct sockaddr *sa);

/* Answers with body (copied) and content type. Returns 0, or -1 when the
 * request was already answered. */
int rw_http_respond(struct rw_http_request *req, unsigned status, const char *content_type,
		    const char *body, size_t len);
/* Answers with json serialised compactly (json is borrowed). A NULL json
 * (a failed allocation while building it) answers 500. */
int rw_http_respond_json(struct rw_http_request *req, unsigned status, const json_t *json);
/* Answers {"error": message} with status. */
int rw_http_respond_error(struct rw_http_request *req, unsigned status, const char *message);
/* Adds a response header to the answer about to be given. Returns 0 or -1. */
int rw_http_add_header(struct rw_http_request *req, const char *name, const char *value);

#endif
