/* Paths every layer asks about: is one under another. (Where the data files
 * are: datadir.h.) */
#ifndef CAGETEST_PATH_H
#define CAGETEST_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Is path at or under dir? (string prefix on resolved paths) */
bool path_is_under(const char *path, const char *dir);

#endif
