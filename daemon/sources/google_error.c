/*
 * google_error.c: Google's {"error": {"code", "status", ...}} envelope.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/page.h"
#include "replywatch/sources/google_error.h"

/* A status worth keeping: what Google writes (google.rpc.Code names). */
static bool
status_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

	return n > 0 && n <= RW_GOOGLE_STATUS_MAX && s[n] == '\0';
}

int
rw_google_parse_error(const char *body, size_t len, struct rw_google_error *out)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, NULL, 0);
	const json_t *error = json_object_get(doc, "error");
	const json_t *code = json_object_get(error, "code");
	const char *status = rw_page_str(error, "status");

	memset(out, 0, sizeof(*out));
	if (json_is_integer(code) && json_integer_value(code) >= 100 &&
	    json_integer_value(code) <= 599)
		out->code = (int)json_integer_value(code);
	if (status != NULL && status_valid(status))
		snprintf(out->status, sizeof(out->status), "%s", status);
	json_decref(doc);
	return out->code != 0 || out->status[0] != '\0' ? 0 : -1;
}

enum rw_google_error_kind
rw_google_error_kind(const struct rw_google_error *err)
{
	static const struct {
		const char *status;
		int code;
		enum rw_google_error_kind kind;
	} known[] = {
		{"RESOURCE_EXHAUSTED", 429, RW_GOOGLE_ERROR_RATE_LIMITED},
		{"UNAUTHENTICATED", 401, RW_GOOGLE_ERROR_AUTH},
		{"PERMISSION_DENIED", 403, RW_GOOGLE_ERROR_DENIED},
		{"NOT_FOUND", 404, RW_GOOGLE_ERROR_NOT_FOUND},
	};
	size_t n = sizeof(known) / sizeof(known[0]);

	for (size_t i = 0; i < n; i++)
		if (strcmp(err->status, known[i].status) == 0)
			return known[i].kind;
	for (size_t i = 0; i < n; i++)
		if (err->code == known[i].code)
			return known[i].kind;
	return RW_GOOGLE_ERROR_OTHER;
}
