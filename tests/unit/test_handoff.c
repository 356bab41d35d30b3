/* test_handoff.c - the hand-off's lines: a request round-trips with every
 * field checked again on the server's side, hostile or malformed requests
 * are refused with a reason, replies decode to their verdict (anything
 * else to "apply it yourself"), and the socket's path must fit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "handoff.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct handoff_request sample(void)
{
	struct handoff_request r = {
		.identity = "2049:1234567:512:1790000000.123456789",
		.actor = "fail2ban",
		.has_port = true,
		.port = "25,465,587",
		.ev = { .kind = EVENT_BAN, .at = 1790000000,
			.time = 1789999999, .bantime = 600, .failures = 3 },
	};

	strcpy(r.ev.jail, "mc-exim");
	strcpy(r.ev.ip, "2001:db8::7");
	strcpy(r.ev.host, "node-a");
	return r;
}

static void test_request_round_trip(void **state)
{
	struct handoff_request in = sample(), out;
	char line[HANDOFF_LINE_MAX];
	const char *why = NULL;

	(void)state;
	assert_true(handoff_encode_request(&in, line, sizeof(line)) > 0);
	assert_int_equal(handoff_decode_request(line, &out, &why), 0);
	assert_string_equal(out.identity, in.identity);
	assert_string_equal(out.actor, "fail2ban");
	assert_true(out.has_port);
	assert_string_equal(out.port, "25,465,587");
	assert_int_equal(out.ev.kind, EVENT_BAN);
	assert_string_equal(out.ev.jail, "mc-exim");
	assert_string_equal(out.ev.ip, "2001:db8::7");
	assert_int_equal(out.ev.failures, 3);

	/* No port (a person's unban), an empty one (every port). */
	in.has_port = false;
	in.ev.kind = EVENT_UNBAN;
	strcpy(in.actor, "unban");
	assert_true(handoff_encode_request(&in, line, sizeof(line)) > 0);
	assert_int_equal(handoff_decode_request(line, &out, &why), 0);
	assert_false(out.has_port);
	assert_int_equal(out.ev.kind, EVENT_UNBAN);
	in.has_port = true;
	in.port[0] = '\0';
	assert_true(handoff_encode_request(&in, line, sizeof(line)) > 0);
	assert_int_equal(handoff_decode_request(line, &out, &why), 0);
	assert_true(out.has_port);
	assert_string_equal(out.port, "");
}

static void test_hostile_requests_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"junk\n",
		"mc-f2b-handoff 2\t1:2\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		/* identity */
		"mc-f2b-handoff 1\t\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2/../x\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		/* actor */
		"mc-f2b-handoff 1\t1:2\tFail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\tx\x1b[31m\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\t\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		/* port */
		"mc-f2b-handoff 1\t1:2\tfail2ban\tp:25;reboot\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\tfail2ban\t25\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		/* the record: a jail, an address, a number */
		"mc-f2b-handoff 1\t1:2\tfail2ban\t-\t1\tban\t../etc\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.01\tnode-a\t1\t0\t600\t3\t0\n",
		"mc-f2b-handoff 1\t1:2\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\tthree\t0\n",
		"mc-f2b-handoff 1\t1:2\tfail2ban\t-\t1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t0\t600\t3\t0\textra\n",
		"mc-f2b-handoff 1\t1:2\tfail2ban\t-\n",
	};
	struct handoff_request r;

	(void)state;
	for (size_t i = 0; i < COUNT(bad); i++) {
		const char *why = NULL;

		if (handoff_decode_request(bad[i], &r, &why) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
	/* Longer than a line can be. */
	char big[HANDOFF_LINE_MAX + 64];
	const char *why = NULL;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(handoff_decode_request(big, &r, &why), -1);
}

static void test_replies(void **state)
{
	char line[HANDOFF_LINE_MAX], text[HANDOFF_TEXT_MAX + 1];

	(void)state;
	assert_true(handoff_encode_reply(HANDOFF_REFUSED, "ban: unknown jail "
					 "'x'\tand\nmore", line,
					 sizeof(line)) > 0);
	assert_string_equal(line, "refused\tban: unknown jail 'x' and more\n");
	assert_int_equal(handoff_decode_reply(line, text, sizeof(text)),
			 HANDOFF_REFUSED);
	assert_string_equal(text, "ban: unknown jail 'x' and more");
	assert_true(handoff_encode_reply(HANDOFF_DONE, "", line,
					 sizeof(line)) > 0);
	assert_int_equal(handoff_decode_reply(line, text, sizeof(text)),
			 HANDOFF_DONE);
	assert_true(handoff_encode_reply(HANDOFF_SPOOL, "master unavailable",
					 line, sizeof(line)) > 0);
	assert_int_equal(handoff_decode_reply(line, text, sizeof(text)),
			 HANDOFF_SPOOL);
	/* Anything else: the action applies it itself. */
	assert_int_equal(handoff_decode_reply("", text, sizeof(text)),
			 HANDOFF_DIRECT);
	assert_int_equal(handoff_decode_reply("done", text, sizeof(text)),
			 HANDOFF_DIRECT);
	assert_int_equal(handoff_decode_reply("donex\t\n", text, sizeof(text)),
			 HANDOFF_DIRECT);
	assert_int_equal(handoff_decode_reply("DONE\t\n", text, sizeof(text)),
			 HANDOFF_DIRECT);
}

static void test_socket_path_must_fit(void **state)
{
	char path[4096], dir[200];

	(void)state;
	assert_int_equal(handoff_path("/var/spool/mc-f2b", path, sizeof(path)), 0);
	assert_string_equal(path, "/var/spool/mc-f2b/handoff");
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	assert_int_equal(handoff_path(dir, path, sizeof(path)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_hostile_requests_refused),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_socket_path_must_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
