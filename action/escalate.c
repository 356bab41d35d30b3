/* escalate.c - the permanent jail, in the running fail2ban. */
#include "escalate.h"

int escalate_to_bl(const struct f2b_link *link, const struct jail_bl *bl,
		   const char *ip, char *err, size_t errlen)
{
	char name[JAIL_BL_NAME_MAX + 1];
	const char *ban[] = { "set", name, "banip", ip };
	enum f2b_status s;

	jail_bl_name(bl->jail, name);
	s = jailctl_loaded(link, name, err, errlen);
	/* Two first escalations of one jail may load it at once: when this
	 * one's load fails, the other's may have succeeded. */
	if (s == F2B_UNKNOWN_JAIL &&
	    jailctl_publish_bl(link, bl, true, err, errlen) != 0 &&
	    jailctl_loaded(link, name, err, errlen) != F2B_OK)
		return -1;
	if (s != F2B_OK && s != F2B_UNKNOWN_JAIL)
		return -1;
	s = f2b_command(link->socket, ban, 4, link->timeout_ms, err, errlen);
	return s == F2B_OK ? 0 : -1;
}
