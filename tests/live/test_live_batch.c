/* Live: batching changes how many sandboxes start, never a verdict. The full
 * battery runs under none, landlock and bwrap in every mode twice, batched
 * (the default) and with one sandbox start per probe (--isolate), and every
 * row must agree: the same verdict from the same observation. firejail, when
 * installed, is held to the same in its modes. */
#include "../testutil.h"

#include <dirent.h>
#include <sys/stat.h>

static struct report batched, isolated;

static int setup(void **state)
{
	(void)state;
	run_json(&batched, "-b none,landlock,bwrap -m all");
	run_json(&isolated, "-b none,landlock,bwrap -m all --isolate");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&batched);
	report_free(&isolated);
	return 0;
}

/* Every row of a, in b with the same verdict and observation; the rows that
 * differ are listed, each with both details. */
static void same_rows(const struct report *a, const struct report *b)
{
	struct sbuf diff = {0};
	size_t ndiff = 0;

	assert_true(a->nresults > 0);
	if (a->nresults != b->nresults)
		fail_msg("%zu rows batched, %zu isolated", a->nresults, b->nresults);
	for (size_t i = 0; i < a->nresults; i++) {
		const struct result *x = &a->results[i];
		const struct result *y = find_row(b, x->backend, x->mode, x->probe);
		if (y && x->verdict == y->verdict && !strcmp(x->observed, y->observed))
			continue;
		if (ndiff++ < 20)
			sb_printf(&diff, "\n  %s.%s %s: batched %s/%s (%s); isolated %s/%s (%s)", x->backend, x->mode,
				  x->probe, verdict_name(x->verdict), x->observed, x->detail,
				  y ? verdict_name(y->verdict) : "missing", y ? y->observed : "-", y ? y->detail : "");
	}
	if (ndiff)
		fail_msg("%zu of %zu rows differ between batched and isolated runs:%s", ndiff, a->nresults, diff.s);
	sb_free(&diff);
}

static void test_builtin_backends_agree(void **state)
{
	(void)state;
	same_rows(&batched, &isolated);
	/* the comparison means something: every kind of outcome is in it */
	assert_true(batched.summary[V_PASS] > 0 && batched.summary[V_ESCAPE] > 0);
	assert_non_null(find_row(&batched, "bwrap", "danger-full-access", "proc.daemon_outlives"));
}

static void test_firejail_agrees(void **state)
{
	struct report a, b;
	char *out = NULL;
	char *argv[] = {CAGETEST, "list", "backends", NULL};

	(void)state;
	run_cmd(argv, &out, NULL);
	bool here = strstr(out, "\nfirejail   available") != NULL;
	free(out);
	if (!here)
		skip();
	run_json(&a, "-b firejail -m all");
	run_json(&b, "-b firejail -m all --isolate");
	same_rows(&a, &b);
	report_free(&a);
	report_free(&b);
}

/* Case directories a kept run left: one per sandbox start. */
static size_t cases_of(const char *args)
{
	static const char parent[] = BUILDDIR "/tests/batch-scratch";
	char cmd[512], dir[PATH_MAX] = "";
	struct report rep;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	rm_rf(parent);
	assert_int_equal(mkdir(parent, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s --keep --scratch %s", args, parent);
	run_json(&rep, cmd);
	report_free(&rep);
	d = opendir(parent);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "cagetest-", 9))
			fmt(dir, sizeof(dir), "%s/%s/cases", parent, e->d_name);
	if (d)
		closedir(d);
	d = dir[0] ? opendir(dir) : NULL;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	rm_rf(parent);
	return n;
}

/* Batches are real: the probes of a mode share a start, -jN splits them so
 * N workers have work, --isolate starts one per probe. Three probes batch,
 * git.rename_git runs alone (it moves .git); the control is one more mode. */
static void test_batches_are_real(void **state)
{
	static const char sel[] = "-b landlock -m workspace-write -p "
				  "fs.write_workspace,fs.create_outside,fs.overwrite_outside,git.rename_git";
	char args[256];

	(void)state;
	snprintf(args, sizeof(args), "%s -j1", sel);
	assert_int_equal(cases_of(args), 2 * (1 + 1));
	snprintf(args, sizeof(args), "%s -j4", sel);
	assert_int_equal(cases_of(args), 2 * (2 + 1));
	snprintf(args, sizeof(args), "%s --isolate", sel);
	assert_int_equal(cases_of(args), 2 * 4);
}

/* make bench reports, per backend, the floor and the harness batched and
 * isolated at -j1 and -jN, then the default matrix and the peak RSS (the
 * numbers are this machine's: only their presence is asserted). */
static void test_bench_reports(void **state)
{
	char *argv[] = {CAGETEST, "bench", "-p", "fs.write_workspace", "-j", "2", NULL}, *out = NULL;
	static const char *const lines[] = {"\nlandlock   -j1 ", "\nlandlock   -j2 ", "\nbwrap      -j1 ",
					    "\nbwrap      -j2 ", "\nmatrix     -b landlock,bwrap -m all, 8 rows: ",
					    "\nrunner peak RSS: "};

	(void)state;
	assert_int_equal(run_cmd(argv, &out, NULL), 0);
	assert_non_null(strstr(out, "batched(s)  ratio  isolated(s)"));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strstr(out, "failed") ||
		    (!strstr(out, lines[i]) && !(strstr(lines[i], "bwrap ") && strstr(out, "\nbwrap      unavailable"))))
			fail_msg("no line '%s' (or a failed one) in:\n%s", lines[i] + 1, out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_backends_agree),
		cmocka_unit_test(test_firejail_agrees),
		cmocka_unit_test(test_batches_are_real),
		cmocka_unit_test(test_bench_reports),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
