/*
 * replywatchd's command line: --version, --check-config (exit codes, one line
 * per problem naming the JSON path, secrets resolved but never printed), and
 * a start-up that refuses an invalid file.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "rwtest.h"

static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
}

static void
teardown(void)
{
	rwt_tmpdir_remove(dir);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

static int
run_daemon(const char *a1, const char *a2, const char *a3, char **out)
{
	char *argv[] = {RW_DAEMON_PATH, (char *)a1, (char *)a2, (char *)a3, NULL};

	return rwt_run(argv, out);
}

static int
count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

Test(cli, version)
{
	char *out;

	cr_assert_eq(run_daemon("--version", NULL, NULL, &out), 0);
	cr_assert_str_eq(out, "replywatchd " RW_VERSION "\n");
	free(out);
}

Test(cli, check_config_accepts_a_valid_file)
{
	char *path = rwt_write_file(dir, "ok.json",
				    "{ \"sources\": [ { \"name\": \"p\", \"type\": \"push\", "
				    "\"token\": \"file:/dev/null-not-used\" } ] }");
	char *out;

	/* The token file does not exist: the check resolves secrets like start-up does. */
	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 1);
	cr_assert_not_null(strstr(out, "sources[0].token"), "%s", out);
	free(out);
	free(path);

	char *token = rwt_write_file(dir, "push.token", "push-SECRET\n");
	char *text;
	cr_assert(asprintf(&text,
			   "{ \"sources\": [ { \"name\": \"p\", \"type\": \"push\", "
			   "\"token\": \"file:%s\" } ] }",
			   token) > 0);
	path = rwt_write_file(dir, "ok.json", text);
	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 0);
	cr_assert_str_eq(out, "configuration OK\n");
	free(out);
	free(text);
	free(token);
	free(path);
}

Test(cli, check_config_reports_every_problem_with_its_path)
{
	char *path = rwt_write_file(
		dir, "bad.json",
		"{\n"
		"  \"redis\": { \"url\": \"redis://cache.internal:6379/0\" },\n"
		"  \"http\": { \"listen\": \"127.0.0.1:9477\", \"tokn\": \"x\" },\n"
		"  \"sources\": [ { \"name\": \"a\", \"type\": \"push\", \"token\": \"t\" },\n"
		"               { \"name\": \"b\", \"type\": \"mastodon\", \"token\": \"t\",\n"
		"                 \"base_url\": \"https://m.example\", \"poll_every\": \"5 "
		"minutes\" }"
		" ],\n"
		"  \"policies\": [ { \"name\": \"p\", \"breach_after\": \"1h\", \"calendar\": "
		"\"nope\" } ]\n"
		"}\n");
	char *out;

	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 1);
	cr_assert_not_null(strstr(out, "redis.url: "), "%s", out);
	cr_assert_not_null(strstr(out, "http.tokn: unknown key"), "%s", out);
	cr_assert_not_null(
		strstr(out, "sources[1].poll_every: \"5 minutes\" is not a duration (use 90s, 5m, "
			    "1h30m)"),
		"%s", out);
	cr_assert_not_null(strstr(out, "policies[0].calendar: unknown calendar \"nope\""), "%s",
			   out);
	cr_assert_eq(count_lines(out), 4, "exactly one line per problem:\n%s", out);
	free(out);
	free(path);
}

/* The json type's configuration is checked whole: every pointer's syntax,
 * each mistake on its own line with its JSON path and the token at fault. */
Test(cli, check_config_names_json_source_mistakes)
{
	char *path = rwt_write_file(
		dir, "json.json",
		"{ \"sources\": [ { \"name\": \"forum\", \"type\": \"json\",\n"
		"  \"base_url\": \"https://forum.example.com\",\n"
		"  \"request\": { \"url\": \"/posts.json?before={cursor}\" },\n"
		"  \"items\": \"latest_posts\",\n"
		"  \"fields\": { \"id\": \"/id\", \"created_at\": \"/a/~2\", \"author\": "
		"\"/username\" },\n"
		"  \"paging\": { \"type\": \"cursor\", \"pointer\": \"/next\" } } ] }\n");
	char *out;

	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 1);
	cr_assert_not_null(strstr(out, "sources[0].items: \"latest_posts\": does not start with "
				       "\"/\""),
			   "%s", out);
	cr_assert_not_null(strstr(out, "sources[0].fields.created_at: \"/a/~2\": bad escape "
				       "\"~2\" at token 2"),
			   "%s", out);
	cr_assert_eq(count_lines(out), 2, "exactly one line per problem:\n%s", out);
	free(out);
	free(path);

	path = rwt_write_file(
		dir, "json.json",
		"{ \"sources\": [ { \"name\": \"forum\", \"type\": \"json\",\n"
		"  \"base_url\": \"https://forum.example.com\",\n"
		"  \"request\": { \"url\": \"/posts.json?before={cursor}\" },\n"
		"  \"items\": \"/latest_posts\",\n"
		"  \"fields\": { \"id\": \"/id\", \"created_at\": \"/a/~0\", \"author\": "
		"\"/username\" },\n"
		"  \"paging\": { \"type\": \"cursor\", \"pointer\": \"/next\" } } ] }\n");
	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 0);
	cr_assert_str_eq(out, "configuration OK\n");
	free(out);
	free(path);
}

Test(cli, check_config_reports_json_syntax_with_line_and_column)
{
	char *path = rwt_write_file(dir, "syntax.json", "{\n  \"redis\": {\n    \"url\": ,\n");
	char *out;

	cr_assert_eq(run_daemon("--check-config", "-c", path, &out), 1);
	cr_assert_not_null(strstr(out, "syntax.json:3:"), "%s", out);
	free(out);
	free(path);
}

Test(cli, check_config_names_a_missing_file)
{
	char *out;

	cr_assert_eq(run_daemon("--check-config", "-c", "/nonexistent/replywatch.json", &out), 1);
	cr_assert_not_null(strstr(out, "/nonexistent/replywatch.json"), "%s", out);
	cr_assert_not_null(strstr(out, "No such file"), "%s", out);
	free(out);
}

Test(cli, start_refuses_an_invalid_file)
{
	char *path = rwt_write_file(dir, "bad.json", "{ \"retention\": { \"closed\": \"0s\" } }");
	char *out;

	cr_assert_eq(run_daemon("-c", path, NULL, &out), 1);
	cr_assert_not_null(strstr(out, "retention.closed"), "%s", out);
	cr_assert_not_null(strstr(out, "cannot start"), "%s", out);
	free(out);
	free(path);
}

Test(cli, rejects_unknown_arguments)
{
	char *out;

	cr_assert_eq(run_daemon("--frobnicate", NULL, NULL, &out), 2);
	cr_assert_not_null(strstr(out, "usage:"), "%s", out);
	free(out);
}
