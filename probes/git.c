/* git: the protected names inside a writable workspace (.git, .codex,
 * .agents, nested repositories): what a host-side tool would later trust. */
#include "common.h"
#include "registry.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int append_to(const struct probe_env *env, const char *rel, struct attempt *a)
{
	char p[PATH_MAX];
	int r = ppath(env, p, "%s", rel);

	return r < 0 ? r : fail_at(a, rel, put_token(env, p, O_WRONLY | O_APPEND));
}

static int create_in(const struct probe_env *env, const char *dir, struct attempt *a)
{
	char p[PATH_MAX];
	int r = ppath(env, p, "%s/%s", dir, env->token);

	return r < 0 ? r : fail_at(a, dir, put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}

static enum observed created_in(const struct host_view *hv, const char *dir, char *d, size_t n)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s", dir, hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* One probe = one protected file appended to, or one protected dir created in. */
#define APPEND_PROBE(fn, rel)                                                                               \
	static int fn##_attempt(const struct probe_env *env, struct attempt *a)                             \
	{                                                                                                   \
		return append_to(env, rel, a);                                                              \
	}                                                                                                   \
	static enum observed fn##_verify(const struct host_view *hv, char *d, size_t n)                     \
	{                                                                                                   \
		return v_has_token(hv, rel, d, n);                                                          \
	}
#define CREATE_PROBE(fn, dir)                                                                               \
	static int fn##_attempt(const struct probe_env *env, struct attempt *a)                             \
	{                                                                                                   \
		return create_in(env, dir, a);                                                              \
	}                                                                                                   \
	static enum observed fn##_verify(const struct host_view *hv, char *d, size_t n)                     \
	{                                                                                                   \
		return created_in(hv, dir, d, n);                                                           \
	}

APPEND_PROBE(config, "ws/.git/config")
CREATE_PROBE(hook, "ws/.git/hooks")
APPEND_PROBE(codex, "ws/.codex/config.toml")
CREATE_PROBE(agents, "ws/.agents")
CREATE_PROBE(nested, "ws/nested/.git/hooks")

static int rename_git_attempt(const struct probe_env *env, struct attempt *a)
{
	char from[PATH_MAX], to[PATH_MAX];
	int r = ppath(env, from, "ws/.git");

	if (r < 0 || (r = ppath(env, to, "ws/%s-git", env->token)) < 0)
		return r;
	return fail_at(a, "rename .git", rename(from, to) < 0 ? neg_errno() : 0);
}
static enum observed rename_git_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "ws/%s-git", hv->env->token);
	return v_exists(hv, rel, d, n);
}

const struct probe git_probes[] = {
	{
		.id = "git.config_write",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "append to .git/config (core.fsmonitor, core.hooksPath run code on the host)",
		.evidence = ".git/config carries the token",
		.blocked_by = "bwrap ro re-bind of .git, Seatbelt require-not, srt mandatory deny",
		.hint = "re-mount .git read-only inside the writable workspace",
		.attempt = config_attempt,
		.verify = config_verify,
	},
	{
		.id = "git.hook_create",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "create a file in .git/hooks",
		.evidence = "the new hook file exists",
		.blocked_by = "bwrap ro re-bind of .git, Seatbelt require-not",
		.hint = "re-mount .git read-only inside the writable workspace",
		.attempt = hook_attempt,
		.verify = hook_verify,
	},
	{
		.id = "git.rename_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "rename .git away (then a fake .git could be planted)",
		.evidence = "the renamed directory exists",
		.blocked_by = "bwrap (EBUSY on a mount point), Seatbelt",
		.hint = "protect the .git name itself, not only its contents",
		.attempt = rename_git_attempt,
		.verify = rename_git_verify,
	},
	{
		.id = "git.codex_config",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".codex",
		.summary = "append to the workspace's .codex/config.toml",
		.evidence = ".codex/config.toml carries the token",
		.blocked_by = "bwrap ro re-bind, Seatbelt require-not",
		.hint = "the agent's own config must stay read-only",
		.attempt = codex_attempt,
		.verify = codex_verify,
	},
	{
		.id = "git.agents_create",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".agents",
		.summary = "create a file in the workspace's .agents/",
		.evidence = "the new file exists",
		.blocked_by = "bwrap ro re-bind, Seatbelt require-not",
		.hint = "the agent's own instructions must stay read-only",
		.attempt = agents_attempt,
		.verify = agents_verify,
	},
	{
		.id = "git.nested_hook",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "create a hook in a nested repository's .git",
		.evidence = "the new hook file exists",
		.blocked_by = "policies that protect .git at any depth",
		.hint = "protect every .git under the workspace, not only the top one",
		.attempt = nested_attempt,
		.verify = nested_verify,
	},
};
PROBE_TABLE_END(git);
