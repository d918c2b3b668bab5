/*
 * httpc: the daemon's asynchronous HTTP client — libcurl's multi socket
 * interface driven by the libev loop.
 *
 * One client owns one CURLM, so connections are kept alive and reused across
 * requests, and HTTP/2 is used where a TLS server offers it (requests to the
 * same host then share one connection). Only http and https URLs are
 * allowed; redirects are not followed (the caller sees the 3xx).
 *
 * Every request submitted successfully ends with exactly one call of its done
 * callback, always from the loop and never from inside rw_httpc_submit:
 * with the server's answer (any status, 4xx and 5xx included), or with a
 * transport error (status 0). The response passed to done is borrowed: it
 * and everything it points to are freed when done returns.
 *
 * curl queues transfers beyond its own limits and a queued transfer burns its
 * timeout, so this client sets no limit of its own: the caller (the poller)
 * caps concurrency with rw_httpc_in_flight.
 *
 * Logging: at debug level only the method, scheme, host and port of a
 * request; never its path or query string (a webhook URL's path may be its
 * secret) nor a header value (they carry tokens).
 */
#ifndef REPLYWATCH_HTTPC_H
#define REPLYWATCH_HTTPC_H

#include <stddef.h>

struct ev_loop;
struct rw_httpc;
struct rw_httpc_xfer;

/* Defaults for the request fields left at 0. */
#define RW_HTTPC_CONNECT_TIMEOUT_MS 10000L
#define RW_HTTPC_TIMEOUT_MS 30000L
#define RW_HTTPC_MAX_RESPONSE ((size_t)8 << 20)
/* Response headers beyond this many bytes in total fail the request. */
#define RW_HTTPC_MAX_HEADER_BYTES ((size_t)64 << 10)

/* What to send. Everything is borrowed only for the rw_httpc_submit call:
 * strings, headers and the body are copied. */
struct rw_httpc_request {
	const char *method;         /* "GET" (also when NULL) or "POST" */
	const char *url;            /* http:// or https:// */
	const char *const *headers; /* NULL-terminated "Name: value" strings, or NULL */
	const char *body;           /* POST body (may contain NULs), or NULL */
	size_t body_len;
	long connect_timeout_ms;   /* 0: RW_HTTPC_CONNECT_TIMEOUT_MS */
	long timeout_ms;           /* whole transfer; 0: RW_HTTPC_TIMEOUT_MS */
	size_t max_response_bytes; /* body cap after decompression; 0: RW_HTTPC_MAX_RESPONSE */
};

/* What came back, borrowed by the done callback. */
struct rw_httpc_response {
	long status;      /* HTTP status, or 0 on transport failure */
	const char *body; /* never NULL; NUL-terminated; "" on failure */
	size_t body_len;
	/* NULL on success, else e.g. "connection refused", "timed out after 2000 ms",
	 * "response larger than N bytes", "aborted: HTTP client shut down". */
	const char *error;
	double total_seconds;             /* from submit to the end, as curl measured it */
	long new_connections;             /* connections opened for it: 0 when one was reused */
	const struct rw_httpc_xfer *xfer; /* private: for rw_httpc_header */
};

/* Called once per request, from the loop. c, resp and everything resp points
 * to are valid only during the call. done may call rw_httpc_submit and
 * rw_httpc_in_flight; it must not call rw_httpc_free. */
typedef void rw_httpc_done_fn(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg);

/* A new client on loop. user_agent (copied) is sent with every request.
 * Logs once whether libcurl resolves names asynchronously (without it a slow
 * DNS server blocks the loop). Returns NULL when curl or memory fails.
 * curl_global_init must have been called before (main does). */
struct rw_httpc *rw_httpc_new(struct ev_loop *loop, const char *user_agent);

/* Starts req. Returns 0 when the request is under way: done(c, resp, arg)
 * will run exactly once, later, from the loop (never from inside this call).
 * Returns -1 and never calls done when req is invalid (no URL, a method other
 * than GET or POST), memory or curl fails, or the client is being freed.
 * arg is borrowed until done runs. May be called from a done callback. */
int rw_httpc_submit(struct rw_httpc *c, const struct rw_httpc_request *req, rw_httpc_done_fn *done,
		    void *arg);

/* The value of response header name (case-insensitive) of the final
 * response (not of a 1xx or of an earlier hop), or NULL. With repeated
 * headers the first one. Borrowed from resp: valid during the done call. */
const char *rw_httpc_header(const struct rw_httpc_response *resp, const char *name);

/* Requests submitted whose done callback has not run yet. */
size_t rw_httpc_in_flight(const struct rw_httpc *c);

/* Aborts every request in flight — each done callback runs once, now, with
 * status 0 and an error — closes all connections and frees the client.
 * Accepts NULL. Must not be called from a done callback. */
void rw_httpc_free(struct rw_httpc *c);

#endif
