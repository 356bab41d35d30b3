/* grow.c - doubling, checked. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_for_one(void *items, size_t *cap, size_t count, size_t size,
		   size_t first)
{
	size_t want;
	void *grown;

	if (count < *cap)
		return items;
	if (*cap > SIZE_MAX / 2)
		return NULL;
	want = *cap ? *cap * 2 : first;
	/* Checked here, not left to reallocarray: a sanitizer's allocator
	 * aborts on an overflowing request instead of failing it. */
	if (size && want > SIZE_MAX / size)
		return NULL;
	grown = reallocarray(items, want, size);
	if (grown)
		*cap = want;
	return grown;
}
