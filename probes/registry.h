/* The per-category tables registry.c lists (git has two: git.c and trap.c). Private to probes/. */
#ifndef CAGETEST_PROBES_REGISTRY_H
#define CAGETEST_PROBES_REGISTRY_H

#include "../lib/util.h"
#include "probe.h"

#define PROBE_TABLE(name)                                                                                   \
	extern const struct probe name##_probes[];                                                          \
	extern const size_t name##_probes_count

PROBE_TABLE(fs);
PROBE_TABLE(git);
PROBE_TABLE(trap);
PROBE_TABLE(net);
PROBE_TABLE(ipc);
PROBE_TABLE(dns);
PROBE_TABLE(priv);
PROBE_TABLE(proc);
PROBE_TABLE(meta);
PROBE_TABLE(ns);

/* Close a category table: defines name_probes_count from the array. */
#define PROBE_TABLE_END(name) const size_t name##_probes_count = ARRAY_SIZE(name##_probes)

#endif
