/* spool: a durable, append-only queue of records in one file, for
 * messages that were acknowledged upstream and must survive until they are
 * applied.  One record per line after a header line
 *
 *	haas-spool 1 <generation: 32 hex digits> <base>
 *
 * Records are numbered base, base + 1, ... in the order they were
 * appended; a number never changes and is never reused within a
 * generation, so a consumer can store the last number it applied next to
 * what it applied and skip records it already has after a crash.  Consumed
 * records are dropped by rewriting the file (a new file renamed over the
 * old one) once they make up SPOOL_COMPACT_BYTES; a new file (missing
 * before) gets a new random generation.  Only records on disk (spool_sync)
 * are handed to the consumer, so nothing is applied that a power cut could
 * take back.  One process at a time: a lock
 * file "<path>.lock" is held while the spool is open. */
#ifndef HAAS_SPOOL_H
#define HAAS_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#define SPOOL_GEN_LEN 32
/* Longest record spool_append takes. */
#define SPOOL_RECORD_MAX 65536
/* Consumed bytes that make spool_consume rewrite the file. */
#define SPOOL_COMPACT_BYTES 65536

struct spool;

/* Opens the spool at path, creating it when missing (its directory must
 * exist).  A torn last record (a crash in the middle of an append) is cut
 * off.  Every record in the file is pending until consumed.  Returns NULL
 * with one line in err when the file cannot be used (locked by another
 * process, not a spool, I/O error).  Free with spool_free. */
struct spool *spool_open(const char *path, char *err, size_t errlen);
void spool_free(struct spool *sp);

/* Appends rec (len bytes: 1 to SPOOL_RECORD_MAX, no newline).  It is in
 * the file (a crash of the process keeps it) but reaches the disk, and
 * spool_peek, only with the next spool_sync: appending a burst and syncing
 * once costs one fdatasync.  Returns 0, or -1 (logged) when the record is
 * not in the spool. */
int spool_append(struct spool *sp, const char *rec, size_t len);

/* Waits until every appended record is on disk (fdatasync).  Returns 0,
 * or -1 (logged): the unsynced records may be lost with the machine, and
 * stay invisible to spool_peek. */
int spool_sync(struct spool *sp);

/* Records synced and not consumed yet. */
long long spool_pending(const struct spool *sp);

/* The generation: 32 hex digits, NUL-terminated, borrowed. */
const char *spool_gen(const struct spool *sp);

/* The number the next appended record will get. */
long long spool_next(const struct spool *sp);

/* Pending records, oldest first, as read by spool_peek. */
struct spool_batch {
	char *buf;		/* owned: the records, each NUL-terminated */
	const char **rec;	/* owned: rec[i] points into buf */
	size_t n;
	long long first;	/* the number of rec[0] */
	off_t end;		/* file offset after rec[n - 1] */
};

/* Reads up to max of the oldest pending (synced) records into b (n = 0
 * when none is pending); release b with spool_batch_release.  Returns 0, or -1
 * (logged) with b empty. */
int spool_peek(struct spool *sp, size_t max, struct spool_batch *b);
void spool_batch_release(struct spool_batch *b);

/* Marks b's records (the oldest pending ones, as spool_peek returned them)
 * consumed, and rewrites the file without the consumed records when they
 * reach SPOOL_COMPACT_BYTES.  Returns 0, or -1 (logged) when the rewrite
 * failed: the records count as consumed all the same, and the old file,
 * still complete, stays in place. */
int spool_consume(struct spool *sp, const struct spool_batch *b);

#endif
