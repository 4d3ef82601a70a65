/* `cagetest doctor`: can a sandbox be turned on here? The host facts that
 * decide it (kernel features, sysctls, LSMs, container signs, whether user
 * namespaces and bwrap really work), then a short battery per backend. */
#ifndef CAGETEST_DOCTOR_H
#define CAGETEST_DOCTOR_H

#include "../lib/util.h"
#include "../reports/model.h"
#include "suite.h"

/* The probes of the short battery: one or two per escape class, plus the
 * must-work ones that catch overblocking. */
extern const char doctor_probes[];

/* One fact: "name" padded to a column, then the text (control bytes cleaned). */
void doctor_line(struct sbuf *out, const char *name, const char *f, ...) __attribute__((format(printf, 3, 4)));
/* Append the host facts, one "name  value" line each; with evidence_dir,
 * also save the container evidence and call trials there (doctor_runtime.h).
 * 0 or -errno from saving. */
int doctor_facts(struct sbuf *out, const char *evidence_dir);
/* Comma list of the available backends other than `none` (empty if none). */
int doctor_backends(char *buf, size_t n);
/* Comma list of the suite's confined modes. */
int doctor_modes(const struct suite *s, char *buf, size_t n);
/* One line per backend and mode: "workspace-write with landlock: ENFORCED". */
void doctor_verdicts(const struct report *r, struct sbuf *out);

#endif
