/* Unit tests of verify decisions: a real fixture case (runner/scratch.c), the
 * probe's own arm, then an after-state made by hand on the host, and the
 * probe's verify called through the registry. No sandbox runs. */
#ifndef CAGETEST_VERIFYUTIL_H
#define CAGETEST_VERIFYUTIL_H

#include "testutil.h"

#include "../lib/proc.h"
#include "../probes/probe.h"
#include "../runner/scratch.h"

#include <sys/stat.h>

static struct scratch vt_scratch;

static inline int vt_setup(void **state)
{
	char err[256];

	(void)state;
	if (scratch_create(&vt_scratch, BUILDDIR "/tests", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static inline int vt_teardown(void **state)
{
	(void)state;
	scratch_destroy(&vt_scratch);
	return 0;
}

/* A fresh fixture case with `id` armed as slot `slot` (the token). Skips the
 * test when arm says this host cannot have it. */
static inline void vt_case(struct probe_env *env, const char *id, int slot)
{
	const struct probe *p = probe_find(id);
	char why[200] = "";

	if (!p)
		fail_msg("no probe %s", id);
	memset(env, 0, sizeof(*env));
	assert_int_equal(scratch_new_case(&vt_scratch, env->root, sizeof(env->root)), 0);
	snprintf(env->nonce, sizeof(env->nonce), "%s", "a1b2c3d40000");
	probe_env_set_slot(env, slot);
	int r = p->arm ? p->arm(env, why, sizeof(why)) : 0;
	if (r == -EOPNOTSUPP) {
		printf("skip %s: %s\n", id, why);
		skip();
	}
	if (r < 0)
		fail_msg("%s: arm failed: %s", id, strerror(-r));
}

/* verify(id) on the case, the evidence in d. */
static inline enum observed vt_verify(const struct probe_env *env, const char *id, char *d, size_t n)
{
	struct attempt att = {0};
	struct host_view hv = {.env = env, .att = &att};

	d[0] = 0;
	return probe_find(id)->verify(&hv, d, n);
}

/* The same, asserting the decision; the detail is shown on a mismatch. */
static inline void vt_expect(const struct probe_env *env, const char *id, enum observed want)
{
	char d[600];
	enum observed got = vt_verify(env, id, d, sizeof(d));

	if (got != want)
		fail_msg("%s: observed %s, want %s (%s)", id, observed_name(got), observed_name(want), d);
}

/* Run the probe's attempt here, unsandboxed: what the control run does. */
static inline void vt_attempt(const struct probe_env *env, const char *id)
{
	struct attempt a = {0};
	int r = probe_find(id)->attempt(env, &a);

	if (r < 0)
		fail_msg("%s: attempt failed unsandboxed: %s", id, a.detail);
}

/* Is there a git on PATH to ask? (the probes' verify finds it the same way) */
static inline bool vt_have_git(void)
{
	char p[PATH_MAX];

	return find_exec("git", p, sizeof(p)) == 0;
}

/* root/fmt... (one of four rotating buffers) */
static inline const char *vt_path(const struct probe_env *env, const char *f, ...)
	__attribute__((format(printf, 2, 3)));
static inline const char *vt_path(const struct probe_env *env, const char *f, ...)
{
	static char bufs[4][PATH_MAX];
	static int k;
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, f);
	vsnprintf(rel, sizeof(rel), f, ap);
	va_end(ap);
	k = (k + 1) % 4;
	assert_int_equal(fmt(bufs[k], PATH_MAX, "%s/%s", env->root, rel), 0);
	return bufs[k];
}

static inline void vt_append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Replace path by a symlink to itself: every later open or stat through it
 * fails with ELOOP, an error that is neither "absent" nor "present". */
static inline void vt_loop(const char *path)
{
	const char *base = strrchr(path, '/');

	rm_rf(path);
	assert_int_equal(symlink(base ? base + 1 : path, path), 0);
}

#endif
