/* The host's listeners against the probes' own attempts: each attempt runs in
 * a child (as in the box, minus the box) while this process services the
 * listeners, then the log must carry the token on the right channel, and
 * nothing for malformed requests. The private dbus-daemon must be gone after
 * observers_stop. */
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
	return observers_heard(obs, ch, env.token, NULL, 0);
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
	assert_int_equal(observers_heard(obs, CH_DNS, env.token, NULL, 0), 0);
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
	observers_forget(obs, env.token);
	assert_int_equal(observers_heard(obs, CH_PACKET, env.token, NULL, 0), 0);
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
	assert_int_equal(observers_heard(obs, CH_DNS, env.token, NULL, 0), 0);
	assert_int_equal(observers_heard(obs, CH_NSCD, env.token, NULL, 0), 0);
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
	observers_heard(obs, CH_DBUS, env.token, what, sizeof(what));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolvers),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_dbus),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
