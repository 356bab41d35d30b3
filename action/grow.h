/* grow.h - room for one more element at the end of a malloc()ed array.
 *
 * Every growable array of mc-f2b grows this one way: its capacity doubled
 * (from `first` for an empty one), the size arithmetic checked, and a
 * failure said to the caller, never ignored. */
#ifndef MC_F2B_GROW_H
#define MC_F2B_GROW_H

#include <stddef.h>

/* The array with room for element `count` (of `size` bytes each): items
 * itself when there is room, else a larger copy, *cap updated.  NULL when
 * memory or size_t runs out: items and *cap are then unchanged, and items
 * still the caller's to free. */
void *grow_for_one(void *items, size_t *cap, size_t count, size_t size,
		   size_t first);

#endif
