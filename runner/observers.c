#include "observers.h"

#include "../lib/dbus.h"
#include "../lib/util.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_CONNS 128
#define EVENT_TEXT 256
#define CONN_BUF 1024
#define ICMP_FILTER 1 /* linux/icmp.h, whose struct icmphdr clashes with libc's */
#define NSCD_VERSION 2

enum {
	L_TCP4,
	L_TCP_DENIED,
	L_TCP6,
	L_UDP4,
	L_UDP6,
	L_DNS_UDP,
	L_DNS_TCP,
	L_UNIX_STREAM,
	L_UNIX_DGRAM,
	L_ABSTRACT,
	L_NSCD,
	L_RESOLVED,
	L_SCTP,
	L_VSOCK,
	L_NETLINK,
	L_ICMP,
	L_PACKET,
	L_MDNS,
	L_LLMNR,
	L__COUNT
};

/* How a listener's bytes become events. */
enum proto {
	P_RAW,	   /* the payload as it came */
	P_DNS,	   /* the question name; answered NXDOMAIN */
	P_MCAST,   /* the question name; never answered (multicast) */
	P_NSCD,	   /* nscd's request header, then the key */
	P_VARLINK, /* NUL-terminated JSON calls */
	P_ICMP,	   /* IPv4 + ICMP echo request from 127.0.0.1: the payload */
	P_HTTP,	   /* raw, answered once with an empty HTTP 204 (a proxy forwarding a request gets its answer) */
};

struct listener {
	int fd;
	enum channel ch;
	bool stream;
	enum proto proto;
	int port;
};

struct conn {
	int fd;
	enum channel ch;
	enum proto proto;
	size_t len;
	char buf[CONN_BUF];
	size_t ev; /* index of its event (made at accept), SIZE_MAX when none */
	bool answered;
};

/* One connection or datagram: who sent it (a probe's source attributes it
 * with no payload: probe_source) and what it carried. */
struct event {
	enum channel ch;
	struct sockaddr_storage from;
	socklen_t fromlen; /* 0: unknown (D-Bus calls) */
	char text[EVENT_TEXT];
};

struct observers {
	struct listener l[L__COUNT];
	struct conn c[MAX_CONNS];
	size_t nconns;
	struct event *ev;
	size_t nev, capev;
	char run[PATH_MAX];
	char abstract[64];
	int taps;
	pid_t bus_pid;	      /* the private dbus-daemon, 0 = none */
	struct dbus_conn *bus; /* the host's connection, owning DBUS_RECORDER */
};

static void printable(char *dst, const char *src, size_t len)
{
	/* payloads are evidence, not text: keep them printable */
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '.';
	dst[len] = 0;
}

/* A new event; its index, SIZE_MAX when out of memory. */
static size_t add_event(struct observers *o, enum channel ch, const void *from, socklen_t fromlen, const char *data,
			size_t len)
{
	if (o->nev == o->capev) {
		size_t cap = o->capev ? o->capev * 2 : 64;
		struct event *ne = realloc(o->ev, cap * sizeof(*ne));
		if (!ne)
			return SIZE_MAX;
		o->ev = ne;
		o->capev = cap;
	}
	struct event *e = &o->ev[o->nev];
	e->ch = ch;
	e->fromlen = from && fromlen <= sizeof(e->from) ? fromlen : 0;
	if (e->fromlen)
		memcpy(&e->from, from, e->fromlen);
	printable(e->text, data, len < EVENT_TEXT - 1 ? len : EVENT_TEXT - 1);
	return o->nev++;
}

static int bind_inet(int domain, int type, int protocol, int port, int *out_port)
{
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol), one = 1;
	struct sockaddr_storage ss = {0};
	socklen_t len;

	if (fd < 0)
		return neg_errno();
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)port);
		len = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	*out_port = ntohs(domain == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int bind_unix(int type, const char *path, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return neg_errno();
	if (abstract) {
		memcpy(sa.sun_path + 1, path, strlen(path));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
	} else {
		if (fmt(sa.sun_path, sizeof(sa.sun_path), "%s", path) < 0) {
			close(fd);
			return -ENAMETOOLONG;
		}
		len = sizeof(sa);
	}
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	/* a case dropped to another uid must be able to reach it (the control) */
	if (!abstract)
		chmod(path, 0666);
	return fd;
}

/* vsock on VMADDR_CID_LOCAL only: CID_ANY would be reachable from the
 * hypervisor. Without a loopback transport the bind fails: no listener. */
static int bind_vsock(int *port)
{
	struct sockaddr_vm sa = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL, .svm_port = VMADDR_PORT_ANY};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return neg_errno();
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	*port = (int)sa.svm_port;
	return fd;
}

/* NETLINK_USERSOCK is for user processes talking to each other; the port id
 * the kernel picks (our pid when free) is what a probe sends to. */
static int bind_netlink(int *nlpid)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_USERSOCK);

	if (fd < 0)
		return neg_errno();
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    sa.nl_pid == 0 || sa.nl_pid > 0x7fffffff) {
		close(fd);
		return -EADDRNOTAVAIL;
	}
	*nlpid = (int)sa.nl_pid;
	return fd;
}

/* Every ICMP echo request reaching this host (root only); the rest is filtered
 * in the kernel. */
static int open_icmp_tap(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	uint32_t filter = ~(1U << 8); /* pass ICMP_ECHO only */

	if (fd < 0)
		return neg_errno();
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter)) < 0) {
		close(fd);
		return -EOPNOTSUPP;
	}
	return fd;
}

/* Frames of one experimental ethertype on lo: nothing else uses it, so the
 * tap costs nothing and sees only what a probe injects. */
static int open_packet_tap(void)
{
	struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_protocol = htons(TAP_ETHERTYPE)};
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(TAP_ETHERTYPE));

	if (fd < 0)
		return neg_errno();
	sa.sll_ifindex = (int)if_nametoindex("lo");
	if (!sa.sll_ifindex || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/* Someone other than a cagetest observer (bound to the group address itself)
 * holds this UDP port: a real mDNS/LLMNR responder we must not talk to. */
static bool port_taken(uint16_t port, in_addr_t ours)
{
	static const char *const tables[] = {"/proc/net/udp", "/proc/net/udp6"};

	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		_cleanup_fclose_ FILE *f = fopen(tables[t], "re");
		char line[512], addr[40];
		unsigned p;
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x", addr, &p) == 2 && p == port &&
			    (t == 1 || strtoul(addr, NULL, 16) != ours))
				return true;
	}
	return false;
}

/* A UDP socket on group:port that joined the group on lo only. */
static int open_mcast_tap(const char *group, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct ip_mreqn mr = {.imr_address.s_addr = htonl(INADDR_LOOPBACK)};
	int fd, one = 1;

	inet_pton(AF_INET, group, &sa.sin_addr);
	if (port_taken(port, sa.sin_addr.s_addr))
		return -EADDRINUSE;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	mr.imr_multiaddr = sa.sin_addr;
	mr.imr_ifindex = (int)if_nametoindex("lo");
	/* several cagetest runs may watch the group at once */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!mr.imr_ifindex || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	return fd;
}

/* ---------- the private bus ---------- */

/* D-Bus address escaping: what is left is also safe inside XML. */
static void bus_escape(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s && k + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_/.\\*", c))
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, n - k, "%%%02x", c);
	}
	out[k] = 0;
}

static void stop_bus(struct observers *o)
{
	char path[PATH_MAX];

	if (o->bus) {
		dbus_close(o->bus);
		free(o->bus);
		o->bus = NULL;
	}
	if (o->bus_pid > 0) {
		kill(o->bus_pid, SIGTERM);
		for (int i = 0; i < 1000 && waitpid(o->bus_pid, NULL, WNOHANG) == 0; i++)
			nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
		if (kill(o->bus_pid, SIGKILL) == 0)
			waitpid(o->bus_pid, NULL, 0);
		o->bus_pid = 0;
	}
	if (fmt(path, sizeof(path), "%s/dbus.sock", o->run) == 0)
		unlink(path);
}

static pid_t spawn_bus(const char *conf)
{
	char arg[PATH_MAX + 16];
	sigset_t all;
	pid_t pid;

	pid_t parent = getpid();

	if (fmt(arg, sizeof(arg), "--config-file=%s", conf) < 0)
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return neg_errno();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		/* it must not outlive the run, even a killed one */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the runner died before the line above */
			_exit(1);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (nul >= 0)
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
		/* the socket must admit a case dropped to another uid */
		umask(0);
		execlp("dbus-daemon", "dbus-daemon", arg, "--nofork", "--nopidfile", "--nosyslog", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Start dbus-daemon on run/dbus.sock and own DBUS_RECORDER on it. Any failure
 * leaves no bus: the D-Bus probes then skip (no run/dbus.sock). */
static int start_bus(struct observers *o)
{
	char conf[PATH_MAX], sock[PATH_MAX], esc[3 * PATH_MAX], text[4 * PATH_MAX];
	struct dbus_msg reply, hello = {.type = DBUS_CALL, .dest = DBUS_BUS_NAME, .path = DBUS_BUS_PATH,
					.iface = DBUS_BUS_NAME, .member = "Hello"};
	struct dbus_msg own = {.type = DBUS_CALL, .dest = DBUS_BUS_NAME, .path = DBUS_BUS_PATH, .iface = DBUS_BUS_NAME,
			       .member = "RequestName", .sig = "su", .s = DBUS_RECORDER, .u = 4 /* DO_NOT_QUEUE */};
	const char *step;
	int r;

	if (fmt(conf, sizeof(conf), "%s/dbus.conf", o->run) < 0 || fmt(sock, sizeof(sock), "%s/dbus.sock", o->run) < 0)
		return -ENAMETOOLONG;
	bus_escape(sock, esc, sizeof(esc));
	/* a session bus anyone may use, that activates nothing */
	snprintf(text, sizeof(text),
		 "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		 " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		 "<busconfig>\n  <type>session</type>\n  <listen>unix:path=%s</listen>\n  <auth>EXTERNAL</auth>\n"
		 "  <policy context=\"default\">\n    <allow user=\"*\"/>\n    <allow own=\"*\"/>\n"
		 "    <allow send_destination=\"*\"/>\n    <allow receive_sender=\"*\"/>\n  </policy>\n</busconfig>\n",
		 esc);
	if ((r = write_str(conf, text)) < 0)
		return r;
	o->bus_pid = spawn_bus(conf);
	if (o->bus_pid < 0) {
		r = o->bus_pid;
		o->bus_pid = 0;
		return r;
	}
	if (!(o->bus = malloc(sizeof(*o->bus))))
		return -ENOMEM;
	o->bus->fd = -1;
	for (int i = 0;; i++) {
		if (waitpid(o->bus_pid, NULL, WNOHANG) == o->bus_pid) { /* not installed, or refused the config */
			o->bus_pid = 0;
			return -ENOENT;
		}
		r = dbus_connect(o->bus, sock, 2000, &step);
		/* every run waits for it: look often (up to 5 s) */
		if (r == 0 || i == 2500 || (r != -ENOENT && r != -ECONNREFUSED))
			break;
		dbus_close(o->bus);
		nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
	}
	if (r == 0)
		r = dbus_call(o->bus, &hello, &reply);
	if (r == 0)
		r = dbus_call(o->bus, &own, &reply);
	if (r == 0 && reply.u != 1) /* PRIMARY_OWNER */
		r = -EADDRINUSE;
	if (r == 0 && fcntl(o->bus->fd, F_SETFL, O_NONBLOCK) < 0)
		r = neg_errno();
	chmod(sock, 0666);
	return r;
}

/* Log the calls made to the recorder and answer them, so a caller that waits
 * for the reply knows the host saw its call. */
static void service_bus(struct observers *o)
{
	struct dbus_msg m;
	ssize_t n;

	if (!o->bus || o->bus->fd < 0)
		return;
	while ((n = dbus_recv(o->bus, &m)) > 0) {
		char text[EVENT_TEXT];
		if (m.type != DBUS_CALL)
			continue;
		snprintf(text, sizeof(text), "%s.%s from %s: %s", m.iface ? m.iface : "", m.member ? m.member : "",
			 m.sender ? m.sender : "?", m.s ? m.s : "");
		add_event(o, CH_DBUS, NULL, 0, text, strlen(text));
		if (!(m.flags & DBUS_NO_REPLY) && m.sender) {
			struct dbus_msg ret = {.type = DBUS_RETURN, .reply_serial = m.serial, .dest = m.sender};
			dbus_send(o->bus, &ret);
		}
	}
	if (n != -EAGAIN) /* the bus went away or spoke nonsense: no more evidence from it */
		dbus_close(o->bus);
}

/* ---------- start ---------- */

int observers_start(struct observers **out, const char *run_dir, const char *run_id, char *err, size_t n)
{
	struct observers *o = calloc(1, sizeof(*o));
	char path[PATH_MAX];
	int fd, qlen = 16;

	if (!o)
		return -ENOMEM;
	for (int i = 0; i < L__COUNT; i++)
		o->l[i].fd = -1;
	fmt(o->run, sizeof(o->run), "%s", run_dir);
	fmt(o->abstract, sizeof(o->abstract), "cagetest-%s", run_id);

	static const struct {
		int slot, domain, type, protocol;
		enum channel ch;
		enum proto proto;
		bool required;
	} inet[] = {
		{L_TCP4, AF_INET, SOCK_STREAM, 0, CH_TCP4, P_RAW, true},
		{L_TCP_DENIED, AF_INET, SOCK_STREAM, 0, CH_TCP_DENIED, P_HTTP, false},
		{L_TCP6, AF_INET6, SOCK_STREAM, 0, CH_TCP6, P_RAW, false},
		{L_UDP4, AF_INET, SOCK_DGRAM, 0, CH_UDP4, P_RAW, true},
		{L_UDP6, AF_INET6, SOCK_DGRAM, 0, CH_UDP6, P_RAW, false},
		{L_SCTP, AF_INET, SOCK_STREAM, IPPROTO_SCTP, CH_SCTP, P_RAW, false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(inet); i++) {
		struct listener *l = &o->l[inet[i].slot];
		fd = bind_inet(inet[i].domain, inet[i].type, inet[i].protocol, 0, &l->port);
		if (fd < 0 && inet[i].required) {
			snprintf(err, n, "cannot open a loopback listener: %s. Hint: is the loopback interface up?", strerror(-fd));
			observers_stop(o);
			return fd;
		}
		*l = (struct listener){fd < 0 ? -1 : fd, inet[i].ch, inet[i].type == SOCK_STREAM, inet[i].proto, l->port};
	}
	/* TCP Fast Open: data in the SYN reaches accept() (when the host's
	 * net.ipv4.tcp_fastopen enables the server side) */
	setsockopt(o->l[L_TCP4].fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen));
	/* DNS over UDP and TCP on one port number: a free TCP port may be taken
	 * for UDP (or the other way round), so retry with another */
	for (int tries = 0; tries < 64 && o->l[L_DNS_TCP].fd < 0; tries++) {
		int port, ufd, tfd = bind_inet(AF_INET, SOCK_STREAM, 0, 0, &port);
		if (tfd < 0)
			break;
		ufd = bind_inet(AF_INET, SOCK_DGRAM, 0, port, &port);
		if (ufd < 0) {
			close(tfd);
			continue;
		}
		o->l[L_DNS_TCP] = (struct listener){tfd, CH_DNS, true, P_DNS, port};
		o->l[L_DNS_UDP] = (struct listener){ufd, CH_DNS, false, P_DNS, port};
	}
	if (o->l[L_DNS_TCP].fd < 0) {
		snprintf(err, n, "cannot open the DNS listeners on one loopback port");
		observers_stop(o);
		return -EADDRINUSE;
	}

	static const struct {
		int slot;
		const char *name;
		int type;
		enum channel ch;
		enum proto proto;
	} unix_l[] = {
		{L_UNIX_STREAM, "host.sock", SOCK_STREAM, CH_UNIX_STREAM, P_RAW},
		{L_UNIX_DGRAM, "host.dgram", SOCK_DGRAM, CH_UNIX_DGRAM, P_RAW},
		{L_NSCD, "nscd.sock", SOCK_STREAM, CH_NSCD, P_NSCD},
		{L_RESOLVED, "resolved.sock", SOCK_STREAM, CH_RESOLVED, P_VARLINK},
	};
	for (size_t i = 0; i < ARRAY_SIZE(unix_l); i++) {
		fmt(path, sizeof(path), "%s/%s", run_dir, unix_l[i].name);
		o->l[unix_l[i].slot] = (struct listener){bind_unix(unix_l[i].type, path, false), unix_l[i].ch,
							 unix_l[i].type == SOCK_STREAM, unix_l[i].proto, 0};
	}
	o->l[L_ABSTRACT] = (struct listener){bind_unix(SOCK_STREAM, o->abstract, true), CH_ABSTRACT, true, P_RAW, 0};
	for (int i = L_UNIX_STREAM; i <= L_RESOLVED; i++)
		if (o->l[i].fd < 0) {
			snprintf(err, n, "cannot open a UNIX listener in %s: %s", run_dir, strerror(-o->l[i].fd));
			int r = o->l[i].fd;
			o->l[i].fd = -1;
			observers_stop(o);
			return r;
		}

	/* optional: what this kernel and our privileges allow */
	int port = 0;
	fd = bind_vsock(&port);
	o->l[L_VSOCK] = (struct listener){fd < 0 ? -1 : fd, CH_VSOCK, true, P_RAW, port};
	fd = bind_netlink(&port);
	o->l[L_NETLINK] = (struct listener){fd < 0 ? -1 : fd, CH_NETLINK, false, P_RAW, port};
	static const struct {
		int slot, tap;
		enum channel ch;
		enum proto proto;
		const char *group;
		uint16_t port;
	} taps[] = {
		{L_ICMP, TAP_ICMP, CH_ICMP, P_ICMP, NULL, 0},
		{L_PACKET, TAP_PACKET, CH_PACKET, P_RAW, NULL, 0},
		{L_MDNS, TAP_MDNS, CH_MDNS, P_MCAST, "224.0.0.251", 5353},
		{L_LLMNR, TAP_LLMNR, CH_LLMNR, P_MCAST, "224.0.0.252", 5355},
	};
	for (size_t i = 0; i < ARRAY_SIZE(taps); i++) {
		fd = taps[i].group		  ? open_mcast_tap(taps[i].group, taps[i].port)
		     : taps[i].tap == TAP_ICMP ? open_icmp_tap()
					       : open_packet_tap();
		o->l[taps[i].slot] = (struct listener){fd < 0 ? -1 : fd, taps[i].ch, false, taps[i].proto, taps[i].port};
		if (fd >= 0)
			o->taps |= taps[i].tap;
	}
	if (start_bus(o) < 0)
		stop_bus(o);
	*out = o;
	return 0;
}

void observers_fill_env(const struct observers *o, struct probe_env *env)
{
	env->tcp4 = o->l[L_TCP4].fd >= 0 ? o->l[L_TCP4].port : 0;
	env->tcp_denied = o->l[L_TCP_DENIED].fd >= 0 ? o->l[L_TCP_DENIED].port : 0;
	env->tcp6 = o->l[L_TCP6].fd >= 0 ? o->l[L_TCP6].port : 0;
	env->udp4 = o->l[L_UDP4].fd >= 0 ? o->l[L_UDP4].port : 0;
	env->udp6 = o->l[L_UDP6].fd >= 0 ? o->l[L_UDP6].port : 0;
	env->dns = o->l[L_DNS_UDP].port;
	env->sctp = o->l[L_SCTP].fd >= 0 ? o->l[L_SCTP].port : 0;
	env->vsock = o->l[L_VSOCK].fd >= 0 ? o->l[L_VSOCK].port : 0;
	env->nlpid = o->l[L_NETLINK].fd >= 0 ? o->l[L_NETLINK].port : 0;
	env->taps = o->taps;
	fmt(env->abstract, sizeof(env->abstract), "%s", o->abstract);
	fmt(env->run, sizeof(env->run), "%s", o->run);
}

size_t observers_npollfds(const struct observers *o)
{
	(void)o;
	return L__COUNT + 1 + MAX_CONNS; /* listeners, the bus, connections */
}

size_t observers_pollfds(const struct observers *o, struct pollfd *pfd, size_t max)
{
	size_t k = 0;

	for (int i = 0; i < L__COUNT && k < max; i++)
		if (o->l[i].fd >= 0)
			pfd[k++] = (struct pollfd){.fd = o->l[i].fd, .events = POLLIN};
	if (o->bus && o->bus->fd >= 0 && k < max)
		pfd[k++] = (struct pollfd){.fd = o->bus->fd, .events = POLLIN};
	for (size_t i = 0; i < o->nconns && k < max; i++)
		pfd[k++] = (struct pollfd){.fd = o->c[i].fd, .events = POLLIN};
	return k;
}

/* ---------- protocols ---------- */

/* The question name of a DNS message, dotted; false if malformed. */
static bool dns_qname(const unsigned char *m, size_t len, char *out, size_t n, size_t *end)
{
	size_t o = 12, w = 0;

	if (len < 12)
		return false;
	while (o < len && m[o]) {
		size_t l = m[o++];
		if (l > 63 || o + l > len || w + l + 2 > n)
			return false;
		if (w)
			out[w++] = '.';
		memcpy(out + w, m + o, l);
		w += l;
		o += l;
	}
	if (o + 5 > len)
		return false;
	out[w] = 0;
	*end = o + 5; /* the root label, QTYPE and QCLASS */
	return true;
}

/* NXDOMAIN for the question in m; returns the reply's length (0 if none). */
static size_t dns_reply(const unsigned char *m, size_t len, unsigned char *r, size_t cap, char *qname, size_t qn)
{
	size_t end;

	if (!dns_qname(m, len, qname, qn, &end) || end > cap)
		return 0;
	memcpy(r, m, end);
	r[2] = 0x81 | (m[2] & 0x01); /* QR, opcode 0, RD copied */
	r[3] = 0x83;		     /* RA, NXDOMAIN */
	r[4] = 0, r[5] = 1;
	memset(r + 6, 0, 6);
	return end;
}

/* The payload of an echo request from 127.0.0.1 (IPv4 header first). */
static void icmp_event(struct observers *o, const unsigned char *p, size_t len, const void *from, socklen_t flen)
{
	size_t ihl = len ? (size_t)(p[0] & 0x0f) * 4 : 0;
	struct in_addr src;

	if (len < 20 || ihl < 20 || len < ihl + 8 || p[9] != IPPROTO_ICMP || p[ihl] != 8)
		return;
	memcpy(&src, p + 12, 4);
	if (src.s_addr == htonl(INADDR_LOOPBACK))
		add_event(o, CH_ICMP, from, flen, (const char *)p + ihl + 8, len - ihl - 8);
}

/* File descriptors a datagram carried (SCM_RIGHTS): one CH_UNIX_FD event
 * each, its text what the host reads from it (the start of a regular file or
 * memfd, by pread: nothing that could block), then closed. */
static void fd_events(struct observers *o, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			char text[EVENT_TEXT] = "", data[160];
			struct stat st;
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
				ssize_t k = pread(fd, data, sizeof(data) - 1, 0);
				data[k > 0 ? k : 0] = 0;
				snprintf(text, sizeof(text), "a file descriptor holding: %s", data);
			} else {
				snprintf(text, sizeof(text), "a file descriptor (not a regular file)");
			}
			add_event(o, CH_UNIX_FD, mh->msg_name, mh->msg_namelen, text, strlen(text));
			close(fd);
		}
	}
}

static void service_dgram(struct observers *o, struct listener *l)
{
	unsigned char buf[2048], reply[600];
	struct sockaddr_storage from;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(8 * sizeof(int))];
	} ctl;

	for (;;) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
		/* packet sockets refuse flags they do not know (EINVAL) */
		ssize_t k = recvmsg(l->fd, &mh, l->ch == CH_UNIX_DGRAM ? MSG_CMSG_CLOEXEC : 0);
		socklen_t flen = mh.msg_namelen;
		char qname[256] = "";
		size_t end;
		if (k < 0)
			return;
		fd_events(o, &mh);
		/* every datagram is an event, whatever it carries: its sender
		 * is evidence too */
		switch (l->proto) {
		case P_DNS: {
			size_t rl = dns_reply(buf, (size_t)k, reply, sizeof(reply), qname, sizeof(qname));
			add_event(o, l->ch, &from, flen, qname, rl ? strlen(qname) : 0);
			if (rl)
				sendto(l->fd, reply, rl, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
			break;
		}
		case P_MCAST:
			if (dns_qname(buf, (size_t)k, qname, sizeof(qname), &end))
				add_event(o, l->ch, &from, flen, qname, strlen(qname));
			break;
		case P_ICMP:
			icmp_event(o, buf, (size_t)k, &from, flen);
			break;
		default:
			add_event(o, l->ch, &from, flen, (char *)buf, (size_t)k);
		}
	}
}

static void close_conn(struct observers *o, size_t i)
{
	close(o->c[i].fd);
	o->c[i] = o->c[--o->nconns];
}

/* A connection is an event from the moment it is accepted, payload or not:
 * who connected is evidence (probe_source). */
static void accept_all(struct observers *o, struct listener *l)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		int fd = accept4(l->fd, (struct sockaddr *)&from, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (o->nconns == MAX_CONNS) /* the oldest goes: cases are short */
			close_conn(o, 0);
		o->c[o->nconns++] = (struct conn){.fd = fd, .ch = l->ch, .proto = l->proto,
						  .ev = add_event(o, l->ch, &from, flen, "", 0)};
	}
}

/* What the connection carried, as its event's text. */
static void conn_text(struct observers *o, const struct conn *c, const char *text, size_t len)
{
	if (c->ev < o->nev)
		printable(o->ev[c->ev].text, text, len < EVENT_TEXT - 1 ? len : EVENT_TEXT - 1);
}

static void answer_conn(const struct conn *c, const void *data, size_t len)
{
	if (write(c->fd, data, len) < 0) { /* the asker may be gone: fine */
	}
}

/* One DNS message after its 2-byte length; true when handled. */
static bool conn_dns(struct observers *o, struct conn *c)
{
	unsigned char r[600];
	char qname[256];
	size_t mlen = c->len >= 2 ? ((size_t)(unsigned char)c->buf[0] << 8 | (unsigned char)c->buf[1]) : 0;

	if (c->len < 2 || c->len < mlen + 2)
		return false;
	size_t rl = dns_reply((unsigned char *)c->buf + 2, mlen, r + 2, sizeof(r) - 2, qname, sizeof(qname));
	if (rl) {
		conn_text(o, c, qname, strlen(qname));
		r[0] = (unsigned char)(rl >> 8), r[1] = (unsigned char)rl;
		answer_conn(c, r, rl + 2);
	}
	return true;
}

/* nscd's request: int32 version, type, key length, then the key (the name).
 * Answered "not found" (version, found = 0, then zeros). */
static bool conn_nscd(struct observers *o, struct conn *c)
{
	int32_t h[3], answer[6] = {NSCD_VERSION};
	char text[EVENT_TEXT];

	if (c->len < sizeof(h))
		return false;
	memcpy(h, c->buf, sizeof(h));
	if (h[0] != NSCD_VERSION || h[2] <= 0 || (size_t)h[2] > sizeof(c->buf) - sizeof(h))
		return true; /* not nscd's protocol: no event */
	if (c->len < sizeof(h) + (size_t)h[2])
		return false;
	snprintf(text, sizeof(text), "nscd request %d: %.*s", h[1], (int)strnlen(c->buf + sizeof(h), (size_t)h[2]),
		 c->buf + sizeof(h));
	conn_text(o, c, text, strlen(text));
	answer_conn(c, answer, sizeof(answer));
	return true;
}

/* A varlink call: JSON ending in NUL. Answered with resolved's "no such record". */
static bool conn_varlink(struct observers *o, struct conn *c)
{
	static const char answer[] = "{\"error\":\"io.systemd.Resolve.NoSuchResourceRecord\",\"parameters\":{}}";
	char text[EVENT_TEXT];

	if (!memchr(c->buf, 0, c->len))
		return c->len + 1 >= sizeof(c->buf);
	cJSON *j = cJSON_Parse(c->buf);
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(j, "method");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "parameters"), "name");
	if (cJSON_IsString(method)) {
		snprintf(text, sizeof(text), "varlink %s: %s", method->valuestring,
			 cJSON_IsString(name) ? name->valuestring : "");
		conn_text(o, c, text, strlen(text));
		answer_conn(c, answer, sizeof(answer)); /* with its NUL */
	}
	cJSON_Delete(j);
	return true;
}

/* Raw bytes: the connection's event, updated as more arrives. */
static bool conn_raw(struct observers *o, struct conn *c)
{
	conn_text(o, c, c->buf, c->len);
	return c->len + 1 >= sizeof(c->buf);
}

/* Read what is there; false once the connection is finished. */
static bool read_conn(struct observers *o, struct conn *c)
{
	for (;;) {
		size_t room = sizeof(c->buf) - 1 - c->len;
		ssize_t k = room ? read(c->fd, c->buf + c->len, room) : 0;
		bool done;
		if (k < 0)
			return errno == EAGAIN || errno == EINTR;
		if (k == 0)
			return false;
		c->len += (size_t)k;
		c->buf[c->len] = 0;
		switch (c->proto) {
		case P_DNS: done = conn_dns(o, c); break;
		case P_NSCD: done = conn_nscd(o, c); break;
		case P_VARLINK: done = conn_varlink(o, c); break;
		case P_HTTP:
			if (!c->answered) {
				static const char ans[] = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
				answer_conn(c, ans, sizeof(ans) - 1);
				c->answered = true;
			}
			done = conn_raw(o, c);
			break;
		default: done = conn_raw(o, c);
		}
		if (done)
			return false;
	}
}

static void service_listener(struct observers *o, struct listener *l)
{
	if (l->stream)
		accept_all(o, l);
	else
		service_dgram(o, l);
}

void observers_service(struct observers *o, const struct pollfd *pfd, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		for (int k = 0; k < L__COUNT; k++)
			if (o->l[k].fd == pfd[i].fd)
				service_listener(o, &o->l[k]);
		if (o->bus && o->bus->fd == pfd[i].fd)
			service_bus(o);
		for (size_t k = 0; k < o->nconns; k++)
			if (o->c[k].fd == pfd[i].fd && !read_conn(o, &o->c[k])) {
				close_conn(o, k);
				break;
			}
	}
}

void observers_drain(struct observers *o)
{
	for (int k = 0; k < L__COUNT; k++)
		if (o->l[k].fd >= 0)
			service_listener(o, &o->l[k]);
	service_bus(o);
	for (size_t k = 0; k < o->nconns;)
		if (!read_conn(o, &o->c[k]))
			close_conn(o, k);
		else
			k++;
}

/* Sent by this probe: its token in what was carried, or its source. */
static bool from_probe(const struct event *e, const struct probe_env *env)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (strstr(e->text, env->token))
		return true;
	if (!e->fromlen || probe_source(env, e->from.ss_family, &ss, &len) < 0)
		return false;
	switch (ss.ss_family) {
	case AF_INET: /* any port: the kernel picks it */
		return e->fromlen >= sizeof(struct sockaddr_in) &&
		       ((const struct sockaddr_in *)&e->from)->sin_addr.s_addr == ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
	case AF_NETLINK:
		return e->fromlen >= sizeof(struct sockaddr_nl) &&
		       ((const struct sockaddr_nl *)&e->from)->nl_pid == ((struct sockaddr_nl *)&ss)->nl_pid;
	default: /* AF_UNIX: the name, to the byte */
		return e->fromlen == len && !memcmp(&e->from, &ss, len);
	}
}

/* "from ADDRESS: TEXT", or the text alone when the sender is unknown. */
static void describe(const struct event *e, char *out, size_t n)
{
	const struct sockaddr_un *u = (const struct sockaddr_un *)&e->from;
	const void *in = &((const struct sockaddr_in *)&e->from)->sin_addr;
	size_t plen = e->fromlen - offsetof(struct sockaddr_un, sun_path); /* for AF_UNIX */
	char addr[112] = "";

	if (e->fromlen && e->from.ss_family == AF_INET)
		inet_ntop(AF_INET, in, addr, sizeof(addr));
	else if (e->fromlen > offsetof(struct sockaddr_un, sun_path) + 1 && e->from.ss_family == AF_UNIX)
		snprintf(addr, sizeof(addr), u->sun_path[0] ? "%.*s" : "@%.*s", (int)(plen - !u->sun_path[0]),
			 u->sun_path + !u->sun_path[0]);
	else if (e->fromlen && e->from.ss_family == AF_NETLINK)
		snprintf(addr, sizeof(addr), "netlink port %u", ((const struct sockaddr_nl *)&e->from)->nl_pid);
	if (addr[0])
		snprintf(out, n, "from %s: %s", addr, e->text[0] ? e->text : "(nothing sent)");
	else
		snprintf(out, n, "%s", e->text);
}

int observers_heard(const struct observers *o, enum channel ch, const struct probe_env *env, char *what, size_t n)
{
	int count = 0;

	for (size_t i = 0; i < o->nev; i++)
		if (o->ev[i].ch == ch && from_probe(&o->ev[i], env)) {
			if (!count && what)
				describe(&o->ev[i], what, n);
			count++;
		}
	return count;
}

void observers_forget(struct observers *o, const struct probe_env *env)
{
	size_t w = 0;

	/* connections point at their event by index: detach the ones going away */
	for (size_t k = 0; k < o->nconns; k++)
		if (o->c[k].ev < o->nev && from_probe(&o->ev[o->c[k].ev], env))
			o->c[k].ev = SIZE_MAX;
	for (size_t i = 0; i < o->nev; i++) {
		if (from_probe(&o->ev[i], env))
			continue;
		for (size_t k = 0; k < o->nconns; k++)
			if (o->c[k].ev == i)
				o->c[k].ev = w;
		o->ev[w++] = o->ev[i];
	}
	o->nev = w;
}

void observers_stop(struct observers *o)
{
	static const char *const files[] = {"host.sock", "host.dgram", "nscd.sock", "resolved.sock"};
	char path[PATH_MAX];

	if (!o)
		return;
	stop_bus(o);
	for (int i = 0; i < L__COUNT; i++)
		if (o->l[i].fd >= 0)
			close(o->l[i].fd);
	for (size_t i = 0; i < o->nconns; i++)
		close(o->c[i].fd);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (fmt(path, sizeof(path), "%s/%s", o->run, files[i]) == 0)
			unlink(path);
	free(o->ev);
	free(o);
}
