/* jailport.c - the rule of a jail's ports (jail_port_valid() in jail.h),
 * apart from jail.c so that mc-f2b-action (front.c), which checks --port,
 * links it without the jail files' code. */
#include "jail.h"

#include <string.h>

/* A port number as nftables takes it: 1 to 65535, digits only, no leading
 * zero ("010" is read as 10 by some tools and as octal by others).  Its
 * value in *out. */
static bool port_number(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return v <= 65535;
}

/* One entry of the list: a service name (a letter first), a number, or a
 * range "a:b" or "a-b" of numbers, a <= b.  A range may start at 0:
 * fail2ban's own default is "0:65535", every port. */
static bool port_entry_valid(const char *s, size_t len)
{
	static const char name_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789_-";
	size_t first = strcspn(s, ":-,");
	unsigned long low = 0, high;

	if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))
		return strspn(s, name_chars) >= len;
	if (first >= len)
		return port_number(s, len, &high);
	return (port_number(s, first, &low) || (first == 1 && s[0] == '0')) &&
	       port_number(s + first + 1, len - first - 1, &high) && low <= high;
}

bool jail_port_valid(const char *port, const char **why)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789,:-_";
	size_t len = strnlen(port, JAIL_PORT_MAX + 1);

	if (len > JAIL_PORT_MAX) {
		*why = "port list too long";
		return false;
	}
	if (strspn(port, allowed) != len) {
		*why = "ports are numbers, ranges and service names separated "
		       "by commas";
		return false;
	}
	if (len && (port[0] == ',' || port[len - 1] == ',' ||
		    strstr(port, ",,"))) {
		*why = "empty entry in the port list";
		return false;
	}
	for (const char *p = port; *p; ) {
		size_t n = strcspn(p, ",");

		if (!port_entry_valid(p, n)) {
			*why = "each port is a number from 1 to 65535, a range "
			       "a:b of them, or a service name";
			return false;
		}
		p += n + (p[n] == ',');
	}
	return true;
}
