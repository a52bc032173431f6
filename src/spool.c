/* spool: a durable append-only record queue in one file (see spool.h). */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define HEADER_MAGIC "haas-spool 1 "
#define HEADER_MAX 80
/* Bytes spool_peek reads at once: more than the longest record. */
#define PEEK_BYTES (4 * SPOOL_RECORD_MAX)

struct spool {
	char *path;
	int fd;			/* O_APPEND */
	int lock_fd;
	char gen[SPOOL_GEN_LEN + 1];
	long long base;		/* number of the file's first record */
	long long count;	/* records in the file */
	long long synced;	/* of them, known to be on disk */
	long long done;		/* of them, consumed */
	off_t hdr_len;
	off_t head;		/* offset of the oldest pending record */
	off_t synced_end;	/* offset after the last synced record */
	off_t end;		/* offset after the last record */
};

/* ---- file helpers ----------------------------------------------------- */

/* Reads n bytes at off; returns the count read (short at end of file) or
 * -1. */
static ssize_t
pread_all(int fd, char *p, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* fsync of the directory holding path, so a rename in it is durable. */
static int
fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : fsync(fd);

	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

static size_t
header_format(char out[HEADER_MAX], const char *gen, long long base)
{
	return (size_t)snprintf(out, HEADER_MAX, HEADER_MAGIC "%s %lld\n", gen,
				base);
}

/* "haas-spool 1 <gen> <base>" (without its newline) into sp. */
static int
header_parse(struct spool *sp, const char *line)
{
	size_t m = strlen(HEADER_MAGIC), i;
	const char *g = line + m;

	if (strncmp(line, HEADER_MAGIC, m) || strlen(g) < SPOOL_GEN_LEN + 2 ||
	    g[SPOOL_GEN_LEN] != ' ')
		return -1;
	for (i = 0; i < SPOOL_GEN_LEN; i++)
		if (!(g[i] >= '0' && g[i] <= '9') &&
		    !(g[i] >= 'a' && g[i] <= 'f'))
			return -1;
	if (parse_ll(g + SPOOL_GEN_LEN + 1, 0, INT64_MAX / 2, &sp->base))
		return -1;
	memcpy(sp->gen, g, SPOOL_GEN_LEN);
	sp->gen[SPOOL_GEN_LEN] = '\0';
	return 0;
}

/* Copies bytes [from, to) of sp->fd to fd. */
static int
copy_range(struct spool *sp, int fd, off_t from, off_t to)
{
	char *buf = xmalloc(PEEK_BYTES);
	int rc = 0;

	while (rc == 0 && from < to) {
		size_t want = (size_t)(to - from) < PEEK_BYTES
			? (size_t)(to - from) : PEEK_BYTES;
		ssize_t got = pread_all(sp->fd, buf, want, from);

		if (got != (ssize_t)want || write_all(fd, buf, want))
			rc = -1;
		from += (off_t)want;
	}
	free(buf);
	return rc;
}

/* Writes a new spool file (header with base, then bytes [from, to) of the
 * current one) under a temporary name, syncs it and renames it over path:
 * the file is always either the old one or the complete new one.  Returns
 * the new file, open for appending, or -1 (logged; nothing changed). */
static int
file_replace(struct spool *sp, long long base, off_t from, off_t to)
{
	char hdr[HEADER_MAX];
	char *tmp = xasprintf("%s.tmp", sp->path);
	size_t n = header_format(hdr, sp->gen, base);
	int fd = open(tmp, O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);

	if (fd < 0)
		goto fail;
	if (write_all(fd, hdr, n) || copy_range(sp, fd, from, to) ||
	    fdatasync(fd) || rename(tmp, sp->path))
		goto fail;
	/* Renamed: this is the spool now, synced directory or not. */
	if (fsync_dir(sp->path))
		log_warn("spool: cannot sync the directory of %s: %s",
			 sp->path, strerror(errno));
	free(tmp);
	return fd;
fail:
	log_error("spool: cannot write %s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

/* ---- opening ----------------------------------------------------------- */

/* Counts the records after the header and cuts off a torn last one. */
static int
scan_records(struct spool *sp)
{
	char *buf = xmalloc(PEEK_BYTES);
	off_t off = sp->hdr_len, last = sp->hdr_len;
	ssize_t got, i;

	sp->count = 0;
	while ((got = pread_all(sp->fd, buf, PEEK_BYTES, off)) > 0) {
		for (i = 0; i < got; i++)
			if (buf[i] == '\n') {
				sp->count++;
				last = off + i + 1;
			}
		off += got;
	}
	free(buf);
	if (got < 0)
		return -1;
	sp->end = last;
	if (off > last) {
		log_warn("spool: %s: cutting off a torn last record (%lld "
			 "bytes)", sp->path, (long long)(off - last));
		if (ftruncate(sp->fd, last))
			return -1;
	}
	/* what an earlier process wrote but did not sync is on disk now */
	if (fdatasync(sp->fd))
		return -1;
	sp->synced = sp->count;
	sp->synced_end = sp->end;
	return 0;
}

/* Reads the header and the records of the open file. */
static int
scan(struct spool *sp, char *err, size_t errlen)
{
	char line[HEADER_MAX + 1];
	ssize_t got = pread_all(sp->fd, line, HEADER_MAX, 0);
	char *nl = got > 0 ? memchr(line, '\n', (size_t)got) : NULL;

	if (got < 0) {
		snprintf(err, errlen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	if (nl)
		*nl = '\0';
	if (!nl || header_parse(sp, line)) {
		snprintf(err, errlen, "%s: not a haas spool (bad header line)",
			 sp->path);
		return -1;
	}
	sp->hdr_len = nl - line + 1;
	sp->head = sp->hdr_len;
	if (scan_records(sp)) {
		snprintf(err, errlen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
lock_take(struct spool *sp, char *err, size_t errlen)
{
	char *lock = xasprintf("%s.lock", sp->path);

	sp->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (sp->lock_fd < 0 || flock(sp->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "%s.lock: %s", sp->path,
			 errno == EWOULDBLOCK ? "the spool is in use by another"
			 " process" : strerror(errno));
		return -1;
	}
	return 0;
}

/* A missing spool file is created empty, with a new generation. */
static int
create_if_missing(struct spool *sp, char *err, size_t errlen)
{
	unsigned char g[SPOOL_GEN_LEN / 2];
	int fd;

	if (access(sp->path, F_OK) == 0)
		return 0;
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	random_bytes(g, sizeof(g));
	hex_encode(g, sizeof(g), sp->gen);
	fd = file_replace(sp, 0, 0, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create it", sp->path);
		return -1;
	}
	close(fd);
	log_info("spool: created %s (generation %s)", sp->path, sp->gen);
	return 0;
}

struct spool *
spool_open(const char *path, char *err, size_t errlen)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));

	sp->path = xstrdup(path);
	sp->fd = -1;
	sp->lock_fd = -1;
	if (lock_take(sp, err, errlen) || create_if_missing(sp, err, errlen))
		goto fail;
	sp->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (sp->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (scan(sp, err, errlen) == 0)
		return sp;
fail:
	spool_free(sp);
	return NULL;
}

void
spool_free(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);
	free(sp->path);
	free(sp);
}

/* ---- appending and reading --------------------------------------------- */

int
spool_append(struct spool *sp, const char *rec, size_t len)
{
	struct iovec iov[2] = { { (void *)rec, len }, { "\n", 1 } };
	ssize_t w;

	if (len == 0 || len > SPOOL_RECORD_MAX || memchr(rec, '\n', len)) {
		log_error("spool: refusing a record of %zu bytes", len);
		return -1;
	}
	do
		w = writev(sp->fd, iov, 2);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len + 1) {
		log_error("spool: cannot append to %s: %s", sp->path,
			  w < 0 ? strerror(errno) : "short write");
		/* A partial record would be cut off at the next open anyway;
		 * cutting it now keeps the next one readable. */
		if (ftruncate(sp->fd, sp->end))
			log_error("spool: cannot truncate %s", sp->path);
		return -1;
	}
	sp->end += (off_t)len + 1;
	sp->count++;
	return 0;
}

int
spool_sync(struct spool *sp)
{
	if (sp->synced == sp->count)
		return 0;
	if (fdatasync(sp->fd)) {
		log_error("spool: cannot sync %s: %s", sp->path,
			  strerror(errno));
		return -1;
	}
	sp->synced = sp->count;
	sp->synced_end = sp->end;
	return 0;
}

long long
spool_pending(const struct spool *sp)
{
	return sp->synced - sp->done;
}

const char *
spool_gen(const struct spool *sp)
{
	return sp->gen;
}

long long
spool_next(const struct spool *sp)
{
	return sp->base + sp->count;
}

/* Splits buf[0..len) into at most max NUL-terminated records. */
static void
batch_split(struct spool_batch *b, size_t len, size_t max, off_t at)
{
	char *p = b->buf, *stop = b->buf + len, *nl;

	b->rec = xcalloc(max, sizeof(*b->rec));
	while (b->n < max) {
		nl = memchr(p, '\n', (size_t)(stop - p));
		if (!nl)
			break;
		*nl = '\0';
		b->rec[b->n++] = p;
		p = nl + 1;
	}
	b->end = at + (p - b->buf);
}

int
spool_peek(struct spool *sp, size_t max, struct spool_batch *b)
{
	size_t want = (size_t)(sp->synced_end - sp->head);
	ssize_t got;

	memset(b, 0, sizeof(*b));
	b->first = sp->base + sp->done;
	b->end = sp->head;
	if (max == 0 || want == 0)
		return 0;
	if (want > PEEK_BYTES)
		want = PEEK_BYTES;
	b->buf = xmalloc(want + 1);
	got = pread_all(sp->fd, b->buf, want, sp->head);
	if (got != (ssize_t)want) {
		log_error("spool: cannot read %s: %s", sp->path,
			  got < 0 ? strerror(errno) : "short read");
		spool_batch_release(b);
		return -1;
	}
	batch_split(b, want, max, sp->head);
	if (b->n == 0) {
		log_error("spool: %s: a record longer than %d bytes at %lld",
			  sp->path, PEEK_BYTES, (long long)sp->head);
		spool_batch_release(b);
		return -1;
	}
	return 0;
}

void
spool_batch_release(struct spool_batch *b)
{
	free(b->buf);
	free(b->rec);
	memset(b, 0, sizeof(*b));
}

/* Rewrites the file with the pending records only (synced or not: the new
 * file is synced as a whole). */
static int
compact(struct spool *sp)
{
	char hdr[HEADER_MAX];
	long long base = sp->base + sp->done;
	int fd = file_replace(sp, base, sp->head, sp->end);

	if (fd < 0)
		return -1;
	close(sp->fd);
	sp->fd = fd;
	sp->base = base;
	sp->count -= sp->done;
	sp->synced = sp->count;
	sp->done = 0;
	sp->hdr_len = (off_t)header_format(hdr, sp->gen, base);
	sp->end = sp->hdr_len + (sp->end - sp->head);
	sp->synced_end = sp->end;
	sp->head = sp->hdr_len;
	return 0;
}

int
spool_consume(struct spool *sp, const struct spool_batch *b)
{
	if (b->n == 0)
		return 0;
	sp->done += (long long)b->n;
	sp->head = b->end;
	if (sp->head - sp->hdr_len < SPOOL_COMPACT_BYTES)
		return 0;
	return compact(sp);
}
