/* cmd_history.c - mc-f2b history -i IP [-j JAIL] | --since TIME: what
 * happened to an address, or to all of them lately, oldest first.  Read
 * from the replica, like every listing of the cluster's state. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "admin.h"
#include "history.h"
#include "listing.h"
#include "log.h"

/* An address, or a network (a whitelist entry), in its one text form. */
static int take_address(const char *text, char out[ADDR_NET_TEXT_MAX])
{
	const char *why;

	if (addr_canonical(text, out, &why) == 0)
		return EXIT_DONE;
	return usage_error("history", "invalid address or network '%s': %s",
			   strlen(text) <= 64 ? text : "(too long to show)",
			   why);
}

static int take_query(const struct admin *ad, struct history_query *q,
		      char ip[ADDR_NET_TEXT_MAX], char jail[JAIL_NAME_MAX + 1])
{
	const char *why;
	int rc;

	memset(q, 0, sizeof(*q));
	if (!ad->a.ip && !ad->a.since)
		return usage_error("history", "-i IP or --since TIME is "
				   "required");
	if (ad->a.ip) {
		if ((rc = take_address(ad->a.ip, ip)))
			return rc;
		q->ip = ip;
	}
	if (ad->a.jail) {
		if ((rc = cli_take_jail("history", ad->a.jail, jail)))
			return rc;
		q->jail = jail;
	}
	if (ad->a.since) {
		if (!history_parse_since(ad->a.since, (long long)time(NULL),
					 &q->since, &why))
			return usage_error("history", "--since: %s", why);
		q->since_given = true;
	}
	return EXIT_DONE;
}

static int on_event(void *ctx, const struct history_event *ev)
{
	struct field f[] = {
		TEXT("time", ev->time), TEXT("node", ev->node),
		TEXT("jail", ev->jail), TEXT("ip", ev->ip),
		TEXT("what", ev->what),
		ev->failures_known ? NUMBER("failures", ev->failures)
				   : UNKNOWN("failures"),
		ev->bantime_known ? NUMBER("bantime", ev->bantime)
				  : UNKNOWN("bantime"),
		/* A writer that did not name itself: another program. */
		TEXT("by", ev->source ? ev->source : "other"),
	};

	return listing_row(ctx, f, sizeof(f) / sizeof(f[0])) != 0;
}

static int history_show(struct admin *ad)
{
	struct history_query q;
	char ip[ADDR_NET_TEXT_MAX], jail[JAIL_NAME_MAX + 1], err[512];
	struct listing l;
	int rc;

	if ((rc = take_query(ad, &q, ip, jail)))
		return rc;
	if (db_connect(&ad->cfg.replica, &ad->db, err, sizeof(err)) != DB_OK) {
		config_wipe_secrets(&ad->cfg);
		log_error("history: replica: %s", err);
		return EXIT_RUNTIME;
	}
	config_wipe_secrets(&ad->cfg);
	listing_begin(&l, stdout, ad->a.json);
	if (history_read(ad->db, &q, on_event, &l) != DB_OK) {
		listing_abandon(&l);
		return admin_db_error(ad, "reading fail2ban_events");
	}
	return admin_listing_end(ad, &l, "no event");
}

int cmd_history(int argc, char **argv, const struct cli *cli)
{
	static const struct sub_verb history = {
		{ "history", OPT(OPT_IP) | OPT(OPT_JAIL) | OPT(OPT_SINCE) |
		  OPT(OPT_JSON), 0,
		  "-i IP or --since TIME (@EPOCH, YYYY-MM-DD[THH:MM[:SS]] UTC, "
		  "or 90m, 12h, 7d ago); times are UTC" },
		history_show,
	};

	return admin_run_alone("history", &history, ADMIN_CONFIG, argc, argv,
			       cli);
}
