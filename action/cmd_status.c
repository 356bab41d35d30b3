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
	/* "status" has no sub-verb: run it as the only one. */
	static const struct sub_verb status_sub[] = {
		{ "show", ARG_JAIL | ARG_ALL, status_show,
		  "[-j JAIL] [--all]" },
	};
	char *args[64];

	if (argc + 1 > 64)
		return usage_error("status", "too many arguments");
	args[0] = argv[0];
	args[1] = (char *)"show";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	return admin_run("status", status_sub, 1, argc + 1, args, cli);
}
