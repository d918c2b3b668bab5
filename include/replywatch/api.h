/*
 * api: the mention-tracking HTTP endpoints (DESIGN.md "HTTP API"). Each
 * function adds its routes to srv; d is borrowed for the server's lifetime.
 * Return 0, or -1 on allocation failure.
 *
 *   POST /ingest/SOURCE           push items (the source's own token)
 *   GET|POST /hooks/SOURCE        platform webhooks (the platform's own
 *                                 scheme; hooks.h: rw_api_hook_routes)
 *   GET  /mentions                a page of mentions, oldest first
 *   GET  /mentions/KEY            one mention
 *   POST /mentions/KEY/close      resolve by hand with a reason
 *   GET  /events                  the event log, oldest first
 *   GET  /status                  live state and SLA figures (JSON)
 *   GET  /metrics                 Prometheus text exposition 0.0.4
 *   GET  /                        the dashboard page (no token: it holds no data)
 *   GET  /dashboard/data          the dashboard's chart figures (JSON)
 */
#ifndef REPLYWATCH_API_H
#define REPLYWATCH_API_H

struct rw_http_server;
struct rw_daemon;

int rw_api_ingest_routes(struct rw_http_server *srv, struct rw_daemon *d);
int rw_api_mention_routes(struct rw_http_server *srv, struct rw_daemon *d);
int rw_api_event_routes(struct rw_http_server *srv, struct rw_daemon *d);
/* GET /: the HTML dashboard (served without a token: it holds no data),
 * and GET /dashboard/data. Also -1 when the page's CSP hashes cannot be
 * computed. */
int rw_api_dashboard_routes(struct rw_http_server *srv, struct rw_daemon *d);
/* GET /status and GET /metrics. */
int rw_api_status_routes(struct rw_http_server *srv, struct rw_daemon *d);
/* POST /_test/clock: moves the daemon clock forward (testclock.c). Added
 * only under replywatchd --test-clock, never in production. */
int rw_api_test_clock_routes(struct rw_http_server *srv, struct rw_daemon *d);

#endif
