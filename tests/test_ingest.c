/* test_ingest: a batch of sensor messages carried through its spaces:
 * order, old news, boot series, wills, spaces out of service, the end of
 * a silence, and finding a sensor's space. */
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "ingest.h"

/* A space bound to sensor, as locked: status, last_seq (-1: NULL), boot. */
static struct ingest_space
space(const char *sensor, long long id, const char *status, long long seq,
      const char *boot)
{
	struct ingest_space sp = { .id = id };

	snprintf(sp.sensor, sizeof(sp.sensor), "%s", sensor);
	sp.status = ingest_status(status);
	sp.has_seq = seq >= 0;
	sp.last_seq = seq >= 0 ? seq : 0;
	snprintf(sp.boot, sizeof(sp.boot), "%s", boot ? boot : "");
	return sp;
}

/* A status message (seq -1: a will, status unknown) received at at. */
static struct ingest_msg
msg(const char *sensor, const char *status, long long seq, const char *boot,
    long long at)
{
	struct ingest_msg m = { .seq = seq, .at_us = at };

	snprintf(m.sensor, sizeof(m.sensor), "%s", sensor);
	m.status = seq < 0 ? "unknown" : status;
	snprintf(m.boot, sizeof(m.boot), "%s", boot ? boot : "");
	return m;
}

/* Applies the messages in order; the changes' seqs go to seqs, comma-
 * separated ("" for none, "w" for a will).  Returns how many applied. */
static int
fold(struct ingest_space *sp, const struct ingest_msg *m, size_t n,
     char *seqs, size_t size)
{
	struct ingest_change ch;
	bool changed;
	size_t i, len = 0;
	int applied = 0;

	seqs[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!ingest_apply(sp, &m[i], &ch, &changed))
			continue;
		applied++;
		if (!changed)
			continue;
		CU_ASSERT_EQUAL(ch.space_id, sp->id);
		CU_ASSERT_PTR_EQUAL(ch.status, sp->status);
		CU_ASSERT_EQUAL(ch.at_us, m[i].at_us);
		if (ch.seq < 0)
			len += (size_t)snprintf(seqs + len, size - len, "%sw",
						len ? "," : "");
		else
			len += (size_t)snprintf(seqs + len, size - len,
						"%s%lld", len ? "," : "",
						ch.seq);
	}
	return applied;
}

static void
test_status_constants(void)
{
	CU_ASSERT_STRING_EQUAL(ingest_status("free"), "free");
	CU_ASSERT_PTR_EQUAL(ingest_status("occupied"),
			    ingest_status("occupied"));
	CU_ASSERT_STRING_EQUAL(ingest_status("out_of_service"),
			       "out_of_service");
	CU_ASSERT_PTR_NULL(ingest_status("busy"));
	CU_ASSERT_PTR_NULL(ingest_status(NULL));
}

/* Duplicates and late messages change nothing; a status equal to the
 * current one is seen but is no change. */
static void
test_order(void)
{
	struct ingest_space sp = space("s1", 7, "unknown", -1, NULL);
	struct ingest_msg m[] = {
		msg("s1", "occupied", 2, NULL, 10),
		msg("s1", "occupied", 2, NULL, 11),	/* duplicate */
		msg("s1", "free", 1, NULL, 12),		/* late */
		msg("s1", "occupied", 3, NULL, 13),	/* no change */
		msg("s1", "free", 5, NULL, 14),
		msg("s1", "occupied", 4, NULL, 15),	/* late */
		msg("s1", "occupied", 6, NULL, 16),
	};
	char seqs[64];

	CU_ASSERT_EQUAL(fold(&sp, m, 7, seqs, sizeof(seqs)), 4);
	CU_ASSERT_STRING_EQUAL(seqs, "2,5,6");
	CU_ASSERT_STRING_EQUAL(sp.status, "occupied");
	CU_ASSERT(sp.has_seq && sp.last_seq == 6);
	CU_ASSERT(sp.applied);
	CU_ASSERT_EQUAL(sp.seen_us, 16);
	CU_ASSERT_EQUAL(sp.updated_us, 16);
	CU_ASSERT_STRING_EQUAL(sp.source, "sensor");
	CU_ASSERT_STRING_EQUAL(sp.boot, "");
}

/* Only old news: the space is untouched (nothing to write back). */
static void
test_all_stale(void)
{
	struct ingest_space sp = space("s1", 7, "free", 9, NULL);
	struct ingest_msg m[] = {
		msg("s1", "occupied", 9, NULL, 10),
		msg("s1", "occupied", 3, "", 11),
	};
	char seqs[64];

	CU_ASSERT_EQUAL(fold(&sp, m, 2, seqs, sizeof(seqs)), 0);
	CU_ASSERT_FALSE(sp.applied);
	CU_ASSERT_PTR_NULL(sp.source);
	CU_ASSERT_EQUAL(sp.last_seq, 9);
}

/* A new boot id starts a new series whatever its seq; within it, and
 * without a boot id, a lower seq is old news. */
static void
test_boot(void)
{
	struct ingest_space sp = space("s1", 7, "free", 50, "boot-a");
	struct ingest_msg m[] = {
		msg("s1", "occupied", 51, "boot-a", 10),
		msg("s1", "free", 1, "boot-b", 11),	/* new series */
		msg("s1", "occupied", 1, "boot-b", 12),	/* duplicate */
		msg("s1", "occupied", 2, "boot-b", 13),
		msg("s1", "free", 1, NULL, 14),		/* old, no boot */
		msg("s1", "free", 3, NULL, 15),		/* boot kept */
		msg("s1", "occupied", 52, "boot-a", 16), /* boot-a again */
	};
	char seqs[64];

	CU_ASSERT_EQUAL(fold(&sp, m, 7, seqs, sizeof(seqs)), 5);
	CU_ASSERT_STRING_EQUAL(seqs, "51,1,2,3,52");
	CU_ASSERT_STRING_EQUAL(sp.boot, "boot-a");
	CU_ASSERT_EQUAL(sp.last_seq, 52);
}

/* A will turns the space unknown, never is old news, and leaves the seq
 * series alone. */
static void
test_will(void)
{
	struct ingest_space sp = space("s1", 7, "free", 4, "b");
	struct ingest_msg m[] = {
		msg("s1", NULL, -1, NULL, 10),
		msg("s1", NULL, -1, NULL, 11),		/* still unknown */
		msg("s1", "free", 4, "b", 12),		/* old */
		msg("s1", "free", 5, "b", 13),
	};
	char seqs[64];

	CU_ASSERT_EQUAL(fold(&sp, m, 4, seqs, sizeof(seqs)), 3);
	CU_ASSERT_STRING_EQUAL(seqs, "w,5");
	CU_ASSERT_EQUAL(sp.last_seq, 5);
	CU_ASSERT_STRING_EQUAL(sp.status, "free");
	CU_ASSERT_STRING_EQUAL(sp.source, "sensor");
}

/* Out of service stays so: seen, seq moves on, no change. */
static void
test_out_of_service(void)
{
	struct ingest_space sp = space("s1", 7, "out_of_service", -1, NULL);
	struct ingest_msg m[] = {
		msg("s1", "occupied", 1, NULL, 10),
		msg("s1", NULL, -1, NULL, 11),
	};
	char seqs[64];

	CU_ASSERT_EQUAL(fold(&sp, m, 2, seqs, sizeof(seqs)), 2);
	CU_ASSERT_STRING_EQUAL(seqs, "");
	CU_ASSERT_STRING_EQUAL(sp.status, "out_of_service");
	CU_ASSERT(sp.applied && sp.last_seq == 1 && sp.seen_us == 11);
	CU_ASSERT_EQUAL(sp.updated_us, 0);
	CU_ASSERT_PTR_NULL(sp.source);
}

/* A silence ends with the first status applied (not a will, not old
 * news), once, naming what the space is right after it. */
static void
test_back(void)
{
	struct ingest_space sp = space("s1", 7, "unknown", 3, NULL);
	struct ingest_msg m[] = {
		msg("s1", "free", 2, NULL, 10),		/* old */
		msg("s1", NULL, -1, NULL, 11),		/* a will */
		msg("s1", "occupied", 4, NULL, 12),
		msg("s1", "free", 5, NULL, 13),
	};
	char seqs[64];

	sp.silent = true;
	fold(&sp, m, 2, seqs, sizeof(seqs));
	CU_ASSERT_PTR_NULL(sp.back);
	CU_ASSERT(sp.silent);
	fold(&sp, m + 2, 2, seqs, sizeof(seqs));
	CU_ASSERT_STRING_EQUAL(sp.back, "occupied");
	CU_ASSERT_FALSE(sp.silent);
	CU_ASSERT_STRING_EQUAL(sp.status, "free");
}

static void
test_find(void)
{
	struct ingest_space sp[] = {
		space("zeta", 1, "free", -1, NULL),
		space("alpha", 2, "free", -1, NULL),
		space("mid", 3, "free", -1, NULL),
	};
	struct ingest_space *f;

	ingest_spaces_sort(sp, 3);
	f = ingest_space_find(sp, 3, "mid");
	CU_ASSERT(f && f->id == 3);
	f = ingest_space_find(sp, 3, "zeta");
	CU_ASSERT(f && f->id == 1);
	f = ingest_space_find(sp, 3, "alpha");
	CU_ASSERT(f && f->id == 2);
	CU_ASSERT_PTR_NULL(ingest_space_find(sp, 3, "alph"));
	CU_ASSERT_PTR_NULL(ingest_space_find(sp, 0, "mid"));
}

/* Two sensors interleaved: each space sees only its own messages. */
static void
test_interleaved(void)
{
	struct ingest_space sp[] = {
		space("a", 1, "unknown", -1, NULL),
		space("b", 2, "unknown", -1, NULL),
	};
	struct ingest_msg m[] = {
		msg("a", "occupied", 1, NULL, 10),
		msg("b", "free", 1, NULL, 11),
		msg("b", "occupied", 2, NULL, 12),
		msg("a", "free", 1, NULL, 13),		/* a's duplicate */
		msg("c", "free", 1, NULL, 14),		/* no space */
		msg("a", "free", 2, NULL, 15),
	};
	struct ingest_change ch;
	struct ingest_space *s;
	bool changed;
	int changes = 0;
	size_t i;

	ingest_spaces_sort(sp, 2);
	for (i = 0; i < 6; i++) {
		s = ingest_space_find(sp, 2, m[i].sensor);
		if (s && ingest_apply(s, &m[i], &ch, &changed) && changed)
			changes++;
	}
	CU_ASSERT_EQUAL(changes, 4);
	s = ingest_space_find(sp, 2, "a");
	CU_ASSERT(s && !strcmp(s->status, "free") && s->last_seq == 2 &&
		  s->seen_us == 15);
	s = ingest_space_find(sp, 2, "b");
	CU_ASSERT(s && !strcmp(s->status, "occupied") && s->last_seq == 2);
}

static CU_TestInfo tests[] = {
	{ "status constants", test_status_constants },
	{ "duplicates and late messages", test_order },
	{ "only old news: nothing to write", test_all_stale },
	{ "boot ids start new series", test_boot },
	{ "wills", test_will },
	{ "out of service stays so", test_out_of_service },
	{ "the end of a silence", test_back },
	{ "a sensor's space", test_find },
	{ "sensors interleaved", test_interleaved },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("ingest", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
