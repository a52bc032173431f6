/* test_util: parsing, encoding, hashing and UTF-8 checks. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit_main.h"
#include "util.h"

static void
test_parse_ll(void)
{
	long long v = 0;

	CU_ASSERT_EQUAL(parse_ll("42", 0, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(parse_ll("-5", -10, 10, &v), 0);
	CU_ASSERT_EQUAL(v, -5);
	CU_ASSERT_EQUAL(parse_ll("", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll(" 4", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll("+4", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll("4x", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll("1.5", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll("101", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_ll("99999999999999999999", 0, 100, &v), -1);
}

static void
test_sha256(void)
{
	char out[65];

	sha256_hex("", 0, out);
	CU_ASSERT_STRING_EQUAL(out,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, out);
	CU_ASSERT_STRING_EQUAL(out,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	CU_ASSERT_STRING_EQUAL(out,
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_base64url(void)
{
	unsigned char raw[] = { 0xfb, 0xff, 0x00, 'a' };
	char *enc = base64url_encode(raw, sizeof(raw));
	unsigned char *dec;
	size_t n;

	CU_ASSERT_STRING_EQUAL(enc, "-_8AYQ");
	dec = base64url_decode(enc, strlen(enc), &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dec);
	CU_ASSERT_EQUAL(n, sizeof(raw));
	CU_ASSERT(memcmp(dec, raw, n) == 0);
	free(dec);
	free(enc);
	CU_ASSERT_PTR_NULL(base64url_decode("ab$c", 4, &n));
	CU_ASSERT_PTR_NULL(base64url_decode("a", 1, &n));
}

static void
test_utf8(void)
{
	CU_ASSERT_TRUE(utf8_valid("plain", 5));
	CU_ASSERT_TRUE(utf8_valid("\xc3\xa9t\xc3\xa9", 5));
	CU_ASSERT_TRUE(utf8_valid("\xf0\x9f\x98\x80", 4));
	CU_ASSERT_FALSE(utf8_valid("\xc3", 1));		/* truncated */
	CU_ASSERT_FALSE(utf8_valid("\xc0\xaf", 2));	/* overlong '/' */
	CU_ASSERT_FALSE(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	CU_ASSERT_FALSE(utf8_valid("\xff", 1));
	CU_ASSERT_FALSE(utf8_valid("a\0b", 3));		/* NUL */
}

static void
test_random_token(void)
{
	char *a = random_token(18), *b = random_token(18);

	CU_ASSERT_EQUAL(strlen(a), 24);
	CU_ASSERT(strcmp(a, b) != 0);
	free(a);
	free(b);
}

static void
test_buf(void)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i);
	CU_ASSERT(b.len > 3000);
	CU_ASSERT(strncmp(b.s, "0,1,2,", 6) == 0);
	CU_ASSERT_EQUAL(b.s[b.len], '\0');
	buf_release(&b);
	CU_ASSERT_PTR_NULL(b.s);
}

static void
test_write_all(void)
{
	char big[200000], back[200000];
	size_t got = 0;
	ssize_t r;
	int fds[2], status = -1;
	pid_t pid;

	memset(big, 'x', sizeof(big));
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	/* more than a pipe holds: the reader runs in a child */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(write_all(fds[1], big, sizeof(big)) ? 1 : 0);
	}
	close(fds[1]);
	while ((r = read(fds[0], back + got, sizeof(back) - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(got, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(big, back, sizeof(big)), 0);
	CU_ASSERT_EQUAL(write_all(-1, "x", 1), -1);
}

static CU_TestInfo tests[] = {
	{ "parse_ll", test_parse_ll },
	{ "sha256 vectors", test_sha256 },
	{ "base64url", test_base64url },
	{ "utf8", test_utf8 },
	{ "random token", test_random_token },
	{ "buf", test_buf },
	{ "write_all", test_write_all },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("util", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
