/* metrics: haasd's counters for Prometheus, kept in one shared mapping the
 * master makes before it forks (a slot per worker, summed when scraped),
 * haas-ingestd's in a small file next to its spool, and the text
 * exposition format (0.0.4) of both at GET /api/metrics. */
#ifndef HAAS_METRICS_H
#define HAAS_METRICS_H

#include <stdbool.h>
#include <sys/types.h>

#include "router.h"

struct buf;
struct metrics;
struct metrics_slot;

/* Slots: one per live worker.  Enough for two generations of the most
 * workers haas.conf allows (256) during a reload, each with its health
 * worker; pages of a slot no worker claims are never touched, so they
 * cost address space only. */
#define METRICS_SLOTS (2 * 256 + 2)

/* The latency buckets' upper bounds, in microseconds. */
#define METRICS_BUCKETS_US 1000, 5000, 10000, 50000, 100000, 500000, \
	1000000, 5000000
#define METRICS_NBUCKETS 8

/* ---- haasd's master ----------------------------------------------------- */

/* A zeroed MAP_SHARED anonymous mapping, made before any worker is forked
 * so that every worker inherits it; NULL (logged) when mmap fails:
 * haasd then runs without metrics.  Unmapped by metrics_free (NULL ok). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* The master reaped worker pid: its slot is freed for the next worker,
 * which adds on to the values the dead one left (so no sum ever goes
 * back), and its in-flight count is cleared.  restarted: it died and is
 * replaced (counted in haas_worker_restarts_total); a worker of an old
 * generation ending after SIGHUP is not.  m may be NULL. */
void metrics_worker_gone(struct metrics *m, pid_t pid, bool restarted);

/* ---- a worker ------------------------------------------------------------ */

/* Takes a free slot for this process (by pid); NULL when m is NULL or
 * every slot is taken.  Every function below accepts a NULL slot. */
struct metrics_slot *metrics_claim(struct metrics *m);

/* A request starts: the in-flight gauge goes up. */
void metrics_request_start(struct metrics_slot *s);
/* A request ended: in flight down, its count under (route, status) and
 * its duration us in the route's histogram.  rt: the route it matched,
 * NULL when none did (counted as route "unmatched"). */
void metrics_request_done(struct metrics_slot *s, const struct route *rt,
			  int status, long long us, bool replayed);
/* The DB handle's counts since it was made (db_stats): the slot gets
 * what is new since the last call.  *seen keeps the last values (zeroed
 * by the caller when the handle is made). */
void metrics_db(struct metrics_slot *s, long long errors,
		long long reconnects, long long seen[2]);

/* ---- haas-ingestd ---------------------------------------------------------- */

struct ingest_metrics;

enum ingest_outcome {
	INGEST_APPLIED,	/* committed to its space */
	INGEST_IGNORED,	/* old news (seq), or no live space has the sensor */
	INGEST_DROPPED,	/* malformed, unreadable, or the spool refused it */
	INGEST__OUTCOMES
};

/* The counters' file (path: ingest_spool + ".metrics"), created 0644 when
 * missing or of another layout and mapped shared; kept across restarts,
 * so counts only grow while the file lives.  NULL (logged) on failure:
 * ingestd then runs without metrics.  Path is the caller's; caller owns
 * the result (ingest_metrics_close, NULL ok). */
struct ingest_metrics *ingest_metrics_open(const char *path);
void ingest_metrics_close(struct ingest_metrics *im);
/* n more messages with outcome o. */
void ingest_metrics_count(struct ingest_metrics *im, enum ingest_outcome o,
			  long long n);
/* After a batch committed: microseconds from the arrival of its oldest
 * message to the commit, and the messages still spooled. */
void ingest_metrics_batch(struct ingest_metrics *im, long long lag_us,
			  long long pending);
/* Messages waiting in the spool now (each loop turn). */
void ingest_metrics_pending(struct ingest_metrics *im, long long pending);

/* ---- the scrape ---------------------------------------------------------- */

/* What haasd adds to its own counters at a scrape. */
struct metrics_extra {
	bool db_up;			/* the worker's database answered */
	long long pending_registrations;	/* -1: unknown (DB down) */
	const char *ingest_path;	/* ingestd's file; NULL: none */
};

/* Appends the exposition text of m (summed over its slots) and x to out:
 * per-route series only once they have counted something; every family
 * with its HELP and TYPE, except those with nothing to say (no ingest
 * file, pending registrations unknown).  m NULL: no haasd counters (the
 * rest still renders). */
void metrics_render(const struct metrics *m, const struct metrics_extra *x,
		    struct buf *out);

/* The route table of GET /api/metrics (router.h; routes.c lists it). */
extern const struct route metrics_routes[];

#endif
