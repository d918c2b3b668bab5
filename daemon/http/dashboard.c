/*
 * dashboard.c: GET / — the self-contained HTML dashboard (dashboard.html,
 * embedded at build time). The page holds no data, so it is served without
 * a token; the data it fetches (/status, /mentions, /events) is guarded as
 * usual, with the token the page asks for.
 */
#include <stddef.h>

#include "replywatch/api.h"
#include "replywatch/http.h"

extern const char rw_dashboard_html[];
extern const size_t rw_dashboard_html_len;

static void
dashboard(struct rw_http_request *req, void *arg)
{
	(void)arg;
	rw_http_add_header(req, "Content-Security-Policy",
			   "default-src 'none'; script-src 'unsafe-inline'; "
			   "style-src 'unsafe-inline'; connect-src 'self'");
	rw_http_respond(req, 200, "text/html; charset=utf-8", rw_dashboard_html,
			rw_dashboard_html_len);
}

int
rw_api_dashboard_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	return rw_http_route(srv, "GET", "/", RW_HTTP_PUBLIC, dashboard, d);
}
