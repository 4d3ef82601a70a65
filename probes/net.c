/* net: egress to listeners the host owns on loopback. */
#include "common.h"
#include "registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

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

const struct probe net_probes[] = {
	{
		.id = "net.tcp4_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP connect to a host listener on 127.0.0.1 and send the token",
		.evidence = "the host's TCP listener received the token",
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4, seccomp socket filter, Seatbelt",
		.hint = "no-network modes need a network namespace or a socket filter",
		.attempt = tcp4_attempt,
		.verify = tcp4_verify,
	},
	{
		.id = "net.udp4_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "UDP sendto a host listener on 127.0.0.1",
		.evidence = "the host's UDP listener received the token",
		.blocked_by = "bwrap --unshare-net, seccomp socket filter (not Landlock: TCP only)",
		.hint = "Landlock cannot stop UDP: add a seccomp socket-family filter or a network namespace",
		.attempt = udp4_attempt,
		.verify = udp4_verify,
	},
	{
		.id = "net.tcp6_loopback",
		.effect = EFFECT_NET_EGRESS,
		.summary = "TCP connect to a host listener on [::1]",
		.evidence = "the host's IPv6 TCP listener received the token",
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
		.evidence = "the host's IPv6 UDP listener received the token",
		.blocked_by = "bwrap --unshare-net, seccomp socket filter",
		.hint = "filter AF_INET6 datagrams too",
		.arm = udp6_arm,
		.attempt = udp6_attempt,
		.verify = udp6_verify,
	},
	{
		.id = "net.v4mapped",
		.effect = EFFECT_NET_EGRESS,
		.summary = "reach the IPv4 listener through ::ffff:127.0.0.1 on an AF_INET6 socket",
		.evidence = "the host's TCP listener received the token",
		.blocked_by = "bwrap --unshare-net, seccomp socket filter",
		.hint = "address filters must normalise IPv4-mapped IPv6 addresses",
		.attempt = mapped_attempt,
		.verify = tcp4_verify,
	},
};
PROBE_TABLE_END(net);
