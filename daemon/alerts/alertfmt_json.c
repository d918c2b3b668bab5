/*
 * alertfmt_json.c: the "json" format, {"version":1,"events":[EVENT,...]}.
 * The events go out as they are, in the order given, once each has been
 * checked to be an event the other formats could read too.
 */
#include <stdio.h>

#include "replywatch/alertfmt.h"

#include "alerts/alertfmt_internal.h"

#define JSON_VERSION 1

char *
rw_alertfmt_json(const json_t *events, char *err, size_t errlen)
{
	json_t *body = NULL, *list = NULL;
	char *text = NULL;

	if (rw_af_check_events(events, err, errlen) == -1)
		return NULL;
	if ((body = json_object()) == NULL || (list = json_deep_copy(events)) == NULL ||
	    json_object_set_new(body, "version", json_integer(JSON_VERSION)) == -1 ||
	    json_object_set(body, "events", list) == -1 ||
	    (text = json_dumps(body, JSON_COMPACT)) == NULL)
		rw_af_err(err, errlen, "out of memory");
	json_decref(list);
	json_decref(body);
	return text;
}
