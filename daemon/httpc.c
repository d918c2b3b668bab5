/*
 * httpc.c: libcurl multi socket interface on libev.
 *
 * curl tells us which sockets to watch (socket callback: one ev_io per
 * socket, attached with curl_multi_assign) and when to call it back (timer
 * callback: one non-repeating ev_timer). Neither callback calls into curl:
 * 7.88.1 answers CURLM_RECURSIVE_API_CALL, so both only arm watchers and the
 * watchers call curl_multi_socket_action from the loop. After every
 * socket_action the finished transfers are drained from curl_multi_info_read,
 * removed from the multi handle, and only then handed to their callbacks.
 */
#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/httpc.h"
#include "replywatch/log.h"

struct sock {
	struct rw_httpc *c;
	curl_socket_t fd;
	ev_io io;
	struct sock *prev, *next;
};

struct header {
	char *name;
	char *value;
};

/* One request in flight. */
struct rw_httpc_xfer {
	struct rw_httpc *c;
	CURL *easy;
	struct curl_slist *headers;
	rw_httpc_done_fn *done;
	void *arg;
	char *label; /* "GET https://host/..." for debug logs, or NULL */
	char *body;  /* the response body, NUL-terminated */
	size_t body_len, body_cap;
	size_t max_body;
	bool too_large;
	struct header *hdrs; /* the final response's headers */
	size_t nhdrs;
	size_t hdr_bytes;
	bool hdrs_too_large;
	long connect_ms, timeout_ms;
	char errbuf[CURL_ERROR_SIZE];
	struct rw_httpc_xfer *prev, *next;
};

struct rw_httpc {
	struct ev_loop *loop;
	CURLM *multi;
	char *user_agent;
	ev_timer timer;
	struct sock *socks;
	struct rw_httpc_xfer *xfers;
	size_t in_flight;
	bool freeing;
};

static void
headers_clear(struct rw_httpc_xfer *x)
{
	for (size_t i = 0; i < x->nhdrs; i++) {
		free(x->hdrs[i].name);
		free(x->hdrs[i].value);
	}
	free(x->hdrs);
	x->hdrs = NULL;
	x->nhdrs = 0;
	x->hdr_bytes = 0;
}

/* Frees a transfer that is no longer (or never was) in the multi handle. */
static void
xfer_free(struct rw_httpc_xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	headers_clear(x);
	free(x->label);
	free(x->body);
	free(x);
}

static void
xfer_link(struct rw_httpc *c, struct rw_httpc_xfer *x)
{
	x->prev = NULL;
	x->next = c->xfers;
	if (c->xfers != NULL)
		c->xfers->prev = x;
	c->xfers = x;
	c->in_flight++;
}

static void
xfer_unlink(struct rw_httpc *c, struct rw_httpc_xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		c->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	c->in_flight--;
}

/* CURLOPT_WRITEFUNCTION: appends to the body, failing the transfer beyond the
 * cap (returning less than given makes curl stop with CURLE_WRITE_ERROR). */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct rw_httpc_xfer *x = userp;
	size_t n = size * nmemb;

	if (n > x->max_body - x->body_len) {
		x->too_large = true;
		return 0;
	}
	if (x->body_len + n + 1 > x->body_cap) {
		size_t cap = x->body_cap ? x->body_cap : 4096;
		char *grown;

		while (cap < x->body_len + n + 1)
			cap *= 2;
		grown = realloc(x->body, cap);
		if (grown == NULL)
			return 0;
		x->body = grown;
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, data, n);
	x->body_len += n;
	x->body[x->body_len] = '\0';
	return n;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* CURLOPT_HEADERFUNCTION: one header line per call, status lines included. A
 * status line starts a new response (after a 1xx or a redirect): only the
 * last response's headers are kept. */
static size_t
on_header(char *line, size_t size, size_t nmemb, void *userp)
{
	struct rw_httpc_xfer *x = userp;
	size_t n = size * nmemb, namelen;
	const char *colon, *v, *end = line + n;
	struct header *grown;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		headers_clear(x);
		return n;
	}
	x->hdr_bytes += n;
	if (x->hdr_bytes > RW_HTTPC_MAX_HEADER_BYTES) {
		x->hdrs_too_large = true;
		return 0;
	}
	colon = memchr(line, ':', n);
	if (colon == NULL || colon == line)
		return n; /* the blank line ending the block, or a malformed one */
	namelen = (size_t)(colon - line);
	v = colon + 1;
	while (v < end && is_space(*v))
		v++;
	while (end > v && is_space(end[-1]))
		end--;
	grown = realloc(x->hdrs, (x->nhdrs + 1) * sizeof(*grown));
	if (grown == NULL)
		return 0;
	x->hdrs = grown;
	grown[x->nhdrs].name = strndup(line, namelen);
	grown[x->nhdrs].value = strndup(v, (size_t)(end - v));
	if (grown[x->nhdrs].name == NULL || grown[x->nhdrs].value == NULL) {
		free(grown[x->nhdrs].name);
		free(grown[x->nhdrs].value);
		return 0;
	}
	x->nhdrs++;
	return n;
}

const char *
rw_httpc_header(const struct rw_httpc_response *resp, const char *name)
{
	const struct rw_httpc_xfer *x = resp->xfer;

	for (size_t i = 0; x != NULL && i < x->nhdrs; i++)
		if (strcasecmp(x->hdrs[i].name, name) == 0)
			return x->hdrs[i].value;
	return NULL;
}

size_t
rw_httpc_in_flight(const struct rw_httpc *c)
{
	return c->in_flight;
}

/* The error text for a failed transfer, in buf. */
static void
describe_failure(struct rw_httpc_xfer *x, CURLcode rc, char *buf, size_t len)
{
	long os_errno = 0;

	if (x->too_large) {
		snprintf(buf, len, "response larger than %zu bytes", x->max_body);
	} else if (x->hdrs_too_large) {
		snprintf(buf, len, "response headers larger than %zu bytes",
			 RW_HTTPC_MAX_HEADER_BYTES);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		/* curl says which of the two limits ran out only in its message. */
		if (strncmp(x->errbuf, "Connection timed out", 20) == 0)
			snprintf(buf, len, "connect timed out after %ld ms", x->connect_ms);
		else
			snprintf(buf, len, "timed out after %ld ms", x->timeout_ms);
	} else if (rc == CURLE_COULDNT_CONNECT &&
		   curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
		   os_errno == ECONNREFUSED) {
		snprintf(buf, len, "connection refused (%s)", x->errbuf);
	} else {
		/* curl's messages name hosts and ports, never a query string. */
		snprintf(buf, len, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	}
}

/* Hands a finished transfer (already out of the multi handle) to its
 * callback and frees it. error overrides curl's result when not NULL. */
static void
xfer_finish(struct rw_httpc_xfer *x, CURLcode rc, const char *error)
{
	struct rw_httpc *c = x->c;
	struct rw_httpc_response resp = {.body = x->body ? x->body : "", .xfer = x};
	char why[CURL_ERROR_SIZE + 64];

	xfer_unlink(c, x);
	if (curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &resp.total_seconds) != CURLE_OK)
		resp.total_seconds = 0;
	if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &resp.new_connections) != CURLE_OK)
		resp.new_connections = 0;
	if (error != NULL) {
		resp.error = error;
	} else if (rc != CURLE_OK) {
		describe_failure(x, rc, why, sizeof(why));
		resp.error = why;
	} else if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &resp.status) != CURLE_OK ||
		   resp.status == 0) {
		resp.status = 0;
		resp.error = "no HTTP status received";
	}
	/* Failures carry no partial body: callers must not parse half a page. */
	if (resp.error != NULL) {
		resp.status = 0;
		resp.body = "";
		resp.body_len = 0;
	} else {
		resp.body_len = x->body_len;
	}
	if (x->label != NULL)
		log_debug("httpc: %s -> %ld in %.3f s%s%s", x->label, resp.status,
			  resp.total_seconds, resp.error ? ": " : "", resp.error ? resp.error : "");
	x->done(c, &resp, x->arg);
	xfer_free(x);
}

/* Runs the callbacks of every finished transfer. Called after every
 * curl_multi_socket_action, whatever its running count says. */
static void
drain(struct rw_httpc *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		struct rw_httpc_xfer *x = NULL;
		CURL *easy;
		CURLcode rc;
		CURLMcode mrc;

		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with curl_multi_remove_handle: copy first. */
		easy = msg->easy_handle;
		rc = msg->data.result;
		if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x) != CURLE_OK ||
		    x == NULL) {
			log_warnx("httpc: finished transfer without its state");
			continue;
		}
		mrc = curl_multi_remove_handle(c->multi, easy);
		if (mrc != CURLM_OK)
			log_warnx("httpc: curl_multi_remove_handle: %s", curl_multi_strerror(mrc));
		xfer_finish(x, rc, NULL);
	}
}

static void
socket_action(struct rw_httpc *c, curl_socket_t fd, int action)
{
	int running = 0;
	CURLMcode rc = curl_multi_socket_action(c->multi, fd, action, &running);

	if (rc != CURLM_OK)
		log_warnx("httpc: curl_multi_socket_action: %s", curl_multi_strerror(rc));
	drain(c);
}

static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock *s = w->data;
	/* socket_action may free s: take what we need first. */
	struct rw_httpc *c = s->c;
	curl_socket_t fd = s->fd;
	int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
		     ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	(void)loop;
	socket_action(c, fd, action);
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	socket_action(w->data, CURL_SOCKET_TIMEOUT, 0);
}

static void
sock_free(struct rw_httpc *c, struct sock *s)
{
	ev_io_stop(c->loop, &s->io);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: mirrors curl's interest in a socket onto an ev_io.
 * No curl calls here except curl_multi_assign, which curl allows. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct rw_httpc *c = userp;
	struct sock *s = socketp;
	int events =
		((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			sock_free(c, s);
		return 0;
	}
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return -1;
		s->c = c;
		s->fd = fd;
		ev_io_init(&s->io, on_io, fd, events);
		s->io.data = s;
		if (curl_multi_assign(c->multi, fd, s) != CURLM_OK) {
			free(s);
			return -1;
		}
		s->next = c->socks;
		if (c->socks != NULL)
			c->socks->prev = s;
		c->socks = s;
		ev_io_start(c->loop, &s->io);
		return 0;
	}
	if (s->io.events == events && ev_is_active(&s->io))
		return 0;
	/* Never set an active watcher. */
	ev_io_stop(c->loop, &s->io);
	ev_io_set(&s->io, fd, events);
	ev_io_start(c->loop, &s->io);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one non-repeating timer; curl is called from it on
 * the loop, never from here. */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct rw_httpc *c = userp;

	(void)multi;
	ev_timer_stop(c->loop, &c->timer);
	if (timeout_ms < 0)
		return 0;
	/* Floating division: integer ms / 1000 turns sub-second waits into 0
	 * and spins the loop. 0 fires on the next iteration. */
	ev_timer_set(&c->timer, (double)timeout_ms / 1000.0, 0.);
	ev_timer_start(c->loop, &c->timer);
	return 0;
}

struct rw_httpc *
rw_httpc_new(struct ev_loop *loop, const char *user_agent)
{
	struct rw_httpc *c = calloc(1, sizeof(*c));
	const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);

	if (c == NULL)
		return NULL;
	c->loop = loop;
	ev_timer_init(&c->timer, on_timer, 0., 0.);
	c->timer.data = c;
	c->user_agent = strdup(user_agent ? user_agent : "replywatch");
	c->multi = curl_multi_init();
	if (c->user_agent == NULL || c->multi == NULL)
		goto fail;
	if (curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
	    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK ||
	    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
	    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK)
		goto fail;
	if (info != NULL && (info->features & CURL_VERSION_ASYNCHDNS))
		log_info("httpc: libcurl %s, DNS resolution is asynchronous", info->version);
	else
		log_info("httpc: libcurl %s, DNS resolution is synchronous: a slow DNS server "
			 "stalls the loop",
			 info ? info->version : "?");
	return c;
fail:
	if (c->multi != NULL && curl_multi_cleanup(c->multi) != CURLM_OK)
		log_warnx("httpc: curl_multi_cleanup failed");
	free(c->user_agent);
	free(c);
	return NULL;
}

/* "METHOD scheme://host[:port]/..." or NULL when the URL does not parse.
 * Neither path nor query is logged, at any level: URLs come from the
 * configuration, and some carry their secret in the path (a Slack or
 * Discord webhook URL is itself the credential), which this module cannot
 * tell from a harmless one. The caller logs what it knows is safe to name
 * (the source and endpoint, the alert target). */
static char *
make_label(const char *method, const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *label = NULL;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto done;
	/* Only an explicit port: CURLUE_NO_PORT leaves port NULL. */
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	if (asprintf(&label, "%s %s://%s%s%s/...", method, scheme, host, port ? ":" : "",
		     port ? port : "") < 0)
		label = NULL;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return label;
}

/* Sets every per-transfer option of x for req. Returns 0 or -1. */
static int
xfer_setup(struct rw_httpc *c, struct rw_httpc_xfer *x, const struct rw_httpc_request *req,
	   bool post)
{
	CURL *e = x->easy;

	for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		struct curl_slist *l = curl_slist_append(x->headers, req->headers[i]);

		if (l == NULL)
			return -1;
		x->headers = l;
	}
	if (curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, x->connect_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    /* Waiting for a connection to multiplex pays only where HTTP/2 can be
	     * negotiated (TLS); on plain HTTP/1.1 it queues a request behind a
	     * slow one to the same host. */
	    curl_easy_setopt(e, CURLOPT_PIPEWAIT,
			     strncasecmp(req->url, "https://", 8) == 0 ? 1L : 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, x) != CURLE_OK ||
	    (x->headers != NULL && curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK))
		return -1;
	if (post &&
	    (curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) !=
		     CURLE_OK ||
	     curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "") != CURLE_OK))
		return -1;
	return 0;
}

int
rw_httpc_submit(struct rw_httpc *c, const struct rw_httpc_request *req, rw_httpc_done_fn *done,
		void *arg)
{
	const char *method = req->method ? req->method : "GET";
	bool post = strcmp(method, "POST") == 0;
	struct rw_httpc_xfer *x = NULL;
	CURLMcode mrc;

	if (c->freeing || req->url == NULL || done == NULL || (!post && strcmp(method, "GET") != 0))
		return -1;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -1;
	x->c = c;
	x->done = done;
	x->arg = arg;
	x->max_body = req->max_response_bytes ? req->max_response_bytes : RW_HTTPC_MAX_RESPONSE;
	x->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : RW_HTTPC_TIMEOUT_MS;
	x->connect_ms =
		req->connect_timeout_ms > 0 ? req->connect_timeout_ms : RW_HTTPC_CONNECT_TIMEOUT_MS;
	x->easy = curl_easy_init();
	if (x->easy == NULL || xfer_setup(c, x, req, post) < 0)
		goto fail;
	if (log_enabled(RW_LOG_DEBUG))
		x->label = make_label(method, req->url);
	/* Only arms the timer through on_curl_timer: done cannot run from here. */
	mrc = curl_multi_add_handle(c->multi, x->easy);
	if (mrc != CURLM_OK) {
		log_warnx("httpc: curl_multi_add_handle: %s", curl_multi_strerror(mrc));
		goto fail;
	}
	xfer_link(c, x);
	if (x->label != NULL)
		log_debug("httpc: %s", x->label);
	return 0;
fail:
	xfer_free(x);
	return -1;
}

void
rw_httpc_free(struct rw_httpc *c)
{
	CURLMcode mrc;

	if (c == NULL)
		return;
	c->freeing = true;
	ev_timer_stop(c->loop, &c->timer);
	while (c->xfers != NULL) {
		struct rw_httpc_xfer *x = c->xfers;

		mrc = curl_multi_remove_handle(c->multi, x->easy);
		if (mrc != CURLM_OK)
			log_warnx("httpc: curl_multi_remove_handle: %s", curl_multi_strerror(mrc));
		xfer_finish(x, CURLE_ABORTED_BY_CALLBACK, "aborted: HTTP client shut down");
	}
	/* Stop watchers before curl closes their sockets. */
	for (struct sock *s = c->socks; s != NULL; s = s->next)
		ev_io_stop(c->loop, &s->io);
	mrc = curl_multi_cleanup(c->multi);
	if (mrc != CURLM_OK)
		log_warnx("httpc: curl_multi_cleanup: %s", curl_multi_strerror(mrc));
	while (c->socks != NULL)
		sock_free(c, c->socks);
	ev_timer_stop(c->loop, &c->timer); /* cleanup may have set it again */
	free(c->user_agent);
	free(c);
}
