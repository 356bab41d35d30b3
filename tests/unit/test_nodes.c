/* test_nodes.c - the cluster's addresses: what an entry may be, the list,
 * its file's text, and the ignoreip of the files that carry it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailfile.h"
#include "nodes.h"

static struct addr parsed(const char *text)
{
	struct addr a;
	const char *why;

	assert_int_equal(addr_parse(text, &a, &why), 0);
	return a;
}

static void test_entries(void **state)
{
	static const char *const good[] = {
		"192.0.2.1", "2001:db8::1", "mx1", "mx1.example.org",
		"a-b.c0.example", "MX2.Example.ORG",
	};
	static const char *const bad[] = {
		"", "192.0.2.0/24", "mx1 mx2", "-mx1", "mx1-.org", "mx..org",
		".mx1", "mx1.", "mx1;rm", "mx_1", "mx1\n", "\"mx1\"",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!nodes_entry_valid(good[i], &why))
			fail_msg("refused %s: %s", good[i], why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (nodes_entry_valid(bad[i], &why))
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
}

static void test_set(void **state)
{
	struct nodes set = { .count = 0 };
	struct addr a = parsed("192.0.2.7"), found;
	struct addr_net net;
	const char *why;

	(void)state;
	nodes_add_literal(&set, " 192.0.2.7, mx2.example.org ,2001:DB8::7,"
			  "192.0.2.7");
	assert_int_equal(set.count, 2);
	assert_true(nodes_has(&set, &a));
	a = parsed("2001:db8:0::7");
	assert_true(nodes_has(&set, &a));
	a = parsed("192.0.2.8");
	assert_false(nodes_has(&set, &a));
	assert_int_equal(addr_net_parse("192.0.2.0/29", &net, &why), 0);
	assert_true(nodes_in_net(&set, &net, &found));
	assert_int_equal(memcmp(found.bytes, parsed("192.0.2.7").bytes, 4), 0);
	assert_int_equal(addr_net_parse("192.0.2.8/29", &net, &why), 0);
	assert_false(nodes_in_net(&set, &net, NULL));
	assert_int_equal(addr_net_parse("2001:db8::/64", &net, &why), 0);
	assert_true(nodes_in_net(&set, &net, NULL));
}

static void test_full_list_is_cut(void **state)
{
	struct nodes *set = calloc(1, sizeof(*set));
	struct addr a = parsed("2001:db8::");

	(void)state;
	assert_non_null(set);
	for (unsigned i = 0; i < NODES_MAX; i++) {
		a.bytes[14] = (unsigned char)(i >> 8);
		a.bytes[15] = (unsigned char)i;
		assert_int_equal(nodes_add(set, &a), 0);
	}
	assert_false(set->cut);
	a.bytes[13] = 1;
	assert_int_equal(nodes_add(set, &a), -1);
	assert_true(set->cut);
	assert_int_equal(set->count, NODES_MAX);
	free(set);
}

static void test_file_text(void **state)
{
	struct nodes set = { .count = 0 }, back = { .count = 0 };
	char buf[256];

	(void)state;
	nodes_add_literal(&set, "198.51.100.1,2001:db8::1");
	assert_int_equal(nodes_encode(&set, buf, sizeof(buf)),
			 (int)strlen("mc-f2b nodes 1\n198.51.100.1\n"
				     "2001:db8::1\n"));
	assert_string_equal(buf, "mc-f2b nodes 1\n198.51.100.1\n2001:db8::1\n");
	assert_int_equal(nodes_decode(buf, &back), 0);
	assert_int_equal(back.count, 2);
	assert_int_equal(nodes_encode(&set, buf, 20), -1);
	/* What this code did not write is refused whole. */
	back.count = 0;
	assert_int_equal(nodes_decode("mc-f2b nodes 2\n192.0.2.1\n", &back), -1);
	assert_int_equal(nodes_decode("mc-f2b nodes 1\n192.0.2.0/24\n", &back),
			 -1);
	assert_int_equal(nodes_decode("mc-f2b nodes 1\n192.0.2.1", &back), -1);
	assert_int_equal(nodes_decode("mc-f2b nodes 1\nmx1\n", &back), -1);
	assert_int_equal(nodes_decode("mc-f2b nodes 1\n", &back), 0);
	assert_int_equal(back.count, 0);
}

/* The files mc-f2b writes carry the cluster's addresses in ignoreip,
 * after the jail's whitelist, without those the whitelist covers. */
static void test_ignoreip_of_the_files(void **state)
{
	struct nodes set = { .count = 0 };
	struct jail_bl bl;
	struct addr_net net;
	const char *why;
	char *out;

	(void)state;
	nodes_add_literal(&set, "192.0.2.10,198.51.100.3");
	assert_int_equal(jail_bl_init(&bl, "mc-exim", "25", NULL), 0);
	out = jailfile_render_bl(&bl, "", &set, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "\nignoreip = 192.0.2.10 198.51.100.3\n"));
	free(out);
	assert_int_equal(addr_net_parse("192.0.2.0/24", &net, &why), 0);
	assert_int_equal(jail_whitelist_add(&bl.whitelist, &net), 0);
	out = jailfile_render_bl(&bl, "", &set, NULL, &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "\nignoreip = 192.0.2.0/24 198.51.100.3\n"));
	free(out);
	jail_bl_free(&bl);
	/* Nothing at all: no ignoreip line. */
	assert_int_equal(jail_bl_init(&bl, "mc-exim", "25", NULL), 0);
	set.count = 0;
	out = jailfile_render_bl(&bl, "", &set, NULL, &why);
	assert_non_null(out);
	assert_null(strstr(out, "ignoreip"));
	free(out);
	jail_bl_free(&bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_full_list_is_cut),
		cmocka_unit_test(test_file_text),
		cmocka_unit_test(test_ignoreip_of_the_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
