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

	if (jails_set_number(ad->db, NULL, column, ad->a.send) != DB_OK)
		return admin_db_error(ad, "updating the jails");
	if ((rc = admin_apply_mail(ad)))
		return rc;
	printf("mail: %s of every jail = %d\n", column, ad->a.send);
	return EXIT_DONE;
}

/* The settings, and whether they are valid (the jails' send_mail and
 * send_mail_bl are in jail list).  A value that would not be written into
 * a file comes with the reason no mail is sent. */
static int mail_show(struct admin *ad)
{
	const struct mail_conf *m = &ad->cfg.mail;
	const char *column = "", *why = "";
	bool valid = mail_conf_valid(m, &column, &why);
	struct listing l;
	const struct field conf[] = {
		TEXT("src_email", m->src_email), TEXT("src_name", m->src_name),
		TEXT("dest_email", m->dest_email), FLAG("valid", valid),
	};
	int rc;

	listing_begin(&l, stdout, ad->a.json);
	if (listing_row(&l, conf, sizeof(conf) / sizeof(conf[0])) != 0) {
		listing_abandon(&l);
		log_error("mail show: out of memory");
		return EXIT_RUNTIME;
	}
	if ((rc = admin_listing_end(ad, &l, "")))
		return rc;
	if (!valid)
		log_warning("no mail is sent: fail2ban_conf: %s: %s", column,
			    why);
	return EXIT_DONE;
}

static const struct sub_verb mail_subs[] = {
	{ { "dest", OPT(OPT_EMAIL), OPT(OPT_EMAIL), NULL }, mail_dest },
	{ { "src", OPT(OPT_EMAIL), OPT(OPT_EMAIL), NULL }, mail_src },
	{ { "name", OPT(OPT_NAME), OPT(OPT_NAME), NULL }, mail_name },
	{ { "modify", OPT(OPT_SEND) | OPT(OPT_EACH_BAN), OPT(OPT_SEND),
	    "--each-ban: the mail of every ban, not only of a blacklisting" },
	  mail_modify },
	{ { "show", OPT(OPT_JSON), 0, NULL }, mail_show },
};

int cmd_mail(int argc, char **argv, const struct cli *cli)
{
	return admin_run("mail", mail_subs, sizeof(mail_subs) / sizeof(mail_subs[0]),
			 ADMIN_MASTER, argc, argv, cli);
}
