/* Live, `make check-peers`: the codex and srt adapters against the real
 * tools, each in the pinned versions ci/install-peers.sh installed side by
 * side (peers/pinned.txt: the latest and one older release). Every version
 * runs the whole battery; its report is kept in peers/reports/, and
 * `cagetest diff` between the two versions of a product is kept next to them
 * (README: what changed between versions). Asserts the verdicts measured on
 * each version, that the tools' own failures are errors with their stderr,
 * that a batch keeps a mode to a few starts, and that srt's /tmp litter
 * stays in the case. */
#include "../testutil.h"

#include "../../probes/probe.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#define PEERS SRCDIR "/peers"
#define MAX_PEERS 8

struct peer {
	char product[16], version[32], bin[PATH_MAX];
	char json[PATH_MAX];
	struct report rep;
	int code;
};

static struct peer peers[MAX_PEERS];
static size_t npeers;
static char base_path[8192];
static char junit_path[] = BUILDDIR "/tests/live-peers.junit.xml";

/* Verdicts measured on this machine, per product and version (a glob). */
static const struct fact {
	const char *product, *version, *mode, *probe;
	enum verdict v;
} measured[] = {
	{"codex", "*", "workspace-write", "git.config_write", V_PASS},
	{"codex", "*", "workspace-write", "git.codex_config", V_PASS},
	{"codex", "*", "workspace-write", "net.tcp4_loopback", V_PASS},
	{"codex", "*", "workspace-net", "net.tcp4_loopback", V_PASS},
	{"codex", "*", "workspace-write", "fs.write_tmp", V_PASS},
	{"codex", "*", "read-only", "fs.read_outside", V_PASS},
	/* what codex 0.169 and 0.171 do not protect: a nested repository, a
	 * planted hard link, and the read-only binds once the box makes its own
	 * user + mount namespace (it may) */
	{"codex", "0.1[67]*", "workspace-write", "git.nested_hook", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "fs.hardlink_planted", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "priv.userns_create", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "ns.pivot_git", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "ns.clone3_git", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-net", "ns.pivot_codex", V_ESCAPE},
	/* codex closes inherited fds in every mode, danger-full-access too: a
	 * write through one is blocked where nothing is expected to be */
	{"codex", "*", "danger-full-access", "fs.leaked_fd_write", V_OVERBLOCKED},
	{"codex", "*", "danger-full-access", "proc.fd_inventory", V_OVERBLOCKED},
	{"srt", "*", "workspace-write", "fs.write_tmp", V_PASS},
	{"srt", "*", "workspace-write", "git.config_write", V_PASS}, /* denyWrite .git */
	{"srt", "*", "workspace-write", "net.tcp4_loopback", V_PASS},
	/* a direct socket never leaves (only its proxy does) */
	{"srt", "*", "workspace-net", "net.tcp4_loopback", V_OVERBLOCKED},
	{"srt", "*", "danger-full-access", "fs.write_workspace", V_SKIP},
	/* srt 0.0.78 let the box make a user namespace and undo its binds, and
	 * missed a nested repository; 0.0.83 closes all three */
	{"srt", "0.0.78", "workspace-write", "git.nested_hook", V_ESCAPE},
	{"srt", "0.0.78", "workspace-write", "priv.userns_create", V_ESCAPE},
	{"srt", "0.0.78", "workspace-write", "ns.pivot_git", V_ESCAPE},
	{"srt", "0.0.78", "workspace-net", "ns.clone_git", V_ESCAPE},
	{"srt", "0.0.83", "workspace-write", "git.nested_hook", V_PASS},
	{"srt", "0.0.83", "workspace-write", "priv.userns_create", V_PASS},
	{"srt", "0.0.83", "workspace-write", "ns.pivot_git", V_PASS},
	{"srt", "0.0.83", "workspace-net", "ns.clone_git", V_PASS},
	/* the classes of 2024-2026: srt refuses socket(AF_UNIX) and nothing
	 * else, so a datagram socketpair reaches host sockets; its proxies
	 * refuse every spelling; its .git scan stops at depth 3 */
	{"srt", "*", "read-only", "ipc.unix_dgram", V_ESCAPE},
	{"srt", "*", "workspace-write", "ipc.socketpair_sendto", V_ESCAPE},
	{"srt", "*", "workspace-write", "ipc.scm_rights", V_ESCAPE},
	{"srt", "*", "workspace-write", "ipc.io_uring_unix", V_PASS},
	{"srt", "*", "workspace-write", "ipc.i386_unix", V_PASS},
	{"srt", "*", "workspace-net", "net.proxy_socks_nul", V_PASS},
	{"srt", "*", "workspace-net", "net.proxy_http_host", V_PASS},
	{"srt", "*", "workspace-net", "net.proxy_connect_forms", V_PASS},
	{"srt", "*", "workspace-write", "git.nested_deep", V_ESCAPE},
	{"srt", "*", "workspace-write", "git.bare_repo", V_ESCAPE},
	{"srt", "*", "workspace-write", "fs.relaunch_follow", V_PASS},
	/* codex (no network) denies connect, sendto and bind, not sendmsg */
	{"codex", "0.1[67]*", "read-only", "ipc.socketpair_sendto", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "ipc.unix_dgram", V_ESCAPE},
	{"codex", "0.1[67]*", "workspace-write", "git.nested_deep", V_ESCAPE},
	{"codex", "*", "read-only", "ipc.i386_unix", V_PASS},
	{"codex", "*", "workspace-write", "fs.relaunch_follow", V_PASS},
};

/* Every version must keep these: writes outside, HOME, must-work. */
static const char *const outside[] = {"fs.create_outside", "fs.overwrite_outside", "fs.symlink_file",
				      "fs.home_bashrc", "fs.dotdot_path", "ns.pivot_outside"};
static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};

/* PATH with a peer's bin dir first. */
static void use_peer(const struct peer *p)
{
	char path[sizeof(base_path) + PATH_MAX];

	snprintf(path, sizeof(path), "%s:%s", p->bin, base_path);
	setenv("PATH", path, 1);
}

/* The first pinned version of product (the newest); an empty peer if none. */
static const struct peer *latest(const char *product)
{
	static const struct peer none;

	for (size_t i = 0; i < npeers; i++)
		if (!strcmp(peers[i].product, product))
			return &peers[i];
	return &none;
}

/* `cagetest run -q ARGS --json FILE`, then FILE read back. */
static int run_kept(struct report *rep, const char *args, const char *json)
{
	char cmd[4096], perr[256], *err = NULL;
	_cleanup_free_ char *text = NULL;
	int code;

	snprintf(cmd, sizeof(cmd), "run -q --json %s %s", json, args);
	code = cli(cmd, NULL, &err);
	if (read_file(json, 64 << 20, &text, NULL) < 0 || report_from_json(text, rep, perr, sizeof(perr)) < 0)
		fail_msg("cagetest %s: exit %d, no report in %s; stderr: %s", args, code, json, err);
	free(err);
	return code;
}

static int setup(void **state)
{
	_cleanup_free_ char *pinned = NULL;
	char *save = NULL;

	(void)state;
	snprintf(base_path, sizeof(base_path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	if (read_file(PEERS "/pinned.txt", 1 << 16, &pinned, NULL) < 0) {
		fprintf(stderr, "no %s/pinned.txt: run ci/install-peers.sh\n", PEERS);
		return -1;
	}
	mkdir(PEERS "/reports", 0755);
	for (char *line = strtok_r(pinned, "\n", &save); line && npeers < MAX_PEERS; line = strtok_r(NULL, "\n", &save)) {
		struct peer *p = &peers[npeers];
		char args[512], product[16], version[32];
		if (sscanf(line, "%15s %31s %4095s", product, version, p->bin) != 3)
			continue;
		/* the latest codex also writes the JUnit checked below */
		bool first_codex = !strcmp(product, "codex") && !latest("codex")->product[0];
		snprintf(p->product, sizeof(p->product), "%s", product);
		snprintf(p->version, sizeof(p->version), "%s", version);
		snprintf(p->json, sizeof(p->json), PEERS "/reports/%s-%s.json", product, version);
		if (first_codex)
			snprintf(args, sizeof(args), "-b codex -m all --junit %s", junit_path);
		else
			snprintf(args, sizeof(args), "-b %s -m all", p->product);
		use_peer(p);
		p->code = run_kept(&p->rep, args, p->json);
		npeers++;
	}
	setenv("PATH", base_path, 1);
	return npeers ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < npeers; i++)
		report_free(&peers[i].rep);
	unlink(junit_path);
	return 0;
}

static void need(const struct peer *p)
{
	const struct backend_info *b = report_backend(&p->rep, p->product);

	assert_non_null(b);
	if (!b->available)
		fail_msg("%s %s is not available (%s): run ci/install-peers.sh", p->product, p->version, b->reason);
	if (!b->version || !strstr(b->version, p->version))
		fail_msg("%s: version '%s', pinned %s", p->product, b->version ? b->version : "", p->version);
	for (size_t i = 0; i < p->rep.nresults; i++)
		if (p->rep.results[i].verdict == V_ERROR)
			fail_msg("%s %s.%s %s: error: %s", p->product, p->version, p->rep.results[i].mode,
				 p->rep.results[i].probe, p->rep.results[i].detail);
}

/* The rows of one backend.mode share a few invocations: the sum of their
 * times is a few starts, not one start per probe. */
static void batch_cost(const struct report *r, const char *mode, double start_s)
{
	double sum = 0;
	size_t alone = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		const struct probe *p = probe_find(r->results[i].probe);
		if (strcmp(r->results[i].mode, mode))
			continue;
		sum += r->results[i].duration_ms / 1000;
		/* these never share an invocation (run.c) */
		alone += p && ((p->flags & PROBE_SOLO) || (p->needs & (NEED_PTY | NEED_FD)));
	}
	if (sum > start_s * (double)(alone + 4))
		fail_msg("%s.%s: %.1f s of sandbox time for one mode (at most %.0f s: %zu probes alone, a few batches)",
			 r->results[0].backend, mode, sum, start_s * (double)(alone + 4), alone);
}

/* Each pinned version: judged without errors, the outside of the workspace
 * held, and the verdicts measured on it. */
static void test_versions(void **state)
{
	size_t checked = 0;

	(void)state;
	for (size_t i = 0; i < npeers; i++) {
		const struct peer *p = &peers[i];
		need(p);
		assert_int_equal(p->code, 1);
		for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
			for (size_t k = 0; k < ARRAY_SIZE(outside); k++)
				assert_verdict(&p->rep, p->product, confined[m], outside[k], V_PASS);
			batch_cost(&p->rep, confined[m], !strcmp(p->product, "srt") ? 4 : 2);
		}
		assert_verdict(&p->rep, p->product, "read-only", "fs.write_workspace", V_PASS);
		assert_verdict(&p->rep, p->product, "workspace-write", "fs.write_workspace", V_PASS);
		for (size_t k = 0; k < ARRAY_SIZE(measured); k++) {
			const struct fact *f = &measured[k];
			if (strcmp(f->product, p->product) || fnmatch(f->version, p->version, 0))
				continue;
			assert_verdict(&p->rep, p->product, f->mode, f->probe, f->v);
			checked++;
		}
	}
	assert_true(checked > 0);
}

/* What changed between the two pinned versions of each product, as
 * `cagetest diff OLD NEW` says it; kept in peers/reports/ for README. */
static void test_version_diff(void **state)
{
	static const char *const products[] = {"codex", "srt"};

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(products); k++) {
		const struct peer *newest = latest(products[k]), *oldest = newest;
		for (size_t i = 0; i < npeers; i++)
			if (!strcmp(peers[i].product, products[k]))
				oldest = &peers[i];
		if (newest == oldest)
			fail_msg("%s: ci/install-peers.sh pins fewer than two versions", products[k]);
		char *argv[] = {CAGETEST, "diff", (char *)oldest->json, (char *)newest->json, NULL}, *out = NULL, path[PATH_MAX];
		int code = run_cmd(argv, &out, NULL);
		if ((code != 0 && code != 1) || !strstr(out, "diff: "))
			fail_msg("cagetest diff %s %s: exit %d: %s", oldest->json, newest->json, code, out);
		snprintf(path, sizeof(path), PEERS "/reports/%s-%s-to-%s.diff", products[k], oldest->version,
			 newest->version);
		assert_int_equal(write_str(path, out), 0);
		free(out);
	}
}

static void test_codex_junit(void **state)
{
	char *xml = NULL, err[128];

	(void)state;
	assert_int_equal(read_file(junit_path, 16 << 20, &xml, NULL), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(xml, "<property name=\"backend.version\" value=\"codex-cli"));
	free(xml);
}

static void test_codex_danger(void **state)
{
	const struct report *r = &latest("codex")->rep;

	(void)state;
	for (size_t i = 0; i < r->nresults; i++)
		if (!strcmp(r->results[i].mode, "danger-full-access") && r->results[i].verdict != V_PASS &&
		    r->results[i].verdict != V_SKIP && strcmp(r->results[i].probe, "fs.leaked_fd_write") &&
		    strcmp(r->results[i].probe, "proc.fd_inventory"))
			fail_msg("danger-full-access %s: %s", r->results[i].probe, r->results[i].detail);
	const struct result *row = find_row(&latest("srt")->rep, "srt", "danger-full-access", "fs.write_workspace");
	if (!row || !strstr(row->detail, "srt has no danger-full-access mode"))
		fail_msg("srt's danger-full-access skips without saying why");
}

/* codex refuses a CODEX_HOME under TMPDIR and exits before the agent runs:
 * errors carrying its message, never verdicts. */
static void test_codex_failure_is_error(void **state)
{
	struct report rep = {0};

	(void)state;
	use_peer(latest("codex"));
	assert_int_equal(run_json(&rep, "-b codex-tmphome -m read-only -p fs.create_outside,fs.write_workspace,"
					"git.config_write --adapter " SRCDIR "/tests/data/codex-tmphome.json"),
			 3);
	setenv("PATH", base_path, 1);
	assert_int_equal(rep.nresults, 3);
	for (size_t i = 0; i < rep.nresults; i++)
		if (rep.results[i].verdict != V_ERROR || !strstr(rep.results[i].detail, "codex-linux-sandbox"))
			fail_msg("%s: %s (%s)", rep.results[i].probe, verdict_name(rep.results[i].verdict),
				 rep.results[i].detail);
	report_free(&rep);
}

static size_t count_mux(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += fnmatch("srt-mux-*.sock", e->d_name, 0) == 0;
	if (d)
		closedir(d);
	return n;
}

/* srt 0.0.78 leaves /tmp/srt-mux-*.sock behind (0.0.83 no longer does):
 * with a private /tmp per case (as root) they land in the case's tmp/, and
 * the host's /tmp gets none from any version. */
static size_t litter_in_cases(const char *parent)
{
	char cases[PATH_MAX];
	DIR *d = opendir(parent);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(cases, sizeof(cases), "%s/%s/cases", parent, e->d_name);
		DIR *c = opendir(cases);
		struct dirent *ce;
		while (c && (ce = readdir(c))) {
			char tmp[PATH_MAX + 300];
			if (ce->d_name[0] == '.')
				continue;
			snprintf(tmp, sizeof(tmp), "%s/%s/tmp", cases, ce->d_name);
			n += count_mux(tmp);
		}
		if (c)
			closedir(c);
	}
	if (d)
		closedir(d);
	return n;
}

static void test_srt_litter(void **state)
{
	size_t in_cases = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	for (size_t i = 0; i < npeers; i++) {
		char parent[] = "/var/tmp/ctpeers-XXXXXX", args[512];
		struct report rep = {0};
		size_t host_before = count_mux("/tmp");
		if (strcmp(peers[i].product, "srt"))
			continue;
		assert_non_null(mkdtemp(parent));
		snprintf(args, sizeof(args), "-b srt -m read-only -p fs.create_outside --keep --scratch %s", parent);
		use_peer(&peers[i]);
		assert_int_equal(run_json(&rep, args), 0);
		setenv("PATH", base_path, 1);
		report_free(&rep);
		in_cases += litter_in_cases(parent);
		rm_rf(parent);
		if (count_mux("/tmp") > host_before)
			fail_msg("srt %s left srt-mux sockets in the host's /tmp", peers[i].version);
	}
	if (in_cases == 0)
		fail_msg("no srt-mux socket in any case's tmp/: no pinned srt litters any more (0.0.78 did)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),	      cmocka_unit_test(test_version_diff),
		cmocka_unit_test(test_codex_junit),	      cmocka_unit_test(test_codex_danger),
		cmocka_unit_test(test_codex_failure_is_error), cmocka_unit_test(test_srt_litter),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
