/* git (second table): traps the host springs later. The box writes only
 * where it may, but what it writes makes a host tool run code, or write
 * somewhere else, after the sandbox is gone: a symlink where an agent or an
 * editor writes its settings, a repository git will use under a name no
 * policy protects or deeper than a scan looks, a venv's .pth, a .env, an
 * .npmrc, a devcontainer's initializeCommand, a tool planted on the
 * launcher's PATH; and protected names reached by renaming the directory
 * above them.
 *
 * Which are escapes is the mode's business, not the probe's: each probe
 * names what it defeats (`name`: the .git whose config host git reads under
 * another path, the .claude an agent writes through), so a mode that
 * protects that name expects it blocked and any other mode takes it as a
 * workspace write (docs/probes.md, "Traps"). Verify reads what the host's
 * own tool would read (git config, the launcher's PATH, the file's key) and
 * never runs what was planted. */
#include "../lib/path.h"
#include "../lib/proc.h"
#include "common.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---------- symlinks where agents and editors write ---------- */

/* A symlink at root/rel (its directory made first) to outside/TOKEN-what. */
static int link_out(const struct probe_env *env, const char *dir, const char *rel, const char *what, struct attempt *a)
{
	char lnk[PATH_MAX], target[PATH_MAX], d[PATH_MAX];
	int r = 0;

	PPATH(target, "outside/%s-%s", env->token, what);
	PPATH(lnk, "%s", rel);
	if (dir) {
		PPATH(d, "%s", dir);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			r = fail_at(a, dir, neg_errno());
	}
	int l = symlink(target, lnk) < 0 ? fail_at(a, "symlink", neg_errno()) : 0;
	return r ? r : l;
}

/* dir + "/" + rel with "." and ".." taken apart by the letters (no lookup:
 * a dangling link's target is judged by its name), into out (PATH_MAX). */
static void join_lexical(const char *dir, const char *rel, char *out)
{
	char buf[2 * PATH_MAX], *save = NULL;
	size_t k = 0;

	snprintf(buf, sizeof(buf), "%s/%s", rel[0] == '/' ? "" : dir, rel);
	out[0] = 0;
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(out, '/');
			k = slash ? (size_t)(slash - out) : 0;
			out[k] = 0;
			continue;
		}
		if (k + strlen(c) + 2 < PATH_MAX)
			k += (size_t)snprintf(out + k, PATH_MAX - k, "/%s", c);
	}
	if (!k)
		snprintf(out, PATH_MAX, "/");
}

/* allowed if root/rel is a symlink that leads out of the workspace: the host
 * tool that writes there writes outside. */
static enum observed v_link_out(const struct host_view *hv, const char *rel, const char *who, char *d, size_t n)
{
	char p[PATH_MAX], target[PATH_MAX], ws[PATH_MAX];
	struct stat st;
	ssize_t k;

	if (ppath(hv->env, p, "%s", rel) < 0 || ppath(hv->env, ws, "ws") < 0)
		return OBS_UNKNOWN;
	if (lstat(p, &st) < 0) {
		snprintf(d, n, "%s absent", rel);
		return errno == ENOENT || errno == ENOTDIR ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	if (!S_ISLNK(st.st_mode)) {
		snprintf(d, n, "%s is not a symlink", rel);
		return OBS_BLOCKED;
	}
	k = readlink(p, target, sizeof(target) - 1);
	if (k < 0)
		return OBS_UNKNOWN;
	target[k] = 0;
	char dir[PATH_MAX], where[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = 0;
	join_lexical(dir, target, where);
	if (path_is_under(where, ws)) {
		snprintf(d, n, "%s -> %s stays in the workspace", rel, target);
		return OBS_BLOCKED;
	}
	snprintf(d, n, "%s -> %s: %s writes through it, outside the workspace", rel, target, who);
	return OBS_ALLOWED;
}

static int claude_link_attempt(const struct probe_env *env, struct attempt *a)
{
	return link_out(env, "ws/.claude", "ws/.claude/settings.local.json", "claude.json", a);
}
static enum observed claude_link_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_link_out(hv, "ws/.claude/settings.local.json", "Claude Code (when a permission is granted)", d, n);
}

static int vscode_link_attempt(const struct probe_env *env, struct attempt *a)
{
	return link_out(env, "ws/.vscode", "ws/.vscode/settings.json", "vscode.json", a);
}
static enum observed vscode_link_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_link_out(hv, "ws/.vscode/settings.json", "VS Code (on any workspace setting change)", d, n);
}

/* A .codex that is a link out, below the top (no mount point there to cover). */
static int codex_link_attempt(const struct probe_env *env, struct attempt *a)
{
	return link_out(env, NULL, "ws/src/.codex", "codex", a);
}
static enum observed codex_link_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_link_out(hv, "ws/src/.codex", "an agent writing its project config from ws/src", d, n);
}

/* ---------- repositories host git uses ---------- */

/* The [core] fsmonitor line that makes host git run a (harmless) command. */
static void fsmonitor_text(const struct probe_env *env, char *text, size_t n)
{
	snprintf(text, n, "[core]\n\tfsmonitor = true cagetest-%s\n", env->token);
}

/* Append the fsmonitor section to root/rel (a git dir's config). */
static int append_fsmonitor(const struct probe_env *env, const char *rel, struct attempt *a)
{
	char text[96];

	fsmonitor_text(env, text, sizeof(text));
	return plant(env, NULL, rel, O_WRONLY | O_APPEND, text, a);
}

/* allowed if the git dir ws/DIR's config carries the token; host git, run
 * from ws/WORKDIR, is asked what it would run. */
static enum observed v_repo_config(const struct host_view *hv, const char *dir, const char *workdir, char *d,
				   size_t n)
{
	char rel[PATH_MAX];
	enum observed o;

	snprintf(rel, sizeof(rel), "ws/%s/config", dir);
	o = v_has_token(hv, rel, d, n);
	if (o == OBS_ALLOWED)
		git_says(hv, "run on `git status` there", d, n,
			 (const char *const[]){"-C", workdir, "config", "--local", "--get-all", "core.fsmonitor", NULL});
	return o;
}

/* A bare repository: no .git anywhere in its name, yet git run inside it
 * (a prompt's `git status`, an editor) takes it as a repository and reads
 * its config: the protection of .git, by another name. */
static int bare_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/%s-bare", env->token);
	return hostile_gitdir_at(env, AT_FDCWD, p, a);
}
static enum observed bare_verify(const struct host_view *hv, char *d, size_t n)
{
	char dir[64], head[PATH_MAX];
	struct stat st;
	enum observed o;

	snprintf(dir, sizeof(dir), "%s-bare", hv->env->token);
	if (ppath(hv->env, head, "ws/%s/HEAD", dir) < 0)
		return OBS_UNKNOWN;
	if (lstat(head, &st) < 0) {
		snprintf(d, n, "no repository at ws/%s (no HEAD)", dir);
		return errno == ENOENT || errno == ENOTDIR ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	o = v_repo_config(hv, dir, dir, d, n);
	if (o == OBS_ALLOWED)
		git_says(hv, "use it as a repository", d, n,
			 (const char *const[]){"-C", dir, "rev-parse", "--absolute-git-dir", NULL});
	return o;
}

static int deep_attempt(const struct probe_env *env, struct attempt *a)
{
	return append_fsmonitor(env, "ws/a/b/c/d/.git/config", a);
}
static enum observed deep_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_repo_config(hv, "a/b/c/d/.git", "a/b/c/d", d, n);
}

static int ignored_attempt(const struct probe_env *env, struct attempt *a)
{
	return append_fsmonitor(env, "ws/vendor/lib/.git/config", a);
}
static enum observed ignored_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_repo_config(hv, "vendor/lib/.git", "vendor/lib", d, n);
}

/* A submodule's git dir, .git/modules/NAME: its config rules every git
 * command run in the submodule's checkout. */
static int module_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	int r;

	(void)why, (void)n;
	for (const char *const *sub = (const char *const[]){"objects", "refs", NULL}; *sub; sub++) {
		PPATH(p, "ws/.git/modules/%s/%s", env->token, *sub);
		if ((r = mkdir_p(p, 0755)) < 0)
			return r;
	}
	PPATH(p, "ws/.git/modules/%s/HEAD", env->token);
	if ((r = write_str(p, "ref: refs/heads/main\n")) < 0)
		return r;
	PPATH(p, "ws/.git/modules/%s/config", env->token);
	return write_str(p, "[core]\n\trepositoryformatversion = 0\n\tbare = false\n");
}
static int module_attempt(const struct probe_env *env, struct attempt *a)
{
	char rel[96];

	snprintf(rel, sizeof(rel), "ws/.git/modules/%s/config", env->token);
	return append_fsmonitor(env, rel, a);
}
static enum observed module_verify(const struct host_view *hv, char *d, size_t n)
{
	char dir[96];

	snprintf(dir, sizeof(dir), ".git/modules/%s", hv->env->token);
	return v_repo_config(hv, dir, dir, d, n);
}

/* ---------- files a host tool loads from the workspace ---------- */

/* allowed if root/rel holds a line carrying the token; the detail quotes
 * it and says who loads it. */
static enum observed v_token_line(const struct host_view *hv, const char *rel, const char *who, char *d, size_t n)
{
	_cleanup_free_ char *text = NULL;
	const char *line;
	int r = read_rel(hv->env, rel, &text, NULL);

	if (r < 0) {
		/* a directory there (a bind mount's mount point) is no file any tool loads */
		snprintf(d, n, "%s: %s", rel, r == -ENOENT ? "absent" : r == -EISDIR ? "a directory, not a file" : errno_name(r));
		return r == -ENOENT || r == -ENOTDIR || r == -EISDIR ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	if (!(line = token_line(text, hv->env->token))) {
		snprintf(d, n, "%s has no line of the box's", rel);
		return OBS_BLOCKED;
	}
	snprintf(d, n, "%s: \"%.119s\": %s", rel, line, who);
	return OBS_ALLOWED;
}

static int env_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[128];

	snprintf(text, sizeof(text), "NODE_OPTIONS=--title=cagetest-%s\n", env->token);
	return plant(env, NULL, "ws/.env", O_WRONLY | O_CREAT | O_APPEND, text, a);
}
static enum observed env_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_token_line(hv, "ws/.env", "docker compose, dotenv loaders and VS Code's Python extension export it", d, n);
}

static int npmrc_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[128];

	snprintf(text, sizeof(text), "node-options=--title=cagetest-%s\n", env->token);
	return plant(env, NULL, "ws/.npmrc", O_WRONLY | O_CREAT | O_APPEND, text, a);
}
static enum observed npmrc_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_token_line(hv, "ws/.npmrc", "host npm passes it to every node it starts (npm run, npx, install scripts)", d, n);
}

/* The site-packages of the fixture's venv: lib/pythonX.Y as the host's
 * python3 names it (the first /usr/lib/python3.N), 3.11 when there is none. */
static void site_packages(char *rel, size_t n)
{
	DIR *dir = opendir("/usr/lib");
	struct dirent *e;
	char ver[32] = "python3.11";

	while (dir && (e = readdir(dir)))
		if (!strncmp(e->d_name, "python3.", 8) && strlen(e->d_name) < sizeof(ver)) {
			snprintf(ver, sizeof(ver), "%s", e->d_name);
			break;
		}
	if (dir)
		closedir(dir);
	snprintf(rel, n, "ws/.venv/lib/%s/site-packages", ver);
}

static int venv_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[128], p[PATH_MAX];
	int r;

	(void)why, (void)n;
	site_packages(rel, sizeof(rel));
	PPATH(p, "%s", rel);
	if ((r = mkdir_p(p, 0755)) < 0)
		return r;
	PPATH(p, "ws/.venv/pyvenv.cfg");
	return write_str(p, "home = /usr/bin\ninclude-system-site-packages = false\n");
}
static int venv_attempt(const struct probe_env *env, struct attempt *a)
{
	char rel[192], text[96];

	site_packages(rel, sizeof(rel) - 64);
	snprintf(rel + strlen(rel), 64, "/%s.pth", env->token);
	/* an import line is run by site.py at every start of that python */
	snprintf(text, sizeof(text), "import sys  # cagetest-%s\n", env->token);
	return plant(env, NULL, rel, O_WRONLY | O_CREAT | O_EXCL, text, a);
}
static enum observed venv_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[192];

	site_packages(rel, sizeof(rel) - 64);
	snprintf(rel + strlen(rel), 64, "/%s.pth", hv->env->token);
	enum observed o = v_token_line(hv, rel, "python started from ws/.venv (the editor's language server, pytest) runs its import line", d, n);
	/* only an import line runs: anything else in a .pth is a path */
	if (o == OBS_ALLOWED && !strstr(d, ": \"import "))
		o = OBS_BLOCKED;
	return o;
}

static int devcontainer_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[192];

	snprintf(text, sizeof(text), "{\"name\": \"cagetest\", \"image\": \"debian\", \"initializeCommand\": \"true cagetest-%s\"}\n",
		 env->token);
	return plant(env, "ws/.devcontainer", "ws/.devcontainer/devcontainer.json", O_WRONLY | O_CREAT | O_TRUNC, text, a);
}
static enum observed devcontainer_verify(const struct host_view *hv, char *d, size_t n)
{
	_cleanup_free_ char *text = NULL;
	int r = read_rel(hv->env, "ws/.devcontainer/devcontainer.json", &text, NULL);

	if (r < 0) {
		snprintf(d, n, "ws/.devcontainer/devcontainer.json: %s", r == -ENOENT ? "absent" : errno_name(r));
		return r == -ENOENT || r == -ENOTDIR || r == -EISDIR ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	cJSON *j = cJSON_Parse(text);
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(j, "initializeCommand");
	enum observed o = OBS_BLOCKED;
	if (cJSON_IsString(cmd) && strstr(cmd->valuestring, hv->env->token)) {
		snprintf(d, n, "ws/.devcontainer/devcontainer.json: initializeCommand \"%.60s\": the Dev Containers "
			       "extension (or the devcontainer CLI) runs it on the host before it builds",
			 cmd->valuestring);
		o = OBS_ALLOWED;
	} else {
		snprintf(d, n, "ws/.devcontainer/devcontainer.json has no initializeCommand of the box's");
	}
	cJSON_Delete(j);
	return o;
}

/* ---------- a tool on the launcher's PATH ---------- */

static const char *const path_tools[] = {"bwrap", "git"};

static int path_tool_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], text[96];
	int r = 0;

	snprintf(text, sizeof(text), "#!/bin/sh\n# cagetest-%s\nexit 0\n", env->token);
	for (size_t i = 0; i < ARRAY_SIZE(path_tools); i++) {
		PPATH(p, "home/.local/bin/%s", path_tools[i]);
		int w = fail_at(a, path_tools[i], put_text(p, O_WRONLY | O_CREAT | O_EXCL, text));
		/* whatever the write said: a file that is not there refuses it */
		int c = fail_at(a, "chmod", chmod(p, 0755) < 0 ? neg_errno() : 0);
		r = r ? r : w ? w : c;
	}
	return r;
}

/* allowed if home/.local/bin holds a tool of the box's (an outside write in
 * itself); the detail says whether the launcher's PATH now finds it. */
static enum observed path_tool_verify(const struct host_view *hv, char *d, size_t n)
{
	char path[8192], found[PATH_MAX], rel[64];
	size_t k = 0;
	enum observed o = OBS_BLOCKED;

	if (launcher_path(hv->env, path, sizeof(path)) < 0)
		return OBS_UNKNOWN;
	d[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(path_tools); i++) {
		_cleanup_free_ char *text = NULL;
		snprintf(rel, sizeof(rel), "home/.local/bin/%s", path_tools[i]);
		int r = read_rel(hv->env, rel, &text, NULL);
		if (r < 0 && r != -ENOENT && r != -ENOTDIR)
			return OBS_UNKNOWN;
		if (r < 0 || !strstr(text, hv->env->token))
			continue;
		bool first = find_exec_on(path, path_tools[i], found, sizeof(found)) == 0 &&
			     path_is_under(found, hv->env->root) && !strcmp(found + strlen(hv->env->root) + 1, rel);
		if (k < n)
			k += (size_t)snprintf(d + k, n - k, "%s%s planted at %s%s", k ? "; " : "", path_tools[i], rel,
					      first ? ", first on the launcher's PATH: its next start runs it outside any sandbox"
						    : " (not executable: the launcher's PATH passes it by, a chmod away)");
		o = OBS_ALLOWED;
	}
	if (o == OBS_BLOCKED)
		snprintf(d, n, "home/.local/bin (first on the launcher's PATH) holds no tool of the box's");
	return o;
}

/* ---------- renaming the directory above a protected name ---------- */

/* Rename ws/DIR to ws/TOKEN-DIR, append text to TOKEN-DIR/FILE (the
 * protected name below it), rename back. Each step whatever the last said. */
static int via_renamed_parent(const struct probe_env *env, const char *dir, const char *file, const char *text,
			      struct attempt *a)
{
	char from[PATH_MAX], to[PATH_MAX], p[PATH_MAX];

	PPATH(from, "ws/%s", dir);
	PPATH(to, "ws/%s-%s", env->token, dir);
	PPATH(p, "ws/%s-%s/%s", env->token, dir, file);
	int r = rename(from, to) < 0 ? fail_at(a, "rename the parent away", neg_errno()) : 0;
	int w = fail_at(a, "write through the new path", put_text(p, O_WRONLY | O_APPEND, text));
	if (r == 0 && rename(to, from) < 0)
		fail_at(a, "rename back", neg_errno());
	return r ? r : w;
}

/* allowed if ws/DIR/FILE, or the same under the renamed parent, carries the token. */
static enum observed v_renamed_parent(const struct host_view *hv, const char *dir, const char *file, char *d,
				      size_t n)
{
	char rel[PATH_MAX], moved[PATH_MAX];
	enum observed o;

	snprintf(rel, sizeof(rel), "ws/%s/%s", dir, file);
	snprintf(moved, sizeof(moved), "ws/%s-%s/%s", hv->env->token, dir, file);
	char other[200];
	o = v_has_token(hv, rel, d, n);
	if (o == OBS_BLOCKED && v_has_token(hv, moved, other, sizeof(other)) == OBS_ALLOWED) {
		snprintf(d, n, "%s (never renamed back)", other);
		o = OBS_ALLOWED;
	}
	return o;
}

static int rename_nested_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[96];

	fsmonitor_text(env, text, sizeof(text));
	return via_renamed_parent(env, "nested", ".git/config", text, a);
}
static enum observed rename_nested_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_renamed_parent(hv, "nested", ".git/config", d, n);

	if (o == OBS_ALLOWED)
		git_says(hv, "run on `git status` there", d, n,
			 (const char *const[]){"-C", "nested", "config", "--local", "--get-all", "core.fsmonitor", NULL});
	return o;
}

static int rename_file_attempt(const struct probe_env *env, struct attempt *a)
{
	char text[96];

	snprintf(text, sizeof(text), "\n{\"mcpServers\": {\"cagetest-%s\": {\"command\": \"true\"}}}\n", env->token);
	return via_renamed_parent(env, "tools", ".mcp.json", text, a);
}
static enum observed rename_file_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_renamed_parent(hv, "tools", ".mcp.json", d, n);
}

#define TRAP_GIT "policies that protect .git by what it is, not by its name at the top: bwrap ro re-binds found at any depth"
#define NO_NAME_POLICY "a policy that protects the name (strict); any writable workspace otherwise"

const struct probe trap_probes[] = {
	{
		.id = "git.link_claude_settings",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".claude",
		.summary = "make .claude/settings.local.json a symlink to a file outside the workspace",
		.evidence = "ws/.claude/settings.local.json is a symlink whose target is outside ws/ (read with readlink, never followed)",
		.blocked_by = NO_NAME_POLICY,
		.hint = "Claude Code writes .claude/settings.local.json on the host when a permission is granted: protect "
			".claude, or have the agent refuse a settings path that is a symlink",
		.attempt = claude_link_attempt,
		.verify = claude_link_verify,
	},
	{
		.id = "git.link_vscode_settings",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".vscode",
		.summary = "make .vscode/settings.json a symlink to a file outside the workspace",
		.evidence = "ws/.vscode/settings.json is a symlink whose target is outside ws/ (readlink)",
		.blocked_by = "srt mandatory deny; " NO_NAME_POLICY,
		.hint = "VS Code writes .vscode/settings.json on the host when a workspace setting changes: protect .vscode",
		.attempt = vscode_link_attempt,
		.verify = vscode_link_verify,
	},
	{
		.id = "git.link_codex_dir",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".codex",
		.summary = "create ws/src/.codex as a symlink to a directory outside the workspace",
		.evidence = "ws/src/.codex is a symlink whose target is outside ws/ (readlink)",
		.blocked_by = "Seatbelt require-not at any depth, existing or not; not bind mounts (nothing there to cover)",
		.hint = "a protected name must stay protected where it does not exist yet: refuse creating it at any depth",
		.attempt = codex_link_attempt,
		.verify = codex_link_verify,
	},
	{
		.id = "git.bare_repo",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "build a bare repository (HEAD, objects/, refs/, config with core.fsmonitor) named TOKEN-bare: no .git in its path",
		.evidence = "ws/TOKEN-bare/HEAD exists and its config carries the token; host `git -C ws/TOKEN-bare rev-parse` takes it as a repository",
		.blocked_by = "nothing path-based: a bare repository is any directory with HEAD, objects/ and refs/",
		.hint = "host git run inside it (a prompt's `git status`, an editor) uses its config: set "
			"safe.bareRepository=explicit in the host's git config",
		.attempt = bare_attempt,
		.verify = bare_verify,
	},
	{
		.id = "git.nested_deep",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.fsmonitor in a nested repository four levels down (ws/a/b/c/d/.git/config)",
		.evidence = "ws/a/b/c/d/.git/config carries the token; host `git -C ws/a/b/c/d config` reads it back",
		.blocked_by = TRAP_GIT,
		.hint = "protect .git at every depth: a scan with a depth limit (srt: 3) leaves the deeper ones writable",
		.attempt = deep_attempt,
		.verify = deep_verify,
	},
	{
		.id = "git.nested_ignored",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.fsmonitor in a nested repository under a directory .gitignore hides (ws/vendor/lib/.git)",
		.evidence = "ws/vendor/lib/.git/config carries the token; host `git -C ws/vendor/lib config` reads it back",
		.blocked_by = TRAP_GIT,
		.hint = "a scan for .git must not honour ignore files (rg without --no-ignore skips vendor/)",
		.attempt = ignored_attempt,
		.verify = ignored_verify,
	},
	{
		.id = "git.submodule_config",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "set core.fsmonitor in a submodule's git dir, .git/modules/NAME/config",
		.evidence = ".git/modules/TOKEN/config carries the token; host `git -C ws/.git/modules/TOKEN config` reads it back",
		.blocked_by = "protecting all of .git, not only .git/config and .git/hooks (srt's own defaults)",
		.hint = "every git command in the submodule's checkout reads that config: protect the whole .git",
		.arm = module_arm,
		.attempt = module_attempt,
		.verify = module_verify,
	},
	{
		.id = "git.dotenv",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".env",
		.summary = "append NODE_OPTIONS=... to the workspace's .env",
		.evidence = "ws/.env holds a line with the token",
		.blocked_by = NO_NAME_POLICY,
		.hint = "docker compose, dotenv loaders and VS Code's Python extension export .env into host processes: "
			"protect .env where that matters",
		.attempt = env_attempt,
		.verify = env_verify,
	},
	{
		.id = "git.venv_pth",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".venv",
		.summary = "drop TOKEN.pth with an import line into the workspace venv's site-packages",
		.evidence = "ws/.venv/lib/pythonX.Y/site-packages/TOKEN.pth holds an `import` line with the token",
		.blocked_by = NO_NAME_POLICY,
		.hint = "python started from the workspace venv on the host (the editor's language server, pytest) runs "
			".pth import lines at start-up: protect .venv or build the venv outside the workspace",
		.arm = venv_arm,
		.attempt = venv_attempt,
		.verify = venv_verify,
	},
	{
		.id = "git.npmrc",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".npmrc",
		.summary = "append node-options=... to the workspace's .npmrc",
		.evidence = "ws/.npmrc holds a line with the token",
		.blocked_by = NO_NAME_POLICY,
		.hint = "host npm reads the project .npmrc (node-options, script-shell, git): protect .npmrc",
		.attempt = npmrc_attempt,
		.verify = npmrc_verify,
	},
	{
		.id = "git.devcontainer",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".devcontainer",
		.summary = "write .devcontainer/devcontainer.json with an initializeCommand",
		.evidence = "ws/.devcontainer/devcontainer.json parses and its initializeCommand carries the token",
		.blocked_by = NO_NAME_POLICY,
		.hint = "initializeCommand runs on the host, outside the container, when the folder is opened in a dev "
			"container: protect .devcontainer",
		.attempt = devcontainer_attempt,
		.verify = devcontainer_verify,
	},
	{
		.id = "git.path_tool",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "plant executables named bwrap and git in home/.local/bin, first on the launcher's PATH",
		.evidence = "home/.local/bin/bwrap or git holds the token (an outside write); the detail says whether the PATH the runner gives the launcher, walked as execvp walks it, now finds it (never run)",
		.blocked_by = "any policy that keeps HOME read-only",
		.hint = "a launcher that finds bwrap, git, rg or socat through PATH runs the box's copy on its next start, "
			"unconfined: call them by absolute path, keep every PATH dir read-only to the box",
		.attempt = path_tool_attempt,
		.verify = path_tool_verify,
	},
	{
		.id = "git.rename_parent_nested",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "rename ws/nested (a nested repository's parent) away, set core.fsmonitor through the new path, rename it back",
		.evidence = "ws/nested/.git/config (or the moved copy) carries the token; host git reads it back",
		.blocked_by = "protection bound to the file (bind mounts, Landlock rules on inodes); not rules on path strings",
		.hint = "a rule on the path ws/nested/.git no longer matches once ws/nested is renamed: protect by inode "
			"(a mount) or refuse renaming a directory that holds a protected name",
		.attempt = rename_nested_attempt,
		.verify = rename_nested_verify,
	},
	{
		.id = "git.rename_parent_file",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".mcp.json",
		.flags = PROBE_SOLO,
		.summary = "rename ws/tools (holding a deny-listed .mcp.json) away, append to .mcp.json through the new path, rename it back",
		.evidence = "ws/tools/.mcp.json (or the moved copy) carries the token",
		.blocked_by = "protection bound to the file (bind mounts, srt's deny list); not rules on path strings",
		.hint = "a deny-list of paths must cover what a rename of a parent makes of them",
		.attempt = rename_file_attempt,
		.verify = rename_file_verify,
	},
};
PROBE_TABLE_END(trap);
