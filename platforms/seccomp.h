/* The seccomp layer shared by the landlock and bwrap backends: what paths
 * cannot express (socket families, io_uring, ptrace, namespaces, kernel
 * surface, TIOCSTI). Built with libseccomp from the mode's policy; a rule
 * table, so explain() prints exactly what load() installs. */
#ifndef CAGETEST_SECCOMP_H
#define CAGETEST_SECCOMP_H

#include "../lib/util.h"
#include "../lib/policy.h"

/* Install the filter for m in the calling process (sets no_new_privs). */
int sc_load(const struct mode *m);
/* Write the compiled BPF program to a sealed memfd (bwrap --seccomp FD). */
int sc_export(const struct mode *m, int *fd);
/* One line per rule. */
void sc_explain(const struct mode *m, struct sbuf *out);

#endif
