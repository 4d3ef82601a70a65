/* diff: new escapes and overblocks make NEW worse (exit 1); fixed rows,
 * baselines (xfail) and coverage changes do not (exit 0); bad input exits 2. */
#include "../testutil.h"
#include "../../reports/merge.h"

static const bool default_fail[V__COUNT] = {[V_ESCAPE] = true, [V_OVERBLOCKED] = true};

struct change_case {
	const char *name;
	enum verdict old, new;
	enum expect expected;
	enum change kind; /* CHANGE__COUNT: no change */
	bool worse;
};

static const struct change_case cases[] = {
	{"same", V_PASS, V_PASS, EXPECT_BLOCKED, CHANGE__COUNT, false},
	{"new escape", V_PASS, V_ESCAPE, EXPECT_BLOCKED, CHANGE_NEW_ESCAPE, true},
	{"new overblock", V_PASS, V_OVERBLOCKED, EXPECT_ALLOWED, CHANGE_NEW_OVERBLOCK, true},
	{"escape to overblock", V_ESCAPE, V_OVERBLOCKED, EXPECT_BLOCKED, CHANGE_NEW_OVERBLOCK, true},
	{"fixed escape", V_ESCAPE, V_PASS, EXPECT_BLOCKED, CHANGE_FIXED, false},
	{"fixed overblock", V_OVERBLOCKED, V_PASS, EXPECT_ALLOWED, CHANGE_FIXED, false},
	{"baseline added", V_ESCAPE, V_XFAIL, EXPECT_BLOCKED, CHANGE_VERDICT, false},
	{"baseline dropped", V_XFAIL, V_ESCAPE, EXPECT_BLOCKED, CHANGE_VERDICT, false},
	{"known overblock now escapes", V_XFAIL, V_ESCAPE, EXPECT_ALLOWED, CHANGE_NEW_ESCAPE, true},
	{"pass to error", V_PASS, V_ERROR, EXPECT_BLOCKED, CHANGE_VERDICT, false},
	{"pass to skip", V_PASS, V_SKIP, EXPECT_BLOCKED, CHANGE_VERDICT, false},
	{"error to pass", V_ERROR, V_PASS, EXPECT_BLOCKED, CHANGE_VERDICT, false},
	{"escape still", V_ESCAPE, V_ESCAPE, EXPECT_BLOCKED, CHANGE__COUNT, false},
};

static void test_changes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct change_case *c = &cases[i];
		struct row_spec o = {"landlock", "workspace-write", "fs.a", c->old, c->expected},
				n = {"landlock", "workspace-write", "fs.a", c->new, c->expected};
		struct report old, new;
		struct diff d;
		build_report(&old, "h", "6.1", &o, 1);
		build_report(&new, "h", "6.1", &n, 1);
		assert_int_equal(report_diff(&old, &new, default_fail, &d), 0);
		if (c->kind == CHANGE__COUNT && d.n)
			fail_msg("%s: %zu changes, want none", c->name, d.n);
		if (c->kind != CHANGE__COUNT && (d.n != 1 || d.v[0].kind != c->kind))
			fail_msg("%s: %zu changes, kind %d, want kind %d", c->name, d.n, d.n ? (int)d.v[0].kind : -1,
				 (int)c->kind);
		if (d.worse != c->worse)
			fail_msg("%s: worse=%d", c->name, d.worse);
		diff_free(&d);
		report_free(&old);
		report_free(&new);
	}
}

/* What fails is --fail-on's choice, as for `run`. */
static void test_fail_on(void **state)
{
	static const bool with_error[V__COUNT] = {[V_ESCAPE] = true, [V_OVERBLOCKED] = true, [V_ERROR] = true};
	static const bool only_error[V__COUNT] = {[V_ERROR] = true};
	struct row_spec o = {"landlock", "read-only", "fs.a", V_PASS, EXPECT_BLOCKED},
			n = {"landlock", "read-only", "fs.a", V_ERROR, EXPECT_BLOCKED},
			e = {"landlock", "read-only", "fs.a", V_ESCAPE, EXPECT_BLOCKED};
	struct report old, new, esc;
	struct diff d;

	(void)state;
	build_report(&old, "h", "6.1", &o, 1);
	build_report(&new, "h", "6.1", &n, 1);
	build_report(&esc, "h", "6.1", &e, 1);
	assert_int_equal(report_diff(&old, &new, with_error, &d), 0);
	assert_int_equal(d.count[CHANGE_NEW_FAIL], 1);
	assert_true(d.worse);
	diff_free(&d);
	/* an escape is still listed as one, but does not fail when not asked */
	assert_int_equal(report_diff(&old, &esc, only_error, &d), 0);
	assert_int_equal(d.count[CHANGE_NEW_ESCAPE], 1);
	assert_false(d.worse);
	diff_free(&d);
	report_free(&old);
	report_free(&new);
	report_free(&esc);
}

static void test_added_removed(void **state)
{
	static const struct row_spec o[] = {
		{"landlock", "read-only", "fs.a", V_PASS, EXPECT_BLOCKED},
		{"landlock", "read-only", "fs.gone", V_ESCAPE, EXPECT_BLOCKED},
	};
	static const struct row_spec n[] = {
		{"landlock", "read-only", "fs.a", V_PASS, EXPECT_BLOCKED},
		{"landlock", "read-only", "fs.new_ok", V_PASS, EXPECT_BLOCKED},
		{"bwrap", "read-only", "fs.a", V_ESCAPE, EXPECT_BLOCKED},
	};
	struct report old, new;
	struct diff d;
	char *text = NULL;

	(void)state;
	build_report(&old, "h", "6.1", o, ARRAY_SIZE(o));
	build_report(&new, "h", "6.1", n, ARRAY_SIZE(n));
	assert_int_equal(report_diff(&old, &new, default_fail, &d), 0);
	assert_int_equal(d.count[CHANGE_ADDED], 1);
	assert_int_equal(d.count[CHANGE_REMOVED], 1);
	assert_int_equal(d.count[CHANGE_NEW_ESCAPE], 1); /* a new row that escapes is a new escape */
	assert_true(d.worse);
	assert_int_equal(diff_text(&d, &text), 0);
	assert_non_null(strstr(text, "new escape     bwrap/read-only fs.a: escape (only in NEW): evidence\n"));
	assert_non_null(strstr(text, "removed        landlock/read-only fs.gone: escape (only in OLD)"));
	assert_non_null(strstr(text, "diff: 1 new escapes, 0 new overblocks, 0 new failures, 0 fixed, 0 changed, 1 added, "
				     "1 removed: NEW is worse\n"));
	free(text);
	diff_free(&d);
	report_free(&old);
	report_free(&new);
}

static void test_diff_cli(void **state)
{
	static const struct row_spec base[] = {
		{"landlock", "workspace-write", "git.config_write", V_ESCAPE, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.create_outside", V_PASS, EXPECT_BLOCKED},
	};
	static const struct row_spec better[] = {
		{"landlock", "workspace-write", "git.config_write", V_PASS, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.create_outside", V_PASS, EXPECT_BLOCKED},
	};
	char old_p[] = BUILDDIR "/tests/diff-old.json", new_p[] = BUILDDIR "/tests/diff-new.json",
	     bad[] = BUILDDIR "/tests/diff-bad.json", args[1024], *out = NULL, *err = NULL;
	struct report o, n;

	(void)state;
	build_report(&o, "h", "6.1", base, ARRAY_SIZE(base));
	build_report(&n, "h", "6.1", better, ARRAY_SIZE(better));
	write_report(&o, old_p);
	write_report(&n, new_p);
	write_str(bad, "[]");

	snprintf(args, sizeof(args), "diff %s %s", old_p, old_p);
	assert_int_equal(cli(args, &out, &err), 0);
	assert_non_null(strstr(out, "NEW is the same"));
	free(out), free(err);
	snprintf(args, sizeof(args), "diff %s %s", old_p, new_p);
	assert_int_equal(cli(args, &out, &err), 0);
	assert_non_null(strstr(out, "fixed          landlock/workspace-write git.config_write: escape -> pass"));
	free(out), free(err);
	snprintf(args, sizeof(args), "diff %s %s", new_p, old_p);
	assert_int_equal(cli(args, &out, &err), 1);
	assert_non_null(strstr(out, "new escape     landlock/workspace-write git.config_write: pass -> escape"));
	assert_non_null(strstr(out, "NEW is worse"));
	free(out), free(err);
	snprintf(args, sizeof(args), "diff --fail-on error %s %s", new_p, old_p);
	assert_int_equal(cli(args, &out, &err), 0);
	free(out), free(err);

	snprintf(args, sizeof(args), "diff %s %s", old_p, bad);
	assert_int_equal(cli(args, &out, &err), 2);
	assert_non_null(strstr(err, "diff-bad.json: report: expected a JSON object"));
	free(out), free(err);
	snprintf(args, sizeof(args), "diff %s", old_p);
	assert_int_equal(cli(args, &out, &err), 2);
	assert_non_null(strstr(err, "diff needs OLD.json NEW.json"));
	free(out), free(err);
	snprintf(args, sizeof(args), "diff /nonexistent.json %s", old_p);
	assert_int_equal(cli(args, &out, &err), 2);
	assert_non_null(strstr(err, "/nonexistent.json: No such file"));
	free(out), free(err);
	unlink(old_p), unlink(new_p), unlink(bad);
	report_free(&o);
	report_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_fail_on),
		cmocka_unit_test(test_added_removed),
		cmocka_unit_test(test_diff_cli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
