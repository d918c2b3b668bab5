/*
 * conns: the status server's guard against clients that hold connections
 * without making progress (slowloris), private to daemon/http.
 *
 * Every accepted connection is tracked (MHD_OPTION_NOTIFY_CONNECTION) with
 * its address and the phase of its current request. A sweep every second
 * closes a connection whose request headers are not in within the header
 * deadline (from accept, or from the previous answer on a kept-alive
 * connection) or whose body is not in within the body deadline after its
 * headers. A new connection that takes its address past the per-address
 * limit, or the server past the connection limit, makes room by closing the
 * oldest connection still waiting for headers (or reading a body for over
 * a second); when none is waiting, the new connection is closed.
 *
 * Closing is shutdown(2), never close(2): MHD reads EOF on its next turn
 * and closes the connection itself, so its fd is never reused under it.
 */
#ifndef REPLYWATCH_HTTP_CONNS_H
#define REPLYWATCH_HTTP_CONNS_H

#include <ev.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

struct rw_http_options;
struct http_conn;

/* Where a connection is in its current request. */
enum http_conn_phase {
	HTTP_CONN_HEADERS, /* waiting for a request's headers (also idle keep-alive) */
	HTTP_CONN_BODY,    /* headers in, the body being read */
	HTTP_CONN_HANDLER, /* the whole request in: the handler or the answer runs */
};

struct http_conns {
	struct ev_loop *loop;
	unsigned connection_limit, per_ip_limit;
	double header_timeout, body_timeout;
	struct http_conn *list; /* every open connection, newest first */
	size_t n;
	ev_timer sweep; /* runs while there are connections */
};

/* Sets the limits from opt (0: the defaults); starts nothing yet. */
void http_conns_init(struct http_conns *cs, struct ev_loop *loop,
		     const struct rw_http_options *opt);
/* The connection limit to give MHD: above ours, so that MHD never refuses a
 * connection unseen (room could not be made for it). */
unsigned http_conns_mhd_limit(const struct http_conns *cs);
/* Stops the sweep; call before MHD_stop_daemon (which reports every close). */
void http_conns_stop(struct http_conns *cs);

/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the struct http_conns. */
void http_conns_notify(void *cls, struct MHD_Connection *mhd, void **socket_context,
		       enum MHD_ConnectionNotificationCode toe);
/* MHD_OPTION_UNESCAPE_CALLBACK: MHD_http_unescape, remembering on the
 * connection when a control byte (%00 above all: MHD would cut the path at
 * it) was decoded. */
size_t http_conns_unescape(void *cls, struct MHD_Connection *mhd, char *s);

/* The connection's current request enters phase (its deadline restarts). */
void http_conn_phase(struct MHD_Connection *mhd, enum http_conn_phase phase);
/* True when the request's path or query decoded a control byte; clears it. */
bool http_conn_take_bad_path(struct MHD_Connection *mhd);

/* True when len bytes of s hold a control byte (NUL included). */
bool http_has_control(const char *s, size_t len);

#endif
