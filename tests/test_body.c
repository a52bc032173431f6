/* test_body: JSON body limits and declarative field reading. */
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "cunit_main.h"
#include "req.h"
#include "util.h"

static enum err
parse(const char *s, json_object **out)
{
	return body_parse_json(s, strlen(s), 32, out);
}

static void
test_valid_object(void)
{
	json_object *o = NULL;

	CU_ASSERT_EQUAL(parse(" {\"a\": 1} \n", &o), ERR_OK);
	CU_ASSERT_PTR_NOT_NULL(o);
	json_object_put(o);
}

static void
test_rejections(void)
{
	json_object *o = NULL;

	CU_ASSERT_EQUAL(parse("", &o), ERR_EMPTY_BODY);
	CU_ASSERT_EQUAL(parse("   ", &o), ERR_EMPTY_BODY);
	CU_ASSERT_EQUAL(parse("{\"a\": 1", &o), ERR_BAD_JSON);	/* truncated */
	CU_ASSERT_EQUAL(parse("{\"a\": }", &o), ERR_BAD_JSON);
	CU_ASSERT_EQUAL(parse("{'a': 1}", &o), ERR_BAD_JSON);
	CU_ASSERT_EQUAL(parse("[1, 2]", &o), ERR_JSON_NOT_OBJECT);
	CU_ASSERT_EQUAL(parse("\"str\"", &o), ERR_JSON_NOT_OBJECT);
	CU_ASSERT_EQUAL(parse("{} {}", &o), ERR_JSON_TRAILING);
	CU_ASSERT_EQUAL(parse("{}x", &o), ERR_JSON_TRAILING);
	CU_ASSERT_EQUAL(parse("{\"a\": \"\xff\"}", &o), ERR_BAD_UTF8);
	CU_ASSERT_EQUAL(parse("{\"a\": \"\xc0\xaf\"}", &o), ERR_BAD_UTF8);
	CU_ASSERT_EQUAL(body_parse_json("{\"a\":\0\"b\"}", 10, 32, &o),
			ERR_BAD_JSON);
	CU_ASSERT_PTR_NULL(o);
}

static void
test_deep_nesting(void)
{
	size_t depth = 10000, i;
	char *s = malloc(2 * depth + 16);
	json_object *o = NULL;
	size_t n = 0;

	for (i = 0; i < depth; i++)
		s[n++] = i == 0 ? '{' : '[';
	for (i = depth; i > 1; i--)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	/* "{[[[...]]]}" is not even valid JSON past depth 1 ... */
	CU_ASSERT_NOT_EQUAL(body_parse_json(s, n, 32, &o), ERR_OK);
	/* ... so build a valid deep one: {"a":{"a":{...}}} */
	free(s);
	s = malloc(depth * 6 + 16);
	n = 0;
	for (i = 0; i < depth; i++) {
		memcpy(s + n, "{\"a\":", 5);
		n += 5;
	}
	s[n++] = '1';
	for (i = 0; i < depth; i++)
		s[n++] = '}';
	CU_ASSERT_EQUAL(body_parse_json(s, n, 32, &o), ERR_JSON_TOO_DEEP);
	CU_ASSERT_PTR_NULL(o);
	free(s);
}

static void
test_big_string(void)
{
	size_t n = 1024 * 1024;
	char *s = malloc(n + 16);
	json_object *o = NULL;

	memcpy(s, "{\"a\":\"", 6);
	memset(s + 6, 'x', n);
	memcpy(s + 6 + n, "\"}", 3);
	CU_ASSERT_EQUAL(body_parse_json(s, n + 8, 32, &o), ERR_OK);
	CU_ASSERT_EQUAL(json_object_get_string_len(json_object_object_get(o, "a")),
			(int)n);
	json_object_put(o);
	free(s);
}

enum { F_NAME, F_UNITS, F_ID, F_FLAG, F_ITEMS };

static const struct field spec[] = {
	[F_NAME] = { "name", FT_STRING, F_REQUIRED | F_TRIM | F_OID, .max = 5 },
	[F_UNITS] = { "units", FT_INT, 0, .min = 1, .max = 1000,
		      .invalid = ERR_BAD_REQUEST },
	[F_ID] = { "id", FT_ID, 0 },
	[F_FLAG] = { "flag", FT_BOOL, 0 },
	[F_ITEMS] = { "items", FT_ARRAY, 0, .max = 2 },
};

static enum err
fields(const char *json, struct req *r, struct field_value *v)
{
	json_object *o = NULL;
	enum err e;

	req_reset(r);
	if (parse(json, &o) != ERR_OK)
		return ERR_INTERNAL;
	r->json = o;
	e = body_fields(r, o, spec, ARRAY_SIZE(spec), v);
	return e;
}

static void
test_fields(void)
{
	struct field_value v[ARRAY_SIZE(spec)];
	struct req r;

	req_init(&r, NULL, NULL);
	CU_ASSERT_EQUAL(fields("{\"name\": \" ab \", \"units\": \"5\", \"id\": 7}",
			       &r, v), ERR_OK);
	CU_ASSERT_STRING_EQUAL(v[F_NAME].s, "ab");
	CU_ASSERT_EQUAL(v[F_UNITS].i, 5);
	CU_ASSERT_EQUAL(v[F_ID].i, 7);
	CU_ASSERT_FALSE(v[F_FLAG].set);

	/* F_OID: the HaaS app's {"$oid": ...} is its string; nothing else
	 * shaped like it is */
	CU_ASSERT_EQUAL(fields("{\"name\": {\"$oid\": \" x1 \"}}", &r, v),
			ERR_OK);
	CU_ASSERT_STRING_EQUAL(v[F_NAME].s, "x1");
	CU_ASSERT_EQUAL(fields("{\"name\": {\"$oid\": 5}}", &r, v),
			ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": {\"$oid\": \"a\", \"b\": 1}}",
			       &r, v), ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"units\": 2, \"name\": {\"id\": \"a\"}}",
			       &r, v), ERR_FIELD_INVALID);

	CU_ASSERT_EQUAL(fields("{}", &r, v), ERR_FIELD_MISSING);
	CU_ASSERT_STRING_EQUAL(r.err_msg, "Field 'name' is required");
	CU_ASSERT_EQUAL(fields("{\"name\": \"   \"}", &r, v), ERR_FIELD_MISSING);
	CU_ASSERT_EQUAL(fields("{\"name\": 5}", &r, v), ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": \"toolong\"}", &r, v),
			ERR_FIELD_INVALID);
	/* the spec's own error for units */
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": 0}", &r, v),
			ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": -3}", &r, v),
			ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": 1.5}", &r, v),
			ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": \"5x\"}", &r, v),
			ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": true}", &r, v),
			ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"id\": 0}", &r, v),
			ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"flag\": \"yes\"}", &r, v),
			ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"items\": [1, 2, 3]}", &r, v),
			ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\\u0000b\"}", &r, v),
			ERR_FIELD_INVALID);
	CU_ASSERT_EQUAL(fields("{\"name\": null}", &r, v), ERR_FIELD_MISSING);
	CU_ASSERT_EQUAL(fields("{\"name\": \"a\", \"units\": null}", &r, v),
			ERR_BAD_REQUEST);
	/* characters, not bytes: five two-byte letters fit max 5 */
	CU_ASSERT_EQUAL(fields("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
			       &r, v), ERR_OK);
	req_reset(&r);
}

static CU_TestInfo tests[] = {
	{ "valid object", test_valid_object },
	{ "rejections", test_rejections },
	{ "deep nesting", test_deep_nesting },
	{ "1 MB string", test_big_string },
	{ "fields", test_fields },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("body", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
