/* fuzz_addr.c - libFuzzer target for addr.h: any text either is refused
 * with a reason, or has a canonical form that parses back to the very same
 * address (or network) and prints the very same text again.  The canonical
 * form must also mean the same bytes to libc's inet_pton(), since other
 * programs (fail2ban, MariaDB's INET6_ATON) read what mc-f2b writes. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static unsigned family_bytes(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void check_same_addr(const struct addr *a, const struct addr *b)
{
	check(a->family == b->family);
	check(memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0);
}

/* Our canonical text means the same bytes to libc. */
static void check_libc_agrees(const struct addr *a, const char *text)
{
	unsigned char bytes[16];

	check(a->family == AF_INET || a->family == AF_INET6);
	check(inet_pton(a->family, text, bytes) == 1);
	check(memcmp(bytes, a->bytes, family_bytes(a->family)) == 0);
}

static void fuzz_addr(const char *text)
{
	struct addr a, again;
	char canon[ADDR_TEXT_MAX], canon2[ADDR_TEXT_MAX];
	const char *why = NULL;

	if (addr_parse(text, &a, &why) != 0) {
		check(why != NULL && why[0] != '\0');
		return;
	}
	addr_format(&a, canon);
	check(strlen(canon) < ADDR_TEXT_MAX);
	check_libc_agrees(&a, canon);
	check(addr_parse(canon, &again, &why) == 0);
	check_same_addr(&a, &again);
	addr_format(&again, canon2);
	check(strcmp(canon, canon2) == 0);
}

static void fuzz_net(const char *text)
{
	struct addr_net n, again;
	char canon[ADDR_NET_TEXT_MAX], canon2[ADDR_NET_TEXT_MAX];
	const char *why = NULL;

	if (addr_net_parse(text, &n, &why) != 0) {
		check(why != NULL && why[0] != '\0');
		return;
	}
	check(n.prefix >= 1 && n.prefix <= 8 * family_bytes(n.base.family));
	/* A network holds its own base address. */
	check(addr_net_contains(&n, &n.base));
	addr_net_format(&n, canon);
	check(strlen(canon) < ADDR_NET_TEXT_MAX);
	check(addr_net_parse(canon, &again, &why) == 0);
	check_same_addr(&n.base, &again.base);
	check(n.prefix == again.prefix);
	addr_net_format(&again, canon2);
	check(strcmp(canon, canon2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the input's bytes, in a buffer of their own size, so that
	 * AddressSanitizer sees any read past the terminating NUL. */
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_addr(text);
	fuzz_net(text);
	free(text);
	return 0;
}
