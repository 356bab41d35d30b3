/* log.h - one line per decision to syslog, errors to stderr as well.
 *
 * fail2ban keeps an action's stderr in its own log, and administrators read
 * syslog: every message is one line in both places. */
#ifndef MC_F2B_LOG_H
#define MC_F2B_LOG_H

#include <stdbool.h>

/* Also print decisions on stderr (mc-f2b -v). */
void log_set_verbose(bool verbose);

/* A decision worth keeping (a ban recorded, an address blacklisted).  Goes
 * to syslog only unless verbose: fail2ban logs an action's output as an
 * error. */
void log_decision(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Something went wrong but the work is done or kept (e.g. spooled). */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The command failed. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
