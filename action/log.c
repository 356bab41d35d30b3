/* log.c - syslog for decisions, stderr and syslog for trouble.
 *
 * Syslog is opened lazily (no LOG_NDELAY): a ban that logs nothing pays
 * nothing, and a host without /dev/log loses only the syslog copy. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>

static bool verbose;

void log_set_verbose(bool on)
{
	verbose = on;
}

static void log_open_once(void)
{
	static bool opened;

	if (!opened) {
		openlog("mc-f2b", LOG_PID, LOG_AUTHPRIV);
		opened = true;
	}
}

/* Messages may quote refused input: whatever it holds, it stays one line
 * of plain ASCII.  Bytes above 0x7f go too: a bidirectional override
 * (U+202E) or a look-alike digit would otherwise show a reader of the log
 * something other than what was refused. */
static void flatten(char *line)
{
	for (unsigned char *p = (unsigned char *)line; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
}

/* The format attribute lets the compiler check the callers' formats through
 * the va_list (clang's -Wformat-nonliteral asks for it). */
static void log_line(int priority, bool to_stderr, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void log_line(int priority, bool to_stderr, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	flatten(line);
	log_open_once();
	syslog(priority, "%s", line);
	if (to_stderr)
		fprintf(stderr, "mc-f2b: %s\n", line);
}

void log_decision(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_NOTICE, verbose, fmt, ap);
	va_end(ap);
}

void log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_WARNING, true, fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_ERR, true, fmt, ap);
	va_end(ap);
}
