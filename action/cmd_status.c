/* cmd_status.c - mc-f2b status [-j JAIL] [--all]: the bans in force on
 * every server, as MailCleaner's "SELECT * FROM fail2ban_ips WHERE
 * active=true" shows them; --all adds what the cluster remembers. */
#include <stdio.h>

#include "admin.h"

static int status_show(struct admin *ad)
{
	return admin_list_rows(ad, ad->a.all ? LIST_ALL : LIST_ACTIVE,
			       ad->a.all ? "no rows" : "no active ban");
}

int cmd_status(int argc, char **argv, const struct cli *cli)
{
	/* Named "show" where messages name a sub-verb. */
	static const struct sub_verb status = {
		{ "show", OPT(OPT_JAIL) | OPT(OPT_ALL) | OPT(OPT_JSON), 0,
		  "--all: every row, also bans no longer in force" },
		status_show,
	};

	return admin_run_alone("status", &status, ADMIN_MASTER, argc, argv, cli);
}
