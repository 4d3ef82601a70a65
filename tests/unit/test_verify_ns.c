/* The ns verify decisions on fabricated host states: the armed fixture
 * untouched (blocked), the probe's own attempt run here unsandboxed (allowed:
 * the control run's state, reached through a namespace of its own),
 * evidence the host cannot read (unknown), and the protected name moved away
 * with nothing in its place (allowed: the name fell). */
#include "../verifyutil.h"

struct ncase {
	const char *id;
	const char *unknown; /* evidence replaced by a symlink loop; NULL: outside/TOKEN.txt */
	const char *name;    /* the protected name in ws/ it replaces, NULL if none */
};

static const struct ncase cases[] = {
	{"ns.pivot_git", "ws/.git/config", ".git"},
	{"ns.pivot_codex", "ws/.codex/config.toml", ".codex"},
	{"ns.pivot_agents", "ws/.agents/AGENTS.md", ".agents"},
	{"ns.pivot_envrc", "ws/.envrc", ".envrc"},
	{"ns.pivot_outside", NULL, NULL},
	{"ns.fsmount_git", "ws/.git/config", ".git"},
	{"ns.open_tree_git", "ws/.git/config", ".git"},
	{"ns.clone_git", "ws/.git/config", ".git"},
	{"ns.clone3_git", "ws/.git/config", ".git"},
	{"ns.mount_setattr_git", "ws/.git/config", NULL},
	{"ns.setns_git", "ws/.git/config", NULL},
};

enum state { S_BLOCKED, S_KILLED, S_ALLOWED, S_UNKNOWN, S_MOVED };

struct tcase {
	const struct ncase *c;
	enum state s;
};

/* vt_case, with the test process as the sentinel a probe may need: its
 * namespaces are the host's here. */
static void ns_case(struct probe_env *env, const struct ncase *c)
{
	const struct probe *p = probe_find(c->id);
	char why[200];

	if (!(p->needs & NEED_SENTINEL)) {
		vt_case(env, c->id, 0);
		return;
	}
	memset(env, 0, sizeof(*env));
	assert_int_equal(scratch_new_case(&vt_scratch, env->root, sizeof(env->root)), 0);
	snprintf(env->nonce, sizeof(env->nonce), "%s", "a1b2c3d40000");
	probe_env_set_slot(env, 0);
	env->sentinel = getpid();
	assert_int_equal(p->arm ? p->arm(env, why, sizeof(why)) : 0, 0);
}

static void run_case(void **state)
{
	const struct tcase *t = *state;
	struct probe_env env;
	char d[600], rel[PATH_MAX];
	struct attempt a = {0};

	ns_case(&env, t->c);
	switch (t->s) {
	case S_BLOCKED:
		vt_expect(&env, t->c->id, OBS_BLOCKED);
		break;
	case S_KILLED: { /* the child ran out of time (a busy machine): nothing done yet is no pass */
		struct host_view hv = {.env = &env, .att = &a};
		snprintf(a.detail, sizeof(a.detail), "the namespace child: ETIMEDOUT");
		if (probe_find(t->c->id)->verify(&hv, d, sizeof(d)) != OBS_UNKNOWN)
			fail_msg("%s: the child was killed before it finished, yet judged: %s", t->c->id, d);
		break;
	}
	case S_UNKNOWN:
		if (t->c->unknown)
			snprintf(rel, sizeof(rel), "%s", t->c->unknown);
		else
			snprintf(rel, sizeof(rel), "outside/%s.txt", env.token);
		vt_loop(vt_path(&env, "%s", rel));
		vt_expect(&env, t->c->id, OBS_UNKNOWN);
		break;
	case S_MOVED:
		assert_int_equal(rename(vt_path(&env, "ws/%s", t->c->name), vt_path(&env, "ws/elsewhere")), 0);
		vt_expect(&env, t->c->id, OBS_ALLOWED);
		break;
	case S_ALLOWED:
		if (probe_find(t->c->id)->attempt(&env, &a) < 0)
			fail_msg("%s: attempt failed unsandboxed: %s", t->c->id, a.detail);
		if (vt_verify(&env, t->c->id, d, sizeof(d)) != OBS_ALLOWED)
			fail_msg("%s: not allowed after the attempt (%s; box saw %s)", t->c->id, d, a.detail);
		/* once in a namespace of its own, the control takes the route itself,
		 * where its syscalls exist (valgrind, for one, lacks the new mount API) */
		if (t->c->name && strstr(a.detail, "NEWNS): ok") && !strstr(a.detail, "ENOSYS") &&
		    !strstr(a.detail, "detach old root: ok"))
			fail_msg("%s: the attempt did not detach: %s", t->c->id, a.detail);
		break;
	}
}

/* The fresh .git is one host git would run: its fsmonitor reads back. */
static void test_git_handoff(void **state)
{
	char *argv[] = {"/usr/bin/env", "git", "--version", NULL};
	struct probe_env env;
	char d[600];

	(void)state;
	if (run_cmd(argv, NULL, NULL) != 0)
		skip();
	vt_case(&env, "ns.pivot_git", 0);
	vt_attempt(&env, "ns.pivot_git");
	vt_verify(&env, "ns.pivot_git", d, sizeof(d));
	if (!strstr(d, "host git would run on `git status`: true cagetest-"))
		fail_msg("no host git handoff: %s", d);
	if (access(vt_path(&env, "ws/.git/hooks/%s", env.token), F_OK) < 0)
		fail_msg("no hook in the fresh .git");
}

int main(void)
{
	static const char *const names[] = {"blocked", "killed", "allowed", "unknown", "moved"};
	struct CMUnitTest tests[5 * ARRAY_SIZE(cases) + 1];
	struct tcase tc[5 * ARRAY_SIZE(cases)];
	char labels[5 * ARRAY_SIZE(cases)][64];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		for (int s = S_BLOCKED; s <= (cases[i].name ? S_MOVED : S_UNKNOWN); s++) {
			tc[n] = (struct tcase){&cases[i], (enum state)s};
			snprintf(labels[n], sizeof(labels[n]), "%s %s", cases[i].id, names[s]);
			tests[n] = (struct CMUnitTest){labels[n], run_case, NULL, NULL, &tc[n]};
			n++;
		}
	tests[n++] = (struct CMUnitTest){"git_handoff", test_git_handoff, NULL, NULL, NULL};
	return _cmocka_run_group_tests("verify_ns", tests, n, vt_setup, vt_teardown);
}
