/* Live: the net, dns and ipc categories under none and landlock, against the
 * real kernel and the harness's own listeners, private bus and taps. One run
 * (-b none,landlock -m all) judged per category, then the host is checked:
 * every object a probe named in its evidence is gone, and no dbus-daemon of
 * the run is left. */
#include "../testutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>

static struct report rep;
static int code;
static char scratch[64];

static int setup(void **state)
{
	char args[512];

	(void)state;
	if (test_scratch_parent(scratch, sizeof(scratch), "netipc") < 0)
		return -1;
	snprintf(args, sizeof(args), "-b none,landlock -m all -p net.*,dns.*,ipc.* --scratch %s", scratch);
	code = run_json(&rep, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	rm_rf(scratch);
	return 0;
}

static bool in_cat(const struct result *r, const char *cat)
{
	return !strcmp(r->category, cat);
}

/* With no sandbox: expected-blocked rows are escapes or skips with a reason. */
static void none_detects(const char *cat)
{
	size_t rows = 0;

	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (strcmp(r->backend, "none") || !in_cat(r, cat))
			continue;
		rows++;
		if (r->verdict == V_ERROR)
			fail_msg("none.%s %s: error: %s", r->mode, r->probe, r->detail);
		if (r->expected == EXPECT_ALLOWED && r->verdict != V_PASS && r->verdict != V_SKIP)
			fail_msg("none.%s %s: %s (%s)", r->mode, r->probe, verdict_name(r->verdict), r->detail);
		if (r->expected == EXPECT_BLOCKED && r->verdict == V_PASS)
			fail_msg("none.%s %s passed with no sandbox: the probe cannot fail", r->mode, r->probe);
		if (r->verdict == V_SKIP && strlen(r->detail) < 20)
			fail_msg("none.%s %s skipped without a reason", r->mode, r->probe);
	}
	assert_true(rows >= 4 * 6);
}

/* In a mode that allows nothing of the kind, landlock lets nothing through. */
static void landlock_holds(const char *cat, const char *mode)
{
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (!strcmp(r->backend, "landlock") && !strcmp(r->mode, mode) && in_cat(r, cat) && r->verdict != V_PASS &&
		    r->verdict != V_SKIP)
			fail_msg("landlock.%s %s: %s (%s)", mode, r->probe, verdict_name(r->verdict), r->detail);
	}
}

static void test_net(void **state)
{
	static const char *const everywhere[] = {
		"net.tcp4_loopback", "net.udp4_loopback", "net.sendmsg_udp", "net.sendmmsg_udp", "net.tcp_fastopen",
		"net.mptcp", "net.io_uring_socket", "net.inet_aton_forms", "net.unspecified_addr", "net.proxy_bypass",
		"net.bind_listen", "net.netlink_usersock"};
	static const char *const as_root[] = {"net.raw_socket", "net.packet_socket", "net.netlink_route"};

	(void)state;
	assert_int_equal(code, 1);
	none_detects("net");
	for (size_t i = 0; i < ARRAY_SIZE(everywhere); i++)
		assert_verdict(&rep, "none", "workspace-write", everywhere[i], V_ESCAPE);
	for (size_t i = 0; rep.host.uid == 0 && i < ARRAY_SIZE(as_root); i++)
		assert_verdict(&rep, "none", "read-only", as_root[i], V_ESCAPE);
	/* what this kernel cannot do is a skip that says why */
	const struct result *r = find_row(&rep, "none", "read-only", "net.vsock");
	if (!r || (r->verdict == V_SKIP && !strstr(r->detail, "vsock")))
		fail_msg("net.vsock: %s", r ? r->detail : "missing");
	landlock_holds("net", "read-only");
	landlock_holds("net", "workspace-write");
	landlock_holds("net", "danger-full-access");
	/* with network: egress works, forging packets and reconfiguring lo do not */
	assert_verdict(&rep, "landlock", "workspace-net", "net.tcp_fastopen", V_PASS);
	assert_verdict(&rep, "landlock", "workspace-net", "net.mptcp", V_PASS);
	assert_verdict(&rep, "landlock", "workspace-net", "net.sendmmsg_udp", V_PASS);
	for (size_t i = 0; rep.host.uid == 0 && i < ARRAY_SIZE(as_root); i++)
		assert_verdict(&rep, "landlock", "workspace-net", as_root[i], V_PASS);
	assert_verdict(&rep, "landlock", "workspace-net", "net.netlink_usersock", V_PASS);
}

static void test_dns(void **state)
{
	static const char *const names[] = {"dns.udp_query", "dns.tcp_query", "dns.libc_resolver", "dns.txt_exfil",
					    "dns.nscd_socket", "dns.resolved_varlink"};

	(void)state;
	none_detects("dns");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_verdict(&rep, "none", "read-only", names[i], V_ESCAPE);
	landlock_holds("dns", "read-only");
	landlock_holds("dns", "workspace-write");
	/* network on: DNS works; the resolver daemons are host IPC and stay shut */
	landlock_holds("dns", "workspace-net");
	assert_verdict(&rep, "landlock", "workspace-net", "dns.libc_resolver", V_PASS);
	assert_verdict(&rep, "landlock", "workspace-net", "dns.nscd_socket", V_PASS);
	const struct result *r = find_row(&rep, "landlock", "workspace-net", "dns.libc_resolver");
	if (!r || !strstr(r->detail, "heard this probe"))
		fail_msg("dns.libc_resolver: %s", r ? r->detail : "missing");
}

static void test_ipc(void **state)
{
	static const char *const kernel_objects[] = {"ipc.sysv_msg", "ipc.sysv_shm", "ipc.sysv_sem", "ipc.posix_mqueue"};
	static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};

	(void)state;
	none_detects("ipc");
	assert_verdict(&rep, "none", "read-only", "ipc.keyring_user", V_ESCAPE);
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		assert_verdict(&rep, "landlock", confined[m], "ipc.keyring_user", V_PASS);
		assert_verdict(&rep, "landlock", confined[m], "ipc.unix_stream", V_PASS);
		const struct result *r = find_row(&rep, "landlock", confined[m], "ipc.dbus_session");
		if (!r || (r->verdict != V_PASS && r->verdict != V_SKIP))
			fail_msg("landlock.%s ipc.dbus_session: %s", confined[m], r ? r->detail : "missing");
		/* no IPC namespace: the backend's seccomp filter denies creating
		 * host SysV objects and POSIX queues outright */
		for (size_t i = 0; i < ARRAY_SIZE(kernel_objects); i++)
			assert_verdict(&rep, "landlock", confined[m], kernel_objects[i], V_PASS);
	}
}

/* The word after `marker` in s, up to a space, quote or semicolon. */
static bool word_after(const char *s, const char *marker, char *out, size_t n)
{
	const char *p = strstr(s, marker);
	size_t len;

	if (!p)
		return false;
	p += strlen(marker);
	len = strcspn(p, " \";");
	snprintf(out, n, "%.*s", (int)len, p);
	return len > 0;
}

static bool on_lo(const char *addr)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
			char s[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, s, sizeof(s));
			found = found || !strcmp(s, addr);
		}
	freeifaddrs(ifa);
	return found;
}

/* Every object the evidence names is gone from the host, and the run's bus too. */
static void test_nothing_left(void **state)
{
	size_t checked = 0;
	char w[128], *keys = NULL;

	(void)state;
	assert_int_equal(read_file("/proc/keys", 1 << 20, &keys, NULL), 0);
	for (size_t i = 0; i < rep.nresults; i++) {
		const char *d = rep.results[i].detail;
		if (word_after(d, "with key 0x", w, sizeof(w))) {
			key_t key = (key_t)strtoul(w, NULL, 16);
			const char *p = rep.results[i].probe;
			int id = !strcmp(p, "ipc.sysv_msg") ? msgget(key, 0) : !strcmp(p, "ipc.sysv_shm") ? shmget(key, 0, 0)
													: semget(key, 0, 0);
			if (id >= 0)
				fail_msg("%s left SysV key 0x%s behind", p, w);
			checked++;
		}
		if (word_after(d, "message queue ", w, sizeof(w)) && w[0] == '/') {
			mqd_t q = mq_open(w, O_RDONLY);
			if (q != (mqd_t)-1)
				fail_msg("queue %s left behind", w);
			checked++;
		}
		if (word_after(d, "gained key \"", w, sizeof(w))) {
			/* the host invalidates it; the kernel collects it asynchronously */
			for (int k = 0; k < 100 && strstr(keys, w); k++) {
				usleep(20000);
				free(keys);
				keys = NULL;
				assert_int_equal(read_file("/proc/keys", 1 << 20, &keys, NULL), 0);
			}
			if (strstr(keys, w))
				fail_msg("key %s left behind", w);
			checked++;
		}
		if (word_after(d, "lo gained ", w, sizeof(w))) {
			w[strcspn(w, "/")] = 0;
			if (on_lo(w))
				fail_msg("%s left on lo", w);
			checked++;
		}
	}
	free(keys);
	assert_true(checked >= 4 * 4);
	/* the private dbus-daemon ran under our scratch dir and died with the run */
	DIR *dir = opendir("/proc");
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		char path[300], *cmd = NULL;
		size_t len;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if (atoi(e->d_name) <= 0 || read_file(path, 8192, &cmd, &len) < 0)
			continue;
		for (size_t k = 0; k + 1 < len; k++)
			cmd[k] = cmd[k] ? cmd[k] : ' ';
		if (strstr(cmd, "dbus-daemon") && strstr(cmd, scratch))
			fail_msg("dbus-daemon left running: %s", cmd);
		free(cmd);
	}
	if (dir)
		closedir(dir);
}

/* This host may refuse ping sockets (net.ipv4.ping_group_range): judge the
 * ICMP path in a network namespace of our own that allows them, with the
 * whole harness inside (listeners, taps, agent). */
static void test_icmp_in_netns(void **state)
{
	char json[] = BUILDDIR "/tests/.icmpXXXXXX", *text = NULL, err[256];
	struct report r = {0};
	int fd = mkstemp(json), st;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	pid = fork();
	if (pid == 0) {
		struct ifreq ifr = {.ifr_name = "lo"};
		int s;
		if (unshare(CLONE_NEWNET) < 0 || (s = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			_exit(77);
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ||
		    write_str("/proc/sys/net/ipv4/ping_group_range", "0 2147483647") < 0)
			_exit(77);
		execl(CAGETEST, "cagetest", "run", "-q", "-b", "none,landlock", "-m", "read-only,workspace-net", "-p",
		      "net.icmp_ping", "--json", json, "--scratch", scratch, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		unlink(json);
		skip(); /* no network namespace for us here */
	}
	assert_int_equal(read_file(json, 1 << 20, &text, NULL), 0);
	unlink(json);
	if (report_from_json(text, &r, err, sizeof(err)) < 0)
		fail_msg("no report: %s", err);
	free(text);
	assert_verdict(&r, "none", "read-only", "net.icmp_ping", V_ESCAPE);
	assert_verdict(&r, "none", "workspace-net", "net.icmp_ping", V_PASS);
	assert_verdict(&r, "landlock", "read-only", "net.icmp_ping", V_PASS);
	assert_verdict(&r, "landlock", "workspace-net", "net.icmp_ping", V_PASS);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_ipc),
		cmocka_unit_test(test_nothing_left),
		cmocka_unit_test(test_icmp_in_netns),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
