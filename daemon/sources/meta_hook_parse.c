/*
 * meta_hook_parse.c: a Meta webhook delivery (Page "feed", Instagram
 * "comments" and "mentions") into items, removals and counts
 * (meta_hook.h). Pure: the JSON in, a struct rw_hook_batch out.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/hooks.h"
#include "replywatch/item.h"
#include "replywatch/sources/meta_hook.h"
#include "replywatch/utf8.h"

#define FB_URL "https://www.facebook.com/"
#define UNKNOWN_AUTHOR "unknown"
#define AUTHOR_MAX 256

/* What one change says, before it becomes an item or a removal. */
struct meta_change {
	const char *id;
	const char *conversation_id;
	const char *author_id;
	const char *author;
	const char *text;
	const char *in_reply_to; /* set for a brand reply */
	const char *url_post;    /* facebook: the post of the link */
	const char *url_comment; /* facebook: the comment of the link, or NULL */
	unsigned kind;
	int64_t created_ms;
	bool from_brand;
	bool remove;
	char queue; /* an Instagram mention: its kind letter, to read it by id */
};

static void meta_unusable(struct rw_hook_batch *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
meta_unusable(struct rw_hook_batch *out, const char *fmt, ...)
{
	char raw[sizeof(out->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Ids and field names come from the body: keep the log line clean. */
	rw_utf8_clean(out->why, sizeof(out->why), raw, strlen(raw));
	out->unusable++;
}

/* A string member, or NULL when absent or not a string. */
static const char *
meta_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Unix seconds (or ms when over 10^11) of a number or digit string; 0 when
 * not given. */
static int64_t
meta_time_ms(const json_t *v)
{
	json_int_t n = 0;

	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) > 0 && json_real_value(v) < 1e15)
		n = (json_int_t)json_real_value(v); /* anything larger cannot convert */
	else if (json_is_string(v))
		n = strtoll(json_string_value(v), NULL, 10);
	if (n <= 0)
		return 0;
	return n > 100000000000LL ? (int64_t)n : (int64_t)n * 1000;
}

/* A copy of text cleaned to valid UTF-8 and cut to max bytes. */
static char *
meta_clean_text(const char *text, size_t max)
{
	size_t len = strlen(text), cap = (len < max ? len : max) + 1;
	char *out = malloc(cap);

	if (out != NULL)
		rw_utf8_clean(out, cap, text, len);
	return out;
}

static char *
meta_url(const struct meta_change *c)
{
	const char *part;
	char *url = NULL;

	if (c->url_post == NULL)
		return NULL;
	if (c->url_comment == NULL) {
		if (asprintf(&url, FB_URL "%s", c->url_post) < 0)
			return NULL;
		return url;
	}
	/* "POSTID_COMMENTID": the link takes the comment's own part. */
	part = strrchr(c->url_comment, '_');
	part = part ? part + 1 : c->url_comment;
	if (asprintf(&url, FB_URL "%s?comment_id=%s", c->url_post, part) < 0)
		return NULL;
	return url;
}

/* The name to show: the name or username, else the id, else "unknown". */
static const char *
meta_author(const struct meta_change *c)
{
	if (c->author != NULL && c->author[0] != '\0')
		return c->author;
	if (c->author_id != NULL && c->author_id[0] != '\0')
		return c->author_id;
	return UNKNOWN_AUTHOR;
}

/* Appends c to out as an item or a removal. 0, or -1 on allocation failure. */
static int
meta_take(struct rw_hook_batch *out, const struct meta_change *c, int64_t received_ms)
{
	struct rw_item *grown, *it;

	if (c->queue != '\0') {
		struct rw_queued *q = realloc(out->queued, (out->nqueued + 1) * sizeof(*q));

		if (q == NULL)
			return -1;
		out->queued = q;
		q = &q[out->nqueued];
		memset(q, 0, sizeof(*q));
		q->kind = c->queue;
		q->received_ms = received_ms;
		out->nqueued++; /* counted now so that clear frees a half-built one */
		if ((q->id = strdup(c->id)) == NULL ||
		    (c->conversation_id != NULL &&
		     (q->conversation_id = strdup(c->conversation_id)) == NULL))
			return -1;
		return 0;
	}
	if (c->remove) {
		char **ids = realloc(out->removed, (out->nremoved + 1) * sizeof(*ids));

		if (ids == NULL)
			return -1;
		out->removed = ids;
		if ((ids[out->nremoved] = strdup(c->id)) == NULL)
			return -1;
		out->nremoved++;
		return 0;
	}
	grown = realloc(out->items, (out->nitems + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	out->items = grown;
	it = &grown[out->nitems];
	memset(it, 0, sizeof(*it));
	it->created_at_ms =
		c->created_ms > 0 && c->created_ms < received_ms ? c->created_ms : received_ms;
	it->kind = c->kind;
	it->from_brand = c->from_brand;
	it->id = strdup(c->id);
	it->author = meta_clean_text(meta_author(c), AUTHOR_MAX);
	it->text = c->text ? strdup(c->text) : NULL; /* JSON text: valid UTF-8 */
	it->url = meta_url(c);
	it->conversation_id = c->conversation_id ? strdup(c->conversation_id) : NULL;
	it->in_reply_to = c->in_reply_to ? strdup(c->in_reply_to) : NULL;
	out->nitems++; /* counted now so that clear frees a half-built item */
	if (it->id == NULL || it->author == NULL || (c->text && it->text == NULL) ||
	    (c->url_post && it->url == NULL) || (c->conversation_id && !it->conversation_id) ||
	    (c->in_reply_to && it->in_reply_to == NULL))
		return -1;
	return 0;
}

/* Checks the optional id field key of value: absent is fine (NULL), a
 * malformed one makes the change unusable (returns false). */
static bool
meta_opt_id(const json_t *value, const char *key, const char **out, struct rw_hook_batch *b)
{
	json_t *v = json_object_get(value, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!rw_meta_id_valid(json_string_value(v))) {
		meta_unusable(b, "%s is not a Graph id", key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* A Page "feed" change into c; false when it is ignored or unusable
 * (counted). */
static bool
meta_feed_change(const json_t *value, const char *brand_id, struct meta_change *c,
		 struct rw_hook_batch *out)
{
	const char *item = meta_str(value, "item"), *verb = meta_str(value, "verb");
	const char *post_id, *comment_id, *parent_id;
	const json_t *from = json_object_get(value, "from");
	bool comment;

	if (item == NULL || verb == NULL) {
		meta_unusable(out, "feed change without item or verb");
		return false;
	}
	comment = strcmp(item, "comment") == 0;
	if (!comment && strcmp(item, "post") != 0 && strcmp(item, "status") != 0 &&
	    strcmp(item, "photo") != 0 && strcmp(item, "video") != 0 &&
	    strcmp(item, "share") != 0) {
		out->ignored++; /* reaction, like, event, ... */
		return false;
	}
	if (strcmp(verb, "add") != 0 && strcmp(verb, "edited") != 0 &&
	    strcmp(verb, "remove") != 0) {
		out->ignored++; /* hide, unhide, block, ... */
		return false;
	}
	if (!meta_opt_id(value, "post_id", &post_id, out) ||
	    !meta_opt_id(value, "comment_id", &comment_id, out) ||
	    !meta_opt_id(value, "parent_id", &parent_id, out))
		return false;
	c->id = comment ? comment_id : post_id;
	if (c->id == NULL) {
		meta_unusable(out, "feed %s change without its %s", item,
			      comment ? "comment_id" : "post_id");
		return false;
	}
	c->remove = strcmp(verb, "remove") == 0;
	c->author_id = meta_str(from, "id");
	c->author = meta_str(from, "name");
	c->text = meta_str(value, "message");
	c->created_ms = meta_time_ms(json_object_get(value, "created_time"));
	c->conversation_id = post_id;
	c->url_post = post_id;
	c->url_comment = comment ? comment_id : NULL;
	c->kind = comment ? RW_KIND_COMMENT : RW_KIND_MENTION;
	c->from_brand = c->author_id != NULL && strcmp(c->author_id, brand_id) == 0;
	if (c->from_brand && !c->remove) {
		if (!comment) {
			out->ignored++; /* the Page's own post answers nobody */
			return false;
		}
		c->in_reply_to = parent_id ? parent_id : post_id;
		if (c->in_reply_to == NULL) {
			meta_unusable(out, "brand comment without parent_id or post_id");
			return false;
		}
	}
	return true;
}

/* An Instagram "comments" or "mentions" change into c. */
static bool
meta_ig_change(const char *field, const json_t *value, const char *brand_id, struct meta_change *c,
	       struct rw_hook_batch *out)
{
	const json_t *from = json_object_get(value, "from");
	const char *id, *media_id, *parent_id;

	if (strcmp(field, "mentions") == 0) {
		if (!meta_opt_id(value, "comment_id", &id, out) ||
		    !meta_opt_id(value, "media_id", &media_id, out))
			return false;
		c->id = id ? id : media_id;
		c->conversation_id = media_id;
		c->kind = RW_KIND_MENTION;
		/* Ids only: the connector reads the rest (hookstore.h). */
		c->queue = id ? RW_META_QUEUED_COMMENT : RW_META_QUEUED_MEDIA;
		if (c->id == NULL) {
			meta_unusable(out, "mentions change without comment_id or media_id");
			return false;
		}
		return true;
	}
	if (strcmp(field, "comments") != 0) {
		out->ignored++;
		return false;
	}
	if (!meta_opt_id(value, "id", &id, out) ||
	    !meta_opt_id(value, "parent_id", &parent_id, out))
		return false;
	media_id = meta_str(json_object_get(value, "media"), "id");
	if (id == NULL || (media_id != NULL && !rw_meta_id_valid(media_id))) {
		meta_unusable(out, "comments change without a valid id or media.id");
		return false;
	}
	c->id = id;
	c->conversation_id = media_id;
	c->kind = RW_KIND_COMMENT;
	c->author_id = meta_str(from, "id");
	c->author = meta_str(from, "username");
	c->text = meta_str(value, "text");
	c->from_brand = c->author_id != NULL && strcmp(c->author_id, brand_id) == 0;
	if (c->from_brand) {
		if (parent_id == NULL) {
			out->ignored++; /* the brand commenting on its own media */
			return false;
		}
		c->in_reply_to = parent_id;
	}
	return true;
}

/* One change of an entry. -1 only on allocation failure. */
static int
meta_change(const json_t *change, enum rw_meta_object object, const char *brand_id,
	    int64_t entry_ms, int64_t received_ms, struct rw_hook_batch *out)
{
	const char *field = meta_str(change, "field");
	const json_t *value = json_object_get(change, "value");
	struct meta_change c = {0};
	bool ok;

	if (field == NULL || !json_is_object(value)) {
		meta_unusable(out, "change without field or value object");
		return 0;
	}
	if (object == RW_META_PAGE) {
		if (strcmp(field, "feed") != 0) {
			out->ignored++;
			return 0;
		}
		ok = meta_feed_change(value, brand_id, &c, out);
	} else {
		ok = meta_ig_change(field, value, brand_id, &c, out);
	}
	if (!ok)
		return 0;
	if (c.created_ms == 0)
		c.created_ms = entry_ms;
	return meta_take(out, &c, received_ms);
}

/* One entry: its changes, when it is the brand's. -1 on allocation failure. */
static int
meta_entry(const json_t *entry, enum rw_meta_object object, const char *brand_id,
	   int64_t received_ms, struct rw_hook_batch *out)
{
	const char *id = meta_str(entry, "id");
	const json_t *changes = json_object_get(entry, "changes"), *change;
	int64_t entry_ms = meta_time_ms(json_object_get(entry, "time"));
	size_t i;

	if (!json_is_object(entry)) {
		meta_unusable(out, "an entry that is not an object");
		return 0;
	}
	if (id == NULL || brand_id == NULL || strcmp(id, brand_id) != 0) {
		/* Another Page or account subscribed to the same app. */
		meta_unusable(out, "entry for account %.40s, not this source's",
			      id ? id : "(none)");
		return 0;
	}
	if (changes == NULL && json_object_get(entry, "field") != NULL)
		return meta_change(entry, object, brand_id, entry_ms, received_ms, out);
	if (!json_is_array(changes)) {
		meta_unusable(out, "entry without changes");
		return 0;
	}
	json_array_foreach(changes, i, change)
	{
		if (meta_change(change, object, brand_id, entry_ms, received_ms, out) == -1)
			return -1;
	}
	return 0;
}

/* One {"object", "entry"} delivery. -1 on allocation failure. */
static int
meta_delivery(const json_t *d, enum rw_meta_object object, const char *brand_id,
	      int64_t received_ms, struct rw_hook_batch *out)
{
	const char *want = object == RW_META_PAGE ? "page" : "instagram";
	const char *got = meta_str(d, "object");
	const json_t *entries = json_object_get(d, "entry"), *entry;
	size_t i;

	if (got == NULL || strcmp(got, want) != 0 || !json_is_array(entries)) {
		meta_unusable(out, "a delivery for object %.20s, not %s", got ? got : "(none)",
			      want);
		return 0;
	}
	json_array_foreach(entries, i, entry)
	{
		if (meta_entry(entry, object, brand_id, received_ms, out) == -1)
			return -1;
	}
	return 0;
}

int
rw_meta_hook_parse(const char *body, size_t len, enum rw_meta_object object, const char *brand_id,
		   int64_t received_ms, struct rw_hook_batch *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr), *d;
	int rc = 0;
	size_t i;

	if (root == NULL || !(json_is_object(root) || json_is_array(root))) {
		snprintf(err, errlen, "not a JSON delivery%s", root ? "" : ": invalid JSON");
		json_decref(root);
		return -1;
	}
	if (json_is_object(root)) {
		rc = meta_delivery(root, object, brand_id, received_ms, out);
	} else {
		json_array_foreach(root, i, d)
		{
			if ((rc = meta_delivery(d, object, brand_id, received_ms, out)) == -1)
				break;
		}
	}
	json_decref(root);
	if (rc == -1) {
		rw_hook_batch_clear(out);
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}
