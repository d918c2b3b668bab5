/*
 * server.c: libmicrohttpd 0.9.75 in external-epoll mode on libev.
 *
 * One ev_io watches MHD's epoll fd and one ev_timer follows MHD_get_timeout;
 * both run MHD_run and re-arm the timer, because MHD's epoll registrations
 * are edge-triggered and a zero timeout is the only sign of buffered work.
 * Request bodies are read here with a cap (MHD's PostProcessor is avoided:
 * CVE-2023-27371). A handler that cannot answer at once leaves the request
 * unanswered; its connection is suspended until rw_http_respond resumes it.
 *
 * Nobody may hold a connection without making progress: everything a
 * request is refused for (path, route, token, a route's guard, a declared
 * length) is decided from its headers, before any body byte is kept; each
 * connection must finish a request's headers, then its body, within a
 * deadline; and at a connection limit the oldest connection still waiting
 * makes room for a new one (conns.c).
 */
#include <arpa/inet.h>
#include <ev.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "replywatch/http.h"
#include "replywatch/log.h"
#include "replywatch/secret.h"

#include "conns.h"

/* Default idle timeout (MHD's: reset by every byte). */
#define IDLE_TIMEOUT_S 30

struct route {
	char *method;
	const char *path;
	size_t pathlen;
	unsigned flags;
	rw_http_guard *guard;
	rw_http_handler *fn;
	void *arg;
};

struct header {
	char *name;
	char *value;
};

struct rw_http_server {
	struct ev_loop *loop;
	struct MHD_Daemon *mhd;
	ev_io io;
	ev_timer timer;
	struct route *routes;
	size_t nroutes;
	const struct rw_secret *token;
	size_t max_body;
	struct http_conns conns; /* deadlines and room: conns.c */
	int port;
	size_t pending;
	bool quiesced;
	struct rw_http_request *suspended; /* list of requests waiting for an answer */
};

struct rw_http_request {
	struct rw_http_server *srv;
	struct MHD_Connection *conn;
	char *method;
	char *path;
	char *body;
	size_t body_len;
	size_t max_body;
	const struct route *route; /* found when the headers came in */
	bool too_large;
	bool dispatched; /* the handler has been called */
	bool suspended;
	bool answered;
	struct MHD_Response *response; /* built by rw_http_respond, queued by on_request */
	unsigned status;
	struct header *headers;
	size_t nheaders;
	struct rw_http_request *next_suspended, *prev_suspended;
};

static void
server_arm(struct rw_http_server *srv)
{
	MHD_UNSIGNED_LONG_LONG timeout_ms;

	ev_timer_stop(srv->loop, &srv->timer);
	if (MHD_get_timeout(srv->mhd, &timeout_ms) == MHD_YES) {
		ev_timer_set(&srv->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(srv->loop, &srv->timer);
	}
}

static void
server_run(struct rw_http_server *srv)
{
	MHD_run(srv->mhd);
	server_arm(srv);
}

static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	server_run(w->data);
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	server_run(w->data);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t len;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	/* What one client's connection did (closed early, was cut for being
	 * late or too large) is debug: any client can cause it, and a flood
	 * of them must not flood the log. The server's own trouble is not. */
	if (strstr(line, "onnection") != NULL)
		log_debug("http: %s", line);
	else
		log_warnx("http: %s", line);
}

/* ---------------------------------------------------------------- requests */

static void
request_free(struct rw_http_request *req)
{
	if (req == NULL)
		return;
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	for (size_t i = 0; i < req->nheaders; i++) {
		free(req->headers[i].name);
		free(req->headers[i].value);
	}
	free(req->headers);
	free(req->method);
	free(req->path);
	free(req->body);
	free(req);
}

static void
suspended_unlink(struct rw_http_request *req)
{
	struct rw_http_server *srv = req->srv;

	if (!req->suspended)
		return;
	if (req->prev_suspended)
		req->prev_suspended->next_suspended = req->next_suspended;
	else
		srv->suspended = req->next_suspended;
	if (req->next_suspended)
		req->next_suspended->prev_suspended = req->prev_suspended;
	req->next_suspended = req->prev_suspended = NULL;
	req->suspended = false;
}

/* MHD is done with the connection's request (answered, or the client left). */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct rw_http_request *req = *con_cls;

	(void)cls;
	(void)toe;
	/* Keep-alive: the next request's headers have their own deadline. */
	http_conn_phase(conn, HTTP_CONN_HEADERS);
	if (req == NULL)
		return;
	if (req->dispatched && !req->answered)
		req->srv->pending--;
	suspended_unlink(req);
	request_free(req);
	*con_cls = NULL;
}

static bool
route_path_matches(const struct route *r, const char *path)
{
	if (r->flags & RW_HTTP_PREFIX)
		return strncmp(path, r->path, r->pathlen) == 0;
	return strcmp(path, r->path) == 0;
}

static bool
method_matches(const char *route_method, const char *method)
{
	/* MHD answers HEAD with a GET's headers. */
	return strcmp(route_method, method) == 0 ||
	       (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

/* Answers 405 listing the methods the path does take. */
static void
respond_method_not_allowed(struct rw_http_request *req)
{
	struct rw_http_server *srv = req->srv;
	char allow[128] = "";

	for (size_t i = 0; i < srv->nroutes; i++) {
		if (!route_path_matches(&srv->routes[i], req->path) ||
		    strstr(allow, srv->routes[i].method) != NULL)
			continue;
		if (allow[0] != '\0')
			strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
		strncat(allow, srv->routes[i].method, sizeof(allow) - strlen(allow) - 1);
	}
	rw_http_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
	rw_http_respond_error(req, 405, "method not allowed");
}

static bool
authorized(struct rw_http_request *req)
{
	const char *bearer;

	if (req->srv->token == NULL)
		return true;
	bearer = rw_http_bearer(req);
	return bearer != NULL && rw_secret_matches(req->srv->token, bearer, strlen(bearer));
}

/* Finds the route for the request's path and method, or answers 404 or 405. */
static const struct route *
route_find(struct rw_http_request *req)
{
	struct rw_http_server *srv = req->srv;
	bool path_known = false;

	for (size_t i = 0; i < srv->nroutes; i++) {
		if (!route_path_matches(&srv->routes[i], req->path))
			continue;
		path_known = true;
		if (method_matches(srv->routes[i].method, req->method))
			return &srv->routes[i];
	}
	if (path_known)
		respond_method_not_allowed(req);
	else
		rw_http_respond_error(req, 404, "not found");
	return NULL;
}

/* Content-Length beyond the cap: refuse before reading any of the body. */
static bool
declared_too_large(struct MHD_Connection *conn, size_t max_body)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (cl == NULL)
		return false;
	n = strtoull(cl, &end, 10);
	return *end == '\0' && n > max_body;
}

/*
 * Decides from the headers alone whether the request may go on: a path
 * without control bytes, a route, the server's token (unless the route is
 * public or checks its own), the route's guard, a declared length within the
 * cap. Returns true to read the body, or false with the request answered.
 */
static bool
admit(struct rw_http_request *req, bool bad_path)
{
	const struct route *r;

	if (bad_path || http_has_control(req->path, strlen(req->path))) {
		rw_http_respond_error(req, 400, "control characters in the request path or query");
		return false;
	}
	if ((r = route_find(req)) == NULL)
		return false;
	if (!(r->flags & (RW_HTTP_PUBLIC | RW_HTTP_OWN_AUTH)) && !authorized(req)) {
		rw_http_add_header(req, "WWW-Authenticate", "Bearer realm=\"replywatch\"");
		rw_http_respond_error(req, 401, "missing or wrong bearer token");
		return false;
	}
	if (r->guard != NULL && !r->guard(req, r->arg))
		return false;
	if (declared_too_large(req->conn, req->max_body)) {
		rw_http_respond_error(req, 413, "request body too large");
		return false;
	}
	req->route = r;
	return true;
}

/* The whole request is in: runs the route's handler, or answers 413. */
static void
dispatch(struct rw_http_request *req)
{
	req->dispatched = true;
	req->srv->pending++;
	if (req->too_large) {
		rw_http_respond_error(req, 413, "request body too large");
		return;
	}
	req->route->fn(req, req->route->arg);
}

static enum MHD_Result
queue_answer(struct rw_http_request *req)
{
	enum MHD_Result rc = MHD_queue_response(req->conn, req->status, req->response);

	MHD_destroy_response(req->response);
	req->response = NULL;
	return rc;
}

/* The first call for a request: its headers are in, none of its body. */
static enum MHD_Result
request_start(struct rw_http_server *srv, struct MHD_Connection *conn, const char *url,
	      const char *method, void **con_cls)
{
	struct rw_http_request *req = calloc(1, sizeof(*req));
	bool bad_path = http_conn_take_bad_path(conn);

	http_conn_phase(conn, HTTP_CONN_BODY);
	if (req == NULL)
		return MHD_NO;
	req->srv = srv;
	req->conn = conn;
	req->max_body = srv->max_body;
	req->method = strdup(method);
	req->path = strdup(url);
	if (req->method == NULL || req->path == NULL) {
		request_free(req);
		return MHD_NO;
	}
	*con_cls = req;
	if (!admit(req, bad_path))
		return queue_answer(req); /* MHD closes the connection: the body is unread */
	return MHD_YES;
}

/* Takes n more body bytes, or answers 413 as soon as the cap is passed. */
static enum MHD_Result
request_body(struct rw_http_request *req, const char *data, size_t n)
{
	char *grown;

	if (req->too_large || req->body_len + n > req->max_body) {
		/* Stop now: a body without Content-Length could go on for ever.
		 * MHD 0.9.75 cannot queue an answer in the middle of a body
		 * (MHD_queue_response fails there), so the connection is
		 * closed without one. */
		req->too_large = true;
		return MHD_NO;
	}
	grown = realloc(req->body, req->body_len + n + 1);
	if (grown == NULL)
		return MHD_NO;
	memcpy(grown + req->body_len, data, n);
	req->body = grown;
	req->body_len += n;
	req->body[req->body_len] = '\0';
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct rw_http_server *srv = cls;
	struct rw_http_request *req = *con_cls;

	(void)version;
	if (req == NULL)
		return request_start(srv, conn, url, method, con_cls);
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		return request_body(req, upload_data, n);
	}
	if (!req->dispatched) {
		http_conn_phase(conn, HTTP_CONN_HANDLER);
		dispatch(req);
	}
	if (req->response != NULL)
		return queue_answer(req);
	if (req->answered)
		return MHD_YES; /* answered earlier; nothing left to send */
	/* The handler answers later: park the connection. */
	MHD_suspend_connection(conn);
	req->suspended = true;
	req->next_suspended = srv->suspended;
	if (srv->suspended)
		srv->suspended->prev_suspended = req;
	srv->suspended = req;
	return MHD_YES;
}

static void
format_addr(const struct sockaddr *sa, int port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%d", ip, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%d", ip, port);
	}
}

static int
sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

struct rw_http_server *
rw_http_server_new(struct ev_loop *loop, const struct rw_http_options *opt, char *err,
		   size_t errlen)
{
	struct rw_http_server *srv = calloc(1, sizeof(*srv));
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	char where[80];

	if (srv == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->loop = loop;
	srv->max_body = opt->max_body;
	http_conns_init(&srv->conns, loop, opt);
	format_addr(opt->addr, sockaddr_port(opt->addr), where, sizeof(where));
	if (opt->addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* The logger must be the first option to catch every message. MHD's
	 * own limits sit above ours (no per-address limit at all): a
	 * connection MHD refuses is never seen, so no room could be made for
	 * it by closing a slow one (conns.c). */
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_SOCK_ADDR, opt->addr, MHD_OPTION_CONNECTION_LIMIT,
		http_conns_mhd_limit(&srv->conns), MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)(opt->timeout_s ? opt->timeout_s : IDLE_TIMEOUT_S),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, http_conns_notify, &srv->conns,
		MHD_OPTION_UNESCAPE_CALLBACK, http_conns_unescape, &srv->conns, MHD_OPTION_END);
	if (srv->mhd == NULL) {
		snprintf(err, errlen, "cannot listen on %s (address in use or not available)",
			 where);
		free(srv);
		return NULL;
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : sockaddr_port(opt->addr);
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "libmicrohttpd has no epoll fd");
		MHD_stop_daemon(srv->mhd);
		free(srv);
		return NULL;
	}
	ev_io_init(&srv->io, on_io, info->epoll_fd, EV_READ);
	ev_timer_init(&srv->timer, on_timer, 0., 0.);
	srv->io.data = srv->timer.data = srv;
	ev_io_start(loop, &srv->io);
	server_arm(srv);
	format_addr(opt->addr, srv->port, where, sizeof(where));
	log_info("http: listening on %s", where);
	return srv;
}

int
rw_http_route(struct rw_http_server *srv, const char *method, const char *path, unsigned flags,
	      rw_http_handler *fn, void *arg)
{
	return rw_http_route_guarded(srv, method, path, flags, NULL, fn, arg);
}

int
rw_http_route_guarded(struct rw_http_server *srv, const char *method, const char *path,
		      unsigned flags, rw_http_guard *guard, rw_http_handler *fn, void *arg)
{
	struct route *grown = realloc(srv->routes, (srv->nroutes + 1) * sizeof(*grown));
	struct route *r;

	if (grown == NULL)
		return -1;
	srv->routes = grown;
	r = &srv->routes[srv->nroutes];
	r->method = strdup(method);
	if (r->method == NULL)
		return -1;
	r->path = path;
	r->pathlen = strlen(path);
	r->flags = flags;
	r->guard = guard;
	r->fn = fn;
	r->arg = arg;
	srv->nroutes++;
	return 0;
}

void
rw_http_set_token(struct rw_http_server *srv, const struct rw_secret *token)
{
	srv->token = token;
}

void
rw_http_set_max_body(struct rw_http_server *srv, size_t max_body)
{
	srv->max_body = max_body;
}

int
rw_http_server_port(const struct rw_http_server *srv)
{
	return srv->port;
}

void
rw_http_server_quiesce(struct rw_http_server *srv)
{
	MHD_socket fd;

	if (srv->quiesced)
		return;
	srv->quiesced = true;
	fd = MHD_quiesce_daemon(srv->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd); /* external polling: no MHD thread still uses it */
	server_arm(srv);
}

size_t
rw_http_server_pending(const struct rw_http_server *srv)
{
	return srv->pending;
}

void
rw_http_server_free(struct rw_http_server *srv)
{
	if (srv == NULL)
		return;
	/* Suspended connections must be resumed before MHD stops. */
	while (srv->suspended != NULL)
		rw_http_respond_error(srv->suspended, 503, "shutting down");
	ev_io_stop(srv->loop, &srv->io);
	ev_timer_stop(srv->loop, &srv->timer);
	http_conns_stop(&srv->conns);
	MHD_stop_daemon(srv->mhd); /* closes the epoll fd: watchers stopped first */
	for (size_t i = 0; i < srv->nroutes; i++)
		free(srv->routes[i].method);
	free(srv->routes);
	free(srv);
}

const char *
rw_http_method(const struct rw_http_request *req)
{
	return req->method;
}

const char *
rw_http_path(const struct rw_http_request *req)
{
	return req->path;
}

const char *
rw_http_query(const struct rw_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
rw_http_header(const struct rw_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
rw_http_body(const struct rw_http_request *req, size_t *len)
{
	if (len != NULL)
		*len = req->body_len;
	return req->body ? req->body : "";
}

const char *
rw_http_bearer(const struct rw_http_request *req)
{
	const char *auth = rw_http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return auth;
}

bool
rw_http_addr_loopback(const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		/* ::1, or 127.x.y.z mapped into IPv6 (a dual-stack listener). */
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

bool
rw_http_from_loopback(const struct rw_http_request *req)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return info != NULL && rw_http_addr_loopback(info->client_addr);
}

int
rw_http_add_header(struct rw_http_request *req, const char *name, const char *value)
{
	struct header *grown;

	if (req->answered)
		return -1;
	grown = realloc(req->headers, (req->nheaders + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	req->headers = grown;
	grown[req->nheaders].name = strdup(name);
	grown[req->nheaders].value = strdup(value);
	if (grown[req->nheaders].name == NULL || grown[req->nheaders].value == NULL) {
		free(grown[req->nheaders].name);
		free(grown[req->nheaders].value);
		return -1;
	}
	req->nheaders++;
	return 0;
}

int
rw_http_respond(struct rw_http_request *req, unsigned status, const char *content_type,
		const char *body, size_t len)
{
	struct MHD_Response *resp;

	if (req->answered)
		return -1;
	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return -1;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (size_t i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
	req->response = resp;
	req->status = status;
	req->answered = true;
	if (req->dispatched)
		req->srv->pending--;
	if (req->suspended) {
		struct rw_http_server *srv = req->srv;

		/* on_request queues the answer once MHD calls it for the resumed
		 * connection. In external mode MHD_run must follow a resume:
		 * run it on the next loop iteration rather than from here, which
		 * may be inside another library's callback. */
		suspended_unlink(req);
		MHD_resume_connection(req->conn);
		ev_timer_stop(srv->loop, &srv->timer);
		ev_timer_set(&srv->timer, 0., 0.);
		ev_timer_start(srv->loop, &srv->timer);
	}
	return 0;
}

int
rw_http_respond_json(struct rw_http_request *req, unsigned status, const json_t *json)
{
	char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
	size_t len;
	int rc;

	if (text == NULL)
		return rw_http_respond(req, 500, "text/plain", "internal error\n", 15);
	len = strlen(text);
	char *line = realloc(text, len + 2);
	if (line == NULL) {
		free(text);
		return rw_http_respond(req, 500, "text/plain", "internal error\n", 15);
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	rc = rw_http_respond(req, status, "application/json", line, len + 1);
	free(line);
	return rc;
}

int
rw_http_respond_error(struct rw_http_request *req, unsigned status, const char *message)
{
	json_t *body = json_pack("{s:s}", "error", message);
	int rc;

	if (body == NULL)
		return rw_http_respond(req, 500, "text/plain", "internal error\n", 15);
	rc = rw_http_respond_json(req, status, body);
	json_decref(body);
	return rc;
}
