/* The bwrap backend's pure part, exposed for the unit tests: the bubblewrap
 * command line that wraps the agent for one box. */
#ifndef CAGETEST_BWRAP_H
#define CAGETEST_BWRAP_H

#include "backend.h"

/* Limits of the walk for protected names: past them prepare fails (the
 * case errors) rather than leave a name unprotected. */
#define BWRAP_WALK_MAX_ENTRIES 200000
#define BWRAP_WALK_MAX_DEPTH 64
#define BWRAP_PROTECT_MAX 1024

/* Append to l the bwrap options for box x, from the first option to the
 * final "--": namespaces, the read-only root, /dev, /proc, a writable bind
 * per writable root, a read-only re-bind per protected name found now at
 * any depth in them (and per gitdir target of a .git file), an empty
 * read-only tmpfs over each protected name missing at the top of a
 * writable root, "--seccomp SECCOMP" unless SECCOMP is NULL, and --chdir.
 * Reads the file system (the box's paths must exist); runs nothing.
 * 0, or -errno with err set. */
int bwrap_args(const struct box *x, const char *seccomp, struct launch *l, char *err, size_t n);

#endif
