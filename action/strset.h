/* strset.h - a set of strings: added to freely, sorted once, then searched.
 * What sync compares (addresses in the database and in fail2ban) and what
 * fail2ban's configuration defines (jail names) are such sets. */
#ifndef MC_F2B_STRSET_H
#define MC_F2B_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **items;
	size_t count, cap;
	bool sorted;
};

/* Add a copy of item; -1 when memory runs out (the set is then unchanged). */
int strset_add(struct strset *s, const char *item);

bool strset_has(struct strset *s, const char *item);

void strset_free(struct strset *s);

#endif
