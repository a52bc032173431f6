/* bb_mail: the test stack's own mail server and webhook receiver, as a
 * notification sender will use them: messages sent over SMTP to
 * 127.0.0.1:$HAAS_SMTP_PORT land once each in the Maildir, whatever the
 * recipient's domain, and HTTPS POSTs to the receiver are answered by path
 * and logged with their headers and bodies. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

struct upload {
	const char *data;
	size_t left;
};

static size_t
on_read(char *p, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	size_t len = size * n < u->left ? size * n : u->left;

	memcpy(p, u->data, len);
	u->data += len;
	u->left -= len;
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *userdata)
{
	buf_add(userdata, p, size * n);
	return size * n;
}

/* Sends msg (CRLF lines, headers and body) to rcpt over SMTP with
 * libcurl, as haas-notifyd does.  Returns libcurl's result. */
static CURLcode
smtp_send(const char *rcpt, const char *msg)
{
	const char *port = getenv("HAAS_SMTP_PORT");
	char *url = xasprintf("smtp://127.0.0.1:%s", port ? port : "12525");
	struct upload u = { msg, strlen(msg) };
	struct curl_slist *to = curl_slist_append(NULL, rcpt);
	CURL *c = curl_easy_init();
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<haas@haas.test>");
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	curl_slist_free_all(to);
	free(url);
	return rc;
}

/* The newest message with this Message-ID, or NULL.  Borrowed from m. */
static const struct bb_mail *
mail_by_id(const struct bb_mail *m, size_t n, const char *id)
{
	const struct bb_mail *found = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(m[i].message_id, id))
			found = &m[i];
	return found;
}

/* Two messages to two domains: a UTF-8 subject in encoded words and a
 * line that starts with a dot (SMTP's end of data, so it must be
 * escaped on the way and restored on delivery); a quoted-printable body.
 * Each lands exactly once, read back as a user would. */
static void
test_smtp_delivery(void)
{
	char *user = bb_unique("mail"), *to1, *to2, *id1, *id2, *msg1, *msg2;
	const struct bb_mail *m1, *m2;
	struct bb_mail *all;
	size_t n;

	to1 = xasprintf("%s@example.com", user);
	to2 = xasprintf("%s@Another.Example.ORG", user);
	id1 = xasprintf("%s.1@haas.test", user);
	id2 = xasprintf("%s.2@haas.test", user);
	msg1 = xasprintf("From: haas <haas@haas.test>\r\nTo: Ana <%s>\r\n"
		"Subject: =?UTF-8?B?R3LDvMOfZQ==?= "
		"=?UTF-8?Q?_=E2=80=94_haas_=E2=9C=93?=\r\n"
		"Message-ID: <%s>\r\nX-Haas-Kind: test\r\nMIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"
		"line one\r\n.starts with a dot\r\n.\r\nlast\r\n", to1, id1);
	msg2 = xasprintf("From: haas@haas.test\r\nTo: %s\r\n"
		"Subject: second\r\nMessage-ID: <%s>\r\n"
		"X-Haas-Kind: test-qp\r\nMIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
		"caf=C3=A9 =\r\nau lait\r\n", to2, id2);
	CU_ASSERT_EQUAL(smtp_send(to1, msg1), CURLE_OK);
	CU_ASSERT_EQUAL(smtp_send(to2, msg2), CURLE_OK);

	CU_ASSERT_EQUAL(bb_mail_wait(to1, "test", 1, 15), 1);
	/* the recipient in any case; the kind must match */
	CU_ASSERT_EQUAL(bb_mail_wait(to2, "test-qp", 1, 15), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(to2, "test", 1, 0), 0);
	all = bb_mail_all(&n);
	m1 = mail_by_id(all, n, id1);
	m2 = mail_by_id(all, n, id2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
	CU_ASSERT_STRING_EQUAL(m1->to, to1);
	CU_ASSERT_STRING_EQUAL(m1->subject, "Grüße — haas ✓");
	CU_ASSERT_STRING_EQUAL(m1->kind, "test");
	CU_ASSERT_STRING_EQUAL(m1->body,
			       "line one\n.starts with a dot\n.\nlast\n");
	CU_ASSERT_STRING_EQUAL(m2->subject, "second");
	CU_ASSERT_STRING_EQUAL(m2->body, "café au lait\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(m1->file, "/new/"));
	bb_mail_free(all, n);

	/* exactly once: still one of each a moment later */
	sleep(2);
	CU_ASSERT_EQUAL(bb_mail_wait(to1, NULL, 2, 0), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(to2, NULL, 2, 0), 1);
	free(msg1);
	free(msg2);
	free(id1);
	free(id2);
	free(to1);
	free(to2);
	free(user);
}

/* POSTs body to the receiver's path over TLS, verifying its certificate
 * against HAAS_TEST_CA; extra: header lines.  Returns the status (0: the
 * transfer failed); the reply body goes to *reply (caller frees). */
static long
hook_post(const char *path, const char *body, struct curl_slist *extra,
	  char **reply)
{
	char *url = xasprintf("%s%s", getenv("HAAS_TEST_WEBHOOK_URL"), path);
	struct curl_slist *h = curl_slist_append(NULL,
		"Content-Type: application/json");
	struct buf b = { 0 };
	struct curl_slist *e;
	CURL *c = curl_easy_init();
	long status = 0;

	for (e = extra; e; e = e->next)
		h = curl_slist_append(h, e->data);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, getenv("HAAS_TEST_CA"));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	*reply = b.s ? b.s : xstrdup("");
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(url);
	return status;
}

/* The last logged request for path, or NULL.  Borrowed from h. */
static const struct bb_hook *
hook_by_path(const struct bb_hook *h, size_t n, const char *path)
{
	const struct bb_hook *found = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(h[i].path, path))
			found = &h[i];
	return found;
}

/* /ok/ answers 200 and /fail/ 500, and the log holds both requests with
 * their bodies and the X-Haas-* headers a sender signs with. */
static void
test_webhooks(void)
{
	char *user = bb_unique("hook"), *ok = xasprintf("/ok/%s", user);
	char *fail = xasprintf("/fail/%s", user), *reply;
	struct curl_slist *hdr = NULL;
	const struct bb_hook *a, *b;
	struct bb_hook *all;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getenv("HAAS_TEST_WEBHOOK_URL"));
	hdr = curl_slist_append(hdr, "X-Haas-Message-Id: msg-1");
	hdr = curl_slist_append(hdr, "X-Haas-Timestamp: 1700000000");
	hdr = curl_slist_append(hdr, "X-Haas-Signature: sha256=abc123");
	hdr = curl_slist_append(hdr, "X-Haas-Kind: test");
	CU_ASSERT_EQUAL(hook_post(ok, "{\"n\": 1, \"text\": \"Grüße\"}", hdr,
				  &reply), 200);
	CU_ASSERT_STRING_EQUAL(reply, "{\"ok\": true}\n");
	free(reply);
	CU_ASSERT_EQUAL(hook_post(fail, "{\"n\": 2}", NULL, &reply), 500);
	free(reply);

	all = bb_hooks_all(&n);
	a = hook_by_path(all, n, ok);
	b = hook_by_path(all, n, fail);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->status, 200);
	CU_ASSERT_STRING_EQUAL(a->body, "{\"n\": 1, \"text\": \"Grüße\"}");
	CU_ASSERT_STRING_EQUAL(a->id, "msg-1");
	CU_ASSERT_STRING_EQUAL(a->timestamp, "1700000000");
	CU_ASSERT_STRING_EQUAL(a->signature, "sha256=abc123");
	CU_ASSERT_STRING_EQUAL(a->kind, "test");
	CU_ASSERT(a->at > 1600000000.0);
	CU_ASSERT_EQUAL(b->status, 500);
	CU_ASSERT_STRING_EQUAL(b->body, "{\"n\": 2}");
	CU_ASSERT_STRING_EQUAL(b->id, "");
	CU_ASSERT(b->at >= a->at);
	bb_hooks_free(all, n);
	curl_slist_free_all(hdr);
	free(ok);
	free(fail);
	free(user);
}

static CU_TestInfo tests[] = {
	{ "SMTP: two domains, one Maildir, each message once",
	  test_smtp_delivery },
	{ "webhooks: answered by path, logged with headers and body",
	  test_webhooks },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("mail", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}
