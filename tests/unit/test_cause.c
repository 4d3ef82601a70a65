/* Causes (platforms/cause.c) from the sets recorded inside each runtime
 * (tests/data/containers/RUNTIME: the files doctor read, trials.txt, and
 * backends.json, what each backend's available() measured): one cause per
 * unavailable backend that names what that runtime really denies and the
 * change to make, never a boot option where a filter is the cause. Then
 * made-up facts for the rules no runtime here reaches. */
#include "../testutil.h"
#include "../../platforms/cause.h"

#define SETS SRCDIR "/tests/data/containers/"

struct recorded {
	struct evidence ev;
	struct ctr_id ctr;
	struct trials trials;
	struct confinement conf;
	struct backend_record *recs;
	size_t nrecs;
};

static void load(const char *rt, struct recorded *s)
{
	char p[512];
	_cleanup_free_ char *trials = NULL, *recs = NULL;

	snprintf(p, sizeof(p), SETS "%s", rt);
	assert_int_equal(evidence_read(&s->ev, p), 0);
	ctr_identify(&s->ev, &s->ctr);
	confinement_read(&s->ev, &s->conf);
	snprintf(p, sizeof(p), SETS "%s/trials.txt", rt);
	assert_int_equal(read_file(p, 1 << 16, &trials, NULL), 0);
	assert_int_equal(trials_parse(trials, &s->trials), 0);
	snprintf(p, sizeof(p), SETS "%s/backends.json", rt);
	assert_int_equal(read_file(p, 1 << 20, &recs, NULL), 0);
	assert_int_equal(records_parse(recs, &s->recs, &s->nrecs), 0);
}

static void unload(struct recorded *s)
{
	evidence_free(&s->ev);
	records_free(s->recs, s->nrecs);
}

static const struct backend_record *record(const struct recorded *s, const char *name)
{
	for (size_t i = 0; i < s->nrecs; i++)
		if (!strcmp(s->recs[i].name, name))
			return &s->recs[i];
	fail_msg("no record of %s", name);
	return NULL;
}

static char *cause_of(const struct recorded *s, const struct backend_record *b)
{
	struct sbuf out = {0};

	cause_derive(&(struct cause_in){.backend = b->name, .reason = b->reason, .facts = &b->facts, .ev = &s->ev,
					.ctr = &s->ctr, .trials = &s->trials, .conf = &s->conf},
		     &out);
	assert_false(out.oom);
	return sb_take(&out);
}

/* NULL: the backend runs there. Else every needle must be in its cause. */
static const struct {
	const char *rt, *backend;
	const char *needles[5];
} want[] = {
	{"docker", "landlock", {NULL}},
	{"docker", "bwrap", {"bwrap runs as root here", "which needs CAP_SYS_ADMIN, and Docker did not grant it",
			     "Docker's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)",
			     "--security-opt seccomp=unconfined --security-opt systempaths=unconfined", "or use landlock"}},
	{"docker-user", "landlock", {NULL}},
	{"docker-user", "bwrap", {"(\"bwrap: No permissions to create new namespace, likely because the kernel does not "
				  "allow non-privileged user namespaces\")",
				  "Docker's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)", "systempaths=unconfined"}},
	{"docker-unconfined", "bwrap", {"bwrap runs as root here", "/proc is masked (8 paths mounted over it)",
					"docker run --security-opt systempaths=unconfined"}},
	{"podman", "landlock", {NULL}},
	{"podman", "bwrap", {"bwrap runs as root here", "Podman did not grant it", "/proc is masked",
			     "podman run --security-opt unmask=ALL"}},
	{"gvisor", "landlock", {"gVisor does not implement Landlock (landlock_create_ruleset: ENOSYS)", "--runtime runc"}},
	{"gvisor", "bwrap", {"gVisor's kernel lacks what bwrap needs", "Can't read /proc/sys/kernel/overflowuid",
			     "fails at uid_map: EACCES", "run the container with runc"}},
	{"nspawn", "landlock", {"systemd-nspawn's seccomp filter denies landlock_create_ruleset (EPERM",
				"the kernel (Linux 6.", "may well have Landlock", "PR 34552",
				"--system-call-filter='landlock_create_ruleset landlock_add_rule landlock_restrict_self'"}},
	{"nspawn", "bwrap", {"bwrap cannot bring up loopback in its new network namespace (\"bwrap: loopback: Failed "
			     "RTM_NEWADDR", "needs CAP_NET_ADMIN, which systemd-nspawn withholds",
			     "the call trials pass because they make a user namespace, bwrap as root does not",
			     "--private-network", "as a non-root user"}},
	{"lxc", "landlock", {NULL}},
	{"lxc", "bwrap", {NULL}},
	{"host-vm", "landlock", {NULL}},
	{"host-vm", "bwrap", {NULL}},
};

static void test_recorded(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct recorded s;
		load(want[i].rt, &s);
		const struct backend_record *b = record(&s, want[i].backend);
		if (!want[i].needles[0]) {
			if (!b->available)
				fail_msg("%s: %s is unavailable in the recording: %s", want[i].rt, b->name, b->reason);
			unload(&s);
			continue;
		}
		assert_false(b->available);
		_cleanup_free_ char *c = cause_of(&s, b);
		print_message("%s/%s: %s\n", want[i].rt, b->name, c);
		for (size_t k = 0; k < ARRAY_SIZE(want[i].needles) && want[i].needles[k]; k++)
			if (!strstr(c, want[i].needles[k]))
				fail_msg("%s/%s: cause lacks '%s':\n%s", want[i].rt, b->name, want[i].needles[k], c);
		/* a filter or a missing privilege is the cause: no boot option */
		if (strstr(c, "lsm=") || strstr(c, "boot"))
			fail_msg("%s/%s: advises a boot option: %s", want[i].rt, b->name, c);
		assert_null(strchr(c, '\n'));
		unload(&s);
	}
}

/* Every unavailable backend of every recorded set gets a cause, and the
 * ones without rules keep their own reason. */
static void test_every_recorded_backend(void **state)
{
	static const char *const sets[] = {"docker", "docker-user", "docker-unconfined", "podman", "gvisor",
					   "nspawn", "lxc", "host-vm"};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		struct recorded s;
		load(sets[i], &s);
		for (size_t k = 0; k < s.nrecs; k++) {
			if (s.recs[k].available)
				continue;
			_cleanup_free_ char *c = cause_of(&s, &s.recs[k]);
			assert_true(c && *c);
			if (!cause_has_rules(s.recs[k].name))
				assert_string_equal(c, s.recs[k].reason);
		}
		unload(&s);
	}
}

/* Made-up facts: a runtime name, the call trials as text, the confinement. */
static char *made_up(const char *backend, const char *runtime, const char *trials, int seccomp, long uid,
		     const struct fact *facts, size_t nfacts)
{
	struct ctr_id ctr = {.runtime = runtime};
	struct trials t;
	struct confinement conf = {.seccomp_mode = seccomp, .uid = uid, .caps_known = true};
	struct evidence ev = {0};
	struct facts f = {0};
	struct sbuf out = {0};
	char version[] = "Linux version 6.8.0-generic (buildd@x) #1 SMP";

	ev.text[EV_VERSION] = version;
	assert_int_equal(trials_parse(trials, &t), 0);
	for (size_t i = 0; i < nfacts; i++)
		assert_int_equal(facts_add(&f, &facts[i]), 0);
	cause_derive(&(struct cause_in){.backend = backend, .reason = "its own reason", .facts = &f, .ev = &ev,
					.ctr = &ctr, .trials = &t, .conf = &conf},
		     &out);
	facts_free(&f);
	return sb_take(&out);
}

static void test_made_up(void **state)
{
	(void)state;
	/* the kernel's own answers: the only place a boot option is right */
	struct fact ll = {.name = "abi", .err = -EOPNOTSUPP, .status = -1};
	_cleanup_free_ char *c1 = made_up("landlock", "none", "landlock -1 EOPNOTSUPP -", 0, 0, &ll, 1);
	assert_non_null(strstr(c1, "built into this kernel but not enabled"));
	assert_non_null(strstr(c1, "boot with landlock in the lsm= list"));
	_cleanup_free_ char *c1d = made_up("landlock", "docker", "landlock -1 EOPNOTSUPP -", 2, 0, &ll, 1);
	assert_non_null(strstr(c1d, "boot the host with landlock"));
	ll.err = -ENOSYS;
	_cleanup_free_ char *c2 = made_up("landlock", "none", "landlock -1 ENOSYS -", 0, 0, &ll, 1);
	assert_non_null(strstr(c2, "this kernel (Linux 6.8.0-generic) has no Landlock"));
	assert_null(strstr(c2, "lsm="));
	/* ENOSYS under a profile that answers ENOSYS: the filter may be it */
	_cleanup_free_ char *c3 = made_up("landlock", "podman", "landlock -1 ENOSYS -", 2, 0, &ll, 1);
	assert_non_null(strstr(c3, "ENOSYS under Podman's seccomp filter"));
	assert_non_null(strstr(c3, "podman run --security-opt seccomp="));
	assert_null(strstr(c3, "lsm="));
	ll.err = -EPERM;
	_cleanup_free_ char *c4 = made_up("landlock", "docker", "landlock -1 EPERM -", 2, 0, &ll, 1);
	assert_non_null(strstr(c4, "Docker's seccomp filter denies landlock_create_ruleset (EPERM"));
	assert_non_null(strstr(c4, "docker run --security-opt seccomp="));
	assert_null(strstr(c4, "lsm="));

	/* bwrap: not installed; a masked /proc in its own words; userns sysctls */
	struct fact missing = {.name = "version", .err = -ENOENT, .status = -1};
	_cleanup_free_ char *b1 = made_up("bwrap", "none", "clone3 -1 EINVAL -", 0, 1000, &missing, 1);
	assert_string_equal(b1, "bwrap is not installed: apt-get install bubblewrap (dnf install bubblewrap)");
	struct fact proc = {.name = "trial", .output = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n",
			    .source = "bwrap ...", .status = 1};
	_cleanup_free_ char *b2 = made_up("bwrap", "kubernetes", "proc_mount -1 EPERM mount", 2, 1000, &proc, 1);
	assert_non_null(strstr(b2, "/proc is masked"));
	assert_non_null(strstr(b2, "procMount: Unmasked"));
	struct fact nons = {.name = "trial", .output = "bwrap: setting up uid map: Permission denied\nbwrap: No "
						     "permissions to create new namespace\n",
			    .source = "bwrap ...", .status = 1};
	_cleanup_free_ char *b3 = made_up("bwrap", "none", "unshare_user -1 EPERM -\nproc_mount -1 EPERM uid_map", 0,
					  1000, &nons, 1);
	/* the first line is the one quoted; user namespaces off, no seccomp filter */
	assert_non_null(strstr(b3, "setting up uid map"));
	/* a sysctl that turns user namespaces off is the cause, not the filter */
	{
		struct ctr_id ctr = {.runtime = "docker"};
		struct trials t;
		struct confinement conf = {.seccomp_mode = 2, .uid = 1000, .caps_known = true};
		struct facts f = {0};
		struct sbuf out = {0};
		snprintf(conf.unpriv_userns_clone, sizeof(conf.unpriv_userns_clone), "0");
		assert_int_equal(trials_parse("unshare_user -1 EPERM -", &t), 0);
		assert_int_equal(facts_add(&f, &nons), 0);
		cause_derive(&(struct cause_in){.backend = "bwrap", .facts = &f, .ctr = &ctr, .trials = &t, .conf = &conf},
			     &out);
		assert_non_null(strstr(out.s, "kernel.unprivileged_userns_clone = 0"));
		assert_null(strstr(out.s, "seccomp profile denies"));
		sb_free(&out);
		facts_free(&f);
	}
	/* an unknown failure keeps the backend's own reason */
	struct fact odd = {.name = "trial", .output = "bwrap: something new\n", .source = "bwrap ...", .status = 1};
	_cleanup_free_ char *b4 = made_up("bwrap", "none", "clone3 -1 EINVAL -", 0, 1000, &odd, 1);
	assert_string_equal(b4, "its own reason");
	/* no rule for adapters: their reason stands */
	_cleanup_free_ char *a1 = made_up("firejail", "docker", "clone3 -1 EINVAL -", 2, 0, NULL, 0);
	assert_string_equal(a1, "its own reason");
	assert_false(cause_has_rules("firejail"));
	assert_true(cause_has_rules("bwrap") && cause_has_rules("landlock"));
}

static void test_records_round_trip(void **state)
{
	struct backend_record in[2] = {{.name = "bwrap", .available = false, .reason = "r"}, {.name = "landlock",
											       .available = true}};
	struct backend_record *out;
	size_t n;
	char *text;

	(void)state;
	assert_int_equal(facts_add(&in[0].facts, &(struct fact){.name = "trial", .value = "v", .source = "s",
								 .output = "o\nline", .err = -ETIMEDOUT, .status = 137}),
			 0);
	assert_int_equal(records_format(in, 2, &text), 0);
	assert_int_equal(records_parse(text, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].name, "bwrap");
	assert_false(out[0].available);
	assert_string_equal(out[0].reason, "r");
	assert_int_equal(out[0].facts.n, 1);
	assert_string_equal(out[0].facts.v[0].output, "o\nline");
	assert_int_equal(out[0].facts.v[0].err, -ETIMEDOUT);
	assert_int_equal(out[0].facts.v[0].status, 137);
	assert_null(out[1].reason);
	assert_true(out[1].available);
	records_free(out, n);
	free(text);
	facts_free(&in[0].facts);
	assert_int_equal(records_parse("{}", &out, &n), -EINVAL);
	assert_int_equal(records_parse("[{\"backend\":\"x\"}]", &out, &n), -EINVAL);
	assert_int_equal(records_parse("not json", &out, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_every_recorded_backend),
		cmocka_unit_test(test_made_up),
		cmocka_unit_test(test_records_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
