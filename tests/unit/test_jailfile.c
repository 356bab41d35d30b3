/* test_jailfile.c - the -bl jail file: exact text, and every value that
 * could change fail2ban's configuration refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailfile.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct jail_bl sample(const char *jail, const char *port)
{
	struct jail_bl bl;

	assert_int_equal(jail_bl_init(&bl, jail, port, NULL), 0);
	return bl;
}

static void whitelist(struct jail_whitelist *wl, const char *entry)
{
	struct addr_net net;
	const char *why;

	assert_int_equal(addr_net_parse(entry, &net, &why), 0);
	assert_int_equal(jail_whitelist_add(wl, &net), 0);
}

static void test_render_exact_text(void **state)
{
	struct jail_bl bl = sample("mc-exim", "25,465,587");
	const char *why = NULL;
	char *out;

	(void)state;
	whitelist(&bl.whitelist, "198.51.100.0/24");
	whitelist(&bl.whitelist, "2001:DB8::/32");
	whitelist(&bl.whitelist, "192.0.2.1/32");
	out = jailfile_render_bl(&bl, JAILFILE_BL_FILTER, NULL, NULL, &why);
	assert_non_null(out);
	assert_string_equal(out,
		"# Written by mc-f2b: the permanent jail of mc-exim.\n"
		"# Addresses land here after max_count bans in mc-exim; they\n"
		"# stay until \"mc-f2b blacklist remove\".  Rewritten by\n"
		"# mc-f2b: do not edit.\n"
		"[mc-exim-bl]\n"
		"enabled = true\n"
		"filter = mc-none\n"
		"bantime = -1\n"
		"action = nftables[port=\"25,465,587\"]\n"
		"ignoreip = 198.51.100.0/24 2001:db8::/32 192.0.2.1\n");
	free(out);
	jail_bl_free(&bl);
}

/* Without filter.d/mc-none.conf the jail has no filter (fail2ban warns, but
 * loads it); no other filter is ever written. */
static void test_bl_filter_is_mc_none_or_nothing(void **state)
{
	struct jail_bl bl = sample("mc-exim", "25");
	const char *why = NULL;
	char *out;

	(void)state;
	out = jailfile_render_bl(&bl, "", NULL, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "\nfilter =\nbantime = -1\n"));
	free(out);
	assert_null(jailfile_render_bl(&bl, "sshd", NULL, NULL, &why));
	assert_string_equal(why, "not the permanent jail's filter");
	assert_null(jailfile_render_bl(&bl, "mc-none\nlogpath = /x", NULL, NULL, &why));
	jail_bl_free(&bl);
}

static void test_no_port_blocks_every_port(void **state)
{
	struct jail_bl bl = sample("custom", "");
	const char *why;
	char *out;

	(void)state;
	out = jailfile_render_bl(&bl, JAILFILE_BL_FILTER, NULL, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "action = nftables[type=allports]\n"));
	assert_null(strstr(out, "ignoreip"));
	free(out);
}

static void test_hostile_values_refused(void **state)
{
	static const char *const ports[] = {
		"25\n[sshd]", "25]", "25\"", "25 465", "25;id", ",25", "25,",
		"25,,26", "$(id)", "25\\", "-1", "0", "65536",
		"99999999999999999999", "010", "0x10", "1e9", "-bl",
		"2001:db8::1::2", "2000:1000", "25:", "25-", "1:2:3",
		"00:65535", "0:0", "0:65536", ":65535",
	};
	static const char *const names[] = {
		"x]\n[y", "DEFAULT", "includes", "Definition", "INIT", "known",
		"mc-exim-bl", "--all", "",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(ports); i++) {
		struct jail_bl bl = sample("mc-exim", "");
		snprintf(bl.port, sizeof(bl.port), "%s", ports[i]);
		why = NULL;
		if (jailfile_render_bl(&bl, JAILFILE_BL_FILTER, NULL, NULL, &why))
			fail_msg("port '%s' accepted", ports[i]);
		assert_non_null(why);
	}
	assert_false(jail_port_valid("123456789012345678901234567890"
				     "123456789012345678901", &why));
	for (size_t i = 0; i < COUNT(names); i++) {
		struct jail_bl bad = sample("mc-exim", "25");
		snprintf(bad.jail, sizeof(bad.jail), "%s", names[i]);
		if (jailfile_render_bl(&bad, JAILFILE_BL_FILTER, NULL, NULL, &why))
			fail_msg("jail '%s' rendered", names[i]);
	}
}

/* Past the 256 entries a fixed array once held: every entry is in the file,
 * none is dropped. */
static void test_long_whitelist_is_whole(void **state)
{
	struct jail_bl bl = sample("mc-exim", "25");
	struct jail_row r;
	const char *why;
	char entry[64], *out;

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(entry, sizeof(entry), "2001:db8:%x::/48", i);
		whitelist(&bl.whitelist, entry);
	}
	out = jailfile_render_bl(&bl, JAILFILE_BL_FILTER, NULL, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, " 2001:db8::/48 2001:db8:1::/48 "));
	assert_non_null(strstr(out, " 2001:db8:1387::/48\n"));
	free(out);
	memset(&r, 0, sizeof(r));
	r.id = 1;
	snprintf(r.name, sizeof(r.name), "mc-exim");
	r.maxretry = r.findtime = r.bantime = r.max_count = 3;
	snprintf(r.filter, sizeof(r.filter), "f");
	snprintf(r.banaction, sizeof(r.banaction), "mc-custom");
	snprintf(r.logpath, sizeof(r.logpath), "/var/log/x");
	out = jailfile_render_jail(&r, &bl.whitelist, NULL, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, " 2001:db8:1387::/48\n"));
	free(out);
	jail_bl_free(&bl);
}

static void test_valid_ports(void **state)
{
	static const char *const ports[] = {
		"25", "25,465,587", "smtp,submission", "1000:2000", "80-90",
		"http_alt", "", "65535", "1:65535", "imap3",
		"0:65535", "0-1024", "25,0:65535",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(ports); i++)
		if (!jail_port_valid(ports[i], &why))
			fail_msg("port '%s' refused: %s", ports[i], why);
}

static struct jail_row good_row(void)
{
	struct jail_row r;

	memset(&r, 0, sizeof(r));
	r.id = 7;
	r.enabled = true;
	strcpy(r.name, "mc-exim");
	r.maxretry = 10;
	r.findtime = 3600;
	r.bantime = 86400;
	strcpy(r.port, "25,465,587");
	strcpy(r.filter, "mc-exim-filter");
	strcpy(r.banaction, "mc-custom");
	strcpy(r.logpath, "/var/mailcleaner/log/exim_stage1/rejectlog");
	r.max_count = 3;
	return r;
}

static void test_render_jail_exact_text(void **state)
{
	struct jail_row r = good_row();
	struct jail_whitelist wl = { 0 };
	const char *why;
	char *out;

	(void)state;
	whitelist(&wl, "198.51.100.0/24");
	out = jailfile_render_jail(&r, &wl, NULL, NULL, &why);
	assert_non_null(out);
	assert_string_equal(out,
		"# Written by mc-f2b from fail2ban_jail (id 7): do not\n"
		"# edit, change the row (mc-f2b jail change) instead.\n"
		"[mc-exim]\n"
		"enabled = true\n"
		"filter = mc-exim-filter\n"
		"logpath = /var/mailcleaner/log/exim_stage1/rejectlog\n"
		"port = 25,465,587\n"
		"maxretry = 10\n"
		"findtime = 3600\n"
		"bantime = 86400\n"
		"action = mc-custom[port=\"25,465,587\"]\n"
		"ignoreip = 198.51.100.0/24\n");
	free(out);
	jail_whitelist_free(&wl);
}

/* Each broken column is named, and nothing is rendered from the row. */
static void test_row_check_names_the_column(void **state)
{
	/* The column each case below spoils, in order. */
	static const char *const cases[] = {
		"name", "maxretry", "findtime", "bantime", "max_count", "port",
		"filter", "banaction", "logpath",
	};
	const char *column, *why;
	struct jail_whitelist wl = { 0 };

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		struct jail_row r = good_row();
		switch (i) {
		case 0: strcpy(r.name, "mc exim"); break;
		case 1: r.maxretry = 0; break;
		case 2: r.findtime = -5; break;
		case 3: r.bantime = -2; break;
		case 4: r.max_count = -7; break;
		case 5: strcpy(r.port, "25\n[x]"); break;
		case 6: strcpy(r.filter, "../../etc/passwd"); break;
		case 7: strcpy(r.banaction, "mc custom"); break;
		case 8: strcpy(r.logpath, "/var/log/x\n[sshd]"); break;
		}
		assert_false(jail_row_check(&r, NULL, &column, &why));
		assert_string_equal(column, cases[i]);
		assert_null(jailfile_render_jail(&r, &wl, NULL, NULL, &why));
	}
	struct jail_row r = good_row();
	strcpy(r.logpath, "/var/log/web[12].log");
	assert_false(jail_row_check(&r, NULL, &column, &why));
	strcpy(r.logpath, "/var/log/%(x)s.log");
	assert_false(jail_row_check(&r, NULL, &column, &why));
	strcpy(r.logpath, "relative/x.log");
	assert_false(jail_row_check(&r, NULL, &column, &why));
	strcpy(r.logpath, "/var/log/mail*.log");
	assert_true(jail_row_check(&r, NULL, &column, &why));
	/* With a configuration directory, the filter must exist there. */
	r = good_row();
	assert_false(jail_row_check(&r, "/nonexistent", &column, &why));
	assert_string_equal(column, "filter");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_exact_text),
		cmocka_unit_test(test_no_port_blocks_every_port),
		cmocka_unit_test(test_bl_filter_is_mc_none_or_nothing),
		cmocka_unit_test(test_hostile_values_refused),
		cmocka_unit_test(test_valid_ports),
		cmocka_unit_test(test_long_whitelist_is_whole),
		cmocka_unit_test(test_render_jail_exact_text),
		cmocka_unit_test(test_row_check_names_the_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
