/* nodes.h - the addresses the cluster never bans: this node's own (every
 * interface) and every node's of the cluster.
 *
 * A cluster that banned one of its nodes would cut its own replication and
 * mail flow, and after max_count bans would do so for good.  So an address
 * of a node is never recorded as banned, counted, blacklisted or applied by
 * sync, whoever asks, and it stands in the ignoreip of every jail file
 * mc-f2b writes.
 *
 * The nodes come from [cluster] nodes in mc-f2b.ini (addresses or host
 * names) and from the hostname column of MailCleaner's master and slave
 * tables.  Names are resolved when the list is loaded in full (by the sync
 * loop, and by the verbs people run), never on the ban path: the full list
 * is kept in the spool directory, in <dir>/nodes, and a ban reads that file
 * (with the addresses the configuration writes literally). */
#ifndef MC_F2B_NODES_H
#define MC_F2B_NODES_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* Addresses kept, at most: a cluster is a few nodes with a few interfaces
 * each; a list that grows past this is cut (and said). */
#define NODES_MAX 256
/* Addresses a single name may bring (a round-robin name has a few). */
#define NODES_PER_NAME_MAX 16
/* Longest host name (RFC 1035). */
#define NODES_NAME_MAX 253

struct nodes {
	struct addr addr[NODES_MAX];
	size_t count;
	bool cut;          /* more were found than NODES_MAX */
};

/* --- the pure parts (unit-tested) --- */

/* Is entry an address or a host name ([A-Za-z0-9-] labels of at most 63,
 * joined by dots, at most NODES_NAME_MAX in all, not starting or ending with
 * '-')?  Anything else (a network, a space, a quote) is refused. */
bool nodes_entry_valid(const char *entry, const char **why);

/* Add one address (a duplicate is not added twice).  Returns 0, or -1 when
 * the list is full (set->cut is then set). */
int nodes_add(struct nodes *set, const struct addr *a);

bool nodes_has(const struct nodes *set, const struct addr *a);

/* Does the network hold an address of the list?  *found (when not NULL)
 * receives the first one. */
bool nodes_in_net(const struct nodes *set, const struct addr_net *net,
		  struct addr *found);

/* The addresses written literally in a comma-separated list of entries
 * (names are left for nodes_resolve_list). */
void nodes_add_literal(struct nodes *set, const char *list);

/* The file <dir>/nodes: one canonical address per line after a version
 * line.  encode returns the length written, or -1 when buf is too small;
 * decode adds the addresses to set and returns 0, or -1 for a file that is
 * not one this code writes. */
int nodes_encode(const struct nodes *set, char *buf, size_t buflen);
int nodes_decode(const char *text, struct nodes *set);

/* --- what needs the system, the database or the spool --- */

/* Every address of this node's interfaces.  Returns 0, or -1 with err. */
int nodes_add_local(struct nodes *set, char *err, size_t errlen);

/* Every entry of the comma-separated list: an address as it is, a name
 * through the resolver (at most NODES_PER_NAME_MAX addresses).  One that
 * is not a host name, or does not resolve, is skipped (said in a log line
 * when say).  Returns how many were skipped. */
int nodes_resolve_list(struct nodes *set, const char *list, bool say);

/* Keep the list in <spool_dir>/nodes (temporary file, rename), for the
 * bans that follow.  Returns 0, or -1 with err. */
int nodes_store(const char *spool_dir, const struct nodes *set,
		char *err, size_t errlen);

/* Has <spool_dir>/nodes changed since *stamp was taken?  A missing file
 * always has.  *stamp (NODES_STAMP_MAX bytes, "" before the first call) is
 * updated.  nodes_store() replaces the file: a new inode every time. */
#define NODES_STAMP_MAX 96
bool nodes_stored_changed(const char *spool_dir, char *stamp);

/* Add what <spool_dir>/nodes holds.  Returns 1 when it was read, 0 when
 * there is none, -1 with err when it could not be read. */
int nodes_load_stored(const char *spool_dir, struct nodes *set,
		      char *err, size_t errlen);

#endif
