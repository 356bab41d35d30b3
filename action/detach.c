/* detach.c - double fork, new session, standard streams on /dev/null. */
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The detached work ends in _exit(), which skips the leak check that a
 * LeakSanitizer build makes at exit(): make it here (tests/run sanitize). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DETACH_LEAK_CHECK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DETACH_LEAK_CHECK 1
#endif
#ifdef DETACH_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#define leak_check() __lsan_do_leak_check()
#else
#define leak_check() ((void)0)
#endif

static void become_detached(void)
{
	/* Not O_CLOEXEC: when a standard stream was closed, this very
	 * descriptor becomes it, and must survive fail2ban-client's exec. */
	int null = open("/dev/null", O_RDWR);

	setsid();
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	/* Nothing inherited may keep a pipe of fail2ban's open. */
	close_range(3, ~0U, 0);
}

int detach_run(void (*fn)(void *ctx), void *ctx)
{
	pid_t child = fork();
	int status;

	if (child < 0)
		return -1;
	if (child == 0) {
		pid_t grandchild;

		become_detached();
		grandchild = fork();
		if (grandchild == 0) {
			fn(ctx);
			leak_check();
			_exit(0);
		}
		/* The grandchild is init's now: nobody waits for it here. */
		_exit(grandchild > 0 ? 0 : 1);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
