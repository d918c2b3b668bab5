/*
 * health: GET /healthz (200 "ok" while the loop runs, no token needed) and
 * GET /readyz (200 when the configuration is loaded, Redis is connected and
 * took a small write just now, else 503 with
 * {"status":"not ready","reason":...}).
 */
#ifndef REPLYWATCH_HEALTH_H
#define REPLYWATCH_HEALTH_H

struct rw_http_server;
struct rw_daemon;

/* Adds both routes to srv; d is borrowed. Returns 0 or -1. */
int rw_health_routes(struct rw_http_server *srv, struct rw_daemon *d);

#endif
