/* cmd_mail.c - mc-f2b mail dest|src|name|modify|show: who sends and who
 * receives the notification mails, and whether blacklistings send them
 * (mail.h).  The settings are rows; the jail files of this node follow at
 * once, those of the other nodes in their sync loop's next round.  jail
 * modify-mail and jail disable-bl, MailCleaner's spellings of the same
 * for one jail, are in cmd_jail.c. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "listing.h"
#include "log.h"
#include "sync.h"

/* Check, record, put in force here, say it. */
static int set_value(struct admin *ad, const char *column, const char *value,
		     bool (*valid)(const char *, const char **))
{
	const char *why;
	int rc;

	if (!value)
		return usage_error(ad->verb, "%s needs %s", ad->sub,
				   strcmp(column, "src_name") == 0 ? "-n NAME"
								   : "-e EMAIL");
	if (!valid(value, &why))
		return usage_error(ad->verb, "%s '%s': %s", column,
				   strlen(value) <= 64 ? value : "(too long)",
				   why);
	if (jails_mail_set(ad->db, column, value) != DB_OK)
		return admin_db_error(ad, "updating fail2ban_conf");
	if ((rc = admin_apply_mail(ad)))
		return rc;
	printf("mail: %s = %s\n", column, value);
	return EXIT_DONE;
}

static int mail_dest(struct admin *ad)
{
	return set_value(ad, "dest_email", ad->a.email, mail_address_valid);
}

static int mail_src(struct admin *ad)
{
	return set_value(ad, "src_email", ad->a.email, mail_address_valid);
}

static int mail_name(struct admin *ad)
{
	return set_value(ad, "src_name", ad->a.name, mail_name_valid);
}

/* --send|--no-send: the blacklisting mails of every jail (send_mail_bl),
 * or with --each-ban the mail at each ban (send_mail). */
static int mail_modify(struct admin *ad)
{
	const char *column = ad->a.each_ban ? "send_mail" : "send_mail_bl";
	int rc;

	if (ad->a.send < 0)
		return usage_error(ad->verb, "modify needs --send or --no-send");
	if (jails_set_number(ad->db, NULL, column, ad->a.send) != DB_OK)
		return admin_db_error(ad, "updating the jails");
	if ((rc = admin_apply_mail(ad)))
		return rc;
	printf("mail: %s of every jail = %d\n", column, ad->a.send);
	return EXIT_DONE;
}

struct show_ctx {
	struct listing *l;
	unsigned bad;
};

static void show_jail(void *ctx, const struct jail_row *r,
		      const char *bad_column, const char *why)
{
	struct show_ctx *sc = ctx;
	const struct field f[] = {
		TEXT("jail", r->name), FLAG("send_mail", r->send_mail),
		FLAG("send_mail_bl", r->send_mail_bl),
	};

	if (bad_column) {
		log_warning("jail row id %lld: %s: %s (not listed)", r->id,
			    bad_column, why);
		sc->bad++;
	} else if (listing_row(sc->l, f, sizeof(f) / sizeof(f[0])) != 0) {
		sc->bad++;
	}
}

/* The settings, then which jails send what.  A value that would not be
 * written into a file is shown with the reason no mail is sent. */
static int mail_show(struct admin *ad)
{
	const struct mail_conf *m = &ad->cfg.mail;
	const char *column = "", *why = "";
	bool valid = mail_conf_valid(m, &column, &why);
	struct listing l;
	struct show_ctx sc = { &l, 0 };
	const struct field conf[] = {
		TEXT("src_email", m->src_email), TEXT("src_name", m->src_name),
		TEXT("dest_email", m->dest_email), FLAG("valid", valid),
	};
	int rc;

	listing_begin(&l, stdout, ad->a.json);
	if (listing_row(&l, conf, sizeof(conf) / sizeof(conf[0])) != 0)
		sc.bad++;
	if ((rc = admin_listing_end(ad, &l, "")))
		return rc;
	if (!valid && !ad->a.json)
		printf("no mail is sent: %s: %s\n", column, why);
	if (!ad->a.json)
		printf("\n");
	listing_begin(&l, stdout, ad->a.json);
	if (jails_read(ad->db, NULL, show_jail, &sc) != DB_OK) {
		listing_abandon(&l);
		return admin_db_error(ad, "reading the jails");
	}
	return admin_listing_end(ad, &l, "no jails") || sc.bad ? EXIT_RUNTIME
							       : EXIT_DONE;
}

static const struct sub_verb mail_subs[] = {
	{ "dest", ARG_EMAIL, mail_dest, "dest -e EMAIL" },
	{ "src", ARG_EMAIL, mail_src, "src -e EMAIL" },
	{ "name", ARG_NAME, mail_name, "name -n NAME" },
	{ "modify", ARG_SEND, mail_modify,
	  "modify --send|--no-send [--each-ban]" },
	{ "show", 0, mail_show, "show" },
};

int cmd_mail(int argc, char **argv, const struct cli *cli)
{
	return admin_run("mail", mail_subs, sizeof(mail_subs) / sizeof(mail_subs[0]),
			 argc, argv, cli);
}
