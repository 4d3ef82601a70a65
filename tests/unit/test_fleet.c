/* Fleets: merge folds hosts with the same outcome (rows once per distinct
 * outcome, hosts[].like), every report opens with the host x backend grid,
 * every distinct outcome stays reachable from it, and what a merge holds
 * and writes grows with the outcomes, not with the hosts (make bench
 * measures the time; here the sizes and the memory, structurally). */
#include "../testutil.h"
#include "../../reports/merge.h"

#include <sys/resource.h>

/* A fleet: hosts with the same outcome share one copy of their rows; every
 * distinct outcome keeps its own; JSON keeps who is like whom; diff and the
 * summary count every host. */
static const struct row_spec fleet_rows[] = {
	{"landlock", "read-only", "fs.create_outside", V_PASS, EXPECT_BLOCKED},
	{"landlock", "workspace-write", "git.config_write", V_ESCAPE, EXPECT_BLOCKED},
	{"bwrap", "workspace-write", "git.config_write", V_PASS, EXPECT_BLOCKED},
};

/* Host i of a fleet of n: 7 and 9 escape once more, 8 has another bwrap. */
static void fleet_host(struct report *r, size_t i)
{
	char name[32];

	snprintf(name, sizeof(name), "node-%04zu", i);
	build_report(r, name, "6.1", fleet_rows, ARRAY_SIZE(fleet_rows));
	if (i == 7 || i == 9)
		r->results[2].verdict = V_ESCAPE;
	if (i == 8) {
		free(r->backends[1].version);
		r->backends[1].version = strdup("0.9.0");
	}
	free(r->results[0].detail); /* evidence differs from run to run */
	r->results[0].detail = strdup(name);
	report_summarize(r);
}

static void test_fold(void **state)
{
	struct report one, m = {0}, back, each = {0};
	struct merge mg, me;
	char *text = NULL, err[256];
	struct diff d;
	static const bool fail[V__COUNT] = {[V_ESCAPE] = true};

	(void)state;
	assert_int_equal(merge_begin(&mg, &m, true), 0);
	assert_int_equal(merge_begin(&me, &each, false), 0);
	for (size_t i = 1; i <= 40; i++) {
		fleet_host(&one, i);
		assert_int_equal(merge_add(&mg, &one, NULL), 0);
		assert_int_equal(merge_add(&me, &one, NULL), 0);
		report_free(&one);
	}
	merge_end(&mg);
	merge_end(&me);
	/* three outcomes: node-0001's (38 hosts), node-0007's (with 9), node-0008's */
	assert_int_equal(m.nhosts, 40);
	assert_int_equal(m.nresults, 3 * ARRAY_SIZE(fleet_rows));
	assert_int_equal(each.nresults, 40 * ARRAY_SIZE(fleet_rows));
	assert_null(m.hosts[0].like);
	assert_string_equal(m.hosts[1].like, "node-0001");
	assert_null(m.hosts[6].like);
	assert_null(m.hosts[7].like);
	assert_string_equal(m.hosts[8].like, "node-0007");
	assert_string_equal(m.hosts[39].like, "node-0001");
	assert_int_equal(report_hosts_like(&m, "node-0001"), 37);
	assert_int_equal(report_hosts_like(&m, "node-0007"), 2);
	assert_int_equal(report_hosts_like(&m, "node-0008"), 1);
	assert_string_equal(report_backend_at(&m, "node-0008", "bwrap")->version, "0.9.0");
	assert_null(report_backend_at(&m, "node-0002", "bwrap")); /* it is node-0001's */
	/* every host's rows counted, as without folding */
	assert_memory_equal(m.summary, each.summary, sizeof(m.summary));
	assert_int_equal(m.summary[V_ESCAPE], 42);

	/* JSON: hosts[].like, read back as it was written */
	assert_int_equal(report_json(&m, &text), 0);
	assert_non_null(strstr(text, "\"like\":\t\"node-0001\""));
	/* a schema-1 reader would miss the folded hosts' rows: the number says so */
	assert_non_null(strstr(text, "\"schema\":\t2,"));
	char *unfolded = NULL; /* --no-fold: every host its own rows, schema 1 */
	assert_int_equal(report_json(&each, &unfolded), 0);
	assert_non_null(strstr(unfolded, "\"schema\":\t1,"));
	free(unfolded);
	if (report_from_json(text, &back, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(back.nresults, m.nresults);
	assert_string_equal(back.hosts[8].like, "node-0007");
	assert_memory_equal(back.summary, m.summary, sizeof(m.summary));

	/* diff sees every host: the folded report is the unfolded one */
	assert_int_equal(report_diff(&each, &back, fail, &d), 0);
	assert_int_equal(d.n, 0);
	diff_free(&d);
	/* merged again: the same folds; a new outcome is added */
	struct report again = {0};
	assert_int_equal(report_merge(&again, &back, NULL), 0);
	assert_int_equal(again.nresults, m.nresults);
	fleet_host(&one, 41);
	one.results[1].verdict = V_PASS;
	assert_int_equal(report_merge(&again, &one, NULL), 0);
	report_free(&one);
	assert_int_equal(again.nresults, m.nresults + ARRAY_SIZE(fleet_rows));
	report_free(&again);

	/* a change on many hosts is one line that names them */
	struct report worse = {0};
	assert_int_equal(merge_begin(&mg, &worse, true), 0);
	for (size_t i = 1; i <= 40; i++) {
		fleet_host(&one, i);
		one.results[0].verdict = V_ESCAPE;
		assert_int_equal(merge_add(&mg, &one, NULL), 0);
		report_free(&one);
	}
	merge_end(&mg);
	assert_int_equal(report_diff(&back, &worse, fail, &d), 0);
	assert_int_equal(d.count[CHANGE_NEW_ESCAPE], 40);
	assert_true(d.worse);
	free(text);
	assert_int_equal(diff_text(&d, &text), 0);
	if (!strstr(text, "new escape     landlock/read-only fs.create_outside on 40 hosts (node-0001, node-0002, "
			  "node-0003, node-0004, node-0005, node-0006, node-0007, node-0008, node-0009, node-0010 and 30 "
			  "more): pass -> escape"))
		fail_msg("%s", text);
	diff_free(&d);
	free(text);
	report_free(&worse);

	/* a like that names no host with rows is refused */
	assert_int_equal(report_json(&m, &text), 0);
	char *at = strstr(text, "\"like\":\t\"node-0007\"");
	assert_non_null(at);
	memcpy(at + 9, "node-0009", 9); /* node-0009 like itself */
	assert_int_equal(report_from_json(text, &one, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ".like: names no host"));
	free(text);
	/* and a folded host in a report that says schema 1 */
	assert_int_equal(report_json(&m, &text), 0);
	at = strstr(text, "\"schema\":\t2,");
	assert_non_null(at);
	at[10] = '1';
	assert_int_equal(report_from_json(text, &one, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ".like: a folded host needs schema 2"));
	free(text);
	report_free(&back);
	report_free(&m);
	report_free(&each);
}

/* The 40-host fleet of test_fold, folded. */
static void fleet(struct report *m, size_t n)
{
	struct report one;
	struct merge mg;

	memset(m, 0, sizeof(*m));
	assert_int_equal(merge_begin(&mg, m, true), 0);
	for (size_t i = 1; i <= n; i++) {
		fleet_host(&one, i);
		assert_int_equal(merge_add(&mg, &one, NULL), 0);
		report_free(&one);
	}
	merge_end(&mg);
}

static size_t at(const char *text, const char *what)
{
	const char *p = strstr(text, what);

	if (!p)
		fail_msg("'%s' is not in:\n%.2000s", what, text);
	return (size_t)(p - text);
}

/* The grid comes first: before the host facts, the summary, the matrix. */
static void test_grid_on_top(void **state)
{
	struct report m;
	struct render_opts plain = {0}, tty = {.tty = true, .unicode = true};
	char *html = NULL, *md = NULL, *txt = NULL, *xml = NULL, why[256];

	(void)state;
	fleet(&m, 40);
	assert_int_equal(report_html(&m, NULL, &html), 0);
	size_t grid = at(html, "<h2>Hosts x backends</h2>");
	assert_true(grid < at(html, "<h2>Hosts</h2>"));
	assert_true(grid < at(html, "<h2>Summary</h2>"));
	assert_true(grid < at(html, "<h2>Matrix</h2>"));
	assert_true(grid > at(html, "<h1")); /* under the verdict line */
	/* agreeing hosts on one line, the most first, each cell a verdict */
	assert_true(at(html, "37 hosts like node-0001") < at(html, "2 hosts like node-0007"));
	assert_true(at(html, "2 hosts like node-0007") < at(html, ">node-0008</a>"));
	at(html, "40 hosts, 3 distinct outcomes");
	at(html, "NOT ENFORCED (workspace-write: 1)</td>");
	at(html, "1 verdict differs from node-0001");
	at(html, "the verdicts of node-0001; the backends differ (a version, a note, what they applied)"); /* bwrap 0.9.0 */

	assert_int_equal(report_markdown(&m, NULL, &md), 0);
	size_t mgrid = at(md, "### Hosts x backends");
	assert_true(mgrid < at(md, "| host | kernel"));
	assert_true(mgrid < at(md, "| backend/mode | verdict"));
	at(md, "| 37 hosts like node-0001: node-0002, node-0003, node-0004, node-0005, node-0006, node-0010, node-0011, "
	       "node-0012, node-0013, node-0014 and 26 more | **NOT ENFORCED (workspace-write: 1)** | **ENFORCED** |");
	at(md, "| 2 hosts like node-0007: node-0009 |");

	for (int pass = 0; pass < 2; pass++) { /* plain lines and a TTY's matrix */
		assert_int_equal(report_terminal(&m, pass ? &tty : &plain, &txt), 0);
		size_t tgrid = at(txt, "  hosts ");
		assert_true(at(txt, "40 hosts, 3 distinct outcomes") < tgrid);
		assert_true(tgrid < at(txt, "landlock/read-only@node-0001 (+36)"));
		at(txt, "    like it: node-0009\n");
		free(txt);
	}
	/* JUnit names them too, and stays valid */
	assert_int_equal(report_junit(&m, &xml), 0);
	if (validate_junit(xml, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	at(xml, "<property name=\"hosts.like\" value=\"node-0009\"/>");
	free(xml), free(html), free(md);
	report_free(&m);
}

/* Every distinct outcome is one line of the grid that links to its own
 * columns of the matrix, and every host is named. */
static void test_outcomes_reachable(void **state)
{
	struct report m;
	char *html = NULL, want[128];
	size_t lines = 0;

	(void)state;
	fleet(&m, 40);
	assert_int_equal(report_html(&m, NULL, &html), 0);
	char *grid = strndup(html + at(html, "<h2>Hosts x backends</h2>"), at(html, "<h2>Hosts</h2>"));
	assert_non_null(grid);
	for (size_t i = 0; i < m.nhosts; i++) {
		if (m.hosts[i].like) { /* in its line's list */
			snprintf(want, sizeof(want), "<summary>and the %zu like it</summary>", report_hosts_like(&m, m.hosts[i].like) - 1);
			const char *list = grid + at(grid, want);
			snprintf(want, sizeof(want), "%s", m.hosts[i].name);
			assert_true(at(list, want) < at(list, "</details>"));
			continue;
		}
		lines++;
		snprintf(want, sizeof(want), "<a href=\"#h-%zu\">", i); /* the grid's link */
		assert_true(at(html, want) < at(html, "<h2>Matrix</h2>"));
		snprintf(want, sizeof(want), " id=\"h-%zu\">", i); /* to its columns */
		assert_true(at(html, want) > at(html, "<h2>Matrix</h2>"));
		snprintf(want, sizeof(want), "landlock @ %s", m.hosts[i].name);
		at(html, want);
	}
	assert_int_equal(lines, 3);
	free(grid);
	/* the row that differs is in the matrix under each outcome's host */
	at(html, "<dt>column</dt><dd>bwrap/workspace-write@node-0007 (+1)</dd><dt>effect</dt><dd>write.outside</dd>"
		 "<dt>expected</dt><dd>blocked</dd><dt>observed</dt><dd>blocked</dd><dt>control</dt><dd>allowed</dd>");
	free(html);
	report_free(&m);
}

/* More agreeing hosts add their facts and names to a report, not rows. */
static void test_size_grows_with_outcomes(void **state)
{
	struct report small, big;
	size_t len[2][3];

	(void)state;
	fleet(&small, 10); /* the same three outcomes... */
	fleet(&big, 400);  /* ... and 390 more hosts */
	assert_int_equal(big.nresults, small.nresults);
	for (int i = 0; i < 2; i++) {
		const struct report *r = i ? &big : &small;
		char *t[3] = {0};
		assert_int_equal(report_html(r, NULL, &t[0]), 0);
		assert_int_equal(report_markdown(r, NULL, &t[1]), 0);
		assert_int_equal(report_json(r, &t[2]), 0);
		for (int f = 0; f < 3; f++) {
			len[i][f] = strlen(t[f]);
			free(t[f]);
		}
	}
	/* per host: a line of facts and its name (HTML), a name at most
	 * (Markdown), its facts and its verdicts (JSON) */
	assert_true(len[1][0] - len[0][0] < 390 * 400);
	assert_true(len[1][1] - len[0][1] < 200);
	assert_true(len[1][2] - len[0][2] < 390 * 2000);
	report_free(&small);
	report_free(&big);
}

/* A report of n rows with evidence that differs from host to host; variant
 * 1 escapes once more. */
static void big_report(struct report *r, const char *name, size_t n, int variant)
{
	char probe[32], detail[512];

	build_report(r, name, "6.1", NULL, 0);
	struct backend_info b = {.name = "landlock", .available = true, .version = "abi 7"};
	assert_int_equal(report_add_backend(r, &b), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(probe, sizeof(probe), "fs.p%04zu", i);
		snprintf(detail, sizeof(detail), "%s: outside/ct%s%04zu.txt unchanged; box saw: open O_WRONLY|O_TRUNC: "
						 "EACCES; the evidence of one run, with its tokens and paths, %0100d",
			 name, name, i, 0);
		struct result x = {
			.backend = "landlock", .mode = i % 2 ? "read-only" : "workspace-write", .probe = probe,
			.category = "fs", .effect = "write.outside", .expected = EXPECT_BLOCKED, .observed = "blocked",
			.control = "allowed", .verdict = variant == 1 && i == 7 ? V_ESCAPE : V_PASS, .errno_name = "EACCES",
			.detail = detail, .duration_ms = 1.5,
		};
		assert_int_equal(report_add(r, &x), 0);
	}
	report_summarize(r);
}

/* `cagetest merge ARGS` with its peak RSS in KB; returns the exit code. */
static int merge_rss(char *const *argv, long *kb)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		/* under make SANITIZE=address, what the merge frees is not held back */
		char asan[1024];
		const char *was = getenv("ASAN_OPTIONS");
		snprintf(asan, sizeof(asan), "%s%squarantine_size_mb=0", was ? was : "", was && *was ? ":" : "");
		setenv("ASAN_OPTIONS", asan, 1);
		dup2(null, 1), dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &st, 0, &ru), pid);
	*kb = ru.ru_maxrss;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The CLI reads one report at a time: merging ten times the hosts of the
 * same outcomes takes about the same memory, where keeping every report
 * would take tens of MB more; --no-fold keeps every host's rows. */
static void test_cli_fleet(void **state)
{
	enum { ROWS = 1000, FEW = 6, MANY = 60 };
	char dir[] = BUILDDIR "/tests/fleet.XXXXXX", path[512], json[512], *argv[MANY + 8], *text = NULL, err[256];
	long kb[3];
	struct report r, back;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* written by a child: a merge forked from this process starts with its
	 * memory, and its peak RSS with it */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (size_t i = 1; i <= MANY; i++) {
			char name[32];
			snprintf(name, sizeof(name), "node-%04zu", i);
			big_report(&r, name, ROWS, i == 30);
			snprintf(path, sizeof(path), "%s/%zu.json", dir, i);
			write_report(&r, path);
			report_free(&r);
		}
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(json, sizeof(json), "%s/merged.json", dir);
	for (int pass = 0; pass < 3; pass++) {
		size_t n = pass == 0 ? FEW : MANY, k = 0;
		argv[k++] = CAGETEST;
		argv[k++] = "merge";
		if (pass == 2)
			argv[k++] = "--no-fold";
		for (size_t i = 1; i <= n; i++) {
			snprintf(path, sizeof(path), "%s%s/%zu.json", i == 1 ? "first=" : "", dir, i); /* a label */
			argv[k++] = strdup(path);
		}
		argv[k++] = "--json";
		argv[k++] = json;
		argv[k] = NULL;
		long rss;
		assert_int_equal(merge_rss(argv, &rss), pass == 0 ? 0 : 1); /* node-0030 escapes */
		kb[pass] = rss;
		for (size_t i = 0; i < n; i++)
			free(argv[k - 2 - n + i]);
		assert_int_equal(read_file(json, 1 << 30, &text, NULL), 0);
		if (report_from_json(text, &back, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		free(text);
		assert_int_equal(back.nhosts, n);
		assert_string_equal(back.hosts[0].name, "first");
		/* rows: once per outcome, or (--no-fold) once per host */
		assert_int_equal(back.nresults, (pass == 0 ? 1 : pass == 1 ? 2 : MANY) * ROWS);
		assert_int_equal(report_rows(&back), n * ROWS);
		report_free(&back);
	}
	print_message("peak RSS of merge: %d hosts %ld KB, %d hosts %ld KB, %d with --no-fold %ld KB\n", FEW, kb[0], MANY,
		      kb[1], MANY, kb[2]);
	/* 54 more hosts of 1000 rows: 150-250 MB kept (--no-fold), a second outcome and
	 * facts folded */
	if (kb[1] - kb[0] > 16 * 1024)
		fail_msg("merge of %d hosts peaks at %ld KB, of %d at %ld KB", MANY, kb[1], FEW, kb[0]);
	/* and the measure tells the two apart: every report kept is more */
	if (kb[2] - kb[0] < 64 * 1024)
		fail_msg("merge --no-fold of %d hosts peaks at %ld KB, of %d (folded) at %ld KB", MANY, kb[2], FEW, kb[0]);
	assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_grid_on_top),
		cmocka_unit_test(test_outcomes_reachable),
		cmocka_unit_test(test_size_grows_with_outcomes),
		cmocka_unit_test(test_cli_fleet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
