/* Reading a live probe process from outside: found by its name (the probe
 * sets comm to its token), then /proc/PID/status, /proc/PID/ns/ and its parent's. */
#ifndef CAGETEST_INSPECT_H
#define CAGETEST_INSPECT_H

#include "../probes/probe.h"

#include <sys/types.h>

/* base: the process whose namespaces count as "the host's" for this case
 * (the case supervisor: the harness's own private /tmp is not confinement). */
int inspect_by_name(const char *comm, pid_t base, struct proc_snapshot *s);

#endif
