/* test_multipart: the streaming multipart parser on what curl and browsers
 * send, fed whole and byte by byte, its limits, and a small fuzz that
 * checks chunking never changes the outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "multipart.h"
#include "util.h"

struct collect {
	char names[8][128], files[8][256], types[8][128];
	struct buf data[8];
	int n;
	bool open;
};

static int
c_begin(void *arg, const struct mp_part *p)
{
	struct collect *c = arg;

	if (c->n >= 8)
		return -1;
	snprintf(c->names[c->n], sizeof(c->names[0]), "%s", p->name);
	snprintf(c->files[c->n], sizeof(c->files[0]), "%s",
		 p->has_filename ? p->filename : "-");
	snprintf(c->types[c->n], sizeof(c->types[0]), "%s", p->content_type);
	c->open = true;
	return 0;
}

static int
c_data(void *arg, const char *s, size_t n)
{
	struct collect *c = arg;

	buf_add(&c->data[c->n], s, n);
	return 0;
}

static int
c_end(void *arg)
{
	struct collect *c = arg;

	buf_add(&c->data[c->n], "", 0);
	c->n++;
	c->open = false;
	return 0;
}

static const struct mp_callbacks cbs = { c_begin, c_data, c_end };

static void
collect_release(struct collect *c)
{
	int i;

	for (i = 0; i < 8; i++)
		buf_release(&c->data[i]);
}

/* Parses body (n bytes) in chunks of size step (0: whole). */
static enum mp_status
parse(const char *boundary, const char *body, size_t n, size_t step,
      struct collect *c)
{
	struct multipart *mp = xmalloc(sizeof(*mp));
	enum mp_status s = MP_OK;
	size_t i, k;

	memset(c, 0, sizeof(*c));
	multipart_init(mp, boundary, &cbs, c);
	for (i = 0; i < n && s == MP_OK; i += k) {
		k = step && step < n - i ? step : n - i;
		s = multipart_feed(mp, body + i, k);
	}
	if (s == MP_OK)
		s = multipart_finish(mp);
	free(mp);
	return s;
}

/* What curl -F sends. */
static const char curl_body[] =
	"--------------------------d74496d66958873e\r\n"
	"Content-Disposition: form-data; name=\"name\"\r\n\r\n"
	"Ana Lopez\r\n"
	"--------------------------d74496d66958873e\r\n"
	"Content-Disposition: form-data; name=\"document\"; filename=\"id \\\"1\\\".png\"\r\n"
	"Content-Type: image/png\r\n\r\n"
	"\x89PNG\r\n\x1a\n\r\n--------------------------d74496d66958873\r\n-\r\r\n"
	"\r\n--------------------------d74496d66958873e--\r\n";

static void
test_curl(void)
{
	static const size_t steps[] = { 0, 1, 2, 3, 7, 64 };
	const char *b = "------------------------d74496d66958873e";
	static const char file[] =
		"\x89PNG\r\n\x1a\n\r\n--------------------------d74496d66958873\r\n-\r\r\n";
	struct collect c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		CU_ASSERT_EQUAL(parse(b, curl_body, sizeof(curl_body) - 1,
				      steps[i], &c), MP_OK);
		CU_ASSERT_EQUAL(c.n, 2);
		CU_ASSERT_STRING_EQUAL(c.names[0], "name");
		CU_ASSERT_STRING_EQUAL(c.data[0].s, "Ana Lopez");
		CU_ASSERT_STRING_EQUAL(c.files[0], "-");
		CU_ASSERT_STRING_EQUAL(c.names[1], "document");
		CU_ASSERT_STRING_EQUAL(c.files[1], "id \"1\".png");
		CU_ASSERT_STRING_EQUAL(c.types[1], "image/png");
		CU_ASSERT_EQUAL(c.data[1].len, sizeof(file) - 1);
		CU_ASSERT(c.data[1].s && !memcmp(c.data[1].s, file,
						 sizeof(file) - 1));
		collect_release(&c);
	}
}

/* What Chrome and Firefox send: preamble-free, %22 in file names, an
 * empty file part, and an epilogue. */
static void
test_browser(void)
{
	static const char body[] =
		"------WebKitFormBoundaryx8Jd0AjAfB3uZAiV\r\n"
		"Content-Disposition: form-data; name=\"plate_number\"\r\n\r\n"
		"ab-123\r\n"
		"------WebKitFormBoundaryx8Jd0AjAfB3uZAiV\r\n"
		"content-disposition: form-data; name=\"document\"; filename=\"a%22b.pdf\"\r\n"
		"Content-Type: application/pdf\r\n\r\n"
		"\r\n"
		"------WebKitFormBoundaryx8Jd0AjAfB3uZAiV--\r\nepilogue";
	struct collect c;

	CU_ASSERT_EQUAL(parse("----WebKitFormBoundaryx8Jd0AjAfB3uZAiV", body,
			      sizeof(body) - 1, 1, &c), MP_OK);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_STRING_EQUAL(c.data[0].s, "ab-123");
	CU_ASSERT_STRING_EQUAL(c.files[1], "a%22b.pdf");
	CU_ASSERT_EQUAL(c.data[1].len, 0);
	collect_release(&c);
}

static void
test_errors(void)
{
	struct collect c;
	char *long_line;
	static const char trunc[] = "--b\r\nContent-Disposition: form-data;"
		" name=\"a\"\r\n\r\nxyz";
	static const char noname[] = "--b\r\nContent-Type: text/plain\r\n\r\n"
		"x\r\n--b--";
	static const char barelf[] = "--b\nContent-Disposition: form-data;"
		" name=\"a\"\n\nx\n--b--";
	static const char empty[] = "--b--\r\n";

	CU_ASSERT_EQUAL(parse("b", trunc, sizeof(trunc) - 1, 0, &c),
			MP_ERR_TRUNCATED);
	collect_release(&c);
	CU_ASSERT_EQUAL(parse("b", noname, sizeof(noname) - 1, 0, &c),
			MP_ERR_SYNTAX);
	collect_release(&c);
	CU_ASSERT_NOT_EQUAL(parse("b", barelf, sizeof(barelf) - 1, 0, &c),
			    MP_OK);
	collect_release(&c);
	CU_ASSERT_EQUAL(parse("b", "", 0, 0, &c), MP_ERR_TRUNCATED);
	collect_release(&c);
	CU_ASSERT_EQUAL(parse("b", empty, sizeof(empty) - 1, 0, &c), MP_OK);
	CU_ASSERT_EQUAL(c.n, 0);
	collect_release(&c);
	long_line = xasprintf("--b\r\nContent-Disposition: form-data; name=\"%0*d\""
			      "\r\n\r\nx\r\n--b--", 2000, 7);
	CU_ASSERT_EQUAL(parse("b", long_line, strlen(long_line), 0, &c),
			MP_ERR_LIMIT);
	collect_release(&c);
	free(long_line);
}

static void
test_boundary(void)
{
	char b[MP_BOUNDARY_MAX + 1];
	char *big = xasprintf("multipart/form-data; boundary=%0*d", 71, 1);

	CU_ASSERT(multipart_boundary("multipart/form-data; boundary=abc", b));
	CU_ASSERT_STRING_EQUAL(b, "abc");
	CU_ASSERT(multipart_boundary(
		"Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"", b));
	CU_ASSERT_STRING_EQUAL(b, "a b:c");
	CU_ASSERT(multipart_boundary("multipart/form-data;boundary=x;y=1", b));
	CU_ASSERT_STRING_EQUAL(b, "x");
	CU_ASSERT(!multipart_boundary("multipart/form-data", b));
	CU_ASSERT(!multipart_boundary("multipart/mixed; boundary=a", b));
	CU_ASSERT(!multipart_boundary("multipart/form-data; boundary=", b));
	CU_ASSERT(!multipart_boundary("multipart/form-data; boundary=\"ab", b));
	CU_ASSERT(!multipart_boundary("multipart/form-data; boundary=a<b", b));
	CU_ASSERT(!multipart_boundary(big, b));
	CU_ASSERT(!multipart_boundary(NULL, b));
	free(big);
}

/* Mutates the curl body at random; whole and chunked parses must agree
 * on the outcome and the parts, and nothing may crash (ASan watches). */
static void
test_fuzz(void)
{
	const char *b = "------------------------d74496d66958873e";
	size_t n = sizeof(curl_body) - 1, i, j;
	char *m = xmalloc(n);
	struct collect c1, c2;
	unsigned seed = 12345;
	enum mp_status s1, s2;
	int k;

	for (i = 0; i < 3000; i++) {
		memcpy(m, curl_body, n);
		for (j = 0; j < 1 + i % 4; j++) {
			seed = seed * 1103515245u + 12345u;
			m[(seed >> 8) % n] = (char)(seed >> 16);
		}
		s1 = parse(b, m, n - (i % 7 == 0 ? seed % n : 0), 0, &c1);
		s2 = parse(b, m, n - (i % 7 == 0 ? seed % n : 0),
			   1 + seed % 13, &c2);
		CU_ASSERT_EQUAL(s1, s2);
		CU_ASSERT_EQUAL(c1.n, c2.n);
		for (k = 0; k < c1.n && k < c2.n; k++)
			CU_ASSERT(c1.data[k].len == c2.data[k].len &&
				  (!c1.data[k].len || !memcmp(c1.data[k].s,
				   c2.data[k].s, c1.data[k].len)));
		collect_release(&c1);
		collect_release(&c2);
	}
	free(m);
}

static CU_TestInfo tests[] = {
	{ "curl -F bodies, any chunking", test_curl },
	{ "browser bodies", test_browser },
	{ "errors and limits", test_errors },
	{ "boundary parameter", test_boundary },
	{ "fuzz: chunking never changes the result", test_fuzz },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("multipart", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
