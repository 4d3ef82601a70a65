/* ipc: host services reached over UNIX sockets (stand-ins the host owns for
 * D-Bus, ssh-agent, docker.sock...). */
#include "common.h"
#include "registry.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static int unix_send(const struct probe_env *env, const char *name, int type, struct attempt *a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (fmt(sa.sun_path, sizeof(sa.sun_path), "%s/%s", env->run, name) < 0)
		return -ENAMETOOLONG;
	return send_token(env, AF_UNIX, type, &sa, sizeof(sa), a);
}

static int stream_attempt(const struct probe_env *env, struct attempt *a)
{
	return unix_send(env, "host.sock", SOCK_STREAM, a);
}
static enum observed stream_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UNIX_STREAM, d, n);
}

static int dgram_attempt(const struct probe_env *env, struct attempt *a)
{
	return unix_send(env, "host.dgram", SOCK_DGRAM, a);
}
static enum observed dgram_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UNIX_DGRAM, d, n);
}

static int abstract_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(env->abstract);

	if (len + 1 > sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path + 1, env->abstract, len);
	return send_token(env, AF_UNIX, SOCK_STREAM, &sa, (unsigned)(offsetof(struct sockaddr_un, sun_path) + 1 + len), a);
}
static enum observed abstract_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_ABSTRACT, d, n);
}

const struct probe ipc_probes[] = {
	{
		.id = "ipc.unix_stream",
		.effect = EFFECT_IPC_HOST,
		.summary = "connect to a host pathname UNIX stream socket and send the token",
		.evidence = "the host's UNIX listener received the token",
		.blocked_by = "Landlock ABI >= 9, seccomp socket(AF_UNIX) filter, Seatbelt; not bwrap --ro-bind",
		.hint = "hide host socket dirs (tmpfs over /run) or filter socket(AF_UNIX)",
		.attempt = stream_attempt,
		.verify = stream_verify,
	},
	{
		.id = "ipc.unix_dgram",
		.effect = EFFECT_IPC_HOST,
		.summary = "sendto a host pathname UNIX datagram socket",
		.evidence = "the host's UNIX datagram socket received the token",
		.blocked_by = "Landlock ABI >= 9, seccomp socket(AF_UNIX) filter, Seatbelt",
		.hint = "hide host socket dirs or filter socket(AF_UNIX)",
		.attempt = dgram_attempt,
		.verify = dgram_verify,
	},
	{
		.id = "ipc.abstract_unix",
		.effect = EFFECT_IPC_HOST,
		.summary = "connect to a host abstract UNIX socket",
		.evidence = "the host's abstract listener received the token",
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 6 scope, seccomp socket filter",
		.hint = "abstract sockets live in the network namespace: unshare it or use Landlock scoping",
		.attempt = abstract_attempt,
		.verify = abstract_verify,
	},
};
PROBE_TABLE_END(ipc);
