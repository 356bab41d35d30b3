/* escalate.h - move a repeat offender into the permanent jail <jail>-bl of
 * the local fail2ban, loading that jail first when it is not loaded. */
#ifndef MC_F2B_ESCALATE_H
#define MC_F2B_ESCALATE_H

#include <stddef.h>

#include "jailctl.h"

/* Ban ip in <jail>-bl.  When the jail is loaded this is one native socket
 * call and nothing else; when it is not, its jail file is written and
 * loaded first (jailctl_publish_bl).  Blocks until fail2ban answers: from
 * inside an action, run it detached. */
int escalate_to_bl(const struct f2b_link *link, const struct jail_bl *bl,
		   const char *ip, char *err, size_t errlen);

#endif
