/* Facts measured on this host, as data: what a fact is, what was found, and
 * where: the file or call it was read from, or the command a trial ran, with
 * its output and how it ended. A backend's facts come from the very trial
 * its availability does (backend.h, facts()); doctor prints them, and code
 * that explains why a sandbox cannot run here reasons over them. */
#ifndef CAGETEST_FACTS_H
#define CAGETEST_FACTS_H

#include <stdbool.h>
#include <stddef.h>

struct fact {
	char *name;   /* what, for code: "version", "trial", "abi" */
	char *value;  /* what was found, one line for a person */
	char *source; /* where: a file, a call, or the trial's command line (a shell line) */
	char *output; /* what the trial printed (stdout and stderr); NULL when nothing ran */
	int err;      /* 0, or the -errno the read or the trial ended with (-ETIMEDOUT: it hung) */
	int status;   /* the trial's exit status (128 + N: killed by signal N); -1 when none */
};

struct facts {
	struct fact *v;
	size_t n;
};

/* Append a copy of one (its strings copied; NULL stays NULL). 0 or -ENOMEM. */
int facts_add(struct facts *f, const struct fact *one);
/* The first fact of that name, or NULL. */
const struct fact *facts_find(const struct facts *f, const char *name);
void facts_free(struct facts *f);

/* What one backend said about this host, as a recorded set keeps it
 * (backends.json in a `doctor --evidence` directory): whether it can run,
 * its own reason when not, and its facts. */
struct backend_record {
	char *name;
	bool available;
	char *reason; /* NULL when available */
	struct facts facts;
};
/* JSON text of n records (malloc'd) to *out. 0 or -ENOMEM. */
int records_format(const struct backend_record *v, size_t n, char **out);
/* Parse records; -EINVAL on anything that is not that shape. */
int records_parse(const char *text, struct backend_record **v, size_t *n);
void records_free(struct backend_record *v, size_t n);

#endif
