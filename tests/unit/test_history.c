/* test_history.c - the times of the history: what --since accepts, and
 * how the server's timestamps are shown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "history.h"

/* 2026-12-03T12:00:00Z */
#define NOW 1796299200LL

static long long since(const char *text)
{
	long long out = -42;
	const char *why = NULL;

	assert_true(history_parse_since(text, NOW, &out, &why));
	return out;
}

static void refused(const char *text)
{
	long long out = -42;
	const char *why = NULL;

	assert_false(history_parse_since(text, NOW, &out, &why));
	assert_non_null(why);
	assert_int_equal(out, -42);
}

static void test_since_ago(void **state)
{
	(void)state;
	assert_int_equal(since("90s"), NOW - 90);
	assert_int_equal(since("90m"), NOW - 5400);
	assert_int_equal(since("12h"), NOW - 43200);
	assert_int_equal(since("7d"), NOW - 604800);
	assert_int_equal(since("2w"), NOW - 1209600);
	assert_int_equal(since("0m"), NOW);
	refused("10y");
	refused("m");
	refused("-5m");
	refused("+5m");
	refused("05m");
	refused("5 m");
	refused("99999999999999999999d");
	/* Before 1970. */
	refused("30000w");
}

static void test_since_moments_are_utc(void **state)
{
	(void)state;
	assert_int_equal(since("2026-12-03"), NOW - 12 * 3600);
	assert_int_equal(since("2026-12-03T12:00"), NOW);
	assert_int_equal(since("2026-12-03 12:00:30"), NOW + 30);
	assert_int_equal(since("2026-12-03T12:00:00Z"), NOW);
	assert_int_equal(since("2024-02-29"), 1709164800LL);
	assert_int_equal(since("@0"), 0);
	assert_int_equal(since("@1796299200"), NOW);
	refused("2026-02-30");
	refused("2025-02-29");
	refused("2026-13-01");
	refused("2026-12-03T24:00");
	refused("2026-12-03T12:60");
	refused("2026-12-03T12");
	refused("2026-12-3");
	refused("1969-12-31");
	refused("2026-12-03T12:00+01:00");
	refused("2026-12-03 ");
	refused("@");
	refused("@-1");
	refused("@1e9");
	refused("yesterday");
	refused("");
}

static void test_format_time(void **state)
{
	char out[HISTORY_TIME_MAX];

	(void)state;
	assert_true(history_format_time("1796299200.123456", out));
	assert_string_equal(out, "2026-12-03T12:00:00.123456Z");
	/* As many fraction digits as the server gives. */
	assert_true(history_format_time("1796299200.5", out));
	assert_string_equal(out, "2026-12-03T12:00:00.500000Z");
	assert_true(history_format_time("0", out));
	assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
	assert_true(history_format_time("253402300799.999999", out));
	assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
	const char *bad[] = {
		"", ".5", "1796299200.", "1796299200.1234567", "-1",
		"253402300800", "17968176OO", "1796299200.12x", " 1",
		"99999999999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(out, "x", 2);
		assert_false(history_format_time(bad[i], out));
		assert_string_equal(out, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_since_ago),
		cmocka_unit_test(test_since_moments_are_utc),
		cmocka_unit_test(test_format_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
