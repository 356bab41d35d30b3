/* detach.h - run work in a process of its own, detached from fail2ban.
 *
 * fail2ban runs every action under one server-wide lock, and a ban that came
 * in through its socket runs in the very thread that serves the socket: an
 * action that calls the server and waits for the answer waits for itself.
 * Such calls are made from a grandchild in a new session with its standard
 * streams on /dev/null, so that the action returns (and fail2ban stops
 * waiting for its output) at once. */
#ifndef MC_F2B_DETACH_H
#define MC_F2B_DETACH_H

/* Run fn(ctx) in a detached grandchild.  Returns 0 once the grandchild is
 * on its way, -1 if it could not be started (fn did not run). */
int detach_run(void (*fn)(void *ctx), void *ctx);

#endif
