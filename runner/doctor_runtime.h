/* doctor's view of the container it runs in: the runtime named from evidence
 * (each fact with the file it was read from), what the runtime does to the
 * calls sandboxes need (measured), and how it started this process. */
#ifndef CAGETEST_DOCTOR_RUNTIME_H
#define CAGETEST_DOCTOR_RUNTIME_H

#include "../lib/util.h"
#include "../platforms/evidence.h"
#include "../platforms/trials.h"

/* Render the facts from an evidence set and trial results (pure). */
void runtime_facts_render(const struct evidence *ev, const struct trials *t, struct sbuf *out);
/* Render this process's evidence and trials (here.h: read and run once);
 * when save_dir is not NULL, also write the evidence there with the trials
 * in save_dir/trials.txt (a recorded set tests and bug reports can replay;
 * doctor adds the backends' records, backends.json). 0 or -errno (from saving). */
int runtime_facts(struct sbuf *out, const char *save_dir);

#endif
