/*
 * The dashboard (GET /) in a real headless Chromium against a running
 * daemon with pushed traffic: the page loads under its CSP with no console
 * errors, the charts are drawn with the daemon's figures (the DOM holds the
 * SVG bars and lines with their numbers), platform text stays text, and a
 * screenshot (wide and narrow) is written to BUILD/test-output/. Plus GET
 * /dashboard/data itself: its numbers, its queue samples and its token rule.
 *
 * Chromium is the Debian package `chromium` (scripts/install-deps.sh); the
 * test fails, not skips, when it is missing.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtest.h"

#define CHROMIUM "/usr/bin/chromium"

static struct rwt_stack s;

static void
setup(void)
{
	rwt_stack_up(&s, false);
	s.daemon.test_clock = true;
}

static void
teardown(void)
{
	rwt_stack_down(&s);
}

TestSuite(dashboard, .init = setup, .fini = teardown, .timeout = 120);

/* shop (brand acme) under "social" (warn 30 s, breach 1 m); forum (brand
 * beta) under "email" (warn 1 h, breach 4 h). */
#define SECTIONS                                                                                   \
	",'policies': ["                                                                           \
	" {'name': 'social', 'match': {'sources': ['shop']}, 'warn_after': '30s',"                 \
	"  'breach_after': '60s'},"                                                                \
	" {'name': 'email', 'match': {'sources': ['forum']}, 'warn_after': '1h',"                  \
	"  'breach_after': '4h'}],"                                                                \
	"'sources': ["                                                                             \
	" {'name': 'shop', 'type': 'push', 'token': 'ptok', 'labels': {'brand': 'acme'}},"         \
	" {'name': 'forum', 'type': 'push', 'token': 'ptok', 'labels': {'brand': 'beta'}}]"

static void
start(const char *http_extra)
{
	char *sections = rwt_json_quotes(SECTIONS);
	int port = rwt_free_port();
	char *path = rwt_write_config(s.dir, &s.redis, port, http_extra, sections);

	rwt_daemon_start(&s.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&s.daemon, 5.0);
	free(path);
	free(sections);
}

/* Appends one item to the JSON array text *body. */
static void add(char **body, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
add(char **body, const char *fmt, ...)
{
	va_list ap;
	char *item, *joined;

	va_start(ap, fmt);
	cr_assert(vasprintf(&item, fmt, ap) > 0);
	va_end(ap);
	cr_assert(asprintf(&joined, "%s%s%s", *body, strlen(*body) > 1 ? "," : "", item) > 0);
	free(item);
	free(*body);
	*body = joined;
}

static void
push(const char *source, char *body)
{
	char path[64];
	struct rwt_response r;

	snprintf(path, sizeof(path), "/ingest/%s", source);
	cr_assert(strlen(body) + 2 < 1000000);
	body = realloc(body, strlen(body) + 2);
	strcat(body, "]");
	r = rwt_http(s.daemon.http_port, "POST", path, "ptok", body);
	cr_assert_eq(r.status, 202, "%s", r.body);
	rwt_response_free(&r);
	free(body);
}

/* A mention created at c and, unless r is 0, its brand reply at r. */
static void
add_pair(char **body, const char *id, int64_t c, int64_t r, const char *extra)
{
	char cs[40], rs[40];

	add(body, "{\"id\":\"%s\",\"created_at\":\"%s\",\"author\":\"ann\"%s}", id,
	    rw_time_format(c, cs, sizeof(cs)), extra ? extra : "");
	if (r)
		add(body,
		    "{\"id\":\"re-%s\",\"created_at\":\"%s\",\"in_reply_to\":\"%s\","
		    "\"from_brand\":true}",
		    id, rw_time_format(r, rs, sizeof(rs)), id);
}

/*
 * shop: 29 replies 20 minutes ago, 28 after 10..37 s and one after 4 m 12 s
 * (28/29 = 96.6 % within the minute); 2 mentions waiting 10 minutes
 * (breached), one with a URL and markup in its text, one with a javascript:
 * URL.
 * forum: 4 replies days ago, 3 after 2 h and one after 5 h (75.0 %); one
 * mention 2 h old (warning) and one new (open).
 */
static void
push_traffic(void)
{
	int64_t now = rw_now_ms(), base = now - 20 * 60 * 1000, day = 86400 * 1000LL;
	char *shop = strdup("["), *forum = strdup("[");
	char id[16];

	for (int i = 0; i < 28; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		add_pair(&shop, id, base, base + (10 + i) * 1000LL, NULL);
	}
	add_pair(&shop, "slow", base, base + 252 * 1000LL, NULL);
	add_pair(&shop, "b1", now - 10 * 60 * 1000, 0,
		 ",\"url\":\"https://shop.example/p/1\",\"text\":\"<b>bold</b> & late\"");
	add_pair(&shop, "b2", now - 10 * 60 * 1000, 0,
		 ",\"url\":\"javascript:alert(1)\",\"text\":\"where is it\"");
	push("shop", shop);
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		add_pair(&forum, id, now - 3 * day, now - 3 * day + 2 * 3600 * 1000LL, NULL);
	}
	add_pair(&forum, "f3", now - 2 * day, now - 2 * day + 5 * 3600 * 1000LL, NULL);
	add_pair(&forum, "w1", now - 2 * 3600 * 1000LL, 0,
		 ",\"url\":\"https://forum.example/t/9\"");
	add_pair(&forum, "o1", now, 0, NULL);
	push("forum", forum);
}

static json_t *
data(void)
{
	json_t *doc = rwt_get_json(s.daemon.http_port, "/dashboard/data", s.daemon.token);

	cr_assert_not_null(doc, "GET /dashboard/data did not answer 200");
	return doc;
}

static json_t *
policy(json_t *doc, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(doc, "policies"), i,
			   p) if (strcmp(json_string_value(json_object_get(p, "name")), name) ==
				  0) return p;
	cr_assert_fail("no policy %s", name);
	return NULL;
}

/* Ready once every reply is counted and the last queue sample shows the
 * waiting mentions as they are: 4 open, of which 1 warning, 2 breached. */
static bool
settled(void *arg)
{
	json_t *doc = data(), *samples, *last;
	json_int_t replied = 0;
	size_t i;
	json_t *b;
	bool ok;

	(void)arg;
	json_array_foreach(
		json_object_get(json_object_get(policy(doc, "social"), "distribution"), "buckets"),
		i, b) replied += json_integer_value(json_object_get(b, "count"));
	samples = json_object_get(json_object_get(doc, "queue"), "samples");
	last = json_array_get(samples, json_array_size(samples) - 1);
	ok = replied == 29 && json_array_size(samples) >= 3 &&
	     json_integer_value(json_object_get(last, "open")) == 4 &&
	     json_integer_value(json_object_get(last, "warning")) == 1 &&
	     json_integer_value(json_object_get(last, "breached")) == 2;
	json_decref(doc);
	return ok;
}

static json_int_t
count_of(json_t *buckets, json_int_t le)
{
	size_t i;
	json_t *b;

	json_array_foreach(buckets, i,
			   b) if (json_integer_value(json_object_get(b, "le")) ==
				  le) return json_integer_value(json_object_get(b, "count"));
	return -1;
}

/* The whole start tag of the first SVG/HTML element holding needle. */
static char *
tag_with(const char *dom, const char *needle)
{
	const char *at = strstr(dom, needle), *open, *close;

	if (at == NULL)
		return NULL;
	for (open = at; open > dom && *open != '<'; open--)
		;
	close = strchr(at, '>');
	return close ? strndup(open, (size_t)(close - open + 1)) : NULL;
}

static void
assert_tag(const char *dom, const char *needle, const char *also)
{
	char *tag = tag_with(dom, needle);

	cr_assert_not_null(tag, "no element with %s in the page", needle);
	cr_assert(strstr(tag, also) != NULL, "%s lacks %s", tag, also);
	free(tag);
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(getdelim(&text, &len, '\0', f) > 0 || feof(f), true);
	fclose(f);
	return text ? text : strdup("");
}

/* Runs headless Chromium on the dashboard with the arguments in what
 * ("--dump-dom", "--screenshot=PATH"), stdout to out_path, its log to
 * log_path. */
static void
chromium(const char *what, const char *size, const char *out_path, const char *log_path)
{
	char *cmd;
	int rc;

	cr_assert(access(CHROMIUM, X_OK) == 0,
		  "%s is missing: the dashboard test needs the Debian package chromium "
		  "(scripts/install-deps.sh)",
		  CHROMIUM);
	cr_assert(asprintf(&cmd,
			   "exec %s --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
			   "--no-first-run --disable-extensions --hide-scrollbars "
			   "--user-data-dir=%s/chromium --enable-logging=stderr --v=0 "
			   "--virtual-time-budget=8000 --window-size=%s %s "
			   "http://127.0.0.1:%d/ >%s 2>%s",
			   CHROMIUM, s.dir, size, what, s.daemon.http_port, out_path,
			   log_path) > 0);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	rc = rwt_run(argv, NULL);
	free(cmd);
	cr_assert_eq(rc, 0, "chromium exited %d (log: %s)", rc, log_path);
}

/* The browser's log holds no console message and no CSP refusal. */
static void
assert_clean_log(const char *log_path)
{
	char *log = read_all(log_path);

	cr_assert(strstr(log, "CONSOLE") == NULL, "console output:\n%s", log);
	cr_assert(strstr(log, "Content Security Policy") == NULL, "CSP refusal:\n%s", log);
	cr_assert(strstr(log, "Uncaught") == NULL, "%s", log);
	free(log);
}

Test(dashboard, charts_render_in_headless_chromium_with_the_daemons_figures)
{
	char dom_path[600], log_path[600], shot[1300], out_dir[600];
	struct stat st;
	json_t *doc;
	char *dom;

	start("");
	push_traffic();
	/* A few minutes on the test clock: a queue sample each, no state
	 * change (the next deadline is forum's warned mention breaching in 2 h). */
	cr_assert(rwt_wait_advancing(&s.daemon, 30, settled, NULL, 30.0),
		  "dashboard data never settled");

	/* The data the charts are drawn from. */
	doc = data();
	json_t *social = policy(doc, "social"), *email = policy(doc, "email");
	json_t *dist = json_object_get(json_object_get(social, "distribution"), "buckets");
	cr_assert_eq(count_of(dist, 15), 6);
	cr_assert_eq(count_of(dist, 30), 15);
	cr_assert_eq(count_of(dist, 60), 7);
	cr_assert_eq(count_of(dist, 300), 1);
	json_t *daily = json_object_get(email, "daily");
	json_int_t replied = 0, within = 0;
	size_t i;
	json_t *b;
	json_array_foreach(daily, i, b)
	{
		replied += json_integer_value(json_object_get(b, "replied"));
		within += json_integer_value(json_object_get(b, "within_sla"));
	}
	cr_assert_eq(json_array_size(daily), 7);
	cr_assert_eq(replied, 4);
	cr_assert_eq(within, 3);
	cr_assert_eq(json_array_size(json_object_get(social, "hourly")), 24);
	json_t *cur = json_object_get(json_object_get(doc, "queue"), "current");
	cr_assert_eq(json_integer_value(json_object_get(cur, "open")), 4);
	cr_assert_eq(json_integer_value(json_object_get(cur, "warning")), 1);
	cr_assert_eq(json_integer_value(json_object_get(cur, "breached")), 2);
	json_decref(doc);

	/* The page in a real browser. */
	snprintf(dom_path, sizeof(dom_path), "%s/dom.html", s.dir);
	snprintf(log_path, sizeof(log_path), "%s/chromium.log", s.dir);
	chromium("--dump-dom", "1280,2400", dom_path, log_path);
	assert_clean_log(log_path);
	dom = read_all(dom_path);
	cr_assert(strstr(dom, "data-ready=\"1\"") != NULL, "the page never rendered:\n%s", dom);
	/* Distribution bars with their counts, classed against warn and breach. */
	assert_tag(dom, "data-le=\"30\" data-count=\"15\"", "bar-ok");
	assert_tag(dom, "data-le=\"60\" data-count=\"7\"", "bar-warning");
	assert_tag(dom, "data-le=\"300\" data-count=\"1\"", "bar-breached");
	cr_assert(strstr(dom, "warn 30 s") && strstr(dom, "breach 1 m"), "threshold lines");
	/* Compliance and p90 over time; numbers for people. */
	cr_assert(strstr(dom, "class=\"bar bar-compliance\"") != NULL);
	cr_assert(strstr(dom, "class=\"line-p90\"") != NULL || strstr(dom, "class=\"dot\""));
	cr_assert(strstr(dom, ">96.6 %<") != NULL, "7 d compliance of social as 96.6 %%");
	cr_assert(strstr(dom, ">75.0 %<") != NULL, "7 d compliance of email as 75.0 %%");
	cr_assert(strstr(dom, ">36 s<") != NULL, "24 h p90 of social");
	/* The queue lines end at the last sample. */
	cr_assert(strstr(dom, "data-state=\"open\" data-last=\"4\""));
	cr_assert(strstr(dom, "data-state=\"warning\" data-last=\"1\""));
	cr_assert(strstr(dom, "data-state=\"breached\" data-last=\"2\""));
	cr_assert(strstr(dom, ">breached 2<") != NULL, "state words on the queue chart");
	/* Per source: mentions in, answered, state. */
	cr_assert(strstr(dom, ">31 in<") && strstr(dom, ">29 answered<"), "shop's bars");
	cr_assert(strstr(dom, ">6 in<") && strstr(dom, ">4 answered<"), "forum's bars");
	/* Waiting too long: both breached and the warned one, linked, with
	 * deadlines; platform text as text; filters filled from the data. */
	cr_assert(strstr(dom, "data-key=\"shop:b1\""));
	cr_assert(strstr(dom, "data-key=\"shop:b2\""));
	cr_assert(strstr(dom, "data-key=\"forum:w1\""));
	cr_assert(strstr(dom, "data-key=\"forum:o1\"") == NULL, "open is not too long");
	cr_assert(strstr(dom, "href=\"https://shop.example/p/1\"") != NULL);
	cr_assert(strstr(dom, "href=\"javascript:") == NULL, "only web links are links");
	cr_assert(strstr(dom, ">no link<") != NULL);
	cr_assert(strstr(dom, "&lt;b&gt;bold&lt;/b&gt; &amp; late") != NULL, "text escaped");
	cr_assert(strstr(dom, "<b>bold</b>") == NULL, "platform text became markup");
	cr_assert(strstr(dom, ">overdue ") != NULL && strstr(dom, " left<") != NULL);
	cr_assert(strstr(dom, "<option value=\"brand=acme\">") != NULL);
	cr_assert(strstr(dom, "<option value=\"brand=beta\">") != NULL);
	free(dom);

	/* Screenshots, wide and narrow, kept in the build tree. */
	snprintf(out_dir, sizeof(out_dir), "%s/test-output", RW_BINARY_DIR);
	cr_assert(mkdir(out_dir, 0755) == 0 || access(out_dir, W_OK) == 0);
	snprintf(shot, sizeof(shot), "--screenshot=%s/dashboard.png", out_dir);
	chromium(shot, "1280,2400", "/dev/null", log_path);
	assert_clean_log(log_path);
	snprintf(shot, sizeof(shot), "%s/dashboard.png", out_dir);
	cr_assert(stat(shot, &st) == 0 && st.st_size > 20000, "screenshot %s", shot);
	snprintf(shot, sizeof(shot), "--screenshot=%s/dashboard-narrow.png", out_dir);
	chromium(shot, "390,2400", "/dev/null", log_path);
	assert_clean_log(log_path);
}

Test(dashboard, page_is_public_data_needs_the_token_and_csp_allows_only_its_own_code)
{
	struct rwt_response r;
	const char *csp;

	s.daemon.token = "stok";
	start(",\"token\":\"stok\"");
	r = rwt_http(s.daemon.http_port, "GET", "/", NULL, NULL);
	cr_assert_eq(r.status, 200);
	csp = strcasestr(r.headers, "Content-Security-Policy:");
	cr_assert_not_null(csp, "%s", r.headers);
	cr_assert(strstr(csp, "script-src 'sha256-") != NULL, "%s", r.headers);
	cr_assert(strstr(csp, "style-src 'sha256-") != NULL, "%s", r.headers);
	cr_assert(strstr(r.headers, "unsafe-inline") == NULL, "%s", r.headers);
	cr_assert(strstr(r.body, "innerHTML") == NULL, "the page never parses data as HTML");
	rwt_response_free(&r);

	r = rwt_http(s.daemon.http_port, "GET", "/dashboard/data", NULL, NULL);
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
	r = rwt_http(s.daemon.http_port, "GET", "/dashboard/data", "wrong", NULL);
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
	json_t *doc = data();
	cr_assert_eq(json_array_size(json_object_get(doc, "policies")), 2);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(doc, "queue"), "every_seconds")),
		60);
	json_decref(doc);
}
