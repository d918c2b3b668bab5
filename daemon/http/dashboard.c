/*
 * dashboard.c: GET / — the self-contained HTML dashboard (dashboard.html,
 * embedded at build time) — and GET /dashboard/data, its charts' figures.
 *
 * The page holds no data, so it is served without a token; the data it
 * fetches (/status, /mentions, /dashboard/data, and the close API) is
 * guarded as usual, with the token the page asks for.
 *
 * Content-Security-Policy: the page's one inline <script> and one <style>
 * are allowed by their SHA-256 hashes, computed from the embedded page
 * when the routes are added, so no other inline code can run (no
 * 'unsafe-inline'); the page may connect only to this server.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
#include "replywatch/b64.h"
#include "replywatch/clock.h"
#include "replywatch/daemon.h"
#include "replywatch/http.h"
#include "replywatch/stats.h"

extern const char rw_dashboard_html[];
extern const size_t rw_dashboard_html_len;

static char csp[512];

/* 'sha256-BASE64' of the text between the first open tag (e.g. "<script>")
 * and its close tag, into out; -1 when the page has no such element. */
static int
element_hash(const char *open, const char *close, char *out, size_t len)
{
	const char *start = strstr(rw_dashboard_html, open), *end;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char *b64;
	int n;

	if (start == NULL || (end = strstr(start += strlen(open), close)) == NULL ||
	    EVP_Digest(start, (size_t)(end - start), digest, &dlen, EVP_sha256(), NULL) != 1 ||
	    (b64 = rw_b64_encode(digest, dlen)) == NULL)
		return -1;
	n = snprintf(out, len, "'sha256-%s'", b64);
	free(b64);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int
make_csp(void)
{
	char script[80], style[80];
	int n;

	if (element_hash("<script>", "</script>", script, sizeof(script)) == -1 ||
	    element_hash("<style>", "</style>", style, sizeof(style)) == -1)
		return -1;
	n = snprintf(csp, sizeof(csp),
		     "default-src 'none'; script-src %s; style-src %s; "
		     "connect-src 'self'; base-uri 'none'; form-action 'none'; "
		     "frame-ancestors 'none'",
		     script, style);
	return n > 0 && (size_t)n < sizeof(csp) ? 0 : -1;
}

static void
dashboard(struct rw_http_request *req, void *arg)
{
	(void)arg;
	rw_http_add_header(req, "Content-Security-Policy", csp);
	rw_http_add_header(req, "X-Content-Type-Options", "nosniff");
	rw_http_add_header(req, "Referrer-Policy", "no-referrer");
	rw_http_respond(req, 200, "text/html; charset=utf-8", rw_dashboard_html,
			rw_dashboard_html_len);
}

static void
dashboard_data(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	json_t *body = rw_stats_dashboard_json(rw_daemon_stats(d), rw_now_ms());

	if (body == NULL) {
		rw_http_respond_error(req, 500, "out of memory");
		return;
	}
	rw_http_respond_json(req, 200, body);
	json_decref(body);
}

int
rw_api_dashboard_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	if (make_csp() == -1 ||
	    rw_http_route(srv, "GET", "/", RW_HTTP_PUBLIC, dashboard, d) == -1 ||
	    rw_http_route(srv, "GET", "/dashboard/data", 0, dashboard_data, d) == -1)
		return -1;
	return 0;
}
