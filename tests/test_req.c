/* test_req: query and form decoding, paging, request memory. */
#include <string.h>

#include "cunit_main.h"
#include "req.h"

static void
test_urlencoded(void)
{
	struct req r;
	struct kv *kv;
	size_t n;
	const char *s = "username=a%40b.c&password=p+w%2B&&empty=&flag";

	req_init(&r, NULL, NULL);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, s, strlen(s), &kv, &n), ERR_OK);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_STRING_EQUAL(kv[0].key, "username");
	CU_ASSERT_STRING_EQUAL(kv[0].val, "a@b.c");
	CU_ASSERT_STRING_EQUAL(kv[1].val, "p w+");
	CU_ASSERT_STRING_EQUAL(kv[2].key, "empty");
	CU_ASSERT_STRING_EQUAL(kv[2].val, "");
	CU_ASSERT_STRING_EQUAL(kv[3].key, "flag");
	req_reset(&r);
}

static void
test_bad_escapes(void)
{
	struct req r;
	struct kv *kv;
	size_t n;

	req_init(&r, NULL, NULL);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%zz", 5, &kv, &n), ERR_BAD_FORM);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%4", 4, &kv, &n), ERR_BAD_FORM);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%", 3, &kv, &n), ERR_BAD_FORM);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%00", 5, &kv, &n), ERR_BAD_FORM);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%ff", 5, &kv, &n), ERR_BAD_FORM);
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=%C3%A9", 8, &kv, &n), ERR_OK);
	CU_ASSERT_STRING_EQUAL(kv[0].val, "\xc3\xa9");
	CU_ASSERT_EQUAL(req_parse_urlencoded(&r, "a=b\0c", 5, &kv, &n), ERR_BAD_FORM);
	req_reset(&r);
}

static void
test_paging(void)
{
	struct req r;
	struct kv *kv;
	size_t n;
	long long limit, offset;

	req_init(&r, NULL, NULL);
	CU_ASSERT_EQUAL(req_paging(&r, &limit, &offset), ERR_OK);
	CU_ASSERT_EQUAL(limit, 50);
	CU_ASSERT_EQUAL(offset, 0);
	req_parse_urlencoded(&r, "limit=500&offset=10", 19, &kv, &n);
	r.qs = kv, r.nqs = n;
	CU_ASSERT_EQUAL(req_paging(&r, &limit, &offset), ERR_OK);
	CU_ASSERT_EQUAL(limit, 500);
	CU_ASSERT_EQUAL(offset, 10);
	req_parse_urlencoded(&r, "limit=501", 9, &kv, &n);
	r.qs = kv, r.nqs = n;
	CU_ASSERT_EQUAL(req_paging(&r, &limit, &offset), ERR_BAD_QUERY);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err_msg, "limit"));
	req_parse_urlencoded(&r, "limit=abc", 9, &kv, &n);
	r.qs = kv, r.nqs = n;
	CU_ASSERT_EQUAL(req_paging(&r, &limit, &offset), ERR_BAD_QUERY);
	req_reset(&r);
}

static void
test_json_helpers(void)
{
	json_object *t = json_time("2026-11-21 10:00:05.123456");
	json_object *id = json_id(42);

	CU_ASSERT_STRING_EQUAL(json_object_get_string(t), "2026-11-21T10:00:05Z");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(id), "42");
	CU_ASSERT_PTR_NULL(json_time(NULL));
	json_object_put(t);
	json_object_put(id);
}

static CU_TestInfo tests[] = {
	{ "urlencoded", test_urlencoded },
	{ "bad escapes", test_bad_escapes },
	{ "paging", test_paging },
	{ "json helpers", test_json_helpers },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("req", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
