/* textcopy.h - copying a string into a fixed array, the size checked at the
 * copy itself rather than by a test somewhere before it. */
#ifndef MC_F2B_TEXTCOPY_H
#define MC_F2B_TEXTCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Copy src, its terminator included, into dst of dstlen bytes.  When it
 * does not fit, dst is left empty (never a truncated value that could pass
 * for a real one) and false is returned. */
static inline bool text_copy(char *dst, size_t dstlen, const char *src)
{
	size_t len = strlen(src);

	if (dstlen == 0)
		return false;
	if (len >= dstlen) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

#endif
