#include "path.h"

#include "util.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DATADIR
#define DATADIR "/usr/local/share/cagetest"
#endif

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

int datadir_find(const char *rel, char *out, size_t n)
{
	char exe[PATH_MAX], dirs[3][PATH_MAX];
	const char *env = getenv("CAGETEST_DATADIR");
	size_t nd = 0;
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (env && *env)
		snprintf(dirs[nd++], PATH_MAX, "%s", env);
	if (k > 0) {
		exe[k] = 0;
		/* build/cagetest -> the source tree */
		snprintf(dirs[nd++], PATH_MAX, "%s/..", dirname(exe));
	}
	snprintf(dirs[nd++], PATH_MAX, "%s", DATADIR);
	for (size_t i = 0; i < nd; i++) {
		struct stat st;
		if (fmt(out, n, "%s/%s", dirs[i], rel) == 0 && stat(out, &st) == 0)
			return 0;
	}
	return -ENOENT;
}
