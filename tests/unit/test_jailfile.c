/* test_jailfile.c - the -bl jail file: exact text, and every value that
 * could change fail2ban's configuration refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "jailfile.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct bl_jail sample(const char *jail, const char *port)
{
	struct bl_jail bl;

	memset(&bl, 0, sizeof(bl));
	strcpy(bl.jail, jail);
	strcpy(bl.port, port);
	return bl;
}

static void test_render_exact_text(void **state)
{
	struct bl_jail bl = sample("mc-exim", "25,465,587");
	char out[4096];
	const char *why = NULL;

	(void)state;
	strcpy(bl.whitelist.entries[0], "198.51.100.0/24");
	strcpy(bl.whitelist.entries[1], "2001:DB8::/32");
	strcpy(bl.whitelist.entries[2], "192.0.2.1/32");
	bl.whitelist.count = 3;
	assert_true(jailfile_render_bl(&bl, out, sizeof(out), &why) > 0);
	assert_string_equal(out,
		"# Written by mc-f2b: the permanent jail of mc-exim.\n"
		"# Addresses land here after max_count bans in mc-exim; they\n"
		"# stay until \"mc-f2b blacklist remove\".  Rewritten by\n"
		"# mc-f2b: do not edit.\n"
		"[mc-exim-bl]\n"
		"enabled = true\n"
		"filter =\n"
		"bantime = -1\n"
		"action = nftables[port=\"25,465,587\"]\n"
		"ignoreip = 198.51.100.0/24 2001:db8::/32 192.0.2.1\n");
}

static void test_no_port_blocks_every_port(void **state)
{
	struct bl_jail bl = sample("custom", "");
	char out[4096];
	const char *why;

	(void)state;
	assert_true(jailfile_render_bl(&bl, out, sizeof(out), &why) > 0);
	assert_non_null(strstr(out, "action = nftables[type=allports]\n"));
	assert_null(strstr(out, "ignoreip"));
}

static void test_hostile_values_refused(void **state)
{
	static const char *const ports[] = {
		"25\n[sshd]", "25]", "25\"", "25 465", "25;id", ",25", "25,",
		"25,,26", "$(id)", "25\\",
	};
	static const char *const whitelist[] = {
		"198.51.100.0/24\nenabled = false", "10.0.0.0/99", "[::1]",
		"192.0.2.0/0", "not an address",
	};
	char out[4096];
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(ports); i++) {
		struct bl_jail bl = sample("mc-exim", "");
		strncpy(bl.port, ports[i], JAIL_PORT_MAX);
		why = NULL;
		if (jailfile_render_bl(&bl, out, sizeof(out), &why) >= 0)
			fail_msg("port '%s' accepted", ports[i]);
		assert_non_null(why);
	}
	for (size_t i = 0; i < COUNT(whitelist); i++) {
		struct bl_jail bl = sample("mc-exim", "25");
		strcpy(bl.whitelist.entries[0], whitelist[i]);
		bl.whitelist.count = 1;
		if (jailfile_render_bl(&bl, out, sizeof(out), &why) >= 0)
			fail_msg("whitelist '%s' accepted", whitelist[i]);
	}
	assert_false(jail_port_valid("123456789012345678901234567890"
				     "123456789012345678901", &why));
	struct bl_jail bad = sample("mc-exim", "25");
	strcpy(bad.jail, "x]\n[y");
	assert_true(jailfile_render_bl(&bad, out, sizeof(out), &why) < 0);
}

static void test_valid_ports(void **state)
{
	static const char *const ports[] = {
		"25", "25,465,587", "smtp,submission", "1000:2000", "80-90",
		"http_alt", "",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(ports); i++)
		if (!jail_port_valid(ports[i], &why))
			fail_msg("port '%s' refused: %s", ports[i], why);
}

static void test_too_small_buffer(void **state)
{
	struct bl_jail bl = sample("mc-exim", "25");
	char out[64];
	const char *why;

	(void)state;
	assert_int_equal(jailfile_render_bl(&bl, out, sizeof(out), &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_exact_text),
		cmocka_unit_test(test_no_port_blocks_every_port),
		cmocka_unit_test(test_hostile_values_refused),
		cmocka_unit_test(test_valid_ports),
		cmocka_unit_test(test_too_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
