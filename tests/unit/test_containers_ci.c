/* The container matrix's plumbing, without starting a container:
 * ci/containers/runtimes.json holds the configurations the issue names, run.sh
 * reads it (and refuses a bad one, naming the file and the problem),
 * matrix.sh --report-only turns reports into the configuration x backend
 * table with a configuration that did not run listed with why, and the k8s
 * manifests carry the confinement they promise. */
#include "../testutil.h"

#include <cjson/cJSON.h>

#define RUN_SH SRCDIR "/ci/containers/run.sh"

static cJSON *load_json(const char *path)
{
	_cleanup_free_ char *text = NULL;

	assert_int_equal(read_file(path, 1 << 20, &text, NULL), 0);
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	return j;
}

static bool has_words(const cJSON *arr, const char *a, const char *b)
{
	const cJSON *it;
	const char *prev = "";

	cJSON_ArrayForEach(it, arr)
	{
		if (!strcmp(prev, a) && !strcmp(it->valuestring, b))
			return true;
		prev = it->valuestring;
	}
	return false;
}

static void test_runtimes_file(void **state)
{
	static const char *const need[] = {"host",		"docker", "docker-user", "docker-unconfined",
					   "docker-privileged", "podman", "gvisor",	     "nspawn",
					   "lxc"};
	cJSON *j = load_json(SRCDIR "/ci/containers/runtimes.json");
	const cJSON *rts = cJSON_GetObjectItem(j, "runtimes"), *rt;
	char *out = NULL, *err = NULL, line[1024];
	char *argv[] = {RUN_SH, "--list", NULL};
	size_t n = 0;

	(void)state;
	assert_int_equal(run_cmd(argv, &out, &err), 0);
	const char *at = out;
	cJSON_ArrayForEach(rt, rts)
	{
		const char *name = cJSON_GetObjectItem(rt, "name")->valuestring;
		const char *engine = cJSON_GetObjectItem(rt, "runtime")->valuestring;
		/* run.sh --list: the same configurations, in order, name and runtime first */
		snprintf(line, sizeof(line), "%s\t%s\t", name, engine);
		if (strncmp(at, line, strlen(line)))
			fail_msg("run.sh --list line %zu is %.80s, want %s...", n, at, line);
		at = strchr(at, '\n') ? strchr(at, '\n') + 1 : "";
		assert_true(strlen(cJSON_GetObjectItem(rt, "description")->valuestring) > 20);
		if (!strcmp(name, "docker-user")) {
			const cJSON *f = cJSON_GetObjectItem(rt, "flags");
			assert_true(has_words(f, "--user", "1000:1000"));
			assert_true(has_words(f, "--cap-drop", "ALL"));
			assert_true(has_words(f, "--security-opt", "no-new-privileges"));
		}
		if (!strcmp(name, "docker-unconfined"))
			assert_true(has_words(cJSON_GetObjectItem(rt, "flags"), "--security-opt", "seccomp=unconfined"));
		if (!strcmp(name, "gvisor"))
			assert_true(has_words(cJSON_GetObjectItem(rt, "engine_flags"), "--runtime", "runsc"));
		n++;
	}
	assert_string_equal(at, "");
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		bool found = false;
		cJSON_ArrayForEach(rt, rts) found |= !strcmp(cJSON_GetObjectItem(rt, "name")->valuestring, need[i]);
		if (!found)
			fail_msg("runtimes.json lacks %s", need[i]);
	}
	free(out), free(err);
	cJSON_Delete(j);
}

static void test_runtimes_bad(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{"{\"runtimes\": [", "not JSON"},
		{"[]", "expected a JSON object"},
		{"{\"runtimes\": []}", "runtimes: expected a non-empty array"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"docker\"}]}", "runtimes[0].description: required"},
		{"{\"runtimes\": [{\"name\": \"A b\", \"runtime\": \"docker\", \"description\": \"x\"}]}",
		 "runtimes[0].name: required, [a-z0-9-]"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"kata\", \"description\": \"x\"}]}",
		 "runtimes[0].runtime: one of host docker podman nspawn lxc"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"docker\", \"description\": \"x\", \"flags\": \"--privileged\"}]}",
		 "runtimes[0].flags: expected an array of strings"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"docker\", \"description\": \"x\", \"engine_flags\": [\"-x\"]}]}",
		 "runtimes[0].engine_flags: only for podman"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"docker\", \"description\": \"x\", \"flag\": []}]}",
		 "runtimes[0]: unknown key flag"},
		{"{\"runtimes\": [{\"name\": \"a\", \"runtime\": \"docker\", \"description\": \"x\"},"
		 " {\"name\": \"a\", \"runtime\": \"lxc\", \"description\": \"y\"}]}",
		 "runtimes: a is given twice"},
	};
	char path[] = BUILDDIR "/tests/runtimes-bad.json";
	char *argv[] = {RUN_SH, "--runtimes", path, "--list", NULL};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *out = NULL, *err = NULL;
		write_str(path, bad[i].text);
		int rc = run_cmd(argv, &out, &err);
		if (rc != 2 || !strstr(err, bad[i].needle) || !strstr(err, "runtimes-bad.json: "))
			fail_msg("case %zu: exit %d, stderr %s (want %s)", i, rc, err, bad[i].needle);
		free(out), free(err);
	}
	unlink(path);
}

/* A report of one configuration: landlock judged in two modes, bwrap
 * unavailable, firejail failing open. */
static const char report_fmt[] =
	"{\"tool\":\"cagetest\",\"version\":\"0.1.0\",\"schema\":1,\"started\":\"2026-12-01T00:00:00Z\",\"duration_s\":1,"
	"\"host\":{\"name\":\"%s\",\"kernel\":\"6.18\",\"arch\":\"x86_64\",\"uid\":0,\"container\":\"%s\"},"
	"\"backends\":[{\"name\":\"landlock\",\"available\":true},{\"name\":\"bwrap\",\"available\":false,"
	"\"reason\":\"bwrap: Creating new namespace failed\"},{\"name\":\"firejail\",\"available\":true}],"
	"\"results\":[{\"backend\":\"landlock\",\"mode\":\"read-only\",\"probe\":\"fs.write_workspace\",\"category\":\"fs\","
	"\"effect\":\"write.workspace\",\"expected\":\"blocked\",\"observed\":\"blocked\",\"control\":\"allowed\","
	"\"verdict\":\"pass\",\"detail\":\"absent\",\"duration_ms\":1}],"
	"\"verdicts\":[{\"backend\":\"landlock\",\"mode\":\"read-only\",\"verdict\":\"ENFORCED\",\"reason\":\"all blocked\"},"
	"{\"backend\":\"landlock\",\"mode\":\"workspace-write\",\"verdict\":\"NOT ENFORCED\",\"reason\":\"30 escapes\"},"
	"{\"backend\":\"landlock\",\"mode\":\"danger-full-access\",\"verdict\":\"UNCONFINED\",\"reason\":\"blocks nothing\"},"
	"{\"backend\":\"bwrap\",\"mode\":\"read-only\",\"verdict\":\"UNAVAILABLE\",\"reason\":\"bwrap: Creating new namespace "
	"failed\"},{\"backend\":\"firejail\",\"mode\":\"read-only\",\"verdict\":\"FAILS OPEN\",\"reason\":\"firejail said "
	"\\\"an existing sandbox was detected. /var/tmp/cagetest-AbC123/run/cagetest will run\\\"\"}],"
	"\"summary\":{\"pass\":1,\"escape\":0,\"overblocked\":0,\"error\":0,\"skip\":0,\"xfail\":0}}";

static void test_matrix_table(void **state)
{
	char dir[] = BUILDDIR "/tests/matrix-XXXXXX", p[PATH_MAX], text[4096];
	char *out = NULL, *err = NULL, *table = NULL, *merged = NULL;
	struct report rep = {0};
	char why[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/containers", dir);
	mkdir_p(p, 0755);
	snprintf(p, sizeof(p), "%s/containers/docker.json", dir);
	snprintf(text, sizeof(text), report_fmt, "docker", "docker");
	write_str(p, text);
	snprintf(p, sizeof(p), "%s/containers/podman.json", dir);
	snprintf(text, sizeof(text), report_fmt, "podman", "podman");
	write_str(p, text);
	snprintf(p, sizeof(p), "%s/containers/docker-privileged.skip", dir);
	write_str(p, "it cannot start a container here (exit 126): unable to apply caps | operation not permitted\n");
	char *argv[] = {SRCDIR "/ci/containers/matrix.sh", "--report-only", "--out", dir, "--cagetest", CAGETEST,
			"docker,docker-privileged,podman,lxc", NULL};
	int rc = run_cmd(argv, &out, &err);
	if (rc != 0)
		fail_msg("matrix.sh: exit %d: %s%s", rc, out, err);
	snprintf(p, sizeof(p), "%s/containers-table.md", dir);
	assert_int_equal(read_file(p, 1 << 20, &table, NULL), 0);
	assert_non_null(strstr(table, "| configuration | landlock | bwrap | firejail | codex | srt | docker | podman | gvisor |"));
	/* every configuration has its row, in the order asked; one that did not run says why */
	const char *d = strstr(table, "\n| docker | "), *dp = strstr(table, "\n| docker-privileged | "),
		   *pm = strstr(table, "\n| podman | "), *lx = strstr(table, "\n| lxc | ");
	assert_true(d && dp && pm && lx && d < dp && dp < pm && pm < lx);
	assert_non_null(strstr(dp, "| docker-privileged | not run: it cannot start a container here (exit 126): unable to "
				   "apply caps / operation not permitted"));
	assert_non_null(strstr(lx, "| lxc | not run: ran, wrote no report"));
	/* a cell: each verdict of the confined modes with its modes and cause */
	assert_non_null(strstr(d, "**ENFORCED** ro: all blocked<br>**NOT ENFORCED** ww: 30 escapes | "));
	assert_null(strstr(table, "UNCONFINED")); /* danger-full-access confines nothing by design */
	assert_non_null(strstr(d, "| **UNAVAILABLE** ro: bwrap: Creating new namespace failed | "));
	assert_non_null(strstr(d, "**FAILS OPEN** ro: firejail said \"an existing sandbox was detected. SCRATCH/run/cagetest"));
	assert_non_null(strstr(d, " | - | - |"));
	/* the reports that came, merged under their configuration's name */
	snprintf(p, sizeof(p), "%s/containers.json", dir);
	assert_int_equal(read_file(p, 1 << 20, &merged, NULL), 0);
	if (report_from_json(merged, &rep, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	assert_int_equal(rep.nhosts, 2);
	assert_string_equal(rep.hosts[0].name, "docker");
	assert_string_equal(rep.hosts[1].name, "podman");
	report_free(&rep);
	free(out), free(err), free(table), free(merged);
	rm_rf(dir);
}

/* The pods the k8s manifests make: RuntimeDefault seccomp, every capability
 * dropped, no escalation, the three variants, the report between markers. */
static void test_k8s_manifests(void **state)
{
	static const char *const files[] = {SRCDIR "/ci/k8s/job.yaml", SRCDIR "/ci/k8s/daemonset.yaml"};
	static const char *const needles[] = {
		"seccompProfile: {type: RuntimeDefault}", "capabilities: {drop: [ALL]}", "allowPrivilegeEscalation: false",
		"automountServiceAccountToken: false",	  "runAsNonRoot: true",		 "runtimeClassName: gvisor",
		"cagetest/variant: default",		  "cagetest/variant: nonroot",	 "cagetest/variant: gvisor",
		"echo \"--- cagetest report $NODE $CAGETEST_VARIANT ---\"", "echo \"--- end of cagetest report ---\"",
		"fieldPath: spec.nodeName"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *y = NULL;
		assert_int_equal(read_file(files[i], 1 << 20, &y, NULL), 0);
		for (size_t k = 0; k < ARRAY_SIZE(needles); k++)
			if (!strstr(y, needles[k]))
				fail_msg("%s lacks %s", files[i], needles[k]);
		/* each of the three documents confines its container */
		size_t docs = 0, drops = 0;
		for (const char *at = y; (at = strstr(at, "\nkind: ")); at++)
			docs++;
		for (const char *at = y; (at = strstr(at, "capabilities: {drop: [ALL]}")); at++)
			drops++;
		assert_int_equal(docs, 3);
		assert_int_equal(drops, 3);
		assert_null(strchr(y, '\t'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtimes_file),
		cmocka_unit_test(test_runtimes_bad),
		cmocka_unit_test(test_matrix_table),
		cmocka_unit_test(test_k8s_manifests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
