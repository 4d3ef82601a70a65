/* Golden files: every human-facing renderer on one fixed model
 * (tests/golden/model.json, hostile strings included) must give exactly the
 * committed text. After an intended change, regenerate with
 *   CAGETEST_UPDATE_GOLDEN=1 build/tests/test_render
 * and read the diff. Beyond the byte compare, each format is checked for
 * what hostile strings must never do in it. */
#include "../testutil.h"

#define GOLDEN SRCDIR "/tests/golden/"

static struct report model;

static const char *hint(const char *probe)
{
	if (!strcmp(probe, "git.config_write"))
		return "re-mount .git read-only <b>now</b> | *really*";
	if (!strcmp(probe, "proc.daemon_outlives"))
		return "use a pid namespace";
	return NULL;
}

static int setup(void **state)
{
	_cleanup_free_ char *text = NULL;
	char err[256];

	(void)state;
	if (read_file(GOLDEN "model.json", 1 << 20, &text, NULL) < 0 || report_from_json(text, &model, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&model);
	return 0;
}

/* Compare with the golden file (or rewrite it when asked to). */
static void golden(const char *name, const char *got)
{
	char path[512];
	_cleanup_free_ char *want = NULL;

	snprintf(path, sizeof(path), GOLDEN "%s", name);
	if (getenv("CAGETEST_UPDATE_GOLDEN")) {
		assert_int_equal(write_str(path, got), 0);
		return;
	}
	if (read_file(path, 8 << 20, &want, NULL) < 0)
		fail_msg("%s missing: run CAGETEST_UPDATE_GOLDEN=1 build/tests/test_render", path);
	if (strcmp(want, got)) {
		size_t i = 0;
		while (want[i] && want[i] == got[i])
			i++;
		fail_msg("%s differs at byte %zu: want '%.60s', got '%.60s'", path, i, want + i, got + i);
	}
}

static void render(const char *writer, const struct render_opts *o, char **out)
{
	assert_non_null(writer_find(writer));
	assert_int_equal(writer_find(writer)->render(&model, o, out), 0);
	assert_non_null(*out);
}

/* No raw control byte but newline (and tab) gets through. */
static void no_controls(const char *s, const char *what)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			fail_msg("%s: control byte 0x%02x at %td", what, *p, (const char *)p - s);
}

static void test_tap(void **state)
{
	char *t = NULL;

	(void)state;
	render("tap", NULL, &t);
	golden("report.tap", t);
	no_controls(t, "TAP");
	assert_true(!strncmp(t, "TAP version 14\n", 15));
	assert_non_null(strstr(t, "(1); 1 overblocked\n1..5\n"));
	assert_non_null(strstr(t, "# Subtest: landlock.read-only\n    1..6\n"));
	assert_non_null(strstr(t, "    ok 6 - proc.tiocsti # SKIP host itself prevents this"));
	assert_non_null(strstr(t, "    not ok 5 - proc.daemon_outlives # TODO known failure: "));
	assert_non_null(strstr(t, "not ok 2 - landlock.workspace-write\n"));
	assert_non_null(strstr(t, "ok 3 - landlock.danger-full-access\n"));
	assert_non_null(strstr(t, "ok 4 - bwrap.read-only # SKIP every row skipped\n"));
	/* a '#' in a description would start a directive */
	assert_non_null(strstr(t, "probe<i>\\#1"));
	assert_null(strstr(t, "- probe<i>#1"));
	free(t);
}

static void test_markdown(void **state)
{
	struct render_opts o = {.hint = hint};
	char *t = NULL;

	(void)state;
	render("markdown", &o, &t);
	golden("report.md", t);
	no_controls(t, "Markdown");
	assert_true(!strncmp(t, "## Sandbox: FAILS OPEN: 1 escape in evil", 40));
	assert_null(strstr(t, "<script"));   /* HTML made inert */
	assert_non_null(strstr(t, "&lt;script&gt;"));
	assert_non_null(strstr(t, "\\| \\`tick\\`")); /* table cells stay cells */
	assert_non_null(strstr(t, "### Failing rows (5)"));
	assert_non_null(strstr(t, "re-mount .git read-only &lt;b&gt;now&lt;/b&gt; \\| \\*really\\*"));
	assert_non_null(strstr(t, "- backend bwrap unavailable: "));
	assert_non_null(strstr(t, "### Known failures that pass now"));
	/* every table row has as many cells as its header */
	for (char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		static int want;
		int cells = 0;
		if (*l != '|') {
			want = 0;
			continue;
		}
		for (char *p = l; *p && *p != '\n'; p++)
			cells += *p == '|' && p[-1] != '\\';
		if (!want)
			want = cells;
		else if (cells != want)
			fail_msg("table row with %d bars, header has %d: %.80s", cells, want, l);
	}
	free(t);
}

static void test_html(void **state)
{
	struct render_opts o = {.hint = hint};
	char *t = NULL;

	(void)state;
	render("html", &o, &t);
	golden("report.html", t);
	no_controls(t, "HTML");
	assert_true(!strncmp(t, "<!DOCTYPE html>", 15));
	/* nothing from the model becomes markup */
	assert_int_equal(strstr(t, "<script") - t, strstr(t, "<script>\n(function") - t); /* only ours */
	assert_null(strstr(t, "<b>now"));
	assert_null(strstr(t, "evil<b>"));
	assert_null(strstr(t, "<i>"));
	assert_null(strstr(t, "<host>"));
	assert_non_null(strstr(t, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(t, "evil&lt;b&gt;|"));
	/* self-contained: nothing is fetched */
	assert_null(strstr(t, "src=\"http"));
	assert_null(strstr(t, "href=\"http"));
	assert_null(strstr(t, "@import"));
	assert_non_null(strstr(t, "Content-Security-Policy"));
	/* columns grouped by backend, rows by category, filters */
	assert_non_null(strstr(t, "<th colspan=\"3\">landlock</th><th colspan=\"1\">bwrap</th>"));
	assert_non_null(strstr(t, "<tr class=\"cat\" data-cat=\"git\">"));
	assert_non_null(strstr(t, "id=\"only-fail\""));
	assert_non_null(strstr(t, "<option value=\"proc\">proc</option>"));
	/* a cell expands to its evidence */
	assert_non_null(strstr(t, "<dt>expected</dt><dd>blocked</dd><dt>observed</dt><dd>allowed</dd>"
				  "<dt>control</dt><dd>allowed</dd>"));
	assert_non_null(strstr(t, "<dt>errno</dt><dd>EACCES</dd>"));
	assert_non_null(strstr(t, "<dt>hint</dt><dd>re-mount .git read-only &lt;b&gt;now&lt;/b&gt;"));
	free(t);
}

static void test_terminal(void **state)
{
	struct render_opts plain = {.hint = hint}, tty = {.hint = hint, .tty = true, .color = true, .unicode = true};
	char *t = NULL;

	(void)state;
	assert_int_equal(report_terminal(&model, &plain, &t), 0);
	golden("report.txt", t);
	no_controls(t, "plain terminal");
	assert_non_null(strstr(t, "landlock/workspace-write:    NOT ENFORCED: 2 escapes (1 known: baseline), 1 overblocked"));
	assert_non_null(strstr(t, "hint: re-mount .git read-only <b>now</b>"));
	assert_non_null(strstr(t, "backend bwrap unavailable: bwrap not found."));
	assert_non_null(strstr(t, "?[31mred?[0m")); /* escape sequences defused */
	assert_non_null(strstr(t, "\nknown failures that pass now (tighten the baseline):\n"));
	assert_non_null(strstr(t, "\nSandbox: FAILS OPEN: 1 escape in evil"));
	/* a wrapper's words are quoted, defused like any sandbox string */
	assert_non_null(strstr(t, "FAILS OPEN: evil<b>| said \"Warning: sandbox off <script>"));
	free(t);

	assert_int_equal(report_terminal(&model, &tty, &t), 0);
	golden("report-tty.txt", t);
	assert_non_null(strstr(t, "  fs.write_workspace"));
	assert_non_null(strstr(t, "\033[32m\u2713\033[0m")); /* a green tick */
	assert_non_null(strstr(t, "\033[1;31m\u2717\033[0m")); /* a red cross */
	assert_non_null(strstr(t, "  A  landlock/read-only"));
	assert_null(strstr(t, "\033[31mred")); /* the model's own sequence is defused */
	free(t);
}

static void test_verdict_line(void **state)
{
	struct report r = {0};
	struct matrix m;
	struct sbuf s = {0};
	struct result x = {.backend = "landlock", .mode = "workspace-write", .probe = "fs.a", .category = "fs",
			   .effect = "write.outside", .observed = "blocked", .control = "allowed", .verdict = V_PASS,
			   .errno_name = "", .detail = ""};

	(void)state;
	assert_int_equal(report_add(&r, &x), 0);
	assert_int_equal(matrix_build(&r, &m), 0);
	report_verdict_line(&m, &s);
	assert_string_equal(s.s, "Sandbox: landlock/workspace-write ENFORCED");
	matrix_free(&m);
	sb_free(&s);
	x.probe = "fs.b", x.verdict = V_ESCAPE;
	assert_int_equal(report_add(&r, &x), 0);
	x.probe = "fs.c";
	assert_int_equal(report_add(&r, &x), 0);
	x.probe = "fs.d";
	assert_int_equal(report_add(&r, &x), 0);
	assert_int_equal(matrix_build(&r, &m), 0);
	report_verdict_line(&m, &s);
	assert_string_equal(s.s, "Sandbox: landlock/workspace-write NOT ENFORCED: 3 escapes");
	matrix_free(&m);
	sb_free(&s);
	/* many columns: four named, the rest counted */
	static const char *const modes[] = {"m2", "m3", "m4", "m5", "m6"};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		x.mode = (char *)modes[i];
		assert_int_equal(report_add(&r, &x), 0);
	}
	assert_int_equal(matrix_build(&r, &m), 0);
	report_verdict_line(&m, &s);
	assert_string_equal(s.s, "Sandbox: NOT ENFORCED: 8 escapes in landlock/workspace-write (3), landlock/m2 (1), "
				 "landlock/m3 (1), landlock/m4 (1) and 2 more");
	matrix_free(&m);
	sb_free(&s);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap),	 cmocka_unit_test(test_markdown),     cmocka_unit_test(test_html),
		cmocka_unit_test(test_terminal), cmocka_unit_test(test_verdict_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
