/*
 * fake_allegro_msg.c: Allegro's Message Center and post-purchase issues as
 * rwfake serves them (fake_allegro.c routes them here, its bearer token
 * already checked):
 *
 *   GET /messaging/threads                 v1: COMMON threads, limit (1-20,
 *        default 20), offset; beta: type (COMMON | POST_PURCHASE_ISSUE),
 *        limit, page.id (cursor from nextPage.id). Newest lastMessageDateTime
 *        first; a thread whose messages are all under moderation is not listed.
 *   GET /messaging/threads/{id}/messages   newest createdAt first; limit (1-20),
 *        offset (v1: the answer says offset and limit), page.id (beta);
 *        a POST_PURCHASE_ISSUE thread only in beta. Unknown thread: 404.
 *   GET /sale/issues                       beta only; status (repeated),
 *        limit (1-100, default 10), offset; newest openedDate first
 *   GET /sale/issues/{id}/chat             beta only; limit (1-100), offset;
 *        {"chat": [...]} newest first
 * The wrong Accept answers 406 NotAcceptableException.
 *
 * Control (docs/fakes.md): POST /_fake/allegro/thread {buyer?, type?} ->
 * {"id"}; message {thread? (none: a new COMMON thread of buyer), from
 * (buyer | seller | allegro), text?, type?, status?, created_at?} -> {"id",
 * "thread"}; deliver {id} (a message under moderation becomes DELIVERED,
 * its createdAt unchanged); issue {buyer?, type? (DISPUTE), status?
 * (DISPUTE_ONGOING), opened_at?: ms} -> {"id"}; issue_message {issue, from
 * (buyer | seller | admin), text?, created_at?} -> {"id"}; issue_update
 * {id, type?, status?, chat_active?}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define AM_PAGE_MAX 100

struct am_msg {
	char id[40];
	char *text;
	char role[12];   /* BUYER, SELLER, ALLEGRO / ADMIN */
	char type[16];   /* MESSAGE_CENTER, ASK_QUESTION, MAIL */
	char status[12]; /* DELIVERED, VERIFYING, BLOCKED */
	int64_t ms;
	size_t owner; /* index of its thread or issue */
	bool issue;
};

struct am_conv {
	char id[48];
	char buyer[64];
	char type[24];   /* threads: COMMON | POST_PURCHASE_ISSUE; issues: DISPUTE | CLAIM */
	char status[24]; /* issues */
	bool chat_active;
	int64_t opened_ms;
};

struct am {
	struct am_conv *threads, *issues;
	size_t nthreads, cthreads, nissues, cissues;
	struct am_msg *msgs;
	size_t nmsgs, cmsgs;
	uint64_t seq;
};

/* rwfake serves one state at a time: the Message Center is kept here. */
static struct am am;

static void
am_error(struct fake_resp *r, unsigned status, const char *code, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:[{s:s, s:s, s:s, s:n, s:s}]}", "errors", "code", code,
				 "message", msg, "details", "", "path", "userMessage", msg));
}

/* The representation asked for: 1 v1, 2 beta, 0 another (406 answered). */
static int
am_repr(const struct fake_req *req, bool v1_ok, struct fake_resp *resp)
{
	if (req->accept != NULL && strcmp(req->accept, FAKE_ALLEGRO_BETA) == 0)
		return 2;
	if (v1_ok && req->accept != NULL && strcmp(req->accept, FAKE_ALLEGRO_V1) == 0)
		return 1;
	am_error(resp, 406, "NotAcceptableException", "Not acceptable representation");
	return 0;
}

static const char *
am_time(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fake_fmt_ms(ms, buf);
	return buf;
}

/* The newest visible message of conversation i (0: none). */
static int64_t
am_last(size_t i, bool issue, const struct am_msg **last)
{
	int64_t best = 0;

	for (size_t k = 0; k < am.nmsgs; k++) {
		const struct am_msg *m = &am.msgs[k];

		if (m->owner != i || m->issue != issue || strcmp(m->status, "DELIVERED") != 0)
			continue;
		if (m->ms >= best) {
			best = m->ms;
			if (last)
				*last = m;
		}
	}
	return best;
}

static long
am_offset(const struct fake_req *req, const char *name, struct fake_resp *resp)
{
	const char *o = fake_param(req, name);
	long v = o ? strtol(o, NULL, 10) : 0;

	if (o != NULL && (!fake_is_digits(o, 9) || v < 0)) {
		am_error(resp, 422, "VALIDATION_ERROR", "invalid offset");
		return -1;
	}
	return v;
}

/* ---- threads ---- */

static int
am_cmp_desc(const void *a, const void *b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];

	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *
am_thread_json(size_t i, int64_t last, int repr)
{
	const struct am_conv *t = &am.threads[i];
	char at[FAKE_TIME_LEN];
	json_t *o = json_pack("{s:s, s:b, s:s}", "id", t->id, "read", 0, "lastMessageDateTime",
			      am_time(last, at));

	if (repr == 1) {
		json_object_set_new(o, "interlocutor",
				    json_pack("{s:s, s:n}", "login", t->buyer, "avatarUrl"));
		return o;
	}
	json_object_set_new(o, "type", json_string(t->type));
	json_object_set_new(o, "createdAt", json_string(am_time(t->opened_ms, at)));
	json_object_set_new(o, "status", json_string("OPEN"));
	json_object_set_new(o, "participants",
			    json_pack("[{s:s, s:s}, {s:s, s:s}]", "role",
				      strcmp(t->type, "COMMON") == 0 ? "USER" : "BUYER", "login",
				      t->buyer, "role",
				      strcmp(t->type, "COMMON") == 0 ? "USER" : "SELLER", "login",
				      FAKE_ALLEGRO_SELLER_LOGIN));
	return o;
}

static void
am_threads(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	int repr = am_repr(req, true, resp);
	const char *type = fake_param(req, "type"), *page = fake_param(req, "page.id");
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 20, 20);
	long offset;
	int64_t(*v)[2] = NULL;
	size_t n = 0;
	json_t *list;

	if (repr == 0 || (offset = am_offset(req, "offset", resp)) < 0)
		return;
	if (repr == 2 && page != NULL)
		offset = strtol(page, NULL, 10);
	if (am.nthreads > 0 && (v = calloc(am.nthreads, sizeof(*v))) == NULL) {
		am_error(resp, 500, "INTERNAL", "out of memory");
		return;
	}
	for (size_t i = 0; i < am.nthreads; i++) {
		int64_t last = am_last(i, false, NULL);

		if (last == 0)
			continue; /* under moderation: not listed */
		if (repr == 1 && strcmp(am.threads[i].type, "COMMON") != 0)
			continue; /* purchase problems: beta only */
		if (repr == 2 && type != NULL && strcmp(am.threads[i].type, type) != 0)
			continue;
		v[n][0] = last;
		v[n][1] = (int64_t)i;
		n++;
	}
	if (n > 0) /* qsort takes no NULL, even for nothing */
		qsort(v, n, sizeof(*v), am_cmp_desc);
	list = json_array();
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++)
		json_array_append_new(list, am_thread_json((size_t)v[i][1], v[i][0], repr));
	free(v);
	if (repr == 1) {
		fake_resp_json(resp, 200,
			       json_pack("{s:o, s:I, s:I}", "threads", list, "offset",
					 (json_int_t)offset, "limit", (json_int_t)limit));
		return;
	}
	json_t *doc = json_pack("{s:o}", "threads", list);

	if ((size_t)(offset + limit) < n) {
		char *next = fake_sprintf("%ld", offset + limit);

		json_object_set_new(doc, "nextPage", json_pack("{s:s}", "id", next));
		free(next);
	}
	fake_resp_json(resp, 200, doc);
}

static int
am_cmp_msg(const void *a, const void *b)
{
	const struct am_msg *x = *(const struct am_msg *const *)a,
			    *y = *(const struct am_msg *const *)b;

	return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : strcmp(y->id, x->id);
}

static json_t *
am_message_json(const struct am_msg *m, const struct am_conv *t, int repr)
{
	char at[FAKE_TIME_LEN];
	bool buyer = strcmp(m->role, "BUYER") == 0, seller = strcmp(m->role, "SELLER") == 0;
	const char *login = buyer ? t->buyer : seller ? FAKE_ALLEGRO_SELLER_LOGIN : NULL;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?}", "id", m->id, "status", m->status,
			      "type", m->type, "createdAt", am_time(m->ms, at), "text", m->text);

	if (repr == 1) {
		json_object_set_new(o, "thread", json_pack("{s:s}", "id", t->id));
		json_object_set_new(
			o, "author",
			json_pack("{s:s?, s:b}", "login", login, "isInterlocutor", !seller));
	} else {
		const char *role =
			strcmp(t->type, "COMMON") == 0 && (buyer || seller) ? "USER" : m->role;

		json_object_set_new(o, "author",
				    json_pack("{s:s, s:s?}", "role", role, "login", login));
	}
	return o;
}

static void
am_messages(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *page = fake_param(req, "page.id");
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 20, 20);
	const struct am_msg **v = NULL;
	size_t n = 0, t;
	long offset;
	int repr;
	json_t *list, *doc;

	for (t = 0; t < am.nthreads; t++)
		if (strcmp(am.threads[t].id, req->capture) == 0)
			break;
	if (t == am.nthreads) {
		am_error(resp, 404, "NOT_FOUND", "Thread not found");
		return;
	}
	repr = am_repr(req, strcmp(am.threads[t].type, "COMMON") == 0, resp);
	if (repr == 0 || (offset = am_offset(req, "offset", resp)) < 0)
		return;
	if (repr == 2 && page != NULL)
		offset = strtol(page, NULL, 10);
	if (am.nmsgs > 0 && (v = calloc(am.nmsgs, sizeof(*v))) == NULL) {
		am_error(resp, 500, "INTERNAL", "out of memory");
		return;
	}
	for (size_t k = 0; k < am.nmsgs; k++)
		if (!am.msgs[k].issue && am.msgs[k].owner == t)
			v[n++] = &am.msgs[k];
	if (n > 0) /* qsort takes no NULL, even for nothing */
		qsort(v, n, sizeof(*v), am_cmp_msg);
	list = json_array();
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++)
		json_array_append_new(list, am_message_json(v[i], &am.threads[t], repr));
	free(v);
	doc = json_pack("{s:o}", "messages", list);
	if (repr == 1) {
		json_object_set_new(doc, "offset", json_integer(offset));
		json_object_set_new(doc, "limit", json_integer(limit));
	} else if ((size_t)(offset + limit) < n) {
		char *next = fake_sprintf("%ld", offset + limit);

		json_object_set_new(doc, "nextPage", json_pack("{s:s}", "id", next));
		free(next);
	}
	fake_resp_json(resp, 200, doc);
}

/* ---- issues ---- */

static json_t *
am_issue_json(size_t i)
{
	const struct am_conv *s = &am.issues[i];
	const struct am_msg *last = NULL;
	char at[FAKE_TIME_LEN], lt[FAKE_TIME_LEN];
	size_t count = 0;
	json_t *chat;

	for (size_t k = 0; k < am.nmsgs; k++)
		count += am.msgs[k].issue && am.msgs[k].owner == i;
	am_last(i, true, &last);
	chat = json_pack("{s:I}", "messagesCount", (json_int_t)count);
	if (last != NULL)
		json_object_set_new(chat, "lastMessage",
				    json_pack("{s:s, s:s}", "status",
					      strcmp(last->role, "SELLER") == 0 ? "SELLER_REPLIED"
					      : strcmp(last->role, "BUYER") == 0
						      ? "BUYER_REPLIED"
						      : "ALLEGRO_ADVISOR_REPLIED",
					      "createdAt", am_time(last->ms, lt)));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:b}, s:o}", "id", s->id, "type",
			 s->type, "openedDate", am_time(s->opened_ms, at), "buyer", "id",
			 "93975873", "login", s->buyer, "currentState", "status", s->status,
			 "chatActive", s->chat_active, "chat", chat);
}

static int
am_cmp_opened(const void *a, const void *b)
{
	const struct am_conv *x = &am.issues[*(const size_t *)a],
			     *y = &am.issues[*(const size_t *)b];

	return x->opened_ms < y->opened_ms ? 1 : x->opened_ms > y->opened_ms ? -1 : 0;
}

static bool
am_status_wanted(const struct fake_req *req, const char *status)
{
	const char *s = fake_param_nth(req, "status", 0);

	if (s == NULL)
		return true;
	for (size_t i = 0; (s = fake_param_nth(req, "status", i)) != NULL; i++)
		if (strcmp(s, status) == 0)
			return true;
	return false;
}

static void
am_issues(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 10, 100);
	size_t *v = NULL, n = 0;
	long offset;
	json_t *list;

	if (am_repr(req, false, resp) == 0 || (offset = am_offset(req, "offset", resp)) < 0)
		return;
	if (am.nissues > 0 && (v = calloc(am.nissues, sizeof(*v))) == NULL) {
		am_error(resp, 500, "INTERNAL", "out of memory");
		return;
	}
	for (size_t i = 0; i < am.nissues; i++)
		if (am_status_wanted(req, am.issues[i].status))
			v[n++] = i;
	if (n > 0) /* qsort takes no NULL, even for nothing */
		qsort(v, n, sizeof(*v), am_cmp_opened);
	list = json_array();
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++)
		json_array_append_new(list, am_issue_json(v[i]));
	free(v);
	fake_resp_json(resp, 200, json_pack("{s:o, s:I}", "issues", list, "count", (json_int_t)n));
}

static void
am_chat(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 10, 100);
	const struct am_msg **v = NULL;
	size_t n = 0, s;
	long offset;
	json_t *list;

	for (s = 0; s < am.nissues; s++)
		if (strcmp(am.issues[s].id, req->capture) == 0)
			break;
	if (s == am.nissues) {
		am_error(resp, 404, "NOT_FOUND", "Issue not found");
		return;
	}
	if (am_repr(req, false, resp) == 0 || (offset = am_offset(req, "offset", resp)) < 0)
		return;
	if (am.nmsgs > 0 && (v = calloc(am.nmsgs, sizeof(*v))) == NULL) {
		am_error(resp, 500, "INTERNAL", "out of memory");
		return;
	}
	for (size_t k = 0; k < am.nmsgs; k++)
		if (am.msgs[k].issue && am.msgs[k].owner == s)
			v[n++] = &am.msgs[k];
	if (n > 0) /* qsort takes no NULL, even for nothing */
		qsort(v, n, sizeof(*v), am_cmp_msg);
	list = json_array();
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++) {
		char at[FAKE_TIME_LEN];
		const char *login = strcmp(v[i]->role, "BUYER") == 0    ? am.issues[s].buyer
				    : strcmp(v[i]->role, "SELLER") == 0 ? FAKE_ALLEGRO_SELLER_LOGIN
									: NULL;

		json_array_append_new(list, json_pack("{s:s, s:s?, s:[], s:{s:s?, s:s}, s:s}", "id",
						      v[i]->id, "text", v[i]->text, "attachments",
						      "author", "login", login, "role", v[i]->role,
						      "createdAt", am_time(v[i]->ms, at)));
	}
	free(v);
	fake_resp_json(resp, 200, json_pack("{s:o}", "chat", list));
}

void
fake_allegro_msg_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	if (strcmp(req->path, "/messaging/threads") == 0)
		am_threads(st, req, resp);
	else if (strcmp(req->path, "/sale/issues") == 0)
		am_issues(st, req, resp);
	else if (strncmp(req->path, "/messaging/threads/", 19) == 0)
		am_messages(st, req, resp);
	else
		am_chat(st, req, resp);
}

/* ---- control ---- */

static void
am_new_id(char *out, size_t len, const char *prefix)
{
	am.seq++;
	snprintf(out, len, "%s%08llx-4e1a-4b2c-9d3e-%012llx", prefix,
		 (unsigned long long)(am.seq * 2654435761ULL & 0xffffffffULL),
		 (unsigned long long)am.seq);
}

static struct am_conv *
am_add_conv(bool issue, const char *buyer)
{
	struct am_conv **arr = issue ? &am.issues : &am.threads;
	size_t *n = issue ? &am.nissues : &am.nthreads, *cap = issue ? &am.cissues : &am.cthreads;
	struct am_conv *c;

	if (fake_grow((void **)arr, cap, *n, sizeof(**arr)) == -1)
		return NULL;
	c = &(*arr)[(*n)++];
	memset(c, 0, sizeof(*c));
	if (issue)
		am_new_id(c->id, sizeof(c->id), "");
	else
		snprintf(c->id, sizeof(c->id), "T%038llxw", (unsigned long long)++am.seq);
	snprintf(c->buyer, sizeof(c->buyer), "%s", buyer ? buyer : "example-buyer");
	c->opened_ms = fake_now_ms();
	c->chat_active = true;
	return c;
}

static struct am_msg *
am_add_msg(void)
{
	struct am_msg *m;

	if (fake_grow((void **)&am.msgs, &am.cmsgs, am.nmsgs, sizeof(*am.msgs)) == -1)
		return NULL;
	m = &am.msgs[am.nmsgs++];
	memset(m, 0, sizeof(*m));
	am_new_id(m->id, sizeof(m->id), "");
	return m;
}

static bool
am_find(bool issue, const char *id, size_t *at)
{
	size_t n = issue ? am.nissues : am.nthreads;

	for (size_t i = 0; id != NULL && i < n; i++) {
		if (strcmp((issue ? am.issues : am.threads)[i].id, id) == 0) {
			*at = i;
			return true;
		}
	}
	return false;
}

static bool
am_control_thread(json_t *body, struct fake_resp *resp)
{
	const char *buyer, *type;
	struct am_conv *t;

	if (!fake_control_str(body, "buyer", &buyer, resp) ||
	    !fake_control_str(body, "type", &type, resp))
		return true;
	if ((t = am_add_conv(false, buyer)) == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	snprintf(t->type, sizeof(t->type), "%s", type ? type : "COMMON");
	fake_resp_json(resp, 201, json_pack("{s:s}", "id", t->id));
	return true;
}

/* message (a thread's) or issue_message (an issue's chat). */
static bool
am_control_message(json_t *body, bool issue, struct fake_resp *resp)
{
	const char *conv, *from, *text, *type, *status, *buyer;
	size_t at = 0;
	int64_t ms;
	struct am_msg *m;

	if (!fake_control_str(body, issue ? "issue" : "thread", &conv, resp) ||
	    !fake_control_str(body, "from", &from, resp) ||
	    !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_str(body, "type", &type, resp) ||
	    !fake_control_str(body, "status", &status, resp) ||
	    !fake_control_str(body, "buyer", &buyer, resp) || !fake_control_time(body, &ms, resp))
		return true;
	if (conv != NULL ? !am_find(issue, conv, &at) : issue) {
		fake_control_error(resp, 404, issue ? "no such issue" : "no such thread");
		return true;
	}
	if (conv == NULL) {
		struct am_conv *t = am_add_conv(false, buyer);

		if (t == NULL) {
			fake_control_error(resp, 500, "out of memory");
			return true;
		}
		snprintf(t->type, sizeof(t->type), "COMMON");
		at = am.nthreads - 1;
	}
	if ((m = am_add_msg()) == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	m->issue = issue;
	m->owner = at;
	m->ms = ms ? ms : fake_now_ms();
	m->text = text ? strdup(text) : NULL;
	snprintf(m->role, sizeof(m->role), "%s",
		 from == NULL || strcmp(from, "buyer") == 0 ? "BUYER"
		 : strcmp(from, "seller") == 0              ? "SELLER"
		 : issue                                    ? "ADMIN"
							    : "ALLEGRO");
	snprintf(m->type, sizeof(m->type), "%s", type ? type : "MESSAGE_CENTER");
	snprintf(m->status, sizeof(m->status), "%s", status ? status : "DELIVERED");
	fake_resp_json(resp, 201,
		       json_pack("{s:s, s:s}", "id", m->id, issue ? "issue" : "thread",
				 (issue ? am.issues : am.threads)[at].id));
	return true;
}

static bool
am_control_deliver(json_t *body, struct fake_resp *resp)
{
	const char *id;

	if (!fake_control_str(body, "id", &id, resp))
		return true;
	for (size_t k = 0; id != NULL && k < am.nmsgs; k++) {
		if (strcmp(am.msgs[k].id, id) == 0) {
			snprintf(am.msgs[k].status, sizeof(am.msgs[k].status), "DELIVERED");
			fake_resp_json(resp, 200, json_pack("{s:s}", "id", id));
			return true;
		}
	}
	fake_control_error(resp, 404, "no such message");
	return true;
}

static bool
am_control_issue(json_t *body, bool update, struct fake_resp *resp)
{
	const char *buyer, *type, *status, *id;
	const json_t *active = json_object_get(body, "chat_active");
	long opened;
	struct am_conv *s;
	size_t at;

	if (!fake_control_str(body, "buyer", &buyer, resp) ||
	    !fake_control_str(body, "type", &type, resp) ||
	    !fake_control_str(body, "status", &status, resp) ||
	    !fake_control_str(body, "id", &id, resp) ||
	    !fake_control_int(body, "opened_at", 0, &opened, resp))
		return true;
	if (update) {
		if (!am_find(true, id, &at)) {
			fake_control_error(resp, 404, "no such issue");
			return true;
		}
		s = &am.issues[at];
	} else if ((s = am_add_conv(true, buyer)) == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	} else {
		snprintf(s->type, sizeof(s->type), "DISPUTE");
		snprintf(s->status, sizeof(s->status), "DISPUTE_ONGOING");
	}
	if (type != NULL)
		snprintf(s->type, sizeof(s->type), "%s", type);
	if (status != NULL)
		snprintf(s->status, sizeof(s->status), "%s", status);
	if (json_is_boolean(active))
		s->chat_active = json_is_true(active);
	if (opened > 0)
		s->opened_ms = opened;
	fake_resp_json(resp, update ? 200 : 201, json_pack("{s:s}", "id", s->id));
	return true;
}

bool
fake_allegro_msg_control(struct fake_state *st, enum fake_platform p, const char *what,
			 json_t *body, struct fake_resp *resp)
{
	(void)st, (void)p;
	if (strcmp(what, "thread") == 0)
		return am_control_thread(body, resp);
	if (strcmp(what, "message") == 0)
		return am_control_message(body, false, resp);
	if (strcmp(what, "deliver") == 0)
		return am_control_deliver(body, resp);
	if (strcmp(what, "issue") == 0)
		return am_control_issue(body, false, resp);
	if (strcmp(what, "issue_update") == 0)
		return am_control_issue(body, true, resp);
	if (strcmp(what, "issue_message") == 0)
		return am_control_message(body, true, resp);
	return false;
}

json_t *
fake_allegro_msg_state(const struct fake_state *st, enum fake_platform p)
{
	size_t buyers = 0;

	(void)st, (void)p;
	/* What a test counts as the buyers' items a source should track. */
	for (size_t k = 0; k < am.nmsgs; k++)
		buyers += strcmp(am.msgs[k].role, "BUYER") == 0 &&
			  strcmp(am.msgs[k].status, "DELIVERED") == 0;
	return json_pack("{s:I, s:I, s:I, s:I}", "threads", (json_int_t)am.nthreads, "issues",
			 (json_int_t)am.nissues, "messages", (json_int_t)am.nmsgs, "buyer_messages",
			 (json_int_t)buyers);
}

void
fake_allegro_msg_reset(struct fake_state *st, enum fake_platform p)
{
	(void)st, (void)p;
	for (size_t k = 0; k < am.nmsgs; k++)
		free(am.msgs[k].text);
	free(am.msgs);
	free(am.threads);
	free(am.issues);
	uint64_t seq = am.seq; /* ids stay unique across resets */

	memset(&am, 0, sizeof(am));
	am.seq = seq;
}
