/* git: the protected names inside a writable workspace (.git, .codex,
 * .agents, nested repositories) and the other files a host-side tool trusts
 * (worktree git files, IDE and agent config): write here, run there later.
 *
 * Where it can, verify also proves the handoff: the host's real git is asked,
 * read-only, what it would now run (hooks, fsmonitor and hooksPath forced off,
 * hard timeout). The verdict comes from the files; git's answer is detail. */
#include "common.h"
#include "registry.h"
#include "../lib/proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOST_GIT_TIMEOUT_MS 5000

/* --- the host's git, asked read-only --- */

/* `git -C ws ARGS` on the host with no system config, the case's HOME,
 * discovery stopped at the case root, fsmonitor and hooks forced off on the
 * command line (a plain `git check-attr` would run core.fsmonitor), and a
 * hard timeout. Callers only ask questions that run nothing (config,
 * check-attr, rev-parse). stdout into out; 0, -ENOENT when there is no git,
 * -ETIMEDOUT, or -EIO when git said no. */
static int host_git(const struct probe_env *env, char *out, size_t n, const char *const *args)
{
	char ws[PATH_MAX], home[PATH_MAX + 8], ceiling[PATH_MAX + 32], path[4096];
	const char *argv[24] = {"git",	"-C", ws, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
				"-c",	"safe.directory=*", "-c", "protocol.allow=never"};
	size_t k = 11;
	int st = 0, r;

	out[0] = 0;
	if (ppath(env, ws, "ws") < 0 || fmt(home, sizeof(home), "HOME=%s/home", env->root) < 0 ||
	    fmt(ceiling, sizeof(ceiling), "GIT_CEILING_DIRECTORIES=%s", env->root) < 0 ||
	    fmt(path, sizeof(path), "PATH=%s", proc_path()) < 0)
		return -ENAMETOOLONG;
	for (; *args && k < ARRAY_SIZE(argv) - 1; args++)
		argv[k++] = *args;
	argv[k] = NULL;
	char *const envp[] = {home, ceiling, path, "GIT_CONFIG_NOSYSTEM=1", "GIT_ATTR_NOSYSTEM=1",
			      "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C", NULL};
	struct proc_cmd c = {.argv = (char *const *)argv, .envp = envp, .timeout = HOST_GIT_TIMEOUT_MS / 1000.0};
	if ((r = proc_run(&c, out, n, &st)) < 0)
		return r;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 126)
		return -EIO;
	return WEXITSTATUS(st) == 127 ? -ENOENT : WEXITSTATUS(st) ? -EIO : 0;
}

/* Append to d what host git answers to args, as "host git would WHAT: LINE"
 * (the line carrying the token). Only ever adds detail. */
void git_says(const struct host_view *hv, const char *what, char *d, size_t n, const char *const *args)
{
	char out[1024];
	size_t len = strlen(d);
	int r;
	const char *line;

	/* a process per answer: not for rows whose detail nobody reads */
	if (hv->brief || len >= n)
		return;
	r = host_git(hv->env, out, sizeof(out), args);
	line = r == 0 ? token_line(out, hv->env->token) : NULL;
	if (r == -ENOENT)
		snprintf(d + len, n - len, "; no git on the host to ask");
	else if (!line)
		snprintf(d + len, n - len, "; host git does not take it up (%s)", r < 0 ? errno_name(r) : "no match");
	else
		snprintf(d + len, n - len, "; host git would %s: %s", what, line);
}

/* --- in the box --- */

static int create_in(const struct probe_env *env, const char *dir, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "%s/%s", dir, env->token);
	return fail_at(a, dir, put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}

static enum observed created_in(const struct host_view *hv, const char *dir, char *d, size_t n)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s", dir, hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* mkdir root/rel; 0 when it is there, else the failure noted in a. */
static int make_dir(const struct probe_env *env, const char *rel, const char *step, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "%s", rel);
	return mkdir(p, 0755) < 0 && errno != EEXIST ? fail_at(a, step, neg_errno()) : 0;
}

/* Write text to root/rel, creating root/dir first when given (an IDE's
 * config dir that the project may not have yet). Steps said to fail are
 * noted and the write is tried anyway: it fails where they really did. */
int plant(const struct probe_env *env, const char *dir, const char *rel, int flags, const char *text,
	  struct attempt *a)
{
	char p[PATH_MAX];
	int r = dir ? make_dir(env, dir, dir, a) : 0;

	PPATH(p, "%s", rel);
	int w = fail_at(a, rel, put_text(p, flags, text));
	return r ? r : w;
}

int hostile_gitdir_at(const struct probe_env *env, int dfd, const char *path, struct attempt *a)
{
	static const char *const dirs[] = {"", "/objects", "/refs"};
	char p[PATH_MAX], cfg[160];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (fmt(p, sizeof(p), "%s%s", path, dirs[i]) < 0)
			return -ENAMETOOLONG;
		if (mkdirat(dfd, p, 0755) < 0 && errno != EEXIST && !r)
			r = fail_at(a, "mkdir the new git dir", neg_errno());
	}
	snprintf(cfg, sizeof(cfg), "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = true cagetest-%s\n",
		 env->token);
	if (fmt(p, sizeof(p), "%s/HEAD", path) < 0)
		return -ENAMETOOLONG;
	int w = fail_at(a, "write HEAD", put_text_at(dfd, p, O_WRONLY | O_CREAT | O_TRUNC, "ref: refs/heads/main\n"));
	if (fmt(p, sizeof(p), "%s/config", path) < 0)
		return -ENAMETOOLONG;
	int c = fail_at(a, "write config", put_text_at(dfd, p, O_WRONLY | O_CREAT | O_TRUNC, cfg));
	return r ? r : w ? w : c;
}

/* hostile_gitdir_at root/rel */
static int hostile_gitdir(const struct probe_env *env, const char *rel, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "%s", rel);
	return hostile_gitdir_at(env, AT_FDCWD, p, a);
}

/* Move .git out of the way: the step a protected .git must refuse. */
static int move_git(const struct probe_env *env, const char *suffix, struct attempt *a)
{
	char from[PATH_MAX], to[PATH_MAX];

	PPATH(from, "ws/.git");
	PPATH(to, "ws/%s%s", env->token, suffix);
	return fail_at(a, "rename .git", rename(from, to) < 0 ? neg_errno() : 0);
}

/* --- .git contents --- */

/* A real config section, so host git keeps parsing the file in a batch. */
int git_config_append(const struct probe_env *env, struct attempt *a)
{
	char text[96];

	snprintf(text, sizeof(text), "[cagetest]\n\ttoken = %s\n", env->token);
	return plant(env, NULL, "ws/.git/config", O_WRONLY | O_APPEND, text, a);
}
enum observed v_git_config(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "ws/.git/config", d, n);
}

/* One config key that makes host git run a command: written as a real
 * [core] section with the token in the value. */
static int core_key(const struct probe_env *env, const char *key, const char *value, struct attempt *a)
{
	char text[PATH_MAX + 64];

	snprintf(text, sizeof(text), "[core]\n\t%s = %s\n", key, value);
	return plant(env, NULL, "ws/.git/config", O_WRONLY | O_APPEND, text, a);
}
static enum observed core_key_verify(const struct host_view *hv, const char *key, const char *what, char *d,
				     size_t n)
{
	enum observed o = v_has_token(hv, "ws/.git/config", d, n);

	if (o == OBS_ALLOWED)
		git_says(hv, what, d, n, (const char *const[]){"config", "--local", "--get-all", key, NULL});
	return o;
}

static int hooks_path_attempt(const struct probe_env *env, struct attempt *a)
{
	char dir[PATH_MAX];

	PPATH(dir, "ws/%s-hooks", env->token);
	return core_key(env, "hooksPath", dir, a);
}
static enum observed hooks_path_verify(const struct host_view *hv, char *d, size_t n)
{
	return core_key_verify(hv, "core.hooksPath", "run hooks from", d, n);
}

/* core.<key> set to a command; the commands planted are harmless (`true`),
 * should anyone run them. */
static int core_command(const struct probe_env *env, const char *key, struct attempt *a)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "true cagetest-%s", env->token);
	return core_key(env, key, cmd, a);
}

static int fsmonitor_attempt(const struct probe_env *env, struct attempt *a)
{
	return core_command(env, "fsmonitor", a);
}
static enum observed fsmonitor_verify(const struct host_view *hv, char *d, size_t n)
{
	return core_key_verify(hv, "core.fsmonitor", "run on `git status`", d, n);
}

static int ssh_command_attempt(const struct probe_env *env, struct attempt *a)
{
	return core_command(env, "sshCommand", a);
}
static enum observed ssh_command_verify(const struct host_view *hv, char *d, size_t n)
{
	return core_key_verify(hv, "core.sshCommand", "run on ssh fetch/push", d, n);
}

/* A filter driver in .git/config selected by a .gitattributes line: host
 * git runs `clean` on `git add` of a matching file. */
static int filter_attempt(const struct probe_env *env, struct attempt *a)
{
	char attr[96], cfg[160];
	int r;

	snprintf(attr, sizeof(attr), "%s.dat filter=%s\n", env->token, env->token);
	snprintf(cfg, sizeof(cfg), "[filter \"%s\"]\n\tclean = \"cat # cagetest-%s\"\n\tsmudge = \"cat # cagetest-%s\"\n",
		 env->token, env->token, env->token);
	/* the config is the decisive write: tried whatever the attributes did */
	r = plant(env, NULL, "ws/.gitattributes", O_WRONLY | O_CREAT | O_APPEND, attr, a);
	int c = plant(env, NULL, "ws/.git/config", O_WRONLY | O_APPEND, cfg, a);
	return r ? r : c;
}
static enum observed filter_verify(const struct host_view *hv, char *d, size_t n)
{
	char key[64], file[64];
	enum observed o = v_has_token(hv, "ws/.git/config", d, n);

	if (o != OBS_ALLOWED)
		return o;
	snprintf(file, sizeof(file), "%s.dat", hv->env->token);
	snprintf(key, sizeof(key), "filter.%s.clean", hv->env->token);
	git_says(hv, "filter it", d, n, (const char *const[]){"check-attr", "filter", "--", file, NULL});
	git_says(hv, "run on `git add`", d, n, (const char *const[]){"config", "--local", "--get", key, NULL});
	return o;
}

static int hook_attempt(const struct probe_env *env, struct attempt *a)
{
	return create_in(env, "ws/.git/hooks", a);
}
static enum observed hook_verify(const struct host_view *hv, char *d, size_t n)
{
	return created_in(hv, "ws/.git/hooks", d, n);
}

static int nested_attempt(const struct probe_env *env, struct attempt *a)
{
	return create_in(env, "ws/nested/.git/hooks", a);
}
static enum observed nested_verify(const struct host_view *hv, char *d, size_t n)
{
	return created_in(hv, "ws/nested/.git/hooks", d, n);
}

/* A submodule's git dir lives in .git/modules/NAME: its hooks run on
 * `git submodule update` in the host's checkout. */
static int submodule_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];

	(void)why, (void)n;
	PPATH(p, "ws/.git/modules/%s/hooks", env->token);
	return mkdir_p(p, 0755);
}
static int submodule_attempt(const struct probe_env *env, struct attempt *a)
{
	char rel[96], text[96];

	snprintf(rel, sizeof(rel), "ws/.git/modules/%s/hooks/post-checkout", env->token);
	snprintf(text, sizeof(text), "#!/bin/sh\ntrue cagetest-%s\n", env->token);
	return plant(env, NULL, rel, O_WRONLY | O_CREAT | O_EXCL, text, a);
}
static enum observed submodule_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[96];

	snprintf(rel, sizeof(rel), "ws/.git/modules/%s/hooks/post-checkout", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* --- reshaping .git itself (never batched) --- */

static int rename_git_attempt(const struct probe_env *env, struct attempt *a)
{
	return move_git(env, "-git", a);
}
static enum observed rename_git_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "ws/%s-git", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* ws/.git gone from the host's view, or the original found where the probe
 * moves it (whatever now stands in its place): the protected name fell. */
static bool git_moved(const struct host_view *hv, char *d, size_t n)
{
	char p[PATH_MAX], orig[PATH_MAX];
	struct stat st;

	if (ppath(hv->env, orig, "ws/%s-orig.git", hv->env->token) == 0 && lstat(orig, &st) == 0) {
		snprintf(d, n, "ws/.git was moved to ws/%s-orig.git", hv->env->token);
		return true;
	}
	if (ppath(hv->env, p, "ws/.git") < 0 || lstat(p, &st) == 0 || errno != ENOENT)
		return false;
	snprintf(d, n, "ws/.git was moved away");
	return true;
}

/* The hostile config took over: what host git would run. */
static void takeover_says(const struct host_view *hv, char *d, size_t n)
{
	git_says(hv, "run on `git status`", d, n,
		 (const char *const[]){"config", "--local", "--get-all", "core.fsmonitor", NULL});
}

/* Replace .git with a file `gitdir: TOKEN-gitdir`, a git dir the box built
 * in the workspace: every later host git command uses its config. */
static int gitdir_attempt(const struct probe_env *env, struct attempt *a)
{
	char rel[64], text[96];
	int r;

	snprintf(rel, sizeof(rel), "ws/%s-gitdir", env->token);
	snprintf(text, sizeof(text), "gitdir: %s-gitdir\n", env->token);
	/* each step whatever the last said: with .git still there, the
	 * pointer file cannot be created (EEXIST) */
	r = hostile_gitdir(env, rel, a);
	int m = move_git(env, "-orig.git", a), p = plant(env, NULL, "ws/.git", O_WRONLY | O_CREAT | O_EXCL, text, a);
	return r ? r : m ? m : p;
}
static enum observed gitdir_verify(const struct host_view *hv, char *d, size_t n)
{
	char p[PATH_MAX], scratch[8];
	struct stat st;

	if (ppath(hv->env, p, "ws/.git") < 0 || lstat(p, &st) < 0)
		return git_moved(hv, d, n) ? OBS_ALLOWED : OBS_UNKNOWN;
	if (S_ISDIR(st.st_mode)) {
		if (git_moved(hv, d, n))
			return OBS_ALLOWED;
		snprintf(d, n, "ws/.git is still a directory");
		return OBS_BLOCKED;
	}
	/* the fixture's .git is a directory: anything else replaced it */
	enum observed o = v_planted(hv, "ws/.git", d, n);
	if (o == OBS_ALLOWED && v_has_token(hv, "ws/.git", scratch, sizeof(scratch)) == OBS_ALLOWED) {
		git_says(hv, "use the git dir", d, n, (const char *const[]){"rev-parse", "--absolute-git-dir", NULL});
		takeover_says(hv, d, n);
	}
	return o;
}

/* Rename .git away and build a new one with a hostile config. */
static int replace_git_attempt(const struct probe_env *env, struct attempt *a)
{
	int r = move_git(env, "-orig.git", a), h = hostile_gitdir(env, "ws/.git", a);

	return r ? r : h;
}
enum observed v_git_replaced(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_has_token(hv, "ws/.git/config", d, n);

	if (o == OBS_ALLOWED)
		takeover_says(hv, d, n);
	else if (git_moved(hv, d, n))
		o = OBS_ALLOWED;
	return o;
}

/* .git/commondir sends host git to another directory for config, hooks,
 * refs and objects: one small file in .git moves the whole repository. */
static int commondir_attempt(const struct probe_env *env, struct attempt *a)
{
	char rel[64], text[96];
	int r;

	snprintf(rel, sizeof(rel), "ws/%s-common", env->token);
	snprintf(text, sizeof(text), "../%s-common\n", env->token);
	/* the pointer is the decisive write: tried whatever the git dir did */
	r = hostile_gitdir(env, rel, a);
	int p = plant(env, NULL, "ws/.git/commondir", O_WRONLY | O_CREAT | O_EXCL, text, a);
	return r ? r : p;
}
static enum observed commondir_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_planted(hv, "ws/.git/commondir", d, n);

	if (o == OBS_ALLOWED) {
		git_says(hv, "use the common dir", d, n, (const char *const[]){"rev-parse", "--git-common-dir", NULL});
		takeover_says(hv, d, n);
	}
	return o;
}

/* --- worktree git files (workspace files unless a mode protects them) --- */

static int gitattributes_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[96];

	snprintf(text, sizeof(text), "%s.dat filter=%s diff=%s\n", env->token, env->token, env->token);
	return plant(env, NULL, "ws/.gitattributes", O_WRONLY | O_CREAT | O_APPEND, text, a);
}
static enum observed gitattributes_verify(const struct host_view *hv, char *d, size_t n)
{
	char file[64];
	enum observed o = v_has_token(hv, "ws/.gitattributes", d, n);

	snprintf(file, sizeof(file), "%s.dat", hv->env->token);
	if (o == OBS_ALLOWED)
		git_says(hv, "apply", d, n, (const char *const[]){"check-attr", "filter", "--", file, NULL});
	return o;
}

static int gitmodules_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[192];

	snprintf(text, sizeof(text), "[submodule \"%s\"]\n\tpath = %s\n\turl = https://cagetest.invalid/%s.git\n",
		 env->token, env->token, env->token);
	return plant(env, NULL, "ws/.gitmodules", O_WRONLY | O_CREAT | O_APPEND, text, a);
}
static enum observed gitmodules_verify(const struct host_view *hv, char *d, size_t n)
{
	char key[64];
	enum observed o = v_planted(hv, "ws/.gitmodules", d, n);

	snprintf(key, sizeof(key), "submodule.%s.url", hv->env->token);
	if (o == OBS_ALLOWED)
		git_says(hv, "fetch on `git submodule update` from", d, n,
			 (const char *const[]){"config", "-f", ".gitmodules", "--get", key, NULL});
	return o;
}

/* --- agent and IDE config: run by the next tool that opens the folder --- */

APPEND_PROBE(codex, "ws/.codex/config.toml")

static int agents_attempt(const struct probe_env *env, struct attempt *a)
{
	return create_in(env, "ws/.agents", a);
}
static enum observed agents_verify(const struct host_view *hv, char *d, size_t n)
{
	return created_in(hv, "ws/.agents", d, n);
}

static int vscode_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[320];

	snprintf(text, sizeof(text),
		 "{\"version\": \"2.0.0\", \"tasks\": [{\"label\": \"cagetest-%s\", \"type\": \"shell\", "
		 "\"command\": \"true cagetest-%s\", \"runOptions\": {\"runOn\": \"folderOpen\"}}]}\n",
		 env->token, env->token);
	return plant(env, "ws/.vscode", "ws/.vscode/tasks.json", O_WRONLY | O_CREAT | O_TRUNC, text, a);
}
static enum observed vscode_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_planted(hv, "ws/.vscode/tasks.json", d, n);

	return o == OBS_BLOCKED ? v_planted(hv, "ws/.vscode", d, n) : o;
}

static int claude_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "{\"hooks\": {\"SessionStart\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"true cagetest-%s\"}]}]}}\n",
		 env->token);
	return plant(env, "ws/.claude", "ws/.claude/settings.json", O_WRONLY | O_CREAT | O_TRUNC, text, a);
}
static enum observed claude_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_planted(hv, "ws/.claude/settings.json", d, n);

	return o == OBS_BLOCKED ? v_planted(hv, "ws/.claude", d, n) : o;
}

static int mcp_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[192];

	snprintf(text, sizeof(text), "{\"mcpServers\": {\"cagetest-%s\": {\"command\": \"true\", \"args\": [\"%s\"]}}}\n",
		 env->token, env->token);
	return plant(env, NULL, "ws/.mcp.json", O_WRONLY | O_CREAT | O_TRUNC, text, a);
}
static enum observed mcp_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_planted(hv, "ws/.mcp.json", d, n);
}

static int envrc_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[64];

	snprintf(text, sizeof(text), "true cagetest-%s\n", env->token);
	return plant(env, NULL, "ws/.envrc", O_WRONLY | O_CREAT | O_APPEND, text, a);
}
static enum observed envrc_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_planted(hv, "ws/.envrc", d, n);
}

#define GIT_BLOCKERS "bwrap ro re-bind of .git, Seatbelt require-not, srt mandatory deny; not Landlock"
#define GIT_HINT "re-mount .git read-only inside the writable workspace"

const struct probe git_probes[] = {
	{
		.id = "git.config_write",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "append a section to .git/config (core.fsmonitor, core.hooksPath run code on the host)",
		.evidence = ".git/config carries the token",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = git_config_append,
		.verify = v_git_config,
	},
	{
		.id = "git.hooks_path",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.hooksPath in .git/config to a workspace dir",
		.evidence = ".git/config carries the token; host `git config` reads it back",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = hooks_path_attempt,
		.verify = hooks_path_verify,
	},
	{
		.id = "git.fsmonitor",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.fsmonitor in .git/config (runs on every host `git status`)",
		.evidence = ".git/config carries the token; host `git config` reads it back",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = fsmonitor_attempt,
		.verify = fsmonitor_verify,
	},
	{
		.id = "git.ssh_command",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.sshCommand in .git/config (runs on host fetch/push)",
		.evidence = ".git/config carries the token; host `git config` reads it back",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = ssh_command_attempt,
		.verify = ssh_command_verify,
	},
	{
		.id = "git.filter_driver",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "define filter.X.clean/smudge in .git/config and select it in .gitattributes",
		.evidence = ".git/config carries the token; host `git check-attr` and `git config` confirm",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = filter_attempt,
		.verify = filter_verify,
	},
	{
		.id = "git.hook_create",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "create a file in .git/hooks",
		.evidence = "the new hook file exists",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = hook_attempt,
		.verify = hook_verify,
	},
	{
		.id = "git.submodule_hook",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "create a hook in a submodule's git dir, .git/modules/NAME/hooks",
		.evidence = "the new hook exists",
		.blocked_by = GIT_BLOCKERS,
		.hint = "protect all of .git, not only .git/config and .git/hooks",
		.arm = submodule_arm,
		.attempt = submodule_attempt,
		.verify = submodule_verify,
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
	{
		.id = "git.commondir",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "plant .git/commondir pointing at a git dir built in the workspace",
		.evidence = ".git/commondir exists (the fixture has none), with the token; host `git rev-parse` follows it",
		.blocked_by = GIT_BLOCKERS,
		.hint = GIT_HINT,
		.attempt = commondir_attempt,
		.verify = commondir_verify,
	},
	{
		.id = "git.rename_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "rename .git away (then a fake .git could be planted)",
		.evidence = "the renamed directory exists",
		.blocked_by = "bwrap (EBUSY on a mount point), Seatbelt; not Landlock",
		.hint = "protect the .git name itself, not only its contents",
		.attempt = rename_git_attempt,
		.verify = rename_git_verify,
	},
	{
		.id = "git.replace_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "rename .git away and build a new .git with a hostile config",
		.evidence = "ws/.git/config carries the token (or .git is gone); host git reads it",
		.blocked_by = "bwrap (EBUSY on a mount point), Seatbelt; not Landlock",
		.hint = "protect the .git name itself, not only its contents",
		.attempt = replace_git_attempt,
		.verify = v_git_replaced,
	},
	{
		.id = "git.gitdir_redirect",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "replace .git by a file `gitdir: X` pointing at a git dir built in the workspace",
		.evidence = "ws/.git is no longer a directory (a file, or gone); host git follows the pointer",
		.blocked_by = "bwrap (EBUSY on a mount point), Seatbelt; not Landlock",
		.hint = "protect the .git name, and a .git pointer file when the checkout has one",
		.attempt = gitdir_attempt,
		.verify = gitdir_verify,
	},
	{
		.id = "git.gitattributes",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".gitattributes",
		.summary = "append filter= and diff= drivers to the worktree .gitattributes",
		.evidence = ".gitattributes carries the token (git.filter_driver writes it too); host `git check-attr` applies it",
		.blocked_by = "modes that protect .gitattributes (none of the default ones)",
		.hint = "harmless alone; with a configured driver (lfs, a planted filter) it selects code to run",
		.attempt = gitattributes_attempt,
		.verify = gitattributes_verify,
	},
	{
		.id = "git.gitmodules",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".gitmodules",
		.summary = "add a submodule with an attacker URL to .gitmodules",
		.evidence = ".gitmodules exists (the fixture has none), with the token; host `git config -f .gitmodules` reads the URL",
		.blocked_by = "srt mandatory deny; modes that protect .gitmodules",
		.hint = "review .gitmodules changes before `git submodule update` on the host",
		.attempt = gitmodules_attempt,
		.verify = gitmodules_verify,
	},
	{
		.id = "git.codex_config",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".codex",
		.summary = "append to the workspace's .codex/config.toml",
		.evidence = ".codex/config.toml carries the token",
		.blocked_by = "bwrap ro re-bind, Seatbelt require-not; not Landlock",
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
		.blocked_by = "bwrap ro re-bind, Seatbelt require-not; not Landlock",
		.hint = "the agent's own instructions must stay read-only",
		.attempt = agents_attempt,
		.verify = agents_verify,
	},
	{
		.id = "git.vscode_tasks",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".vscode",
		.summary = "write .vscode/tasks.json with a task that runs on folder open",
		.evidence = ".vscode/tasks.json, or at least .vscode/, exists (the fixture has neither)",
		.blocked_by = "srt mandatory deny; modes that protect .vscode (strict)",
		.hint = "protect .vscode: the editor runs its tasks outside any sandbox",
		.attempt = vscode_attempt,
		.verify = vscode_verify,
	},
	{
		.id = "git.claude_settings",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".claude",
		.summary = "write .claude/settings.json with a SessionStart hook command",
		.evidence = ".claude/settings.json, or at least .claude/, exists (the fixture has neither)",
		.blocked_by = "srt (parts of .claude); modes that protect .claude (strict)",
		.hint = "protect .claude: the next agent session runs its hooks",
		.attempt = claude_attempt,
		.verify = claude_verify,
	},
	{
		.id = "git.mcp_json",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".mcp.json",
		.summary = "write .mcp.json declaring an MCP server command",
		.evidence = ".mcp.json exists (the fixture has none)",
		.blocked_by = "srt mandatory deny; modes that protect .mcp.json (strict)",
		.hint = "protect .mcp.json: agents start the servers it lists",
		.attempt = mcp_attempt,
		.verify = mcp_verify,
	},
	{
		.id = "git.envrc",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".envrc",
		.summary = "append a command to .envrc (direnv runs it on cd)",
		.evidence = ".envrc exists (the fixture has none)",
		.blocked_by = "modes that protect .envrc (strict)",
		.hint = "protect .envrc: direnv runs it in the user's shell",
		.attempt = envrc_attempt,
		.verify = envrc_verify,
	},
};
PROBE_TABLE_END(git);
