/* test_devices: devices by address without a database: the addresses and
 * networks an admin may bind a device to (IPv4 and IPv6, CIDR), their
 * canonical form, the range of addresses each holds, and what is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "devices.h"

/* Parses s expecting ERR_OK, the canonical text and the hex bounds. */
static void
net_ok(const char *s, const char *text, const char *lo, const char *hi,
       unsigned prefix)
{
	struct device_net n;
	enum err e = devices_net_parse(s, &n);

	CU_ASSERT_EQUAL(e, ERR_OK);
	CU_ASSERT_STRING_EQUAL(n.text, text);
	CU_ASSERT_STRING_EQUAL(n.lo, lo);
	CU_ASSERT_STRING_EQUAL(n.hi, hi);
	CU_ASSERT_EQUAL(n.prefix, prefix);
	if (e != ERR_OK || strcmp(n.text, text))
		fprintf(stderr, "%s -> %d %s\n", s, (int)e, n.text);
}

static void
test_ipv4(void)
{
	net_ok("10.0.5.21", "10.0.5.21", "0a000515", "0a000515", 32);
	net_ok("10.0.5.21/32", "10.0.5.21", "0a000515", "0a000515", 32);
	net_ok("10.0.5.0/24", "10.0.5.0/24", "0a000500", "0a0005ff", 24);
	net_ok("10.0.0.0/8", "10.0.0.0/8", "0a000000", "0affffff", 8);
	net_ok("192.168.1.128/25", "192.168.1.128/25", "c0a80180",
	       "c0a801ff", 25);
	net_ok("172.16.0.0/12", "172.16.0.0/12", "ac100000", "ac1fffff", 12);
	net_ok("128.0.0.0/1", "128.0.0.0/1", "80000000", "ffffffff", 1);
	net_ok("127.0.0.1", "127.0.0.1", "7f000001", "7f000001", 32);
}

static void
test_ipv6(void)
{
	net_ok("2001:DB8:0:0::15", "2001:db8::15",
	       "20010db8000000000000000000000015",
	       "20010db8000000000000000000000015", 128);
	net_ok("2001:db8::/32", "2001:db8::/32",
	       "20010db8000000000000000000000000",
	       "20010db8ffffffffffffffffffffffff", 32);
	net_ok("fd00:5::/64", "fd00:5::/64",
	       "fd000005000000000000000000000000",
	       "fd00000500000000ffffffffffffffff", 64);
	net_ok("::1", "::1", "00000000000000000000000000000001",
	       "00000000000000000000000000000001", 128);
	net_ok("2001:db8::/33", "2001:db8::/33",
	       "20010db8000000000000000000000000",
	       "20010db87fffffffffffffffffffffff", 33);
	/* an IPv4-mapped address is the IPv4 one (nginx may pass it so) */
	net_ok("::ffff:10.0.5.21", "10.0.5.21", "0a000515", "0a000515", 32);
	net_ok("::ffff:10.0.5.0/120", "10.0.5.0/24", "0a000500", "0a0005ff",
	       24);
}

static enum err
parse(const char *s)
{
	struct device_net n;

	return devices_net_parse(s, &n);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"", "10.0.5", "10.0.5.256", "10.0.5.21.", "010.0.5.21",
		"10.0.5.0/33", "10.0.5.0/", "10.0.5.0/-1", "10.0.5.0/+8",
		"10.0.5.0/024", "10.0.5.0/2 4", "10.0.5.0/24/8", " 10.0.5.21",
		"10.0.5.21 ", "fe80::1%eth0", "2001:db8::/129", "2001:db8:::1",
		"/24", "host.example", "10.0.5.0/1000", "::ffff:10.0.5.0/129",
		"1.2.3.4/8a",
	};
	struct device_net n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(parse(bad[i]), ERR_DEVICE_ADDRESS_INVALID);
		if (parse(bad[i]) != ERR_DEVICE_ADDRESS_INVALID)
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
	}
	CU_ASSERT_EQUAL(parse("0.0.0.0/0"), ERR_DEVICE_ADDRESS_WIDE);
	CU_ASSERT_EQUAL(parse("::/0"), ERR_DEVICE_ADDRESS_WIDE);
	CU_ASSERT_EQUAL(parse("::ffff:0.0.0.0/96"), ERR_DEVICE_ADDRESS_WIDE);
	/* host bits: refused, with the network meant */
	CU_ASSERT_EQUAL(devices_net_parse("10.0.5.21/24", &n),
			ERR_DEVICE_ADDRESS_HOST_BITS);
	CU_ASSERT_STRING_EQUAL(n.text, "10.0.5.0/24");
	CU_ASSERT_EQUAL(devices_net_parse("2001:db8::1/64", &n),
			ERR_DEVICE_ADDRESS_HOST_BITS);
	CU_ASSERT_STRING_EQUAL(n.text, "2001:db8::/64");
}

/* The canonical text parses back to the same network. */
static void
test_roundtrip(void)
{
	static const char *const nets[] = {
		"10.0.5.21", "10.0.5.0/24", "2001:db8::/32", "fd00:5::/64",
		"::ffff:192.168.0.0/112", "fe80::1", "255.255.255.255",
		"0.0.0.0/1",
	};
	struct device_net a, b;
	size_t i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		CU_ASSERT_EQUAL(devices_net_parse(nets[i], &a), ERR_OK);
		CU_ASSERT_EQUAL(devices_net_parse(a.text, &b), ERR_OK);
		CU_ASSERT_STRING_EQUAL(a.text, b.text);
		CU_ASSERT_STRING_EQUAL(a.lo, b.lo);
		CU_ASSERT_STRING_EQUAL(a.hi, b.hi);
		CU_ASSERT_EQUAL(a.prefix, b.prefix);
	}
}

/* Containment is lo <= addr <= hi as strings of one length: hex digits
 * in lower case order as the numbers do. */
static void
test_containment(void)
{
	struct device_net net, in, out;

	CU_ASSERT_EQUAL(devices_net_parse("10.0.5.0/24", &net), ERR_OK);
	CU_ASSERT_EQUAL(devices_net_parse("10.0.5.201", &in), ERR_OK);
	CU_ASSERT_EQUAL(devices_net_parse("10.0.6.1", &out), ERR_OK);
	CU_ASSERT(strcmp(net.lo, in.lo) <= 0 && strcmp(net.hi, in.lo) >= 0);
	CU_ASSERT(strcmp(net.hi, out.lo) < 0);
	CU_ASSERT_EQUAL(devices_net_parse("2001:db8::/32", &net), ERR_OK);
	CU_ASSERT_EQUAL(devices_net_parse("2001:db8:ffff::a", &in), ERR_OK);
	CU_ASSERT_EQUAL(devices_net_parse("2001:db9::", &out), ERR_OK);
	CU_ASSERT(strcmp(net.lo, in.lo) <= 0 && strcmp(net.hi, in.lo) >= 0);
	CU_ASSERT(strcmp(net.hi, out.lo) < 0);
}

static CU_TestInfo tests[] = {
	{ "IPv4 addresses and networks", test_ipv4 },
	{ "IPv6 addresses and networks, IPv4-mapped", test_ipv6 },
	{ "refused: malformed, /0, host bits", test_refused },
	{ "canonical text parses back the same", test_roundtrip },
	{ "containment as hex comparison", test_containment },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("devices", tests),
				 CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}
