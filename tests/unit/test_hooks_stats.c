/*
 * test_hooks_stats: what the daemon remembers of webhooks per source
 * (hooks.h): counters as /status and /metrics show them, and the ids
 * removed lately (a ring per source, forgotten after a day).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/hooks.h"

#define NOW 1780000000000LL

Test(hooks_stats, counts_per_source)
{
	struct rw_hooks *h = rw_hooks_new();
	json_t *o;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cr_assert_not_null(h);
	cr_assert_null(rw_hooks_source_json(h, "fb"));
	rw_hooks_count(h, "fb", RW_HOOK_BAD_SIGNATURE, 1);
	rw_hooks_count(h, "fb", RW_HOOK_BAD_SIGNATURE, 2);
	rw_hooks_count(h, "ig", RW_HOOK_ITEMS, 5);
	cr_assert_eq(rw_hooks_get(h, "fb", RW_HOOK_BAD_SIGNATURE), 3);
	cr_assert_eq(rw_hooks_get(h, "fb", RW_HOOK_ITEMS), 0);
	cr_assert_eq(rw_hooks_get(h, "nosuch", RW_HOOK_ITEMS), 0);
	o = rw_hooks_source_json(h, "ig");
	cr_assert_eq(json_integer_value(json_object_get(o, "items")), 5);
	cr_assert_eq(json_integer_value(json_object_get(o, "bad_signature")), 0);
	json_decref(o);
	out = open_memstream(&text, &len);
	rw_hooks_write_metrics(h, out);
	fclose(out);
	cr_assert_not_null(strstr(text, "replywatch_webhook_requests_total{source=\"fb\","
					"result=\"bad_signature\"} 3\n"));
	cr_assert_not_null(strstr(
		text, "replywatch_webhook_changes_total{source=\"ig\",result=\"items\"} 5\n"));
	free(text);
	rw_hooks_free(h);
}
