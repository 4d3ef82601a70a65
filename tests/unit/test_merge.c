/* merge: reports of several hosts become one model whose rows keep their
 * host; merged JUnit stays valid against docs/cagetest-junit.xsd; the CLI renders any
 * format and follows the run's exit rules. */
#include "../testutil.h"
#include "../../reports/merge.h"

static const struct row_spec linux_rows[] = {
	{"landlock", "read-only", "fs.create_outside", V_PASS, EXPECT_BLOCKED},
	{"landlock", "read-only", "git.config_write", V_PASS, EXPECT_BLOCKED},
	{"landlock", "workspace-write", "git.config_write", V_ESCAPE, EXPECT_BLOCKED},
};
static const struct row_spec mac_rows[] = {
	{"seatbelt", "read-only", "fs.create_outside", V_PASS, EXPECT_BLOCKED},
	{"seatbelt", "workspace-write", "git.config_write", V_PASS, EXPECT_BLOCKED},
};

static void test_merge_two_hosts(void **state)
{
	struct report a, b, m = {0};
	char *xml = NULL, err[128];

	(void)state;
	build_report(&a, "ubuntu-runner", "6.8.0", linux_rows, ARRAY_SIZE(linux_rows));
	build_report(&b, "mac-runner", "Darwin 24.1", mac_rows, ARRAY_SIZE(mac_rows));
	assert_int_equal(report_merge(&m, &a, NULL), 0);
	assert_int_equal(report_merge(&m, &b, NULL), 0);
	assert_int_equal(m.nhosts, 2);
	assert_string_equal(m.hosts[0].name, "ubuntu-runner");
	assert_string_equal(m.hosts[1].name, "mac-runner");
	assert_string_equal(m.hosts[1].kernel, "Darwin 24.1");
	assert_string_equal(m.host.name, "ubuntu-runner"); /* schema-1 readers see the first */
	assert_int_equal(m.nresults, 5);
	assert_string_equal(m.results[0].host, "ubuntu-runner");
	assert_string_equal(m.results[4].host, "mac-runner");
	assert_int_equal(m.summary[V_PASS], 4);
	assert_int_equal(m.summary[V_ESCAPE], 1);
	assert_string_equal(report_backend_at(&m, "mac-runner", "seatbelt")->host, "mac-runner");
	assert_non_null(report_explain_at(&m, "ubuntu-runner", "landlock", "read-only"));
	assert_null(report_explain_at(&m, "mac-runner", "landlock", "read-only"));

	/* JUnit: one testsuite per host and backend.mode, each with its own host's facts */
	assert_int_equal(report_junit(&m, &xml), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s:\n%s", err, xml);
	assert_non_null(strstr(xml, "<testsuite name=\"landlock.read-only@ubuntu-runner\""));
	assert_non_null(strstr(xml, "<testsuite name=\"seatbelt.read-only@mac-runner\""));
	assert_non_null(strstr(xml, "hostname=\"mac-runner\""));
	assert_non_null(strstr(xml, "<property name=\"kernel\" value=\"Darwin 24.1\"/>"));
	assert_non_null(strstr(xml, "<property name=\"host\" value=\"ubuntu-runner\"/>"));
	free(xml);
	report_free(&a);
	report_free(&b);
	report_free(&m);
}

/* Without folding, as --no-fold: every host keeps its rows. */
static int merge_each(struct report *dst, const struct report *src, const char *label)
{
	struct merge m;
	int r;

	assert_int_equal(merge_begin(&m, dst, false), 0);
	r = merge_add(&m, src, label);
	merge_end(&m);
	return r;
}

static void test_labels(void **state)
{
	struct report a, b, c, m = {0};

	(void)state;
	build_report(&a, "vm", "6.1", linux_rows, 1);
	build_report(&b, "vm", "6.1", linux_rows, 1);
	build_report(&c, NULL, "6.12.5", linux_rows, 1);
	assert_int_equal(merge_each(&m, &a, NULL), 0);
	assert_int_equal(merge_each(&m, &b, NULL), 0);
	assert_int_equal(merge_each(&m, &c, NULL), 0);
	assert_int_equal(merge_each(&m, &a, "debian-12"), 0);
	assert_int_equal(merge_each(&m, &a, "debian-12"), 0);
	assert_int_equal(m.nhosts, 5);
	assert_string_equal(m.hosts[0].name, "vm");
	assert_string_equal(m.hosts[1].name, "vm-2"); /* de-duplicated */
	assert_string_equal(m.hosts[2].name, "6.12.5"); /* no name: the kernel */
	assert_string_equal(m.hosts[3].name, "debian-12");
	assert_string_equal(m.hosts[4].name, "debian-12-2");
	assert_string_equal(m.results[1].host, "vm-2");
	for (size_t i = 0; i < m.nhosts; i++)
		assert_null(m.hosts[i].like);
	/* a label a person gives: no '/', no controls, not empty, not huge */
	assert_int_equal(merge_each(&m, &a, "a/b"), -EINVAL);
	assert_int_equal(merge_each(&m, &a, ""), -EINVAL);
	assert_int_equal(merge_each(&m, &a, "x\033[2J"), -EINVAL);
	char big[HOST_LABEL_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(merge_each(&m, &a, big), -EINVAL);
	assert_int_equal(m.nhosts, 5);
	assert_true(host_label_ok("docker-default") && host_label_ok("node 42: rack b"));
	report_free(&a);
	report_free(&b);
	report_free(&c);
	report_free(&m);
}

/* A merged report survives JSON and can be merged again; labels hold. */
static void test_merge_of_merged(void **state)
{
	struct report a, b, m = {0}, back, again = {0};
	char *text = NULL, err[256];

	(void)state;
	build_report(&a, "a", "6.1", linux_rows, ARRAY_SIZE(linux_rows));
	build_report(&b, "b", "6.2", mac_rows, ARRAY_SIZE(mac_rows));
	assert_int_equal(report_merge(&m, &a, NULL), 0);
	assert_int_equal(report_merge(&m, &b, NULL), 0);
	assert_int_equal(report_json(&m, &text), 0);
	assert_non_null(strstr(text, "\"hosts\":"));
	if (report_from_json(text, &back, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(back.nhosts, 2);
	assert_string_equal(back.results[3].host, "b");
	assert_int_equal(report_merge(&again, &back, NULL), 0);
	assert_int_equal(report_merge(&again, &a, NULL), 0);
	assert_int_equal(again.nhosts, 3);
	assert_string_equal(again.hosts[2].name, "a-2");
	assert_string_equal(again.results[3].host, "b");
	assert_string_equal(again.results[0].host, "a");
	/* a-2 has a's outcome: folded into it, its rows not kept twice */
	assert_int_equal(again.nresults, 5);
	assert_string_equal(again.hosts[2].like, "a");
	assert_null(again.hosts[0].like);
	assert_null(again.hosts[1].like);
	free(text);
	report_free(&a);
	report_free(&b);
	report_free(&m);
	report_free(&back);
	report_free(&again);
}

static void test_merge_cli(void **state)
{
	char a_path[] = BUILDDIR "/tests/merge-a.json", b_path[] = BUILDDIR "/tests/merge-b.json",
	     bad[] = BUILDDIR "/tests/merge-bad.json", out_json[] = BUILDDIR "/tests/merged.json",
	     out_xml[] = BUILDDIR "/tests/merged.junit.xml", out_html[] = BUILDDIR "/tests/merged.html";
	char args[2048], *out = NULL, *err = NULL, *xml = NULL, why[128];
	struct report a, b;

	(void)state;
	build_report(&a, "ubuntu", "6.8.0", linux_rows, ARRAY_SIZE(linux_rows));
	build_report(&b, "mac", "Darwin", mac_rows, ARRAY_SIZE(mac_rows));
	write_report(&a, a_path);
	write_report(&b, b_path);
	write_str(bad, "{\"tool\":\"cagetest\",\"schema\":1}");

	/* an escape in any host fails the merged run, like `run` */
	snprintf(args, sizeof(args), "merge -q %s linux-ci=%s --json %s --junit %s --html %s --tap - --markdown -", b_path,
		 a_path, out_json, out_xml, out_html);
	assert_int_equal(cli(args, &out, &err), 1);
	assert_non_null(strstr(out, "TAP version 14"));
	assert_non_null(strstr(out, "# Subtest: landlock.workspace-write@linux-ci"));
	assert_non_null(strstr(out, "| seatbelt/read-only@mac | ENFORCED: "));
	free(out), free(err);
	assert_int_equal(read_file(out_xml, 1 << 20, &xml, NULL), 0);
	if (validate_junit(xml, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	free(xml);

	snprintf(args, sizeof(args), "merge -q %s", b_path);
	assert_int_equal(cli(args, &out, &err), 0);
	free(out), free(err);
	snprintf(args, sizeof(args), "merge %s", b_path);
	assert_int_equal(cli(args, &out, &err), 0);
	assert_non_null(strstr(err, "Sandbox: ENFORCED in seatbelt/read-only@mac, seatbelt/workspace-write@mac"));
	free(out), free(err);

	snprintf(args, sizeof(args), "merge %s %s", a_path, bad);
	assert_int_equal(cli(args, &out, &err), 2);
	assert_non_null(strstr(err, "merge-bad.json: results: missing"));
	free(out), free(err);
	assert_int_equal(cli("merge /nonexistent/r.json", &out, &err), 2);
	assert_non_null(strstr(err, "/nonexistent/r.json: No such file"));
	free(out), free(err);
	assert_int_equal(cli("merge", &out, &err), 2);
	free(out), free(err);
	unlink(a_path), unlink(b_path), unlink(bad), unlink(out_json), unlink(out_xml), unlink(out_html);
	report_free(&a);
	report_free(&b);
}

/* Poor man's fuzzing of every reader and renderer here: truncations and
 * byte changes of the golden model are rejected cleanly or parse, merge and
 * render (run under `make SANITIZE=address,undefined check`). */
static void test_mangled_inputs(void **state)
{
	static const char subst[] = {'"', '}', ']', '\\', 0x01, (char)0xff, '9', 'x'};
	_cleanup_free_ char *orig = NULL;
	size_t len, parsed = 0;

	(void)state;
	assert_int_equal(read_file(SRCDIR "/tests/golden/model.json", 1 << 20, &orig, &len), 0);
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < len * 2; i += 5) {
		struct report r, m = {0};
		struct baseline b;
		char err[256];
		memcpy(buf, orig, len + 1);
		if (i < len)
			buf[i] = 0; /* truncated */
		else
			buf[i - len] = subst[(i / 5) % sizeof(subst)]; /* one byte changed */
		if (baseline_parse(buf, &b, err, sizeof(err)) == 0)
			baseline_free(&b);
		if (report_from_json(buf, &r, err, sizeof(err)) < 0) {
			assert_true(err[0]);
			continue;
		}
		parsed++;
		assert_int_equal(report_merge(&m, &r, NULL), 0);
		assert_int_equal(report_merge(&m, &r, NULL), 0);
		for (size_t f = 0; f < nwriters; f++) {
			char *text = NULL;
			assert_int_equal(writers[f].render(&m, NULL, &text), 0);
			free(text);
		}
		struct render_opts tty = {.tty = true, .color = true, .unicode = true};
		char *text = NULL;
		assert_int_equal(report_terminal(&m, &tty, &text), 0);
		free(text);
		report_free(&r);
		report_free(&m);
	}
	assert_true(parsed > 100);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_two_hosts),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_merge_of_merged),
		cmocka_unit_test(test_merge_cli),
		cmocka_unit_test(test_mangled_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
