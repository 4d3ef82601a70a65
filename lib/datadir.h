/* The files cagetest reads at run time (suites, adapter files, baselines)
 * and the helper it plants. They come from one data dir on disk, else from
 * copies built into the binary, so a binary copied alone into a container
 * (make dist) or installed anywhere still has them; a file in the data dir
 * overrides the built-in copy of the same name. */
#ifndef CAGETEST_DATADIR_H
#define CAGETEST_DATADIR_H

#include <stddef.h>

struct builtin_file {
	const char *name; /* as in a data dir: suites/default.json */
	const unsigned char *data;
	size_t len;
};

/* The table make generates into build/gen/builtin.c (ci/embed.sh); only
 * the cagetest binary links it, and hands it over with datadir_builtin. */
extern const struct builtin_file builtin_files[];
extern const size_t builtin_count;

/* Use these built-in files (main does, once); without, there are none. */
void datadir_builtin(const struct builtin_file *files, size_t n);
const struct builtin_file *builtin_find(const char *name);

/* The data dir: $CAGETEST_DATADIR, else the source tree the binary was
 * built in (build/cagetest -> .), else share/cagetest beside the binary's
 * bin/ (PREFIX/bin/cagetest -> PREFIX/share/cagetest), wherever the tree
 * was put. The binary's own path, never one fixed when it was built.
 * -ENOENT when there is none (only built-in files then). */
int datadir_root(char *out, size_t n);

/* Where data file REL is: 0 with its path in the data dir, or 0 with
 * *builtin set (path "built-in:REL"); -ENOENT when neither has it. */
int data_find(const char *rel, char *path, size_t n, const struct builtin_file **builtin);

/* The names of the files in data dir REL (a directory: "suites") that end
 * in suffix, each once, sorted: the data dir's and the built-in ones it
 * lacks. Free with data_list_free. */
int data_list(const char *rel, const char *suffix, char ***names, size_t *n);
void data_list_free(char **names, size_t n);

#endif
