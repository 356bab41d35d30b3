/* cmd_spool.c - mc-f2b spool list|replay: the events kept while the master
 * was unreachable. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "listing.h"
#include "log.h"
#include "spool.h"

/* Unreadable records are counted, not shown: they may hold anything. */
struct list_ctx {
	struct listing *l;
	unsigned unreadable;
};

static void list_event(void *ctx, const struct ban_event *ev, const char *line)
{
	struct list_ctx *lc = ctx;

	(void)line;
	if (!ev) {
		lc->unreadable++;
		return;
	}
	const struct field f[] = {
		TEXT("kind", event_kind_name(ev->kind)), TEXT("jail", ev->jail),
		TEXT("ip", ev->ip), TEXT("host", ev->host),
		NUMBER("at", ev->at), FLAG("restored", ev->restored),
	};
	listing_row(lc->l, f, sizeof(f) / sizeof(f[0]));
}

static int list(const struct mc_config *cfg, bool json)
{
	struct listing l;
	struct list_ctx lc = { &l, 0 };
	char err[512];

	listing_begin(&l, stdout, json);
	if (spool_list(cfg->spool_dir, list_event, &lc, err, sizeof(err))) {
		listing_abandon(&l);
		log_error("spool: %s", err);
		return EXIT_RUNTIME;
	}
	listing_end(&l, "spool is empty");
	if (listing_failed(&l)) {
		log_error("spool list: the listing is incomplete (out of memory)");
		return EXIT_RUNTIME;
	}
	cli_say_outage(cfg);
	if (lc.unreadable)
		log_warning("spool: %u unreadable record(s) wait too (a replay "
			    "moves them to %s/rejected)", lc.unreadable,
			    cfg->spool_dir);
	return EXIT_DONE;
}

static int replay(struct mc_config *cfg)
{
	struct db *db;
	char err[512];
	int rc;

	if (cli_connect_master(cfg, &db, err, sizeof(err)) != DB_OK) {
		config_wipe_secrets(cfg);
		log_error("master: %s", err);
		cli_say_outage(cfg);
		return EXIT_RUNTIME;
	}
	config_wipe_secrets(cfg);
	rc = cli_replay_spool(cfg, db, true);
	db_close(db);
	return rc;
}

static int run_list(struct admin *ad)
{
	config_wipe_secrets(&ad->cfg);
	return list(&ad->cfg, ad->a.json);
}

static int run_replay(struct admin *ad)
{
	return replay(&ad->cfg);
}

/* The spool is read without the master: it is what waits for it. */
static const struct sub_verb spool_subs[] = {
	{ { "list", OPT(OPT_JSON), 0,
	    "the events waiting for the master, oldest first" }, run_list },
	{ { "replay", 0, 0,
	    "apply them now (any verb reaching the master does too)" },
	  run_replay },
};

int cmd_spool(int argc, char **argv, const struct cli *cli)
{
	return admin_run("spool", spool_subs,
			 sizeof(spool_subs) / sizeof(spool_subs[0]),
			 ADMIN_CONFIG, argc, argv, cli);
}
