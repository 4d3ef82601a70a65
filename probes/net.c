/* net: egress to listeners the host owns on loopback, by every road a filter
 * may forget (other syscalls, protocols, families, address spellings), plus
 * what a sandboxed process can do to the host's own network. */
#include "abi.h"
#include "common.h"
#include "proxy.h"
#include "registry.h"
#include "uring.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

static int need_port(int port, const char *what, char *why, size_t n)
{
	if (port > 0)
		return 0;
	snprintf(why, n, "the host has no %s loopback listener", what);
	return -EOPNOTSUPP;
}

static struct sockaddr_in lo4(int port)
{
	return (struct sockaddr_in){.sin_family = AF_INET,
				    .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

static struct sockaddr_in6 lo6(int port)
{
	return (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_loopback};
}

static int tcp4_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp4);
	return send_token(env, AF_INET, SOCK_STREAM, &sa, sizeof(sa), a);
}
static enum observed tcp4_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_TCP4, d, n);
}

static int udp4_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->udp4);
	return send_token(env, AF_INET, SOCK_DGRAM, &sa, sizeof(sa), a);
}
static enum observed udp4_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UDP4, d, n);
}

static int tcp6_arm(const struct probe_env *env, char *why, size_t n)
{
	return need_port(env->tcp6, "IPv6 TCP", why, n);
}
static int tcp6_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in6 sa = lo6(env->tcp6);
	return send_token(env, AF_INET6, SOCK_STREAM, &sa, sizeof(sa), a);
}
static enum observed tcp6_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_TCP6, d, n);
}

static int udp6_arm(const struct probe_env *env, char *why, size_t n)
{
	return need_port(env->udp6, "IPv6 UDP", why, n);
}
static int udp6_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in6 sa = lo6(env->udp6);
	return send_token(env, AF_INET6, SOCK_DGRAM, &sa, sizeof(sa), a);
}
static enum observed udp6_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UDP6, d, n);
}

/* The IPv4 listener reached through its IPv4-mapped IPv6 address. */
static int mapped_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)env->tcp4)};

	inet_pton(AF_INET6, "::ffff:127.0.0.1", &sa.sin6_addr);
	return send_token(env, AF_INET6, SOCK_STREAM, &sa, sizeof(sa), a);
}

/* ---------- other send syscalls ---------- */

static int sendmsg_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->udp4);
	char msg[64];
	struct iovec iov = {msg, token_msg(env, msg, sizeof(msg))};
	struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_DGRAM, 0, a);

	if (fd < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	return sendmsg(fd, &mh, 0) < 0 ? fail_at(a, "sendmsg", neg_errno()) : 0;
}

static int sendmmsg_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->udp4);
	char msg[64];
	struct iovec iov = {msg, token_msg(env, msg, sizeof(msg))};
	struct mmsghdr mm[2];
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_DGRAM, 0, a);

	if (fd < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	for (int i = 0; i < 2; i++)
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1}};
	return sendmmsg(fd, mm, 2, 0) < 0 ? fail_at(a, "sendmmsg", neg_errno()) : 0;
}

/* sendto(MSG_FASTOPEN) connects and sends in one call: no connect(2). */
static int tfo_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp4);
	char msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_STREAM, 0, a);

	if (fd < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	if (sendto(fd, msg, len, MSG_FASTOPEN | MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "sendto(MSG_FASTOPEN)", neg_errno());
	return 0;
}

/* ---------- other protocols ---------- */

static int mptcp_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp4);
	char msg[64];

	token_msg(env, msg, sizeof(msg));
	/* a plain TCP listener: MPTCP falls back to TCP after the handshake */
	return send_msg(env, AF_INET, SOCK_STREAM, IPPROTO_MPTCP, &sa, sizeof(sa), msg, a);
}

static int sctp_arm(const struct probe_env *env, char *why, size_t n)
{
	if (env->sctp > 0)
		return 0;
	snprintf(why, n, "the host cannot open an SCTP listener: this kernel has no SCTP (CONFIG_IP_SCTP)");
	return -EOPNOTSUPP;
}
static int sctp_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->sctp);
	char msg[64];

	token_msg(env, msg, sizeof(msg));
	return send_msg(env, AF_INET, SOCK_STREAM, IPPROTO_SCTP, &sa, sizeof(sa), msg, a);
}
static enum observed sctp_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_SCTP, d, n);
}

static int ping_arm(const struct probe_env *env, char *why, size_t n)
{
	_cleanup_free_ char *range = NULL;
	unsigned long lo = 1, hi = 0;
	uid_t uid;
	gid_t gid;

	if (!(env->taps & TAP_ICMP)) {
		snprintf(why, n, "the host cannot watch ICMP: its raw socket needs root (CAP_NET_RAW)");
		return -EOPNOTSUPP;
	}
	if (read_file("/proc/sys/net/ipv4/ping_group_range", 64, &range, NULL) == 0)
		sscanf(range, "%lu %lu", &lo, &hi);
	if (case_owner(env, &uid, &gid) == 0 && (gid < lo || gid > hi)) {
		snprintf(why, n, "net.ipv4.ping_group_range is %lu-%lu: gid %u may not open ping sockets on this host", lo,
			 hi, (unsigned)gid);
		return -EOPNOTSUPP;
	}
	return 0;
}
/* An unprivileged ICMP echo socket; the kernel fills in id and checksum. */
static int ping_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(0);
	unsigned char pkt[8 + 64] = {8 /* echo request */, 0, 0, 0, 0, 0, 0, 1};
	size_t len = token_msg(env, (char *)pkt + 8, sizeof(pkt) - 8);
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, a);

	if (fd < 0)
		return fd;
	if (sendto(fd, pkt, 8 + len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "sendto", neg_errno());
	return 0;
}
static enum observed ping_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_ICMP, d, n);
}

/* ---------- raw, packet, netlink, vsock ---------- */

/* A UDP header built by hand on a raw socket; the kernel adds the IP header. */
static int raw_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->udp4);
	unsigned char pkt[8 + 64] = {0, 9}; /* from port 9, checksum 0 (none) */
	size_t len = 8 + token_msg(env, (char *)pkt + 8, sizeof(pkt) - 8);
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_RAW, IPPROTO_UDP, a);

	if (fd < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	pkt[2] = (unsigned char)(env->udp4 >> 8), pkt[3] = (unsigned char)env->udp4;
	pkt[4] = (unsigned char)(len >> 8), pkt[5] = (unsigned char)len;
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "sendto", neg_errno());
	return 0;
}

static int packet_arm(const struct probe_env *env, char *why, size_t n)
{
	if (env->taps & TAP_PACKET)
		return 0;
	snprintf(why, n, "the host cannot tap lo: an AF_PACKET socket needs root (CAP_NET_RAW)");
	return -EOPNOTSUPP;
}
/* A frame injected on lo. Not IP: the kernel drops 127/8 arriving from a
 * device as martian, so the host's tap for an experimental ethertype is the
 * witness. It never leaves lo. */
static int packet_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(TAP_ETHERTYPE), .sll_halen = ETH_ALEN};
	struct ifreq ifr = {.ifr_name = "lo"};
	char msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));
	_cleanup_close_ int fd = open_socket(AF_PACKET, SOCK_DGRAM, htons(TAP_ETHERTYPE), a);

	if (fd < 0)
		return fd;
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return fail_at(a, "SIOCGIFINDEX lo", neg_errno());
	ll.sll_ifindex = ifr.ifr_ifindex;
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		return fail_at(a, "sendto", neg_errno());
	return 0;
}
static enum observed packet_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_PACKET, d, n);
}

/* NETLINK_ROUTE: the probe adds 127.x.y.z/32 to lo, labelled with its token.
 * The address is derived from the token, redundant with 127/8 (changes no
 * route that matters), and the host removes it in verify. */
static in_addr_t token_addr(const char *token)
{
	uint64_t h = fnv1a(token, strlen(token), FNV1A_INIT);

	return htonl(127U << 24 | (200U + (unsigned)(h % 50)) << 16 | (unsigned)((h >> 8) & 0xff) << 8 |
		     (1U + (unsigned)((h >> 16) % 254)));
}

/* "lo:" and the token's last 12 characters: a label fits in IFNAMSIZ. */
static void token_label(const char *token, char *label, size_t n)
{
	size_t len = strlen(token);

	snprintf(label, n, "lo:%s", token + (len > 12 ? len - 12 : 0));
}

static void rta_put(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > cap)
		return;
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
}

/* RTM_NEWADDR or RTM_DELADDR of addr/32 on ifindex; the kernel's answer. */
static int rt_addr(int fd, unsigned short cmd, int ifindex, in_addr_t addr, const char *label)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[128];
	} req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = cmd, .nlmsg_seq = 1,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (cmd == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0)},
		.ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_scope = RT_SCOPE_HOST, .ifa_index = (unsigned)ifindex},
	};
	char buf[1024];
	ssize_t k;

	rta_put(&req.nh, sizeof(req), IFA_LOCAL, &addr, sizeof(addr));
	rta_put(&req.nh, sizeof(req), IFA_ADDRESS, &addr, sizeof(addr));
	if (label)
		rta_put(&req.nh, sizeof(req), IFA_LABEL, label, strlen(label) + 1);
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return neg_errno();
	k = recv(fd, buf, sizeof(buf), 0);
	if (k < 0)
		return neg_errno();
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k); h = NLMSG_NEXT(h, k))
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	return -EPROTO;
}

/* Is addr on ifindex (its label copied)? 1, 0, or -errno. */
static int rt_find(int fd, int ifindex, in_addr_t addr, char *label, size_t n)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {.nh = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 2},
		 .ifa = {.ifa_family = AF_INET}};
	static char buf[32768];
	int found = 0;

	if (send(fd, &req, sizeof(req), 0) < 0)
		return neg_errno();
	for (;;) {
		ssize_t k = recv(fd, buf, sizeof(buf), 0);
		if (k < 0)
			return neg_errno();
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k); h = NLMSG_NEXT(h, k)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != ifindex)
				continue;
			bool match = false;
			char lab[IFNAMSIZ] = "";
			unsigned rl = (unsigned)IFA_PAYLOAD(h);
			for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, rl); rta = RTA_NEXT(rta, rl)) {
				if (rta->rta_type == IFA_LOCAL && RTA_PAYLOAD(rta) == 4)
					match = !memcmp(RTA_DATA(rta), &addr, 4);
				if (rta->rta_type == IFA_LABEL)
					snprintf(lab, sizeof(lab), "%.*s", (int)RTA_PAYLOAD(rta), (char *)RTA_DATA(rta));
			}
			if (match && !found) {
				found = 1;
				snprintf(label, n, "%s", lab);
			}
		}
	}
}

static int rt_socket(void)
{
	struct timeval tv = {.tv_sec = 2};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd < 0 ? neg_errno() : fd;
}

static int rtnl_arm(const struct probe_env *env, char *why, size_t n)
{
	char addr[INET_ADDRSTRLEN], label[IFNAMSIZ];
	in_addr_t a = token_addr(env->token);
	int idx = (int)if_nametoindex("lo");
	_cleanup_close_ int fd = rt_socket();

	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	if (!idx || fd < 0) {
		snprintf(why, n, "the host cannot read lo's addresses over netlink");
		return -EOPNOTSUPP;
	}
	if (rt_find(fd, idx, a, label, sizeof(label)) != 0) {
		snprintf(why, n, "%s is already on lo: not ours to touch", addr);
		return -EOPNOTSUPP;
	}
	return 0;
}
static int rtnl_attempt(const struct probe_env *env, struct attempt *a)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	char label[IFNAMSIZ];
	_cleanup_close_ int fd = rt_socket();
	int r;

	if (fd < 0)
		return fail_at(a, "socket", fd);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return fail_at(a, "SIOCGIFINDEX lo", neg_errno());
	token_label(env->token, label, sizeof(label));
	r = rt_addr(fd, RTM_NEWADDR, ifr.ifr_ifindex, token_addr(env->token), label);
	return r < 0 ? fail_at(a, "RTM_NEWADDR", r) : 0;
}
/* Judged, and undone: the host's lo must look as it did. */
static enum observed rtnl_verify(const struct host_view *hv, char *d, size_t n)
{
	char addr[INET_ADDRSTRLEN], label[IFNAMSIZ] = "";
	in_addr_t a = token_addr(hv->env->token);
	int idx = (int)if_nametoindex("lo"), r;
	_cleanup_close_ int fd = rt_socket();

	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	if (!idx || fd < 0 || (r = rt_find(fd, idx, a, label, sizeof(label))) < 0) {
		snprintf(d, n, "the host could not read lo's addresses");
		return OBS_UNKNOWN;
	}
	if (!r) {
		snprintf(d, n, "the host's lo has no %s", addr);
		return OBS_BLOCKED;
	}
	r = rt_addr(fd, RTM_DELADDR, idx, a, NULL);
	snprintf(d, n, "the host's lo gained %s/32 (label %s); %s%s", addr, label, r < 0 ? "removing it failed: " : "removed",
		 r < 0 ? errno_name(r) : "");
	return OBS_ALLOWED;
}

static int usersock_arm(const struct probe_env *env, char *why, size_t n)
{
	if (env->nlpid > 0)
		return 0;
	snprintf(why, n, "the host could not open a NETLINK_USERSOCK socket");
	return -EOPNOTSUPP;
}
/* Netlink between processes: a message to the host's port id. */
static int usersock_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_pid = (unsigned)env->nlpid};
	char buf[NLMSG_SPACE(64)] = {0};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t len = token_msg(env, NLMSG_DATA(h), 64);
	_cleanup_close_ int fd = open_socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK, a);

	if (fd < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	h->nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	h->nlmsg_type = NLMSG_MIN_TYPE;
	if (sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "sendto", neg_errno());
	return 0;
}
static enum observed usersock_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_NETLINK, d, n);
}

static int vsock_arm(const struct probe_env *env, char *why, size_t n)
{
	if (env->vsock > 0)
		return 0;
	/* never CID 2: that is the hypervisor, outside this machine */
	snprintf(why, n, "no vsock loopback transport (vsock_loopback): the host cannot own a vsock listener on "
			 "VMADDR_CID_LOCAL, and the hypervisor (CID 2) is off limits");
	return -EOPNOTSUPP;
}
static int vsock_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_vm sa = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL, .svm_port = (unsigned)env->vsock};
	char msg[64];

	token_msg(env, msg, sizeof(msg));
	return send_msg(env, AF_VSOCK, SOCK_STREAM, 0, &sa, sizeof(sa), msg, a);
}
static enum observed vsock_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_VSOCK, d, n);
}

/* ---------- inbound, io_uring, address spellings, proxies ---------- */

/* Listen on 127.0.0.1 and hold while the host tries to connect. */
static int listen_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(0);
	socklen_t len = sizeof(sa);
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_STREAM, 0, a);

	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_at(a, "bind", neg_errno());
	/* the kernel's view decides: bound to 127.0.0.1? (never listen unbound:
	 * that would bind every interface) */
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || !sa.sin_port)
		return fail_at(a, "not bound", -EADDRNOTAVAIL);
	if (listen(fd, 4) < 0)
		fail_at(a, "listen", neg_errno());
	return probe_hold_port(env, ntohs(sa.sin_port));
}
static enum observed listen_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;

	if (!s || !s->taken || !s->port) {
		snprintf(d, n, "the probe never listened");
		return OBS_BLOCKED;
	}
	/* a port in another network namespace is someone else's on the host */
	if (s->found && s->ns[NS_NET] && s->ns_host[NS_NET] && s->ns[NS_NET] != s->ns_host[NS_NET]) {
		snprintf(d, n, "the probe listens on port %d in its own network namespace", s->port);
		return OBS_BLOCKED;
	}
	if (s->reached) {
		snprintf(d, n, "the host connected to the probe's listener on 127.0.0.1:%d", s->port);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the host could not connect to 127.0.0.1:%d", s->port);
	return OBS_BLOCKED;
}

/* socket, connect and send as io_uring operations: no socket(2) at all. */
static int uring_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp4);
	char msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));

	return uring_send(AF_INET, SOCK_STREAM, &sa, sizeof(sa), msg, len, a);
}

/* ---------- foreign syscall ABIs ---------- */

static int abi_tcp(const struct probe_env *env, enum abi abi, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp4);
	char msg[64];

	token_msg(env, msg, sizeof(msg));
	return abi_send(env, abi, AF_INET, SOCK_STREAM, &sa, sizeof(sa), msg, a);
}
static int i386_tcp_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_tcp(env, ABI_I386, a);
}
static int x32_tcp_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_tcp(env, ABI_X32, a);
}

/* inet_aton spellings of 127.0.0.1 a string-matching allowlist may miss. */
static int aton_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const forms[] = {"127.1", "127.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "0x7f.1"};
	int ok = 0, last = -EINVAL;

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct sockaddr_in sa = lo4(env->tcp4);
		char msg[96];
		if (!inet_aton(forms[i], &sa.sin_addr) || sa.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			continue;
		snprintf(msg, sizeof(msg), "CAGETEST %s via %s\n", env->token, forms[i]);
		int r = send_msg(env, AF_INET, SOCK_STREAM, 0, &sa, sizeof(sa), msg, a);
		ok += r == 0;
		if (r < 0)
			last = r;
	}
	if (ok)
		snprintf(a->detail, sizeof(a->detail), "%d of %zu spellings connected", ok, ARRAY_SIZE(forms));
	return ok ? 0 : last;
}

/* connect(0.0.0.0) and connect(::) reach loopback listeners on Linux. */
static int any_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env->tcp4)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)env->tcp6), .sin6_addr = in6addr_any};
	char msg[96];
	int r4, r6 = -EOPNOTSUPP;

	/* from the kernel's source: Linux sends a connect to 0.0.0.0 to the
	 * socket's own address, which would be the probe's (probe_source) */
	snprintf(msg, sizeof(msg), "CAGETEST %s via 0.0.0.0\n", env->token);
	r4 = send_msg(NULL, AF_INET, SOCK_STREAM, 0, &sa, sizeof(sa), msg, a);
	if (env->tcp6) {
		snprintf(msg, sizeof(msg), "CAGETEST %s via [::]\n", env->token);
		r6 = send_msg(NULL, AF_INET6, SOCK_STREAM, 0, &sa6, sizeof(sa6), msg, a);
	}
	return r4 == 0 || r6 == 0 ? 0 : r4;
}
static enum observed any_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_heard(hv, CH_TCP4, d, n);

	return o == OBS_ALLOWED ? o : v_heard(hv, CH_TCP6, d, n);
}

/* A proxy in the environment is advice, not enforcement: connect directly. */
static int proxy_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const vars[] = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"};
	struct sockaddr_in sa = lo4(env->tcp4);
	const char *var = NULL, *val = NULL;
	int r = send_token(env, AF_INET, SOCK_STREAM, &sa, sizeof(sa), a);

	for (size_t i = 0; i < ARRAY_SIZE(vars) && !val; i++)
		if ((val = getenv(vars[i])) && *val)
			var = vars[i];
		else
			val = NULL;
	if (var)
		detail_add(a, "direct connect, ignoring %s=%.60s", var, val);
	else
		detail_add(a, "no proxy in the environment");
	return r;
}

/* ---------- an allowlisting proxy asked for the denied listener ---------- */

/* The second listener (tcp_denied) stands for a destination the box's
 * allowlist leaves out. Each probe goes there directly first (what a box
 * with no network policy does: the control), then through the proxies in
 * its environment with spellings a matcher and a connector may read apart.
 * Whatever a tunnel opens carries the token; only the listener decides. */

static int denied_arm(const struct probe_env *env, char *why, size_t n)
{
	return need_port(env->tcp_denied, "second (denied)", why, n);
}

/* Routes tried and routes a proxy let through, for the detail. */
struct tally {
	int tried, through;
	char first[64];
};

static void tally_add(struct tally *t, const char *how, int r)
{
	t->tried++;
	if (r == 0 && !t->through++)
		fmt(t->first, sizeof(t->first), "%s", how);
}

static void tally_note(const struct tally *t, const struct proxy *p, struct attempt *a)
{
	if (!t->tried)
		return;
	if (t->through)
		detail_add(a, "%s let %d of %d through (first: %s)", p->var, t->through, t->tried, t->first);
	else
		detail_add(a, "%s refused all %d", p->var, t->tried);
}

static int denied_direct(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_in sa = lo4(env->tcp_denied);
	char msg[96];

	snprintf(msg, sizeof(msg), "CAGETEST %s via direct\n", env->token);
	return send_msg(env, AF_INET, SOCK_STREAM, 0, &sa, sizeof(sa), msg, a);
}

/* A tunnel the proxy opened: the token, down it. */
static int tunnel_token(const struct probe_env *env, int fd, const char *how)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "CAGETEST %s via %s\n", env->token, how);
	return write_all(fd, msg, strlen(msg));
}

/* SOCKS5 CONNECT to the name (hlen bytes) and the denied port; 0 when a
 * tunnel opened and the token went down it. */
static int via_socks(const struct probe_env *env, const struct proxy *p, const char *name, size_t hlen, const char *how,
		     struct attempt *a)
{
	int fd = proxy_open(p, a), r;

	if (fd < 0)
		return fd;
	r = socks5_connect(fd, p, name, hlen, env->tcp_denied);
	if (r == 0)
		r = tunnel_token(env, fd, how);
	close(fd);
	return r;
}

/* HTTP CONNECT to host (hlen bytes) + ":PORT" of the denied listener. */
static int via_connect(const struct probe_env *env, const struct proxy *p, const char *host, size_t hlen, const char *how,
		       struct attempt *a)
{
	char auth[320];
	int fd, r, k;

	if (hlen + 8 > sizeof(auth))
		return -EINVAL;
	memcpy(auth, host, hlen);
	k = (int)hlen + snprintf(auth + hlen, sizeof(auth) - hlen, ":%d", env->tcp_denied);
	if ((fd = proxy_open(p, a)) < 0)
		return fd;
	r = http_connect(fd, p, auth, (size_t)k);
	if (r == 0)
		r = tunnel_token(env, fd, how);
	close(fd);
	return r;
}

/* Whether the proxy opens a tunnel to the allowed listener at all: a
 * refusal of everything below means something only when it does. */
static void proxy_works(const struct probe_env *env, const struct proxy *p, bool socks, struct attempt *a)
{
	char host[32];
	int fd = proxy_open(p, a), r;

	if (fd < 0)
		return;
	snprintf(host, sizeof(host), "127.0.0.1:%d", env->tcp4);
	r = socks ? socks5_connect(fd, p, "127.0.0.1", 9, env->tcp4) : http_connect(fd, p, host, strlen(host));
	close(fd);
	detail_add(a, "%s %s the allowed listener", p->var, r == 0 ? "opens" : "refuses even");
}

/* The NUL: a name whose C string is the denied host, whose whole is an allowed one. */
static int nul_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost"};
	struct proxy hp, sp;
	struct tally th = {0}, ts = {0};
	bool have_h = proxy_from_env(false, &hp) == 0, have_s = proxy_from_env(true, &sp) == 0;
	int r = denied_direct(env, a);

	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		char name[128], how[64];
		size_t hl = strlen(hosts[i]);
		size_t len = hl + 1 + (size_t)snprintf(name + hl + 1, sizeof(name) - hl - 1, "x." PROXY_ALLOWED_SUFFIX);
		memcpy(name, hosts[i], hl);
		name[hl] = 0;
		if (have_s) {
			snprintf(how, sizeof(how), "socks5 %s\\0.x." PROXY_ALLOWED_SUFFIX, hosts[i]);
			tally_add(&ts, how, via_socks(env, &sp, name, len, how, a));
		}
		if (have_h) {
			snprintf(how, sizeof(how), "CONNECT %s\\0.x." PROXY_ALLOWED_SUFFIX, hosts[i]);
			tally_add(&th, how, via_connect(env, &hp, name, len, how, a));
			snprintf(name + hl, sizeof(name) - hl, "%%00.x." PROXY_ALLOWED_SUFFIX);
			snprintf(how, sizeof(how), "CONNECT %s%%00.x." PROXY_ALLOWED_SUFFIX, hosts[i]);
			tally_add(&th, how, via_connect(env, &hp, name, strlen(name), how, a));
		}
	}
	if (!have_h && !have_s)
		detail_add(a, "no proxy in the environment");
	tally_note(&th, &hp, a);
	tally_note(&ts, &sp, a);
	if (have_s)
		proxy_works(env, &sp, true, a);
	return r == 0 || th.through || ts.through ? 0 : r;
}

/* Plain HTTP: the request line and the Host header name different hosts. */
static int host_attempt(const struct probe_env *env, struct attempt *a)
{
	char ok[96], bad[64], target[256], host[96];
	struct proxy p;
	struct tally t = {0};
	int r = denied_direct(env, a);

	if (proxy_from_env(false, &p) < 0) {
		detail_add(a, "no HTTP proxy in the environment");
		return r;
	}
	snprintf(ok, sizeof(ok), "x." PROXY_ALLOWED_SUFFIX ":%d", env->tcp_denied);
	snprintf(bad, sizeof(bad), "127.0.0.1:%d", env->tcp_denied);
	const struct {
		const char *how, *uri, *path, *host; /* uri: scheme://AUTHORITY of the target, NULL: origin form */
	} reqs[] = {
		{"allowed URI, denied Host", ok, "uri", bad},
		{"denied URI, allowed Host", bad, "host", ok},
		{"origin form, denied Host", NULL, "origin", bad},
		{"userinfo allowed@denied", NULL, "userinfo", bad},
		{"no Host", bad, "nohost", NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		int fd = proxy_open(&p, a);
		if (fd < 0)
			break;
		if (reqs[i].uri)
			snprintf(target, sizeof(target), "http://%s/CAGETEST-%s-%s", reqs[i].uri, env->token, reqs[i].path);
		else if (!strcmp(reqs[i].path, "userinfo"))
			snprintf(target, sizeof(target), "http://x." PROXY_ALLOWED_SUFFIX "@%s/CAGETEST-%s-userinfo", bad, env->token);
		else
			snprintf(target, sizeof(target), "/CAGETEST-%s-origin", env->token);
		snprintf(host, sizeof(host), "%s", reqs[i].host ? reqs[i].host : "");
		tally_add(&t, reqs[i].how, http_request(fd, &p, target, reqs[i].host ? host : NULL));
		close(fd);
	}
	tally_note(&t, &p, a);
	return r == 0 || t.through ? 0 : r;
}

/* The denied host spelt every way inet_aton, DNS and URL parsers accept. */
static int forms_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const forms[] = {"127.0.0.1", "127.1", "0x7f.1", "0x7f000001", "2130706433", "0177.0.0.1",
					    "127.0.0.1.", "LOCALHOST", "localhost.", "LocalHost.", "[::ffff:127.0.0.1]",
					    "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]"};
	struct proxy hp, sp;
	struct tally th = {0}, ts = {0};
	bool have_h = proxy_from_env(false, &hp) == 0, have_s = proxy_from_env(true, &sp) == 0;
	int r = denied_direct(env, a);

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		char how[64];
		if (have_h) {
			snprintf(how, sizeof(how), "CONNECT %s", forms[i]);
			tally_add(&th, how, via_connect(env, &hp, forms[i], strlen(forms[i]), how, a));
		}
		if (have_s && forms[i][0] != '[') {
			snprintf(how, sizeof(how), "socks5 %s", forms[i]);
			tally_add(&ts, how, via_socks(env, &sp, forms[i], strlen(forms[i]), how, a));
		}
	}
	if (!have_h && !have_s)
		detail_add(a, "no proxy in the environment");
	tally_note(&th, &hp, a);
	tally_note(&ts, &sp, a);
	if (have_h)
		proxy_works(env, &hp, false, a);
	return r == 0 || th.through || ts.through ? 0 : r;
}
static enum observed denied_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_TCP_DENIED, d, n);
}

#define PROXY_EVIDENCE "the second (denied) listener received the token, directly or down a tunnel the proxy opened (by the token only: a proxy connects from its own address)"
#define PROXY_BLOCKED "an allowlisting proxy that reads a request the way its connector does (srt >= 0.0.83 rejects control bytes, canonicalises hosts); " NO_NET " for the direct route"

const struct probe net_probes[] = {
	{
		.id = "net.tcp4_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP connect to a host listener on 127.0.0.1 and send the token",
		.evidence = "the host's TCP listener heard the probe" FROM_SRC4,
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4, seccomp socket filter, Seatbelt",
		.hint = "no-network modes need a network namespace or a socket filter",
		.attempt = tcp4_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.udp4_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "UDP sendto a host listener on 127.0.0.1",
		.evidence = "the host's UDP listener heard the probe" FROM_SRC4,
		.blocked_by = "bwrap --unshare-net, seccomp socket filter (not Landlock: TCP only)",
		.hint = "Landlock cannot stop UDP: add a seccomp socket-family filter or a network namespace",
		.attempt = udp4_attempt,
		.verify = udp4_verify,
	},
	{
		.id = "net.tcp6_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP connect to a host listener on [::1]",
		.evidence = "the host's IPv6 TCP listener received the token" PAYLOAD_ONLY,
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4, seccomp socket filter",
		.hint = "filter AF_INET6 as well as AF_INET",
		.arm = tcp6_arm,
		.attempt = tcp6_attempt,
		.verify = tcp6_verify,
	},
	{
		.id = "net.udp6_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "UDP sendto a host listener on [::1]",
		.evidence = "the host's IPv6 UDP listener received the token" PAYLOAD_ONLY,
		.blocked_by = NO_NET,
		.hint = "filter AF_INET6 datagrams too",
		.arm = udp6_arm,
		.attempt = udp6_attempt,
		.verify = udp6_verify,
	},
	{
		.id = "net.v4mapped",
		.effect = EFFECT_NET_EGRESS,
		.summary = "reach the IPv4 listener through ::ffff:127.0.0.1 on an AF_INET6 socket",
		.evidence = "the host's TCP listener heard the probe" FROM_SRC4,
		.blocked_by = NO_NET,
		.hint = "address filters must normalise IPv4-mapped IPv6 addresses",
		.attempt = mapped_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.sendmsg_udp",
		.effect = EFFECT_NET_EGRESS,
		.summary = "unconnected UDP through sendmsg(2) with msg_name set",
		.evidence = "the host's UDP listener heard the probe" FROM_SRC4,
		.blocked_by = NO_NET " (not a filter that lists only sendto)",
		.hint = "a syscall filter on sendto must also cover sendmsg and sendmmsg, or filter socket()",
		.attempt = sendmsg_attempt,
		.verify = udp4_verify,
	},
	{
		.id = "net.sendmmsg_udp",
		.effect = EFFECT_NET_EGRESS,
		.summary = "unconnected UDP through sendmmsg(2), two datagrams in one call",
		.evidence = "the host's UDP listener heard the probe" FROM_SRC4,
		.blocked_by = NO_NET " (not a filter that lists only sendto/sendmsg)",
		.hint = "filter sendmmsg with sendto and sendmsg, or filter socket()",
		.attempt = sendmmsg_attempt,
		.verify = udp4_verify,
	},
	{
		.id = "net.tcp_fastopen",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP Fast Open: sendto(MSG_FASTOPEN) connects and sends without connect(2)",
		.evidence = "the host's TCP listener (TCP_FASTOPEN set) heard the probe" FROM_SRC4,
		.blocked_by = NO_NET "; not Landlock (the implicit connect skips its connect hook: landlock-lsm/linux#41, "
			      "seen on 6.18)",
		.hint = "connect(2) rules alone (Landlock TCP, connect filters) miss TFO: filter socket() or unshare the network",
		.attempt = tfo_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.mptcp",
		.effect = EFFECT_NET_EGRESS,
		.summary = "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) to the TCP listener (falls back to TCP)",
		.evidence = "the host's TCP listener heard the probe" FROM_SRC4,
		.blocked_by = NO_NET "; not Landlock (its TCP rules leave MPTCP out)",
		.hint = "Landlock's TCP rights do not cover IPPROTO_MPTCP: filter the protocol or unshare the network",
		.attempt = mptcp_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.sctp",
		.effect = EFFECT_NET_EGRESS,
		.summary = "SCTP (IPPROTO_SCTP) connect to a host SCTP listener on 127.0.0.1",
		.evidence = "the host's SCTP listener heard the probe" FROM_SRC4,
		.blocked_by = NO_NET "; not Landlock (TCP only)",
		.hint = "filter protocols other than TCP/UDP or unshare the network",
		.arm = sctp_arm,
		.attempt = sctp_attempt,
		.verify = sctp_verify,
	},
	{
		.id = "net.icmp_ping",
		.effect = EFFECT_NET_EGRESS,
		.summary = "unprivileged ICMP echo socket (SOCK_DGRAM, IPPROTO_ICMP) to 127.0.0.1, the token as payload",
		.evidence = "the host's raw ICMP socket saw an echo request from 127.0.0.1 carrying the token",
		.blocked_by = NO_NET ", net.ipv4.ping_group_range; not Landlock",
		.hint = "ICMP is a covert channel: filter IPPROTO_ICMP sockets or unshare the network",
		.arm = ping_arm,
		.attempt = ping_attempt,
		.verify = ping_verify,
	},
	{
		.id = "net.raw_socket",
		.effect = EFFECT_PRIV_GAIN,
		.summary = "SOCK_RAW (CAP_NET_RAW): a UDP header built by hand, sent to the host's UDP listener",
		.evidence = "the host's UDP listener heard the hand-built datagram" FROM_SRC4,
		.blocked_by = "dropping CAP_NET_RAW (any non-root or cap-dropping sandbox), " NO_NET,
		.hint = "forged packets need CAP_NET_RAW: drop it, even with network on",
		.attempt = raw_attempt,
		.verify = udp4_verify,
	},
	{
		.id = "net.packet_socket",
		.effect = EFFECT_PRIV_GAIN,
		.summary = "AF_PACKET (CAP_NET_RAW): inject a frame on the host's lo (experimental ethertype 0x88b5)",
		.evidence = "the host's AF_PACKET tap on lo saw the frame carrying the token",
		.blocked_by = "dropping CAP_NET_RAW, bwrap --unshare-net, seccomp family filter",
		.hint = "drop CAP_NET_RAW and filter AF_PACKET",
		.arm = packet_arm,
		.attempt = packet_attempt,
		.verify = packet_verify,
	},
	{
		.id = "net.netlink_route",
		.effect = EFFECT_PRIV_GAIN,
		.flags = PROBE_HOST_OBJECT,
		.summary = "NETLINK_ROUTE RTM_NEWADDR: add a 127.x.y.z/32 labelled with the token to the host's lo",
		.evidence = "the host's own netlink dump shows the address on lo (the host then removes it)",
		.blocked_by = "dropping CAP_NET_ADMIN, bwrap --unshare-net (its own lo), seccomp AF_NETLINK filter",
		.hint = "a sandboxed root must not reconfigure the host's network: drop CAP_NET_ADMIN",
		.arm = rtnl_arm,
		.attempt = rtnl_attempt,
		.verify = rtnl_verify,
	},
	{
		.id = "net.netlink_usersock",
		.effect = EFFECT_IPC_HOST,
		.summary = "NETLINK_USERSOCK message to a host process's netlink port id",
		.evidence = "the host's NETLINK_USERSOCK socket heard the probe (a message from the probe's own port id counts, payload or not)",
		.blocked_by = "bwrap --unshare-net (netlink is per network namespace), seccomp AF_NETLINK filter",
		.hint = "netlink reaches host processes too: filter AF_NETLINK or unshare the network",
		.arm = usersock_arm,
		.attempt = usersock_attempt,
		.verify = usersock_verify,
	},
	{
		.id = "net.vsock",
		.effect = EFFECT_IPC_HOST,
		.summary = "AF_VSOCK connect to a host vsock listener on VMADDR_CID_LOCAL",
		.evidence = "the host's vsock listener received the token (by the token only: a connection that sends nothing is nobody's)",
		.blocked_by = "seccomp AF_VSOCK filter; network namespaces do not scope vsock on most kernels",
		.hint = "vsock reaches VM host agents (WSL interop, hypervisor services): filter AF_VSOCK",
		.arm = vsock_arm,
		.attempt = vsock_attempt,
		.verify = vsock_verify,
	},
	{
		.id = "net.bind_listen",
		.effect = EFFECT_NET_EGRESS,
		.needs = NEED_INSPECT,
		.summary = "bind and listen on 127.0.0.1; the host connects to it while the probe holds",
		.evidence = "the host's connect to the probe's port succeeded (same network namespace); the probe tells the "
			    "host its port: a box that hides that record scores blocked",
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4 (BIND_TCP), seccomp socket filter",
		.hint = "an inbound listener is a channel too: deny bind or unshare the network",
		.attempt = listen_attempt,
		.verify = listen_verify,
	},
	{
		.id = "net.io_uring_socket",
		.effect = EFFECT_NET_EGRESS,
		.summary = "IORING_OP_SOCKET, IORING_OP_CONNECT, IORING_OP_SEND: TCP without socket(2)/connect(2)",
		.evidence = "the host's TCP listener received the token (by the token only: io_uring leaves the source to the kernel)",
		.blocked_by = "seccomp denying io_uring_setup, kernel.io_uring_disabled, bwrap --unshare-net, Landlock ABI >= 4",
		.hint = "a filter on socket() alone misses io_uring: deny io_uring_setup",
		.attempt = uring_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.i386_socket",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP to the host listener through int 0x80: socketcall(SOCKET, CONNECT), then i386's own socket/connect numbers",
		.evidence = "the host's TCP listener heard the probe" FROM_SRC4,
		.blocked_by = "seccomp filters that check the architecture (libseccomp's default bad-arch action), " NO_NET,
		.hint = "a filter written for x86_64 numbers must kill or deny every other arch (AUDIT_ARCH_I386): "
			"socketcall hides the socket family from it",
		.arm = abi_arm_i386,
		.attempt = i386_tcp_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.x32_socket",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP to the host listener with x32 syscall numbers (__X32_SYSCALL_BIT | socket, connect)",
		.evidence = "the host's TCP listener heard the probe" FROM_SRC4,
		.blocked_by = "seccomp filters that deny numbers with the x32 bit (libseccomp does), " NO_NET,
		.hint = "x32 calls carry AUDIT_ARCH_X86_64: a filter must also reject nr >= 0x40000000",
		.arm = abi_arm_x32,
		.attempt = x32_tcp_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.inet_aton_forms",
		.effect = EFFECT_NET_EGRESS,
		.summary = "127.0.0.1 spelt 127.1, 127.0.1, 0x7f000001, 2130706433, 0177.0.0.1, 0x7f.1 (inet_aton)",
		.evidence = "the host's TCP listener heard the probe, once per spelling that got through" FROM_SRC4,
		.blocked_by = NO_NET,
		.hint = "allowlists that match address strings must parse them the way inet_aton does",
		.attempt = aton_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.unspecified_addr",
		.effect = EFFECT_NET_EGRESS,
		.summary = "connect to 0.0.0.0 and [::] at the listeners' ports (Linux routes them to loopback)",
		.evidence = "the host's TCP listener (IPv4 or IPv6) received the token (by the token only: a connect to 0.0.0.0 goes to the socket's own address)",
		.blocked_by = NO_NET,
		.hint = "treat 0.0.0.0 and :: as loopback in address rules",
		.attempt = any_attempt,
		.verify = any_verify,
	},
	{
		.id = "net.proxy_socks_nul",
		.effect = EFFECT_NET_EGRESS,
		.summary = "through the box's SOCKS5 and HTTP proxies, a host name with a NUL before an allowed suffix (127.0.0.1\\0.x." PROXY_ALLOWED_SUFFIX ", raw and %00) at the denied listener's port",
		.evidence = PROXY_EVIDENCE,
		.blocked_by = PROXY_BLOCKED,
		.hint = "a matcher that compares a name with a NUL in it, and a resolver that stops at the NUL, disagree: reject control bytes in SOCKS and CONNECT hosts",
		.arm = denied_arm,
		.attempt = nul_attempt,
		.verify = denied_verify,
	},
	{
		.id = "net.proxy_http_host",
		.effect = EFFECT_NET_EGRESS,
		.summary = "plain HTTP through the box's proxy whose request line and Host header disagree (allowed URI with the denied Host, the reverse, origin form, userinfo allowed@denied, no Host)",
		.evidence = PROXY_EVIDENCE,
		.blocked_by = PROXY_BLOCKED,
		.hint = "check and connect to one and the same host: the absolute URI's, with a Host that must match it",
		.arm = denied_arm,
		.attempt = host_attempt,
		.verify = denied_verify,
	},
	{
		.id = "net.proxy_connect_forms",
		.effect = EFFECT_NET_EGRESS,
		.summary = "CONNECT and SOCKS5 to the denied listener's host spelt as IP literals, inet_aton forms (127.1, 0x7f.1, 2130706433), a trailing dot, mixed case, IPv4-mapped IPv6",
		.evidence = PROXY_EVIDENCE,
		.blocked_by = PROXY_BLOCKED,
		.hint = "canonicalise a destination (inet_aton, lower case, no trailing dot, mapped IPv6) before matching it, and connect to exactly what was matched",
		.arm = denied_arm,
		.attempt = forms_attempt,
		.verify = denied_verify,
	},
	{
		.id = "net.proxy_bypass",
		.effect = EFFECT_NET_EGRESS,
		.summary = "ignore HTTP(S)_PROXY/ALL_PROXY and connect straight to the host listener",
		.evidence = "the host's TCP listener heard the probe; the detail names the proxy that was ignored" FROM_SRC4,
		.blocked_by = "bwrap --unshare-net with a proxy bridge (srt), seccomp socket filter",
		.hint = "proxy variables are advice: enforce the proxy with a network namespace; a proxy-only mode "
			"should override this probe to expected blocked",
		.attempt = proxy_attempt,
		.verify = tcp4_verify,
	},
};
PROBE_TABLE_END(net);
