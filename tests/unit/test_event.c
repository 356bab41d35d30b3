/* test_event.c - the field rules: jail and node names, numbers, epochs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "event.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_jail_names(void **state)
{
	static const char *const good[] = {
		"mc-exim", "mc-webauth", "sshd", "a", "0", "Jail_1.x-y",
		"mc-exim-bl",
	};
	static const char *const bad[] = {
		"", "-x", ".x", "_x", "a b", "a'b", "a\"b", "../etc", "a/b",
		"a\nb", "a;id", "a$(id)", "a[b]", "é", "a\tb", "a%b",
	};
	char longest[JAIL_NAME_MAX + 2];
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(good); i++)
		assert_true(jail_name_valid(good[i], NULL));
	for (size_t i = 0; i < COUNT(bad); i++) {
		why = NULL;
		assert_false(jail_name_valid(bad[i], &why));
		assert_non_null(why);
	}
	memset(longest, 'j', sizeof(longest));
	longest[JAIL_NAME_MAX] = '\0';
	assert_true(jail_name_valid(longest, NULL));
	longest[JAIL_NAME_MAX] = 'j';
	longest[JAIL_NAME_MAX + 1] = '\0';
	assert_false(jail_name_valid(longest, &why));
	assert_string_equal(why, "too long");
	assert_false(jail_name_valid(NULL, &why));
}

static void test_node_names(void **state)
{
	char node[NODE_NAME_MAX + 2];

	(void)state;
	assert_true(node_name_valid("mx1.example.org", NULL));
	assert_false(node_name_valid("mx1 example", NULL));
	memset(node, 'n', sizeof(node));
	node[NODE_NAME_MAX] = '\0';
	assert_true(node_name_valid(node, NULL));
	node[NODE_NAME_MAX] = 'n';
	node[NODE_NAME_MAX + 1] = '\0';
	assert_false(node_name_valid(node, NULL));
}

struct int_case {
	const char *text;
	long long min, max;
	bool ok;
	long long value;
};

static void test_integers(void **state)
{
	static const struct int_case cases[] = {
		{ "0", 0, 10, true, 0 },
		{ "10", 0, 10, true, 10 },
		{ "11", 0, 10, false, 0 },
		{ "-1", -1, 10, true, -1 },
		{ "-2", -1, 10, false, 0 },
		{ "-1", 0, 10, false, 0 },
		{ "-0", -1, 10, false, 0 },
		{ "05", 0, 10, false, 0 },
		{ "+5", 0, 10, false, 0 },
		{ " 5", 0, 10, false, 0 },
		{ "5 ", 0, 10, false, 0 },
		{ "5x", 0, 10, false, 0 },
		{ "", 0, 10, false, 0 },
		{ "-", -1, 10, false, 0 },
		{ "1e3", 0, 10000, false, 0 },
		{ "0x10", 0, 100, false, 0 },
		{ "2147483647", 0, INT32_MAX, true, INT32_MAX },
		{ "2147483648", 0, INT32_MAX, false, 0 },
		{ "9223372036854775807", 0, INT64_MAX, true, INT64_MAX },
		{ "9223372036854775808", 0, INT64_MAX, false, 0 },
		{ "99999999999999999999999", 0, INT64_MAX, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		long long v = -12345;
		bool ok = parse_int_in(cases[i].text, cases[i].min,
				       cases[i].max, &v);
		if (ok != cases[i].ok)
			fail_msg("parse_int_in(\"%s\") gave %d", cases[i].text, ok);
		if (ok)
			assert_int_equal(v, cases[i].value);
		else
			assert_int_equal(v, -12345);
	}
	assert_false(parse_int_in(NULL, 0, 1, &(long long){ 0 }));
}

static void test_epochs(void **state)
{
	long long v = 0;

	(void)state;
	assert_true(parse_epoch("1700000000", &v));
	assert_int_equal(v, 1700000000);
	assert_true(parse_epoch("1700000000.3148751", &v));
	assert_int_equal(v, 1700000000);
	assert_true(parse_epoch("0", &v));
	assert_false(parse_epoch("1700000000.", &v));
	assert_false(parse_epoch(".5", &v));
	assert_false(parse_epoch("-1", &v));
	assert_false(parse_epoch("1.2.3", &v));
	assert_false(parse_epoch("1700000000.1234567890", &v));
	assert_false(parse_epoch("17e8", &v));
	assert_false(parse_epoch("", &v));
	assert_false(parse_epoch("99999999999999", &v));
	assert_false(parse_epoch(NULL, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jail_names),
		cmocka_unit_test(test_node_names),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_epochs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
