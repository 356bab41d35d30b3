/* handoff.h - a ban or unban handed to the sync loop's process, which keeps
 * a connection to the master open.
 *
 * A ban runs inside fail2ban's one action lock, and a connection of its own
 * costs it the handshake, the authentication and the server's work for a
 * new session.  While `mc-f2b sync` runs, a child of it listens on
 * <spool>/handoff, a unix stream socket in the spool directory (root's,
 * mode 0700: nobody else reaches the socket), and applies the events it is
 * handed on its one connection, exactly as the action would.  The action
 * that finds nobody there, or a server that goes away before it answers,
 * applies the event itself: a server that died after its commit leaves an
 * active row, which the second application finds and leaves as it is, so
 * nothing is counted twice.
 *
 * The action asks before it reads its configuration in full: a glance at
 * the file (config_glance() in config.h, which also checks the password
 * files it names, unread) gives the identity, the spool and the
 * time-outs.  What the action would otherwise check first, the server
 * checks: the identity (a file the loop read and checked in full, unchanged
 * since), the cluster's nodes as the loop last stored them, the outage
 * note and the events waiting in the spool; for any of them it answers
 * "direct", and the action reads its file and goes its own way.
 *
 * One request per connection, one line each way:
 *   request  "mc-f2b-handoff 1" TAB identity TAB actor TAB port TAB record
 *            identity: the configuration file's (config.h), which the
 *                      server compares with its own: only a node's own
 *                      configuration, unchanged since the loop read it, is
 *                      served; anything else is applied directly
 *            actor:    who the history names (db.h): lower-case letters,
 *                      digits and spaces
 *            port:     "p:" then fail2ban's ports, or "-" without any
 *            record:   the event as the spool writes it (spool.h), checked
 *                      field by field again by the server; its node name
 *                      is not taken: the event is the loop's node's
 *   reply    verdict TAB text, the verdict one of the words below.
 * This file knows the socket and the lines; what an event does is the
 * caller's (apply.h). */
#ifndef MC_F2B_HANDOFF_H
#define MC_F2B_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "event.h"
#include "jail.h"

#define HANDOFF_SOCKET "handoff"
#define HANDOFF_LINE_MAX 1024
#define HANDOFF_TEXT_MAX 600
#define HANDOFF_IDENTITY_MAX 96

enum handoff_verdict {
	HANDOFF_DONE,      /* applied: the action's work is over */
	HANDOFF_REFUSED,   /* bad input (an unknown jail): exit 2, text said */
	HANDOFF_SPOOL,     /* the master could not take it: spool it */
	HANDOFF_DIRECT,    /* not served (nobody there, another configuration,
			    * gone before answering): apply it directly */
	HANDOFF_TIMED_OUT, /* handoff_ask() only: no answer in time */
};

struct handoff_request {
	char identity[HANDOFF_IDENTITY_MAX];
	char actor[DB_SOURCE_MAX + 1];
	bool has_port;
	char port[JAIL_PORT_MAX + 1];
	struct ban_event ev;
};

/* <spool_dir>/handoff into buf (a sockaddr_un's path).  -1 when it does not
 * fit: the hand-off is then not used. */
int handoff_path(const char *spool_dir, char *buf, size_t buflen);

/* The request as one line ending in '\n'; -1 if it does not fit. */
int handoff_encode_request(const struct handoff_request *r, char *buf,
			   size_t buflen);

/* Decode and check every field (one line, with or without its '\n').
 * Returns 0, or -1 with *why set. */
int handoff_decode_request(const char *line, struct handoff_request *r,
			   const char **why);

/* The reply line ending in '\n' (text cut at HANDOFF_TEXT_MAX bytes, its
 * tabs and line ends made spaces). */
int handoff_encode_reply(enum handoff_verdict v, const char *text, char *buf,
			 size_t buflen);

/* Decode a reply; an unknown verdict or shape is HANDOFF_DIRECT. */
enum handoff_verdict handoff_decode_reply(const char *line, char *text,
					  size_t textlen);

/* The action's side: hand r to the server of spool_dir and wait up to
 * wait_ms for the verdict.  No socket, nobody listening, or an end before
 * the answer, or a listener that is not of this user: HANDOFF_DIRECT.  No
 * answer in time, or the server's queue full as long: HANDOFF_TIMED_OUT
 * (the server may be held by a master that hangs; what it may still
 * apply, a replay finds applied). */
enum handoff_verdict handoff_ask(const char *spool_dir,
				 const struct handoff_request *r,
				 unsigned wait_ms, char *text, size_t textlen);

/* The server's side.  handoff_listen() binds <spool_dir>/handoff afresh
 * (a file left there is replaced) with mode 0600 and returns the listening
 * descriptor, or -1 with err set. */
int handoff_listen(const char *spool_dir, char *err, size_t errlen);

/* Wait up to wait_ms for the next request: accepted, from a process of this
 * user only, its line read within a second.  Returns the connection (to
 * answer with handoff_answer()) with the line in buf, -1 when nothing came
 * in time (or a connection was dropped: see err, "" when nothing came). */
int handoff_next(int listen_fd, unsigned wait_ms, char *buf, size_t buflen,
		 char *err, size_t errlen);

/* Send the verdict and close the connection; a client gone is no error. */
void handoff_answer(int conn, enum handoff_verdict v, const char *text);

#endif
