/* test_openapi: every route describes itself (summary, body fields,
 * reply), every reply's notation parses, and the document holds every
 * route of the tables with its parameters, security and errors. */
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "cunit_main.h"
#include "openapi.h"
#include "router.h"
#include "util.h"

/* A body it must describe: a required JSON or form body (an optional
 * one may carry nothing at all, as a cancel does). */
static bool
takes_body(const struct route *rt)
{
	return rt->body == BODY_JSON || rt->body == BODY_FORM;
}

/* Lists (and counts) every route that lacks part of its description. */
static void
test_every_route_described(void)
{
	size_t t, missing = 0;

	for (t = 0; route_tables[t].routes; t++) {
		const struct route *rt;

		for (rt = route_tables[t].routes; rt->method; rt++) {
			const char *why = !rt->summary ? "no summary"
				: takes_body(rt) && !rt->nfields &&
				  !rt->body_notation
				? "a body without .fields"
				: rt->status != 204 && !rt->reply ? "no .reply"
				: NULL;

			if (!why)
				continue;
			printf("\n    undescribed: %s %s (%s): %s", rt->method,
			       rt->path, route_tables[t].tag, why);
			missing++;
		}
	}
	CU_ASSERT_EQUAL(missing, 0);
}

static void
test_notation(void)
{
	json_object *s = openapi_schema("{users: [User], total: int, "
					"next?: id?, at: time}");
	const char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	text = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
		"\"users\":{\"type\":\"array\",\"items\":"
		"{\"$ref\":\"#/components/schemas/User\"}}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"required\":[\"users\",\"total\","
					    "\"at\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"anyOf\":[{\"type\":\"string\","
					    "\"pattern\""));
	json_object_put(s);
	s = openapi_schema("{*: {free: int}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string_ext(s,
		JSON_C_TO_STRING_PLAIN), "\"additionalProperties\":{\"type\":"
		"\"object\""));
	json_object_put(s);
	CU_ASSERT_PTR_NULL(openapi_schema("{*: }"));
	CU_ASSERT_PTR_NULL(openapi_schema("{a: }"));
	CU_ASSERT_PTR_NULL(openapi_schema("[int"));
	CU_ASSERT_PTR_NULL(openapi_schema("lowercase_unknown"));
	CU_ASSERT_PTR_NULL(openapi_schema("int trailing"));
}

/* Every row is in the document: its path, its method, an operationId,
 * its path parameters declared, security stated, an error response. */
static void
test_document(void)
{
	const char *bad = NULL;
	json_object *doc = openapi_document("https://lab.example", "1", &bad);
	json_object *paths, *item, *op, *v;
	size_t t;

	CU_ASSERT_PTR_NULL(bad);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	/* every body notation parses */
	for (t = 0; route_tables[t].routes; t++) {
		const struct route *rt;

		for (rt = route_tables[t].routes; rt->method; rt++)
			if (rt->body_notation) {
				json_object *s = openapi_schema(rt->body_notation);

				CU_ASSERT_PTR_NOT_NULL(s);
				json_object_put(s);
			}
	}
	CU_ASSERT_TRUE(json_object_object_get_ex(doc, "paths", &paths));
	for (t = 0; route_tables[t].routes; t++) {
		const struct route *rt;

		for (rt = route_tables[t].routes; rt->method; rt++) {
			char m[16];
			size_t i;

			for (i = 0; rt->method[i] && i < 15; i++)
				m[i] = (char)(rt->method[i] | 0x20);
			m[i] = '\0';
			CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(paths,
				rt->path, &item));
			CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(item, m,
								       &op));
			CU_ASSERT_TRUE(json_object_object_get_ex(op,
				"operationId", NULL));
			CU_ASSERT_TRUE(json_object_object_get_ex(op, "security",
								 NULL));
			CU_ASSERT_TRUE(json_object_object_get_ex(op, "responses",
								 &v));
			CU_ASSERT_TRUE(json_object_object_get_ex(v, "default",
								 NULL));
			if (strchr(rt->path, '{'))
				CU_ASSERT_TRUE(json_object_object_get_ex(op,
					"parameters", NULL));
		}
	}
	json_object_put(doc);
}

static CU_TestInfo tests[] = {
	{ "the reply notation", test_notation },
	{ "every route in the document", test_document },
	{ "every route described", test_every_route_described },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("openapi", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
