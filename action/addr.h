/* addr.h - IPv4/IPv6 addresses and networks in one canonical text form.
 *
 * Every address that reaches the database goes through addr_parse() first, so
 * that "2001:DB8::1" and "2001:db8:0::1" land on the same row.  Nothing here
 * knows about the command line, the database or fail2ban. */
#ifndef MC_F2B_ADDR_H
#define MC_F2B_ADDR_H

#include <stdbool.h>

/* Longest canonical address ("ffff:...:ffff" or a mapped form never kept). */
#define ADDR_TEXT_MAX 46
/* Longest canonical network: an address, '/', up to three digits. */
#define ADDR_NET_TEXT_MAX (ADDR_TEXT_MAX + 4)

struct addr {
	int family;               /* AF_INET or AF_INET6 */
	unsigned char bytes[16];  /* network order; IPv4 uses the first 4 */
};

struct addr_net {
	struct addr base;         /* host bits are always zero */
	unsigned prefix;          /* 1..32 or 1..128 */
};

/* Parse one address.  Accepts dotted-quad IPv4 and RFC 4291 IPv6 text;
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes the plain IPv4 address.  Refuses
 * anything else: zone ids, whitespace, leading zeros in IPv4, prefixes, text
 * longer than an address can be.  On failure returns -1 and points *why at a
 * static, human-readable reason. */
int addr_parse(const char *text, struct addr *out, const char **why);

/* Parse an address or a network "addr/prefix".  A full-length prefix (/32,
 * /128) is the address itself.  Refuses /0, prefixes out of range or with
 * leading zeros, and host bits set below the prefix. */
int addr_net_parse(const char *text, struct addr_net *out, const char **why);

/* Canonical text: IPv4 dotted quad, IPv6 as RFC 5952 (lowercase, longest
 * zero run compressed). */
void addr_format(const struct addr *a, char out[ADDR_TEXT_MAX]);

/* Canonical text of a network; a full-length prefix is printed as the bare
 * address, so that a host and its /32 are one row. */
void addr_net_format(const struct addr_net *n, char out[ADDR_NET_TEXT_MAX]);

/* The one text form of an address or of a network, as a row of
 * fail2ban_ips holds it: addr_format's for an address, addr_net_format's
 * for a network.  -1, with *why if why is not NULL, when it is neither. */
int addr_canonical(const char *text, char out[ADDR_NET_TEXT_MAX],
		   const char **why);

/* How many bits of the network's addresses are the host's (0 for a single
 * address). */
unsigned addr_net_host_bits(const struct addr_net *n);

/* The i-th address of the network, counted from its first (i below
 * 2^addr_net_host_bits, else the count wraps inside the network). */
struct addr addr_net_nth(const struct addr_net *n, unsigned long i);

/* True when a lies inside n (always false across families). */
bool addr_net_contains(const struct addr_net *n, const struct addr *a);

#endif
