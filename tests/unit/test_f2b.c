/* test_f2b.c - the socket client against a stand-in server that answers
 * with replies captured from a real fail2ban-server (tests/unit/data):
 * success, an exception, a busy server, no server, a server that hangs up
 * or never answers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "f2b.h"

static char sock_path[PATH_MAX];
static char err[256];

enum behaviour { ANSWER, HANG_UP, SILENT };

static size_t read_fixture(const char *name, unsigned char *buf, size_t cap)
{
	char path[PATH_MAX];
	const char *dir = getenv("TEST_DATA_DIR");
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/unit/data",
		 name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("no fixture %s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Read one request (up to the end marker), then behave. */
static void serve(int client, const unsigned char *reply, size_t len,
		  enum behaviour how)
{
	char buf[4096];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) &&
	       (n = read(client, buf + got, sizeof(buf) - got)) > 0) {
		got += (size_t)n;
		if (memmem(buf, got, F2B_END_COMMAND, strlen(F2B_END_COMMAND)))
			break;
	}
	if (how == ANSWER) {
		(void)!write(client, reply, len);
		(void)!write(client, F2B_END_COMMAND, strlen(F2B_END_COMMAND));
	} else if (how == SILENT) {
		sleep(5);
	}
	close(client);
}

/* A stand-in server in a child: backlog 0, so that a second waiting
 * client finds it busy; it starts accepting after delay_ms. */
static pid_t start_server(const char *fixture, enum behaviour how,
			  int delay_ms)
{
	static unsigned char reply[4096];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = fixture ? read_fixture(fixture, reply, sizeof(reply)) : 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	strcpy(addr.sun_path, sock_path);
	unlink(sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 0), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec t = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
		int null = open("/dev/null", O_WRONLY);

		/* Whatever becomes of the test, the stand-in goes within
		 * seconds and never holds the test runner's output open. */
		alarm(10);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		nanosleep(&t, NULL);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0)
				serve(c, reply, len, how);
		}
	}
	close(fd);
	return pid;
}

static void stop_server(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(sock_path);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_ping(void **state)
{
	const char *argv[] = { "ping" };
	struct pickle_doc *doc;
	const struct pickle_value *result;
	pid_t server = start_server("ping.pickle", ANSWER, 0);

	(void)state;
	assert_int_equal(f2b_call(sock_path, argv, 1, 2000, &doc, &result, err,
				  sizeof(err)), F2B_OK);
	assert_int_equal(result->type, PICKLE_STR);
	assert_string_equal(result->text, "pong");
	pickle_doc_free(doc);
	stop_server(server);
}

static void test_unknown_jail(void **state)
{
	const char *argv[] = { "status", "nosuchjail" };
	pid_t server = start_server("unknown-jail.pickle", ANSWER, 0);

	(void)state;
	assert_int_equal(f2b_command(sock_path, argv, 2, 2000, err, sizeof(err)),
			 F2B_UNKNOWN_JAIL);
	assert_non_null(strstr(err, "nosuchjail"));
	stop_server(server);
}

static void test_no_server(void **state)
{
	const char *argv[] = { "ping" };
	long long t0 = now_ms();

	(void)state;
	unlink(sock_path);
	assert_int_equal(f2b_command(sock_path, argv, 1, 2000, err, sizeof(err)),
			 F2B_NO_SERVER);
	assert_non_null(strstr(err, "not running"));
	assert_true(now_ms() - t0 < 500);
}

/* The queue of the listening socket is full: the call waits for the server
 * to take it, within its time-out, instead of calling it "not running". */
static void test_busy_server_is_waited_for(void **state)
{
	const char *argv[] = { "ping" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	pid_t server = start_server("ping.pickle", ANSWER, 300);
	int filler = socket(AF_UNIX, SOCK_STREAM, 0);
	long long t0;

	(void)state;
	strcpy(addr.sun_path, sock_path);
	size_t len;
	unsigned char *request = pickle_encode_command(argv, 1, &len);

	assert_int_equal(connect(filler, (struct sockaddr *)&addr,
				 sizeof(addr)), 0);
	/* The first client in the queue asks too, so that the server,
	 * once it wakes, answers it and goes on to ours. */
	assert_int_equal(write(filler, request, len), (ssize_t)len);
	free(request);
	t0 = now_ms();
	if (f2b_command(sock_path, argv, 1, 3000, err, sizeof(err)) != F2B_OK)
		fail_msg("%s", err);
	assert_true(now_ms() - t0 >= 200);
	close(filler);
	stop_server(server);
}

static void test_busy_server_times_out(void **state)
{
	const char *argv[] = { "ping" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	pid_t server = start_server("ping.pickle", ANSWER, 10000);
	int filler = socket(AF_UNIX, SOCK_STREAM, 0);
	long long t0;

	(void)state;
	strcpy(addr.sun_path, sock_path);
	assert_int_equal(connect(filler, (struct sockaddr *)&addr,
				 sizeof(addr)), 0);
	t0 = now_ms();
	assert_int_equal(f2b_command(sock_path, argv, 1, 300, err, sizeof(err)),
			 F2B_FAILED);
	assert_non_null(strstr(err, "busy"));
	assert_true(now_ms() - t0 < 2000);
	close(filler);
	stop_server(server);
}

static void test_hang_up_and_silence(void **state)
{
	const char *argv[] = { "ping" };
	pid_t server = start_server(NULL, HANG_UP, 0);
	long long t0;

	(void)state;
	assert_int_equal(f2b_command(sock_path, argv, 1, 2000, err, sizeof(err)),
			 F2B_FAILED);
	assert_non_null(strstr(err, "closed"));
	stop_server(server);
	server = start_server(NULL, SILENT, 0);
	t0 = now_ms();
	assert_int_equal(f2b_command(sock_path, argv, 1, 300, err, sizeof(err)),
			 F2B_FAILED);
	assert_non_null(strstr(err, "in time"));
	assert_true(now_ms() - t0 < 2000);
	stop_server(server);
}

static int setup(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/mc-f2b-test-f2b.%d.sock",
		 (int)getpid());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_unknown_jail),
		cmocka_unit_test(test_no_server),
		cmocka_unit_test(test_busy_server_is_waited_for),
		cmocka_unit_test(test_busy_server_times_out),
		cmocka_unit_test(test_hang_up_and_silence),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
