/* localfile.h - local files judged the way ssh judges a private key and
 * doas its configuration: trusted only when nobody but root and the running
 * user could have written them, or could put another file in their place.
 * Knows nothing of the command line or of the configuration. */
#ifndef MC_F2B_LOCALFILE_H
#define MC_F2B_LOCALFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Open path for reading once it is judged safe:
 * - every directory from its parent up to / owned by root or the running
 *   user, and writable by nobody else unless sticky (as /tmp is);
 * - the last component not a symbolic link;
 * - the open file, judged by localfile_check_file.
 * secret: the file holds a password.  Returns the descriptor (close-on-exec,
 * non-blocking) with its fstat in *st, or -1 with one line in err. */
int localfile_open(const char *path, bool secret, struct stat *st,
		   char *err, size_t errlen);

/* What fstat said of an open file named path: a regular file, owned by root
 * or the running user, writable by nobody else; with secret, no permission
 * at all for group or others.  0, or -1 with one line in err. */
int localfile_check_file(const char *path, const struct stat *st, bool secret,
			 char *err, size_t errlen);

/* A program to be executed as root: the directories holding the name given
 * and the real file (after every symbolic link) judged as localfile_open
 * judges them, and the real file regular, owned by root or the running
 * user, writable by nobody else and executable by its owner.  0 with the
 * real file's path in real (execute that one: links along the name given
 * are not judged again), or -1 with one line in err. */
int localfile_check_program(const char *path, char real[PATH_MAX],
			    char *err, size_t errlen);

#endif
