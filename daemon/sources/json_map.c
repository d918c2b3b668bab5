/*
 * json_map.c: one answer of a `json` source's list request mapped to items
 * (sources/json_map.h): pure, so the connector, `--try-source`, the unit
 * tests and the fuzzer share it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_map_internal.h"
#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/page.h"
#include "replywatch/utf8.h"

/* What became of one step of mapping an item. */
enum step {
	STEP_OK,
	STEP_REJECTED, /* a failure is recorded: the item is not kept */
	STEP_NOMEM,
};

/* One item being mapped. */
struct entry {
	const struct rw_json_list_spec *spec;
	struct rw_page *page;
	struct rw_json_failures *failures;
	size_t index;    /* in the answer's list */
	const json_t *e; /* the item */
	char id[RW_ITEM_ID_MAX + 1];
	bool has_id;
	struct rw_item item; /* what is being filled in */
	int64_t reply_ms;    /* reply_at's time, 0: none */
};

void
rw_json_failures_clear(struct rw_json_failures *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].reason);
		free(f->items[i].id);
	}
	free(f->items);
	f->items = NULL;
	f->n = 0;
}

/* Records that the item cannot be kept: field (at ptr) failed for why; the
 * page counts it as reason. */
static enum step
reject(struct entry *m, const char *field, const struct rw_jsonptr *ptr, const char *why,
       const char *reason)
{
	struct rw_json_failures *f = m->failures;
	struct rw_json_failure *grown;
	size_t len = strlen(why);
	char *text = malloc(len + 1), *id = NULL;

	if (text == NULL || (m->has_id && (id = strdup(m->id)) == NULL))
		goto nomem;
	/* One line of UTF-8 for logs and --try-source: a quoted part of a
	 * template or pointer may have been cut inside a character. */
	rw_utf8_clean(text, len + 1, why, len);
	if ((grown = realloc(f->items, (f->n + 1) * sizeof(*grown))) == NULL)
		goto nomem;
	f->items = grown;
	if (rw_page_reject(m->page, reason, m->has_id ? m->id : NULL) == -1)
		goto nomem;
	f->items[f->n++] = (struct rw_json_failure){
		.index = m->index,
		.field = field,
		.pointer = ptr != NULL ? ptr->text : NULL,
		.reason = text,
		.id = id,
	};
	return STEP_REJECTED;
nomem:
	free(text);
	free(id);
	return STEP_NOMEM;
}

/* A copy of s into *out; STEP_NOMEM when it fails. */
static enum step
copy(const char *s, char **out)
{
	return (*out = strdup(s)) == NULL ? STEP_NOMEM : STEP_OK;
}

/* An optional id-like field (conversation_id, in_reply_to) into *out. */
static enum step
opt_id(struct entry *m, const char *field, const struct rw_jsonptr *ptr, char **out)
{
	char buf[RW_ITEM_ID_MAX + 1], why[RW_JM_WHY];
	const json_t *v;

	if (!rw_jsonptr_set(ptr) || rw_jm_get(ptr, m->e, &v, why) != RW_JM_OK)
		return STEP_OK;
	switch (rw_jm_id(v, buf, why)) {
	case RW_JM_OK:
		return copy(buf, out);
	case RW_JM_ABSENT:
		return STEP_OK;
	default:
		return reject(m, field, ptr, why, RW_REJECT_BAD_ID);
	}
}

/* An optional string field (text, url) into *out. */
static enum step
opt_string(struct entry *m, const char *field, const struct rw_jsonptr *ptr, char **out)
{
	char why[RW_JM_WHY];
	const json_t *v;
	const char *s;

	if (!rw_jsonptr_set(ptr) || rw_jm_get(ptr, m->e, &v, why) != RW_JM_OK)
		return STEP_OK;
	switch (rw_jm_string(v, &s, why)) {
	case RW_JM_OK:
		return copy(s, out);
	case RW_JM_ABSENT:
		return STEP_OK;
	default:
		return reject(m, field, ptr, why, RW_REJECT_WRONG_TYPE);
	}
}

/* An optional integer field from min to max: 1 with *out set, 0 unset. */
static enum step
opt_int(struct entry *m, const char *field, const struct rw_jsonptr *ptr, int64_t min, int64_t max,
	const char *reason, bool *has, int64_t *out)
{
	char why[RW_JM_WHY];
	const json_t *v;

	if (!rw_jsonptr_set(ptr) || rw_jm_get(ptr, m->e, &v, why) != RW_JM_OK)
		return STEP_OK;
	if (rw_jm_int(v, min, max, out, why) != RW_JM_OK)
		return reject(m, field, ptr, why, reason);
	*has = true;
	return STEP_OK;
}

/* The author: required of the main list's items, optional of replies. */
static enum step
author(struct entry *m)
{
	const struct rw_jsonptr *ptr = &m->spec->fields.author;
	char buf[RW_ITEM_ID_MAX + 1], why[RW_JM_WHY];
	const json_t *v;
	enum rw_jm r;

	if (!rw_jsonptr_set(ptr))
		return STEP_OK;
	r = rw_jm_get(ptr, m->e, &v, why);
	if (r == RW_JM_OK && json_is_string(v)) {
		const char *s = NULL;

		if ((r = rw_jm_string(v, &s, why)) == RW_JM_OK)
			return copy(s, &m->item.author);
	} else if (r == RW_JM_OK) {
		if ((r = rw_jm_id(v, buf, why)) == RW_JM_OK) /* a numeric user id */
			return copy(buf, &m->item.author);
	}
	if (m->spec->replies && r == RW_JM_ABSENT)
		return STEP_OK;
	return reject(m, "author", ptr, why, RW_REJECT_BAD_AUTHOR);
}

/* The url: fields.url, or url_template filled from the item. */
static enum step
url(struct entry *m)
{
	char why[RW_JM_WHY];

	if (m->spec->url_template == NULL)
		return opt_string(m, "url", &m->spec->fields.url, &m->item.url);
	if (rw_json_expand_template(m->spec->url_template, m->e, &m->item.url, why, sizeof(why)) ==
	    0)
		return STEP_OK;
	return strcmp(why, "out of memory") == 0
		       ? STEP_NOMEM
		       : reject(m, "url", NULL, why, RW_REJECT_WRONG_TYPE);
}

/* True when the item is the brand's: the value at brand.pointer (a string,
 * or an integer's decimal text) is one of brand.equals. Without a rule,
 * every item of the replies list is the brand's and none of the main's. */
static bool
is_brand(const struct entry *m)
{
	const struct rw_json_brand *b = &m->spec->brand;
	char buf[RW_ITEM_ID_MAX + 1], why[RW_JM_WHY];
	const json_t *v;
	const char *s;

	if (!rw_jsonptr_set(&b->pointer))
		return m->spec->replies;
	if (rw_jm_get(&b->pointer, m->e, &v, why) != RW_JM_OK)
		return false;
	if (json_is_integer(v) && rw_jm_id(v, buf, why) == RW_JM_OK)
		s = buf;
	else if (json_is_string(v))
		s = json_string_value(v);
	else
		return false;
	for (size_t i = 0; i < b->equals.n; i++) {
		if (strcmp(b->equals.items[i], s) == 0)
			return true;
	}
	return false;
}

/* The id and created_at every item needs (counted into the watermarks
 * when readable, even when the item is not kept). */
static enum step
id_and_time(struct entry *m)
{
	const struct rw_json_fields *f = &m->spec->fields;
	char idwhy[RW_JM_WHY], twhy[RW_JM_WHY];
	enum rw_jm idr, tr;
	const json_t *v;

	if ((idr = rw_jm_get(&f->id, m->e, &v, idwhy)) == RW_JM_OK)
		idr = rw_jm_id(v, m->id, idwhy);
	if ((tr = rw_jm_get(&f->created_at, m->e, &v, twhy)) == RW_JM_OK)
		tr = rw_jm_time(v, m->spec->time_format, &m->item.created_at_ms, twhy);
	m->has_id = idr == RW_JM_OK;
	if (m->has_id && rw_page_note_id(m->page, m->id) == -1)
		return STEP_NOMEM;
	if (tr == RW_JM_OK)
		rw_page_note_time(m->page, m->item.created_at_ms);
	if (idr != RW_JM_OK)
		return reject(m, "id", &f->id, idwhy,
			      idr == RW_JM_ABSENT ? RW_REJECT_NO_ID : RW_REJECT_BAD_ID);
	if (tr != RW_JM_OK)
		return reject(m, "created_at", &f->created_at, twhy, RW_REJECT_BAD_TIME);
	return copy(m->id, &m->item.id);
}

/* The optional fields every kept item may have. */
static enum step
optional_fields(struct entry *m)
{
	const struct rw_json_fields *f = &m->spec->fields;
	enum step s;
	int64_t n = 0;

	if ((s = opt_string(m, "text", &f->text, &m->item.text)) != STEP_OK ||
	    (s = url(m)) != STEP_OK ||
	    (s = opt_id(m, "conversation_id", &f->conversation_id, &m->item.conversation_id)) !=
		    STEP_OK ||
	    (s = opt_int(m, "author_followers", &f->author_followers, 0, INT64_MAX,
			 RW_REJECT_WRONG_TYPE, &m->item.has_followers,
			 &m->item.author_followers)) != STEP_OK ||
	    (s = opt_int(m, "rating", &f->rating, 1, 5, RW_REJECT_BAD_RATING, &m->item.has_rating,
			 &n)) != STEP_OK)
		return s;
	m->item.rating = (int)n;
	if (!m->item.from_brand && m->spec->kind == RW_KIND_REVIEW && !m->item.has_rating)
		return reject(m, "rating", &f->rating, "a review needs a rating of 1 to 5",
			      RW_REJECT_BAD_RATING);
	return STEP_OK;
}

/* A brand item answers in_reply_to, or else its conversation. */
static enum step
brand_reply(struct entry *m)
{
	enum step s;

	m->item.from_brand = true;
	s = opt_id(m, "in_reply_to", &m->spec->fields.in_reply_to, &m->item.in_reply_to);
	if (s != STEP_OK || m->item.in_reply_to != NULL || m->item.conversation_id != NULL)
		return s;
	return reject(m, "in_reply_to", &m->spec->fields.in_reply_to,
		      "the brand's item answers nothing (no in_reply_to, no conversation_id)",
		      RW_REJECT_WRONG_TYPE);
}

/* reply_at: the time the brand answered the item, when it has. */
static enum step
reply_at(struct entry *m)
{
	const struct rw_jsonptr *ptr = &m->spec->reply_at;
	char why[RW_JM_WHY];
	const json_t *v;

	if (!rw_jsonptr_set(ptr) || rw_jm_get(ptr, m->e, &v, why) != RW_JM_OK)
		return STEP_OK;
	if (rw_jm_time(v, m->spec->time_format, &m->reply_ms, why) != RW_JM_OK)
		return reject(m, "reply_at", ptr, why, RW_REJECT_BAD_TIME);
	if (strlen(m->id) + strlen(RW_JSON_REPLY_SUFFIX) > RW_ITEM_ID_MAX)
		return reject(m, "reply_at", ptr, "the id is too long to name its reply",
			      RW_REJECT_BAD_ID);
	return STEP_OK;
}

/* Appends the reply found by reply_at after its item. */
static enum step
append_reply(struct entry *m)
{
	struct rw_item r = {
		.created_at_ms = m->reply_ms,
		.kind = m->item.kind,
		.from_brand = true,
	};
	char id[RW_ITEM_ID_MAX + sizeof(RW_JSON_REPLY_SUFFIX)]; /* reply_at checked the length */

	snprintf(id, sizeof(id), "%s%s", m->id, RW_JSON_REPLY_SUFFIX);
	if (copy(id, &r.id) != STEP_OK || copy(m->id, &r.in_reply_to) != STEP_OK ||
	    (m->item.conversation_id != NULL &&
	     copy(m->item.conversation_id, &r.conversation_id) != STEP_OK) ||
	    rw_page_append(m->page, &r) == -1) {
		rw_item_clear(&r);
		return STEP_NOMEM;
	}
	return STEP_OK;
}

/* Maps the item e at index of the answer. Returns 0, or -1 when memory
 * fails. */
static int
map_entry(const struct rw_json_list_spec *spec, struct rw_page *page,
	  struct rw_json_failures *failures, size_t index, const json_t *e)
{
	struct entry m = {.spec = spec, .page = page, .failures = failures, .index = index, .e = e};
	enum step s;
	bool brand;

	if ((s = id_and_time(&m)) != STEP_OK)
		goto done;
	brand = is_brand(&m);
	if (spec->replies && !brand)
		goto done; /* another's post among the replies: not ours to track */
	m.item.kind = spec->kind;
	m.item.from_brand = brand;
	if ((s = author(&m)) != STEP_OK || (s = optional_fields(&m)) != STEP_OK)
		goto done;
	if (brand)
		s = brand_reply(&m);
	else
		s = reply_at(&m);
	if (s != STEP_OK)
		goto done;
	if (rw_page_append(page, &m.item) == -1)
		s = STEP_NOMEM;
	else if (m.reply_ms > 0)
		s = append_reply(&m);
done:
	rw_item_clear(&m.item);
	return s == STEP_NOMEM ? -1 : 0;
}

/* The paging value of the answer doc (whose list of items is list) into
 * page->next. Returns 0, or -1 with err set. */
static int
paging_value(const struct rw_json_list_spec *spec, const json_t *doc, const json_t *list,
	     struct rw_page *page, char *err, size_t errlen)
{
	const struct rw_json_paging *pg = &spec->paging;
	char buf[RW_ITEM_ID_MAX + 1], why[RW_JM_WHY];
	const char *s = NULL;
	const json_t *v;

	if (pg->type != RW_JSON_PAGING_NEXT_URL && !rw_json_paging_cursor(pg))
		return 0;
	if (pg->type == RW_JSON_PAGING_LAST_ITEM) {
		/* The oldest item of the page names the next one (before=ID). */
		if (json_array_size(list) == 0)
			return 0;
		doc = json_array_get(list, json_array_size(list) - 1);
	}
	if (rw_jm_get(&pg->pointer, doc, &v, why) != RW_JM_OK)
		return 0; /* no next page */
	if (json_is_string(v) && json_string_length(v) == strlen(json_string_value(v)))
		s = json_string_value(v);
	else if (json_is_integer(v) && rw_json_paging_cursor(pg) &&
		 rw_jm_id(v, buf, why) == RW_JM_OK)
		s = buf;
	if (s != NULL && *s == '\0')
		return 0;
	if (s == NULL || !rw_cursor_token_ok(s)) {
		snprintf(err, errlen, "paging pointer %.60s%s: %s", pg->pointer.text,
			 pg->type == RW_JSON_PAGING_LAST_ITEM ? " (last item)" : "",
			 s == NULL ? "neither a string nor an integer"
				   : "not a usable next page (1 to 1024 printable characters, "
				     "no space)");
		return -1;
	}
	if ((page->next = strdup(s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Makes err one line of valid UTF-8 in place: the JSON parser's message
 * quotes bytes of the answer, and a quoted pointer may be cut inside a
 * character. */
static void
clean_err(char *err, size_t errlen)
{
	char copy[512];
	size_t len;

	if (err == NULL || errlen == 0)
		return;
	len = strnlen(err, errlen);
	if (len >= sizeof(copy))
		len = sizeof(copy) - 1;
	memcpy(copy, err, len);
	rw_utf8_clean(err, errlen, copy, len);
}

/* The list of items in doc, or NULL with err set. */
static const json_t *
item_list(const struct rw_json_list_spec *spec, const json_t *doc, char *err, size_t errlen)
{
	char why[RW_JM_WHY];
	const json_t *list = rw_jsonptr_get(&spec->items, doc, why, sizeof(why));

	if (list == NULL) {
		snprintf(err, errlen, "items %.60s: %s", spec->items.text, why);
		return NULL;
	}
	if (json_is_null(list))
		return list; /* an empty answer some APIs give */
	if (!json_is_array(list)) {
		snprintf(err, errlen, "items %.60s: not an array", spec->items.text);
		return NULL;
	}
	if (json_array_size(list) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "items %.60s: more than %d items", spec->items.text,
			 RW_PAGE_MAX_ENTRIES);
		return NULL;
	}
	return list;
}

int
rw_json_map_page(const struct rw_json_list_spec *spec, const char *body, size_t len,
		 struct rw_page *page, struct rw_json_failures *failures, char *err, size_t errlen)
{
	const json_t *list;
	json_error_t jerr;
	json_t *doc;
	size_t n;

	memset(page, 0, sizeof(*page));
	memset(failures, 0, sizeof(*failures));
	if (errlen == 0)
		err = NULL;
	if (len > RW_HTTPC_MAX_RESPONSE) {
		snprintf(err, errlen, "answer larger than %zu bytes", RW_HTTPC_MAX_RESPONSE);
		return -1;
	}
	if ((doc = json_loadb(body != NULL ? body : "", body != NULL ? len : 0, 0, &jerr)) ==
	    NULL) {
		snprintf(err, errlen, "malformed JSON at line %d column %d: %.80s", jerr.line,
			 jerr.column, jerr.text);
		clean_err(err, errlen);
		return -1;
	}
	if ((list = item_list(spec, doc, err, errlen)) == NULL)
		goto fail;
	n = json_array_size(list);
	page->nentries = n;
	/* Newest first on the wire; items go oldest first. */
	for (size_t i = n; i-- > 0;) {
		if (map_entry(spec, page, failures, i, json_array_get(list, i)) == -1) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	/* Failures were found oldest first too: give them in list order. */
	for (size_t i = 0; i < failures->n / 2; i++) {
		struct rw_json_failure t = failures->items[i];

		failures->items[i] = failures->items[failures->n - 1 - i];
		failures->items[failures->n - 1 - i] = t;
	}
	if (paging_value(spec, doc, list, page, err, errlen) == -1)
		goto fail;
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	rw_page_clear(page);
	rw_json_failures_clear(failures);
	clean_err(err, errlen);
	return -1;
}
