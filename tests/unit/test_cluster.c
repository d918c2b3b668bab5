/*
 * The pure parts of the cluster (cluster.h): rendezvous ranking, instance id
 * validation and the default id.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/cluster.h"

#define NAMES 10000

static const char *const three[] = {"eu-1", "eu-2", "us-1"};

Test(cluster_rank, score_is_sha256_prefix_and_stable)
{
	/* SHA-256("a\0b") begins 59b271ae1bbcb1d3: pinned, so that every
	 * daemon, whatever its version, ranks alike. */
	uint64_t s = rw_cluster_score("a", "b");

	cr_assert_eq(s, 0x59b271ae1bbcb1d3ULL);
	cr_assert_neq(s, rw_cluster_score("b", "a"), "key and id are not interchangeable");
	cr_assert_neq(rw_cluster_score("ab", ""), rw_cluster_score("a", "b"),
		      "the NUL between key and id keeps them apart");
}

Test(cluster_rank, first_does_not_depend_on_the_order_of_ids)
{
	const char *const rev[] = {"us-1", "eu-2", "eu-1"};
	char name[32];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "source-%d", i);
		cr_assert_str_eq(three[rw_cluster_first(name, three, 3)],
				 rev[rw_cluster_first(name, rev, 3)], "%s", name);
	}
}

Test(cluster_rank, spread_over_three_ids_within_ten_percent)
{
	int count[3] = {0};
	char name[32];

	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "brand-%d", i);
		count[rw_cluster_first(name, three, 3)]++;
	}
	for (int k = 0; k < 3; k++)
		cr_expect(count[k] > NAMES / 3 * 0.9 && count[k] < NAMES / 3 * 1.1,
			  "%s ranks first for %d of %d names", three[k], count[k], NAMES);
}

Test(cluster_rank, removing_an_id_moves_only_its_share)
{
	const char *const two[] = {"eu-1", "us-1"}; /* eu-2 gone */
	char name[32];
	int moved = 0;

	for (int i = 0; i < NAMES; i++) {
		const char *before, *after;

		snprintf(name, sizeof(name), "brand-%d", i);
		before = three[rw_cluster_first(name, three, 3)];
		after = two[rw_cluster_first(name, two, 2)];
		if (strcmp(before, "eu-2") != 0)
			cr_assert_str_eq(after, before, "%s moved from a member still there", name);
		else
			moved++;
	}
	cr_expect(moved > NAMES / 3 * 0.9 && moved < NAMES / 3 * 1.1, "moved %d", moved);
}

Test(cluster_rank, adding_an_id_takes_only_from_others_for_itself)
{
	const char *const two[] = {"eu-1", "eu-2"};
	char name[32];

	for (int i = 0; i < NAMES; i++) {
		const char *before, *after;

		snprintf(name, sizeof(name), "brand-%d", i);
		before = two[rw_cluster_first(name, two, 2)];
		after = three[rw_cluster_first(name, three, 3)];
		if (strcmp(after, "us-1") != 0)
			cr_assert_str_eq(after, before, "%s moved between old members", name);
	}
}

Test(cluster_rank, a_tie_goes_to_the_smaller_id)
{
	const char *const same[] = {"b", "a", "b"};

	/* Equal ids score alike: the smaller one, wherever it stands. */
	cr_assert_eq(rw_cluster_first("x", (const char *const[]){"a", "a"}, 2), 0);
	cr_assert_str_eq(same[rw_cluster_first("x", same, 3)],
			 rw_cluster_score("x", "a") >= rw_cluster_score("x", "b") ? "a" : "b");
}

Test(cluster_id, validation)
{
	char max[RW_CLUSTER_ID_MAX + 2];

	cr_assert(rw_cluster_id_valid("eu-1.example_com"));
	cr_assert(rw_cluster_id_valid("a"));
	cr_assert_not(rw_cluster_id_valid(""));
	cr_assert_not(rw_cluster_id_valid(NULL));
	cr_assert_not(rw_cluster_id_valid("a:b"), "':' separates the id from the epoch");
	cr_assert_not(rw_cluster_id_valid("a b"));
	cr_assert_not(rw_cluster_id_valid("é"));
	memset(max, 'a', RW_CLUSTER_ID_MAX);
	max[RW_CLUSTER_ID_MAX] = '\0';
	cr_assert(rw_cluster_id_valid(max));
	max[RW_CLUSTER_ID_MAX] = 'a';
	max[RW_CLUSTER_ID_MAX + 1] = '\0';
	cr_assert_not(rw_cluster_id_valid(max));
}

Test(cluster_id, default_is_hostname_and_port)
{
	char host[256] = "", want[300], buf[RW_CLUSTER_ID_MAX + 1];

	cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
	rw_cluster_default_id(9477, buf, sizeof(buf));
	cr_assert(rw_cluster_id_valid(buf), "%s", buf);
	cr_assert(strlen(buf) > 5 && strcmp(buf + strlen(buf) - 5, "-9477") == 0, "%s", buf);
	snprintf(want, sizeof(want), "%s-9477", host);
	for (char *p = want; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    *p))
			*p = '-';
	if (strlen(want) <= RW_CLUSTER_ID_MAX)
		cr_assert_str_eq(buf, want);
}

Test(cluster_id, default_fits_a_small_buffer_and_keeps_the_port)
{
	char buf[10];

	rw_cluster_default_id(65535, buf, sizeof(buf));
	cr_assert(strlen(buf) <= 9 && strlen(buf) > 6, "%s", buf);
	cr_assert_str_eq(buf + strlen(buf) - 6, "-65535");
	cr_assert(rw_cluster_id_valid(buf));
}

/* A new cluster member (no store, never used) reports itself alone. */
Test(cluster_report, new_member_status_and_metrics)
{
	struct rw_cluster *c = rw_cluster_new(NULL, NULL, "eu-1");
	json_t *st, *members;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(c);
	st = rw_cluster_status_json(c);
	cr_assert_not_null(st);
	cr_assert_str_eq(json_string_value(json_object_get(st, "instance")), "eu-1");
	cr_assert_eq(strlen(json_string_value(json_object_get(st, "epoch"))), 16);
	members = json_object_get(st, "members");
	cr_assert_eq(json_array_size(members), 1);
	cr_assert(json_is_true(json_object_get(json_array_get(members, 0), "self")));
	cr_assert_eq(json_integer_value(json_object_get(st, "owned")), 0);
	json_decref(st);
	cr_assert_not_null(out);
	rw_cluster_write_metrics(c, out);
	cr_assert_eq(fclose(out), 0);
	cr_assert_not_null(strstr(text, "replywatch_cluster_members 1\n"), "%s", text);
	cr_assert_not_null(strstr(text, "replywatch_cluster_owned_sources 0\n"), "%s", text);
	free(text);
	cr_assert(rw_cluster_leads(c, "anything"), "a lone daemon leads everything");
	cr_assert_eq(rw_cluster_role(c, "unknown"), RW_CLUSTER_NONE);
	cr_assert_null(rw_cluster_fence(c, "unknown"));
	cr_assert_str_eq(rw_cluster_instance(c), "eu-1");
	rw_cluster_free(c);
}

Test(cluster_report, invalid_id_makes_no_member)
{
	cr_assert_null(rw_cluster_new(NULL, NULL, "a:b"));
}
