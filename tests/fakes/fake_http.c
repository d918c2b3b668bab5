/*
 * fake_http.c: libmicrohttpd glue. One thread per connection; each request
 * gathers its body, takes the state lock for routing (platform or control
 * API), releases it, waits out a "slow" fault if one applies, and queues
 * the answer. A "huge" answer is streamed from a callback so no copy of the
 * padding is ever held.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "fake.h"

#define HUGE_MAX ((size_t)1 << 30)

struct fake_http {
	struct MHD_Daemon *daemon;
	struct fake_state *st;
	unsigned port;
};

/* A body of total bytes: the real body with spaces before its last byte. */
struct huge {
	char *body;
	size_t len;
	size_t total;
};

/* Makes the request object as soon as the request line is read: the raw
 * target (with its query string) is only available here. */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct fake_req *req = calloc(1, sizeof(*req));

	(void)cls;
	(void)con;
	if (req == NULL)
		return NULL;
	req->uri = strdup(uri);
	if (req->uri == NULL) {
		free(req);
		return NULL;
	}
	return req;
}

static void
completed(void *cls, struct MHD_Connection *con, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con;
	(void)toe;
	fake_req_free(*con_cls);
	*con_cls = NULL;
}

static void
append_body(struct fake_req *req, const char *data, size_t n)
{
	size_t max = fake_hook_path(req->uri) ? FAKE_HOOK_MAX_BODY : FAKE_MAX_BODY;
	char *p;

	if (req->body_too_big || req->body_len + n > max) {
		req->body_too_big = true;
		return;
	}
	if (req->body_len + n + 1 > req->body_cap) {
		size_t cap = req->body_cap ? req->body_cap : 1024;

		while (cap < req->body_len + n + 1)
			cap *= 2;
		p = realloc(req->body, cap);
		if (p == NULL) {
			req->body_too_big = true;
			return;
		}
		req->body = p;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, n);
	req->body_len += n;
	req->body[req->body_len] = '\0';
}

/* Waits ms or until the fake stops. */
static void
wait_ms(struct fake_state *st, long ms)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return;
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		if (pthread_cond_timedwait(&st->wake, &st->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&st->lock);
}

static ssize_t
huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct huge *hg = cls;
	size_t head = hg->len > 0 ? hg->len - 1 : 0;
	size_t pad = hg->total - hg->len, n = 0;

	if (pos >= hg->total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	while (n < max && pos < hg->total) {
		size_t k;

		if (pos < head) {
			k = head - (size_t)pos < max - n ? head - (size_t)pos : max - n;
			memcpy(buf + n, hg->body + pos, k);
		} else if (pos < head + pad) {
			k = head + pad - (size_t)pos < max - n ? head + pad - (size_t)pos : max - n;
			memset(buf + n, ' ', k);
		} else {
			k = 1;
			buf[n] = hg->body[hg->len - 1];
		}
		n += k;
		pos += k;
	}
	return (ssize_t)n;
}

static void
huge_free(void *cls)
{
	struct huge *hg = cls;

	free(hg->body);
	free(hg);
}

/* The libmicrohttpd response for resp; takes its body. NULL on failure. */
static struct MHD_Response *
make_response(struct fake_resp *resp)
{
	struct MHD_Response *r;

	if (resp->huge_bytes > resp->len) {
		struct huge *hg = calloc(1, sizeof(*hg));

		if (hg == NULL)
			return NULL;
		hg->body = resp->body;
		hg->len = resp->len;
		hg->total = resp->huge_bytes < HUGE_MAX ? resp->huge_bytes : HUGE_MAX;
		r = MHD_create_response_from_callback(hg->total, 64 * 1024, huge_read, hg,
						      huge_free);
		if (r == NULL) {
			free(hg);
			return NULL;
		}
	} else if (resp->body != NULL) {
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			return NULL;
	} else {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return NULL;
	}
	resp->body = NULL;
	if (resp->content_type != NULL &&
	    MHD_add_response_header(r, "Content-Type", resp->content_type) == MHD_NO)
		goto fail;
	for (size_t i = 0; i < resp->nheaders; i++) {
		if (MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) ==
		    MHD_NO)
			goto fail;
	}
	return r;
fail:
	MHD_destroy_response(r);
	return NULL;
}

/* Routes a complete request and queues its answer. */
static enum MHD_Result
answer(struct fake_http *h, struct MHD_Connection *con, struct fake_req *req, const char *method)
{
	struct fake_resp resp = {0};
	struct MHD_Response *r;
	enum MHD_Result ok;

	req->method = method;
	req->host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
	req->authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
	req->apikey = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "apikey");
	req->li_version = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "LinkedIn-Version");
	req->restli =
		MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Restli-Protocol-Version");
	req->user_agent = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "User-Agent");
	req->goog_api_key = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Goog-Api-Key");
	req->api_key = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Api-Key");
	req->api_username = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Api-Username");
	req->accept = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Accept");
	req->gh_api_version =
		MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-GitHub-Api-Version");
	if (fake_req_parse_uri(req) == -1) {
		fake_resp_text(&resp, 500, "text/plain", "out of memory\n");
	} else if (req->body_too_big) {
		fake_resp_text(&resp, 413, "text/plain", "request body too large\n");
	} else {
		pthread_mutex_lock(&h->st->lock);
		if (strncmp(req->path, "/_fake/", 7) == 0)
			fake_control(h->st, req, &resp);
		else if (fake_hook_path(req->path))
			fake_hook_deliver(h->st, con, req, &resp);
		else
			fake_route(h->st, req, &resp);
		pthread_mutex_unlock(&h->st->lock);
	}
	if (resp.delay_ms > 0)
		wait_ms(h->st, resp.delay_ms);
	if (resp.drop) {
		/* MHD_NO closes the connection without an answer. */
		fake_resp_clear(&resp);
		return MHD_NO;
	}
	r = make_response(&resp);
	if (r == NULL) {
		fake_resp_clear(&resp);
		return MHD_NO;
	}
	ok = MHD_queue_response(con, resp.status ? resp.status : 500, r);
	MHD_destroy_response(r);
	fake_resp_clear(&resp);
	return ok;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct fake_req *req = *con_cls;

	(void)url;
	(void)version;
	if (req == NULL)
		return MHD_NO;
	if (!req->started) {
		req->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		append_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return answer(cls, con, req, method);
}

struct fake_http *
fake_http_start(struct fake_state *st, unsigned port, char *err, size_t errlen)
{
	struct fake_http *h = calloc(1, sizeof(*h));
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->st = st;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, h, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)300, MHD_OPTION_END);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%u", port);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		snprintf(err, errlen, "cannot read the bound port");
		MHD_stop_daemon(h->daemon);
		free(h);
		return NULL;
	}
	h->port = info->port;
	return h;
}

unsigned
fake_http_port(const struct fake_http *h)
{
	return h->port;
}

void
fake_http_stop(struct fake_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
