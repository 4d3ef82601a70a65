/* The host's listeners against the probes' own attempts: each attempt runs in
 * a child (as in the box, minus the box) while this process services the
 * listeners, then the log must carry the token on the right channel, and
 * nothing for malformed requests. A connection or datagram that carries
 * nothing counts for the case and slot it came from (probe_source), never
 * for another. The private dbus-daemon must be gone after observers_stop. */
#include "../testutil.h"

#include "../../lib/dbus.h"
#include "../../probes/probe.h"
#include "../../runner/observers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static struct observers *obs;
static struct probe_env env;
static char run_dir[] = BUILDDIR "/tests/.obsXXXXXX";
static int slot;

static int setup(void **state)
{
	char err[256] = "";

	(void)state;
	assert_non_null(mkdtemp(run_dir));
	if (observers_start(&obs, run_dir, "unit", err, sizeof(err)) < 0)
		fail_msg("observers_start: %s", err);
	observers_fill_env(obs, &env);
	snprintf(env.root, sizeof(env.root), "%s", run_dir);
	snprintf(env.nonce, sizeof(env.nonce), "0b5e770001");
	/* what dns.txt_exfil carries off */
	char ws[PATH_MAX];
	snprintf(ws, sizeof(ws), "%s/ws", run_dir);
	assert_int_equal(mkdir_p(ws, 0755), 0);
	snprintf(ws, sizeof(ws), "%s/ws/README.md", run_dir);
	assert_int_equal(write_str(ws, "# demo project\n"), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	observers_stop(obs);
	rm_rf(run_dir);
	return 0;
}

/* Service the listeners until the child is done, then drain. */
static void serve_until(pid_t pid)
{
	for (;;) {
		struct pollfd pfd[200];
		size_t n = observers_pollfds(obs, pfd, 200);
		poll(pfd, n, 50);
		observers_service(obs, pfd, n);
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
	}
	observers_drain(obs);
}

/* Run probe id's attempt in a child; how many events on ch carry its token. */
static int heard_from(const char *id, enum channel ch)
{
	const struct probe *p = probe_find(id);
	pid_t pid;

	assert_non_null(p);
	probe_env_set_slot(&env, ++slot);
	pid = fork();
	if (pid == 0) {
		struct attempt a = {0};
		_exit(p->attempt(&env, &a) == 0 ? 0 : 1);
	}
	serve_until(pid);
	return observers_heard(obs, ch, &env, NULL, 0);
}

static void test_resolvers(void **state)
{
	(void)state;
	assert_int_equal(heard_from("dns.udp_query", CH_DNS), 1);
	assert_int_equal(heard_from("dns.tcp_query", CH_DNS), 1);
	assert_int_equal(heard_from("dns.libc_resolver", CH_DNS), 1);
	assert_int_equal(heard_from("dns.txt_exfil", CH_DNS), 1);
	assert_int_equal(heard_from("dns.nscd_socket", CH_NSCD), 1);
	assert_int_equal(heard_from("dns.resolved_varlink", CH_RESOLVED), 1);
	/* the name went to nscd, not to the DNS log */
	assert_int_equal(observers_heard(obs, CH_DNS, &env, NULL, 0), 0);
}

static void test_listeners(void **state)
{
	(void)state;
	assert_int_equal(heard_from("net.sendmmsg_udp", CH_UDP4), 2);
	assert_int_equal(heard_from("net.tcp_fastopen", CH_TCP4), 1);
	assert_int_equal(heard_from("net.inet_aton_forms", CH_TCP4), 6);
	if (env.nlpid)
		assert_int_equal(heard_from("net.netlink_usersock", CH_NETLINK), 1);
	if (env.taps & TAP_MDNS)
		assert_int_equal(heard_from("dns.mdns", CH_MDNS), 1);
	if (env.taps & TAP_LLMNR)
		assert_int_equal(heard_from("dns.llmnr", CH_LLMNR), 1);
	if (env.taps & TAP_PACKET)
		assert_int_equal(heard_from("net.packet_socket", CH_PACKET), 1);
	/* judged cases are forgotten */
	observers_forget(obs, &env);
	assert_int_equal(observers_heard(obs, CH_PACKET, &env, NULL, 0), 0);
}

/* The roads to host UNIX sockets that need no socket(2), the foreign ABIs
 * and the denied listener, each attempted for real against the listeners:
 * the evidence lands on the channel its verify reads. */
static void test_new_roads(void **state)
{
	char why[200];

	(void)state;
	assert_true(heard_from("ipc.socketpair_sendto", CH_UNIX_DGRAM) >= 1);
	assert_true(heard_from("ipc.unix_dgram", CH_UNIX_DGRAM) >= 1);
	/* the fd's content, read by the host: the memfd holds the token */
	assert_true(heard_from("ipc.scm_rights", CH_UNIX_FD) >= 1);
	char what[160] = "";
	observers_heard(obs, CH_UNIX_FD, &env, what, sizeof(what));
	assert_non_null(strstr(what, "CAGETEST-FD"));
	assert_int_equal(heard_from("ipc.io_uring_unix", CH_UNIX_STREAM), 1);
	assert_int_equal(observers_heard(obs, CH_UNIX_DGRAM, &env, NULL, 0), 1);
	/* no proxy here: the direct road to the second listener, and only it */
	unsetenv("HTTPS_PROXY"), unsetenv("https_proxy"), unsetenv("HTTP_PROXY"), unsetenv("http_proxy");
	unsetenv("ALL_PROXY"), unsetenv("all_proxy");
	assert_true(env.tcp_denied > 0 && env.tcp_denied != env.tcp4);
	assert_int_equal(heard_from("net.proxy_connect_forms", CH_TCP_DENIED), 1);
	assert_int_equal(observers_heard(obs, CH_TCP4, &env, NULL, 0), 0);
	if (probe_find("net.i386_socket")->arm(&env, why, sizeof(why)) == 0) {
		assert_int_equal(heard_from("net.i386_socket", CH_TCP4), 1);
		assert_true(heard_from("ipc.i386_unix", CH_UNIX_STREAM) >= 1);
	}
}

/* Bytes that are not the protocol leave no event, even with a token inside. */
static void test_malformed(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sockaddr_in dns = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env.dns),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char junk[64];
	int fd;

	(void)state;
	probe_env_set_slot(&env, ++slot);
	snprintf(junk, sizeof(junk), "\x07garbage %s", env.token);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(fd, junk, 8, 0, (struct sockaddr *)&dns, sizeof(dns)); /* shorter than a header */
	close(fd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/nscd.sock", run_dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, junk, strlen(junk)), (ssize_t)strlen(junk)); /* not nscd's version */
	close(fd);
	observers_drain(obs);
	assert_int_equal(observers_heard(obs, CH_DNS, &env, NULL, 0), 0);
	assert_int_equal(observers_heard(obs, CH_NSCD, &env, NULL, 0), 0);
}

/* A dbus-daemon holding our run dir's config: the bus this test started. */
static bool our_bus_alive(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], *cmd = NULL;
		size_t len;
		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if (read_file(path, 8192, &cmd, &len) == 0) {
			for (size_t i = 0; i + 1 < len; i++)
				if (!cmd[i])
					cmd[i] = ' ';
			found = strstr(cmd, "dbus-daemon") && strstr(cmd, run_dir);
		}
		free(cmd);
	}
	if (d)
		closedir(d);
	return found;
}

static void test_dbus(void **state)
{
	char path[PATH_MAX], what[256] = "";
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/dbus.sock", run_dir);
	if (stat(path, &st) < 0)
		skip(); /* no dbus-daemon here: the probe skips too */
	assert_true(our_bus_alive());
	assert_int_equal(heard_from("ipc.dbus_session", CH_DBUS), 1);
	observers_heard(obs, CH_DBUS, &env, what, sizeof(what));
	assert_non_null(strstr(what, "org.cagetest.Recorder.Record from :"));
	/* the bus dies with the observers */
	observers_stop(obs);
	obs = NULL;
	assert_false(our_bus_alive());
	assert_int_not_equal(stat(path, &st), 0);
	char err[256];
	if (observers_start(&obs, run_dir, "unit2", err, sizeof(err)) < 0)
		fail_msg("observers_start: %s", err);
}

/* A socket from e's source (probe_source) to to, connected and closed, or
 * for a datagram socket one empty datagram: nothing carried. */
static void silent_from(const struct probe_env *e, int type, const struct sockaddr *to, socklen_t tolen)
{
	struct sockaddr_storage src;
	socklen_t len;
	int fd = socket(to->sa_family, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(probe_source(e, to->sa_family, &src, &len), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&src, len), 0);
	if (type == SOCK_DGRAM)
		assert_int_equal(sendto(fd, "", 0, 0, to, tolen), 0);
	else
		assert_int_equal(connect(fd, to, tolen), 0);
	close(fd);
}

/* Events on ch for the case src (nonce "a77r..." + src) and slot s. */
static int heard_case(enum channel ch, int src, int s)
{
	struct probe_env e = env;

	e.src = src;
	snprintf(e.nonce, sizeof(e.nonce), "a77r%08x", (unsigned)src);
	probe_env_set_slot(&e, s);
	return observers_heard(obs, ch, &e, NULL, 0);
}

/* Silent connections from one case and slot: counted for it, not for the
 * same slot of the next case nor the next slot of the same case; judged,
 * they are forgotten. */
static void test_attribution(void **state)
{
	struct sockaddr_in tcp = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env.tcp4),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in udp = tcp, dns = tcp;
	struct sockaddr_un stream = {.sun_family = AF_UNIX}, dgram = {.sun_family = AF_UNIX}, abs = {.sun_family = AF_UNIX};
	socklen_t abslen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(env.abstract));
	const struct {
		enum channel ch;
		int type;
		const void *to;
		socklen_t len;
	} ways[] = {
		{CH_TCP4, SOCK_STREAM, &tcp, sizeof(tcp)},	     {CH_UDP4, SOCK_DGRAM, &udp, sizeof(udp)},
		{CH_DNS, SOCK_STREAM, &dns, sizeof(dns)},	     {CH_DNS, SOCK_DGRAM, &dns, sizeof(dns)},
		{CH_UNIX_STREAM, SOCK_STREAM, &stream, sizeof(stream)}, {CH_UNIX_DGRAM, SOCK_DGRAM, &dgram, sizeof(dgram)},
		{CH_ABSTRACT, SOCK_STREAM, &abs, abslen},
	};
	struct probe_env e = env;
	char what[256] = "";

	(void)state;
	udp.sin_port = htons((uint16_t)env.udp4);
	dns.sin_port = htons((uint16_t)env.dns);
	snprintf(stream.sun_path, sizeof(stream.sun_path), "%s/host.sock", run_dir);
	snprintf(dgram.sun_path, sizeof(dgram.sun_path), "%s/host.dgram", run_dir);
	memcpy(abs.sun_path + 1, env.abstract, strlen(env.abstract));
	e.src = 300;
	snprintf(e.nonce, sizeof(e.nonce), "a77r%08x", 300U);
	for (size_t i = 0; i < ARRAY_SIZE(ways); i++) {
		probe_env_set_slot(&e, (int)i);
		silent_from(&e, ways[i].type, (const struct sockaddr *)ways[i].to, ways[i].len);
		observers_drain(obs);
		assert_int_equal(observers_heard(obs, ways[i].ch, &e, what, sizeof(what)), 1);
		assert_non_null(strstr(what, "(nothing sent)"));
		assert_int_equal(heard_case(ways[i].ch, 301, (int)i), 0);
		assert_int_equal(heard_case(ways[i].ch, 300, (int)i + 1), 0);
		assert_int_equal(heard_case(ways[i].ch, 300 + 256, (int)i), 0);
		observers_forget(obs, &e);
		assert_int_equal(observers_heard(obs, ways[i].ch, &e, NULL, 0), 0);
	}
}

/* probe_source gives every case and slot of a run its own IPv4 address, never
 * one of 127.0.0.x (where unbound sockets speak from: nobody's) nor the
 * broadcast address. */
static void test_sources_distinct(void **state)
{
	uint8_t *seen = calloc(1 << 21, 1);
	struct probe_env e = env;

	(void)state;
	assert_non_null(seen);
	for (int src = 0; src < 65024; src++)
		for (int s = 0; s < 64; s++) {
			struct sockaddr_storage ss;
			socklen_t len;
			e.src = src;
			e.slot = s;
			assert_int_equal(probe_source(&e, AF_INET, &ss, &len), 0);
			uint32_t a = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
			if (a >> 24 != 127 || (a >> 8) == 0x7f0000 || a == 0x7fffffff || (seen[(a & 0xffffff) >> 3] & (1 << (a & 7))))
				fail_msg("case %d slot %d: 127.%u.%u.%u", src, s, (a >> 16) & 255, (a >> 8) & 255, a & 255);
			seen[(a & 0xffffff) >> 3] |= (uint8_t)(1 << (a & 7));
		}
	free(seen);
	assert_int_equal(probe_source(&e, AF_INET6, &(struct sockaddr_storage){0}, &(socklen_t){0}), -EAFNOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolvers),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_new_roads),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_sources_distinct),
		cmocka_unit_test(test_dbus),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
