/* strset.c - a sorted-on-demand set of strings. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

int strset_add(struct strset *s, const char *item)
{
	char *copy;

	char **grown = grow_for_one(s->items, &s->cap, s->count,
				    sizeof(*grown), 32);

	if (!grown)
		return -1;
	s->items = grown;
	copy = strdup(item);
	if (!copy)
		return -1;
	s->items[s->count++] = copy;
	s->sorted = false;
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool strset_has(struct strset *s, const char *item)
{
	if (!s->sorted) {
		if (s->count)
			qsort(s->items, s->count, sizeof(*s->items), by_text);
		s->sorted = true;
	}
	return s->count &&
	       bsearch(&item, s->items, s->count, sizeof(*s->items), by_text);
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}
