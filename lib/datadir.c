#include "datadir.h"

#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

static const struct builtin_file *builtins;
static size_t nbuiltins;

void datadir_builtin(const struct builtin_file *files, size_t n)
{
	builtins = files;
	nbuiltins = n;
}

const struct builtin_file *builtin_find(const char *name)
{
	for (size_t i = 0; i < nbuiltins; i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

/* dir (made absolute, without ..) when it holds suites/. */
static int tree_at(const char *dir, char *out, size_t n)
{
	char real[PATH_MAX], marker[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real) || fmt(marker, sizeof(marker), "%s/suites", real) < 0 || stat(marker, &st) < 0 ||
	    !S_ISDIR(st.st_mode))
		return -ENOENT;
	return fmt(out, n, "%s", real);
}

int datadir_root(char *out, size_t n)
{
	const char *env = getenv("CAGETEST_DATADIR");
	char exe[PATH_MAX], dir[PATH_MAX], *slash;
	ssize_t k;

	if (env && *env)
		return realpath(env, dir) ? fmt(out, n, "%s", dir) : fmt(out, n, "%s", env);
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (k <= 0)
		return -ENOENT;
	exe[k] = 0;
	if (!(slash = strrchr(exe, '/')))
		return -ENOENT;
	*slash = 0;
	if (fmt(dir, sizeof(dir), "%s/..", exe) == 0 && tree_at(dir, out, n) == 0)
		return 0;
	if (fmt(dir, sizeof(dir), "%s/../share/cagetest", exe) == 0 && tree_at(dir, out, n) == 0)
		return 0;
	return -ENOENT;
}

int data_find(const char *rel, char *path, size_t n, const struct builtin_file **builtin)
{
	char root[PATH_MAX];
	struct stat st;

	*builtin = NULL;
	if (datadir_root(root, sizeof(root)) == 0 && fmt(path, n, "%s/%s", root, rel) == 0 && stat(path, &st) == 0)
		return 0;
	if (!(*builtin = builtin_find(rel)))
		return -ENOENT;
	return fmt(path, n, "built-in:%s", rel);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && !strcmp(s + a - b, suffix);
}

static int add_name(char ***names, size_t *n, const char *name)
{
	char **more;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	if (!(more = realloc(*names, (*n + 1) * sizeof(*more))) || !(more[*n] = strdup(name))) {
		if (more)
			*names = more;
		return -ENOMEM;
	}
	*names = more;
	(*n)++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int data_list(const char *rel, const char *suffix, char ***names, size_t *n)
{
	char root[PATH_MAX], dir[PATH_MAX];
	size_t rl = strlen(rel);
	DIR *d;
	int r = 0;

	*names = NULL;
	*n = 0;
	if (datadir_root(root, sizeof(root)) == 0 && fmt(dir, sizeof(dir), "%s/%s", root, rel) == 0 && (d = opendir(dir))) {
		for (struct dirent *e; r == 0 && (e = readdir(d));)
			if (e->d_name[0] != '.' && ends_with(e->d_name, suffix))
				r = add_name(names, n, e->d_name);
		closedir(d);
	}
	for (size_t i = 0; r == 0 && i < nbuiltins; i++) {
		const char *b = builtins[i].name;
		if (!strncmp(b, rel, rl) && b[rl] == '/' && !strchr(b + rl + 1, '/') && ends_with(b, suffix))
			r = add_name(names, n, b + rl + 1);
	}
	if (r < 0) {
		data_list_free(*names, *n);
		*names = NULL;
		*n = 0;
		return r;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

void data_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
