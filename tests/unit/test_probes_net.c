/* The verify decisions of the net, dns and ipc probes. Listener probes are
 * judged on fabricated host views; probes judged by kernel state (SysV, POSIX
 * queues, keyrings, lo's addresses) are planted by their own attempt inside
 * private user, IPC and network namespaces this test creates, then verified
 * for real: the object is found, then gone. */
#include "../testutil.h"

#include "../../probes/probe.h"

#include <sched.h>
#include <sys/stat.h>

static struct probe_env env;
static char root[] = BUILDDIR "/tests/.netXXXXXX";
static bool private_ns; /* user + IPC + network namespaces of our own */

static const struct probe *get(const char *id)
{
	const struct probe *p = probe_find(id);

	if (!p)
		fail_msg("no probe %s", id);
	return p;
}

/* A listener log: one event on `ch` carrying the token, or none. */
static enum channel heard_ch;
static bool heard_any;
static int fake_heard(const struct host_view *hv, enum channel ch, char *what, size_t n)
{
	(void)hv;
	if (!heard_any || ch != heard_ch)
		return 0;
	snprintf(what, n, "CAGETEST %s", env.token);
	return 1;
}

static enum observed judge(const struct probe *p, struct host_view *hv, char *d, size_t n)
{
	hv->env = &env;
	hv->heard = fake_heard;
	d[0] = 0;
	return p->verify(hv, d, n);
}

static void write_map(const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if (write_file(path, text, strlen(text), 0644) < 0)
		fail_msg("cannot write %s", path);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(env.root, sizeof(env.root), "%s", root);
	snprintf(env.nonce, sizeof(env.nonce), "a1b2c30007");
	/* a user namespace mapping us to ourselves owns new IPC and network
	 * namespaces: nothing planted here can reach the host's */
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWNET) == 0) {
		char map[64];
		write_map("setgroups", "deny");
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
		write_map("uid_map", map);
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
		write_map("gid_map", map);
		private_ns = true;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(root);
	return 0;
}

static void test_counts(void **state)
{
	size_t per[CAT__COUNT] = {0};

	(void)state;
	for (size_t i = 0; i < probe_count(); i++)
		per[probe_category(probe_at(i))]++;
	assert_true(per[CAT_NET] >= 14);
	assert_true(per[CAT_DNS] >= 6);
	assert_true(per[CAT_IPC] >= 8);
}

/* Every listener-judged probe reads its own channel and no other. */
static void test_listener_verdicts(void **state)
{
	static const struct {
		const char *id;
		enum channel ch;
	} table[] = {
		{"net.tcp4_loopback", CH_TCP4},	  {"net.udp4_loopback", CH_UDP4},    {"net.tcp6_loopback", CH_TCP6},
		{"net.udp6_loopback", CH_UDP6},	  {"net.v4mapped", CH_TCP4},	     {"net.sendmsg_udp", CH_UDP4},
		{"net.sendmmsg_udp", CH_UDP4},	  {"net.tcp_fastopen", CH_TCP4},     {"net.mptcp", CH_TCP4},
		{"net.sctp", CH_SCTP},		  {"net.icmp_ping", CH_ICMP},	     {"net.raw_socket", CH_UDP4},
		{"net.packet_socket", CH_PACKET}, {"net.netlink_usersock", CH_NETLINK}, {"net.vsock", CH_VSOCK},
		{"net.io_uring_socket", CH_TCP4}, {"net.inet_aton_forms", CH_TCP4},  {"net.unspecified_addr", CH_TCP4},
		{"net.unspecified_addr", CH_TCP6}, {"net.proxy_bypass", CH_TCP4},    {"dns.udp_query", CH_DNS},
		{"dns.tcp_query", CH_DNS},	  {"dns.libc_resolver", CH_DNS},     {"dns.txt_exfil", CH_DNS},
		{"dns.nscd_socket", CH_NSCD},	  {"dns.resolved_varlink", CH_RESOLVED}, {"dns.mdns", CH_MDNS},
		{"dns.llmnr", CH_LLMNR},	  {"ipc.unix_stream", CH_UNIX_STREAM}, {"ipc.unix_dgram", CH_UNIX_DGRAM},
		{"ipc.abstract_unix", CH_ABSTRACT}, {"ipc.dbus_session", CH_DBUS},
		{"net.i386_socket", CH_TCP4},	  {"net.x32_socket", CH_TCP4},	     {"net.proxy_socks_nul", CH_TCP_DENIED},
		{"net.proxy_http_host", CH_TCP_DENIED}, {"net.proxy_connect_forms", CH_TCP_DENIED},
		{"ipc.socketpair_sendto", CH_UNIX_DGRAM}, {"ipc.scm_rights", CH_UNIX_FD},
		{"ipc.io_uring_unix", CH_UNIX_STREAM}, {"ipc.io_uring_unix", CH_UNIX_DGRAM}, {"ipc.i386_unix", CH_UNIX_STREAM},
		{"ipc.i386_unix", CH_UNIX_DGRAM}, {"ipc.x32_unix", CH_UNIX_STREAM}, {"ipc.x32_unix", CH_UNIX_DGRAM},
	};
	char d[300];

	(void)state;
	probe_env_set_slot(&env, 1);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct probe *p = get(table[i].id);
		struct host_view hv = {0};
		heard_any = false;
		if (judge(p, &hv, d, sizeof(d)) != OBS_BLOCKED)
			fail_msg("%s: nothing heard but not blocked (%s)", p->id, d);
		heard_any = true;
		heard_ch = table[i].ch;
		if (judge(p, &hv, d, sizeof(d)) != OBS_ALLOWED || !strstr(d, env.token))
			fail_msg("%s: heard on its channel but not allowed (%s)", p->id, d);
		/* the same event on another channel is someone else's evidence */
		heard_ch = table[i].ch == CH_UDP4 ? CH_UNIX_DGRAM : CH_UDP4;
		if (judge(p, &hv, d, sizeof(d)) != OBS_BLOCKED)
			fail_msg("%s: allowed on a channel it does not own (%s)", p->id, d);
	}
}

static void test_bind_listen(void **state)
{
	const struct probe *p = get("net.bind_listen");
	struct proc_snapshot s = {0};
	struct host_view hv = {.inspect = &s};
	char d[300];

	(void)state;
	probe_env_set_slot(&env, 2);
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_BLOCKED); /* it never held */
	s = (struct proc_snapshot){.taken = true, .found = true, .port = 4242, .reached = true};
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_ALLOWED);
	assert_non_null(strstr(d, "4242"));
	s.reached = false;
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_BLOCKED);
	/* reached, but the probe sits in another network namespace: not its port */
	s.reached = true;
	s.ns[NS_NET] = 1, s.ns_host[NS_NET] = 2;
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_BLOCKED);
	s.ns[NS_NET] = 2;
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_ALLOWED);
}

/* arm (the name is free), attempt as the box would, verify twice: found and
 * removed, then gone. Without the attempt: blocked. */
static void plant_and_judge(const char *id, int slot)
{
	const struct probe *p = get(id);
	struct host_view hv = {0};
	struct attempt a = {0};
	char d[300], why[200] = "";

	probe_env_set_slot(&env, slot);
	if (p->arm && p->arm(&env, why, sizeof(why)) != 0)
		fail_msg("%s: arm refused: %s", id, why);
	if (judge(p, &hv, d, sizeof(d)) != OBS_BLOCKED)
		fail_msg("%s: blocked expected before the attempt (%s)", id, d);
	if (p->attempt(&env, &a) != 0)
		fail_msg("%s: attempt failed: %s", id, a.detail);
	if (p->arm && p->arm(&env, why, sizeof(why)) != -EOPNOTSUPP)
		fail_msg("%s: arm did not notice its name in use", id);
	if (judge(p, &hv, d, sizeof(d)) != OBS_ALLOWED)
		fail_msg("%s: not allowed after the attempt (%s)", id, d);
	if (!strstr(d, "token"))
		fail_msg("%s: the detail does not say the token was found (%s)", id, d);
	if (judge(p, &hv, d, sizeof(d)) != OBS_BLOCKED)
		fail_msg("%s: verify left the object behind (%s)", id, d);
}

static void test_ipc_objects(void **state)
{
	(void)state;
	if (!private_ns)
		skip(); /* never plant in the host's IPC namespace */
	plant_and_judge("ipc.sysv_msg", 3);
	plant_and_judge("ipc.sysv_shm", 4);
	plant_and_judge("ipc.sysv_sem", 5);
	plant_and_judge("ipc.posix_mqueue", 6);
	plant_and_judge("ipc.keyring_user", 7);
}

static void test_netlink_route(void **state)
{
	const struct probe *p = get("net.netlink_route");
	struct host_view hv = {0};
	struct attempt a = {0};
	char d[300], why[200];

	(void)state;
	if (!private_ns)
		skip(); /* never touch the host's lo */
	probe_env_set_slot(&env, 8);
	assert_int_equal(p->arm(&env, why, sizeof(why)), 0);
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_BLOCKED);
	if (p->attempt(&env, &a) != 0)
		fail_msg("attempt: %s", a.detail);
	assert_int_equal(p->arm(&env, why, sizeof(why)), -EOPNOTSUPP);
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_ALLOWED);
	assert_non_null(strstr(d, "removed"));
	assert_non_null(strstr(d, env.token + strlen(env.token) - 12)); /* the label */
	assert_int_equal(judge(p, &hv, d, sizeof(d)), OBS_BLOCKED);
}

/* Arms that must skip with a precise reason when the host cannot observe. */
static void test_arms_skip(void **state)
{
	static const char *const ids[] = {"net.sctp", "net.vsock", "net.icmp_ping", "net.packet_socket",
					  "net.netlink_usersock", "dns.mdns", "dns.llmnr", "ipc.dbus_session"};
	char why[200];

	(void)state;
	struct probe_env none = env; /* no listener, no tap, no bus */
	none.sctp = none.vsock = none.nlpid = none.taps = 0;
	snprintf(none.run, sizeof(none.run), "%s", root);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		why[0] = 0;
		if (get(ids[i])->arm(&none, why, sizeof(why)) != -EOPNOTSUPP || strlen(why) < 20)
			fail_msg("%s: no skip or no reason (%s)", ids[i], why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),	      cmocka_unit_test(test_listener_verdicts),
		cmocka_unit_test(test_bind_listen),   cmocka_unit_test(test_ipc_objects),
		cmocka_unit_test(test_netlink_route), cmocka_unit_test(test_arms_skip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
