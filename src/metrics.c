/* metrics: per-worker counter slots in a shared mapping, ingestd's counter
 * file, and their Prometheus text rendering at GET /api/metrics. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "util.h"

enum metrics_sql { Q_PENDING };

static const char *const sql[] = {
	/* As /api/system counts them: pending, not yet expired. */
	[Q_PENDING] = "SELECT COUNT(*) FROM registration_requests"
		" WHERE status = 'pending'"
		" AND submitted_at >= UTC_TIMESTAMP(6) - INTERVAL ? DAY",
};

/* The statuses haasd answers (success statuses of the route tables and
 * the error table's); anything else is counted as "other". */
static const int statuses[] = { 200, 201, 202, 204, 400, 401, 403, 404,
	405, 408, 409, 411, 413, 414, 415, 422, 429, 431, 500, 501, 502, 503,
	504, 505 };
#define NSTATUS (ARRAY_SIZE(statuses) + 1)

static const long long bucket_us[METRICS_NBUCKETS] = { METRICS_BUCKETS_US };
/* Buckets per route: the bounds, then +Inf. */
#define NCELL_BUCKETS (METRICS_NBUCKETS + 1)

/* One worker's counters; cells: requests[route][status], then
 * buckets[route][NCELL_BUCKETS] (not cumulative), then sum_us[route]. */
struct metrics_slot {
	_Atomic pid_t owner;
	size_t nroutes;		/* the mapping's, copied at the claim */
	_Atomic long long in_flight;
	_Atomic unsigned long long db_errors, db_reconnects, replays;
	_Atomic unsigned long long cells[];
};

struct metrics {
	size_t size;		/* of the whole mapping */
	size_t slot_size;
	size_t nroutes;		/* with "unmatched", the last */
	_Atomic unsigned used;	/* slots ever claimed: the scrape sums these */
	_Atomic unsigned long long restarts;
	_Alignas(64) unsigned char slots[];
};

/* ---- layout ---------------------------------------------------------------- */

static size_t
routes_count(void)
{
	size_t n = 0, t;
	const struct route *rt;

	for (t = 0; route_tables[t].routes; t++)
		for (rt = route_tables[t].routes; rt->method; rt++)
			n++;
	return n;
}

/* rt's row in the cells, the last one for NULL (or a route not in the
 * tables). */
static size_t
route_index(size_t nroutes, const struct route *rt)
{
	size_t base = 0, t, n;
	const struct route *r;

	for (t = 0; rt && route_tables[t].routes; t++) {
		r = route_tables[t].routes;
		for (n = 0; r[n].method; n++)
			;
		if (rt >= r && rt < r + n)
			return base + (size_t)(rt - r);
		base += n;
	}
	return nroutes - 1;
}

/* The route of row i, NULL for "unmatched". */
static const struct route *
route_at(size_t i)
{
	size_t t, n;
	const struct route *r;

	for (t = 0; route_tables[t].routes; t++) {
		r = route_tables[t].routes;
		for (n = 0; r[n].method; n++)
			;
		if (i < n)
			return &r[i];
		i -= n;
	}
	return NULL;
}

static size_t
status_index(int status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i] == status)
			return i;
	return ARRAY_SIZE(statuses);
}

static struct metrics_slot *
slot_at(const struct metrics *m, size_t i)
{
	return (struct metrics_slot *)(uintptr_t)(m->slots + i * m->slot_size);
}

static _Atomic unsigned long long *
req_cell(struct metrics_slot *s, size_t route, size_t status)
{
	return &s->cells[route * NSTATUS + status];
}

static _Atomic unsigned long long *
bucket_cell(struct metrics_slot *s, size_t route, size_t b)
{
	return &s->cells[s->nroutes * NSTATUS + route * NCELL_BUCKETS + b];
}

static _Atomic unsigned long long *
sum_cell(struct metrics_slot *s, size_t route)
{
	return &s->cells[s->nroutes * (NSTATUS + NCELL_BUCKETS) + route];
}

/* ---- the master ------------------------------------------------------------- */

struct metrics *
metrics_new(void)
{
	size_t nroutes = routes_count() + 1;
	size_t cells = nroutes * (NSTATUS + NCELL_BUCKETS + 1);
	size_t slot = (sizeof(struct metrics_slot) + cells * sizeof(unsigned long long)
		       + 63) & ~(size_t)63;
	size_t size = sizeof(struct metrics) + METRICS_SLOTS * slot;
	struct metrics *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		log_error("metrics: mmap of %zu bytes: %s; running without"
			  " metrics", size, strerror(errno));
		return NULL;
	}
	m->size = size;
	m->slot_size = slot;
	m->nroutes = nroutes;
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m)
		munmap(m, m->size);
}

void
metrics_worker_gone(struct metrics *m, pid_t pid, bool restarted)
{
	unsigned i, used;

	if (!m)
		return;
	if (restarted)
		atomic_fetch_add(&m->restarts, 1);
	used = atomic_load(&m->used);
	for (i = 0; i < used; i++) {
		struct metrics_slot *s = slot_at(m, i);

		if (atomic_load(&s->owner) != pid)
			continue;
		/* It died with these requests unanswered. */
		atomic_store(&s->in_flight, 0);
		atomic_store(&s->owner, 0);
		return;
	}
}

/* ---- a worker ------------------------------------------------------------- */

struct metrics_slot *
metrics_claim(struct metrics *m)
{
	pid_t self = getpid(), free_owner;
	unsigned i, used;

	if (!m)
		return NULL;
	for (i = 0; i < METRICS_SLOTS; i++) {
		struct metrics_slot *s = slot_at(m, i);

		free_owner = 0;
		if (!atomic_compare_exchange_strong(&s->owner, &free_owner,
						    self))
			continue;
		s->nroutes = m->nroutes;
		used = atomic_load(&m->used);
		while (used < i + 1 &&
		       !atomic_compare_exchange_weak(&m->used, &used, i + 1))
			;
		return s;
	}
	log_warn("metrics: all %d slots taken; this worker is not counted",
		 METRICS_SLOTS);
	return NULL;
}

void
metrics_request_start(struct metrics_slot *s)
{
	if (s)
		atomic_fetch_add(&s->in_flight, 1);
}

void
metrics_request_done(struct metrics_slot *s, const struct route *rt,
		     int status, long long us, bool replayed)
{
	size_t route, b = 0;

	if (!s)
		return;
	route = route_index(s->nroutes, rt);
	atomic_fetch_add(req_cell(s, route, status_index(status)), 1);
	while (b < METRICS_NBUCKETS && us > bucket_us[b])
		b++;
	atomic_fetch_add(bucket_cell(s, route, b), 1);
	atomic_fetch_add(sum_cell(s, route),
			 (unsigned long long)(us > 0 ? us : 0));
	if (replayed)
		atomic_fetch_add(&s->replays, 1);
	atomic_fetch_sub(&s->in_flight, 1);
}

void
metrics_db(struct metrics_slot *s, long long errors, long long reconnects,
	   long long seen[2])
{
	if (!s)
		return;
	if (errors > seen[0])
		atomic_fetch_add(&s->db_errors,
				 (unsigned long long)(errors - seen[0]));
	if (reconnects > seen[1])
		atomic_fetch_add(&s->db_reconnects,
				 (unsigned long long)(reconnects - seen[1]));
	seen[0] = errors;
	seen[1] = reconnects;
}

/* ---- haas-ingestd's file ----------------------------------------------------- */

#define INGEST_MAGIC 0x3173676e69736168ULL	/* "haasing1" */

struct ingest_metrics {
	unsigned long long magic;
	_Atomic long long count[INGEST__OUTCOMES];
	_Atomic long long lag_us;
	_Atomic long long pending;
	_Atomic long long updated_us;	/* wall clock of the last turn */
};

static long long
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct ingest_metrics *
ingest_metrics_open(const char *path)
{
	struct ingest_metrics *im = NULL;
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || fstat(fd, &st) != 0)
		goto out;
	/* Another layout (or a torn first start): begin from zero. */
	if ((size_t)st.st_size != sizeof(*im) &&
	    (ftruncate(fd, 0) != 0 || ftruncate(fd, sizeof(*im)) != 0))
		goto out;
	im = mmap(NULL, sizeof(*im), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (im == MAP_FAILED) {
		im = NULL;
		goto out;
	}
	if (im->magic != INGEST_MAGIC) {
		memset(im, 0, sizeof(*im));
		im->magic = INGEST_MAGIC;
	}
out:
	if (!im)
		log_warn("ingestd: metrics file %s: %s; running without"
			 " metrics", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return im;
}

void
ingest_metrics_close(struct ingest_metrics *im)
{
	if (im)
		munmap(im, sizeof(*im));
}

void
ingest_metrics_count(struct ingest_metrics *im, enum ingest_outcome o,
		     long long n)
{
	if (im && n > 0)
		atomic_fetch_add(&im->count[o], n);
}

void
ingest_metrics_batch(struct ingest_metrics *im, long long lag_us,
		     long long pending)
{
	if (!im)
		return;
	atomic_store(&im->lag_us, lag_us > 0 ? lag_us : 0);
	ingest_metrics_pending(im, pending);
}

void
ingest_metrics_pending(struct ingest_metrics *im, long long pending)
{
	if (!im)
		return;
	atomic_store(&im->pending, pending);
	atomic_store(&im->updated_us, wall_us());
}

/* A read-only copy of ingestd's file; false when there is none (ingestd
 * never ran here) or it is not one. */
static bool
ingest_read(const char *path, long long count[INGEST__OUTCOMES],
	    long long *lag_us, long long *pending, long long *updated_us)
{
	struct ingest_metrics *im;
	struct stat st;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), o;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size != sizeof(*im)) {
		close(fd);
		return false;
	}
	im = mmap(NULL, sizeof(*im), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (im == MAP_FAILED)
		return false;
	if (im->magic == INGEST_MAGIC) {
		for (o = 0; o < INGEST__OUTCOMES; o++)
			count[o] = atomic_load(&im->count[o]);
		*lag_us = atomic_load(&im->lag_us);
		*pending = atomic_load(&im->pending);
		*updated_us = atomic_load(&im->updated_us);
		ok = true;
	}
	munmap(im, sizeof(*im));
	return ok;
}

/* ---- rendering -------------------------------------------------------------- */

static void
family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void
single(struct buf *out, const char *name, const char *type, const char *help,
       long long v)
{
	family(out, name, type, help);
	buf_addf(out, "%s %lld\n", name, v);
}

/* A label value with \, " and newline escaped. */
static void
label_value(struct buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_addf(out, "\\%c", *v);
		else if (*v == '\n')
			buf_adds(out, "\\n");
		else
			buf_add(out, v, 1);
	}
}

/* method="GET",route="/api/x/{id}" of row i. */
static void
route_labels(struct buf *out, size_t i)
{
	const struct route *rt = route_at(i);

	buf_adds(out, "method=\"");
	label_value(out, rt ? rt->method : "");
	buf_adds(out, "\",route=\"");
	label_value(out, rt ? rt->path : "unmatched");
	buf_adds(out, "\"");
}

/* Microseconds as seconds, exactly (no float rounding). */
static void
seconds(struct buf *out, long long us)
{
	buf_addf(out, "%lld.%06lld", us / 1000000, us % 1000000);
}

/* A bucket's bound as the shortest exact decimal ("0.005", "1"). */
static void
bound(struct buf *out, long long us)
{
	char s[32];
	size_t n = (size_t)snprintf(s, sizeof(s), "%lld.%06lld", us / 1000000,
				    us % 1000000);

	while (s[n - 1] == '0')
		n--;
	if (s[n - 1] == '.')
		n--;
	buf_add(out, s, n);
}

static unsigned long long
sum_over(const struct metrics *m, size_t off)
{
	unsigned long long n = 0;
	unsigned i, used = atomic_load(&m->used);

	for (i = 0; i < used; i++)
		n += atomic_load(&slot_at(m, i)->cells[off]);
	return n;
}

static void
render_requests(const struct metrics *m, struct buf *out)
{
	size_t r, st;
	unsigned long long n;

	family(out, "haas_http_requests_total", "counter",
	       "Requests haasd answered, by route pattern, method and status.");
	for (r = 0; r < m->nroutes; r++)
		for (st = 0; st < NSTATUS; st++) {
			n = sum_over(m, r * NSTATUS + st);
			if (!n)
				continue;
			buf_adds(out, "haas_http_requests_total{");
			route_labels(out, r);
			if (st < ARRAY_SIZE(statuses))
				buf_addf(out, ",status=\"%d\"}", statuses[st]);
			else
				buf_adds(out, ",status=\"other\"}");
			buf_addf(out, " %llu\n", n);
		}
}

static void
render_histogram(const struct metrics *m, size_t r, struct buf *out)
{
	size_t base = m->nroutes * NSTATUS + r * NCELL_BUCKETS, b;
	unsigned long long cum = 0;

	for (b = 0; b < NCELL_BUCKETS; b++) {
		cum += sum_over(m, base + b);
		buf_adds(out, "haas_http_request_duration_seconds_bucket{");
		route_labels(out, r);
		buf_adds(out, ",le=\"");
		if (b < METRICS_NBUCKETS)
			bound(out, bucket_us[b]);
		else
			buf_adds(out, "+Inf");
		buf_addf(out, "\"} %llu\n", cum);
	}
	buf_adds(out, "haas_http_request_duration_seconds_sum{");
	route_labels(out, r);
	buf_adds(out, "} ");
	seconds(out, (long long)sum_over(m, m->nroutes * (NSTATUS
		+ NCELL_BUCKETS) + r));
	buf_adds(out, "\nhaas_http_request_duration_seconds_count{");
	route_labels(out, r);
	buf_addf(out, "} %llu\n", cum);
}

static void
render_latency(const struct metrics *m, struct buf *out)
{
	size_t r, b, base;
	unsigned long long n;

	family(out, "haas_http_request_duration_seconds", "histogram",
	       "Time haasd took to answer, by route pattern and method.");
	for (r = 0; r < m->nroutes; r++) {
		base = m->nroutes * NSTATUS + r * NCELL_BUCKETS;
		for (n = 0, b = 0; b < NCELL_BUCKETS; b++)
			n += sum_over(m, base + b);
		if (n)
			render_histogram(m, r, out);
	}
}

/* The slots' sums of the per-worker scalars. */
static void
render_workers(const struct metrics *m, struct buf *out)
{
	unsigned long long errors = 0, reconnects = 0, replays = 0;
	long long in_flight = 0, workers = 0;
	unsigned i, used = atomic_load(&m->used);

	for (i = 0; i < used; i++) {
		struct metrics_slot *s = slot_at(m, i);

		errors += atomic_load(&s->db_errors);
		reconnects += atomic_load(&s->db_reconnects);
		replays += atomic_load(&s->replays);
		if (atomic_load(&s->owner)) {
			workers++;
			in_flight += atomic_load(&s->in_flight);
		}
	}
	single(out, "haas_http_requests_in_flight", "gauge",
	       "Requests haasd's workers are answering now (this one too).",
	       in_flight);
	single(out, "haas_workers", "gauge",
	       "haasd worker processes running now (with the health worker).",
	       workers);
	single(out, "haas_worker_restarts_total", "counter",
	       "Workers that died and were replaced by the master.",
	       (long long)atomic_load(&m->restarts));
	single(out, "haas_db_errors_total", "counter",
	       "Unexpected database failures (server unavailable, connect"
	       " refused, unmapped errors).", (long long)errors);
	single(out, "haas_db_reconnects_total", "counter",
	       "Database connections made after a worker's first.",
	       (long long)reconnects);
	single(out, "haas_idempotent_replays_total", "counter",
	       "Idempotency-Key requests answered with the stored reply.",
	       (long long)replays);
}

static void
render_ingest(const char *path, struct buf *out)
{
	static const char *const names[] = { "applied", "ignored", "dropped" };
	long long count[INGEST__OUTCOMES], lag, pending, updated;
	int o;

	if (!path || !ingest_read(path, count, &lag, &pending, &updated))
		return;
	family(out, "haas_ingest_messages_total", "counter",
	       "Sensor messages haas-ingestd took from MQTT, by outcome.");
	for (o = 0; o < INGEST__OUTCOMES; o++)
		buf_addf(out, "haas_ingest_messages_total{outcome=\"%s\"} %lld\n",
			 names[o], count[o]);
	family(out, "haas_ingest_lag_seconds", "gauge",
	       "From arrival to commit of the oldest message of the last"
	       " batch applied.");
	buf_adds(out, "haas_ingest_lag_seconds ");
	seconds(out, lag);
	buf_adds(out, "\n");
	single(out, "haas_ingest_spool_pending", "gauge",
	       "Messages spooled and not yet applied.", pending);
	family(out, "haas_ingest_updated_timestamp_seconds", "gauge",
	       "When haas-ingestd last went round its loop (Unix time).");
	buf_adds(out, "haas_ingest_updated_timestamp_seconds ");
	seconds(out, updated);
	buf_adds(out, "\n");
}

void
metrics_render(const struct metrics *m, const struct metrics_extra *x,
	       struct buf *out)
{
	if (m) {
		render_requests(m, out);
		render_latency(m, out);
		render_workers(m, out);
	}
	single(out, "haas_db_up", "gauge",
	       "1 when the scraping worker's database answered.",
	       x->db_up ? 1 : 0);
	if (x->pending_registrations >= 0)
		single(out, "haas_registrations_pending", "gauge",
		       "Driver registrations waiting for a decision.",
		       x->pending_registrations);
	render_ingest(x->ingest_path, out);
}

/* ---- GET /api/metrics ------------------------------------------------------- */

static enum err
metrics_get(struct req *r)
{
	const struct config *cfg = &r->app->cfg;
	struct metrics_extra x = { .pending_registrations = -1 };
	struct buf out = { 0 };
	long long n;
	char *path = req_printf(r, "%s.metrics", cfg->ingest_spool);

	if (db_query_int(r->db, sql[Q_PENDING], DB_P(db_int(
		cfg->registration_ttl_days)), ERR_OK, &n) == ERR_OK) {
		x.db_up = true;
		x.pending_registrations = n;
	}
	x.ingest_path = path;
	metrics_render(r->app->metrics, &x, &out);
	r->text = req_strndup(r, out.s ? out.s : "", out.len);
	r->text_type = "text/plain; version=0.0.4; charset=utf-8";
	buf_release(&out);
	return ERR_OK;
}

const struct route metrics_routes[] = {
	/* nginx serves it to loopback and HAAS_METRICS_ALLOW only */
	{ "GET", "/api/metrics", ROLE_NONE, 200, BODY_NONE, metrics_get,
	  "Counters in the Prometheus text format (0.0.4)",
	  .reply = "text/plain" },
	{ 0 },
};
