/* Reading a live probe process from outside: found by its name (the probe
 * sets comm to its token), then /proc/PID/status, /proc/PID/ns/ and its parent's. */
#ifndef CAGETEST_INSPECT_H
#define CAGETEST_INSPECT_H

#include "../probes/probe.h"

#include <sys/types.h>

/* base: the process whose namespaces count as "the host's" for this case
 * (the case supervisor: the harness's own private /tmp is not confinement). */
int inspect_by_name(const char *comm, pid_t base, struct proc_snapshot *s);
/* Fill s->expose (the live probe's view of the host) and s->expose_host
 * (the same checks from base), after inspect_by_name found the probe. */
void inspect_exposure(const struct probe_env *env, pid_t base, struct proc_snapshot *s);

#endif
