/*
 * trysource.c: replywatchd --try-source (trysource.h). One page of each of
 * the source's lists, fetched with the daemon's HTTP client on a private
 * loop (the same user agent, limits and refusal of redirects as a poll),
 * mapped by the connector's own mapping, printed; nothing stored.
 */
#include <ev.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "replywatch/clock.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/json.h"
#include "replywatch/trysource.h"

/* The answer of one request, copied out of the done callback. */
struct try_answer {
	bool done;
	long status;
	char *body;
	size_t len;
	char error[200];
};

static void
try_done(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct try_answer *a = arg;

	(void)c;
	a->done = true;
	a->status = resp->status;
	if (resp->error != NULL)
		snprintf(a->error, sizeof(a->error), "%s", resp->error);
	if ((a->body = malloc(resp->body_len + 1)) != NULL) {
		memcpy(a->body, resp->body, resp->body_len);
		a->body[resp->body_len] = '\0';
		a->len = resp->body_len;
	}
}

/* Sends url with headers (a POST of body when not NULL); -1 with err when
 * no answer came. */
static int
try_fetch(const char *url, const char *const *headers, const char *body, struct try_answer *a,
	  char *err, size_t errlen)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rw_httpc *h = loop ? rw_httpc_new(loop, "replywatch/" RW_VERSION) : NULL;
	struct rw_httpc_request req = {.method = body ? "POST" : "GET",
				       .url = url,
				       .headers = headers,
				       .body = body,
				       .body_len = body ? strlen(body) : 0};
	int rc = -1;

	if (h == NULL) {
		snprintf(err, errlen, "cannot start the HTTP client");
	} else if (rw_httpc_submit(h, &req, try_done, a) == -1) {
		snprintf(err, errlen, "the request could not be made");
	} else {
		while (!a->done)
			ev_run(loop, EVRUN_ONCE);
		rc = 0;
		if (a->status == 0) {
			snprintf(err, errlen, "no answer: %s", a->error[0] ? a->error : "failed");
			rc = -1;
		} else if (a->body == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	}
	rw_httpc_free(h);
	if (loop != NULL)
		ev_loop_destroy(loop);
	return rc;
}

static json_t *
opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* One item as it would be tracked, as one JSON line. */
static void
print_item(FILE *out, const char *list, const struct rw_item *it)
{
	json_t *o = json_object();
	char *line;

	if (o == NULL)
		return;
	json_object_set_new(o, "list", json_string(list));
	json_object_set_new(o, "id", opt_string(it->id));
	json_object_set_new(o, "kind", opt_string(rw_kind_name(it->kind)));
	json_object_set_new(o, "created_at", rw_time_json(it->created_at_ms));
	json_object_set_new(o, "author", opt_string(it->author));
	json_object_set_new(o, "url", opt_string(it->url));
	json_object_set_new(o, "conversation_id", opt_string(it->conversation_id));
	json_object_set_new(o, "in_reply_to", opt_string(it->in_reply_to));
	json_object_set_new(o, "from_brand", json_boolean(it->from_brand));
	json_object_set_new(o, "rating", it->has_rating ? json_integer(it->rating) : json_null());
	json_object_set_new(o, "followers",
			    it->has_followers ? json_integer(it->author_followers) : json_null());
	json_object_set_new(o, "text", opt_string(it->text));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line != NULL)
		fprintf(out, "%s\n", line);
	free(line);
	json_decref(o);
}

static void
print_failure(FILE *out, const char *list, const struct rw_json_failure *f)
{
	fprintf(out, "# %s: item %zu (id %s) failed: %s at %s: %s\n", list, f->index,
		f->id ? f->id : "-", f->field, f->pointer ? f->pointer : "-", f->reason);
}

/*
 * One list: fetch its first page, map, print. Returns RW_TRY_OK,
 * RW_TRY_ITEM_FAILED or RW_TRY_FETCH.
 */
static int
try_list(const struct rw_config *cfg, struct rw_json_client *c, enum rw_json_which which, FILE *out,
	 FILE *err)
{
	const char *name = which == RW_JSON_ITEMS ? "items" : "replies";
	const struct rw_json_list_spec *list = rw_json_client_list(c, which);
	const char *lines[RW_JSON_HEADERS_MAX + 4];
	const char *const *conf = rw_json_client_headers(c, which);
	int64_t now = rw_now_ms();
	struct rw_json_at at = {.since_ms = now - cfg->retention.backfill * 1000};
	struct rw_json_failures failures = {0};
	struct try_answer a = {0};
	struct rw_page page = {0};
	char msg[300], *url = NULL, *shown = NULL, *body;
	const char *method;
	bool oom, accept = false;
	size_t n = 0, k;
	int rc = RW_TRY_FETCH;

	/* The headers a poll sends (poller_request.c): JSON unless the
	 * source names its own media type, then auth, then its own. */
	for (k = 0; conf != NULL && conf[k] != NULL; k++)
		accept = accept || strncasecmp(conf[k], "Accept:", 7) == 0;
	if (!accept)
		lines[n++] = "Accept: application/json";
	body = rw_json_client_body(c, which, &at, &oom);
	if (body != NULL && *body != '\0')
		lines[n++] = "Content-Type: application/json";
	if (rw_json_client_auth_line(c) != NULL)
		lines[n++] = rw_json_client_auth_line(c);
	for (k = 0; conf != NULL && conf[k] != NULL && k < RW_JSON_HEADERS_MAX; k++)
		lines[n++] = conf[k];
	lines[n] = NULL;
	method = body ? "POST" : "GET";
	if (oom || (url = rw_json_client_url(c, which, &at, msg, sizeof(msg))) == NULL) {
		fprintf(err, "%s: %s\n", name, oom ? "out of memory" : msg);
		free(body);
		return RW_TRY_FETCH;
	}
	shown = rw_json_url_for_log(url);
	if (try_fetch(url, lines, body, &a, msg, sizeof(msg)) == -1) {
		fprintf(err, "%s: %s %s: %s\n", name, method, shown ? shown : "?", msg);
		goto done;
	}
	if (a.status < 200 || a.status > 299) {
		fprintf(out, "# %s: %s %s -> HTTP %ld\n", name, method, shown ? shown : "?",
			a.status);
		fprintf(err, "%s: HTTP %ld\n", name, a.status);
		goto done;
	}
	if (rw_json_map_page(list, a.body, a.len, &page, &failures, msg, sizeof(msg)) == -1) {
		fprintf(out, "# %s: %s %s -> HTTP %ld: unusable answer\n", name, method,
			shown ? shown : "?", a.status);
		fprintf(err, "%s: %s\n", name, msg);
		goto done;
	}
	fprintf(out, "# %s: %s %s -> HTTP %ld: %zu entries, %zu items, %zu failed\n", name, method,
		shown ? shown : "?", a.status, page.nentries, page.nitems, failures.n);
	for (size_t i = 0; i < page.nitems; i++) {
		/* As the poller does: no item later than the answer. */
		if (page.items[i].created_at_ms > now)
			page.items[i].created_at_ms = now;
		print_item(out, name, &page.items[i]);
	}
	for (size_t i = 0; i < failures.n; i++)
		print_failure(out, name, &failures.items[i]);
	rc = failures.n > 0 ? RW_TRY_ITEM_FAILED : RW_TRY_OK;
done:
	rw_json_failures_clear(&failures);
	rw_page_clear(&page);
	rw_json_url_free(url);
	free(body);
	free(shown);
	free(a.body);
	return rc;
}

int
rw_try_source(const struct rw_config *cfg, const char *name, FILE *out, FILE *err)
{
	const struct rw_source_config *src = rw_config_find_source(cfg, name);
	struct rw_json_client *c;
	char msg[200];
	int rc, rc2 = RW_TRY_OK;

	if (src == NULL) {
		fprintf(err, "no source named \"%s\" in %s\n", name, cfg->path);
		return RW_TRY_USAGE;
	}
	if (rw_json_spec_of(src) == NULL) {
		fprintf(err, "%s: --try-source works for json sources only\n", name);
		return RW_TRY_USAGE;
	}
	if ((c = rw_json_client_new(src, msg, sizeof(msg))) == NULL) {
		fprintf(err, "%s: %s\n", name, msg);
		return RW_TRY_FETCH;
	}
	rc = try_list(cfg, c, RW_JSON_ITEMS, out, err);
	if (rw_json_client_list(c, RW_JSON_REPLIES) != NULL)
		rc2 = try_list(cfg, c, RW_JSON_REPLIES, out, err);
	rw_json_client_free(c);
	/* The worse of the two: a fetch failure over failed items. */
	if (rc == RW_TRY_FETCH || rc2 == RW_TRY_FETCH)
		return RW_TRY_FETCH;
	return rc != RW_TRY_OK ? rc : rc2;
}
