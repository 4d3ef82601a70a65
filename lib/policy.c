#include "policy.h"

#include <errno.h>
#include <string.h>

static const char *const effect_names[EFFECT__COUNT] = {
	[EFFECT_WRITE_WORKSPACE] = "write.workspace", [EFFECT_WRITE_TMP] = "write.tmp",
	[EFFECT_WRITE_OUTSIDE] = "write.outside",     [EFFECT_WRITE_PROTECTED] = "write.protected",
	[EFFECT_READ_ANY] = "read.any",		      [EFFECT_EXEC] = "exec",
	[EFFECT_NET_EGRESS] = "net.egress",	      [EFFECT_IPC_HOST] = "ipc.host",
	[EFFECT_PRIV_GAIN] = "priv.gain",	      [EFFECT_PROC_ESCAPE] = "proc.escape",
	[EFFECT_PROC_INSPECT] = "proc.inspect",
};

bool mode_writable(const struct mode *m, const char *root)
{
	for (size_t i = 0; i < m->nwritable; i++)
		if (!strcmp(m->writable[i], root) || !strcmp(m->writable[i], "/"))
			return true;
	return false;
}

bool mode_allows(const struct mode *m, enum effect e)
{
	switch (e) {
	case EFFECT_READ_ANY:
	case EFFECT_EXEC:
		return true;
	case EFFECT_WRITE_WORKSPACE:
		return mode_writable(m, "{workspace}");
	case EFFECT_WRITE_TMP:
		return mode_writable(m, "{tmp}");
	case EFFECT_WRITE_OUTSIDE:
		return mode_writable(m, "/");
	case EFFECT_WRITE_PROTECTED:
		return mode_writable(m, "{workspace}") && m->nprotected == 0;
	case EFFECT_NET_EGRESS:
		return m->network;
	case EFFECT_IPC_HOST:
	case EFFECT_PRIV_GAIN:
	case EFFECT_PROC_ESCAPE:
	case EFFECT_PROC_INSPECT:
		return !m->confined;
	default:
		return false;
	}
}

const char *effect_name(enum effect e)
{
	return (unsigned)e < EFFECT__COUNT ? effect_names[e] : "?";
}

int effect_from_name(const char *name)
{
	for (int e = 0; e < EFFECT__COUNT; e++)
		if (!strcmp(effect_names[e], name))
			return e;
	return -EINVAL;
}

const char *expect_name(enum expect e)
{
	return e == EXPECT_ALLOWED ? "allowed" : "blocked";
}

int expect_from_name(const char *name)
{
	if (name && !strcmp(name, "allowed"))
		return EXPECT_ALLOWED;
	if (name && !strcmp(name, "blocked"))
		return EXPECT_BLOCKED;
	return -EINVAL;
}
