/* Paths every layer asks about: is one under another, and where the data
 * files (suites/, platforms/adapters/, ...) are. 0 / -errno, never prints. */
#ifndef CAGETEST_PATH_H
#define CAGETEST_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Is path at or under dir? (string prefix on resolved paths) */
bool path_is_under(const char *path, const char *dir);

/* Directories searched for suites/ and platforms/adapters/: $CAGETEST_DATADIR,
 * the source tree next to the binary, the install prefix. */
int datadir_find(const char *rel, char *out, size_t n);

#endif
