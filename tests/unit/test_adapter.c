/* Adapter files: strict parsing (every error names the file, the place and
 * the problem), template expansion (placeholders, vars, empty arguments
 * dropped, files kept inside the case root), and the CLI wiring. */
#include "../testutil.h"

#include "../../platforms/adapter.h"

#include <sys/stat.h>

#define MIN_CMD "\"name\":\"t\",\"command\":[\"/bin/true\"]"

static void test_parse_good(void **state)
{
	static const char *const files[] = {"platforms/adapters/codex.json", "platforms/adapters/srt.json",
					    "platforms/adapters/firejail.json", "tests/data/netns.json",
					    "tests/data/wrap-liar.json"};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[512], err[512] = "";
		struct backend *b = NULL;
		snprintf(path, sizeof(path), "%s/%s", SRCDIR, files[i]);
		if (adapter_load(path, &b, err, sizeof(err)) < 0)
			fail_msg("%s: %s", files[i], err);
		assert_non_null(b->prepare);
		assert_non_null(b->explain);
		adapter_free(b);
	}
	/* the shipped ones batch: one start per mode */
	struct backend *b;
	char err[256];
	assert_int_equal(adapter_load(SRCDIR "/platforms/adapters/codex.json", &b, err, sizeof(err)), 0);
	assert_true(b->batch);
	assert_string_equal(b->name, "codex");
	adapter_free(b);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{"", "bad.json: line 1: not valid JSON"},
		{"{\n\"name\": \"a\",\n\"command\": [\"x\",]\n}", "bad.json: line 3: not valid JSON"},
		{"[]", "adapter: expected a JSON object"},
		{"{\"command\":[\"x\"]}", "name: required"},
		{"{\"name\":\"Bad Name\",\"command\":[\"x\"]}", "name: adapter names are"},
		{"{\"name\":\"a\"}", "command: required"},
		{"{\"name\":\"a\",\"command\":[]}", "command: is empty"},
		{"{\"name\":\"a\",\"command\":\"x\"}", "command: expected an array of strings"},
		{"{\"name\":\"a\",\"command\":[\"x\",\"\"]}", "command: expected non-empty strings"},
		{"{\"name\":\"a\",\"command\":[\"x\",1]}", "command: expected non-empty strings"},
		{"{" MIN_CMD ",\"bogus\":1}", "adapter.bogus: unknown key"},
		{"{" MIN_CMD ",\"name\":\"b\"}", "adapter.name: given twice"},
		{"{\"name\":\"a\",\"command\":[\"x\",\"--dir={wrkspace}\"]}", "command[1]: unknown placeholder {wrkspace}"},
		{"{\"name\":\"a\",\"command\":[\"{mode}\"]}", "command[0]: {mode} cannot be used here"},
		{"{\"name\":\"a\",\"command\":[\"bin/wrap\"]}", "command[0]: a relative path"},
		{"{" MIN_CMD ",\"batch\":\"yes\"}", "adapter.batch: expected true or false"},
		{"{" MIN_CMD ",\"description\":1}", "adapter.description: expected a string"},
		{"{" MIN_CMD ",\"cwd\":\"{nowhere}\"}", "cwd: unknown placeholder {nowhere}"},
		{"{" MIN_CMD ",\"modes\":[]}", "modes: lists no mode"},
		{"{" MIN_CMD ",\"modes\":[\"a\",\"a\"]}", "modes: a mode is listed twice"},
		{"{" MIN_CMD ",\"modes\":[\"Read Only\"]}", "modes: mode names are"},
		{"{" MIN_CMD ",\"modes\":[\"read-only\"],\"vars\":{\"workspace-write\":{\"v\":\"1\"}}}",
		 "vars.workspace-write: not one of the adapter's modes"},
		{"{" MIN_CMD ",\"vars\":[]}", "vars: expected an object"},
		{"{" MIN_CMD ",\"vars\":{\"read-only\":{\"v\":1}}}", "vars.read-only.v: expected a string"},
		{"{" MIN_CMD ",\"vars\":{\"read-only\":{\"workspace\":\"x\"}}}",
		 "vars.read-only.workspace: a built-in placeholder cannot be a var"},
		{"{" MIN_CMD ",\"vars\":{\"read-only\":{\"a\":\"{b}\",\"b\":\"1\"}}}", "vars.read-only.a: unknown placeholder {b}"},
		{"{" MIN_CMD ",\"vars\":{\"read-only\":{\"A\":\"1\"}}}", "vars.read-only.A: var names are"},
		{"{" MIN_CMD ",\"env\":{\"HOME\":\"x\"}}", "env.HOME: set by the harness"},
		{"{" MIN_CMD ",\"env\":{\"GITHUB_TOKEN\":\"x\"}}", "env.GITHUB_TOKEN: set by the harness"},
		{"{" MIN_CMD ",\"env\":{\"1X\":\"x\"}}", "env.1X: not a variable name"},
		{"{" MIN_CMD ",\"env\":{\"X\":2}}", "env.X: expected a string"},
		{"{" MIN_CMD ",\"env\":{\"X\":\"{oops}\"}}", "env.X: unknown placeholder {oops}"},
		{"{" MIN_CMD ",\"files\":{\"/etc/x\":\"y\"}}", "files./etc/x: a file must stay in the case root"},
		{"{" MIN_CMD ",\"files\":{\"{run}/x\":\"y\"}}", "files.{run}/x: a file must stay in the case root"},
		{"{" MIN_CMD ",\"files\":{\"{scratch}/../x\":\"y\"}}", "a file must stay in the case root"},
		{"{" MIN_CMD ",\"files\":{\"{scratch}/a/..\":\"y\"}}", "a file must stay in the case root"},
		{"{" MIN_CMD ",\"files\":{\"{scratch}/x\":\"{nope}\"}}", "files.{scratch}/x: unknown placeholder {nope}"},
		{"{" MIN_CMD ",\"files\":{\"{scratch}/x\":[\"y\"]}}", "files.{scratch}/x: expected a string"},
		{"{" MIN_CMD ",\"requires\":[\"{mode}\"]}", "requires: {mode} cannot be used here"},
		{"{" MIN_CMD ",\"requires\":\"x\"}", "requires: expected an array of strings"},
		{"{" MIN_CMD ",\"version\":\"--version\"}", "version: expected an array of strings"},
		{"{" MIN_CMD ",\"hint\":false}", "adapter.hint: expected a string"},
		{"{" MIN_CMD ",\"fails_open\":\"x\"}", "fails_open: expected an array of strings"},
		{"{" MIN_CMD ",\"fails_open\":[\"a\\nb\"]}", "fails_open: each phrase is a non-empty part of one line"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct backend *b = NULL;
		char err[512] = "";
		if (adapter_parse(bad[i].text, "bad.json", &b, err, sizeof(err)) != -EINVAL || b)
			fail_msg("case %zu accepted: %s", i, bad[i].text);
		if (!strstr(err, bad[i].needle) || strncmp(err, "bad.json: ", 10))
			fail_msg("case %zu: message '%s' lacks '%s' or the file name", i, err, bad[i].needle);
	}
}

/* A case root of our own under build/tests, removed by the test. */
struct fixture {
	char root[256], ws[300], tmp[300], home[300];
	struct mode m;
	struct box x;
};

static void fixture_make(struct fixture *f, const char *mode, bool network)
{
	snprintf(f->root, sizeof(f->root), BUILDDIR "/tests/adapter-case-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->ws, sizeof(f->ws), "%s/ws", f->root);
	snprintf(f->tmp, sizeof(f->tmp), "%s/tmp", f->root);
	snprintf(f->home, sizeof(f->home), "%s/home", f->root);
	mkdir(f->ws, 0755);
	f->m = (struct mode){.name = (char *)mode, .network = network, .confined = true};
	f->x = (struct box){.mode = &f->m, .case_root = f->root, .ws = f->ws, .tmp = f->tmp, .home = f->home,
			    .run = "/run/dir", .self = "/bin/cagetest", .listener = "127.0.0.1:4242"};
}

static struct backend *parse_ok(const char *text)
{
	struct backend *b = NULL;
	char err[512] = "";

	if (adapter_parse(text, BUILDDIR "/tests/t.json", &b, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return b;
}

/* firejail's words when it switches itself off, found on a case's stderr:
 * the whole line, whatever surrounds it; nothing for other chatter. */
static void test_fails_open(void **state)
{
	struct backend *b;
	char err[256], line[320];

	(void)state;
	assert_int_equal(adapter_load(SRCDIR "/platforms/adapters/firejail.json", &b, err, sizeof(err)), 0);
	assert_non_null(b->said_unconfined);
	assert_false(b->said_unconfined(b, "Parent pid 8, child pid 9\nChild process initialized in 87 ms\n", line,
					sizeof(line)));
	assert_true(b->said_unconfined(b, "Parent pid 8\n  Warning: an existing sandbox was detected. /run/x/cagetest "
					  "will run without any additional sandboxing features\r\nbye\n", line, sizeof(line)));
	assert_string_equal(line, "Warning: an existing sandbox was detected. /run/x/cagetest will run without any "
				  "additional sandboxing features");
	adapter_free(b);
	/* an adapter that names no phrase never says it */
	assert_int_equal(adapter_load(SRCDIR "/platforms/adapters/codex.json", &b, err, sizeof(err)), 0);
	assert_false(b->said_unconfined(b, "an existing sandbox was detected", line, sizeof(line)));
	adapter_free(b);
}

static void test_expand(void **state)
{
	static const char text[] =
		"{\"name\":\"t\",\"modes\":[\"workspace-net\",\"read-only\"],"
		"\"vars\":{\"workspace-net\":{\"net\":\"--net={network}\",\"blank\":\"\"},\"read-only\":{\"net\":\"--no-net\"}},"
		"\"command\":[\"/bin/echo\",\"{mode}\",\"{workspace}\",\"{scratch}\",\"{home}\",\"{network}\",\"{tmp}\",\"{run}\","
		"\"{listener}\",\"{net}\",\"{blank}\",\"a{blank}b\",\"pre{{lit}post\",\"{notclosed\",\"{ x }\","
		"\"{\\\"json\\\": 1}\",\"--\"],"
		"\"cwd\":\"{workspace}/sub\",\"env\":{\"TOOL_HOME\":\"{scratch}/tool\",\"EMPTY\":\"{blank}\"},"
		"\"vars_unused\":0}";
	struct fixture f;
	struct launch l = {0};
	char err[512] = "", want[64][320], here[PATH_MAX];
	struct backend *b;
	size_t k = 0;

	(void)state;
	/* vars_unused is not a key: strictness first */
	assert_int_equal(adapter_parse(text, "t.json", &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "adapter.vars_unused: unknown key"));
	char good[sizeof(text)];
	snprintf(good, sizeof(good), "%s", text);
	*strstr(good, ",\"vars_unused\":0") = 0;
	strcat(good, "}");
	b = parse_ok(good);
	fixture_make(&f, "workspace-net", true);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);

	snprintf(want[k++], 320, "/bin/echo");
	snprintf(want[k++], 320, "workspace-net");
	snprintf(want[k++], 320, "%s", f.ws);
	snprintf(want[k++], 320, "%s", f.root);
	snprintf(want[k++], 320, "%s", f.home);
	snprintf(want[k++], 320, "on");
	snprintf(want[k++], 320, "%s", f.tmp);
	snprintf(want[k++], 320, "/run/dir");
	snprintf(want[k++], 320, "127.0.0.1:4242");
	snprintf(want[k++], 320, "--net=on"); /* a var's value expands the box placeholders */
	/* {blank} expands to "" and is dropped; inside a word it is not */
	snprintf(want[k++], 320, "ab");
	snprintf(want[k++], 320, "pre{lit}post");
	snprintf(want[k++], 320, "{notclosed");
	snprintf(want[k++], 320, "{ x }");
	snprintf(want[k++], 320, "{\"json\": 1}");
	snprintf(want[k++], 320, "--");
	if (l.argc != k)
		fail_msg("%zu arguments, want %zu (argv[1] %s)", l.argc, k, l.argc > 1 ? l.argv[1] : "");
	for (size_t i = 0; i < k; i++)
		assert_string_equal(l.argv[i], want[i]);
	assert_null(l.argv[k]);
	snprintf(want[0], 320, "%s/sub", f.ws);
	assert_string_equal(l.cwd, want[0]);
	assert_int_equal(l.envc, 2);
	snprintf(want[0], 320, "TOOL_HOME=%s/tool", f.root);
	assert_string_equal(l.env[0], want[0]);
	assert_string_equal(l.env[1], "EMPTY=");
	launch_free(&l);

	/* another mode: other vars; a var this mode does not set is "" */
	f.m.name = "read-only";
	f.m.network = false;
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);
	assert_string_equal(l.argv[1], "read-only");
	assert_string_equal(l.argv[5], "off");
	assert_string_equal(l.argv[9], "--no-net");
	assert_string_equal(l.argv[10], "ab");
	launch_free(&l);
	rm_rf(f.root);
	adapter_free(b);

	/* {here} is the adapter file's directory, resolved */
	b = parse_ok("{\"name\":\"h\",\"command\":[\"/bin/echo\",\"{here}/x\"]}");
	fixture_make(&f, "read-only", false);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);
	assert_non_null(realpath(BUILDDIR "/tests", here));
	strcat(here, "/x");
	assert_string_equal(l.argv[1], here);
	launch_free(&l);
	rm_rf(f.root);
	adapter_free(b);
}

static void test_command_on_path(void **state)
{
	struct fixture f;
	struct launch l = {0};
	char err[512] = "", why[512] = "";
	struct backend *b = parse_ok("{\"name\":\"p\",\"command\":[\"sh\",\"-c\",\"x\"]}");

	(void)state;
	fixture_make(&f, "read-only", false);
	/* execve() does not search PATH: the prefix must be a full path */
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);
	assert_true(l.argv[0][0] == '/');
	assert_non_null(strstr(l.argv[0], "/sh"));
	launch_free(&l);
	adapter_free(b);

	b = parse_ok("{\"name\":\"m\",\"requires\":[\"sh\",\"cagetest-no-such-tool\"],\"hint\":\"apt-get install it\","
		     "\"command\":[\"/bin/true\"]}");
	assert_int_equal(b->available(b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "needs cagetest-no-such-tool: not found on PATH"));
	assert_non_null(strstr(why, "Hint: apt-get install it"));
	adapter_free(b);

	b = parse_ok("{\"name\":\"m\",\"command\":[\"/nonexistent/wrap\"]}");
	assert_int_equal(b->available(b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "needs /nonexistent/wrap: not found"));
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/wrap: not found"));
	launch_free(&l);
	adapter_free(b);
	rm_rf(f.root);
}

static void test_files(void **state)
{
	struct fixture f;
	struct launch l = {0};
	char err[512] = "", p[600], *text = NULL;
	struct stat st;
	struct backend *b = parse_ok(
		"{\"name\":\"f\",\"command\":[\"/bin/true\"],\"vars\":{\"workspace-write\":{\"w\":\"\\\".\\\"\"}},"
		"\"files\":{\"{scratch}/tool/deep/settings.json\":\"{\\\"allowWrite\\\": [{w}], \\\"net\\\": \\\"{network}\\\"}\\n\","
		"\"{workspace}/.toolrc\":\"mode={mode}\\n\"}}");

	(void)state;
	fixture_make(&f, "workspace-write", false);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);
	launch_free(&l);
	snprintf(p, sizeof(p), "%s/tool/deep/settings.json", f.root);
	assert_int_equal(read_file(p, 4096, &text, NULL), 0);
	assert_string_equal(text, "{\"allowWrite\": [\".\"], \"net\": \"off\"}\n");
	free(text);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(p, sizeof(p), "%s/tool", f.root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/.toolrc", f.ws);
	assert_int_equal(read_file(p, 4096, &text, NULL), 0);
	assert_string_equal(text, "mode=workspace-write\n");
	free(text);
	/* a second case run rewrites, never appends; a file made 0644 is 0600 again */
	chmod(p, 0644);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0);
	launch_free(&l);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	rm_rf(f.root);
	adapter_free(b);

	/* a symlink in the way never leads a template out of the case root */
	char outside[] = BUILDDIR "/tests/adapter-outside-XXXXXX";
	assert_non_null(mkdtemp(outside));
	b = parse_ok("{\"name\":\"s\",\"command\":[\"/bin/true\"],\"files\":{\"{workspace}/link/x\":\"y\"}}");
	fixture_make(&f, "read-only", false);
	snprintf(p, sizeof(p), "%s/link", f.ws);
	char target[PATH_MAX];
	assert_non_null(realpath(outside, target));
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "files: cannot write"));
	launch_free(&l);
	snprintf(p, sizeof(p), "%s/x", outside);
	assert_int_equal(access(p, F_OK), -1);
	/* nor through a link at the file itself */
	adapter_free(b);
	b = parse_ok("{\"name\":\"s\",\"command\":[\"/bin/true\"],\"files\":{\"{workspace}/f\":\"y\"}}");
	snprintf(p, sizeof(p), "%s/f", f.ws);
	char tfile[PATH_MAX + 16];
	snprintf(tfile, sizeof(tfile), "%s/victim", target);
	write_str(tfile, "keep\n");
	assert_int_equal(symlink(tfile, p), 0);
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), 0); /* the link is replaced, not followed */
	launch_free(&l);
	assert_int_equal(read_file(tfile, 64, &text, NULL), 0);
	assert_string_equal(text, "keep\n");
	free(text);
	/* a var that carries a path component out of the root is caught after expansion */
	adapter_free(b);
	b = parse_ok("{\"name\":\"v\",\"command\":[\"/bin/true\"],\"vars\":{\"read-only\":{\"up\":\"../..\"}},"
		     "\"files\":{\"{scratch}/{up}/x\":\"y\"}}");
	assert_int_equal(b->prepare(b, &f.x, &l, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "is outside the case root"));
	launch_free(&l);
	adapter_free(b);
	rm_rf(f.root);
	rm_rf(outside);
}

static void test_supports_version_explain(void **state)
{
	struct fixture f;
	struct sbuf out = {0};
	char why[256] = "", ver[128] = "";
	struct mode other = {.name = "danger-full-access", .confined = false};
	struct backend *b = parse_ok("{\"name\":\"e\",\"modes\":[\"read-only\"],\"version\":[\"/bin/echo\",\"tool 1.2.3\"],"
				     "\"command\":[\"/bin/echo\",\"-c\",\"sandbox_mode=\\\"{mode}\\\"\",\"it's\"],"
				     "\"env\":{\"A\":\"{scratch}/a b\"},\"files\":{\"{scratch}/c\":\"n={network}\"},\"batch\":true,"
				     "\"description\":\"cannot do X\"}");

	(void)state;
	fixture_make(&f, "read-only", false);
	assert_int_equal(b->supports(b, &f.m, why, sizeof(why)), 0);
	assert_int_equal(b->supports(b, &other, why, sizeof(why)), -EOPNOTSUPP);
	assert_string_equal(why, "e has no danger-full-access mode (its modes: read-only)");
	assert_int_equal(b->version(b, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "tool 1.2.3");
	assert_int_equal(b->explain(b, &f.x, &out), 0);
	assert_non_null(strstr(out.s, "command: /bin/echo -c 'sandbox_mode=\"read-only\"' 'it'\\''s' /bin/cagetest agent"));
	assert_non_null(strstr(out.s, "env: A='"));
	assert_non_null(strstr(out.s, "file "));
	assert_non_null(strstr(out.s, "n=off"));
	assert_non_null(strstr(out.s, "batch"));
	sb_free(&out);
	b->notes(b, &out);
	assert_string_equal(out.s, "cannot do X");
	sb_free(&out);
	adapter_free(b);
	rm_rf(f.root);

	/* "version": [] turns it off; a tool that hangs costs at most the timeout */
	b = parse_ok("{\"name\":\"v\",\"version\":[],\"command\":[\"/bin/true\"]}");
	assert_int_equal(b->version(b, ver, sizeof(ver)), -EOPNOTSUPP);
	adapter_free(b);
	b = parse_ok("{\"name\":\"v\",\"version\":[\"/bin/sh\",\"-c\",\"echo 9.9; exec sleep 60\"],\"command\":[\"/bin/true\"]}");
	double t0 = now_mono();
	assert_true(b->version(b, ver, sizeof(ver)) < 0);
	assert_true(now_mono() - t0 < 8);
	t0 = now_mono();
	assert_true(b->version(b, ver, sizeof(ver)) < 0); /* cached: no second wait */
	assert_true(now_mono() - t0 < 0.5);
	adapter_free(b);
}

static void test_register(void **state)
{
	char err[512] = "";
	char *extra[] = {SRCDIR "/tests/data/netns.json"};

	(void)state;
	setenv("CAGETEST_DATADIR", SRCDIR, 1);
	assert_int_equal(adapters_register(extra, 1, err, sizeof(err)), 0);
	assert_non_null(backend_find("netns"));
	assert_non_null(backend_find("codex"));
	assert_non_null(backend_find("srt"));
	assert_non_null(backend_find("firejail"));
	assert_non_null(backend_find("landlock"));
	adapters_unregister();
	assert_null(backend_find("codex"));
	assert_non_null(backend_find("landlock"));
}

static void test_cli(void **state)
{
	char bad[] = BUILDDIR "/tests/adapter-bad.json", clash[] = BUILDDIR "/tests/adapter-clash.json",
	     mine[] = BUILDDIR "/tests/adapter-firejail.json";
	static const char *const cmds[] = {"run -b none", "list backends", "explain -b none -m read-only", "doctor"};
	char *out = NULL, *err = NULL, args[1024];

	(void)state;
	write_str(bad, "{\"name\":\"b\",\"command\":[\"/bin/true\",\"{wrkspace}\"]}");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(args, sizeof(args), "%s --adapter %s", cmds[i], bad);
		int code = cli(args, &out, &err);
		if (code != 2 || !strstr(err, "adapter-bad.json: command[1]: unknown placeholder {wrkspace}"))
			fail_msg("`cagetest %s`: exit %d, stderr %s", args, code, err);
		free(out), free(err);
	}
	/* a built-in backend's name is taken; a shipped adapter's name is replaced */
	write_str(clash, "{\"name\":\"landlock\",\"command\":[\"/bin/true\"]}");
	assert_int_equal(cli("list backends --adapter " BUILDDIR "/tests/adapter-clash.json", &out, &err), 2);
	assert_non_null(strstr(err, "\"landlock\" is already the name of a built-in backend"));
	free(out), free(err);
	write_str(mine, "{\"name\":\"firejail\",\"description\":\"my own firejail\",\"version\":[],"
			"\"command\":[\"/bin/true\"]}");
	assert_int_equal(cli("list backends --adapter " BUILDDIR "/tests/adapter-firejail.json", &out, &err), 0);
	assert_non_null(strstr(out, "my own firejail"));
	free(out), free(err);
	/* --adapter twice with one name is an error */
	assert_int_equal(cli("list backends --adapter " BUILDDIR "/tests/adapter-firejail.json --adapter " BUILDDIR
			     "/tests/adapter-firejail.json",
			     &out, &err),
			 2);
	assert_non_null(strstr(err, "is already the name of"));
	free(out), free(err);
	/* the shipped ones are listed; explain shows the expanded command */
	assert_int_equal(cli("list backends", &out, &err), 0);
	assert_non_null(strstr(out, "codex "));
	assert_non_null(strstr(out, "srt "));
	assert_non_null(strstr(out, "firejail "));
	free(out), free(err);
	assert_int_equal(cli("explain -b codex -m workspace-net", &out, &err), 0);
	assert_non_null(strstr(out, "sandbox_workspace_write.network_access=true"));
	assert_non_null(strstr(out, "CODEX_HOME='{scratch}/codex-home'"));
	free(out), free(err);
	assert_int_equal(cli("explain -b srt -m workspace-net", &out, &err), 0);
	assert_non_null(strstr(out, "\"allowedDomains\": [\"{listener}\", \"*.cagetest.invalid\"]"));
	free(out), free(err);
	assert_int_equal(cli("--help", &out, &err), 0);
	assert_non_null(strstr(out, "--adapter FILE"));
	free(out), free(err);
	unlink(bad), unlink(clash), unlink(mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),    cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_expand),	      cmocka_unit_test(test_command_on_path),
		cmocka_unit_test(test_files),	      cmocka_unit_test(test_supports_version_explain),
		cmocka_unit_test(test_register),      cmocka_unit_test(test_cli),
		cmocka_unit_test(test_fails_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
