/* cmd_lists.c - mc-f2b blacklist enable|disable|add|remove|list and
 * whitelist add|remove|list: the rows, the jail files, the running jails. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "escalate.h"
#include "log.h"

/* A native command to the running fail2ban, where "not loaded" is fine:
 * a disabled jail has nothing to change at run time. */
static int tell(struct admin *ad, const char *a0, const char *a1,
		const char *a2, const char *a3)
{
	const char *argv[] = { a0, a1, a2, a3 };
	char err[512];
	enum f2b_status s;

	if (!admin_fail2ban(ad))
		return 0;
	s = f2b_command(ad->link.socket, argv, 4, ad->link.timeout_ms, err,
			sizeof(err));
	if (s == F2B_OK || s == F2B_UNKNOWN_JAIL)
		return 0;
	log_error("%s %s: recorded, but the running fail2ban did not follow: "
		  "%s", ad->verb, ad->sub, err);
	return -1;
}

/* --- blacklist ---------------------------------------------------------- */

int blacklist_set_max_count(struct admin *ad, long long n)
{
	struct jail_row row;
	struct jail_scope scope;
	int rc;

	if ((rc = admin_jail(ad, &row, false)) ||
	    (rc = admin_require(ad, row.name, JAIL_NEED_BL, &scope)) ||
	    (rc = admin_check_files(ad, &row, &scope)))
		return rc;
	if (jails_set_max_count(ad->db, row.name, n) != DB_OK)
		return admin_db_error(ad, "updating the jail");
	row.max_count = n;
	/* A jail of another file runs whenever that file says: its -bl
	 * follows max_count whatever the row's enabled says. */
	if ((row.enabled || !scope.owned) &&
	    (rc = admin_apply_jail(ad, &row, &scope, true)))
		return rc;
	printf("blacklist of %s %s\n", row.name, n > 0 ? "enabled" : "disabled");
	return EXIT_DONE;
}

static int blacklist_enable(struct admin *ad)
{
	long long n = 3;

	if (ad->a.value && !parse_int_in(ad->a.value, 1, 1000000, &n))
		return usage_error(ad->verb, "-v: expected a number of bans "
				   "from 1 to 1000000");
	return blacklist_set_max_count(ad, n);
}

static int blacklist_disable(struct admin *ad)
{
	return blacklist_set_max_count(ad, 0);
}

/* Is the address covered by the jail's whitelist? */
static int whitelisted(struct admin *ad, const char *jail, const char *ip,
		       bool *yes)
{
	struct jail_whitelist wl = { 0 };
	struct addr a;
	const char *why;

	if (jails_whitelist(ad->db, jail, &wl) != DB_OK)
		return admin_db_error(ad, "reading the whitelist");
	*yes = addr_parse(ip, &a, &why) == 0 && jail_whitelist_covers(&wl, &a);
	jail_whitelist_free(&wl);
	return EXIT_DONE;
}

/* The address in <jail>-bl of the running fail2ban, loading that jail
 * from its file first when need be. */
static int escalate_now(struct admin *ad, const struct jail_row *row,
			const char *ip)
{
	struct jail_bl bl;
	char err[512];
	int rc = EXIT_DONE;

	if (jails_bl(ad->db, row, &bl) != DB_OK)
		return admin_db_error(ad, "reading the whitelist");
	if (escalate_to_bl(&ad->link, &bl, ip, err, sizeof(err)) != 0) {
		log_error("blacklist add: recorded, but the running fail2ban "
			  "did not follow: %s", err);
		rc = EXIT_RUNTIME;
	}
	jail_bl_free(&bl);
	return rc;
}

static int blacklist_add(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	char ip[ADDR_TEXT_MAX];
	bool white = false;
	int rc;

	if ((rc = cli_take_ip(ad->verb, ad->a.ip, ip)) ||
	    (rc = admin_refuse_node(ad, ip)) ||
	    (rc = admin_jail(ad, &row, false)) ||
	    (rc = admin_require(ad, row.name, JAIL_NEED_BL, &scope)) ||
	    (rc = whitelisted(ad, row.name, ip, &white)))
		return rc;
	if (row.max_count <= 0)
		return usage_error(ad->verb, "the blacklist of %s is disabled "
				   "(mc-f2b blacklist enable -j %s)", row.name,
				   row.name);
	if (white)
		return usage_error(ad->verb, "%s is whitelisted in %s: take it "
				   "off the whitelist first", ip, row.name);
	if (lists_add(ad->db, LIST_BLACKLISTED, row.name, ip,
		      ad->cfg.node) != DB_OK)
		return admin_db_error(ad, "updating fail2ban_ips");
	if ((row.enabled || !scope.owned) && admin_fail2ban(ad) &&
	    (rc = escalate_now(ad, &row, ip)))
		return rc;
	printf("%s blacklisted in %s\n", ip, row.name);
	return EXIT_DONE;
}

/* Take entry off a list of jail's; a person asked to remove what is not
 * there: said, EXIT_BAD_INPUT. */
static int remove_entry(struct admin *ad, enum list_kind kind,
			const char *jail, const char *entry)
{
	bool found;

	if (lists_remove(ad->db, kind, jail, entry, &found) != DB_OK)
		return admin_db_error(ad, "updating fail2ban_ips");
	if (!found)
		return usage_error(ad->verb, "%s is not %s %s", entry,
				   kind == LIST_BLACKLISTED ? "blacklisted in"
							    : "on the whitelist of",
				   jail);
	return EXIT_DONE;
}

static int blacklist_remove(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	char ip[ADDR_TEXT_MAX], bl[JAIL_BL_NAME_MAX + 1];
	int rc;

	if ((rc = cli_take_ip(ad->verb, ad->a.ip, ip)) ||
	    (rc = admin_jail(ad, &row, false)) ||
	    (rc = admin_require(ad, row.name, JAIL_NEED_BL, &scope)) ||
	    (rc = remove_entry(ad, LIST_BLACKLISTED, row.name, ip)))
		return rc;
	jail_bl_name(row.name, bl);
	if (tell(ad, "set", bl, "unbanip", ip) != 0)
		return EXIT_RUNTIME;
	printf("%s no longer blacklisted in %s (its count starts again)\n", ip,
	       row.name);
	return EXIT_DONE;
}

static int blacklist_list(struct admin *ad)
{
	return admin_list_rows(ad, LIST_BLACKLISTED, "no blacklisted address");
}

#define JAIL_AND_IP (OPT(OPT_JAIL) | OPT(OPT_IP))

static const struct sub_verb blacklist_subs[] = {
	{ { "enable", OPT(OPT_JAIL) | OPT(OPT_VALUE), OPT(OPT_JAIL),
	    "VALUE: max_count, the bans before the blacklist (default 3)" },
	  blacklist_enable },
	{ { "disable", OPT(OPT_JAIL), OPT(OPT_JAIL), NULL }, blacklist_disable },
	{ { "add", JAIL_AND_IP, JAIL_AND_IP, NULL }, blacklist_add },
	{ { "remove", JAIL_AND_IP, JAIL_AND_IP, NULL }, blacklist_remove },
	{ { "list", OPT(OPT_JAIL) | OPT(OPT_JSON), 0, NULL }, blacklist_list },
};

int cmd_blacklist(int argc, char **argv, const struct cli *cli)
{
	return admin_run("blacklist", blacklist_subs,
			 sizeof(blacklist_subs) / sizeof(blacklist_subs[0]),
			 ADMIN_MASTER, argc, argv, cli);
}

/* --- whitelist ---------------------------------------------------------- */

static int take_entry(struct admin *ad, char out[ADDR_NET_TEXT_MAX],
		      struct addr_net *net)
{
	const char *why;

	if (addr_net_parse(ad->a.ip, net, &why) != 0)
		return usage_error(ad->verb, "invalid address or network '%s': "
				   "%s", strlen(ad->a.ip) <= 64 ? ad->a.ip :
				   "(too long to show)", why);
	addr_net_format(net, out);
	return EXIT_DONE;
}

struct lift_ctx {
	struct admin *ad;
	const char *jail;
	char bl[JAIL_BL_NAME_MAX + 1];   /* "" when -bl is not in scope */
	bool failed;
};

/* A ban that the new whitelist entry covers ends here and in -bl. */
static void lift_one(void *ctx, const char *ip)
{
	struct lift_ctx *lc = ctx;

	if (tell(lc->ad, "set", lc->jail, "unbanip", ip) != 0 ||
	    (lc->bl[0] && tell(lc->ad, "set", lc->bl, "unbanip", ip) != 0))
		lc->failed = true;
	else
		printf("%s unbanned in %s\n", ip, lc->jail);
}

/* The running jail's ignore list, and its -bl jail's when in scope. */
static int tell_ignore(struct admin *ad, const char *verb,
		       const struct jail_row *row, const char *bl,
		       const char *entry)
{
	return tell(ad, "set", row->name, verb, entry) ||
	       (bl[0] && tell(ad, "set", bl, verb, entry)) ? -1 : 0;
}

/* The files carry the whitelist as ignoreip: rewrite them (the running
 * jails were told at run time; no reload). */
static int rewrite_files(struct admin *ad, const struct jail_row *row,
			 const struct jail_scope *scope)
{
	if (scope->owned ? !row->enabled : row->max_count <= 0)
		return EXIT_DONE;
	return admin_apply_jail(ad, row, scope, false);
}

/* The jail named by -j, its row, and whether bans may be touched in it
 * (and in its -bl jail: then bl is its name, else ""). */
static int whitelist_jail(struct admin *ad, struct jail_row *row,
			  struct jail_scope *scope, char bl[JAIL_BL_NAME_MAX + 1])
{
	int rc;

	if ((rc = admin_jail(ad, row, false)) ||
	    (rc = admin_require(ad, row->name, JAIL_NEED_ACT, scope)) ||
	    (rc = admin_check_files(ad, row, scope)))
		return rc;
	bl[0] = '\0';
	if (scope->bl)
		jail_bl_name(row->name, bl);
	return EXIT_DONE;
}

/* What whitelist add and remove end with, once the row is written: the
 * running jails' ignore lists, the jail files, one line. */
static int whitelist_follow(struct admin *ad, const struct jail_row *row,
			    const struct jail_scope *scope, const char *bl,
			    const char *entry, bool added)
{
	int rc;

	if (tell_ignore(ad, added ? "addignoreip" : "delignoreip", row, bl,
			entry))
		return EXIT_RUNTIME;
	if ((rc = rewrite_files(ad, row, scope)))
		return rc;
	if (added)
		printf("%s whitelisted in %s\n", entry, row->name);
	else
		printf("%s taken off the whitelist of %s\n", entry, row->name);
	return EXIT_DONE;
}

static int whitelist_add(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	struct addr_net net;
	char entry[ADDR_NET_TEXT_MAX];
	struct lift_ctx lc = { .ad = ad };
	int rc;

	if ((rc = take_entry(ad, entry, &net)) ||
	    (rc = whitelist_jail(ad, &row, &scope, lc.bl)))
		return rc;
	lc.jail = row.name;
	if (lists_add(ad->db, LIST_WHITELISTED, row.name, entry,
		      ad->cfg.node) != DB_OK ||
	    lists_lift_inside(ad->db, row.name, &net, lift_one, &lc) != DB_OK)
		return admin_db_error(ad, "updating fail2ban_ips");
	if (lc.failed)
		return EXIT_RUNTIME;
	return whitelist_follow(ad, &row, &scope, lc.bl, entry, true);
}

static int whitelist_remove(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	struct addr_net net;
	char entry[ADDR_NET_TEXT_MAX], bl[JAIL_BL_NAME_MAX + 1];
	int rc;

	if ((rc = take_entry(ad, entry, &net)) ||
	    (rc = whitelist_jail(ad, &row, &scope, bl)) ||
	    (rc = remove_entry(ad, LIST_WHITELISTED, row.name, entry)))
		return rc;
	return whitelist_follow(ad, &row, &scope, bl, entry, false);
}

static int whitelist_list(struct admin *ad)
{
	return admin_list_rows(ad, LIST_WHITELISTED, "no whitelisted address");
}

static const struct sub_verb whitelist_subs[] = {
	{ { "add", JAIL_AND_IP, JAIL_AND_IP, "IP: an address or a network "
	    "(CIDR)" }, whitelist_add },
	{ { "remove", JAIL_AND_IP, JAIL_AND_IP, "IP: an address or a network "
	    "(CIDR)" }, whitelist_remove },
	{ { "list", OPT(OPT_JAIL) | OPT(OPT_JSON), 0, NULL }, whitelist_list },
};

int cmd_whitelist(int argc, char **argv, const struct cli *cli)
{
	return admin_run("whitelist", whitelist_subs,
			 sizeof(whitelist_subs) / sizeof(whitelist_subs[0]),
			 ADMIN_MASTER, argc, argv, cli);
}
