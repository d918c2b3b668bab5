/*
 * conns.c: deadlines and room for the status server's connections (see
 * conns.h). MHD's idle timeout alone is reset by every byte, so one header
 * line every few seconds would hold a slot for ever, and a connection MHD
 * refuses at its limit is never seen; hence this module.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "replywatch/http.h"
#include "replywatch/log.h"

#include "conns.h"

/* Defaults of the limits left at 0 in struct rw_http_options. */
#define CONNECTION_LIMIT 256
#define PER_IP_LIMIT 64
#define HEADER_TIMEOUT_S 10
#define BODY_TIMEOUT_S 30
/* Connections MHD accepts beyond the limit, so that a new connection can
 * be seen (and room made for it) rather than refused by MHD unseen. */
#define HEADROOM 16
/* A body still arriving after this long may be closed to make room. */
#define BODY_EVICTABLE_S 1.0

/* One accepted socket (MHD's socket context), from accept to close. */
struct http_conn {
	struct http_conns *cs;
	struct MHD_Connection *mhd;
	struct sockaddr_storage addr;
	enum http_conn_phase phase;
	ev_tstamp since; /* when the phase began */
	bool bad_path;   /* the unescaped path or query held a control byte */
	bool cut;        /* shut down already: MHD closes it on its next read */
	struct http_conn *prev, *next;
};

static struct http_conn *
conn_of(struct MHD_Connection *mhd)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void
conn_phase(struct http_conn *c, enum http_conn_phase phase)
{
	if (c == NULL)
		return;
	c->phase = phase;
	c->since = ev_now(c->cs->loop);
}

static bool
same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* Shuts the socket down without closing it: MHD reads EOF on its next turn
 * and closes the connection itself, so its fd is never reused under it. */
static void
conn_cut(struct http_conn *c)
{
	const union MHD_ConnectionInfo *info;

	if (c->cut)
		return;
	c->cut = true;
	info = MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (info != NULL)
		shutdown(info->connect_fd, SHUT_RDWR);
}

/* A connection that may be closed to make room: waiting for headers (slow or
 * idle), or reading a body for longer than a healthy client would. */
static bool
conn_evictable(const struct http_conn *c, ev_tstamp now)
{
	return !c->cut && (c->phase == HTTP_CONN_HEADERS ||
			   (c->phase == HTTP_CONN_BODY && now - c->since >= BODY_EVICTABLE_S));
}

/* Closes the oldest evictable connection (of addr's address when addr is
 * not NULL) other than fresh. Returns false when there is none. */
static bool
conn_evict_oldest(struct http_conns *cs, const struct http_conn *fresh,
		  const struct sockaddr_storage *addr)
{
	ev_tstamp now = ev_now(cs->loop);
	struct http_conn *oldest = NULL;

	for (struct http_conn *c = cs->list; c != NULL; c = c->next) {
		if (c == fresh || !conn_evictable(c, now) ||
		    (addr != NULL && !same_address(&c->addr, addr)))
			continue;
		if (oldest == NULL || c->since <= oldest->since)
			oldest = c;
	}
	if (oldest == NULL)
		return false;
	log_debug("http: connection limit reached: closed the oldest waiting connection");
	conn_cut(oldest);
	return true;
}

/* Live (not yet cut) connections, of addr's address when addr is not NULL. */
static size_t
conn_count(const struct http_conns *cs, const struct sockaddr_storage *addr)
{
	size_t n = 0;

	for (const struct http_conn *c = cs->list; c != NULL; c = c->next)
		if (!c->cut && (addr == NULL || same_address(&c->addr, addr)))
			n++;
	return n;
}

/* A new connection over a limit: room is made by closing the oldest one
 * still waiting (of the same address for the per-address limit); when every
 * other connection is busy with a request, the new one is refused. */
static void
conn_admit(struct http_conns *cs, struct http_conn *fresh)
{
	if (conn_count(cs, &fresh->addr) > cs->per_ip_limit &&
	    !conn_evict_oldest(cs, fresh, &fresh->addr))
		conn_cut(fresh);
	else if (conn_count(cs, NULL) > cs->connection_limit && !conn_evict_oldest(cs, fresh, NULL))
		conn_cut(fresh);
}

/* Every second: connections past their header or body deadline are closed. */
static void
on_sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_conns *cs = w->data;
	ev_tstamp now = ev_now(loop);
	unsigned late = 0;

	(void)revents;
	for (struct http_conn *c = cs->list; c != NULL; c = c->next) {
		double limit = c->phase == HTTP_CONN_HEADERS ? cs->header_timeout
			       : c->phase == HTTP_CONN_BODY  ? cs->body_timeout
							     : 0;

		if (c->cut || limit == 0 || now - c->since < limit)
			continue;
		conn_cut(c);
		late++;
	}
	if (late > 0)
		log_debug("http: closed %u connection%s that did not send a request in time", late,
			  late == 1 ? "" : "s");
	if (cs->n == 0)
		ev_timer_stop(loop, w);
}

void
http_conns_notify(void *cls, struct MHD_Connection *mhd, void **socket_context,
		  enum MHD_ConnectionNotificationCode toe)
{
	struct http_conns *cs = cls;
	struct http_conn *c = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c == NULL)
			return;
		if (c->prev)
			c->prev->next = c->next;
		else
			cs->list = c->next;
		if (c->next)
			c->next->prev = c->prev;
		cs->n--;
		free(c);
		*socket_context = NULL;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return; /* untracked: still served, only not limited by us */
	c->cs = cs;
	c->mhd = mhd;
	info = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info != NULL && info->client_addr != NULL)
		memcpy(&c->addr, info->client_addr,
		       info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								: sizeof(struct sockaddr_in));
	conn_phase(c, HTTP_CONN_HEADERS);
	c->next = cs->list;
	if (cs->list)
		cs->list->prev = c;
	cs->list = c;
	cs->n++;
	*socket_context = c;
	if (!ev_is_active(&cs->sweep))
		ev_timer_start(cs->loop, &cs->sweep);
	conn_admit(cs, c);
}

bool
http_has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

size_t
http_conns_unescape(void *cls, struct MHD_Connection *mhd, char *s)
{
	size_t len = MHD_http_unescape(s);
	struct http_conn *c;

	(void)cls;
	if (http_has_control(s, len) && (c = conn_of(mhd)) != NULL)
		c->bad_path = true;
	return len;
}

void
http_conns_init(struct http_conns *cs, struct ev_loop *loop, const struct rw_http_options *opt)
{
	memset(cs, 0, sizeof(*cs));
	cs->loop = loop;
	cs->connection_limit = opt->connection_limit ? opt->connection_limit : CONNECTION_LIMIT;
	cs->per_ip_limit = opt->per_ip_limit ? opt->per_ip_limit : PER_IP_LIMIT;
	cs->header_timeout = opt->header_timeout_s ? opt->header_timeout_s : HEADER_TIMEOUT_S;
	cs->body_timeout = opt->body_timeout_s ? opt->body_timeout_s : BODY_TIMEOUT_S;
	ev_timer_init(&cs->sweep, on_sweep, 1., 1.);
	cs->sweep.data = cs;
}

unsigned
http_conns_mhd_limit(const struct http_conns *cs)
{
	return cs->connection_limit + HEADROOM;
}

void
http_conns_stop(struct http_conns *cs)
{
	ev_timer_stop(cs->loop, &cs->sweep);
}

void
http_conn_phase(struct MHD_Connection *mhd, enum http_conn_phase phase)
{
	conn_phase(conn_of(mhd), phase);
}

bool
http_conn_take_bad_path(struct MHD_Connection *mhd)
{
	struct http_conn *c = conn_of(mhd);
	bool bad = c != NULL && c->bad_path;

	if (c != NULL)
		c->bad_path = false;
	return bad;
}
