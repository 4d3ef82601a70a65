/* Live: reports of a real run under the real kernel. Landlock lets
 * git.config_write escape in workspace-write (it cannot protect .git inside
 * a writable workspace), which gives a real escape to report, baseline and
 * diff. Also: the HTML in a real headless Chromium, the terminal on a real
 * pty, and doctor on this host. */
#include "../testutil.h"
#include "../../lib/proc.h"

#include <poll.h>
#include <sys/stat.h>

#define T BUILDDIR "/tests/live-rep"
#define PROBES "-p git.config_write,fs.create_outside,fs.write_workspace -m workspace-write"

static struct report first;
static int first_code;

static int setup(void **state)
{
	(void)state;
	mkdir(T, 0755);
	first_code = run_json(&first, PROBES " --junit " T "/r.junit.xml --tap " T "/r.tap --markdown " T
					 "/r.md --html " T "/r.html");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&first);
	rm_rf(T);
	return 0;
}

static char *slurp(const char *path)
{
	char *text = NULL;

	if (read_file(path, 16 << 20, &text, NULL) < 0)
		fail_msg("%s was not written", path);
	return text;
}

static void test_all_formats(void **state)
{
	char *t, err[128];

	(void)state;
	assert_int_equal(first_code, 1);
	assert_verdict(&first, "landlock", "workspace-write", "git.config_write", V_ESCAPE);
	assert_verdict(&first, "landlock", "workspace-write", "fs.create_outside", V_PASS);
	t = slurp(T "/r.junit.xml");
	if (validate_junit(t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(t);
	t = slurp(T "/r.tap");
	assert_true(!strncmp(t, "TAP version 14\n", 15));
	assert_non_null(strstr(t, "    not ok 3 - git.config_write\n"));
	assert_non_null(strstr(t, "not ok 1 - landlock.workspace-write"));
	free(t);
	t = slurp(T "/r.md");
	assert_non_null(strstr(t, "## Sandbox: landlock/workspace-write NOT ENFORCED: 1 escape"));
	assert_non_null(strstr(t, "| **escape** | landlock/workspace-write | git.config\\_write | ws/.git/config"));
	free(t);
	t = slurp(T "/r.html");
	assert_non_null(strstr(t, "<td class=\"v escape\">"));
	free(t);
}

/* A known-list baseline turns the real escape into xfail and the run into
 * exit 0; an entry whose rows pass now is listed as fixed. */
static void test_baseline_known_list(void **state)
{
	struct report r;
	int code;

	(void)state;
	write_str(T "/known.json",
		  "{\"known\":[{\"backend\":\"landlock\",\"mode\":\"workspace-*\",\"probe\":\"git.*\","
		  "\"reason\":\"Landlock cannot protect .git inside a writable root\"},"
		  "{\"backend\":\"landlock\",\"mode\":\"*\",\"probe\":\"fs.create_outside\",\"reason\":\"was broken once\"}]}");
	code = run_json(&r, PROBES " --baseline " T "/known.json");
	assert_int_equal(code, 0);
	assert_verdict(&r, "landlock", "workspace-write", "git.config_write", V_XFAIL);
	assert_verdict(&r, "landlock", "workspace-write", "fs.create_outside", V_PASS);
	assert_int_equal(r.nfixed_known, 1);
	assert_string_equal(r.fixed_known[0], "landlock/* fs.create_outside: was broken once (passes now)");
	report_free(&r);
	/* --fail-on xfail makes known failures fail again */
	code = run_json(&r, PROBES " --baseline " T "/known.json --fail-on escape,xfail");
	assert_int_equal(code, 1);
	report_free(&r);
}

/* The previous report as baseline; diff sees a baseline as no change in behaviour. */
static void test_baseline_report_and_diff(void **state)
{
	char *text = NULL, *out = NULL, *err = NULL;
	struct report r;

	(void)state;
	assert_int_equal(report_json(&first, &text), 0);
	write_str(T "/first.json", text);
	free(text);
	assert_int_equal(run_json(&r, PROBES " --baseline " T "/first.json"), 0);
	assert_verdict(&r, "landlock", "workspace-write", "git.config_write", V_XFAIL);
	const struct result *x = find_row(&r, "landlock", "workspace-write", "git.config_write");
	assert_true(x && strstr(x->detail, "known failure"));
	assert_int_equal(report_json(&r, &text), 0);
	write_str(T "/second.json", text);
	free(text);
	report_free(&r);

	assert_int_equal(cli("diff " T "/first.json " T "/second.json", &out, &err), 0);
	assert_non_null(strstr(out, "changed        landlock/workspace-write git.config_write: escape -> xfail"));
	free(out), free(err);
	/* without the baseline the old run is worse than the new one: nothing new escapes */
	assert_int_equal(cli("diff " T "/second.json " T "/first.json", &out, &err), 0);
	free(out), free(err);
}

/* The HTML in a real browser: a screenshot that is not blank, and the
 * filters' script ran without error. */
/* A headless browser, and timeout(1) to bound it. */
static bool find_chromium(char *browser, size_t n, char *to, size_t tn)
{
	static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (find_exec(names[i], browser, n) == 0)
			return find_exec("timeout", to, tn) == 0;
	return false;
}

static void test_html_in_chromium(void **state)
{
	char browser[4096], to[4096], shot[] = T "/shot.png", url[4200], size_arg[] = "--window-size=1400,900";
	char shot_arg[256], profile[256], *out = NULL, *err = NULL, *png = NULL;
	size_t len = 0;

	(void)state;
	if (!find_chromium(browser, sizeof(browser), to, sizeof(to))) {
		print_message("skip: no chromium on PATH (Debian: apt-get install chromium; ci/install-deps.sh does)\n");
		skip();
	}
	snprintf(url, sizeof(url), "file://%s", T "/r.html"); /* BUILDDIR is absolute */
	snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", shot);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s", T "/chromium");
	char *shoot[] = {to, "120", browser, "--headless", "--no-sandbox", "--disable-gpu", profile, shot_arg, size_arg,
			 url, NULL};
	int code = run_cmd(shoot, &out, &err);
	if (code != 0)
		fail_msg("chromium exit %d: %s", code, err);
	free(out), free(err);
	assert_int_equal(read_file(shot, 32 << 20, &png, &len), 0);
	/* a PNG of the window's size with real content (blank pages compress to a few KB) */
	assert_true(len > 24 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8) && !memcmp(png + 12, "IHDR", 4));
	unsigned w = (unsigned char)png[16] << 24 | (unsigned char)png[17] << 16 | (unsigned char)png[18] << 8 |
		     (unsigned char)png[19];
	unsigned h = (unsigned char)png[20] << 24 | (unsigned char)png[21] << 16 | (unsigned char)png[22] << 8 |
		     (unsigned char)png[23];
	assert_int_equal(w, 1400);
	assert_int_equal(h, 900);
	if (len < 30000)
		fail_msg("screenshot is only %zu bytes: the page rendered (nearly) blank", len);
	free(png);

	char *dump[] = {to, "120", browser, "--headless", "--no-sandbox", "--disable-gpu", profile, "--dump-dom", url, NULL};
	assert_int_equal(run_cmd(dump, &out, &err), 0);
	assert_non_null(strstr(out, "data-ready=\"1\""));
	assert_non_null(strstr(out, "3 of 3 probes shown"));
	free(out), free(err);

	/* the hostile golden page: its strings stay text, our script still runs */
	snprintf(url, sizeof(url), "file://%s", SRCDIR "/tests/golden/report.html");
	assert_int_equal(run_cmd(dump, &out, &err), 0);
	assert_non_null(strstr(out, "data-ready=\"1\""));
	assert_non_null(strstr(out, "7 of 7 probes shown"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	const char *script = strstr(out, "<script");
	assert_true(script && !strstr(script + 1, "<script")); /* ours, and only ours */
	free(out), free(err);
}

/* Two real runs named with --label, merged with a LABEL=: one line of the
 * grid for both (the same outcome), on top of the Markdown and of the page
 * Chromium renders. */
static void test_labelled_merge(void **state)
{
	char browser[4096], to[4096], *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("run -q " PROBES " --label docker-default --json " T "/a.json", &out, &err), 1);
	free(out), free(err);
	assert_int_equal(cli("run -q " PROBES " --label podman --json " T "/b.json", &out, &err), 1);
	free(out), free(err);
	assert_int_equal(cli("run -q " PROBES " --label a/b", &out, &err), 2);
	assert_non_null(strstr(err, "--label a/b: 1 to 200 bytes without '/'"));
	free(out), free(err);

	assert_int_equal(cli("merge -q " T "/a.json podman-default=" T "/b.json --html " T "/f.html --markdown -", &out, &err),
			 1);
	const char *grid = strstr(out, "### Hosts x backends");
	assert_non_null(grid);
	assert_true(grid < strstr(out, "| backend/mode | verdict"));
	assert_non_null(strstr(grid, "| 2 hosts like docker-default: podman-default | **NOT ENFORCED (workspace-write: 1)** |"));
	free(out), free(err);

	if (!find_chromium(browser, sizeof(browser), to, sizeof(to))) {
		print_message("skip: no chromium on PATH (Debian: apt-get install chromium; ci/install-deps.sh does)\n");
		skip();
	}
	char url[4200], profile[256];
	snprintf(url, sizeof(url), "file://%s", T "/f.html");
	snprintf(profile, sizeof(profile), "--user-data-dir=%s", T "/chromium");
	char *dump[] = {to, "120", browser, "--headless", "--no-sandbox", "--disable-gpu", profile, "--dump-dom", url, NULL};
	assert_int_equal(run_cmd(dump, &out, &err), 0);
	assert_non_null(strstr(out, "data-ready=\"1\"")); /* the page's script ran */
	const char *top = strstr(out, "<h2>Hosts x backends</h2>");
	assert_non_null(top);
	assert_true(top < strstr(out, "<h2>Matrix</h2>"));
	assert_non_null(strstr(top, "2 hosts like docker-default</a>"));
	free(out), free(err);
}

/* Run cagetest on a pty (a real terminal), with extra environment. */
static int on_pty(const char *args, const char *env, char **out)
{
	char cmd[1024], *argv[32];
	int argc = 0, master = posix_openpt(O_RDWR | O_NOCTTY), st = 0;
	struct sbuf b = {0};
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s %s", CAGETEST, args);
	for (char *t = strtok(cmd, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	assert_true(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	pid = fork();
	if (pid == 0) {
		int slave;
		setsid();
		slave = open(ptsname(master), O_RDWR);
		dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("NO_COLOR");
		if (env)
			putenv((char *)env);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		char buf[4096];
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, 120000) <= 0)
			break;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break; /* EIO once the child side is closed */
		for (ssize_t i = 0; i < n; i++)
			sb_putc(&b, buf[i]);
	}
	close(master);
	waitpid(pid, &st, 0);
	*out = sb_take(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_terminal_on_a_tty(void **state)
{
	char *t = NULL;

	(void)state;
	assert_int_equal(on_pty("run -p fs.write_workspace,git.config_write -m workspace-write", NULL, &t), 1);
	assert_non_null(strstr(t, "\r\033[Kcagetest: [")); /* the live progress line */
	assert_non_null(strstr(t, "cases, "));
	assert_non_null(strstr(t, "\033[1;31m1 escape\033[0m so far"));
	assert_non_null(strstr(t, "  A  landlock/workspace-write:"));	  /* the matrix key */
	assert_non_null(strstr(t, "\033[1;31m\u2717\033[0m"));		  /* the escape, red */
	assert_non_null(strstr(t, "hint: \033[0mre-mount .git read-only")); /* with the probe's hint */
	assert_non_null(strstr(t, "Sandbox: landlock/workspace-write NOT ENFORCED: 1 escape"));
	free(t);
	assert_int_equal(on_pty("run -p fs.write_workspace,fs.create_outside -m workspace-write", "NO_COLOR=1", &t), 0);
	assert_null(strstr(t, "\033[32m"));
	assert_non_null(strstr(t, "\u2713")); /* still the matrix, without colour */
	assert_non_null(strstr(t, "Sandbox: landlock/workspace-write ENFORCED"));
	free(t);
}

static void test_doctor(void **state)
{
	static const char *const facts[] = {"kernel ", "container ", "landlock ", "seccomp ", "user ns ", "bwrap ",
					    "cgroup ", "containment ", "tiocsti ", "io_uring ", "backends:"};
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("doctor --no-battery", &out, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(facts); i++)
		if (!strstr(out, facts[i]))
			fail_msg("doctor does not report '%s':\n%s", facts[i], out);
	assert_non_null(strstr(out, "Landlock ABI "));
	free(out), free(err);
	/* the bwrap line is the backend's own trial, so it agrees with the
	 * backend's availability; where user namespaces are forbidden (a real
	 * bwrap with --disable-userns stands in for such a container) as root,
	 * where bwrap still starts, and as a user, where it cannot */
	char bw[4096];
	if (find_exec("bwrap", bw, sizeof(bw)) == 0) {
		static const char *const as[][7] = {
			{"--unshare-user", "--disable-userns", NULL},
			{"--unshare-user", "--disable-userns", "--uid", "1000", "--cap-drop", "ALL", NULL},
		};
		for (size_t i = 0; i < ARRAY_SIZE(as); i++) {
			char *argv[24] = {bw, "--dev-bind", "/", "/"}, *list = NULL;
			size_t k = 4;
			for (size_t j = 0; as[i][j]; j++)
				argv[k++] = (char *)as[i][j];
			argv[k++] = "--", argv[k++] = CAGETEST, argv[k++] = "doctor", argv[k++] = "--no-battery";
			argv[k] = NULL;
			assert_int_equal(run_cmd(argv, &out, &err), 0);
			assert_non_null(strstr(out, "user ns       as "));
			assert_non_null(strstr(out, ": fails at unshare(CLONE_NEWUSER): "));
			const char *bwline = strstr(out, "\nbwrap         "), *avail = strstr(out, "\nbackends:\n");
			assert_non_null(bwline);
			assert_non_null(avail);
			bool works = strstr(bwline, ": works (") && strstr(bwline, ": works (") < avail;
			list = strstr(avail, "\nbwrap ");
			assert_non_null(list);
			if (works != !strncmp(list, "\nbwrap      available", 21))
				fail_msg("doctor's bwrap trial and its availability disagree:\n%s", out);
			if (i == 1) { /* no namespace for a user: the trial fails, and says how to run it */
				assert_false(works);
				assert_non_null(strstr(bwline, ": fails: "));
				assert_non_null(strstr(bwline, "ran: "));
			}
			free(out), free(err);
		}
	}
	/* the battery's answer follows the run's exit rules */
	assert_int_equal(cli("doctor -q -p git.config_write,fs.write_workspace", &out, &err), 1);
	assert_non_null(strstr(out, "  workspace-write with landlock: NOT ENFORCED: 1 escape (git.config_write)\n"));
	assert_non_null(strstr(out, "  read-only with landlock: ENFORCED: all 2 rows the mode should block were blocked\n"));
	assert_null(strstr(out, "danger-full-access with")); /* only confined modes */
	free(out), free(err);
	assert_int_equal(cli("doctor -q -b landlock -p fs.write_workspace,fs.create_outside -m read-only", &out, &err), 0);
	assert_non_null(strstr(out, "Sandbox: landlock/read-only ENFORCED"));
	free(out), free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_formats),	    cmocka_unit_test(test_baseline_known_list),
		cmocka_unit_test(test_baseline_report_and_diff), cmocka_unit_test(test_html_in_chromium),
		cmocka_unit_test(test_terminal_on_a_tty),	    cmocka_unit_test(test_doctor),
		cmocka_unit_test(test_labelled_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
