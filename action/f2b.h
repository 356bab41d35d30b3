/* f2b.h - fail2ban's unix socket, spoken natively: no fail2ban-client (a
 * Python start-up per call) and no shell on the ban path. */
#ifndef MC_F2B_F2B_H
#define MC_F2B_F2B_H

#include <stddef.h>

#include "pickle.h"

enum f2b_status {
	F2B_OK = 0,
	F2B_NO_SERVER,      /* no socket, or nobody listening */
	F2B_UNKNOWN_JAIL,   /* the server answered UnknownJailException */
	F2B_REFUSED,        /* the server answered another exception */
	F2B_FAILED,         /* time-out, I/O or an unreadable reply */
};

/* Longest reply accepted: "get <jail> banned" of a jail with a hundred
 * thousand addresses fits many times over. */
#define F2B_REPLY_MAX (32u << 20)

/* Send one command and wait at most timeout_ms for the whole exchange
 * (a busy server is waited for within it).
 * On F2B_OK, *doc holds the decoded reply and *result points at its result
 * (the second member of the (code, result) tuple); free with
 * pickle_doc_free().  On failure err says why in one line. */
enum f2b_status f2b_call(const char *socket_path, const char *const *argv,
			 size_t argc, unsigned timeout_ms,
			 struct pickle_doc **doc,
			 const struct pickle_value **result,
			 char *err, size_t errlen);

/* The same, for commands whose result does not matter. */
enum f2b_status f2b_command(const char *socket_path, const char *const *argv,
			    size_t argc, unsigned timeout_ms,
			    char *err, size_t errlen);

#endif
