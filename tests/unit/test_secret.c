/*
 * test_secret: resolving env:, file:, cred: and literal secret references,
 * constant-time comparison, and that no configuration error ever shows a
 * secret value.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replywatch/config.h"
#include "replywatch/secret.h"

/* The value every leak test plants; no error line may contain it. */
#define SECRET "s3cr3t-VALUE-xyz"

static char tmpdir[64];

static void
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rw-secret-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
remove_tmpdir(void)
{
	char cmd[128];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* Writes len bytes of content to tmpdir/name; returns the path (static). */
static const char *
write_file(const char *name, const char *content, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(content, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* Resolves ref, which must fail with exactly want as the message. */
static void
assert_fails(const char *ref, const char *want)
{
	char err[512] = "";
	struct rw_secret *s = rw_secret_resolve(ref, err, sizeof(err));

	cr_assert_null(s, "%s should not resolve", ref);
	cr_assert_str_eq(err, want);
}

TestSuite(secret, .init = make_tmpdir, .fini = remove_tmpdir);

Test(secret, env)
{
	char err[256];
	struct rw_secret *s;

	setenv("RWT_SECRET_ENV", "abc123", 1);
	s = rw_secret_resolve("env:RWT_SECRET_ENV", err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_str_eq(rw_secret_value(s), "abc123");
	cr_assert_eq(rw_secret_len(s), 6);
	cr_assert_str_eq(rw_secret_origin(s), "env:RWT_SECRET_ENV");
	rw_secret_free(s);
}

Test(secret, env_missing_and_empty)
{
	unsetenv("RWT_SECRET_UNSET");
	assert_fails("env:RWT_SECRET_UNSET", "environment variable RWT_SECRET_UNSET is not set");
	setenv("RWT_SECRET_EMPTY", "", 1);
	assert_fails("env:RWT_SECRET_EMPTY", "environment variable RWT_SECRET_EMPTY is empty");
	assert_fails("env:", "\"env:\" needs the name of an environment variable");
}

Test(secret, file_drops_one_trailing_newline)
{
	static const struct {
		const char *content;
		const char *value;
	} cases[] = {
		{"tok\n", "tok"},
		{"tok\r\n", "tok"},
		{"tok", "tok"},
		{"tok\n\n", "tok\n"},
		{"line1\nline2\n", "line1\nline2"},
		{" spaced \n", " spaced "},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char ref[300], err[256];
		const char *path = write_file("f", cases[i].content, strlen(cases[i].content));
		struct rw_secret *s;

		snprintf(ref, sizeof(ref), "file:%s", path);
		s = rw_secret_resolve(ref, err, sizeof(err));
		cr_assert_not_null(s, "%s", err);
		cr_assert_str_eq(rw_secret_value(s), cases[i].value);
		cr_assert_eq(rw_secret_len(s), strlen(cases[i].value));
		cr_assert_str_eq(rw_secret_origin(s), ref);
		rw_secret_free(s);
	}
}

Test(secret, file_large)
{
	size_t len = 100000;
	char *big = malloc(len + 1), ref[300], err[256];
	struct rw_secret *s;

	cr_assert_not_null(big);
	memset(big, 'k', len);
	big[len] = '\0';
	snprintf(ref, sizeof(ref), "file:%s", write_file("big", big, len));
	s = rw_secret_resolve(ref, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(rw_secret_len(s), len);
	cr_assert_str_eq(rw_secret_value(s), big);
	rw_secret_free(s);
	free(big);
}

Test(secret, file_errors)
{
	char ref[300], want[400];
	const char *path;

	assert_fails("file:/nonexistent/rw-secret", "cannot read /nonexistent/rw-secret: "
						    "No such file or directory");
	snprintf(ref, sizeof(ref), "file:%s", tmpdir);
	snprintf(want, sizeof(want), "cannot read %s: Is a directory", tmpdir);
	assert_fails(ref, want);
	path = write_file("empty", "", 0);
	snprintf(ref, sizeof(ref), "file:%s", path);
	snprintf(want, sizeof(want), "%s is empty", path);
	assert_fails(ref, want);
	path = write_file("newline", "\n", 1);
	snprintf(ref, sizeof(ref), "file:%s", path);
	snprintf(want, sizeof(want), "%s is empty", path);
	assert_fails(ref, want);
	path = write_file("nul", "ab\0cd", 5);
	snprintf(ref, sizeof(ref), "file:%s", path);
	snprintf(want, sizeof(want), "%s holds a NUL byte", path);
	assert_fails(ref, want);
	assert_fails("file:relative/path", "\"file:\" needs an absolute path");
}

Test(secret, cred)
{
	char err[256];
	struct rw_secret *s;

	write_file("x-bearer", "bearer-value\n", 13);
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	s = rw_secret_resolve("cred:x-bearer", err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_str_eq(rw_secret_value(s), "bearer-value");
	cr_assert_str_eq(rw_secret_origin(s), "cred:x-bearer");
	rw_secret_free(s);
}

Test(secret, cred_errors)
{
	char want[400];

	unsetenv("CREDENTIALS_DIRECTORY");
	assert_fails("cred:x-bearer", "credential \"x-bearer\" needs $CREDENTIALS_DIRECTORY (set "
				      "by systemd LoadCredential=)");
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	snprintf(want, sizeof(want),
		 "cannot read credential \"absent\" (%s/absent): No such file or directory",
		 tmpdir);
	assert_fails("cred:absent", want);
	assert_fails("cred:../etc/passwd", "\"cred:\" needs a credential name (a file name, no "
					   "\"/\")");
	assert_fails("cred:..", "\"cred:\" needs a credential name (a file name, no \"/\")");
	assert_fails("cred:", "\"cred:\" needs a credential name (a file name, no \"/\")");
}

Test(secret, literal)
{
	char err[256];
	struct rw_secret *s = rw_secret_resolve("hunter2", err, sizeof(err));

	cr_assert_not_null(s);
	cr_assert_str_eq(rw_secret_value(s), "hunter2");
	cr_assert_eq(rw_secret_len(s), 7);
	cr_assert_str_eq(rw_secret_origin(s), "literal");
	rw_secret_free(s);
	/* Only the exact prefixes are references. */
	s = rw_secret_resolve("ENV:X", err, sizeof(err));
	cr_assert_not_null(s);
	cr_assert_str_eq(rw_secret_value(s), "ENV:X");
	rw_secret_free(s);
	assert_fails("", "must not be empty");
}

Test(secret, from_literal)
{
	struct rw_secret *s = rw_secret_from_literal("abc");

	cr_assert_not_null(s);
	cr_assert_str_eq(rw_secret_value(s), "abc");
	cr_assert_str_eq(rw_secret_origin(s), "literal");
	rw_secret_free(s);
	rw_secret_free(NULL);
}

Test(secret, matches)
{
	struct rw_secret *s = rw_secret_from_literal("correct-token");

	cr_assert(rw_secret_matches(s, "correct-token", 13));
	cr_assert_not(rw_secret_matches(s, "correct-tokem", 13));
	cr_assert_not(rw_secret_matches(s, "Correct-token", 13));
	cr_assert_not(rw_secret_matches(s, "correct-token-and-more", 22));
	cr_assert_not(rw_secret_matches(s, "correct", 7));
	cr_assert_not(rw_secret_matches(s, "", 0));
	/* The length given is what counts, not the NUL. */
	cr_assert(rw_secret_matches(s, "correct-token-and-more", 13));
	cr_assert_not(rw_secret_matches(NULL, "x", 1));
	rw_secret_free(s);
}

Test(secret, equal)
{
	struct rw_secret *a = rw_secret_from_literal("same");
	struct rw_secret *b = rw_secret_from_literal("same");
	struct rw_secret *c = rw_secret_from_literal("diff");
	struct rw_secret *d = rw_secret_from_literal("longer");

	cr_assert(rw_secret_equal(a, b));
	cr_assert_not(rw_secret_equal(a, c));
	cr_assert_not(rw_secret_equal(a, d));
	cr_assert_not(rw_secret_equal(a, NULL));
	cr_assert_not(rw_secret_equal(NULL, a));
	cr_assert(rw_secret_equal(NULL, NULL));
	rw_secret_free(a);
	rw_secret_free(b);
	rw_secret_free(c);
	rw_secret_free(d);
}

/* Replaces ' with " so the documents below read without escapes. */
static char *
json_of(const char *text)
{
	char *s = strdup(text);

	cr_assert_not_null(s);
	for (char *c = s; *c != '\0'; c++) {
		if (*c == '\'')
			*c = '"';
	}
	return s;
}

/*
 * Loads doc, which must fail with at least min_errors lines, none of which
 * may contain SECRET or a piece of it.
 */
static void
assert_no_leak(const char *doc, size_t min_errors)
{
	struct rw_config_errors errs = {0};
	char *text = json_of(doc);
	struct rw_config *cfg = rw_config_load_string(text, "leak.json", &errs);

	cr_assert_null(cfg, "should not load: %s", text);
	cr_assert_geq(errs.n, min_errors, "only %zu errors for %s", errs.n, text);
	for (size_t i = 0; i < errs.n; i++) {
		cr_assert_null(strstr(errs.lines[i], SECRET), "leak: %s", errs.lines[i]);
		cr_assert_null(strstr(errs.lines[i], "s3cr3t"), "leak: %s", errs.lines[i]);
		cr_assert_null(strstr(errs.lines[i], "VALUE"), "leak: %s", errs.lines[i]);
	}
	rw_config_errors_clear(&errs);
	free(text);
}

Test(secret, config_errors_never_show_secrets)
{
	char doc[2048];
	const char *path;

	setenv("RWT_LEAK", SECRET, 1);
	path = write_file("leak.token", SECRET "\n", strlen(SECRET) + 1);
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	write_file("leak-cred", SECRET, strlen(SECRET));

	/* Secrets that resolve fine, next to other errors. */
	snprintf(doc, sizeof(doc),
		 "{'http': {'token': 'env:RWT_LEAK', 'listen': 'nowhere'},"
		 " 'redis': {'password': 'file:%s', 'url': 'redis://redis.internal'},"
		 " 'sources': [{'name': 'm', 'type': 'mastodon', 'token': 'cred:leak-cred',"
		 "  'poll_every': 'soon'},"
		 "  {'name': 'x', 'type': 'x', 'token': '" SECRET "', 'page_id': '1'}],"
		 " 'alerts': [{'name': 'a', 'format': 'slack', 'url': 'env:RWT_LEAK'},"
		 "  {'name': 'b', 'format': 'slack', 'url': '" SECRET "',"
		 "   'secret': '" SECRET "'},"
		 "  {'name': 'c', 'format': 'json', 'url': 'https://h/" SECRET "',"
		 "   'routing_key': '" SECRET "'},"
		 "  {'name': 'd', 'format': 'teams', 'url': '" SECRET "'}]}",
		 path);
	assert_no_leak(doc, 9);

	/* A password inside the Redis URL, in every way the URL can be wrong. */
	assert_no_leak("{'redis': {'url': 'redis://:" SECRET "@redis.internal:6379/0'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://user:" SECRET "@127.0.0.1:70000/0'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://user:" SECRET "@127.0.0.1:6379/99'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://:" SECRET "@127.0.0.1/0?x=1'}}", 1);
	assert_no_leak("{'redis': {'url': 'rediss://:" SECRET "@127.0.0.1'}}", 1);
	assert_no_leak("{'redis': {'url': 'http://:" SECRET "@127.0.0.1'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://:" SECRET "%zz@127.0.0.1'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://:s3/cr@3t-VALUE-xyz@host.name'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://:" SECRET " @127.0.0.1'}}", 1);
	assert_no_leak("{'redis': {'url': 'unix://:" SECRET "@/run/redis.sock'}}", 1);
	assert_no_leak("{'redis': {'url': 'redis://:" SECRET "@127.0.0.1',"
		       " 'password': 'env:RWT_LEAK'}}",
		       1);

	/* A fine file secret, and a bad URL whose password is that same value. */
	snprintf(doc, sizeof(doc),
		 "{'http': {'token': 'file:%s'},"
		 " 'redis': {'url': 'redis://admin:" SECRET "@db.example:6379/0'}}",
		 path);
	assert_no_leak(doc, 1);

	/* Credentials by mistake in non-secret URLs. */
	assert_no_leak("{'sources': [{'name': 'm', 'type': 'mastodon', 'token': 't',"
		       " 'base_url': 'ftp://u:" SECRET "@host'}]}",
		       1);
	assert_no_leak("{'sources': [{'name': 'j', 'type': 'json', 'token': 'env:RWT_LEAK',"
		       " 'base_url': 'https://u:" SECRET "@h ost', 'items': 'bad',"
		       " 'fields': {}}]}",
		       4);
	/* The json type's secrets (auth) and URLs (request, url_template) next to
	 * other problems. */
	assert_no_leak("{'sources': [{'name': 'j', 'type': 'json', 'base_url': 'https://h',"
		       " 'auth': {'type': 'basic', 'username': 'env:RWT_LEAK', 'password': '" SECRET
		       "', 'token': 'x'},"
		       " 'request': {'url': 'https://u:" SECRET
		       "@h/x', 'headers': {'X-Key': '" SECRET
		       "\\n'}}, 'url_template': 'ftp://u:" SECRET "@h',"
		       " 'items': 'bad', 'fields': {}}]}",
		       8);
	/* Wrong JSON types of secret keys say the type, not the value. */
	assert_no_leak("{'http': {'token': ['" SECRET "']}}", 1);
}
