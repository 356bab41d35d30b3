/* test_addr.c - addr_parse() and friends: one canonical text per address,
 * refusals for everything else. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "addr.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* input, and its canonical text or NULL when it must be refused */
struct text_case {
	const char *input;
	const char *canonical;
};

/* input, and the exact reason it is refused */
struct why_case {
	const char *input;
	const char *why;
};

static const struct text_case addr_cases[] = {
	/* plain IPv4 */
	{"192.0.2.1", "192.0.2.1"},
	{"198.51.100.0", "198.51.100.0"},
	{"203.0.113.255", "203.0.113.255"},
	{"0.0.0.0", "0.0.0.0"},
	{"255.255.255.255", "255.255.255.255"},

	/* one IPv6 address, many spellings */
	{"2001:db8::1", "2001:db8::1"},
	{"2001:DB8::1", "2001:db8::1"},
	{"2001:db8:0::1", "2001:db8::1"},
	{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
	{"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
	{"2001:0DB8::0:1", "2001:db8::1"},

	/* zero runs in different places: the longest is compressed, the
	 * first on a tie, and a single zero group never */
	{"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:db8::1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:db8:0:0:1::1", "2001:db8::1:0:0:1"},
	{"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
	{"2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0"},
	{"2001:db8:1:0:0:0:0:0", "2001:db8:1::"},
	{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	{"2001:db8:1:1:1:1:1:0", "2001:db8:1:1:1:1:1:0"},
	{"2001:db8::", "2001:db8::"},
	{"2001:DB8:AbCd::", "2001:db8:abcd::"},
	{"::", "::"},
	{"::1", "::1"},
	{"0:0:0:0:0:0:0:1", "::1"},
	{"fe80::1", "fe80::1"},

	/* IPv4-mapped IPv6 is the IPv4 host itself */
	{"::ffff:192.0.2.1", "192.0.2.1"},
	{"::FFFF:192.0.2.1", "192.0.2.1"},
	{"::ffff:c000:201", "192.0.2.1"},
	{"::ffff:C000:0201", "192.0.2.1"},
	{"0:0:0:0:0:ffff:198.51.100.7", "198.51.100.7"},
	{"0000:0000:0000:0000:0000:ffff:cb00:7109", "203.0.113.9"},
	{"0000:0000:0000:0000:0000:ffff:255.255.255.255", "255.255.255.255"},
	{"::ffff:01.2.3.4", NULL},
	{"::ffff:192.0.2", NULL},
	{"::ffff:192.0.2.256", NULL},
	/* IPv4-compatible (deprecated) and IPv4-translated stay IPv6 */
	{"::192.0.2.1", "::192.0.2.1"},
	{"::c000:201", "::192.0.2.1"},
	{"::ffff:0:192.0.2.1", "::ffff:0:c000:201"},

	/* zone ids */
	{"fe80::1%eth0", NULL},
	{"fe80::1%25eth0", NULL},
	{"fe80::1%1", NULL},

	/* empty, whitespace, junk */
	{"", NULL},
	{" ", NULL},
	{"192.0.2.1 ", NULL},
	{" 192.0.2.1", NULL},
	{"\t192.0.2.1", NULL},
	{"192.0.2.1\n", NULL},
	{"192.0.2.1\r", NULL},
	{"2001:db8::1 ", NULL},
	{"192.0.2.\x7f", NULL},
	{"192.0.2.1;id", NULL},
	{"192.0.2.1/32", NULL},
	{"2001:db8::1/128", NULL},
	{"[2001:db8::1]", NULL},
	{"192.0.2.1:22", NULL},
	{"example.com", NULL},
	{"192.0.2.1\xc2\xa0", NULL},

	/* malformed IPv4: out of range, too few or many parts, leading
	 * zeros, shorthand */
	{"999.1.1.1", NULL},
	{"256.0.0.0", NULL},
	{"192.0.2.1000", NULL},
	{"1.2.3", NULL},
	{"192.0.2", NULL},
	{"192.0.2.1.5", NULL},
	{"01.2.3.4", NULL},
	{"192.0.2.01", NULL},
	{"192.00.2.1", NULL},
	{"0192.0.2.1", NULL},
	{"192.0.2.", NULL},
	{".192.0.2.1", NULL},
	{"192..0.2", NULL},
	{"3221225985", NULL},
	{"0xc0.0.2.1", NULL},
	{"c0.0.2.1", NULL},

	/* malformed IPv6 */
	{":", NULL},
	{":::", NULL},
	{"2001:db8::1::1", NULL},
	{"2001:db8:0:0:0:0:0:0:1", NULL},
	{"2001:db8:0:0:0:0:1", NULL},
	{"2001:db8::1:0:0:0:0:1", NULL},
	{"2001:db8::12345", NULL},
	{"2001:db8:::1", NULL},
	{":2001:db8::1", NULL},
	{"2001:db8::1:", NULL},
	{"192.0.2.1::", NULL},
	{"::192.0.2.1:1", NULL},

	/* one character past the longest address, and far past it */
	{"0000:0000:0000:0000:0000:ffff:255.255.255.2555", NULL},
	{"00000:0000:0000:0000:0000:ffff:255.255.255.255", NULL},
	{"2001:0db8:0000:0000:0000:0000:0000:0001:2001:0db8:0000:0000", NULL},
};

static const struct why_case addr_whys[] = {
	{"", "empty address"},
	{"fe80::1%eth0", "zone ids are not accepted"},
	{"192.0.2.1 ", "whitespace is not accepted"},
	{"\t192.0.2.1", "whitespace is not accepted"},
	{"192.0.2.1\x01", "control characters are not accepted"},
	{"192.0.2.1/32", "a prefix is not accepted here"},
	{"192.0.2.1;id", "unexpected character in address"},
	{"999.1.1.1", "IPv4 part above 255"},
	{"01.2.3.4", "leading zeros are not accepted in IPv4"},
	{"::ffff:192.0.2.01", "leading zeros are not accepted in IPv4"},
	{"1.2.3", "not an IP address"},
	{"2001:db8::1::1", "not an IPv6 address"},
	{"0000:0000:0000:0000:0000:ffff:255.255.255.2555", "address too long"},
};

static const struct text_case net_cases[] = {
	/* IPv4 networks and hosts */
	{"192.0.2.0/24", "192.0.2.0/24"},
	{"198.51.100.128/25", "198.51.100.128/25"},
	{"203.0.113.0/31", "203.0.113.0/31"},
	{"0.0.0.0/1", "0.0.0.0/1"},
	{"128.0.0.0/1", "128.0.0.0/1"},
	{"192.0.2.7/32", "192.0.2.7"},
	{"192.0.2.7", "192.0.2.7"},
	{"192.0.2.1/24", NULL},
	{"192.0.2.128/24", NULL},
	{"203.0.113.1/31", NULL},
	{"192.0.2.0/0", NULL},
	{"0.0.0.0/0", NULL},
	{"192.0.2.0/33", NULL},
	{"192.0.2.0/024", NULL},
	{"192.0.2.0/00", NULL},
	{"192.0.2.0/", NULL},
	{"192.0.2.0/+24", NULL},
	{"192.0.2.0/-24", NULL},
	{"192.0.2.0/ 24", NULL},
	{"192.0.2.0/24 ", NULL},
	{"192.0.2.0/24/24", NULL},
	{"192.0.2.0/2a", NULL},
	{"192.0.2.0/4294967320", NULL},
	{"/24", NULL},
	{"01.0.2.0/24", NULL},
	{"192.0.2.0 /24", NULL},

	/* IPv6 networks and hosts */
	{"2001:db8::/32", "2001:db8::/32"},
	{"2001:DB8:0::/32", "2001:db8::/32"},
	{"2001:db8:8000::/33", "2001:db8:8000::/33"},
	{"2001:db8::/127", "2001:db8::/127"},
	{"2001:db8::1/128", "2001:db8::1"},
	{"2001:0DB8::0001", "2001:db8::1"},
	{"::/96", "::/96"},
	{"2001:db8::1/64", NULL},
	{"2001:db8:4000::/33", NULL},
	{"2001:db8::/129", NULL},
	{"2001:db8::/200", NULL},
	{"2001:db8::/0", NULL},
	{"::/0", NULL},
	{"2001:db8::/064", NULL},
	{"fe80::%eth0/64", NULL},
	{"fe80::/64%eth0", NULL},

	/* IPv4-mapped networks become IPv4 networks */
	{"::ffff:192.0.2.0/120", "192.0.2.0/24"},
	{"::ffff:c000:200/120", "192.0.2.0/24"},
	{"::ffff:198.51.100.7/128", "198.51.100.7"},
	{"::ffff:198.51.100.7", "198.51.100.7"},
	{"::ffff:128.0.0.0/97", "128.0.0.0/1"},
	{"::ffff:203.0.113.0/127", "203.0.113.0/31"},
	{"::ffff:0.0.0.0/96", NULL},
	{"::ffff:0:0/96", NULL},
	{"::ffff:192.0.2.0/95", NULL},
	{"::ffff:192.0.2.0/24", NULL},
	{"::ffff:192.0.2.1/120", NULL},
	{"::ffff:192.0.2.0/129", NULL},
	{"::ffff:192.0.2.0/152", NULL},

	/* length limits: the longest address with a prefix fits */
	{"0000:0000:0000:0000:0000:ffff:255.255.255.255/128", "255.255.255.255"},
	{"0000:0000:0000:0000:0000:ffff:255.255.255.255/1280", NULL},
	{"2001:0db8:0000:0000:0000:0000:0000:0000:0000:0000/32", NULL},
};

static const struct why_case net_whys[] = {
	{"192.0.2.1/24", "host bits are set below the prefix"},
	{"::ffff:192.0.2.0/95", "host bits are set below the prefix"},
	{"192.0.2.0/0", "a /0 network would match every address"},
	{"::ffff:0.0.0.0/96", "a /0 network would match every address"},
	{"192.0.2.0/33", "prefix out of range"},
	{"2001:db8::/129", "prefix out of range"},
	{"192.0.2.0/4294967320", "prefix out of range"},
	{"192.0.2.0/024", "leading zeros are not accepted in a prefix"},
	{"192.0.2.0/", "missing prefix after '/'"},
	{"192.0.2.0/+24", "prefix is not a decimal number"},
	{"fe80::%eth0/64", "zone ids are not accepted"},
	{"0000:0000:0000:0000:0000:ffff:255.255.255.255/1280",
	 "network too long"},
};

struct contains_case {
	const char *net;
	const char *addr;
	bool inside;
};

static const struct contains_case contains_cases[] = {
	/* IPv4, with both ends of the range and the addresses just outside */
	{"192.0.2.0/24", "192.0.2.0", true},
	{"192.0.2.0/24", "192.0.2.77", true},
	{"192.0.2.0/24", "192.0.2.255", true},
	{"192.0.2.0/24", "192.0.1.255", false},
	{"192.0.2.0/24", "192.0.3.0", false},
	{"198.51.100.0/25", "198.51.100.127", true},
	{"198.51.100.0/25", "198.51.100.128", false},
	{"198.51.100.128/25", "198.51.100.128", true},
	{"198.51.100.128/25", "198.51.100.127", false},
	{"203.0.113.7", "203.0.113.7", true},
	{"203.0.113.7", "203.0.113.6", false},
	{"203.0.113.7", "203.0.113.8", false},
	{"128.0.0.0/1", "192.0.2.1", true},
	{"0.0.0.0/1", "192.0.2.1", false},

	/* IPv6 */
	{"2001:db8::/32", "2001:db8::", true},
	{"2001:db8::/32", "2001:db8::1", true},
	{"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
	{"2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false},
	{"2001:db8::/32", "2001:db9::", false},
	{"2001:db8:8000::/33", "2001:db8:8000::", true},
	{"2001:db8:8000::/33", "2001:db8:ffff::1", true},
	{"2001:db8:8000::/33", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", false},
	{"2001:db8::/127", "2001:db8::1", true},
	{"2001:db8::/127", "2001:db8::2", false},
	{"2001:db8::1", "2001:db8::1", true},
	{"2001:db8::1", "2001:db8::", false},

	/* never across families, even where the leading bytes agree (c000:2ff::
	 * starts with 192.0.2.255, 32.1.13.184 is 2001:db8's bytes); a mapped
	 * address is IPv4 */
	{"2001:db8::/32", "192.0.2.1", false},
	{"192.0.2.0/24", "2001:db8::", false},
	{"192.0.2.0/24", "c000:2ff::", false},
	{"2001:db8::/32", "32.1.13.184", false},
	{"192.0.2.0/24", "::ffff:192.0.2.1", true},
	{"::ffff:192.0.2.0/120", "192.0.2.9", true},
	{"::ffff:192.0.2.0/120", "198.51.100.9", false},
	{"192.0.2.0/24", "::192.0.2.1", false},
	{"::/96", "::192.0.2.1", true},
	{"::/96", "192.0.2.1", false},
	{"::/96", "::ffff:192.0.2.1", false},
};

/* A reason for fail_msg(), which must not be handed NULL for %s. */
static const char *shown(const char *why)
{
	return why != NULL ? why : "(no reason)";
}

static bool same_addr(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* Table failures name the row: cmocka alone would only give a line. */
static void check_addr_case(const struct text_case *c)
{
	struct addr a;
	const char *why = NULL;
	char text[ADDR_TEXT_MAX];
	int rc = addr_parse(c->input, &a, &why);

	if (c->canonical == NULL) {
		if (rc != -1)
			fail_msg("addr_parse(\"%s\") accepted", c->input);
		if (why == NULL || why[0] == '\0')
			fail_msg("addr_parse(\"%s\") gave no reason", c->input);
		return;
	}
	if (rc != 0)
		fail_msg("addr_parse(\"%s\") refused: %s", c->input,
			 shown(why));
	addr_format(&a, text);
	if (strcmp(text, c->canonical) != 0)
		fail_msg("addr_parse(\"%s\") is \"%s\", want \"%s\"", c->input,
			 text, c->canonical);
}

static void test_addr_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(addr_cases); i++)
		check_addr_case(&addr_cases[i]);
}

/* parse(format(parse(x))) == parse(x), and the text is a fixed point. */
static void test_addr_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(addr_cases); i++) {
		struct addr first, second;
		char text[ADDR_TEXT_MAX], again[ADDR_TEXT_MAX];

		if (addr_parse(addr_cases[i].input, &first, NULL) != 0)
			continue;
		addr_format(&first, text);
		assert_int_equal(addr_parse(text, &second, NULL), 0);
		assert_true(same_addr(&first, &second));
		addr_format(&second, again);
		assert_string_equal(again, text);
	}
}

static void test_addr_whys(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(addr_whys); i++) {
		struct addr a;
		const char *why = NULL;

		const struct why_case *c = &addr_whys[i];

		if (addr_parse(c->input, &a, &why) != -1)
			fail_msg("addr_parse(\"%s\") accepted", c->input);
		if (why == NULL || strcmp(why, c->why) != 0)
			fail_msg("addr_parse(\"%s\"): \"%s\", want \"%s\"",
				 c->input, shown(why), c->why);
	}
}

static void test_addr_families(void **state)
{
	static const unsigned char v4[16] = {192, 0, 2, 1};
	static const unsigned char compat[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1,
	};
	struct addr plain, mapped, hex_mapped, compatible;
	(void)state;

	assert_int_equal(addr_parse("192.0.2.1", &plain, NULL), 0);
	assert_int_equal(plain.family, AF_INET);
	assert_memory_equal(plain.bytes, v4, sizeof v4);

	/* mapped: the very same struct as the plain address */
	assert_int_equal(addr_parse("::ffff:192.0.2.1", &mapped, NULL), 0);
	assert_true(same_addr(&plain, &mapped));
	assert_int_equal(addr_parse("::ffff:c000:201", &hex_mapped, NULL), 0);
	assert_true(same_addr(&plain, &hex_mapped));

	assert_int_equal(addr_parse("::192.0.2.1", &compatible, NULL), 0);
	assert_int_equal(compatible.family, AF_INET6);
	assert_memory_equal(compatible.bytes, compat, sizeof compat);
}

/* A refusal leaves *out alone; NULL text and a NULL why are survivable. */
static void test_addr_refusal_contract(void **state)
{
	struct addr a, before;
	const char *why = NULL;
	(void)state;

	memset(&a, 0xa5, sizeof a);
	before = a;
	assert_int_equal(addr_parse("192.0.2.256", &a, &why), -1);
	assert_memory_equal(&a, &before, sizeof a);

	why = NULL;
	assert_int_equal(addr_parse(NULL, &a, &why), -1);
	assert_string_equal(why, "no address given");
	assert_int_equal(addr_parse("", &a, NULL), -1);
	assert_memory_equal(&a, &before, sizeof a);
}

/* 45 characters is the longest address text; nothing past the limit is
 * read, so an unterminated-looking flood is refused cheaply. */
static void test_addr_length_limit(void **state)
{
	char longest[] = "0000:0000:0000:0000:0000:ffff:255.255.255.255";
	char flood[4096];
	struct addr a;
	const char *why = NULL;
	(void)state;

	assert_int_equal(strlen(longest), ADDR_TEXT_MAX - 1);
	assert_int_equal(addr_parse(longest, &a, NULL), 0);

	memset(flood, '1', sizeof flood - 1);
	flood[sizeof flood - 1] = '\0';
	assert_int_equal(addr_parse(flood, &a, &why), -1);
	assert_string_equal(why, "address too long");
	why = NULL;
	struct addr_net n;
	assert_int_equal(addr_net_parse(flood, &n, &why), -1);
	assert_string_equal(why, "network too long");
}

static void check_net_case(const struct text_case *c)
{
	struct addr_net n;
	const char *why = NULL;
	char text[ADDR_NET_TEXT_MAX];
	int rc = addr_net_parse(c->input, &n, &why);

	if (c->canonical == NULL) {
		if (rc != -1)
			fail_msg("addr_net_parse(\"%s\") accepted", c->input);
		if (why == NULL || why[0] == '\0')
			fail_msg("addr_net_parse(\"%s\") gave no reason",
				 c->input);
		return;
	}
	if (rc != 0)
		fail_msg("addr_net_parse(\"%s\") refused: %s", c->input,
			 shown(why));
	addr_net_format(&n, text);
	if (strcmp(text, c->canonical) != 0)
		fail_msg("addr_net_parse(\"%s\") is \"%s\", want \"%s\"",
			 c->input, text, c->canonical);
}

static void test_net_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(net_cases); i++)
		check_net_case(&net_cases[i]);
}

static void test_net_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(net_cases); i++) {
		struct addr_net first, second;
		char text[ADDR_NET_TEXT_MAX], again[ADDR_NET_TEXT_MAX];

		if (addr_net_parse(net_cases[i].input, &first, NULL) != 0)
			continue;
		addr_net_format(&first, text);
		assert_int_equal(addr_net_parse(text, &second, NULL), 0);
		assert_true(same_addr(&first.base, &second.base));
		assert_int_equal(first.prefix, second.prefix);
		addr_net_format(&second, again);
		assert_string_equal(again, text);
	}
}

static void test_net_whys(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(net_whys); i++) {
		struct addr_net n;
		const char *why = NULL;

		const struct why_case *c = &net_whys[i];

		if (addr_net_parse(c->input, &n, &why) != -1)
			fail_msg("addr_net_parse(\"%s\") accepted", c->input);
		if (why == NULL || strcmp(why, c->why) != 0)
			fail_msg("addr_net_parse(\"%s\"): \"%s\", want \"%s\"",
				 c->input, shown(why), c->why);
	}
}

/* Hosts get a full-length prefix; mapped networks lose 96 bits. */
static void test_net_prefixes(void **state)
{
	struct addr_net n;
	struct addr a;
	(void)state;

	assert_int_equal(addr_net_parse("192.0.2.7", &n, NULL), 0);
	assert_int_equal(n.prefix, 32);
	assert_int_equal(addr_net_parse("2001:db8::7", &n, NULL), 0);
	assert_int_equal(n.prefix, 128);

	assert_int_equal(addr_net_parse("::ffff:192.0.2.0/120", &n, NULL), 0);
	assert_int_equal(n.base.family, AF_INET);
	assert_int_equal(n.prefix, 24);
	assert_int_equal(addr_parse("192.0.2.0", &a, NULL), 0);
	assert_true(same_addr(&n.base, &a));

	/* a network given as a host is the same as the host itself */
	assert_int_equal(addr_net_parse("::ffff:192.0.2.7", &n, NULL), 0);
	assert_int_equal(n.base.family, AF_INET);
	assert_int_equal(n.prefix, 32);

	assert_int_equal(addr_net_parse(NULL, &n, NULL), -1);
}

static void test_net_format_hand_built(void **state)
{
	struct addr_net n = {.base = {.family = AF_INET6}, .prefix = 128};
	char text[ADDR_NET_TEXT_MAX];
	(void)state;

	n.base.bytes[0] = 0x20;
	n.base.bytes[1] = 0x01;
	n.base.bytes[2] = 0x0d;
	n.base.bytes[3] = 0xb8;
	addr_net_format(&n, text);
	assert_string_equal(text, "2001:db8::");
	n.prefix = 32;
	addr_net_format(&n, text);
	assert_string_equal(text, "2001:db8::/32");

	/* the longest possible network text fits its buffer */
	memset(n.base.bytes, 0xff, sizeof n.base.bytes);
	n.prefix = 127;
	n.base.bytes[15] = 0xfe;
	addr_net_format(&n, text);
	assert_string_equal(text,
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
}

static void test_contains(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(contains_cases); i++) {
		const struct contains_case *c = &contains_cases[i];
		struct addr_net n;
		struct addr a;

		assert_int_equal(addr_net_parse(c->net, &n, NULL), 0);
		assert_int_equal(addr_parse(c->addr, &a, NULL), 0);
		if (addr_net_contains(&n, &a) != c->inside)
			fail_msg("%s %s %s", c->net,
				 c->inside ? "misses" : "wrongly contains",
				 c->addr);
	}
}

/* Every accepted host is inside its own /full network and its canonical
 * network text is its address text. */
static void test_host_is_its_own_network(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(addr_cases); i++) {
		struct addr a;
		struct addr_net n;
		char host[ADDR_TEXT_MAX], net[ADDR_NET_TEXT_MAX];

		if (addr_parse(addr_cases[i].input, &a, NULL) != 0)
			continue;
		addr_format(&a, host);
		assert_int_equal(addr_net_parse(addr_cases[i].input, &n, NULL),
				 0);
		assert_true(addr_net_contains(&n, &a));
		addr_net_format(&n, net);
		assert_string_equal(net, host);
	}
}

/* The form a row holds: an address as addr_format writes it, a network as
 * addr_net_format does, anything else refused with a reason. */
static void test_canonical(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "::ffff:192.0.2.1", "192.0.2.1" },
		{ "2001:DB8:0::1", "2001:db8::1" },
		{ "192.0.2.1/32", "192.0.2.1" },
		{ "198.51.100.0/24", "198.51.100.0/24" },
		{ "2001:DB8::/32", "2001:db8::/32" },
	};
	static const char *const bad[] = {
		"", "192.0.2", "192.0.2.1/0", "192.0.2.1/24", "999.1.1.1",
		"192.0.2.1 ", "fe80::1%eth0",
	};
	char out[ADDR_NET_TEXT_MAX];
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(ok); i++) {
		assert_int_equal(addr_canonical(ok[i].in, out, NULL), 0);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < COUNT(bad); i++) {
		why = NULL;
		assert_int_equal(addr_canonical(bad[i], out, &why), -1);
		assert_non_null(why);
	}
}

static void assert_nth(const char *net_text, unsigned long i, const char *want)
{
	struct addr_net n;
	struct addr a;
	char out[ADDR_TEXT_MAX];
	const char *why;

	assert_int_equal(addr_net_parse(net_text, &n, &why), 0);
	a = addr_net_nth(&n, i);
	addr_format(&a, out);
	assert_string_equal(out, want);
}

static void test_nth_address_of_a_network(void **state)
{
	struct addr_net n;
	const char *why;

	(void)state;
	assert_nth("192.0.2.0/24", 0, "192.0.2.0");
	assert_nth("192.0.2.0/24", 255, "192.0.2.255");
	assert_nth("198.51.0.0/16", 256, "198.51.1.0");
	assert_nth("198.51.0.0/16", 65535, "198.51.255.255");
	/* Past the network's size, the count stays inside it. */
	assert_nth("192.0.2.0/24", 256, "192.0.2.0");
	assert_nth("192.0.2.7", 0, "192.0.2.7");
	assert_nth("2001:db8::/112", 65535, "2001:db8::ffff");
	assert_nth("2001:db8::/120", 17, "2001:db8::11");
	assert_int_equal(addr_net_parse("192.0.2.0/24", &n, &why), 0);
	assert_int_equal(addr_net_host_bits(&n), 8);
	assert_int_equal(addr_net_parse("2001:db8::1", &n, &why), 0);
	assert_int_equal(addr_net_host_bits(&n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_table),
		cmocka_unit_test(test_addr_round_trip),
		cmocka_unit_test(test_addr_whys),
		cmocka_unit_test(test_addr_families),
		cmocka_unit_test(test_addr_refusal_contract),
		cmocka_unit_test(test_addr_length_limit),
		cmocka_unit_test(test_net_table),
		cmocka_unit_test(test_net_round_trip),
		cmocka_unit_test(test_net_whys),
		cmocka_unit_test(test_net_prefixes),
		cmocka_unit_test(test_net_format_hand_built),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_host_is_its_own_network),
		cmocka_unit_test(test_nth_address_of_a_network),
		cmocka_unit_test(test_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
