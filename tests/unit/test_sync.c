/* test_sync.c - sync_decide(): what a round changes in the local fail2ban
 * for the rows it read, without a database or a fail2ban. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sync.h"

static struct sync_row row(const char *ip, bool active, bool bl, bool wl)
{
	struct sync_row r = { .active = active, .blacklisted = bl,
			      .whitelisted = wl };

	strcpy(r.jail, "mc-exim");
	strcpy(r.ip, ip);
	strcpy(r.updated_at, "2026-01-01 00:00:00.000000");
	return r;
}

static struct sync_jail jail(long long max_count)
{
	struct sync_jail j;

	memset(&j, 0, sizeof(j));
	strcpy(j.name, "mc-exim");
	strcpy(j.port, "25");
	j.max_count = max_count;
	j.scope = (struct jail_scope){ .owned = true, .act = true, .bl = true };
	return j;
}

static void whitelist(struct sync_jail *j, const char *entry)
{
	struct addr_net net;
	const char *why;

	assert_int_equal(addr_net_parse(entry, &net, &why), 0);
	assert_int_equal(jail_whitelist_add(&j->whitelist, &net), 0);
}

static void assert_set(struct strset *s, const char *const *want, size_t n)
{
	assert_int_equal(s->count, n);
	for (size_t i = 0; i < n; i++)
		if (!strset_has(s, want[i]))
			fail_msg("missing %s", want[i]);
}

static void test_strset(void **state)
{
	struct strset s = { 0 };

	(void)state;
	assert_false(strset_has(&s, "x"));
	strset_add(&s, "192.0.2.2");
	strset_add(&s, "192.0.2.1");
	assert_true(strset_has(&s, "192.0.2.1"));
	strset_add(&s, "2001:db8::1");
	assert_true(strset_has(&s, "2001:db8::1"));
	assert_false(strset_has(&s, "192.0.2.3"));
	strset_free(&s);
	assert_int_equal(s.count, 0);
}

static void test_bans_follow_the_rows(void **state)
{
	struct sync_jail j = jail(3);
	struct f2b_view v = { .loaded = true, .bl_loaded = true };
	struct sync_actions a;
	const struct sync_row rows[] = {
		row("192.0.2.1", true, false, false),    /* to ban */
		row("192.0.2.2", true, false, false),    /* banned already */
		row("192.0.2.3", false, false, false),   /* to lift */
		row("192.0.2.4", false, true, false),    /* to -bl */
		row("192.0.2.5", false, false, false),   /* to lift from -bl */
		row("2001:DB8::9", true, false, false),  /* canonical form */
	};

	(void)state;
	strset_add(&v.banned, "192.0.2.2");
	strset_add(&v.banned, "192.0.2.3");
	strset_add(&v.banned, "192.0.2.77");     /* no row: left alone */
	strset_add(&v.bl_banned, "192.0.2.5");
	sync_decide(&j, rows, 6, NULL, &v, &a);
	assert_set(&a.ban, (const char *[]){ "192.0.2.1", "2001:db8::9" }, 2);
	assert_set(&a.unban, (const char *[]){ "192.0.2.3" }, 1);
	assert_set(&a.bl_ban, (const char *[]){ "192.0.2.4" }, 1);
	assert_set(&a.bl_unban, (const char *[]){ "192.0.2.5" }, 1);
	assert_int_equal(a.add_ignore.count + a.del_ignore.count, 0);
	sync_actions_free(&a);
	f2b_view_free(&v);
}

static void test_whitelist_entries_and_what_they_cover(void **state)
{
	struct sync_jail j = jail(3);
	struct f2b_view v = { .loaded = true };
	struct sync_actions a;
	const struct sync_row rows[] = {
		row("198.51.100.0/24", false, false, true),  /* to ignore */
		row("203.0.113.0/24", false, false, false),  /* taken off */
		row("198.51.100.7", true, true, false),      /* covered */
	};

	(void)state;
	whitelist(&j, "198.51.100.0/24");
	strset_add(&v.ignoreip, "203.0.113.0/24");
	strset_add(&v.ignoreip, "127.0.0.1/8");      /* no row: left alone */
	strset_add(&v.banned, "198.51.100.7");
	strset_add(&v.bl_banned, "198.51.100.7");
	sync_decide(&j, rows, 3, NULL, &v, &a);
	assert_set(&a.add_ignore, (const char *[]){ "198.51.100.0/24" }, 1);
	assert_set(&a.del_ignore, (const char *[]){ "203.0.113.0/24" }, 1);
	assert_set(&a.unban, (const char *[]){ "198.51.100.7" }, 1);
	assert_set(&a.bl_unban, (const char *[]){ "198.51.100.7" }, 1);
	assert_int_equal(a.ban.count + a.bl_ban.count, 0);
	sync_actions_free(&a);
	f2b_view_free(&v);
	jail_whitelist_free(&j.whitelist);
}

/* Whitelists of any length: the entry that covers an address may come
 * after the 256 a fixed array once held. */
static void test_a_long_whitelist_covers_to_its_end(void **state)
{
	struct sync_jail j = jail(3);
	struct f2b_view v = { .loaded = true };
	struct sync_actions a;
	const struct sync_row rows[] = {
		row("203.0.113.9", true, false, false),
	};
	char entry[32];

	(void)state;
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(entry, sizeof(entry), "10.%u.%u.0/24", i / 256, i % 256);
		whitelist(&j, entry);
	}
	whitelist(&j, "203.0.113.0/24");
	assert_int_equal(sync_decide(&j, rows, 1, NULL, &v, &a), 0);
	assert_int_equal(a.ban.count, 0);
	sync_actions_free(&a);
	f2b_view_free(&v);
	jail_whitelist_free(&j.whitelist);
}

/* A jail this node does not let mc-f2b act on gets nothing, whatever its
 * rows say; a -bl jail out of scope is neither banned in nor lifted. */
static void test_scope_limits_the_actions(void **state)
{
	struct sync_jail j = jail(3);
	struct f2b_view v = { .loaded = true, .bl_loaded = true };
	struct sync_actions a;
	const struct sync_row rows[] = {
		row("192.0.2.1", true, false, false),
		row("192.0.2.4", false, true, false),
		row("192.0.2.5", false, false, false),
		row("0.0.0.0/1", false, false, true),
	};

	(void)state;
	strset_add(&v.banned, "192.0.2.5");
	strset_add(&v.bl_banned, "192.0.2.5");
	j.scope = (struct jail_scope){ 0 };
	assert_int_equal(sync_decide(&j, rows, 4, NULL, &v, &a), 0);
	assert_int_equal(a.ban.count + a.unban.count + a.bl_ban.count +
			 a.bl_unban.count + a.add_ignore.count +
			 a.del_ignore.count, 0);
	sync_actions_free(&a);
	j.scope = (struct jail_scope){ .owned = false, .act = true, .bl = false };
	assert_int_equal(sync_decide(&j, rows, 4, NULL, &v, &a), 0);
	assert_set(&a.ban, (const char *[]){ "192.0.2.1" }, 1);
	assert_set(&a.unban, (const char *[]){ "192.0.2.5" }, 1);
	assert_int_equal(a.bl_ban.count + a.bl_unban.count, 0);
	sync_actions_free(&a);
	f2b_view_free(&v);
}

static void test_other_jails_and_disabled_blacklists(void **state)
{
	struct sync_jail j = jail(0);
	struct f2b_view v = { .loaded = true };
	struct sync_actions a;
	struct sync_row rows[] = {
		row("192.0.2.1", false, true, false),
		row("192.0.2.2", true, false, false),
		row("not-an-address", true, false, false),
	};

	(void)state;
	strcpy(rows[1].jail, "mc-webauth");
	sync_decide(&j, rows, 3, NULL, &v, &a);
	/* max_count 0: a blacklisted row bans nothing in -bl. */
	assert_int_equal(a.bl_ban.count, 0);
	assert_int_equal(a.ban.count, 0);
	sync_actions_free(&a);
	f2b_view_free(&v);
}

/* An address of the cluster: never banned or blacklisted, lifted where
 * fail2ban has it, and never taken out of an ignore list. */
static void test_cluster_addresses_are_never_banned(void **state)
{
	struct sync_jail j = jail(3);
	struct f2b_view v = { .loaded = true, .bl_loaded = true };
	struct sync_actions a;
	struct nodes nodes = { .count = 0 };
	struct addr n;
	const char *why;
	struct sync_row rows[] = {
		row("192.0.2.10", true, true, false),
		row("2001:db8::a", false, false, false),
		row("192.0.2.11", true, true, false),
	};
	static const char *const banned[] = { "192.0.2.11" };
	static const char *const lifted[] = { "192.0.2.10" };

	(void)state;
	assert_int_equal(addr_parse("192.0.2.10", &n, &why), 0);
	assert_int_equal(nodes_add(&nodes, &n), 0);
	assert_int_equal(addr_parse("2001:db8::a", &n, &why), 0);
	assert_int_equal(nodes_add(&nodes, &n), 0);
	strset_add(&v.banned, "192.0.2.10");
	strset_add(&v.bl_banned, "192.0.2.10");
	strset_add(&v.ignoreip, "2001:db8::a");
	assert_int_equal(sync_decide(&j, rows, 3, &nodes, &v, &a), 0);
	assert_set(&a.ban, banned, 1);
	assert_set(&a.bl_ban, banned, 1);
	assert_set(&a.unban, lifted, 1);
	assert_set(&a.bl_unban, lifted, 1);
	assert_int_equal(a.del_ignore.count, 0);
	assert_int_equal(a.node_rows, 1);
	sync_actions_free(&a);
	f2b_view_free(&v);

	/* Without the list, the same rows ban the first address. */
	memset(&v, 0, sizeof(v));
	v.loaded = v.bl_loaded = true;
	strset_add(&v.ignoreip, "2001:db8::a");
	assert_int_equal(sync_decide(&j, rows, 3, NULL, &v, &a), 0);
	assert_int_equal(a.ban.count, 2);
	assert_int_equal(a.del_ignore.count, 1);
	sync_actions_free(&a);
	f2b_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strset),
		cmocka_unit_test(test_bans_follow_the_rows),
		cmocka_unit_test(test_whitelist_entries_and_what_they_cover),
		cmocka_unit_test(test_other_jails_and_disabled_blacklists),
		cmocka_unit_test(test_a_long_whitelist_covers_to_its_end),
		cmocka_unit_test(test_scope_limits_the_actions),
		cmocka_unit_test(test_cluster_addresses_are_never_banned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
