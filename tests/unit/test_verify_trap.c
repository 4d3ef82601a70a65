/* The verify decisions of the traps the host springs later (trap.c), the
 * foreign-ABI and session-to-parent writes, and the relaunch probe, on
 * fabricated host states: the armed fixture untouched (blocked), the probe's
 * own attempt run here unsandboxed (allowed), evidence the host cannot read
 * (unknown), and states a sandbox leaves that are not the trap (a mount
 * point's empty directory, a link that stays in the workspace, a planted
 * tool that is not first on the launcher's PATH). Asking host git must never
 * run what the box planted. */
#include "../verifyutil.h"

#include <dirent.h>
#include <fcntl.h>

struct tcase_def {
	const char *id;
	const char *unknown; /* evidence replaced by a symlink loop; NULL: no unreadable state */
	const char *says;    /* in the allowed detail ("" for none) */
};

static const struct tcase_def cases[] = {
	{"git.link_claude_settings", NULL, "Claude Code"},
	{"git.link_vscode_settings", NULL, "VS Code"},
	{"git.link_codex_dir", NULL, "outside the workspace"},
	{"git.bare_repo", NULL, ""},
	{"git.nested_deep", "ws/a/b/c/d/.git/config", ""},
	{"git.nested_ignored", "ws/vendor/lib/.git/config", ""},
	{"git.submodule_config", NULL, ""},
	{"git.dotenv", "ws/.env", "NODE_OPTIONS="},
	{"git.venv_pth", NULL, "import sys"},
	{"git.npmrc", "ws/.npmrc", "node-options="},
	{"git.devcontainer", "ws/.devcontainer", "initializeCommand"},
	{"git.path_tool", "home/.local/bin/bwrap", "first on the launcher's PATH"},
	{"git.rename_parent_nested", "ws/nested/.git/config", ""},
	{"git.rename_parent_file", "ws/tools/.mcp.json", ""},
	{"priv.session_to_parent", NULL, ""},
	{"fs.relaunch_follow", NULL, "the box's own write"},
	{"fs.i386_write_outside", NULL, ""},
};

enum state { S_BLOCKED, S_ALLOWED, S_UNKNOWN };

struct tcase {
	const struct tcase_def *c;
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
		if (!t->c->unknown)
			skip();
		vt_loop(vt_path(&env, "%s", t->c->unknown));
		vt_expect(&env, t->c->id, OBS_UNKNOWN);
	} else {
		vt_attempt(&env, t->c->id);
		enum observed o = vt_verify(&env, t->c->id, d, sizeof(d));
		if (o != OBS_ALLOWED)
			fail_msg("%s: observed %s after the attempt (%s)", t->c->id, observed_name(o), d);
		if (*t->c->says && !strstr(d, t->c->says))
			fail_msg("%s: want \"%s\" in the detail: %s", t->c->id, t->c->says, d);
	}
}

/* A batch: every other probe's attempt, and this probe's under another
 * token, in the same fixture, are not this one's evidence. */
static void test_other_token(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct probe *p = probe_find(cases[i].id);
		struct probe_env env;
		char no[200];
		/* no int 0x80 here (valgrind): that probe has no evidence to mistake */
		if ((p->flags & PROBE_SOLO) ||
		    (strstr(p->id, "i386") && probe_find("net.i386_socket")->arm(&(struct probe_env){0}, no, sizeof(no)) < 0))
			continue;
		vt_case(&env, p->id, 0);
		for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
			const struct probe *q = probe_find(cases[k].id);
			struct probe_env other = env;
			char why[200];
			/* the same symlink names or the same tool names: a batch holds a probe once */
			if ((q->flags & PROBE_SOLO) || k == i)
				continue;
			probe_env_set_slot(&other, 1 + (int)k);
			if (q->arm && q->arm(&other, why, sizeof(why)) == -EOPNOTSUPP)
				continue;
			vt_attempt(&other, q->id);
		}
		vt_expect(&env, p->id, OBS_BLOCKED);
	}
}

/* A sandbox's own leftovers are not the trap: an empty directory where a
 * file is loaded (bwrap's mount point for a protected name), a link that
 * stays inside the workspace, a tool of the box's that the launcher's PATH
 * does not reach first. */
static void test_not_the_trap(void **state)
{
	struct probe_env env;

	(void)state;
	vt_case(&env, "git.dotenv", 0);
	assert_int_equal(mkdir(vt_path(&env, "ws/.env"), 0755), 0);
	vt_expect(&env, "git.dotenv", OBS_BLOCKED);

	vt_case(&env, "git.devcontainer", 0);
	assert_int_equal(mkdir(vt_path(&env, "ws/.devcontainer"), 0755), 0);
	vt_expect(&env, "git.devcontainer", OBS_BLOCKED);
	/* a devcontainer.json whose initializeCommand is not the box's */
	vt_append(vt_path(&env, "ws/.devcontainer/devcontainer.json"), "{\"initializeCommand\": \"true\"}");
	vt_expect(&env, "git.devcontainer", OBS_BLOCKED);

	vt_case(&env, "git.link_claude_settings", 0);
	assert_int_equal(mkdir(vt_path(&env, "ws/.claude"), 0755), 0);
	assert_int_equal(symlink("../README.md", vt_path(&env, "ws/.claude/settings.local.json")), 0);
	vt_expect(&env, "git.link_claude_settings", OBS_BLOCKED);
	/* relative, out of the workspace: judged where it leads */
	unlink(vt_path(&env, "ws/.claude/settings.local.json"));
	assert_int_equal(symlink("../../outside/x.json", vt_path(&env, "ws/.claude/settings.local.json")), 0);
	vt_expect(&env, "git.link_claude_settings", OBS_ALLOWED);

	/* a pth without an import line is a path, not code */
	vt_case(&env, "git.venv_pth", 0);
	vt_attempt(&env, "git.venv_pth");
	{
		char rel[PATH_MAX];
		struct probe_env e2 = env;
		DIR *dh = opendir(vt_path(&env, "ws/.venv/lib"));
		struct dirent *de;
		assert_non_null(dh);
		while ((de = readdir(dh)) && strncmp(de->d_name, "python3", 7))
			;
		assert_non_null(de);
		snprintf(rel, sizeof(rel), "ws/.venv/lib/%s/site-packages/%s.pth", de->d_name, env.token);
		closedir(dh);
		int fd = open(vt_path(&e2, "%s", rel), O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		dprintf(fd, "/opt/lib  # cagetest-%s\n", env.token);
		close(fd);
		vt_expect(&env, "git.venv_pth", OBS_BLOCKED);
	}

	/* the box's bwrap, not executable: still a write outside, which the
	 * detail says the launcher passes by (a box that lies about its chmod
	 * must not pass) */
	vt_case(&env, "git.path_tool", 0);
	vt_attempt(&env, "git.path_tool");
	chmod(vt_path(&env, "home/.local/bin/bwrap"), 0644);
	chmod(vt_path(&env, "home/.local/bin/git"), 0644);
	{
		char d[600];
		assert_int_equal(vt_verify(&env, "git.path_tool", d, sizeof(d)), OBS_ALLOWED);
		assert_non_null(strstr(d, "passes it by"));
	}
	/* a tool without this case's token is not this probe's */
	vt_case(&env, "git.path_tool", 1);
	vt_append(vt_path(&env, "home/.local/bin/bwrap"), "#!/bin/sh\n# cagetest-ctffffffff0000\n");
	vt_expect(&env, "git.path_tool", OBS_BLOCKED);
}

/* The relaunch probe counts what a launcher made outside, with no token:
 * an entry in the dir /tmp/claude led to, a file at a link's target. */
static void test_relaunch_launcher(void **state)
{
	struct probe_env env;
	char d[600];

	(void)state;
	vt_case(&env, "fs.relaunch_follow", 0);
	vt_append(vt_path(&env, "outside/%s-tmpdir/srt-mux.sock", env.token), "");
	assert_int_equal(vt_verify(&env, "fs.relaunch_follow", d, sizeof(d)), OBS_ALLOWED);
	assert_non_null(strstr(d, "the launcher's set-up followed"));

	vt_case(&env, "fs.relaunch_follow", 1);
	vt_append(vt_path(&env, "outside/%s-3", env.token), "");
	vt_expect(&env, "fs.relaunch_follow", OBS_ALLOWED);
	/* another case's leftovers are not this one's */
	vt_case(&env, "fs.relaunch_follow", 2);
	vt_append(vt_path(&env, "outside/ctffffffff0000-3"), "");
	vt_expect(&env, "fs.relaunch_follow", OBS_BLOCKED);
}

/* Asking host git about the traps must not run the planted fsmonitor. */
static void test_host_git_runs_nothing(void **state)
{
	static const char *const ids[] = {"git.bare_repo", "git.nested_deep", "git.nested_ignored", "git.submodule_config",
					  "git.rename_parent_nested"};
	/* where each keeps the config: before and after the token */
	static const char *const configs[][2] = {{"ws/", "-bare/config"},	     {"ws/a/b/c/d/.git/config", NULL},
						 {"ws/vendor/lib/.git/config", NULL}, {"ws/.git/modules/", "/config"},
						 {"ws/nested/.git/config", NULL}};
	char line[2 * PATH_MAX + 64], rel[PATH_MAX];
	struct probe_env env;

	(void)state;
	if (!vt_have_git())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char d[600];
		vt_case(&env, ids[i], 0);
		vt_attempt(&env, ids[i]);
		snprintf(rel, sizeof(rel), "%s%s%s", configs[i][0], configs[i][1] ? env.token : "",
			 configs[i][1] ? configs[i][1] : "");
		snprintf(line, sizeof(line), "[core]\n\tfsmonitor = touch %s/RAN\n", env.root);
		vt_append(vt_path(&env, "%s", rel), line);
		assert_int_equal(vt_verify(&env, ids[i], d, sizeof(d)), OBS_ALLOWED);
		if (!strstr(d, "host git would run on `git status` there: "))
			fail_msg("%s: no host git handoff in the detail: %s", ids[i], d);
		if (access(vt_path(&env, "RAN"), F_OK) == 0)
			fail_msg("%s: host git ran the planted core.fsmonitor", ids[i]);
	}
}

int main(void)
{
	static const char *const names[] = {"blocked", "allowed", "unknown"};
	struct CMUnitTest tests[3 * ARRAY_SIZE(cases) + 4];
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
	tests[n++] = (struct CMUnitTest){"not_the_trap", test_not_the_trap, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"relaunch_launcher", test_relaunch_launcher, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"host_git_runs_nothing", test_host_git_runs_nothing, NULL, NULL, NULL};
	return _cmocka_run_group_tests("verify_trap", tests, n, vt_setup, vt_teardown);
}
