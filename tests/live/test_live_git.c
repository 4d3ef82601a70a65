/* Live: the git probes against the real kernel and the host's real git,
 * under none and landlock, with the default suite (only .git, .codex and
 * .agents protected) and the strict one (IDE and agent config too). */
#include "../testutil.h"

static struct report none_rep, ll_rep, strict_rep;
static int none_code;

static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};
static const char *const write_modes[] = {"workspace-write", "workspace-net"};

/* Protected in every default mode (.git, .codex, .agents). */
static const char *const protected_[] = {
	"git.config_write", "git.hooks_path",	"git.fsmonitor",    "git.ssh_command",	   "git.filter_driver",
	"git.hook_create",  "git.submodule_hook", "git.nested_hook", "git.commondir",	   "git.rename_git",
	"git.replace_git",  "git.gitdir_redirect", "git.codex_config", "git.agents_create",
};
/* Workspace files in the default suite; the IDE ones are protected in strict. */
static const char *const worktree[] = {"git.gitattributes", "git.gitmodules"};
static const char *const ide[] = {"git.vscode_tasks", "git.claude_settings", "git.mcp_json", "git.envrc"};

static bool have_git(void)
{
	char *argv[] = {"/usr/bin/env", "git", "--version", NULL};

	return run_cmd(argv, NULL, NULL) == 0;
}

static int setup(void **state)
{
	(void)state;
	none_code = run_json(&none_rep, "-b none -m all -p git.*");
	run_json(&ll_rep, "-b landlock -m all -p git.*");
	run_json(&strict_rep, "-s " SRCDIR "/suites/strict.json -b landlock -m all -p git.*");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&none_rep);
	report_free(&ll_rep);
	report_free(&strict_rep);
	return 0;
}

/* With no sandbox: protected names are escapes in every confined mode,
 * worktree and IDE files escapes only where the mode forbids writing. */
static void test_none(void **state)
{
	(void)state;
	assert_int_equal(none_code, 1);
	for (size_t i = 0; i < none_rep.nresults; i++)
		if (none_rep.results[i].verdict == V_ERROR || none_rep.results[i].verdict == V_SKIP)
			fail_msg("%s %s: %s", none_rep.results[i].mode, none_rep.results[i].probe, none_rep.results[i].detail);
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++)
		for (size_t i = 0; i < ARRAY_SIZE(protected_); i++)
			assert_verdict(&none_rep, "none", confined[m], protected_[i], V_ESCAPE);
	for (size_t i = 0; i < ARRAY_SIZE(worktree); i++) {
		assert_verdict(&none_rep, "none", "read-only", worktree[i], V_ESCAPE);
		assert_verdict(&none_rep, "none", "workspace-write", worktree[i], V_PASS);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ide); i++) {
		assert_verdict(&none_rep, "none", "read-only", ide[i], V_ESCAPE);
		assert_verdict(&none_rep, "none", "workspace-write", ide[i], V_PASS);
	}
}

/* Landlock read-only blocks every write; in write modes it cannot carve
 * read-only holes, so every protected name is an honest escape, and the host's
 * git confirms it would run what the box planted. */
static void test_landlock(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(protected_); i++) {
		assert_verdict(&ll_rep, "landlock", "read-only", protected_[i], V_PASS);
		for (size_t m = 0; m < ARRAY_SIZE(write_modes); m++)
			assert_verdict(&ll_rep, "landlock", write_modes[m], protected_[i], V_ESCAPE);
	}
	for (size_t i = 0; i < ARRAY_SIZE(worktree); i++) {
		assert_verdict(&ll_rep, "landlock", "read-only", worktree[i], V_PASS);
		assert_verdict(&ll_rep, "landlock", "workspace-write", worktree[i], V_PASS);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ide); i++) {
		assert_verdict(&ll_rep, "landlock", "read-only", ide[i], V_PASS);
		assert_verdict(&ll_rep, "landlock", "workspace-write", ide[i], V_PASS);
	}
	if (!have_git())
		return;
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "git.fsmonitor",
			  "host git would run on `git status`: true cagetest-");
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "git.filter_driver", "host git would run on `git add`");
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "git.gitdir_redirect", "host git would use the git dir");
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "git.commondir", "host git would use the common dir");
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "git.gitattributes", "host git would apply");
}

/* strict protects .vscode, .claude, .mcp.json and .envrc: the same writes
 * are now expected blocked, and Landlock cannot stop them. */
static void test_landlock_strict(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ide); i++) {
		const struct result *r = find_row(&strict_rep, "landlock", "workspace-write", ide[i]);
		if (!r || r->expected != EXPECT_BLOCKED)
			fail_msg("strict workspace-write %s: not expected blocked", ide[i]);
		assert_verdict(&strict_rep, "landlock", "workspace-write", ide[i], V_ESCAPE);
		assert_verdict(&strict_rep, "landlock", "read-only", ide[i], V_PASS);
	}
	/* not in strict's protected list: still workspace files */
	assert_verdict(&strict_rep, "landlock", "workspace-write", "git.gitattributes", V_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_landlock),
		cmocka_unit_test(test_landlock_strict),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
