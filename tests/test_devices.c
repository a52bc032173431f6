/* test_devices: parsing of reservation times (no database). */
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "devices.h"

#define S 1000000LL
#define T10 (1750932000LL * S)	/* 2025-06-26T10:00:00Z */

static long long
parsed(const char *s, const char *tz)
{
	long long us = -42;

	if (devices_parse_time(s, tz, &us))
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
		if (devices_parse_time(bad[i], "UTC", &us) != -1)
			CU_FAIL(bad[i]);
	}
	CU_ASSERT_EQUAL(us, 7);	/* untouched on failure */
	CU_ASSERT_EQUAL(devices_parse_time(NULL, "UTC", &us), -1);
}

static CU_TestInfo tests[] = {
	{ "formats the portal and agents send", test_formats },
	{ "configured zone for times without one", test_zones },
	{ "malformed times", test_invalid },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("devices", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
