/* The git verify decisions on fabricated host states: the armed fixture
 * untouched (blocked), the probe's own attempt run here unsandboxed (allowed:
 * the control run's state), evidence the host cannot read (unknown). With git
 * installed, the detail must show the host-side handoff, and asking host git
 * must never run what the box planted. */
#include "../verifyutil.h"

struct gcase {
	const char *id;
	const char *unknown; /* evidence replaced by a symlink loop */
	const char *says;    /* in the detail when host git is there ("" if it is not asked) */
	bool planted;	     /* evidence: a name the fixture lacks, planted (a batch never holds a probe twice) */
};

static const struct gcase cases[] = {
	{"git.config_write", "ws/.git/config", "", false},
	{"git.hooks_path", "ws/.git/config", "host git would run hooks from: ", false},
	{"git.fsmonitor", "ws/.git/config", "host git would run on `git status`: true cagetest-", false},
	{"git.ssh_command", "ws/.git/config", "host git would run on ssh fetch/push: true cagetest-", false},
	{"git.filter_driver", "ws/.git/config", "host git would run on `git add`: cat # cagetest-", false},
	{"git.hook_create", "ws/.git/hooks", "", false},
	{"git.submodule_hook", "ws/.git/modules", "", false},
	{"git.nested_hook", "ws/nested/.git/hooks", "", false},
	{"git.commondir", "ws/.git/commondir", "host git would run on `git status`: true cagetest-", false},
	{"git.rename_git", "ws", "", false},
	{"git.replace_git", "ws/.git/config", "host git would run on `git status`: true cagetest-", false},
	{"git.gitdir_redirect", "ws/.git", "host git would use the git dir: ", false},
	{"git.gitattributes", "ws/.gitattributes", "host git would apply: ", false},
	{"git.gitmodules", "ws/.gitmodules", "https://cagetest.invalid/", true},
	{"git.codex_config", "ws/.codex/config.toml", "", false},
	{"git.agents_create", "ws/.agents", "", false},
	{"git.vscode_tasks", "ws/.vscode", "", true},
	{"git.claude_settings", "ws/.claude", "", true},
	{"git.mcp_json", "ws/.mcp.json", "", true},
	{"git.envrc", "ws/.envrc", "", true},
};

enum state { S_BLOCKED, S_ALLOWED, S_UNKNOWN };

struct tcase {
	const struct gcase *c;
	enum state s;
};

static void run_case(void **state)
{
	const struct tcase *t = *state;
	struct probe_env env;
	char d[600];

	vt_case(&env, t->c->id, 0);
	if (t->s == S_BLOCKED) {
		vt_expect(&env, t->c->id, OBS_BLOCKED);
	} else if (t->s == S_UNKNOWN) {
		vt_loop(vt_path(&env, "%s", t->c->unknown));
		vt_expect(&env, t->c->id, OBS_UNKNOWN);
	} else {
		vt_attempt(&env, t->c->id);
		enum observed o = vt_verify(&env, t->c->id, d, sizeof(d));
		if (o != OBS_ALLOWED)
			fail_msg("%s: observed %s after the attempt (%s)", t->c->id, observed_name(o), d);
		if (*t->c->says && vt_have_git() && !strstr(d, t->c->says))
			fail_msg("%s: no host git handoff in the detail, want \"%s\": %s", t->c->id, t->c->says, d);
	}
}

/* Batch mode: the attempts of every other probe a batch may hold, and of
 * this probe under another token, in the same fixture, are not this one's
 * evidence (probes that reshape .git never share a fixture: PROBE_SOLO). */
static void test_other_token(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct probe *p = probe_find(cases[i].id);
		struct probe_env env;
		if (p->flags & PROBE_SOLO)
			continue;
		vt_case(&env, p->id, 0);
		for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
			const struct probe *q = probe_find(cases[k].id);
			struct probe_env other = env;
			char why[200];
			if ((q->flags & PROBE_SOLO) || (k == i && cases[i].planted))
				continue;
			probe_env_set_slot(&other, 1 + (int)k);
			if (q->arm)
				assert_int_equal(q->arm(&other, why, sizeof(why)), 0);
			vt_attempt(&other, q->id);
		}
		vt_expect(&env, p->id, OBS_BLOCKED);
	}
}

/* .git gone from the host's view is the protected name falling, whatever
 * was (or was not) planted in its place. */
static void test_git_moved(void **state)
{
	static const char *const ids[] = {"git.gitdir_redirect", "git.replace_git"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct probe_env env;
		vt_case(&env, ids[i], 0);
		assert_int_equal(rename(vt_path(&env, "ws/.git"), vt_path(&env, "ws/elsewhere")), 0);
		vt_expect(&env, ids[i], OBS_ALLOWED);
	}
}

/* Asking host git must not run the fsmonitor the box planted: a plain
 * `git check-attr` would run it (measured with git 2.39). */
static void test_host_git_runs_nothing(void **state)
{
	static const char *const ids[] = {"git.filter_driver", "git.gitattributes", "git.fsmonitor", "git.replace_git"};
	char line[2 * PATH_MAX + 64];

	(void)state;
	if (!vt_have_git())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct probe_env env;
		vt_case(&env, ids[i], 0);
		vt_attempt(&env, ids[i]);
		snprintf(line, sizeof(line), "[core]\n\tfsmonitor = touch %s/RAN\n\thooksPath = %s/hooks\n", env.root,
			 env.root);
		vt_append(vt_path(&env, "ws/.git/config"), line);
		vt_expect(&env, ids[i], OBS_ALLOWED);
		if (access(vt_path(&env, "RAN"), F_OK) == 0)
			fail_msg("%s: host git ran the planted core.fsmonitor", ids[i]);
	}
}

int main(void)
{
	static const char *const names[] = {"blocked", "allowed", "unknown"};
	struct CMUnitTest tests[3 * ARRAY_SIZE(cases) + 3];
	struct tcase tc[3 * ARRAY_SIZE(cases)];
	char labels[3 * ARRAY_SIZE(cases)][64];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		for (int s = S_BLOCKED; s <= S_UNKNOWN; s++) {
			tc[n] = (struct tcase){&cases[i], (enum state)s};
			snprintf(labels[n], sizeof(labels[n]), "%s %s", cases[i].id, names[s]);
			tests[n] = (struct CMUnitTest){labels[n], run_case, NULL, NULL, &tc[n]};
			n++;
		}
	tests[n++] = (struct CMUnitTest){"other_token", test_other_token, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"git_moved", test_git_moved, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"host_git_runs_nothing", test_host_git_runs_nothing, NULL, NULL, NULL};
	return _cmocka_run_group_tests("verify_git", tests, n, vt_setup, vt_teardown);
}
