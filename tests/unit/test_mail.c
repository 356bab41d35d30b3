/* test_mail.c - the values of notification mails and the line of a jail
 * file that sends them: what reaches a shell command fail2ban runs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailfile.h"
#include "mail.h"

static void test_addresses(void **state)
{
	static const char *const good[] = {
		"root@localhost", "admin@example.org", "a.b+c_d-e@mx-1.example.org",
		"9@example.org",
	};
	static const char *const bad[] = {
		"", "root", "@example.org", "root@", "root@@example.org",
		"a@b@example.org", "-oQ/tmp@example.org", ".a@example.org",
		"a b@example.org", "a\"@example.org", "a$(id)@example.org",
		"a`id`@example.org", "a@example..org", "a@-example.org",
		"a@example-.org", "a@exa_mple.org", "a@example.org\n",
		"a%b@example.org", "<a>@example.org", "a@example.org,b@x.org",
		"a\\b@example.org", "a;b@example.org",
	};
	const char *why;
	char longest[MAIL_ADDRESS_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mail_address_valid(good[i], &why))
			fail_msg("refused %s: %s", good[i], why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mail_address_valid(bad[i], &why))
			fail_msg("accepted '%s'", bad[i]);
	memset(longest, 'a', sizeof(longest));
	memcpy(longest + MAIL_ADDRESS_MAX + 1 - 12, "@example.org", 13);
	assert_false(mail_address_valid(longest, &why));
	assert_string_equal(why, "longer than 150 characters");
}

static void test_names(void **state)
{
	static const char *const good[] = {
		"[MailCleaner] Fail2Ban", "Fail2Ban", "mx1 (node 2): bans",
		"a.b-c_d",
	};
	static const char *const bad[] = {
		"", " leading", "-x", "a\"b", "a$b", "a`b`", "a<b>", "a%b",
		"a,b", "a;b", "a\nb", "a\\b", "a'b", "a|b", "a&b", "\xc3\xa9t\xc3\xa9",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mail_name_valid(good[i], &why))
			fail_msg("refused %s: %s", good[i], why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mail_name_valid(bad[i], &why))
			fail_msg("accepted '%s'", bad[i]);
}

static const struct mail_conf conf = {
	"fail2ban@mx1.example.org", "[MailCleaner] Fail2Ban",
	"admin@example.org",
};

static void test_action_line(void **state)
{
	char line[MAIL_LINE_MAX];
	struct mail_conf bad = conf;
	const char *column, *why;

	(void)state;
	assert_true(mail_action_line(&conf, "mc-exim-bl", line, sizeof(line)) > 0);
	assert_string_equal(line,
		"         sendmail[name=\"mc-exim-bl\", dest=\"admin@example.org\", "
		"sender=\"fail2ban@mx1.example.org\", sendername=\"[MailCleaner] "
		"Fail2Ban\", actionstart=\"\", actionstop=\"\"]\n");
	assert_int_equal(mail_action_line(&conf, "mc-exim", line, 40), -1);
	strcpy(bad.dest_email, "x\"; rm -rf /; \"@example.org");
	assert_false(mail_conf_valid(&bad, &column, &why));
	assert_string_equal(column, "dest_email");
	assert_int_equal(mail_action_line(&bad, "mc-exim", line, sizeof(line)), -1);
}

/* The mail line is found, replaced and removed; nothing else moves. */
static void test_set_line(void **state)
{
	static const char text[] =
		"# head\n[j]\nenabled = true\naction = nftables[port=\"25\"]\n"
		"ignoreip = 192.0.2.1\n";
	char line[MAIL_LINE_MAX];
	char *with, *again, *other, *without;
	struct mail_conf changed = conf;

	(void)state;
	assert_true(mail_action_line(&conf, "j", line, sizeof(line)) > 0);
	with = mail_set_line(text, line);
	assert_non_null(with);
	assert_non_null(strstr(with, "action = nftables[port=\"25\"]\n"
				     "         sendmail[name=\"j\""));
	assert_non_null(strstr(with, "]\nignoreip = 192.0.2.1\n"));
	again = mail_set_line(with, line);
	assert_string_equal(again, with);
	strcpy(changed.dest_email, "other@example.org");
	assert_true(mail_action_line(&changed, "j", line, sizeof(line)) > 0);
	other = mail_set_line(with, line);
	assert_non_null(strstr(other, "dest=\"other@example.org\""));
	assert_null(strstr(other, "admin@example.org"));
	without = mail_set_line(other, "");
	assert_string_equal(without, text);
	assert_null(mail_set_line("[j]\nenabled = true\n", line));
	free(with);
	free(again);
	free(other);
	free(without);
}

/* A rendered file: the mail line where the row asks and the settings are
 * valid; never otherwise. */
static void test_rendered_files(void **state)
{
	struct jail_bl bl;
	const char *why;
	char *out;
	struct mail_conf bad = conf;

	(void)state;
	assert_int_equal(jail_bl_init(&bl, "mc-exim", "25", NULL), 0);
	bl.send_mail = true;
	out = jailfile_render_bl(&bl, "", NULL, &conf, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "action = nftables[port=\"25\"]\n"
				    "         sendmail[name=\"mc-exim-bl\", "));
	free(out);
	strcpy(bad.src_name, "x\" ; touch /tmp/owned ; \"");
	out = jailfile_render_bl(&bl, "", NULL, &bad, &why);
	assert_non_null(out);
	assert_null(strstr(out, "sendmail"));
	assert_null(strstr(out, "owned"));
	free(out);
	bl.send_mail = false;
	out = jailfile_render_bl(&bl, "", NULL, &conf, &why);
	assert_null(strstr(out, "sendmail"));
	free(out);
	jail_bl_free(&bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_action_line),
		cmocka_unit_test(test_set_line),
		cmocka_unit_test(test_rendered_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
