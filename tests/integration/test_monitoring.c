/*
 * contrib/prometheus/replywatch.rules.yml and contrib/grafana/replywatch.json
 * against the real tools and the real daemon: the rules pass `promtool check
 * rules` and their unit tests (`promtool test rules`), every query of the
 * Grafana board is valid PromQL, the board is Grafana 9/10 JSON with a
 * datasource variable and no fixed datasource uid, and every replywatch_*
 * name the rules and the board use is a family a live daemon's /metrics
 * declares, so neither can drift from the metrics. Last, a real Prometheus
 * scrapes a live daemon with the rules loaded: the rules evaluate, their
 * figures equal /status's, and every panel of the board gets an answer.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtest.h"

#define PROMTOOL "/usr/bin/promtool"
#define RULES RW_SOURCE_DIR "/contrib/prometheus/replywatch.rules.yml"
#define RULE_TESTS RW_SOURCE_DIR "/contrib/prometheus/replywatch.rules.test.yml"
#define BOARD RW_SOURCE_DIR "/contrib/grafana/replywatch.json"

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

TestSuite(monitoring, .init = setup, .fini = teardown, .timeout = 120);

/* The promtool of the Debian package prometheus (scripts/install-deps.sh):
 * missing, the test fails rather than skips. Returns its exit status. */
static int
promtool(const char *what, const char *file, char **out)
{
	char *argv[] = {PROMTOOL, (char *)what, "rules", (char *)file, NULL};

	cr_assert_eq(access(PROMTOOL, X_OK), 0,
		     PROMTOOL " missing: run scripts/install-deps.sh (package prometheus)");
	return rwt_run(argv, out);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int c;

	cr_assert_not_null(f, "cannot read %s", path);
	cr_assert_not_null(mem);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	return text;
}

Test(monitoring, rules_pass_promtool_check_and_their_unit_tests)
{
	char *out = NULL;

	cr_assert_eq(promtool("check", RULES, &out), 0, "promtool check rules: %s", out);
	cr_assert_not_null(strstr(out, "SUCCESS"), "%s", out);
	free(out);
	out = NULL;
	cr_assert_eq(promtool("test", RULE_TESTS, &out), 0, "promtool test rules: %s", out);
	cr_assert_not_null(strstr(out, "SUCCESS"), "%s", out);
	free(out);
}

/* The rules' unit tests fail when a rule is wrong: a copy of the rules
 * whose compliance target moved from 0.9 to 0.7 fails them. */
Test(monitoring, rule_tests_catch_a_changed_threshold)
{
	char *rules = slurp(RULES), *tests = slurp(RULE_TESTS), *at, *out = NULL;

	at = strstr(rules, "ratio_rate1h < 0.9");
	cr_assert_not_null(at, "the compliance rule changed: update this test");
	at[strlen("ratio_rate1h < 0.")] = '7';
	free(rwt_write_file(dir, "replywatch.rules.yml", rules));
	char *copy = rwt_write_file(dir, "replywatch.rules.test.yml", tests);
	cr_assert_neq(promtool("test", copy, &out), 0, "a wrong rule passed: %s", out);
	cr_assert_not_null(strstr(out, "ReplywatchSLAComplianceLow"), "%s", out);
	free(out);
	free(copy);
	free(rules);
	free(tests);
}

/* Values that stand for the board's variables when its queries are checked. */
static const char *const variables[][2] = {
	{"__rate_interval", "5m"}, {"__range", "5m"},  {"__interval", "1m"}, {"window", "1h"},
	{"job", "replywatch"},     {"instance", ".*"}, {"policy", ".*"},     {"source", ".*"},
};

/* expr with every $name replaced by its stand-in (caller frees); fails the
 * test on a variable the board does not define. */
static char *
substitute(const char *expr, const json_t *defined)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	for (const char *p = expr; *p != '\0';) {
		size_t n = 0;
		const char *value = NULL;

		if (*p != '$') {
			fputc(*p++, out);
			continue;
		}
		while (isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_')
			n++;
		for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
			if (strlen(variables[i][0]) == n && strncmp(p + 1, variables[i][0], n) == 0)
				value = variables[i][1];
		cr_assert_not_null(value, "unknown variable in %s", expr);
		cr_assert(strncmp(p + 1, "__", 2) == 0 ||
				  json_object_getn(defined, p + 1, n) != NULL,
			  "variable $%.*s used but not defined by the board", (int)n, p + 1);
		fputs(value, out);
		p += 1 + n;
	}
	fclose(out);
	return text;
}

/* Appends every PromQL query of the board to list: panel targets, and the
 * series selector of each label_values() variable. */
static void
board_queries(const json_t *board, json_t *list)
{
	const json_t *panel, *target, *var;
	size_t i, j;

	json_array_foreach(json_object_get(board, "panels"), i, panel)
	{
		json_array_foreach(json_object_get(panel, "targets"), j, target)
		{
			const char *expr = json_string_value(json_object_get(target, "expr"));

			cr_assert_not_null(expr, "panel %s: a target without expr",
					   json_string_value(json_object_get(panel, "title")));
			json_array_append_new(list, json_string(expr));
		}
	}
	json_array_foreach(json_object_get(json_object_get(board, "templating"), "list"), i, var)
	{
		const char *def = json_string_value(json_object_get(var, "definition"));
		const char *comma;

		if (def == NULL)
			continue;
		cr_assert(strncmp(def, "label_values(", 13) == 0, "variable query %s", def);
		comma = strrchr(def, ',');
		cr_assert_not_null(comma, "%s", def);
		json_array_append_new(list, json_stringn(def + 13, (size_t)(comma - def - 13)));
	}
}

static json_t *
load_board(void)
{
	json_error_t err;
	json_t *board = json_load_file(BOARD, JSON_REJECT_DUPLICATES, &err);

	cr_assert_not_null(board, BOARD ":%d:%d: %s", err.line, err.column, err.text);
	return board;
}

/* Every "uid" under a "datasource" object names the board's variable. */
static void
check_datasources(const json_t *node, int *count)
{
	const char *key;
	const json_t *v;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, v) check_datasources(v, count);
		return;
	}
	if (!json_is_object(node))
		return;
	json_object_foreach((json_t *)node, key, v)
	{
		if (strcmp(key, "datasource") == 0 && json_is_object(v)) {
			const char *type = json_string_value(json_object_get(v, "type"));
			const char *uid = json_string_value(json_object_get(v, "uid"));

			if (type != NULL && strcmp(type, "grafana") == 0)
				continue; /* the built-in annotations */
			cr_assert_str_eq(type, "prometheus");
			cr_assert_str_eq(uid, "${datasource}", "a fixed datasource uid: %s", uid);
			(*count)++;
		}
		check_datasources(v, count);
	}
}

Test(monitoring, board_is_grafana_json_with_a_datasource_variable)
{
	json_t *board = load_board(), *vars = json_object(), *var;
	json_int_t schema = json_integer_value(json_object_get(board, "schemaVersion"));
	int datasources = 0;
	size_t i;

	/* 36..39: Grafana 9.0 to 10.x. */
	cr_assert(schema >= 36 && schema <= 39, "schemaVersion %lld", (long long)schema);
	cr_assert_str_eq(json_string_value(json_object_get(board, "uid")), "replywatch");
	json_array_foreach(json_object_get(json_object_get(board, "templating"), "list"), i, var)
		json_object_set(vars, json_string_value(json_object_get(var, "name")), var);
	var = json_object_get(vars, "datasource");
	cr_assert_not_null(var, "no datasource variable");
	cr_assert_str_eq(json_string_value(json_object_get(var, "type")), "datasource");
	cr_assert_str_eq(json_string_value(json_object_get(var, "query")), "prometheus");
	check_datasources(board, &datasources);
	cr_assert_gt(datasources, 20, "panels and targets name the datasource variable");
	/* Panels do not overlap: each grid cell is used once. */
	static char grid[200][24];
	memset(grid, 0, sizeof(grid));
	json_array_foreach(json_object_get(board, "panels"), i, var)
	{
		json_t *g = json_object_get(var, "gridPos");
		json_int_t x = json_integer_value(json_object_get(g, "x")),
			   y = json_integer_value(json_object_get(g, "y")),
			   w = json_integer_value(json_object_get(g, "w")),
			   h = json_integer_value(json_object_get(g, "h"));

		cr_assert(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0 && y + h <= 200);
		for (json_int_t r = y; r < y + h; r++)
			for (json_int_t c = x; c < x + w; c++) {
				cr_assert_eq(grid[r][c], 0, "panel %s overlaps another",
					     json_string_value(json_object_get(var, "title")));
				grid[r][c] = 1;
			}
	}
	json_decref(vars);
	json_decref(board);
}

/* Each query, its variables replaced, becomes a recording rule that
 * `promtool check rules` parses: a syntax error in the board fails here. */
Test(monitoring, every_board_query_is_valid_promql)
{
	json_t *board = load_board(), *queries = json_array(), *defined = json_object(), *q, *var;
	char *text = NULL, *out = NULL;
	size_t len = 0, i;
	FILE *rules = open_memstream(&text, &len);

	json_array_foreach(json_object_get(json_object_get(board, "templating"), "list"), i, var)
		json_object_set(defined, json_string_value(json_object_get(var, "name")), var);
	board_queries(board, queries);
	cr_assert_gt(json_array_size(queries), 25);
	fputs("groups:\n  - name: board\n    rules:\n", rules);
	json_array_foreach(queries, i, q)
	{
		char *expr = substitute(json_string_value(q), defined);
		json_t *s = json_string(expr);
		char *quoted = json_dumps(s, JSON_ENCODE_ANY);

		/* A JSON string is a YAML double-quoted scalar. */
		fprintf(rules, "      - record: board:query_%zu\n        expr: %s\n", i, quoted);
		free(quoted);
		json_decref(s);
		free(expr);
	}
	fclose(rules);
	char *path = rwt_write_file(dir, "board.rules.yml", text);
	cr_assert_eq(promtool("check", path, &out), 0, "a board query is not PromQL: %s", out);
	free(out);
	free(path);
	free(text);
	json_decref(defined);
	json_decref(queries);
	json_decref(board);
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Adds every replywatch_* name in text to names (recorded names, which are
 * replywatch:..., and words such as "replywatchd" are not metric names). */
static void
used_names(const char *text, json_t *names, const char *file)
{
	for (const char *p = text; (p = strstr(p, "replywatch_")) != NULL;) {
		size_t n = 0;

		if (p > text &&
		    (name_char(p[-1]) || p[-1] == ':' || isupper((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		while (name_char(p[n]))
			n++;
		json_object_setn_new(names, p, n, json_string(file));
		p += n;
	}
}

/* The families the exposition declares (# TYPE), with a histogram's
 * _bucket, _sum and _count series. */
static json_t *
declared_names(const char *metrics)
{
	json_t *names = json_object();

	for (const char *line = metrics; line != NULL && *line != '\0';) {
		char name[200], type[32];
		const char *end = strchr(line, '\n');

		if (sscanf(line, "# TYPE %199s %31s", name, type) == 2) {
			json_object_set_new(names, name, json_true());
			if (strcmp(type, "histogram") == 0) {
				static const char *const parts[] = {"_bucket", "_sum", "_count"};

				for (size_t i = 0; i < 3; i++) {
					char series[240];

					snprintf(series, sizeof(series), "%s%s", name, parts[i]);
					json_object_set_new(names, series, json_true());
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return names;
}

/* Redis, the fake platforms and a daemon with a push, a polled and a
 * webhook source and an alert target: every family is declared, with
 * samples for most. The webhook families appear once a webhook request came:
 * Meta's subscription handshake. */
static void
start_daemon(struct rwt_stack *s)
{
	char *top;

	rwt_stack_up(s, true);
	cr_assert(asprintf(&top,
			   ",\n \"policies\": [ { \"name\": \"social\", \"warn_after\": \"10m\","
			   " \"breach_after\": \"20m\" } ],\n"
			   " \"sources\": ["
			   " { \"name\": \"p\", \"type\": \"push\", \"token\": \"ptok\" },"
			   " { \"name\": \"masto\", \"type\": \"mastodon\", \"base_url\": \"%s\","
			   " \"token\": \"mastodon-test-token\" },"
			   " { \"name\": \"fb\", \"type\": \"facebook\", \"base_url\": \"%s\","
			   " \"page_id\": \"1001\", \"token\": \"graph-tok\","
			   " \"app_secret\": \"s3cret\", \"verify_token\": \"v\" } ],\n"
			   " \"alerts\": [ { \"name\": \"care\", \"format\": \"json\","
			   " \"url\": \"%s/hook/care\" } ]",
			   s->fake.base, s->fake.base, s->fake.base) > 0);
	rwt_stack_start(s, top);
	free(top);

	struct rwt_response h = rwt_http(
		s->daemon.http_port, "GET",
		"/hooks/fb?hub.mode=subscribe&hub.verify_token=v&hub.challenge=42", NULL, NULL);
	cr_assert_eq(h.status, 200, "%s", h.body);
	rwt_response_free(&h);
}

Test(monitoring, every_metric_the_rules_and_board_use_is_in_a_live_daemon)
{
	struct rwt_stack s = {0};

	start_daemon(&s);
	struct rwt_response r = rwt_http(s.daemon.http_port, "GET", "/metrics", NULL, NULL);
	cr_assert_eq(r.status, 200);
	json_t *declared = declared_names(r.body), *used = json_object(), *file;
	char *rules = slurp(RULES), *tests = slurp(RULE_TESTS), *board = slurp(BOARD);
	const char *name;

	used_names(rules, used, "replywatch.rules.yml");
	used_names(tests, used, "replywatch.rules.test.yml");
	used_names(board, used, "replywatch.json");
	cr_assert_geq(json_object_size(used), 20, "only %zu names found: the scan is broken",
		      json_object_size(used));
	cr_assert_not_null(json_object_get(used, "replywatch_mentions_warning"));
	json_object_foreach(used, name, file)
		cr_expect_not_null(json_object_get(declared, name),
				   "%s uses %s, which the daemon's /metrics does not declare",
				   json_string_value(file), name);
	free(rules);
	free(tests);
	free(board);
	json_decref(used);
	json_decref(declared);
	rwt_response_free(&r);
	rwt_stack_down(&s);
}

/* A real Prometheus scraping the daemon every second with the rules loaded. */
struct prom {
	pid_t pid;
	int port;
};

static struct prom
prom_start(const char *workdir, int daemon_port)
{
	extern char **environ;
	struct prom p = {0, rwt_free_port()};
	char *config, *cfgpath, *data, *listen, *log;

	cr_assert_eq(
		access("/usr/bin/prometheus", X_OK), 0,
		"/usr/bin/prometheus missing: run scripts/install-deps.sh (package prometheus)");
	cr_assert(asprintf(&config,
			   "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
			   "rule_files: [\"%s\"]\n"
			   "scrape_configs:\n"
			   "  - job_name: replywatch\n"
			   "    static_configs: [ { targets: [\"127.0.0.1:%d\"] } ]\n",
			   RULES, daemon_port) > 0);
	cfgpath = rwt_write_file(workdir, "prometheus.yml", config);
	free(config);
	cr_assert(asprintf(&config, "--config.file=%s", cfgpath) > 0);
	cr_assert(asprintf(&data, "--storage.tsdb.path=%s/prom-data", workdir) > 0);
	cr_assert(asprintf(&listen, "--web.listen-address=127.0.0.1:%d", p.port) > 0);
	cr_assert(asprintf(&log, "%s/prometheus.log", workdir) > 0);
	char *argv[] = {"/usr/bin/prometheus", config, data, listen, "--log.level=warn", NULL};
	p.pid = rwt_spawn(argv, environ, log);
	free(config);
	free(cfgpath);
	free(data);
	free(listen);
	free(log);
	return p;
}

/* The result array of an instant query (caller decrefs), or NULL; *error
 * gets Prometheus's error text when the query failed. */
static json_t *
prom_query(const struct prom *p, const char *query, char **error)
{
	char *q = rwt_url_escape(query), *path;
	json_t *doc, *result = NULL;

	cr_assert(asprintf(&path, "/api/v1/query?query=%s", q) > 0);
	struct rwt_response r = rwt_http(p->port, "GET", path, NULL, NULL);
	doc = json_loads(r.body ? r.body : "", 0, NULL);
	if (error != NULL)
		*error = r.status == 200 ? NULL : strdup(r.body ? r.body : "no answer");
	if (r.status == 200)
		result = json_incref(json_object_get(json_object_get(doc, "data"), "result"));
	json_decref(doc);
	rwt_response_free(&r);
	free(path);
	free(q);
	return result;
}

/* The value of the first sample of query's answer, or NAN. */
static double
prom_value(const struct prom *p, const char *query)
{
	json_t *result = prom_query(p, query, NULL);
	json_t *value = json_array_get(json_object_get(json_array_get(result, 0), "value"), 1);
	double v = value ? strtod(json_string_value(value), NULL) : NAN;

	json_decref(result);
	return v;
}

struct prom_wait {
	const struct prom *p;
	const char *query;
	double want;
};

static bool
prom_has(void *arg)
{
	struct prom_wait *w = arg;

	return prom_value(w->p, w->query) == w->want;
}

/* 20 mentions answered after 2..40 min (the first 10 within the 20 min
 * breach_after), two fresh, one past warn_after (10 min), one past
 * breach_after, each well away from its next deadline. */
static void
push_mixed(int port)
{
	int64_t now = rw_now_ms(), base = now - 50 * 60 * 1000;
	char *body = strdup("["), *item, c[40], r[40];

	for (int i = 1; i <= 20; i++) {
		rw_time_format(base, c, sizeof(c));
		rw_time_format(base + i * 120 * 1000, r, sizeof(r));
		cr_assert(asprintf(&item,
				   "{\"id\":\"m%d\",\"created_at\":\"%s\",\"author\":\"a%d\"},"
				   "{\"id\":\"r%d\",\"created_at\":\"%s\",\"in_reply_to\":\"m%d\","
				   "\"from_brand\":true},",
				   i, c, i, i, r, i) > 0);
		body = realloc(body, strlen(body) + strlen(item) + 1);
		strcat(body, item);
		free(item);
	}
	const int64_t ages[] = {0, 0, 13 * 60, 30 * 60};
	for (int i = 0; i < 4; i++) {
		rw_time_format(now - ages[i] * 1000, c, sizeof(c));
		cr_assert(asprintf(&item,
				   "%s{\"id\":\"o%d\",\"created_at\":\"%s\",\"author\":\"o%d\"}",
				   i ? "," : "", i, c, i) > 0);
		body = realloc(body, strlen(body) + strlen(item) + 2);
		strcat(body, item);
		free(item);
	}
	strcat(body, "]");
	struct rwt_response resp = rwt_http(port, "POST", "/ingest/p", "ptok", body);
	cr_assert_eq(resp.status, 202, "%s", resp.body);
	rwt_response_free(&resp);
	free(body);
}

/* Panels whose queries may answer nothing on this daemon: nothing rejected,
 * no rate-limit headers read yet, no Redis replication. */
static bool
may_be_empty(const char *title)
{
	static const char *const titles[] = {"Rejected entries per hour", "Rate-limit calls left",
					     "Redis replication"};

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(title, titles[i]) == 0)
			return true;
	return false;
}

Test(monitoring, prometheus_evaluates_the_rules_and_board_over_a_live_daemon, .timeout = 180)
{
	struct rwt_stack s = {0};

	start_daemon(&s);
	struct prom p = prom_start(s.dir, s.daemon.http_port);
	struct prom_wait up = {&p, "up{job=\"replywatch\"}", 1};
	cr_assert(rwt_wait_until(prom_has, &up, 30.0), "Prometheus never scraped the daemon");
	push_mixed(s.daemon.http_port);
	/* Wait until Prometheus has scraped every reply and the queue, and the
	 * recording rules have run on them. */
	struct prom_wait replies = {&p, "sum(replywatch_replies_total)", 20};
	cr_assert(rwt_wait_until(prom_has, &replies, 30.0), "the replies never reached Prometheus");
	struct prom_wait queue = {&p, "replywatch:mentions_breached:sum{policy=\"social\"}", 1};
	cr_assert(rwt_wait_until(prom_has, &queue, 30.0), "the recording rules never ran");
	struct prom_wait warned = {&p, "replywatch:mentions_warning:sum{policy=\"social\"}", 1};
	cr_assert(rwt_wait_until(prom_has, &warned, 30.0));

	/* The recorded figures equal /status's for the same data. */
	json_t *doc = rwt_get_json(s.daemon.http_port, "/status", NULL);
	json_t *pol = json_array_get(json_object_get(doc, "policies"), 0);
	json_t *w1h = json_object_get(json_object_get(pol, "windows"), "1h");
	cr_assert_float_eq(prom_value(&p, "replywatch:sla_compliance:ratio_rate1h"),
			   json_real_value(json_object_get(w1h, "compliance")), 1e-9);
	cr_assert_float_eq(prom_value(&p, "replywatch:sla_compliance:ratio_rate1h"), 0.5, 1e-9);
	cr_assert_eq(prom_value(&p, "replywatch:mentions_open:sum{policy=\"social\"}"),
		     (double)json_integer_value(json_object_get(pol, "open")));
	cr_assert_eq(prom_value(&p, "replywatch:mentions_open:sum{policy=\"social\"}"), 4);
	json_decref(doc);

	/* Every query of the board evaluates without error, and every panel
	 * but a few shows data. */
	json_t *board = load_board(), *defined = json_object(), *var, *panel, *target;
	size_t i, j, checked = 0;
	json_array_foreach(json_object_get(json_object_get(board, "templating"), "list"), i, var)
		json_object_set(defined, json_string_value(json_object_get(var, "name")), var);
	json_array_foreach(json_object_get(board, "panels"), i, panel)
	{
		const char *title = json_string_value(json_object_get(panel, "title"));
		size_t answered = 0;

		json_array_foreach(json_object_get(panel, "targets"), j, target)
		{
			char *expr = substitute(json_string_value(json_object_get(target, "expr")),
						defined);
			char *error = NULL;
			json_t *result = prom_query(&p, expr, &error);

			cr_assert_not_null(result, "panel %s: %s: %s", title, expr, error);
			answered += json_array_size(result) > 0;
			json_decref(result);
			free(expr);
			checked++;
		}
		cr_expect(answered > 0 || may_be_empty(title) ||
				  json_array_size(json_object_get(panel, "targets")) == 0,
			  "panel %s answers nothing", title);
	}
	cr_assert_gt(checked, 25);

	/* Every rule evaluated without error. */
	struct rwt_response r = rwt_http(p.port, "GET", "/api/v1/rules", NULL, NULL);
	json_t *rules = json_loads(r.body, 0, NULL), *group, *rule;
	size_t nrules = 0;
	json_array_foreach(json_object_get(json_object_get(rules, "data"), "groups"), i, group)
		json_array_foreach(json_object_get(group, "rules"), j, rule)
	{
		cr_expect_str_eq(json_string_value(json_object_get(rule, "health")), "ok",
				 "rule %s: %s", json_string_value(json_object_get(rule, "name")),
				 json_string_value(json_object_get(rule, "lastError")));
		nrules++;
	}
	cr_assert_eq(nrules, 17);
	json_decref(rules);
	rwt_response_free(&r);
	json_decref(defined);
	json_decref(board);
	kill(p.pid, SIGTERM);
	waitpid(p.pid, NULL, 0);
	rwt_stack_down(&s);
}
