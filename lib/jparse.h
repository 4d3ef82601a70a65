/* Strict JSON input files (suites, adapters): every error names the file,
 * the place in it and the problem, as "FILE: WHERE: WHAT". Unknown keys are
 * errors: a typo must never silently change a policy. */
#ifndef CAGETEST_JPARSE_H
#define CAGETEST_JPARSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define JP_MAX_BYTES (1 << 20)

struct jperr {
	const char *label; /* the file */
	char *buf;
	size_t n;
};

/* Fill the error and return -EINVAL. */
int jp_fail(struct jperr *e, const char *where, const char *what);
/* Read a whole input file (at most 1 MiB, no NUL bytes). */
int jp_read(const char *path, char **text, char *err, size_t n);
/* The same for data file REL (lib/datadir.h): the data dir's copy, else the
 * built-in one; path gets what was read (a path, or built-in:REL). */
int jp_read_data(const char *rel, char **text, char *path, size_t pn, char *err, size_t n);
/* Parse text; NULL with "FILE: line N: not valid JSON" on a syntax error. */
cJSON *jp_parse(const char *text, struct jperr *e);
/* Reject members of o not in known (NULL-terminated), and duplicate members. */
int jp_only_keys(const cJSON *o, const char *const *known, const char *where, struct jperr *e);
/* An optional array of non-empty strings (at most 1024 bytes each); absent: NULL, 0. */
int jp_str_array(const cJSON *a, char ***out, size_t *count, const char *where, struct jperr *e);
int jp_opt_str(const cJSON *o, const char *key, char **dst, const char *where, struct jperr *e);
int jp_opt_bool(const cJSON *o, const char *key, bool *dst, const char *where, struct jperr *e);
void jp_free_strv(char **v, size_t n);
/* Names of modes, adapters, vars: [a-z0-9_-], 1 to 64 bytes. */
bool jp_valid_name(const char *s);

#endif
