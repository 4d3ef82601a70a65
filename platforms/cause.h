/* Why a backend cannot run here, and the change a user can make: one cause
 * drawn from recorded facts only (the runtime named from evidence, the call
 * trials, the process's confinement, and what the backend's own available()
 * measured: its facts()). Pure, so a set recorded inside a runtime
 * (`cagetest doctor --evidence DIR`, tests/data/containers/RUNTIME/) gives the
 * same cause as the live process. A kernel boot option is advised only when
 * the kernel is what lacks the feature, never when a filter denies it. */
#ifndef CAGETEST_CAUSE_H
#define CAGETEST_CAUSE_H

#include "../lib/facts.h"
#include "../lib/util.h"
#include "container.h"
#include "trials.h"

struct cause_in {
	const char *backend;	       /* its name: the rules are per backend */
	const char *reason;	       /* what its available() said: the fallback */
	const struct facts *facts;     /* what its available() measured; may be empty */
	const struct evidence *ev;     /* for the kernel's version */
	const struct ctr_id *ctr;
	const struct trials *trials;
	const struct confinement *conf;
};

/* One line to out: "CAUSE: CHANGE". The backend's own reason when no rule
 * knows better. */
void cause_derive(const struct cause_in *in, struct sbuf *out);
/* Has the table a rule for this backend (else its reason stands as it is)? */
bool cause_has_rules(const char *backend);

#endif
