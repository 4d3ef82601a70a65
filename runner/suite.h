/* Suites: the modes as policies, which probes run, per-probe overrides.
 * Expectations derive from a mode's policy and a probe's effect
 * (mode_allows); see docs/cagetest-suite.5 for the file format. */
#ifndef CAGETEST_SUITE_H
#define CAGETEST_SUITE_H

#include "../probes/probe.h"
#include "../reports/model.h"

#include <stdbool.h>
#include <stddef.h>

struct mode {
	char *name;
	char *description;
	char **writable; /* "{workspace}", "{tmp}", "{home}", "/", or absolute paths */
	size_t nwritable;
	char **protected_names; /* read-only at any depth inside writable roots */
	size_t nprotected;
	bool network;  /* egress allowed */
	bool confined; /* false: no sandbox at all (danger-full-access) */
};

struct override {
	char *probe, *mode, *backend; /* globs */
	int expected;		      /* -1: unchanged, else enum expect */
	char *skip;		      /* reason to skip, or NULL */
	char *reason;		      /* why the expectation differs */
};

struct suite {
	char *name;
	char *path;
	char *description;
	struct mode *modes;
	size_t nmodes;
	char **include, **exclude; /* probe id globs */
	size_t ninclude, nexclude;
	struct override *overrides;
	size_t noverrides;
};

/* Find a suite by name (NAME.json in the data dirs) or path, and parse it.
 * err gets "FILE: where: what". -ENOENT, -EINVAL. */
int suite_load(const char *name_or_path, struct suite *s, char *err, size_t n);
int suite_parse(const char *text, const char *label, struct suite *s, char *err, size_t n);
void suite_free(struct suite *s);

const struct mode *suite_mode(const struct suite *s, const char *name);
bool suite_selects(const struct suite *s, const struct probe *p);
bool mode_allows(const struct mode *m, enum effect e);
bool mode_writable(const struct mode *m, const char *root);

/* The expectation for one row, overrides applied. *skip is set (and the
 * row skips) when an override says so. */
enum expect suite_expect(const struct suite *s, const char *backend, const struct mode *m, const struct probe *p,
			 const char **skip);

#endif
