/* test_isotime: the one ISO 8601 parser (reservation windows, history and
 * audit filters), its formats, and a fuzz over mutated and truncated
 * times (under ASan: no read past the string's end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "isotime.h"
#include "util.h"

#define S 1000000LL
#define T10 (1750932000LL * S)	/* 2025-06-26T10:00:00Z */

static long long
parsed(const char *s, const char *tz)
{
	long long us = -42;

	if (isotime_parse(s, tz, &us))
		return -1;
	return us;
}

static void
test_formats(void)
{
	/* what the MSMP portal sends: no seconds, no zone */
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00:00", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00:00Z", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26t10:00z", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26 10:00", NULL), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T12:00:00+02:00", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T05:00:00-0500", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T15:30+05:30", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T11:00+01", "UTC"), T10);
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00:00.5Z", "UTC"), T10 + S / 2);
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00:00.123456789Z", "UTC"),
			T10 + 123456);
	CU_ASSERT_EQUAL(parsed("2024-02-29T00:00Z", "UTC"), 1709164800LL * S);
	CU_ASSERT_EQUAL(parsed("1970-01-01T00:00Z", "UTC"), 0);
}

static void
test_zones(void)
{
	/* times without a zone are read in the configured zone, with DST */
	CU_ASSERT_EQUAL(parsed("2025-06-26T12:00", "Europe/Berlin"), T10);
	CU_ASSERT_EQUAL(parsed("2025-01-15T05:00", "America/New_York"),
			1736935200LL * S);
	/* an explicit zone wins over the configured one */
	CU_ASSERT_EQUAL(parsed("2025-06-26T10:00Z", "Europe/Berlin"), T10);
	/* the environment is left as it was */
	setenv("TZ", "Asia/Tokyo", 1);
	CU_ASSERT_EQUAL(parsed("2025-06-26T12:00", "Europe/Berlin"), T10);
	CU_ASSERT_STRING_EQUAL(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	CU_ASSERT_EQUAL(parsed("2025-06-26T12:00", "Europe/Berlin"), T10);
	CU_ASSERT_PTR_NULL(getenv("TZ"));
}

static void
test_invalid(void)
{
	static const char *const bad[] = {
		"", "abc", "2025-06-26", "2025-06-26T10", "2025-06-26T10:0",
		"2025-13-01T10:00", "2025-00-01T10:00", "2025-02-29T10:00",
		"2025-04-31T10:00", "2025-06-26T24:00", "2025-06-26T10:60",
		"2025-06-26T10:00:60", "2025-06-26T10:00:00.",
		"2025-06-26T10:00:00.1234567890Z", "2025-06-26T10:00Zjunk",
		"2025-06-26T10:00 ", " 2025-06-26T10:00", "2025-06-26T10:00+2",
		"2025-06-26T10:00+02:0", "2025-06-26T10:00+19:00",
		"2025-06-26T10:00+02:60", "1969-12-31T23:59Z",
		"2025/06/26T10:00", "2025-06-26X10:00", "+2025-06-26T10:00",
		"2025-06-26T10:00:00ZZ",
	};
	long long us = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (isotime_parse(bad[i], "UTC", &us) != -1)
			CU_FAIL(bad[i]);
	}
	CU_ASSERT_EQUAL(us, 7);	/* untouched on failure */
	CU_ASSERT_EQUAL(isotime_parse(NULL, "UTC", &us), -1);
}

/* The history filter once read past a time cut after its minutes'
 * colon; every prefix of a valid time is parsed from an exact-size copy. */
static void
test_prefixes(void)
{
	static const char full[] = "2026-01-01T10:00:00.123456+05:30";
	size_t n;

	for (n = 0; n <= sizeof(full) - 1; n++) {
		char *s = xstrndup(full, n);
		long long us = 7;
		int rc = isotime_parse(s, "UTC", &us);

		/* only the complete forms parse */
		if (rc == 0 && n != 16 && n != 19 && n != 21 && n != 22 &&
		    n != 23 && n != 24 && n != 25 && n != 26 && n != 29 &&
		    n != 32)
			CU_FAIL(s);
		free(s);
	}
	CU_ASSERT_EQUAL(isotime_parse("2026-01-01T10:00:", "UTC",
				      &(long long){ 0 }), -1);
}

/* Formats what it parsed: the DATETIME(6) text read back gives the same
 * instant. */
static void
roundtrip(long long us)
{
	char db[ISOTIME_DB_MAX], *iso;
	long long back = -1;

	isotime_db(us, db);
	iso = xstrdup(db);
	iso[10] = 'T';
	CU_ASSERT_EQUAL(isotime_parse(iso, "UTC", &back), 0);
	CU_ASSERT_EQUAL(back, us);
	free(iso);
}

static const char *const seeds[] = {
	"2025-06-26T10:00", "2025-06-26T10:00:00Z", "2024-02-29 23:59:59.999999",
	"2025-06-26T12:00:00+02:00", "2025-06-26T05:00:00-0500",
	"2025-06-26T11:00+01", "1970-01-01T00:00Z", "9999-12-31T23:59:59Z",
};

/* Mutations (bytes replaced, inserted, dropped, the string cut) of valid
 * times, each parsed from an exact-size heap copy: ASan reports any read
 * beyond it; what parses round-trips through the database format. */
static void
test_fuzz(void)
{
	unsigned seed = 20261129;
	size_t i, k;

	for (i = 0; i < 200000; i++) {
		const char *base = seeds[i % ARRAY_SIZE(seeds)];
		char buf[64], *s;
		size_t n = strlen(base), pos;
		long long us = 0;

		memcpy(buf, base, n + 1);
		for (k = 0; k < 1 + i % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			pos = (seed >> 8) % (n + 1);
			switch ((seed >> 4) % 4) {
			case 0:		/* replace */
				if (pos < n)
					buf[pos] = "0123456789:-+.TZz \x7f"[(seed >> 16) % 19];
				break;
			case 1:		/* cut */
				buf[pos] = '\0';
				n = pos;
				break;
			case 2:		/* drop */
				if (pos < n) {
					memmove(buf + pos, buf + pos + 1, n - pos);
					n--;
				}
				break;
			default:	/* insert */
				if (n + 1 < sizeof(buf)) {
					memmove(buf + pos + 1, buf + pos, n - pos + 1);
					buf[pos] = (char)(seed >> 16);
					if (!buf[pos])
						buf[pos] = '9';
					n++;
				}
				break;
			}
		}
		s = xstrndup(buf, strlen(buf));
		if (isotime_parse(s, i % 2 ? "UTC" : "Europe/Berlin", &us) == 0)
			roundtrip(us);
		free(s);
	}
}

static CU_TestInfo tests[] = {
	{ "formats the portal and agents send", test_formats },
	{ "configured zone for times without one", test_zones },
	{ "malformed times", test_invalid },
	{ "cut-off times never read past their end", test_prefixes },
	{ "fuzz: mutated times", test_fuzz },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("isotime", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
