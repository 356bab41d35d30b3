/* addr.c - IPv4/IPv6 addresses and networks in one canonical text form.
 *
 * The text arrives from fail2ban (which copied it from a log line an attacker
 * may have shaped) or from an administrator, so it is checked character by
 * character before libc sees it: what some libc parser would quietly
 * accept (zone ids, octal-looking or shorthand IPv4) is refused here with a
 * reason. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* ::ffff:0:0/96, the IPv4-mapped block: the same host as its last 4 bytes. */
static const unsigned char mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* why may be NULL, for callers that only need a yes or no. */
static int refuse(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

static unsigned family_bytes(int family)
{
	return family == AF_INET ? 4 : 16;
}

static unsigned family_bits(int family)
{
	return 8 * family_bytes(family);
}

static bool is_addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* Name the kind of character that cannot be in an address, so that the
 * administrator reading the refusal sees what was wrong with the text. */
static const char *bad_char_reason(char c)
{
	unsigned char u = (unsigned char)c;

	if (c == '%')
		return "zone ids are not accepted";
	if (c == '/')
		return "a prefix is not accepted here";
	if (u == ' ' || (u >= '\t' && u <= '\r'))
		return "whitespace is not accepted";
	if (u < 0x20 || u == 0x7f)
		return "control characters are not accepted";
	return "unexpected character in address";
}

static const char *check_chars(const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (!is_addr_char(*p))
			return bad_char_reason(*p);
	}
	return NULL;
}

/* One decimal part of a dotted quad, advancing *sp past it.  "010" is refused
 * rather than read: inet_aton() would take it as octal 8, so its meaning
 * depends on who reads it. */
static const char *read_octet(const char **sp, unsigned char *out)
{
	const char *s = *sp;
	unsigned value = 0;

	if (*s < '0' || *s > '9')
		return "not an IP address";
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return "leading zeros are not accepted in IPv4";
	for (; *s >= '0' && *s <= '9'; s++) {
		value = value * 10 + (unsigned)(*s - '0');
		if (value > 255)
			return "IPv4 part above 255";
	}
	*out = (unsigned char)value;
	*sp = s;
	return NULL;
}

/* Exactly four parts: the shorthand forms ("1.2.3" for 1.2.0.3) are legal to
 * inet_aton() but nobody writes them on purpose. */
static const char *parse_ipv4(const char *s, unsigned char out[4])
{
	for (unsigned part = 0; part < 4; part++) {
		if (part > 0 && *s++ != '.')
			return "not an IP address";
		const char *reason = read_octet(&s, &out[part]);
		if (reason != NULL)
			return reason;
	}
	return *s == '\0' ? NULL : "not an IP address";
}

/* tail is the text after the last ':'.  A dotted quad there gets the same
 * strict reading as a plain IPv4 address, whatever libc would allow. */
static const char *parse_ipv6(const char *text, const char *tail,
			      unsigned char out[16])
{
	if (strchr(tail, '.') != NULL) {
		unsigned char ignored[4];
		const char *reason = parse_ipv4(tail, ignored);
		if (reason != NULL)
			return reason;
	}
	if (inet_pton(AF_INET6, text, out) != 1)
		return "not an IPv6 address";
	return NULL;
}

/* The checks shared by both parsers.  A mapped address is left as IPv6 here
 * so that a network's prefix can still be judged against 128 bits. */
static const char *parse_raw(const char *text, struct addr *out)
{
	size_t len = strnlen(text, ADDR_TEXT_MAX);

	if (len == 0)
		return "empty address";
	if (len >= ADDR_TEXT_MAX)
		return "address too long";
	const char *reason = check_chars(text);
	if (reason != NULL)
		return reason;

	memset(out, 0, sizeof *out);
	const char *last_colon = strrchr(text, ':');
	if (last_colon == NULL) {
		out->family = AF_INET;
		return parse_ipv4(text, out->bytes);
	}
	out->family = AF_INET6;
	return parse_ipv6(text, last_colon + 1, out->bytes);
}

static bool is_mapped(const struct addr *a)
{
	return a->family == AF_INET6 &&
	       memcmp(a->bytes, mapped_prefix, sizeof mapped_prefix) == 0;
}

/* Bytes beyond the first 4 are cleared so that two equal IPv4 addresses are
 * equal structs. */
static void unmap(struct addr *a)
{
	memmove(a->bytes, a->bytes + sizeof mapped_prefix, 4);
	memset(a->bytes + 4, 0, sizeof a->bytes - 4);
	a->family = AF_INET;
}

int addr_parse(const char *text, struct addr *out, const char **why)
{
	struct addr a;

	if (text == NULL)
		return refuse(why, "no address given");
	const char *reason = parse_raw(text, &a);
	if (reason != NULL)
		return refuse(why, reason);
	if (is_mapped(&a))
		unmap(&a);
	*out = a;
	return 0;
}

/* The bits of byte i that lie inside a /prefix network. */
static unsigned char prefix_mask(unsigned prefix, unsigned i)
{
	if (prefix >= 8 * (i + 1))
		return 0xff;
	if (prefix <= 8 * i)
		return 0;
	return (unsigned char)(0xffu << (8 - (prefix - 8 * i)));
}

static bool has_host_bits(const struct addr_net *n)
{
	for (unsigned i = 0; i < family_bytes(n->base.family); i++) {
		if (n->base.bytes[i] & ~prefix_mask(n->prefix, i))
			return true;
	}
	return false;
}

/* Decimal, no sign, no leading zeros: "/024" is most likely a typo and
 * "/+24" or "/ 24" no prefix anyone means. */
static const char *parse_prefix(const char *s, unsigned max, unsigned *out)
{
	size_t digits = strspn(s, "0123456789");
	unsigned value = 0;

	if (*s == '\0')
		return "missing prefix after '/'";
	if (digits == 0 || s[digits] != '\0')
		return "prefix is not a decimal number";
	if (s[0] == '0' && digits > 1)
		return "leading zeros are not accepted in a prefix";
	if (digits > 3)
		return "prefix out of range";
	for (size_t i = 0; i < digits; i++)
		value = value * 10 + (unsigned)(s[i] - '0');
	if (value == 0)
		return "a /0 network would match every address";
	if (value > max)
		return "prefix out of range";
	*out = value;
	return NULL;
}

/* ::ffff:0:0/96 is the whole of IPv4, so ::ffff:a.b.c.d/P is a.b.c.d/(P-96).
 * P < 96 cannot reach here: the ffff in bits 80..95 would be host bits. */
static const char *unmap_net(struct addr_net *n)
{
	if (n->prefix == 96)
		return "a /0 network would match every address";
	unmap(&n->base);
	n->prefix -= 96;
	return NULL;
}

static const char *parse_net(const char *text, struct addr_net *out)
{
	if (strnlen(text, ADDR_NET_TEXT_MAX) >= ADDR_NET_TEXT_MAX)
		return "network too long";

	const char *slash = strchr(text, '/');
	size_t addr_len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (addr_len >= ADDR_TEXT_MAX)
		return "address too long";
	char addr_text[ADDR_TEXT_MAX];
	memcpy(addr_text, text, addr_len);
	addr_text[addr_len] = '\0';

	const char *reason = parse_raw(addr_text, &out->base);
	if (reason != NULL)
		return reason;
	unsigned max = family_bits(out->base.family);
	out->prefix = max;
	if (slash != NULL) {
		reason = parse_prefix(slash + 1, max, &out->prefix);
		if (reason != NULL)
			return reason;
	}
	/* Refused rather than masked: 192.0.2.7/24 may be a typo for
	 * 192.0.2.7/32 as easily as for 192.0.2.0/24. */
	if (has_host_bits(out))
		return "host bits are set below the prefix";
	return is_mapped(&out->base) ? unmap_net(out) : NULL;
}

int addr_net_parse(const char *text, struct addr_net *out, const char **why)
{
	struct addr_net n;

	if (text == NULL)
		return refuse(why, "no address given");
	const char *reason = parse_net(text, &n);
	if (reason != NULL)
		return refuse(why, reason);
	*out = n;
	return 0;
}

/* glibc's inet_ntop() already writes RFC 5952 text for IPv6.  It can only
 * fail on a family addr_parse() never produces; an empty string then keeps
 * the caller's buffer a valid string. */
void addr_format(const struct addr *a, char out[ADDR_TEXT_MAX])
{
	if (inet_ntop(a->family, a->bytes, out, ADDR_TEXT_MAX) == NULL)
		out[0] = '\0';
}

void addr_net_format(const struct addr_net *n, char out[ADDR_NET_TEXT_MAX])
{
	addr_format(&n->base, out);
	if (n->prefix < family_bits(n->base.family)) {
		size_t len = strlen(out);
		snprintf(out + len, ADDR_NET_TEXT_MAX - len, "/%u", n->prefix);
	}
}

int addr_canonical(const char *text, char out[ADDR_NET_TEXT_MAX],
		   const char **why)
{
	struct addr a;
	struct addr_net net;

	if (addr_parse(text, &a, why) == 0) {
		addr_format(&a, out);
		return 0;
	}
	if (addr_net_parse(text, &net, why) == 0) {
		addr_net_format(&net, out);
		return 0;
	}
	return -1;
}

bool addr_net_contains(const struct addr_net *n, const struct addr *a)
{
	if (n->base.family != a->family)
		return false;
	for (unsigned i = 0; i < family_bytes(a->family); i++) {
		if ((n->base.bytes[i] ^ a->bytes[i]) & prefix_mask(n->prefix, i))
			return false;
	}
	return true;
}

unsigned addr_net_host_bits(const struct addr_net *n)
{
	return (n->base.family == AF_INET ? 32u : 128u) - n->prefix;
}

struct addr addr_net_nth(const struct addr_net *n, unsigned long i)
{
	struct addr a = n->base;
	unsigned host = addr_net_host_bits(n);
	int b = n->base.family == AF_INET ? 3 : 15;

	if (host < sizeof(i) * 8)
		i &= (1UL << host) - 1;
	for (; b >= 0 && i; b--) {
		unsigned long sum = a.bytes[b] + (i & 0xffUL);

		a.bytes[b] = (unsigned char)sum;
		i = (i >> 8) + (sum >> 8);
	}
	return a;
}
