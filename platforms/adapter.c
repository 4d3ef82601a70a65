/* Adapters: a JSON file turned into a backend (docs/cagetest-adapter.5).
 *
 * Templates are checked when the file is parsed (every placeholder must be
 * known), so prepare() only fails on what depends on the case: a file that
 * would land outside the case root, a tool missing from PATH. */
#include "adapter.h"

#include "../lib/datadir.h"
#include "../lib/jparse.h"
#include "../lib/path.h"
#include "../lib/proc.h"
#include "../probes/probe.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define VERSION_TIMEOUT_MS 5000
#define CHECK_TIMEOUT_MS 10000
#define MAX_ADAPTERS 64

struct kv {
	char *key, *value;
};

struct mode_vars {
	char *mode;
	struct kv *v;
	size_t n;
};

struct adapter {
	struct backend b; /* first: the registry hands out &a->b */
	char *path, *here;
	char *name, *description, *hint, *cwd;
	char **requires, **modes, **command, **version_argv, **fails_open, **check_argv, **pass_env;
	size_t nrequires, nmodes, ncommand, nversion, nfails_open, ncheck, npass;
	bool all_modes, has_version;
	struct kv *env, *files;
	size_t nenv, nfiles;
	struct mode_vars *vars;
	size_t nvars;
	/* version() and the check run the tool once per process */
	bool version_done, check_done;
	char version[128];
	int check_rc;
	char check_why[300];
};

/* ---------- placeholders ---------- */

enum {
	P_HERE = 1 << 0, /* the adapter file's directory: usable everywhere */
	P_BOX = 1 << 1,	 /* the case: mode, workspace, scratch, ... */
	P_VARS = 1 << 2, /* per-mode vars */
};

static const char *const box_names[] = {"mode", "workspace", "scratch", "home", "network",
					"tmp",	"run",	     "listener", "agent"};

static const char *box_value(const struct box *x, size_t i)
{
	switch (i) {
	case 0: return x->mode->name;
	case 1: return x->ws;
	case 2: return x->case_root;
	case 3: return x->home;
	case 4: return x->mode->network ? "on" : "off";
	case 5: return x->tmp;
	case 6: return x->run;
	case 7: return x->listener;
	default: return x->self;
	}
}

static bool var_declared(const struct adapter *a, const char *name)
{
	for (size_t i = 0; i < a->nvars; i++)
		for (size_t k = 0; k < a->vars[i].n; k++)
			if (!strcmp(a->vars[i].v[k].key, name))
				return true;
	return false;
}

/* A var not set for this mode is the empty string. */
static const char *var_value(const struct adapter *a, const char *mode, const char *name)
{
	for (size_t i = 0; i < a->nvars; i++)
		if (!strcmp(a->vars[i].mode, mode))
			for (size_t k = 0; k < a->vars[i].n; k++)
				if (!strcmp(a->vars[i].v[k].key, name))
					return a->vars[i].v[k].value;
	return "";
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Expand tmpl into out. {NAME} is a placeholder, {{ a literal {, any other
 * { is literal (JSON text stays readable). With x NULL only the names are
 * checked (parse time). -EINVAL with why naming the placeholder. */
static int expand(const struct adapter *a, const char *tmpl, unsigned allow, const struct box *x, struct sbuf *out,
		  char *why, size_t n)
{
	for (const char *p = tmpl; *p;) {
		size_t len = 0;
		char name[80];
		const char *val = NULL;

		if (p[0] == '{' && p[1] == '{') {
			if (out)
				sb_putc(out, '{');
			p += 2;
			continue;
		}
		if (*p == '{')
			while (name_char(p[1 + len]))
				len++;
		if (*p != '{' || !len || p[1 + len] != '}') {
			if (out)
				sb_putc(out, *p);
			p++;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, p + 1);
		p += len + 2;
		if (!strcmp(name, "here"))
			val = a->here;
		for (size_t i = 0; !val && i < ARRAY_SIZE(box_names); i++)
			if (!strcmp(name, box_names[i])) {
				if (!(allow & P_BOX)) {
					snprintf(why, n, "{%s} cannot be used here (only {here})", name);
					return -EINVAL;
				}
				val = x ? box_value(x, i) : "";
			}
		if (!val && (allow & P_VARS) && var_declared(a, name)) {
			if (x) {
				/* a var's value holds box placeholders, never other vars */
				int r = expand(a, var_value(a, x->mode->name, name), P_BOX, x, out, why, n);
				if (r < 0)
					return r;
			}
			continue;
		}
		if (!val) {
			snprintf(why, n, "unknown placeholder {%s}%s", name,
				 allow & P_VARS ? " (not a built-in one nor a var)" : "");
			return -EINVAL;
		}
		if (out)
			sb_puts(out, val);
	}
	return 0;
}

/* Expand to a new string; NULL when out of memory or invalid (why set). */
static char *expand_str(const struct adapter *a, const char *tmpl, unsigned allow, const struct box *x, char *why,
			size_t n)
{
	struct sbuf s = {0};

	if (expand(a, tmpl, allow, x, &s, why, n) < 0) {
		sb_free(&s);
		return NULL;
	}
	if (!s.s)
		sb_puts(&s, "");
	return sb_take(&s);
}

/* A case template (command, cwd, env, files): checked at parse time, so only
 * memory can fail here. */
static char *fill(const struct adapter *a, const char *tmpl, const struct box *x)
{
	char why[160];

	return expand_str(a, tmpl, P_HERE | P_BOX | P_VARS, x, why, sizeof(why));
}

/* ---------- parsing ---------- */

static void free_kv(struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key), free(v[i].value);
	free(v);
}

void adapter_free(struct backend *b)
{
	struct adapter *a = (struct adapter *)b;

	if (!a)
		return;
	free(a->path), free(a->here), free(a->name), free(a->description), free(a->hint), free(a->cwd);
	jp_free_strv(a->requires, a->nrequires);
	jp_free_strv(a->modes, a->nmodes);
	jp_free_strv(a->command, a->ncommand);
	jp_free_strv(a->version_argv, a->nversion);
	jp_free_strv(a->fails_open, a->nfails_open);
	jp_free_strv(a->check_argv, a->ncheck);
	jp_free_strv(a->pass_env, a->npass);
	free_kv(a->env, a->nenv);
	free_kv(a->files, a->nfiles);
	for (size_t i = 0; i < a->nvars; i++) {
		free(a->vars[i].mode);
		free_kv(a->vars[i].v, a->vars[i].n);
	}
	free(a->vars);
	free(a);
}

/* An object of string members -> kv pairs. */
static int str_object(const cJSON *o, struct kv **out, size_t *count, const char *where, struct jperr *e)
{
	const cJSON *it;

	*out = NULL;
	*count = 0;
	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return jp_fail(e, where, "expected an object of strings");
	if (cJSON_GetArraySize(o) > 256)
		return jp_fail(e, where, "more than 256 members");
	*out = calloc((size_t)cJSON_GetArraySize(o) + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(it, o)
	{
		char w[200];
		snprintf(w, sizeof(w), "%s.%s", where, it->string);
		if (!cJSON_IsString(it))
			return jp_fail(e, w, "expected a string");
		for (size_t i = 0; i < *count; i++)
			if (!strcmp((*out)[i].key, it->string))
				return jp_fail(e, w, "given twice");
		(*out)[*count].key = strdup(it->string);
		(*out)[*count].value = strdup(it->valuestring);
		if (!(*out)[*count].key || !(*out)[(*count)++].value)
			return -ENOMEM;
	}
	return 0;
}

/* Check every placeholder of tmpl at parse time. */
static int check_tmpl(const struct adapter *a, const char *tmpl, unsigned allow, const char *where, struct jperr *e)
{
	char why[160];

	if (expand(a, tmpl, allow, NULL, NULL, why, sizeof(why)) < 0)
		return jp_fail(e, where, why);
	return 0;
}

static bool in_strv(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Variables the harness sets itself: an adapter must not change what the
 * probes are judged by. */
static bool harness_env(const char *key)
{
	static const char *const own[] = {"PATH", "HOME", "TMPDIR", "LANG", "USER", SEEDED_ENV};

	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (!strcmp(own[i], key))
			return true;
	return false;
}

static bool env_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!name_char(*s) || *s == '-')
			return false;
	return true;
}

static int parse_vars(struct adapter *a, const cJSON *o, struct jperr *e)
{
	const cJSON *it;
	int r;

	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return jp_fail(e, "vars", "expected an object: mode -> {name: value}");
	a->vars = calloc((size_t)cJSON_GetArraySize(o) + 1, sizeof(*a->vars));
	if (!a->vars)
		return -ENOMEM;
	cJSON_ArrayForEach(it, o)
	{
		char w[160];
		struct mode_vars *mv = &a->vars[a->nvars++];
		snprintf(w, sizeof(w), "vars.%s", it->string);
		if (!(mv->mode = strdup(it->string)))
			return -ENOMEM;
		for (size_t i = 0; i + 1 < a->nvars; i++)
			if (!strcmp(a->vars[i].mode, mv->mode))
				return jp_fail(e, w, "given twice");
		if (!a->all_modes && !in_strv(a->modes, a->nmodes, it->string))
			return jp_fail(e, w, "not one of the adapter's modes");
		if ((r = str_object(it, &mv->v, &mv->n, w, e)) < 0)
			return r;
		for (size_t k = 0; k < mv->n; k++) {
			char wv[240];
			snprintf(wv, sizeof(wv), "%s.%s", w, mv->v[k].key);
			if (!jp_valid_name(mv->v[k].key))
				return jp_fail(e, wv, "var names are [a-z0-9_-], at most 64 bytes");
			if (!strcmp(mv->v[k].key, "here") || in_strv((char **)box_names, ARRAY_SIZE(box_names), mv->v[k].key))
				return jp_fail(e, wv, "a built-in placeholder cannot be a var");
			if ((r = check_tmpl(a, mv->v[k].value, P_HERE | P_BOX, wv, e)) < 0)
				return r;
		}
	}
	return 0;
}

/* Files land in the case root: the path must start with one of its places. */
static bool in_case_root(const char *tmpl)
{
	static const char *const starts[] = {"{scratch}/", "{workspace}/", "{home}/", "{tmp}/"};

	for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
		if (!strncmp(tmpl, starts[i], strlen(starts[i])))
			return !strstr(tmpl, "/../") && strcmp(tmpl + strlen(tmpl) - 3, "/..");
	return false;
}

static int parse_root(struct adapter *a, const cJSON *root, struct jperr *e)
{
	static const char *const keys[] = {"name",	 "description", "requires", "modes", "command", "cwd",
					   "env",	 "vars",	"files",    "batch", "version", "fails_open",
					   "hint",	 "check",	"pass_env", "daemon", NULL};
	const cJSON *v;
	int r;

	if (!cJSON_IsObject(root))
		return jp_fail(e, "adapter", "expected a JSON object");
	if ((r = jp_only_keys(root, keys, "adapter", e)) < 0 || (r = jp_opt_str(root, "name", &a->name, "adapter", e)) < 0 ||
	    (r = jp_opt_str(root, "description", &a->description, "adapter", e)) < 0 ||
	    (r = jp_opt_str(root, "hint", &a->hint, "adapter", e)) < 0 ||
	    (r = jp_opt_str(root, "cwd", &a->cwd, "adapter", e)) < 0 ||
	    (r = jp_opt_bool(root, "batch", &a->b.batch, "adapter", e)) < 0 ||
	    (r = jp_opt_bool(root, "daemon", &a->b.daemon, "adapter", e)) < 0)
		return r;
	if (!a->name)
		return jp_fail(e, "name", "required");
	if (!jp_valid_name(a->name))
		return jp_fail(e, "name", "adapter names are [a-z0-9_-], at most 64 bytes");
	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(root, "requires"), &a->requires, &a->nrequires, "requires",
			      e)) < 0)
		return r;
	for (size_t i = 0; i < a->nrequires; i++)
		if ((r = check_tmpl(a, a->requires[i], P_HERE, "requires", e)) < 0)
			return r;

	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(root, "fails_open"), &a->fails_open, &a->nfails_open,
			      "fails_open", e)) < 0)
		return r;
	for (size_t i = 0; i < a->nfails_open; i++)
		if (!a->fails_open[i][0] || strchr(a->fails_open[i], '\n'))
			return jp_fail(e, "fails_open", "each phrase is a non-empty part of one line of the wrapper's stderr");

	v = cJSON_GetObjectItemCaseSensitive(root, "modes");
	a->all_modes = !v;
	if ((r = jp_str_array(v, &a->modes, &a->nmodes, "modes", e)) < 0)
		return r;
	for (size_t i = 0; i < a->nmodes; i++) {
		if (!jp_valid_name(a->modes[i]))
			return jp_fail(e, "modes", "mode names are [a-z0-9_-], at most 64 bytes");
		if (in_strv(a->modes, i, a->modes[i]))
			return jp_fail(e, "modes", "a mode is listed twice");
	}
	if (v && !a->nmodes)
		return jp_fail(e, "modes", "lists no mode (leave it out to accept every mode)");
	if ((r = parse_vars(a, cJSON_GetObjectItemCaseSensitive(root, "vars"), e)) < 0)
		return r;

	v = cJSON_GetObjectItemCaseSensitive(root, "command");
	if (!v)
		return jp_fail(e, "command", "required: the wrapper's argv, the agent's argv is appended");
	if ((r = jp_str_array(v, &a->command, &a->ncommand, "command", e)) < 0)
		return r;
	if (!a->ncommand)
		return jp_fail(e, "command", "is empty: it needs at least the wrapper's executable");
	for (size_t i = 0; i < a->ncommand; i++) {
		char w[32];
		snprintf(w, sizeof(w), "command[%zu]", i);
		if ((r = check_tmpl(a, a->command[i], i ? P_HERE | P_BOX | P_VARS : P_HERE, w, e)) < 0)
			return r;
	}
	if (a->command[0][0] != '/' && a->command[0][0] != '{' && strchr(a->command[0], '/'))
		return jp_fail(e, "command[0]", "a relative path: give a name on PATH, an absolute path or {here}/...");
	if (a->cwd && (r = check_tmpl(a, a->cwd, P_HERE | P_BOX | P_VARS, "cwd", e)) < 0)
		return r;

	if ((r = str_object(cJSON_GetObjectItemCaseSensitive(root, "env"), &a->env, &a->nenv, "env", e)) < 0)
		return r;
	for (size_t i = 0; i < a->nenv; i++) {
		char w[160];
		snprintf(w, sizeof(w), "env.%s", a->env[i].key);
		if (!env_name(a->env[i].key))
			return jp_fail(e, w, "not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
		if (harness_env(a->env[i].key))
			return jp_fail(e, w, "set by the harness itself (PATH, HOME, TMPDIR, LANG, USER and the seeded secrets)");
		if ((r = check_tmpl(a, a->env[i].value, P_HERE | P_BOX | P_VARS, w, e)) < 0)
			return r;
	}

	if ((r = str_object(cJSON_GetObjectItemCaseSensitive(root, "files"), &a->files, &a->nfiles, "files", e)) < 0)
		return r;
	for (size_t i = 0; i < a->nfiles; i++) {
		char w[160];
		snprintf(w, sizeof(w), "files.%s", a->files[i].key);
		if (!in_case_root(a->files[i].key))
			return jp_fail(e, w, "a file must stay in the case root: start with {scratch}/, {workspace}/, "
					     "{home}/ or {tmp}/ and have no .. component");
		if ((r = check_tmpl(a, a->files[i].key, P_HERE | P_BOX | P_VARS, w, e)) < 0 ||
		    (r = check_tmpl(a, a->files[i].value, P_HERE | P_BOX | P_VARS, w, e)) < 0)
			return r;
	}

	v = cJSON_GetObjectItemCaseSensitive(root, "version");
	a->has_version = !v || cJSON_GetArraySize(v) > 0;
	if ((r = jp_str_array(v, &a->version_argv, &a->nversion, "version", e)) < 0)
		return r;
	for (size_t i = 0; i < a->nversion; i++)
		if ((r = check_tmpl(a, a->version_argv[i], P_HERE, "version", e)) < 0)
			return r;

	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(root, "check"), &a->check_argv, &a->ncheck, "check", e)) <
	    0)
		return r;
	if (cJSON_GetObjectItemCaseSensitive(root, "check") && !a->ncheck)
		return jp_fail(e, "check", "is empty: leave it out when there is nothing to check");
	for (size_t i = 0; i < a->ncheck; i++)
		if ((r = check_tmpl(a, a->check_argv[i], P_HERE, "check", e)) < 0)
			return r;

	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(root, "pass_env"), &a->pass_env, &a->npass, "pass_env",
			      e)) < 0)
		return r;
	for (size_t i = 0; i < a->npass; i++) {
		char w[160];
		snprintf(w, sizeof(w), "pass_env.%s", a->pass_env[i]);
		if (!env_name(a->pass_env[i]))
			return jp_fail(e, w, "not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
		if (harness_env(a->pass_env[i]))
			return jp_fail(e, w, "set by the harness itself (PATH, HOME, TMPDIR, LANG, USER and the seeded secrets)");
		if (in_strv(a->pass_env, i, a->pass_env[i]))
			return jp_fail(e, w, "given twice");
		for (size_t k = 0; k < a->nenv; k++)
			if (!strcmp(a->env[k].key, a->pass_env[i]))
				return jp_fail(e, w, "also set in env");
	}
	return 0;
}

static const struct backend adapter_ops;

int adapter_parse(const char *text, const char *label, struct backend **out, char *err, size_t n)
{
	struct jperr e = {label, err, n};
	struct adapter *a = calloc(1, sizeof(*a));
	_cleanup_free_ char *copy = strdup(label);
	const char *dir;
	cJSON *root;
	int r;

	*out = NULL;
	if (!a || !copy) {
		free(a);
		return -ENOMEM;
	}
	a->b = adapter_ops;
	a->path = strdup(label);
	dir = dirname(copy);
	a->here = realpath(dir, NULL);
	if (!a->path || (!a->here && !(a->here = strdup(dir)))) {
		adapter_free(&a->b);
		return -ENOMEM;
	}
	root = jp_parse(text, &e);
	r = root ? parse_root(a, root, &e) : -EINVAL;
	cJSON_Delete(root);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(err, n, "%s: out of memory", label);
		adapter_free(&a->b);
		return r;
	}
	a->b.name = a->name;
	a->b.description = a->description ? a->description : "";
	a->b.data = a;
	*out = &a->b;
	return 0;
}

int adapter_load(const char *path, struct backend **out, char *err, size_t n)
{
	_cleanup_free_ char *text = NULL;
	int r = jp_read(path, &text, err, n);

	return r < 0 ? r : adapter_parse(text, path, out, err, n);
}

/* ---------- the backend ---------- */

static const struct adapter *A(const struct backend *b)
{
	return b->data;
}

/* requires[] and command[0] expand with {here} only: no box needed. */
static int resolve_fixed(const struct adapter *a, const char *tmpl, char *out, size_t n)
{
	char why[160];
	_cleanup_free_ char *s = expand_str(a, tmpl, P_HERE, NULL, why, sizeof(why));

	return s ? find_exec(s, out, n) : -EINVAL;
}

/* The pass_env variables this process has, as NAME=VALUE, appended to envp
 * from *k on (room for a->npass). */
static int add_passed_env(const struct adapter *a, char **envp, size_t *k)
{
	for (size_t i = 0; i < a->npass; i++) {
		const char *v = getenv(a->pass_env[i]);
		if (v && asprintf(&envp[(*k)++], "%s=%s", a->pass_env[i], v) < 0) {
			envp[--*k] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* Run a fixed argv ({here} only) once, in /, with PATH, no HOME of the
 * user's (`codex --version` writes under $HOME), LANG and the pass_env
 * variables; its output in buf. 0 when it exited 0 in time, else -errno
 * (-ECHILD: it ran and failed, *wstatus says how). */
static int run_fixed(const struct adapter *a, char *const *tmpl, size_t ntmpl, double timeout, bool stderr_too,
		     char *buf, size_t n, int *wstatus)
{
	char why[160], *argv[18] = {0}, **envp = calloc(a->npass + 4, sizeof(char *));
	size_t argc = 0, k = 0;
	int r = -ENOMEM;

	*wstatus = 0;
	if (n)
		buf[0] = 0;
	if (!envp)
		return -ENOMEM;
	for (size_t i = 0; i < ntmpl && argc < ARRAY_SIZE(argv) - 1; i++)
		if (!(argv[argc++] = expand_str(a, tmpl[i], P_HERE, NULL, why, sizeof(why))))
			goto out;
	if (asprintf(&envp[k++], "PATH=%s", proc_path()) < 0 || !(envp[k++] = strdup("HOME=/nonexistent")) ||
	    !(envp[k++] = strdup("LANG=C.UTF-8")) || add_passed_env(a, envp, &k) < 0)
		goto out;
	struct proc_cmd c = {.argv = argv, .envp = envp, .cwd = "/", .timeout = timeout, .stderr_too = stderr_too};
	r = proc_run(&c, buf, n, wstatus);
	if (r == 0 && !(WIFEXITED(*wstatus) && WEXITSTATUS(*wstatus) == 0))
		r = -ECHILD;
out:
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	for (size_t i = 0; envp[i]; i++)
		free(envp[i]);
	free(envp);
	return r;
}

/* First line of `TOOL --version` (or the file's version argv). */
static int run_version(const struct adapter *a, char *buf, size_t n)
{
	char *dflt[] = {a->nrequires ? a->requires[0] : a->command[0], "--version"};
	int st, r = a->nversion ? run_fixed(a, a->version_argv, a->nversion, VERSION_TIMEOUT_MS / 1000.0, false, buf, n, &st)
				: run_fixed(a, dflt, 2, VERSION_TIMEOUT_MS / 1000.0, false, buf, n, &st);

	buf[strcspn(buf, "\r\n")] = 0;
	if (r == 0 && !buf[0])
		r = -EIO;
	if (r < 0 && n)
		buf[0] = 0;
	return r;
}

static int ad_version(const struct backend *b, char *buf, size_t n)
{
	/* the cache is the one mutable part of a registered adapter */
	struct adapter *a = (struct adapter *)A(b);

	if (!a->has_version)
		return -EOPNOTSUPP;
	if (!a->version_done) {
		run_version(a, a->version, sizeof(a->version));
		a->version_done = true;
	}
	return a->version[0] ? fmt(buf, n, "%s", a->version) : -EIO;
}

/* The file's check (a daemon that answers, an image that exists): once per
 * process; a failure gives its command and the last line it printed. */
static int run_check(struct adapter *a)
{
	char out[4096], *last = out, cmd[160] = "";
	struct sbuf words = {0};
	int st, r = run_fixed(a, a->check_argv, a->ncheck, CHECK_TIMEOUT_MS / 1000.0, true, out, sizeof(out), &st);

	if (r == 0)
		return 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		if (line[strspn(line, " \t\r")])
			last = line;
	last[strcspn(last, "\r")] = 0;
	for (size_t i = 0; i < a->ncheck; i++)
		sb_printf(&words, "%s%s", i ? " " : "", a->check_argv[i]);
	snprintf(cmd, sizeof(cmd), "%s", words.s ? words.s : "");
	sb_free(&words);
	if (r == -ECHILD && WIFEXITED(st))
		snprintf(a->check_why, sizeof(a->check_why), "its check `%s` failed (exit %d)%s%.160s", cmd, WEXITSTATUS(st),
			 *last ? ": " : "", last);
	else if (r == -ETIMEDOUT)
		snprintf(a->check_why, sizeof(a->check_why), "its check `%s` did not answer in %d s", cmd,
			 CHECK_TIMEOUT_MS / 1000);
	else
		snprintf(a->check_why, sizeof(a->check_why), "its check `%s` could not run: %s", cmd, strerror(-r));
	return r == -ECHILD || r == -ETIMEDOUT ? -EHOSTDOWN : r;
}

static int ad_available(const struct backend *b, char *why, size_t n)
{
	struct adapter *a = (struct adapter *)A(b); /* the check's result is cached */
	char path[PATH_MAX];

	for (size_t i = 0; i <= a->nrequires; i++) {
		const char *need = i < a->nrequires ? a->requires[i] : a->command[0];
		if (resolve_fixed(a, need, path, sizeof(path)) < 0) {
			snprintf(why, n, "needs %s: not found%s%s%s", need, strchr(need, '/') ? "" : " on PATH",
				 a->hint ? ". Hint: " : "", a->hint ? a->hint : "");
			return -ENOENT;
		}
	}
	if (!a->ncheck)
		return 0;
	if (!a->check_done) {
		a->check_rc = run_check(a);
		a->check_done = true;
	}
	if (a->check_rc < 0)
		snprintf(why, n, "%s%s%s", a->check_why, a->hint ? ". Hint: " : "", a->hint ? a->hint : "");
	return a->check_rc;
}

static int ad_supports(const struct backend *b, const struct mode *m, char *why, size_t n)
{
	const struct adapter *a = A(b);
	struct sbuf list = {0};

	if (a->all_modes || in_strv(a->modes, a->nmodes, m->name))
		return 0;
	for (size_t i = 0; i < a->nmodes; i++)
		sb_printf(&list, "%s%s", i ? ", " : "", a->modes[i]);
	snprintf(why, n, "%s has no %s mode (its modes: %s)", a->name, m->name, list.s ? list.s : "");
	sb_free(&list);
	return -EOPNOTSUPP;
}

/* Create the parent directories of path below root, refusing symlinks on
 * the way: a template must never write through a link out of the case. */
static int make_parents(const char *root, const char *path)
{
	char buf[PATH_MAX];
	size_t rl = strlen(root);

	if (fmt(buf, sizeof(buf), "%s", path) < 0)
		return -ENAMETOOLONG;
	for (char *p = buf + rl + 1; (p = strchr(p, '/')); p++) {
		struct stat st;
		*p = 0;
		if (lstat(buf, &st) < 0) {
			if (errno != ENOENT || mkdir(buf, 0700) < 0)
				return neg_errno();
		} else if (!S_ISDIR(st.st_mode))
			return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
		*p = '/';
	}
	return 0;
}

static int write_template(const struct adapter *a, const struct box *x, const struct kv *f, char *err, size_t n)
{
	_cleanup_free_ char *path = fill(a, f->key, x);
	_cleanup_free_ char *text = fill(a, f->value, x);
	size_t rl = strlen(x->case_root);
	int r;

	if (!path || !text)
		return -ENOMEM;
	if (strncmp(path, x->case_root, rl) || path[rl] != '/' || strstr(path, "/../") || strstr(path, "/./") ||
	    strstr(path, "//")) {
		snprintf(err, n, "%s: files: %s is outside the case root %s", a->path, path, x->case_root);
		return -EPERM;
	}
	if ((r = make_parents(x->case_root, path)) < 0 || (unlink(path) < 0 && errno != ENOENT && (r = neg_errno())) ||
	    (r = write_file(path, text, strlen(text), 0600)) < 0) {
		snprintf(err, n, "%s: files: cannot write %s: %s", a->path, path, strerror(-r));
		return r;
	}
	return 0;
}

/* The case's argv prefix (command[0] as written), env and cwd: what
 * prepare() hands over and explain() prints. */
static int build_launch(const struct adapter *a, const struct box *x, struct launch *l)
{
	int r;

	for (size_t i = 0; i < a->ncommand; i++) {
		_cleanup_free_ char *s = fill(a, a->command[i], x);
		if (!s)
			return -ENOMEM;
		if (*s && (r = launch_arg(l, s)) < 0) /* an empty argument is dropped */
			return r;
	}
	for (size_t i = 0; i < a->nenv; i++) {
		_cleanup_free_ char *s = fill(a, a->env[i].value, x);
		_cleanup_free_ char *kv = NULL;
		if (!s || asprintf(&kv, "%s=%s", a->env[i].key, s) < 0)
			return -ENOMEM;
		if ((r = launch_env(l, kv)) < 0)
			return r;
	}
	for (size_t i = 0; i < a->npass; i++) {
		const char *v = getenv(a->pass_env[i]);
		_cleanup_free_ char *kv = NULL;
		if (v && (asprintf(&kv, "%s=%s", a->pass_env[i], v) < 0 || (r = launch_env(l, kv)) < 0))
			return kv ? r : -ENOMEM;
	}
	if (a->cwd) {
		_cleanup_free_ char *s = fill(a, a->cwd, x);
		if (!s)
			return -ENOMEM;
		return fmt(l->cwd, sizeof(l->cwd), "%s", s);
	}
	return 0;
}

static int ad_prepare(const struct backend *b, const struct box *x, struct launch *l, char *err, size_t n)
{
	const struct adapter *a = A(b);
	char exe[PATH_MAX];
	int r;

	for (size_t i = 0; i < a->nfiles; i++)
		if ((r = write_template(a, x, &a->files[i], err, n)) < 0)
			return r;
	if ((r = resolve_fixed(a, a->command[0], exe, sizeof(exe))) < 0) {
		snprintf(err, n, "%s: %s: not found", a->path, a->command[0]);
		return r;
	}
	if ((r = build_launch(a, x, l)) < 0) {
		snprintf(err, n, "%s: %s", a->path, strerror(-r));
		return r;
	}
	/* execve() does not search PATH: the prefix starts with a full path */
	free(l->argv[0]);
	return (l->argv[0] = strdup(exe)) ? 0 : -ENOMEM;
}

static int ad_explain(const struct backend *b, const struct box *x, struct sbuf *out)
{
	const struct adapter *a = A(b);
	struct launch l = {0};
	int r = build_launch(a, x, &l);

	if (r < 0) {
		launch_free(&l);
		return r;
	}
	sb_printf(out, "adapter %s (%s), mode %s%s\ncommand:", a->name, a->path, x->mode->name,
		  a->b.batch ? ", batch: one invocation runs many probes" : "");
	for (size_t i = 0; i < l.argc; i++) {
		sb_putc(out, ' ');
		sb_shell_word(out, l.argv[i]);
	}
	sb_printf(out, " %s agent ... (the agent's argv)\n", x->self);
	for (size_t i = 0; i < l.envc; i++) {
		size_t k = strcspn(l.env[i], "=");
		sb_printf(out, "env: %.*s=", (int)k, l.env[i]);
		sb_shell_word(out, l.env[i] + k + 1);
		sb_putc(out, '\n');
	}
	for (size_t i = 0; i < a->npass; i++)
		if (!getenv(a->pass_env[i]))
			sb_printf(out, "env: %s (passed on when cagetest has it; unset now)\n", a->pass_env[i]);
	sb_printf(out, "cwd: %s\n", l.cwd[0] ? l.cwd : x->ws);
	if (a->ncheck) {
		sb_puts(out, "available when this succeeds:");
		for (size_t i = 0; i < a->ncheck; i++) {
			_cleanup_free_ char *w = fill(a, a->check_argv[i], x);
			sb_putc(out, ' ');
			sb_shell_word(out, w ? w : "");
		}
		sb_putc(out, '\n');
	}
	if (a->b.daemon)
		sb_puts(out, "daemon: the case's paths are opened by a daemon in its own mount namespace, so the run keeps "
			     "its cases on disk\n");
	launch_free(&l);
	for (size_t i = 0; i < a->nfiles; i++) {
		_cleanup_free_ char *p = fill(a, a->files[i].key, x);
		_cleanup_free_ char *t = fill(a, a->files[i].value, x);
		if (!p || !t)
			return -ENOMEM;
		sb_printf(out, "file %s (0600):\n%s%s", p, t, *t && t[strlen(t) - 1] == '\n' ? "" : "\n");
	}
	return 0;
}

static void ad_notes(const struct backend *b, struct sbuf *out)
{
	sb_puts(out, A(b)->description ? A(b)->description : "");
}

/* The first stderr line holding one of the file's fails_open phrases. */
static bool ad_said_unconfined(const struct backend *b, const char *err, char *out, size_t n)
{
	const struct adapter *a = A(b);

	for (size_t i = 0; i < a->nfails_open; i++) {
		const char *at = strstr(err, a->fails_open[i]), *start = at, *end;
		if (!at)
			continue;
		while (start > err && start[-1] != '\n')
			start--;
		end = start + strcspn(start, "\r\n");
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		snprintf(out, n, "%.*s", (int)(end - start), start);
		return true;
	}
	return false;
}

static const struct backend adapter_ops = {
	.available = ad_available,
	.version = ad_version,
	.supports = ad_supports,
	.prepare = ad_prepare,
	.explain = ad_explain,
	.notes = ad_notes,
	.said_unconfined = ad_said_unconfined,
};

/* ---------- registration ---------- */

static struct backend *loaded[MAX_ADAPTERS];
static size_t nloaded;

static bool is_loaded(const struct backend *b)
{
	for (size_t i = 0; i < nloaded; i++)
		if (loaded[i] == b)
			return true;
	return false;
}

/* Register one parsed adapter from where; a shipped one (extra false)
 * yields to an --adapter file of the same name. Takes b. */
static int register_adapter(struct backend *b, const char *where, bool extra, char *err, size_t n)
{
	const struct backend *old = backend_find(b->name);
	int r;

	if (old) {
		if (!extra && is_loaded(old)) {
			adapter_free(b);
			return 0;
		}
		snprintf(err, n, "%s: name: \"%s\" is already the name of %s", where, b->name,
			 is_loaded(old) ? A(old)->path : "a built-in backend");
		adapter_free(b);
		return -EINVAL;
	}
	if ((r = backend_register(b)) < 0) {
		adapter_free(b);
		return r;
	}
	loaded[nloaded++] = b;
	return 0;
}

/* An --adapter file (extra) or a shipped one, data file rel. */
static int register_one(const char *path_or_rel, bool extra, char *err, size_t n)
{
	_cleanup_free_ char *text = NULL;
	char where[PATH_MAX];
	struct backend *b;
	int r;

	if (nloaded == MAX_ADAPTERS) {
		snprintf(err, n, "%s: more than %d adapters", path_or_rel, MAX_ADAPTERS);
		return -EINVAL;
	}
	if (extra)
		r = adapter_load(path_or_rel, &b, err, n);
	else if ((r = jp_read_data(path_or_rel, &text, where, sizeof(where), err, n)) == 0)
		r = adapter_parse(text, where, &b, err, n);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	return register_adapter(b, extra ? path_or_rel : where, extra, err, n);
}

int adapters_register(char *const *extra, size_t nextra, char *err, size_t n)
{
	char **names, rel[PATH_MAX];
	size_t count;
	int r = 0;

	for (size_t i = 0; i < nextra; i++)
		if ((r = register_one(extra[i], true, err, n)) < 0)
			return r;
	if ((r = data_list("platforms/adapters", ".json", &names, &count)) < 0)
		return r;
	for (size_t i = 0; r == 0 && i < count; i++)
		if ((r = fmt(rel, sizeof(rel), "platforms/adapters/%s", names[i])) == 0)
			r = register_one(rel, false, err, n);
	data_list_free(names, count);
	return r;
}

void adapters_unregister(void)
{
	backend_unregister_all();
	for (size_t i = 0; i < nloaded; i++)
		adapter_free(loaded[i]);
	nloaded = 0;
}
