/* test_err: the error table maps every code to a status and sentence. */
#include <string.h>

#include "cunit_main.h"
#include "err.h"

static void
test_contract_strings(void)
{
	CU_ASSERT_EQUAL(err_status(ERR_USER_EXISTS), 409);
	CU_ASSERT_STRING_EQUAL(err_message(ERR_USER_EXISTS), "User already exists");
	CU_ASSERT_EQUAL(err_status(ERR_BAD_CREDENTIALS), 401);
	CU_ASSERT_STRING_EQUAL(err_message(ERR_BAD_CREDENTIALS), "Invalid credentials");
	CU_ASSERT_STRING_EQUAL(err_message(ERR_SIGNUP_REQUIRED),
			       "Username and password are required");
	CU_ASSERT_STRING_EQUAL(err_message(ERR_FORBIDDEN),
			       "You are not authorized to perform this action");
	CU_ASSERT_STRING_EQUAL(err_message(ERR_DB_DOWN), "database unavailable");
	CU_ASSERT_EQUAL(err_status(ERR_DB_DOWN), 503);
	CU_ASSERT_EQUAL(err_status(ERR_ACCOUNT_PENDING), 403);
}

static void
test_every_row_complete(void)
{
	int e;

	for (e = 0; e < ERR__COUNT; e++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(err_code((enum err)e));
		CU_ASSERT(strlen(err_message((enum err)e)) > 0);
		CU_ASSERT(err_status((enum err)e) >= 200 &&
			  err_status((enum err)e) < 600);
		if (e != ERR_OK)
			CU_ASSERT(err_status((enum err)e) >= 400);
	}
}

static void
test_codes_unique(void)
{
	int a, b;

	for (a = 0; a < ERR__COUNT; a++)
		for (b = a + 1; b < ERR__COUNT; b++)
			CU_ASSERT(strcmp(err_code((enum err)a),
					 err_code((enum err)b)) != 0);
}

static void
test_out_of_range(void)
{
	CU_ASSERT_EQUAL(err_status((enum err)9999), 500);
	CU_ASSERT_STRING_EQUAL(err_reason(404), "Not Found");
	CU_ASSERT_STRING_EQUAL(err_reason(405), "Method Not Allowed");
}

static CU_TestInfo tests[] = {
	{ "contract strings", test_contract_strings },
	{ "every row complete", test_every_row_complete },
	{ "codes unique", test_codes_unique },
	{ "out of range", test_out_of_range },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("err", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
