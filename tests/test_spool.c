/* test_spool: the durable record queue: numbering, reopening, torn
 * records, compaction, the lock and bad files; in a scratch directory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "spool.h"
#include "util.h"

/* A fresh scratch directory and the spool path in it (caller frees). */
static char *
scratch(void)
{
	char dir[] = "/tmp/test_spool_XXXXXX";

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	return xasprintf("%s/ingest.spool", dir);
}

/* Removes the scratch directory of path and frees path. */
static void
scratch_rm(char *path)
{
	char *lock = xasprintf("%s.lock", path), *slash = strrchr(path, '/');

	unlink(path);
	unlink(lock);
	*slash = '\0';
	CU_ASSERT_EQUAL(rmdir(path), 0);
	free(lock);
	free(path);
}

static struct spool *
open_ok(const char *path)
{
	char err[256] = "";
	struct spool *sp = spool_open(path, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL(sp);
	if (!sp)
		fprintf(stderr, "\n    spool_open: %s\n", err);
	return sp;
}

/* Appends and syncs one record. */
static void
append(struct spool *sp, const char *rec)
{
	CU_ASSERT_EQUAL(spool_append(sp, rec, strlen(rec)), 0);
	CU_ASSERT_EQUAL(spool_sync(sp), 0);
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static void
test_numbering_and_reopen(void)
{
	char *path = scratch(), gen[SPOOL_GEN_LEN + 1];
	struct spool *sp = open_ok(path);
	struct spool_batch b;

	CU_ASSERT_EQUAL(strlen(spool_gen(sp)), SPOOL_GEN_LEN);
	snprintf(gen, sizeof(gen), "%s", spool_gen(sp));
	CU_ASSERT_EQUAL(spool_pending(sp), 0);
	CU_ASSERT_EQUAL(spool_next(sp), 0);
	append(sp, "one");
	append(sp, "two");
	append(sp, "three");
	CU_ASSERT_EQUAL(spool_pending(sp), 3);
	CU_ASSERT_EQUAL(spool_peek(sp, 2, &b), 0);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_EQUAL(b.first, 0);
	CU_ASSERT_STRING_EQUAL(b.rec[0], "one");
	CU_ASSERT_STRING_EQUAL(b.rec[1], "two");
	CU_ASSERT_EQUAL(spool_consume(sp, &b), 0);
	spool_batch_release(&b);
	CU_ASSERT_EQUAL(spool_pending(sp), 1);
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.n, 1);
	CU_ASSERT_EQUAL(b.first, 2);
	CU_ASSERT_STRING_EQUAL(b.rec[0], "three");
	spool_batch_release(&b);
	/* consumed records below the compaction size stay in the file:
	 * after a restart they are pending again, with the same numbers */
	spool_free(sp);
	sp = open_ok(path);
	CU_ASSERT_STRING_EQUAL(spool_gen(sp), gen);
	CU_ASSERT_EQUAL(spool_pending(sp), 3);
	CU_ASSERT_EQUAL(spool_next(sp), 3);
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.n, 3);
	CU_ASSERT_EQUAL(b.first, 0);
	spool_batch_release(&b);
	spool_free(sp);
	scratch_rm(path);
}

/* Appended records reach the consumer only once synced; a burst is one
 * sync.  A process that ends without syncing leaves them in the file. */
static void
test_sync(void)
{
	char *path = scratch();
	struct spool *sp = open_ok(path);
	struct spool_batch b;

	append(sp, "first");
	CU_ASSERT_EQUAL(spool_append(sp, "second", 6), 0);
	CU_ASSERT_EQUAL(spool_append(sp, "third", 5), 0);
	CU_ASSERT_EQUAL(spool_pending(sp), 1);
	CU_ASSERT_EQUAL(spool_next(sp), 3);
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.n, 1);
	spool_batch_release(&b);
	CU_ASSERT_EQUAL(spool_sync(sp), 0);
	CU_ASSERT_EQUAL(spool_pending(sp), 3);
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.n, 3);
	CU_ASSERT_STRING_EQUAL(b.rec[2], "third");
	spool_batch_release(&b);
	CU_ASSERT_EQUAL(spool_append(sp, "fourth", 6), 0);
	spool_free(sp);
	sp = open_ok(path);
	CU_ASSERT_EQUAL(spool_pending(sp), 4);
	spool_free(sp);
	scratch_rm(path);
}

static void
test_torn_record(void)
{
	char *path = scratch();
	struct spool *sp = open_ok(path);
	struct spool_batch b;
	off_t size;
	int fd;

	append(sp, "whole");
	size = file_size(path);
	spool_free(sp);
	/* a crash in the middle of an append */
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_EQUAL(write(fd, "{\"half", 6), 6);
	close(fd);
	sp = open_ok(path);
	CU_ASSERT_EQUAL(spool_pending(sp), 1);
	CU_ASSERT_EQUAL(file_size(path), size);
	append(sp, "next");
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_STRING_EQUAL(b.rec[0], "whole");
	CU_ASSERT_STRING_EQUAL(b.rec[1], "next");
	spool_batch_release(&b);
	spool_free(sp);
	scratch_rm(path);
}

/* Consuming past SPOOL_COMPACT_BYTES rewrites the file without the
 * consumed records; numbers and generation carry on. */
static void
test_compaction(void)
{
	char *path = scratch(), rec[200], gen[SPOOL_GEN_LEN + 1];
	struct spool *sp = open_ok(path);
	struct spool_batch b;
	/* 100-byte lines; consuming all but the last passes the mark */
	long long i, n = SPOOL_COMPACT_BYTES / 100 + 2, seen = 0;

	snprintf(gen, sizeof(gen), "%s", spool_gen(sp));
	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec), "%0*lld", 99, i);
		append(sp, rec);
	}
	/* everything but the last record, 100 at a time */
	while (spool_pending(sp) > 1) {
		size_t max = spool_pending(sp) - 1 < 100
			? (size_t)spool_pending(sp) - 1 : 100;

		CU_ASSERT_EQUAL_FATAL(spool_peek(sp, max, &b), 0);
		CU_ASSERT_EQUAL(b.first, seen);
		CU_ASSERT_EQUAL(strtoll(b.rec[0], NULL, 10), seen);
		seen += (long long)b.n;
		CU_ASSERT_EQUAL(spool_consume(sp, &b), 0);
		spool_batch_release(&b);
	}
	CU_ASSERT(file_size(path) < 200 + 100);
	CU_ASSERT_EQUAL(spool_next(sp), n);
	spool_free(sp);
	sp = open_ok(path);
	CU_ASSERT_STRING_EQUAL(spool_gen(sp), gen);
	CU_ASSERT_EQUAL(spool_pending(sp), 1);
	CU_ASSERT_EQUAL(spool_next(sp), n);
	CU_ASSERT_EQUAL(spool_peek(sp, 10, &b), 0);
	CU_ASSERT_EQUAL(b.first, n - 1);
	CU_ASSERT_EQUAL(strtoll(b.rec[0], NULL, 10), n - 1);
	spool_batch_release(&b);
	spool_free(sp);
	scratch_rm(path);
}

static void
test_refusals(void)
{
	char *path = scratch(), err[256] = "";
	struct spool *sp = open_ok(path), *other;
	FILE *f;

	/* one process at a time */
	other = spool_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(other);
	CU_ASSERT(strstr(err, "in use") != NULL);
	CU_ASSERT_EQUAL(spool_append(sp, "two\nlines", 9), -1);
	CU_ASSERT_EQUAL(spool_sync(sp), 0);
	CU_ASSERT_EQUAL(spool_append(sp, "", 0), -1);
	CU_ASSERT_EQUAL(spool_pending(sp), 0);
	spool_free(sp);
	/* not a spool: refused, left alone */
	f = fopen(path, "w");
	fputs("something else\n", f);
	fclose(f);
	CU_ASSERT_PTR_NULL(spool_open(path, err, sizeof(err)));
	CU_ASSERT(strstr(err, "not a haas spool") != NULL);
	CU_ASSERT_EQUAL(file_size(path), 15);
	scratch_rm(path);
}

static CU_TestInfo tests[] = {
	{ "numbering, reopen", test_numbering_and_reopen },
	{ "only synced records are pending", test_sync },
	{ "a torn last record is cut off", test_torn_record },
	{ "compaction keeps numbers and generation", test_compaction },
	{ "lock, bad records, bad file", test_refusals },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("spool", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
