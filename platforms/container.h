/* Which container runtime (and VM) this process runs in, told from evidence
 * (evidence.h), each fact with the file it was read from. Pure: no I/O. */
#ifndef CAGETEST_CONTAINER_H
#define CAGETEST_CONTAINER_H

#include "../lib/util.h"
#include "evidence.h"

#define CTR_MAX_FACTS 24

struct ctr_fact {
	enum ev_src source; /* where it was read: ev_path[source] */
	char seen[256];     /* what was there, shortened */
	const char *means;  /* what it points to: a runtime word, "vm", or "host" (a sign of no container) */
	const char *note;   /* why it does not count, or NULL */
};

struct ctr_id {
	/* The report's host.container word: gvisor, kubernetes, docker, podman,
	 * containerd, cri-o, systemd-nspawn, lxd, lxc, wsl, openvz, container
	 * (some runtime, kind unknown) or none. The innermost layer that decides
	 * what system calls do wins: gVisor (its own kernel) over the engine
	 * that started it, a Kubernetes pod over its container engine. */
	const char *runtime;
	const char *engine; /* what started it when runtime names something else (gvisor under podman), or NULL */
	const char *vm;     /* the hypervisor under the kernel ("kvm", "xen", "hyper-v", "vm" when unnamed), or NULL */
	struct ctr_fact facts[CTR_MAX_FACTS];
	size_t nfacts;
};

void ctr_identify(const struct evidence *ev, struct ctr_id *id);
/* One line: "podman (engine podman; in a vm: kvm)". */
void ctr_describe(const struct ctr_id *id, struct sbuf *out);

#endif
