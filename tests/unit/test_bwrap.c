/* The bwrap argv builder on fabricated workspaces: protected names at any
 * depth, .git files and their gitdir targets, names that do not exist yet,
 * symlinks, hostile paths, limits; and the policy parts (network, /tmp,
 * /dev/shm, seccomp, read-only modes). Nothing runs bwrap here: the live
 * test does. */
#include "../testutil.h"

#include "../../platforms/bwrap.h"

#include <sys/stat.h>

static char root[1024], ws[PATH_MAX], tmp[PATH_MAX], home[PATH_MAX], outside[PATH_MAX];
static char *protected_names[] = {".git", ".codex", ".agents"};
static struct mode ww = {.name = "ww",
			 .writable = (char *[]){"{workspace}", "{tmp}"},
			 .nwritable = 2,
			 .protected_names = protected_names,
			 .nprotected = 3,
			 .confined = true};
static struct mode net = {.name = "net",
			  .writable = (char *[]){"{workspace}"},
			  .nwritable = 1,
			  .protected_names = protected_names,
			  .nprotected = 3,
			  .network = true,
			  .confined = true};
static struct mode ro = {.name = "ro", .protected_names = protected_names, .nprotected = 3, .confined = true};

static void mk(const char *rel)
{
	char p[PATH_MAX];

	fmt(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir_p(p, 0755), 0);
}

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];

	fmt(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(write_str(p, text), 0);
}

static void link_to(const char *target, const char *rel)
{
	char p[PATH_MAX];

	fmt(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* A workspace like real ones: a repository with a submodule and a linked
 * worktree, a nested repository, a .git inside a protected directory, a
 * symlinked .codex, a worktree of a repository outside, hostile names. */
static int setup(void **state)
{
	char base[] = BUILDDIR "/tests/bwrap-XXXXXX", real[PATH_MAX];

	(void)state;
	if (!mkdtemp(base) || !realpath(base, real))
		return -1;
	fmt(root, sizeof(root), "%s", real);
	fmt(ws, sizeof(ws), "%s/ws", root);
	fmt(tmp, sizeof(tmp), "%s/tmp", root);
	fmt(home, sizeof(home), "%s/home", root);
	fmt(outside, sizeof(outside), "%s/outside", root);
	mk("ws/.git/modules/sub");
	mk("ws/.git/worktrees/wt/.git"); /* inside a protected dir: not walked */
	put("ws/.git/worktrees/wt/commondir", "../..\n");
	mk("ws/.codex");
	mk("ws/src/lib");
	mk("ws/nested/.git/hooks");
	mk("ws/sub");
	put("ws/sub/.git", "gitdir: ../.git/modules/sub\n");
	mk("ws/wt");
	put("ws/wt/.git", "gitdir: ../.git/worktrees/wt\n");
	/* a worktree whose gitdir and common dir live in the temp root */
	mk("tmp/gitdirs/wt2");
	mk("tmp/gitdirs/common");
	put("tmp/gitdirs/wt2/commondir", "../common\n");
	mk("ws/wt2");
	put("ws/wt2/.git", "gitdir: ../../tmp/gitdirs/wt2\n");
	mk("tmp/scratch-repo/.git");
	mk("ws/tmpwt");
	put("ws/tmpwt/.git", "gitdir: ../../tmp/scratch-repo/.git\n");
	mk("outside/repo/.git/worktrees/x");
	mk("ws/x");
	{
		char g[PATH_MAX + 16];
		fmt(g, sizeof(g), "gitdir: %s/outside/repo/.git/worktrees/x\n", root);
		put("ws/x/.git", g);
	}
	mk("ws/real-agents");
	mk("ws/deep");
	link_to("../real-agents", "ws/deep/.agents");
	mk("ws/we'ird \"dir\"\n$(x)/.codex");
	mk("home");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(root);
}

static struct box box_for(const struct mode *m)
{
	return (struct box){.mode = m, .case_root = root, .ws = ws, .tmp = tmp, .home = home, .run = root,
			    .self = "/bin/true", .listener = "127.0.0.1:1"};
}

/* Index of the option followed by its arguments, or -1. */
static int find(const struct launch *l, const char *opt, const char *a, const char *b)
{
	for (size_t i = 0; i < l->argc; i++)
		if (!strcmp(l->argv[i], opt) && (!a || (i + 1 < l->argc && !strcmp(l->argv[i + 1], a))) &&
		    (!b || (i + 2 < l->argc && !strcmp(l->argv[i + 2], b))))
			return (int)i;
	return -1;
}

static void must(const struct launch *l, const char *opt, const char *a, const char *b)
{
	if (find(l, opt, a, b) < 0)
		fail_msg("missing: %s %s %s", opt, a ? a : "", b ? b : "");
}

static void must_not(const struct launch *l, const char *opt, const char *a, const char *b)
{
	if (find(l, opt, a, b) >= 0)
		fail_msg("unexpected: %s %s %s", opt, a ? a : "", b ? b : "");
}

static const char *P(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static int k;
	char *b = bufs[k++ % 8];

	fmt(b, PATH_MAX, "%s/%s", root, rel);
	return b;
}

static void build(const struct mode *m, struct launch *l)
{
	struct box x = box_for(m);
	char err[512];

	memset(l, 0, sizeof(*l));
	if (bwrap_args(&x, "42", l, err, sizeof(err)) != 0)
		fail_msg("bwrap_args: %s", err);
}

static void test_protected_any_depth(void **state)
{
	struct launch l;

	(void)state;
	build(&ww, &l);
	must(&l, "--ro-bind", P("ws/.git"), P("ws/.git"));
	must(&l, "--ro-bind", P("ws/.codex"), P("ws/.codex"));
	must(&l, "--ro-bind", P("ws/nested/.git"), P("ws/nested/.git"));
	must(&l, "--ro-bind", P("ws/we'ird \"dir\"\n$(x)/.codex"), P("ws/we'ird \"dir\"\n$(x)/.codex"));
	/* found in the temp root, and at /tmp where the box sees it too */
	must(&l, "--ro-bind", P("tmp/scratch-repo/.git"), P("tmp/scratch-repo/.git"));
	must(&l, "--ro-bind", P("tmp/scratch-repo/.git"), "/tmp/scratch-repo/.git");
	/* protected directories are not entered: nothing inside needs its own mount */
	must_not(&l, "--ro-bind", P("ws/.git/worktrees/wt/.git"), NULL);
	/* the writable binds come first, every protected re-bind after them */
	assert_true(find(&l, "--bind", ws, ws) < find(&l, "--ro-bind", P("ws/.git"), NULL));
	assert_true(find(&l, "--bind", tmp, "/tmp") < find(&l, "--ro-bind", P("ws/.git"), NULL));
	launch_free(&l);
}

static void test_git_files(void **state)
{
	struct launch l;

	(void)state;
	build(&ww, &l);
	/* the .git file itself */
	must(&l, "--ro-bind", P("ws/sub/.git"), P("ws/sub/.git"));
	must(&l, "--ro-bind", P("ws/x/.git"), P("ws/x/.git"));
	/* a gitdir target inside ws/.git is read-only with it: no second mount */
	must_not(&l, "--ro-bind", P("ws/.git/modules/sub"), NULL);
	/* a gitdir target in another writable root is re-bound there */
	must(&l, "--ro-bind", P("tmp/scratch-repo/.git"), P("tmp/scratch-repo/.git"));
	/* and a worktree's gitdir and common dir */
	must(&l, "--ro-bind", P("tmp/gitdirs/wt2"), P("tmp/gitdirs/wt2"));
	must(&l, "--ro-bind", P("tmp/gitdirs/wt2"), "/tmp/gitdirs/wt2");
	must(&l, "--ro-bind", P("tmp/gitdirs/common"), P("tmp/gitdirs/common"));
	/* a target outside every writable root is read-only already */
	must_not(&l, "--ro-bind", P("outside/repo/.git/worktrees/x"), NULL);
	launch_free(&l);
}

static void test_missing_names(void **state)
{
	struct launch l;
	int i;

	(void)state;
	build(&ww, &l);
	/* .agents does not exist at the top of the workspace: it cannot be created */
	i = find(&l, "--tmpfs", P("ws/.agents"), NULL);
	assert_true(i >= 0);
	assert_string_equal(l.argv[i + 2], "--remount-ro");
	assert_string_equal(l.argv[i + 3], P("ws/.agents"));
	/* nor any name in the empty-ish temp root, under both of its names */
	must(&l, "--tmpfs", P("tmp/.codex"), NULL);
	must(&l, "--tmpfs", "/tmp/.codex", NULL);
	must(&l, "--tmpfs", "/tmp/.agents", NULL);
	/* existing names are re-bound, not covered */
	must_not(&l, "--tmpfs", P("ws/.git"), NULL);
	launch_free(&l);
}

static void test_symlinked_name(void **state)
{
	struct launch l;

	(void)state;
	build(&ww, &l);
	/* the link's target is what gets written through it */
	must(&l, "--ro-bind", P("ws/real-agents"), P("ws/real-agents"));
	must_not(&l, "--ro-bind", P("ws/deep/.agents"), NULL);
	launch_free(&l);
}

static void test_policy_parts(void **state)
{
	struct launch l;
	int sc;

	(void)state;
	build(&ww, &l);
	for (const char *const *o = (const char *const[]){"--die-with-parent", "--new-session", "--unshare-pid",
							  "--unshare-ipc", "--unshare-net", NULL};
	     *o; o++)
		must(&l, *o, NULL, NULL);
	must(&l, "--cap-drop", "ALL", NULL);
	assert_int_equal(find(&l, "--ro-bind", "/", "/"), find(&l, "--ro-bind", NULL, NULL));
	must(&l, "--dev", "/dev", NULL);
	must(&l, "--ro-bind-try", "/dev/shm", "/dev/shm"); /* no writable tmpfs at /dev/shm */
	must(&l, "--proc", "/proc", NULL);
	must(&l, "--bind", ws, ws);
	must(&l, "--bind", tmp, tmp);
	must(&l, "--bind", tmp, "/tmp");
	must(&l, "--chdir", ws, NULL);
	sc = find(&l, "--seccomp", "42", NULL);
	assert_true(sc > find(&l, "--tmpfs", NULL, NULL)); /* after every mount */
	assert_string_equal(l.argv[l.argc - 1], "--");
	launch_free(&l);

	/* network: no --unshare-net; /tmp is not writable without {tmp} */
	build(&net, &l);
	must_not(&l, "--unshare-net", NULL, NULL);
	must_not(&l, "--bind", tmp, NULL);
	must_not(&l, "--bind", NULL, "/tmp");
	launch_free(&l);

	/* read-only: nothing writable, nothing to protect */
	build(&ro, &l);
	must_not(&l, "--bind", NULL, NULL);
	must_not(&l, "--tmpfs", NULL, NULL);
	must(&l, "--unshare-net", NULL, NULL);
	launch_free(&l);
}

/* A writable root that covers /dev/shm makes it writable; one that does not exist is skipped. */
static void test_absolute_roots(void **state)
{
	struct mode m = {.name = "abs",
			 .writable = (char *[]){"/dev/shm", "/nonexistent/cagetest-root"},
			 .nwritable = 2,
			 .confined = true};
	struct launch l;

	(void)state;
	build(&m, &l);
	must(&l, "--bind-try", "/dev/shm", "/dev/shm");
	must_not(&l, "--ro-bind-try", "/dev/shm", NULL);
	must_not(&l, "--bind", "/nonexistent/cagetest-root", NULL);
	launch_free(&l);
}

static void test_limits(void **state)
{
	char p[PATH_MAX] = "", err[512];
	struct box x = box_for(&ww);
	struct launch l = {0};
	struct mode rootw = {.name = "rw",
			     .writable = (char *[]){"/"},
			     .nwritable = 1,
			     .protected_names = protected_names,
			     .nprotected = 1,
			     .confined = true};

	(void)state;
	/* deeper than the walk goes: refuse, never leave a name unprotected */
	strcpy(p, "ws/deep");
	for (int i = 0; i < BWRAP_WALK_MAX_DEPTH + 1; i++)
		strcat(p, "/d");
	mk(p);
	assert_int_equal(bwrap_args(&x, NULL, &l, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "too many to walk"));
	launch_free(&l);
	fmt(p, sizeof(p), "%s/ws/deep/d", root);
	assert_int_equal(rm_rf(p), 0);
	/* a writable / cannot carry protected names */
	assert_non_null(backend_bwrap.supports);
	assert_int_equal(backend_bwrap.supports(&backend_bwrap, &rootw, err, sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "walk the whole file system"));
	assert_int_equal(backend_bwrap.supports(&backend_bwrap, &ww, err, sizeof(err)), 0);
}

static void test_explain(void **state)
{
	struct box x = box_placeholders(&ww);
	struct mode full = {.name = "full", .writable = (char *[]){"/"}, .nwritable = 1, .network = true};
	struct sbuf out = {0};

	(void)state;
	assert_int_equal(backend_bwrap.explain(&backend_bwrap, &x, &out), 0);
	assert_non_null(strstr(out.s, "--ro-bind / / \\\n"));
	assert_non_null(strstr(out.s, "--bind {workspace} {workspace} \\\n"));
	assert_non_null(strstr(out.s, "--bind {tmp} /tmp \\\n"));
	assert_non_null(strstr(out.s, "--seccomp {seccomp-fd}"));
	assert_non_null(strstr(out.s, "-- {agent} agent"));
	assert_non_null(strstr(out.s, "--tmpfs R/N --remount-ro R/N"));
	assert_non_null(strstr(out.s, "ptrace")); /* the seccomp rules */
	sb_free(&out);
	/* hostile paths come out as shell words that paste back verbatim */
	x.ws = "/w s/it's";
	assert_int_equal(backend_bwrap.explain(&backend_bwrap, &x, &out), 0);
	assert_non_null(strstr(out.s, "--bind '/w s/it'\\''s' '/w s/it'\\''s'"));
	sb_free(&out);
	x.mode = &full;
	assert_int_equal(backend_bwrap.explain(&backend_bwrap, &x, &out), 0);
	assert_non_null(strstr(out.s, "no sandbox"));
	sb_free(&out);
}

/* From the CLI, on Linux, for both new backends. */
static void test_explain_cli(void **state)
{
	static const char *const cases[][3] = {
		{"bwrap", "workspace-write", "--ro-bind / / \\\n"},
		{"bwrap", "danger-full-access", "no sandbox"},
		{"seatbelt", "workspace-net", "(allow network-outbound (remote ip \"*:*\"))"},
		{"seatbelt", "read-only", "(deny default)"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[] = {CAGETEST, "explain", "-b", (char *)cases[i][0], "-m", (char *)cases[i][1], NULL};
		char *out = NULL, *err = NULL;
		int code = run_cmd(argv, &out, &err);
		if (code != 0 || !strstr(out, cases[i][2]) || !strstr(out, "notes: "))
			fail_msg("explain -b %s -m %s: exit %d, no '%s' or notes in:\n%s%s", cases[i][0], cases[i][1], code,
				 cases[i][2], out, err);
		free(out), free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protected_any_depth), cmocka_unit_test(test_git_files),
		cmocka_unit_test(test_missing_names),	    cmocka_unit_test(test_symlinked_name),
		cmocka_unit_test(test_policy_parts),	    cmocka_unit_test(test_absolute_roots),
		cmocka_unit_test(test_limits),		    cmocka_unit_test(test_explain),
		cmocka_unit_test(test_explain_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
