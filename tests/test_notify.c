/* test_notify: the pieces of notifications that need no server: the
 * webhook signature (HMAC-SHA256, RFC 4231 vectors), templates, and the
 * e-mail built from one. */
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "notify.h"
#include "sha256.h"
#include "template.h"
#include "util.h"

static void
hex(const unsigned char *mac, char out[65])
{
	hex_encode(mac, 32, out);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void
test_hmac(void)
{
	unsigned char key[131], mac[32];
	char out[65];

	memset(key, 0x0b, 20);
	hmac_sha256(key, 20, "Hi There", 8, mac);
	hex(mac, out);
	CU_ASSERT_STRING_EQUAL(out,
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	hex(mac, out);
	CU_ASSERT_STRING_EQUAL(out,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	hmac_sha256(key, sizeof(key),
		    "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		    mac);
	hex(mac, out);
	CU_ASSERT_STRING_EQUAL(out,
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* The signature is over "<timestamp>.<body>": the same as HMAC of that
 * text, and a changed body or timestamp gives another one. */
static void
test_sign(void)
{
	char sig[NOTIFY_SIGNATURE_MAX], again[NOTIFY_SIGNATURE_MAX], want[65];
	unsigned char mac[32];
	const char *body = "{\"id\":\"x\"}";

	notify_sign("s3cret", 1700000000, body, strlen(body), sig);
	hmac_sha256("s3cret", 6, "1700000000.{\"id\":\"x\"}", 21, mac);
	hex(mac, want);
	CU_ASSERT_EQUAL(strncmp(sig, "sha256=", 7), 0);
	CU_ASSERT_STRING_EQUAL(sig + 7, want);
	notify_sign("s3cret", 1700000001, body, strlen(body), again);
	CU_ASSERT_STRING_NOT_EQUAL(sig, again);
	notify_sign("s3cret", 1700000000, "{\"id\":\"y\"}", 10, again);
	CU_ASSERT_STRING_NOT_EQUAL(sig, again);
}

static void
test_kinds(void)
{
	int k;

	for (k = 0; k < NK_COUNT; k++) {
		const struct notice_kind_info *i = notice_kind_info(k);

		CU_ASSERT_PTR_NOT_NULL_FATAL(i->name);
		CU_ASSERT_EQUAL(notice_kind_parse(i->name), k);
	}
	CU_ASSERT_EQUAL(notice_kind_parse("nope"), -1);
	CU_ASSERT_EQUAL(notice_kind_parse(NULL), -1);
	CU_ASSERT(notice_kind_info(NK_ACCOUNT_RESET)->flags & NKF_SECRET);
	CU_ASSERT(notice_kind_info(NK_ACCOUNT_RESET)->flags & NKF_NO_HOOK);
}

static void
test_fill(void)
{
	json_object *f = json_tokener_parse(
		"{\"name\":\"Ada\",\"n\":3,\"ok\":true,\"o\":{},\"nul\":null}");
	struct buf out = { 0 };

	template_fill("Hi {{name}}: {{n}} {{ok}} [{{o}}{{nul}}{{missing}}] "
		      "{{ unterminated", f, &out);
	CU_ASSERT_STRING_EQUAL(out.s, "Hi Ada: 3 true [] {{ unterminated");
	buf_release(&out);
	template_fill("", f, &out);
	CU_ASSERT_STRING_EQUAL(out.s, "");
	buf_release(&out);
	json_object_put(f);
}

static void
test_split(void)
{
	struct buf s = { 0 }, b = { 0 };

	CU_ASSERT_EQUAL(template_split("Subject: Hello\r\n there\n\nBody\nline\n",
				       &s, &b), 0);
	CU_ASSERT_STRING_EQUAL(s.s, "Hello");
	CU_ASSERT_STRING_EQUAL(b.s, "Body\nline\n");
	buf_release(&s);
	buf_release(&b);
	/* a field's line break never starts a second header */
	CU_ASSERT_EQUAL(template_split("X-Other: 1\nsubject: a\rb\n\nz", &s, &b),
			0);
	CU_ASSERT_STRING_EQUAL(s.s, "a b");
	CU_ASSERT_STRING_EQUAL(b.s, "z");
	buf_release(&s);
	buf_release(&b);
	CU_ASSERT_EQUAL(template_split("No header here\n\nbody", &s, &b), -1);
	buf_release(&s);
	buf_release(&b);
}

static void
test_mail(void)
{
	struct buf m = { 0 };

	CU_ASSERT_EQUAL(template_mail("haas@lab.example", "ada@example.com",
				      "Plain", "one\ntwo\n.dot", "abc123",
				      "order.status", 0, &m), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "To: <ada@example.com>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "Subject: Plain\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s,
		"Message-ID: <abc123@lab.example>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "Date: Thu, 01 Jan 1970 00:00:00"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "X-Haas-Kind: order.status\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "\r\n\r\none\r\ntwo\r\n.dot\r\n"));
	buf_release(&m);
	/* "Ünï": an RFC 2047 word of standard base64 */
	CU_ASSERT_EQUAL(template_mail("a@b", "c@d", "\xc3\x9cn\xc3\xaf", "x",
				      "id", "k", 0, &m), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.s, "Subject: =?UTF-8?B?w5xuw68=?=\r\n"));
	buf_release(&m);
	/* an address that would add a header is refused */
	CU_ASSERT_EQUAL(template_mail("a@b", "c@d\r\nBcc: e@f", "s", "x", "id",
				      "k", 0, &m), -1);
	buf_release(&m);
	CU_ASSERT_EQUAL(template_mail("a@b", "", "s", "x", "id", "k", 0, &m),
			-1);
	buf_release(&m);
}

/* Every shipped template fills and has a subject. */
static void
test_shipped(void)
{
	char err[256];
	int k;

	for (k = 0; k < NK_COUNT; k++) {
		struct buf s = { 0 }, b = { 0 };
		json_object *f = json_object_new_object();

		CU_ASSERT_EQUAL(template_load(HAAS_TOP_SRCDIR "/templates",
			notice_kind_info(k)->name, f, &s, &b, err,
			sizeof(err)), 0);
		CU_ASSERT(s.len > 0);
		json_object_put(f);
		buf_release(&s);
		buf_release(&b);
	}
	CU_ASSERT_EQUAL(template_load(HAAS_TOP_SRCDIR "/templates", "nope",
				      NULL, NULL, NULL, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nope.txt"));
}

static CU_TestInfo tests[] = {
	{ "hmac_sha256 (RFC 4231)", test_hmac },
	{ "webhook signature", test_sign },
	{ "notice kinds", test_kinds },
	{ "template fields", test_fill },
	{ "template subject and body", test_split },
	{ "e-mail message", test_mail },
	{ "shipped templates", test_shipped },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE("notify", tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cunit_run(suites);
}
