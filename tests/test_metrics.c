/* test_metrics: the Prometheus text haasd renders from its worker slots and
 * ingestd's counter file: sums over slots, a dead worker's counts kept,
 * cumulative histogram buckets, exact seconds, and the line shapes of the
 * exposition format (0.0.4). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "metrics.h"
#include "util.h"

static const struct route *
route_named(const char *method, const char *path)
{
	const struct route *rt;
	size_t t;

	for (t = 0; route_tables[t].routes; t++)
		for (rt = route_tables[t].routes; rt->method; rt++)
			if (!strcmp(rt->method, method) &&
			    !strcmp(rt->path, path))
				return rt;
	return NULL;
}

/* The rendering of m with no database and no ingest file; caller frees. */
static char *
render(const struct metrics *m, const char *ingest_path, long long pending)
{
	struct metrics_extra x = { .db_up = pending >= 0,
		.pending_registrations = pending, .ingest_path = ingest_path };
	struct buf out = { 0 };

	metrics_render(m, &x, &out);
	return out.s ? out.s : xstrdup("");
}

/* Does text hold line as a whole line? */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

#define CHECK_LINE(text, line) do { \
	if (!has_line((text), (line))) \
		fprintf(stderr, "\nmissing line: %s\n", (line)); \
	CU_ASSERT(has_line((text), (line))); \
} while (0)

static void
test_empty(void)
{
	struct metrics *m = metrics_new();
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	t = render(m, NULL, -1);
	CHECK_LINE(t, "# TYPE haas_http_requests_total counter");
	CHECK_LINE(t, "# TYPE haas_http_request_duration_seconds histogram");
	CHECK_LINE(t, "haas_http_requests_in_flight 0");
	CHECK_LINE(t, "haas_worker_restarts_total 0");
	CHECK_LINE(t, "haas_db_up 0");
	/* no samples for routes nobody asked for */
	CU_ASSERT_PTR_NULL(strstr(t, "haas_http_requests_total{"));
	/* unknown (DB down): not rendered rather than a made-up 0 */
	CU_ASSERT_PTR_NULL(strstr(t, "haas_registrations_pending"));
	CU_ASSERT_PTR_NULL(strstr(t, "haas_ingest"));
	free(t);
	metrics_free(m);
}

static void
test_sums_and_histogram(void)
{
	const struct route *health = route_named("GET", "/api/health");
	struct metrics *m = metrics_new();
	struct metrics_slot *a, *b;
	long long seen_a[2] = { 0, 0 }, seen_b[2] = { 0, 0 };
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(health);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	/* Two workers' slots (the same pid here: each claim takes the
	 * next free one). */
	a = metrics_claim(m);
	b = metrics_claim(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	metrics_request_start(a);
	metrics_request_done(a, health, 200, 500, false);
	metrics_request_start(a);
	metrics_request_done(a, health, 200, 7000, true);
	metrics_request_start(b);
	metrics_request_done(b, health, 503, 2000000, false);
	metrics_request_start(b);
	metrics_request_done(b, NULL, 404, 20000000, false);
	metrics_request_start(b);	/* still running */
	metrics_db(a, 2, 1, seen_a);
	metrics_db(a, 3, 1, seen_a);	/* one more error, same reconnects */
	metrics_db(b, 1, 0, seen_b);
	t = render(m, NULL, 7);
	CHECK_LINE(t, "haas_http_requests_total{method=\"GET\","
		   "route=\"/api/health\",status=\"200\"} 2");
	CHECK_LINE(t, "haas_http_requests_total{method=\"GET\","
		   "route=\"/api/health\",status=\"503\"} 1");
	CHECK_LINE(t, "haas_http_requests_total{method=\"\","
		   "route=\"unmatched\",status=\"404\"} 1");
	/* cumulative: 500 us <= 1 ms, 7 ms <= 10 ms, 2 s <= 5 s */
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"0.001\"} 1");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"0.005\"} 1");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"0.01\"} 2");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"1\"} 2");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"5\"} 3");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"GET\","
		   "route=\"/api/health\",le=\"+Inf\"} 3");
	CHECK_LINE(t, "haas_http_request_duration_seconds_sum{method=\"GET\","
		   "route=\"/api/health\"} 2.007500");
	CHECK_LINE(t, "haas_http_request_duration_seconds_count{method=\"GET\","
		   "route=\"/api/health\"} 3");
	/* 20 s: only +Inf */
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"\","
		   "route=\"unmatched\",le=\"5\"} 0");
	CHECK_LINE(t, "haas_http_request_duration_seconds_bucket{method=\"\","
		   "route=\"unmatched\",le=\"+Inf\"} 1");
	CHECK_LINE(t, "haas_http_requests_in_flight 1");
	CHECK_LINE(t, "haas_workers 2");
	CHECK_LINE(t, "haas_idempotent_replays_total 1");
	CHECK_LINE(t, "haas_db_errors_total 4");
	CHECK_LINE(t, "haas_db_reconnects_total 1");
	CHECK_LINE(t, "haas_db_up 1");
	CHECK_LINE(t, "haas_registrations_pending 7");
	free(t);
	metrics_free(m);
}

/* A worker that dies leaves its counts (the sums never go back); its
 * in-flight request is gone; the next worker adds on. */
static void
test_worker_gone(void)
{
	const struct route *health = route_named("GET", "/api/health");
	struct metrics *m = metrics_new();
	struct metrics_slot *a, *again;
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	a = metrics_claim(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	metrics_request_start(a);
	metrics_request_done(a, health, 200, 100, false);
	metrics_request_start(a);	/* killed in the middle of this one */
	metrics_worker_gone(m, getpid(), true);
	metrics_worker_gone(m, 999999, false);	/* not ours: nothing */
	t = render(m, NULL, 0);
	CHECK_LINE(t, "haas_http_requests_total{method=\"GET\","
		   "route=\"/api/health\",status=\"200\"} 1");
	CHECK_LINE(t, "haas_http_requests_in_flight 0");
	CHECK_LINE(t, "haas_workers 0");
	CHECK_LINE(t, "haas_worker_restarts_total 1");
	free(t);
	again = metrics_claim(m);
	CU_ASSERT_PTR_EQUAL(again, a);	/* the freed slot, values and all */
	metrics_request_start(again);
	metrics_request_done(again, health, 200, 100, false);
	metrics_worker_gone(m, getpid(), false);	/* a reload: no restart */
	t = render(m, NULL, 0);
	CHECK_LINE(t, "haas_http_requests_total{method=\"GET\","
		   "route=\"/api/health\",status=\"200\"} 2");
	CHECK_LINE(t, "haas_worker_restarts_total 1");
	free(t);
	metrics_free(m);
	/* A NULL mapping (mmap failed): every call is a no-op. */
	CU_ASSERT_PTR_NULL(metrics_claim(NULL));
	metrics_request_start(NULL);
	metrics_request_done(NULL, health, 200, 1, false);
	metrics_worker_gone(NULL, 1, true);
	t = render(NULL, NULL, 3);
	CHECK_LINE(t, "haas_registrations_pending 3");
	CU_ASSERT_PTR_NULL(strstr(t, "haas_http_requests_total"));
	free(t);
}

static void
test_ingest_file(void)
{
	char path[] = "/tmp/test_metrics.XXXXXX";
	struct ingest_metrics *im;
	int fd = mkstemp(path);
	char *t;
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);	/* empty: of another layout, so it starts at zero */
	im = ingest_metrics_open(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	ingest_metrics_count(im, INGEST_APPLIED, 3);
	ingest_metrics_count(im, INGEST_IGNORED, 1);
	ingest_metrics_count(im, INGEST_DROPPED, 2);
	ingest_metrics_batch(im, 250000, 4);
	ingest_metrics_close(im);
	/* A restarted ingestd keeps counting from there. */
	im = ingest_metrics_open(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	ingest_metrics_count(im, INGEST_APPLIED, 1);
	t = render(NULL, path, 0);
	CHECK_LINE(t, "# TYPE haas_ingest_messages_total counter");
	CHECK_LINE(t, "haas_ingest_messages_total{outcome=\"applied\"} 4");
	CHECK_LINE(t, "haas_ingest_messages_total{outcome=\"ignored\"} 1");
	CHECK_LINE(t, "haas_ingest_messages_total{outcome=\"dropped\"} 2");
	CHECK_LINE(t, "haas_ingest_lag_seconds 0.250000");
	CHECK_LINE(t, "haas_ingest_spool_pending 4");
	CU_ASSERT_PTR_NOT_NULL(strstr(t,
		"\nhaas_ingest_updated_timestamp_seconds "));
	free(t);
	ingest_metrics_close(im);
	/* Something else in its place: not read. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("not a counter file\n", f);
	fclose(f);
	t = render(NULL, path, 0);
	CU_ASSERT_PTR_NULL(strstr(t, "haas_ingest"));
	free(t);
	unlink(path);
	t = render(NULL, path, 0);	/* none at all */
	CU_ASSERT_PTR_NULL(strstr(t, "haas_ingest"));
	free(t);
}

/* Every line is a HELP or TYPE comment or a sample "name{labels} value";
 * each family's TYPE comes before its samples, once. */
static void
test_line_shapes(void)
{
	const struct route *health = route_named("GET", "/api/health");
	struct metrics *m = metrics_new();
	struct metrics_slot *s;
	regex_t sample, comment;
	char *t, *line, *end;
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	s = metrics_claim(m);
	metrics_request_start(s);
	metrics_request_done(s, health, 299, 10, false);	/* "other" */
	CU_ASSERT_FATAL(regcomp(&sample, "^[a-z_]+(\\{([a-z_]+=\"([^\"\\\\]|"
		"\\\\.)*\",)*[a-z_]+=\"([^\"\\\\]|\\\\.)*\"\\})? "
		"([0-9]+(\\.[0-9]+)?|\\+Inf)$", REG_EXTENDED) == 0);
	CU_ASSERT_FATAL(regcomp(&comment, "^# (HELP [a-z_]+ .+|TYPE [a-z_]+ "
		"(counter|gauge|histogram))$", REG_EXTENDED) == 0);
	t = render(m, NULL, 1);
	CU_ASSERT(t[strlen(t) - 1] == '\n');
	CHECK_LINE(t, "haas_http_requests_total{method=\"GET\","
		   "route=\"/api/health\",status=\"other\"} 1");
	for (line = t; *line; line = end + 1) {
		end = strchr(line, '\n');
		*end = '\0';
		if (regexec(line[0] == '#' ? &comment : &sample, line, 0,
			    NULL, 0)) {
			fprintf(stderr, "\nbad line: %s\n", line);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	regfree(&sample);
	regfree(&comment);
	free(t);
	metrics_free(m);
}

/* How many routes after a (in table order) have its method and path. */
static int
later_twins(const struct route *a, size_t table)
{
	const struct route *b = a + 1;
	size_t u = table;
	int n = 0;

	for (;;) {
		for (; b->method; b++)
			n += !strcmp(a->method, b->method) &&
			     !strcmp(a->path, b->path);
		if (!route_tables[++u].routes)
			return n;
		b = route_tables[u].routes;
	}
}

/* Each route's labels (method, pattern) name one series: a pattern twice
 * under one method (say, per profile) would render duplicate samples,
 * which Prometheus rejects. */
static void
test_labels_unique(void)
{
	const struct route *a;
	size_t t;
	int twins;

	for (t = 0; route_tables[t].routes; t++)
		for (a = route_tables[t].routes; a->method; a++) {
			twins = later_twins(a, t);
			if (twins)
				fprintf(stderr, "\ntwice: %s %s\n", a->method,
					a->path);
			CU_ASSERT_EQUAL(twins, 0);
		}
}

static CU_TestInfo tests[] = {
	{ "nothing counted yet", test_empty },
	{ "sums over slots, histogram buckets", test_sums_and_histogram },
	{ "a dead worker's counts are kept", test_worker_gone },
	{ "haas-ingestd's counter file", test_ingest_file },
	{ "every line has the exposition format's shape", test_line_shapes },
	{ "one series per route", test_labels_unique },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("metrics", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
