/* The CLI contract: usage errors exit 2 with a one-line message naming the
 * problem; --help and list work; explain prints a policy. */
#include "../testutil.h"
#include "../../reports/merge.h"

static void expect_usage_error(const char *args, const char *needle)
{
	char *out = NULL, *err = NULL;
	int code = cli(args, &out, &err);

	if (code != 2 || !strstr(err, needle))
		fail_msg("`cagetest %s`: exit %d (want 2), stderr '%s' (want '%s')", args, code, err, needle);
	free(out);
	free(err);
}

static void test_usage_errors(void **state)
{
	char bad[] = BUILDDIR "/tests/bad-suite.json";
	(void)state;
	write_str(bad, "{\"modes\": {\"x\": {\"network\": 1}}}");
	expect_usage_error("", "usage:");
	expect_usage_error("frobnicate", "unknown command 'frobnicate'");
	expect_usage_error("run --bogus", "bad option");
	expect_usage_error("run -j 0", "-j 0");
	expect_usage_error("run --timeout -1", "--timeout -1");
	expect_usage_error("run -b nosuchbackend", "-b nosuchbackend: unknown backend");
	expect_usage_error("run -m nosuchmode", "-m nosuchmode: no such mode");
	expect_usage_error("run -s /nonexistent/suite.json", "/nonexistent/suite.json");
	expect_usage_error("run -s " BUILDDIR "/tests/bad-suite.json", "bad-suite.json: modes.x.network: expected true or false");
	expect_usage_error("run -s nosuchsuite", "nosuchsuite: no such suite");
	expect_usage_error("run --fail-on pass", "--fail-on pass");
	expect_usage_error("run --scratch /tmp", "/tmp");
	expect_usage_error("list bogus", "list bogus");
	expect_usage_error("explain -b landlock", "explain needs -b BACKEND and -m MODE");
	expect_usage_error("explain -b nope -m read-only", "-b nope: unknown backend");
	expect_usage_error("merge", "merge needs at least one JSON report");
	expect_usage_error("merge --bogus x.json", "merge: bad option");
	expect_usage_error("diff a.json", "diff needs OLD.json NEW.json");
	expect_usage_error("diff --fail-on nope a.json b.json", "--fail-on nope");
	expect_usage_error("doctor --bogus", "doctor: bad option");
	expect_usage_error("doctor extra", "doctor: unexpected argument 'extra'");
	unlink(bad);
}

static void test_help_version(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("--help", &out, &err), 0);
	assert_non_null(strstr(out, "cagetest run"));
	assert_non_null(strstr(out, "exit status"));
	free(out), free(err);
	assert_int_equal(cli("--version", &out, &err), 0);
	assert_non_null(strstr(out, "cagetest " CAGETEST_VERSION));
	free(out), free(err);
}

/* The commands of runner/main.c's table, read from the source: a command
 * added there is checked here without anyone listing it. */
static size_t table_commands(char names[][32], size_t max)
{
	_cleanup_free_ char *src = NULL;
	const char *p, *end;
	size_t n = 0;

	assert_int_equal(read_file(SRCDIR "/runner/main.c", 1 << 20, &src, NULL), 0);
	assert_non_null(p = strstr(src, "} commands[] = {"));
	assert_non_null(end = strstr(p, "\n};"));
	for (; (p = strstr(p, "\n\t{\"")) && p < end && n < max; p++)
		snprintf(names[n++], 32, "%.*s", (int)strcspn(p + 4, "\""), p + 4);
	return n;
}

/* Every command answers --help (and -h, and `help NAME`) with its own
 * usage on stdout, exit 0; the whole help names every public command. */
static void test_every_command_has_help(void **state)
{
	char names[32][32], *full = NULL, *err = NULL;
	size_t n = table_commands(names, 32);

	(void)state;
	assert_true(n >= 9); /* run list explain doctor merge diff bench agent sentinel */
	assert_int_equal(cli("--help", &full, &err), 0);
	free(err);
	for (size_t i = 0; i < n; i++) {
		static const char *const forms[][2] = {{"", " --help"}, {"", " -h"}, {"help ", ""}, {"", " --bogus --help"}};
		char want[64];
		snprintf(want, sizeof(want), "usage: cagetest %s", names[i]);
		for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
			char args[128], *out = NULL;
			snprintf(args, sizeof(args), "%s%s%s", forms[f][0], names[i], forms[f][1]);
			int code = cli(args, &out, &err);
			if (code != 0 || strncmp(out, want, strlen(want)) || *err)
				fail_msg("`cagetest %s`: exit %d, stdout '%.80s', stderr '%s'", args, code, out, err);
			assert_true(strlen(out) < strlen(full)); /* its own, not the whole help */
			free(out), free(err);
		}
		if (strcmp(names[i], "agent") && strcmp(names[i], "sentinel")) {
			snprintf(want, sizeof(want), "\n  %s ", names[i]);
			if (!strstr(full, want))
				fail_msg("`cagetest --help` does not list %s", names[i]);
		}
	}
	free(full);
	expect_usage_error("help nosuchcommand", "help nosuchcommand: no such command");
}

/* A data dir's file wins over the built-in copy of the same name; the
 * others still come built in. */
static void test_data_dir_overrides_builtin(void **state)
{
	static const char dir[] = BUILDDIR "/tests/datadir-override";
	char *out = NULL, *err = NULL;

	(void)state;
	rm_rf(dir);
	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(mkdir_p(BUILDDIR "/tests/datadir-override/suites", 0755), 0);
	assert_int_equal(write_str(BUILDDIR "/tests/datadir-override/suites/default.json",
				   "{\"name\":\"mine\",\"modes\":{\"only-mode\":{\"writable\":[]}}}"),
			 0);
	setenv("CAGETEST_DATADIR", dir, 1);
	assert_int_equal(cli("list modes", &out, &err), 0);
	assert_non_null(strstr(out, "only-mode"));
	assert_null(strstr(out, "workspace-write"));
	free(out), free(err);
	assert_int_equal(cli("list suites", &out, &err), 0);
	assert_non_null(strstr(out, "default\t" BUILDDIR "/tests/datadir-override/suites/default.json\n"));
	assert_non_null(strstr(out, "strict\tbuilt-in:suites/strict.json\n"));
	free(out), free(err);
	assert_int_equal(cli("list backends", &out, &err), 0);
	assert_non_null(strstr(out, "\nfirejail ")); /* the built-in adapters */
	free(out), free(err);
	unsetenv("CAGETEST_DATADIR");
	rm_rf(dir);
}

static void test_list(void **state)
{
	char *out = NULL, *err = NULL;
	size_t lines = 0;

	(void)state;
	assert_int_equal(cli("list probes", &out, &err), 0);
	for (char *p = out; *p; p++)
		lines += *p == '\n';
	assert_true(lines >= 30);
	assert_true(!strncmp(out, "fs.", 3)); /* the id first */
	free(out), free(err);
	assert_int_equal(cli("list backends", &out, &err), 0);
	assert_non_null(strstr(out, "none "));
	assert_non_null(strstr(out, "landlock "));
	free(out), free(err);
	assert_int_equal(cli("list modes", &out, &err), 0);
	assert_non_null(strstr(out, "workspace-write"));
	free(out), free(err);
	assert_int_equal(cli("list suites", &out, &err), 0);
	assert_non_null(strstr(out, "default"));
	free(out), free(err);
}

static void test_explain(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("explain -b landlock -m workspace-write", &out, &err), 0);
	assert_non_null(strstr(out, "rule {workspace}: all"));
	assert_non_null(strstr(out, "socket"));
	assert_non_null(strstr(out, "protected .git: NOT enforced"));
	free(out), free(err);
	assert_int_equal(cli("explain -b landlock -m danger-full-access", &out, &err), 0);
	assert_non_null(strstr(out, "nothing is applied"));
	free(out), free(err);
}

/* Every long option of runner/main.c is documented in --help, README.md
 * and the man page; so is every command. */
static void test_docs_cover_options(void **state)
{
	static const char *const commands[] = {"run", "list", "explain", "doctor", "merge", "diff", "bench"};
	_cleanup_free_ char *src = NULL, *readme = NULL, *man = NULL;
	char *help = NULL, *err = NULL;
	size_t checked = 0;

	(void)state;
	assert_int_equal(read_file(SRCDIR "/runner/main.c", 1 << 20, &src, NULL), 0);
	assert_int_equal(read_file(SRCDIR "/README.md", 1 << 20, &readme, NULL), 0);
	assert_int_equal(read_file(SRCDIR "/docs/cagetest.1", 1 << 20, &man, NULL), 0);
	assert_int_equal(cli("--help", &help, &err), 0);
	/* the man page writes '-' as '\-' */
	for (char *r = man, *w = man; ; r++) {
		if (r[0] == '\\' && r[1] == '-')
			continue;
		if (!(*w++ = *r))
			break;
	}
	for (const char *p = src; (p = strstr(p, "{\"")); p++) {
		char name[64], opt[72];
		const char *q = strchr(p + 2, '"');
		if (!q || (size_t)(q - p - 2) >= sizeof(name) ||
		    (strncmp(q, "\", required_argument", 20) && strncmp(q, "\", no_argument", 14)))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 2), p + 2);
		snprintf(opt, sizeof(opt), "--%s", name);
		if (!strstr(help, opt) || !strstr(readme, opt) || !strstr(man, opt))
			fail_msg("%s: help %d, README %d, man page %d", opt, !!strstr(help, opt), !!strstr(readme, opt),
				 !!strstr(man, opt));
		checked++;
	}
	/* the report options come from the writers table */
	for (size_t i = 0; i < nwriters; i++) {
		char opt[72];
		snprintf(opt, sizeof(opt), "--%s", writers[i].name);
		if (!strstr(help, opt) || !strstr(readme, opt) || !strstr(man, opt))
			fail_msg("%s: help %d, README %d, man page %d", opt, !!strstr(help, opt), !!strstr(readme, opt),
				 !!strstr(man, opt));
		checked++;
	}
	assert_true(checked >= 25);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char c[64];
		snprintf(c, sizeof(c), "cagetest %s", commands[i]);
		if (!strstr(help, c) || !strstr(readme, c) || !strstr(man, c))
			fail_msg("'%s': help %d, README %d, man page %d", c, !!strstr(help, c), !!strstr(readme, c),
				 !!strstr(man, c));
	}
	/* the CI templates call cagetest with options that exist */
	static const char *const ci[] = {SRCDIR "/ci/github/matrix.yml", SRCDIR "/ci/gitlab/cagetest.gitlab-ci.yml"};
	for (size_t i = 0; i < ARRAY_SIZE(ci); i++) {
		_cleanup_free_ char *text = NULL;
		size_t calls = 0;
		assert_int_equal(read_file(ci[i], 1 << 20, &text, NULL), 0);
		for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			char line[1024], *c;
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
			if (!(c = strstr(line, "build/cagetest ")) && !(calls && strstr(line, "    --")))
				continue;
			calls += c != NULL;
			for (char *o = strstr(line, " --"); o; o = strstr(o + 1, " --")) {
				char opt[64];
				snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(o + 1, " \"="), o + 1);
				if (!strstr(help, opt))
					fail_msg("%s calls cagetest with %s, which --help does not know", ci[i], opt);
			}
		}
		assert_true(calls >= 3);
	}
	free(help), free(err);
}

/* Every writer is an option of the commands that render, and writes its
 * format: the table, not a list in the CLI, decides. */
static void test_writer_options(void **state)
{
	(void)state;
	assert_true(nwriters >= 5);
	for (size_t i = 0; i < nwriters; i++) {
		char args[512], path[256], *out = NULL, *err = NULL, *want = NULL, *got = NULL;
		struct report r;
		char perr[256];
		snprintf(path, sizeof(path), BUILDDIR "/tests/writer-option.%s", writers[i].name);
		snprintf(args, sizeof(args), "merge -q --%s %s " SRCDIR "/tests/golden/model.json", writers[i].name, path);
		unlink(path);
		int code = cli(args, &out, &err);
		if (code != 0 && code != 1)
			fail_msg("`cagetest %s`: exit %d: %s", args, code, err);
		/* the writer's own output: it starts as the writer, handed the merged model, starts */
		assert_int_equal(read_file(SRCDIR "/tests/golden/model.json", 1 << 22, &want, NULL), 0);
		struct report one;
		memset(&r, 0, sizeof(r));
		assert_int_equal(report_from_json(want, &one, perr, sizeof(perr)), 0);
		assert_int_equal(report_merge(&r, &one, NULL), 0);
		free(want), want = NULL;
		assert_int_equal(writers[i].render(&r, NULL, &want), 0);
		assert_int_equal(read_file(path, 1 << 22, &got, NULL), 0);
		size_t line = strcspn(want, "\n");
		if (!line || strncmp(got, want, line + 1))
			fail_msg("--%s wrote '%.60s', the %s writer starts '%.60s'", writers[i].name, got, writers[i].name, want);
		report_free(&one), report_free(&r);
		free(out), free(err), free(want), free(got);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_every_command_has_help),
		cmocka_unit_test(test_data_dir_overrides_builtin),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_docs_cover_options),
		cmocka_unit_test(test_writer_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
