/* test_bans.c - ban_decide(), the rules of a ban without a database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bans.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct decide_case {
	const char *name;
	struct ip_row row;
	bool whitelisted;       /* by a whitelist entry (CIDR or exact) */
	bool restored;
	long long max_count;
	enum ban_outcome outcome;
	bool write;
	long long count;
	bool blacklist_now;
};

#define ROW(cnt, act, bl, wl) { .exists = true, .id = 7, .count = (cnt), \
	.active = (act), .blacklisted = (bl), .whitelisted = (wl) }
#define NO_ROW { .exists = false }

static const struct decide_case cases[] = {
	{ "first ban", NO_ROW, false, false, 3, BAN_NEW, true, 1, false },
	{ "second ban", ROW(1, false, false, false), false, false, 3,
	  BAN_COUNTED, true, 2, false },
	{ "ban N = max_count stays ordinary", ROW(2, false, false, false),
	  false, false, 3, BAN_COUNTED, true, 3, false },
	{ "ban N+1 blacklists", ROW(3, false, false, false), false, false, 3,
	  BAN_COUNTED, true, 4, true },
	{ "already blacklisted: not again", ROW(4, false, true, false),
	  false, false, 3, BAN_COUNTED, true, 5, false },
	{ "active row: nothing", ROW(1, true, false, false), false, false, 3,
	  BAN_ALREADY_ACTIVE, false, 1, false },
	{ "active at the edge: nothing", ROW(3, true, false, false), false,
	  false, 3, BAN_ALREADY_ACTIVE, false, 3, false },
	{ "restored inactive: not counted", ROW(3, false, false, false),
	  false, true, 3, BAN_RESTORED, true, 3, false },
	{ "restored active: nothing", ROW(3, true, false, false), false, true,
	  3, BAN_ALREADY_ACTIVE, false, 3, false },
	{ "restored, no row: recorded once", NO_ROW, false, true, 3, BAN_NEW,
	  true, 1, false },
	{ "whitelisted row", ROW(2, false, false, true), false, false, 3,
	  BAN_WHITELISTED, false, 0, false },
	{ "inside a whitelisted network", ROW(2, false, false, false), true,
	  false, 3, BAN_WHITELISTED, false, 0, false },
	{ "whitelisted, no row", NO_ROW, true, false, 3, BAN_WHITELISTED,
	  false, 0, false },
	{ "max_count 0 disables", ROW(9, false, false, false), false, false, 0,
	  BAN_COUNTED, true, 10, false },
	{ "max_count < 0 disables", ROW(9, false, false, false), false, false,
	  -1, BAN_COUNTED, true, 10, false },
	{ "max_count 1: second ban blacklists", ROW(1, false, false, false),
	  false, false, 1, BAN_COUNTED, true, 2, true },
	{ "max_count 1: first ban does not", NO_ROW, false, false, 1, BAN_NEW,
	  true, 1, false },
};

static void test_decide_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		const struct decide_case *c = &cases[i];
		struct ban_plan p = ban_decide(&c->row, c->whitelisted,
					       c->restored, c->max_count);

		if (p.outcome != c->outcome || p.write != c->write ||
		    (p.write && p.count != c->count) ||
		    p.blacklist_now != c->blacklist_now)
			fail_msg("%s: outcome %d write %d count %lld bl %d",
				 c->name, p.outcome, p.write, p.count,
				 p.blacklist_now);
	}
}

/* Walk one address through max_count + 2 ban/unban cycles: exactly one
 * ban blacklists, and it is ban max_count + 1. */
static void test_blacklists_exactly_once(void **state)
{
	struct ip_row row = NO_ROW;
	int blacklisted_on = 0;

	(void)state;
	for (int ban = 1; ban <= 6; ban++) {
		struct ban_plan p = ban_decide(&row, false, false, 3);

		assert_true(p.write);
		assert_int_equal(p.count, ban);
		if (p.blacklist_now) {
			assert_int_equal(blacklisted_on, 0);
			blacklisted_on = ban;
		}
		row.exists = true;
		row.count = p.count;
		row.blacklisted = row.blacklisted || p.blacklist_now;
		row.active = false;    /* the unban */
	}
	assert_int_equal(blacklisted_on, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_blacklists_exactly_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
