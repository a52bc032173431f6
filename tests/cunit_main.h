/* cunit_main: the one main() every CUnit program uses.  Define SUITES (a
 * CU_SuiteInfo array ending in CU_SUITE_INFO_NULL) and include this. */
#ifndef HAAS_CUNIT_MAIN_H
#define HAAS_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

/* Debian's CUnit 2.1-3 CU_SuiteInfo has six fields. */
#define SUITE(name, tests) \
	{ .pName = (name), .pInitFunc = NULL, .pCleanupFunc = NULL, \
	  .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = (tests) }
#define SUITE_INIT(name, init, clean, tests) \
	{ .pName = (name), .pInitFunc = (init), .pCleanupFunc = (clean), \
	  .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = (tests) }

static inline int
cunit_run(CU_SuiteInfo *suites)
{
	unsigned failed, run;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	return failed || run == 0 ? 1 : 0;
}

#endif
