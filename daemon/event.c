/*
 * event.c: building EVENT objects.
 */
#include <stdlib.h>

#include "replywatch/clock.h"
#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/event.h"
#include "replywatch/mention.h"

static json_t *
mention_part(const struct rw_mention *m, const struct rw_source_config *src)
{
	json_t *full = rw_mention_to_json(m, src), *part;
	static const char *const keep[] = {"key",  "source", "platform",   "kind",   "id",
					   "url",  "author", "text",       "created_at", "labels",
					   NULL};

	if (full == NULL)
		return NULL;
	part = json_object();
	for (size_t i = 0; part != NULL && keep[i] != NULL; i++) {
		json_t *v = json_object_get(full, keep[i]);

		json_object_set(part, keep[i], v ? v : json_null());
	}
	json_decref(full);
	return part;
}

json_t *
rw_event_for_mention(unsigned type, unsigned level, int64_t due, int64_t at,
		     const struct rw_mention *m, const struct rw_source_config *src,
		     const struct rw_policy_config *policy, struct rw_calendar *cal)
{
	json_t *e = json_object(), *mention = mention_part(m, src);
	int64_t business = cal ? rw_calendar_business_ms(cal, m->created_ms, at)
			       : at - m->created_ms;

	if (e == NULL || mention == NULL) {
		json_decref(e);
		json_decref(mention);
		return NULL;
	}
	json_object_set_new(e, "type", json_string(rw_event_type_name(type)));
	json_object_set_new(e, "at", rw_time_json(at));
	if (due)
		json_object_set_new(e, "due", rw_time_json(due));
	json_object_set_new(e, "mention", mention);
	if (policy != NULL)
		json_object_set_new(e, "policy",
				    json_pack("{s:s, s:I, s:I}", "name", policy->name,
					      "warn_after_seconds", (json_int_t)policy->warn_after,
					      "breach_after_seconds",
					      (json_int_t)policy->breach_after));
	else
		json_object_set_new(e, "policy", json_null());
	json_object_set_new(e, "age_seconds", json_real((double)(at - m->created_ms) / 1000.0));
	json_object_set_new(e, "business_age_seconds", json_real((double)business / 1000.0));
	json_object_set_new(e, "response_seconds",
			    m->has_response ? json_real((double)m->response_ms / 1000.0)
					    : json_null());
	if (level)
		json_object_set_new(e, "level", json_integer(level));
	return e;
}

char *
rw_event_dump(json_t *event)
{
	return json_dumps(event, JSON_COMPACT);
}
