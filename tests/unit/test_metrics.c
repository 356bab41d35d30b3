/* test_metrics.c - Prometheus' text format as mc-f2b writes it: label
 * values escaped, a family written whole or not at all, the names and
 * types the format's conventions want.  (promtool checks the real output
 * in tests/integration/t-metrics.sh.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static void test_label_values_are_escaped(void **state)
{
	char out[32];

	(void)state;
	assert_true(metrics_label_value("mc-exim", out, sizeof(out)));
	assert_string_equal(out, "mc-exim");
	assert_true(metrics_label_value("a\"b\\c\nd", out, sizeof(out)));
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	/* What does not fit is refused, not cut. */
	assert_false(metrics_label_value("abc\"", out, 5));
	assert_true(metrics_label_value("abc\"", out, 6));
	assert_false(metrics_label_value("", out, 0));
}

/* Render into memory. */
static char *render(const struct metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(metrics_write(m, f), 0);
	fclose(f);
	return text;
}

static void test_a_node_that_knows_nothing_yet(void **state)
{
	struct metrics m = { .spool_oldest_seconds = -1, .master = UP_UNKNOWN,
			     .replica = UP_UNKNOWN, .fail2ban = UP_UNKNOWN,
			     .replica_lag_seconds = -1,
			     .since_good_round_seconds = -1 };
	char *text = render(&m);

	(void)state;
	assert_string_equal(text, "");
	free(text);
}

static void test_every_family_written_whole(void **state)
{
	const struct metrics_jail jails[] = {
		{ "mc-exim", 12, 3, 2 }, { "mc-webauth", 0, 1, 0 },
	};
	struct metrics m = {
		.rows_read = true, .jails = jails, .njails = 2,
		.rows_unnamed = 4,
		.counters_read = true, .counters = { 7, 2, 1 },
		.spool_read = true, .spool_waiting = 1,
		.spool_oldest_seconds = 42,
		.master = UP_NO, .replica = UP_YES, .fail2ban = UP_YES,
		.replica_lag_seconds = -1,
		.rounds = 5, .round_seconds = 0.25, .round_rows = 9,
		.since_good_round_seconds = 1.5,
	};
	char *text = render(&m);

	(void)state;
	assert_non_null(strstr(text,
		"# HELP mc_f2b_bans_active Addresses banned now, per jail, on "
		"every node (fail2ban_ips rows active).\n"
		"# TYPE mc_f2b_bans_active gauge\n"
		"mc_f2b_bans_active{jail=\"mc-exim\"} 12\n"
		"mc_f2b_bans_active{jail=\"mc-webauth\"} 0\n"));
	assert_non_null(strstr(text, "mc_f2b_blacklisted{jail=\"mc-exim\"} 3\n"));
	assert_non_null(strstr(text,
		"mc_f2b_whitelist_entries{jail=\"mc-exim\"} 2\n"));
	assert_non_null(strstr(text, "\nmc_f2b_rows_without_jail_name 4\n"));
	assert_non_null(strstr(text,
		"# TYPE mc_f2b_bans_recorded_total counter\n"
		"mc_f2b_bans_recorded_total 7\n"));
	assert_non_null(strstr(text, "\nmc_f2b_events_spooled_total 2\n"));
	assert_non_null(strstr(text, "\nmc_f2b_events_replayed_total 1\n"));
	assert_non_null(strstr(text, "\nmc_f2b_spool_events 1\n"));
	assert_non_null(strstr(text, "\nmc_f2b_spool_oldest_age_seconds 42\n"));
	assert_non_null(strstr(text, "\nmc_f2b_master_up 0\n"));
	assert_non_null(strstr(text, "\nmc_f2b_replica_up 1\n"));
	assert_non_null(strstr(text, "\nmc_f2b_sync_rounds_total 5\n"));
	assert_non_null(strstr(text,
		"\nmc_f2b_sync_round_duration_seconds 0.25\n"));
	assert_non_null(strstr(text, "\nmc_f2b_sync_round_rows 9\n"));
	assert_non_null(strstr(text,
		"\nmc_f2b_sync_since_good_round_seconds 1.5\n"));
	/* Not reported: left out, not written as 0 or NaN. */
	assert_null(strstr(text, "replica_lag"));
	/* Every sample's family was declared just before it. */
	for (char *line = text; *line; line = strchr(line, '\n') + 1) {
		char name[80];

		if (line[0] != '#') {
			size_t n = strcspn(line, "{ ");
			char type[120];

			assert_true(n < sizeof(name));
			memcpy(name, line, n);
			name[n] = '\0';
			snprintf(type, sizeof(type), "# TYPE %s ", name);
			assert_non_null(strstr(text, type));
			assert_true(strstr(text, type) < line);
		}
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_values_are_escaped),
		cmocka_unit_test(test_a_node_that_knows_nothing_yet),
		cmocka_unit_test(test_every_family_written_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
