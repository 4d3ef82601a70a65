/* bwrap: bubblewrap builds the box from the mode's policy (a read-only view
 * of /, writable binds for the writable roots, read-only re-binds of the
 * protected names found in them, fresh pid/ipc/net namespaces, a new
 * session, no capabilities), and the shared seccomp program (seccomp.c)
 * covers what mounts and namespaces cannot, passed with --seccomp FD. */
#include "bwrap.h"

#include "../lib/path.h"
#include "../lib/proc.h"
#include "detect.h"
#include "seccomp.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BWRAP_MIN_MAJOR 0
#define BWRAP_MIN_MINOR 4
#define TRIAL_TIMEOUT 15.0
/* bwrap reads the program from this fd: keep it clear of the fds the
 * spawner dup2()s onto in the child (0-2 and PROBE_LEAKED_FD). */
#define SECCOMP_FD_MIN 10

/* A writable root as the host names it (src) and as the box sees it (dst):
 * equal except for the case's {tmp}, which is also the box's /tmp. */
struct root {
	char *src, *dst;
};

/* A protected path: re-bound read-only (src set), or missing and covered
 * by an empty read-only tmpfs (src NULL) so it cannot be created. */
struct prot {
	char *src, *dst;
};

struct plan {
	const struct mode *m;
	bool rw_root; /* "/" itself is writable */
	struct root *roots;
	size_t nroots;
	struct prot *prots;
	size_t nprots;
	size_t visited;
	char *err;
	size_t errn;
};

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nroots; i++)
		free(p->roots[i].src), free(p->roots[i].dst);
	for (size_t i = 0; i < p->nprots; i++)
		free(p->prots[i].src), free(p->prots[i].dst);
	free(p->roots);
	free(p->prots);
}

static int add_root(struct plan *p, const char *src, const char *dst)
{
	struct root *nr;

	for (size_t i = 0; i < p->nroots; i++)
		if (!strcmp(p->roots[i].dst, dst))
			return 0;
	nr = realloc(p->roots, (p->nroots + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	p->roots = nr;
	nr[p->nroots].src = strdup(src);
	nr[p->nroots].dst = strdup(dst);
	p->nroots++;
	return nr[p->nroots - 1].src && nr[p->nroots - 1].dst ? 0 : -ENOMEM;
}

static int add_prot(struct plan *p, const char *src, const char *dst)
{
	struct prot *np;

	for (size_t i = 0; i < p->nprots; i++)
		if (!strcmp(p->prots[i].dst, dst))
			return 0;
	if (p->nprots == BWRAP_PROTECT_MAX) {
		snprintf(p->err, p->errn, "more than %d protected paths in the writable roots: bwrap would need a mount for each",
			 BWRAP_PROTECT_MAX);
		return -E2BIG;
	}
	np = realloc(p->prots, (p->nprots + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	p->prots = np;
	np[p->nprots].src = src ? strdup(src) : NULL;
	np[p->nprots].dst = strdup(dst);
	p->nprots++;
	return (!src || np[p->nprots - 1].src) && np[p->nprots - 1].dst ? 0 : -ENOMEM;
}

static bool is_protected(const struct mode *m, const char *name)
{
	for (size_t i = 0; i < m->nprotected; i++)
		if (!strcmp(m->protected_names[i], name))
			return true;
	return false;
}

/* Protect a resolved host path wherever a writable root shows it; outside
 * every writable root it is read-only already. */
static int protect_real(struct plan *p, const char *real)
{
	for (size_t i = 0; i < p->nroots; i++) {
		const struct root *rt = &p->roots[i];
		char dst[PATH_MAX];
		int r;
		if (!path_is_under(real, rt->src))
			continue;
		if ((r = fmt(dst, sizeof(dst), "%s%s", rt->dst, real + strlen(rt->src))) < 0 ||
		    (r = add_prot(p, real, dst)) < 0)
			return r;
	}
	return 0;
}

/* realpath() of a path a git file names, relative to base's directory. */
static int resolve_from(const char *base_dir, const char *name, char *out)
{
	char joined[PATH_MAX];

	if (name[0] != '/' && fmt(joined, sizeof(joined), "%s/%s", base_dir, name) < 0)
		return -ENAMETOOLONG;
	return realpath(name[0] == '/' ? name : joined, out) ? 0 : neg_errno();
}

/* The first line of a small file, trimmed; NULL if unreadable. */
static char *first_line(const char *path)
{
	char *text = NULL;

	if (read_file(path, 4096, &text, NULL) < 0)
		return NULL;
	text[strcspn(text, "\r\n")] = 0;
	return text;
}

/* A .git file ("gitdir: PATH", worktrees and submodules): the repository
 * it points to, and a worktree's common dir, are as sensitive as .git. */
static int protect_gitfile(struct plan *p, const char *gitfile)
{
	_cleanup_free_ char *line = first_line(gitfile), *dir = strdup(gitfile), *common = NULL;
	char target[PATH_MAX], cpath[PATH_MAX], creal[PATH_MAX];
	const char *name;
	int r;

	if (!dir)
		return -ENOMEM;
	if (!line || strncmp(line, "gitdir:", 7))
		return 0; /* not a git file: the file itself is re-bound */
	for (name = line + 7; *name == ' ' || *name == '\t'; name++)
		;
	if (!*name || resolve_from(dirname(dir), name, target) < 0)
		return 0; /* a dangling gitdir: nothing to bind */
	if ((r = protect_real(p, target)) < 0)
		return r;
	if (fmt(cpath, sizeof(cpath), "%s/commondir", target) < 0 || !(common = first_line(cpath)) || !*common ||
	    resolve_from(target, common, creal) < 0)
		return 0;
	return protect_real(p, creal);
}

static int protect_found(struct plan *p, const struct root *rt, const char *path, const char *name, bool is_link,
			 bool is_reg)
{
	char dst[PATH_MAX], real[PATH_MAX];
	int r;

	if (is_link) /* the link's target is bound; the link itself stays replaceable (see notes) */
		return realpath(path, real) ? protect_real(p, real) : 0;
	if ((r = fmt(dst, sizeof(dst), "%s%s", rt->dst, path + strlen(rt->src))) < 0 || (r = add_prot(p, path, dst)) < 0)
		return r;
	return is_reg && !strcmp(name, ".git") ? protect_gitfile(p, path) : 0;
}

/* Every protected name at any depth under dir; protected directories are
 * not entered (their content is read-only with them), symlinks not followed. */
static int walk(struct plan *p, const struct root *rt, const char *dir, int depth)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = neg_errno();
		if (fd >= 0)
			close(fd);
		snprintf(p->err, p->errn, "%s: cannot list it to find protected names: %s", dir, strerror(-r));
		return r;
	}
	while (r == 0 && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++p->visited > BWRAP_WALK_MAX_ENTRIES || depth >= BWRAP_WALK_MAX_DEPTH) {
			snprintf(p->err, p->errn, "%s: more than %d entries or %d levels: too many to walk for protected names",
				 rt->src, BWRAP_WALK_MAX_ENTRIES, BWRAP_WALK_MAX_DEPTH);
			r = -E2BIG;
		} else if ((r = fmt(path, sizeof(path), "%s/%s", dir, e->d_name)) < 0) {
			snprintf(p->err, p->errn, "%s/%s: path too long", dir, e->d_name);
		} else if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = errno == ENOENT ? 0 : neg_errno();
		} else if (is_protected(p->m, e->d_name)) {
			r = protect_found(p, rt, path, e->d_name, S_ISLNK(st.st_mode), S_ISREG(st.st_mode));
		} else if (S_ISDIR(st.st_mode)) {
			r = walk(p, rt, path, depth + 1);
		}
	}
	closedir(d);
	return r;
}

static int by_dst(const void *a, const void *b)
{
	return strcmp(((const struct prot *)a)->dst, ((const struct prot *)b)->dst);
}

static int root_by_dst(const void *a, const void *b)
{
	return strcmp(((const struct root *)a)->dst, ((const struct root *)b)->dst);
}

/* The writable roots, resolved (resolve) or as named (explain's placeholders). */
static int plan_roots(const struct box *x, bool resolve, struct plan *p)
{
	for (size_t i = 0; i < x->mode->nwritable; i++) {
		const char *w = x->mode->writable[i], *path = box_root(x, w);
		char real[PATH_MAX];
		int r;
		if (!strcmp(path, "/")) {
			p->rw_root = true;
			continue;
		}
		if (resolve && !realpath(path, real)) {
			if (errno == ENOENT && path == w)
				continue; /* a suite's absolute path missing here: nothing to bind */
			r = neg_errno();
			snprintf(p->err, p->errn, "writable root %s: %s", path, strerror(-r));
			return r;
		}
		if (!resolve)
			fmt(real, sizeof(real), "%s", path);
		if ((r = add_root(p, real, real)) < 0)
			return r;
		/* the case's temp dir is also the box's /tmp */
		if (!strcmp(w, "{tmp}") && strcmp(real, "/tmp") && (r = add_root(p, real, "/tmp")) < 0)
			return r;
	}
	if (p->nroots)
		qsort(p->roots, p->nroots, sizeof(*p->roots), root_by_dst);
	return 0;
}

static int plan_protected(struct plan *p)
{
	size_t k = 0;
	int r;

	for (size_t i = 0; i < p->nroots; i++) {
		const struct root *rt = &p->roots[i];
		if ((r = walk(p, rt, rt->src, 0)) < 0)
			return r;
		for (size_t j = 0; j < p->m->nprotected; j++) {
			char src[PATH_MAX], dst[PATH_MAX];
			struct stat st;
			const char *name = p->m->protected_names[j];
			if (fmt(src, sizeof(src), "%s/%s", rt->src, name) < 0 || fmt(dst, sizeof(dst), "%s/%s", rt->dst, name) < 0)
				return -ENAMETOOLONG;
			if (lstat(src, &st) < 0 && errno == ENOENT && (r = add_prot(p, NULL, dst)) < 0)
				return r;
		}
	}
	if (!p->nprots)
		return 0;
	/* parents first; a path under one already re-bound read-only needs nothing */
	qsort(p->prots, p->nprots, sizeof(*p->prots), by_dst);
	for (size_t i = 0; i < p->nprots; i++) {
		if (k && path_is_under(p->prots[i].dst, p->prots[k - 1].dst)) {
			free(p->prots[i].src), free(p->prots[i].dst);
			continue;
		}
		p->prots[k++] = p->prots[i];
	}
	p->nprots = k;
	return 0;
}

/* Does a writable root cover path (is path at or under one)? */
static bool covered(const struct plan *p, const char *path)
{
	if (p->rw_root)
		return true;
	for (size_t i = 0; i < p->nroots; i++)
		if (path_is_under(path, p->roots[i].dst))
			return true;
	return false;
}

static int emit(const struct plan *p, const struct box *x, const char *seccomp, struct launch *l)
{
	static const char *const head[] = {"--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc"};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(head) && r == 0; i++)
		r = launch_arg(l, head[i]);
	if (r == 0 && !x->mode->network)
		r = launch_arg(l, "--unshare-net");
	if (r == 0)
		r = launch_arg(l, "--cap-drop") ?: launch_arg(l, "ALL");
	if (r == 0)
		r = launch_arg(l, p->rw_root ? "--bind" : "--ro-bind") ?: launch_arg(l, "/") ?: launch_arg(l, "/");
	/* a private /dev (null zero full random urandom tty, its own devpts),
	 * then the host's /dev/shm, read-only unless a writable root covers it:
	 * a writable tmpfs there would be a write the policy does not grant */
	if (r == 0)
		r = launch_arg(l, "--dev") ?: launch_arg(l, "/dev");
	if (r == 0)
		r = launch_arg(l, covered(p, "/dev/shm") ? "--bind-try" : "--ro-bind-try") ?: launch_arg(l, "/dev/shm") ?:
		    launch_arg(l, "/dev/shm");
	if (r == 0)
		r = launch_arg(l, "--proc") ?: launch_arg(l, "/proc");
	/* sysctls are global and root owns them: uid 0 without capabilities can
	 * still write core_pattern through a fresh /proc. Read-only, as Docker does */
	if (r == 0)
		r = launch_arg(l, "--ro-bind") ?: launch_arg(l, "/proc/sys") ?: launch_arg(l, "/proc/sys");
	if (r == 0)
		r = launch_arg(l, "--ro-bind-try") ?: launch_arg(l, "/proc/sysrq-trigger") ?:
		    launch_arg(l, "/proc/sysrq-trigger");
	for (size_t i = 0; i < p->nroots && r == 0; i++)
		r = launch_arg(l, "--bind") ?: launch_arg(l, p->roots[i].src) ?: launch_arg(l, p->roots[i].dst);
	for (size_t i = 0; i < p->nprots && r == 0; i++) {
		const struct prot *pr = &p->prots[i];
		if (pr->src)
			r = launch_arg(l, "--ro-bind") ?: launch_arg(l, pr->src) ?: launch_arg(l, pr->dst);
		else
			r = launch_arg(l, "--tmpfs") ?: launch_arg(l, pr->dst) ?: launch_arg(l, "--remount-ro") ?:
			    launch_arg(l, pr->dst);
	}
	if (r == 0 && seccomp)
		r = launch_arg(l, "--seccomp") ?: launch_arg(l, seccomp);
	if (r == 0)
		r = launch_arg(l, "--chdir") ?: launch_arg(l, x->ws);
	return r ?: launch_arg(l, "--");
}

int bwrap_args(const struct box *x, const char *seccomp, struct launch *l, char *err, size_t n)
{
	struct plan p = {.m = x->mode, .err = err, .errn = n};
	int r;

	err[0] = 0;
	r = plan_roots(x, true, &p);
	if (r == 0 && x->mode->nprotected)
		r = plan_protected(&p);
	if (r == 0)
		r = emit(&p, x, seccomp, l);
	if (r < 0 && !err[0])
		snprintf(err, n, "building the bwrap command line: %s", strerror(-r));
	plan_free(&p);
	return r;
}

/* ---------- the host: bwrap on PATH, its version, a real trial ---------- */

static struct {
	bool done;
	int rc;
	char why[512];
	char path[PATH_MAX];
	char version[64];
	/* what check_host measured, for facts(): the same runs, not new ones */
	char version_out[256];
	int version_status; /* -1: it did not run to its end */
	bool tried;	    /* the trial ran */
	char trial[1024];   /* its command line, as a shell line */
	char trial_out[1024];
	int trial_err; /* 0, or -errno (-ETIMEDOUT: it hung and was killed) */
	int trial_status; /* -1: none */
} host = {.version_status = -1, .trial_status = -1};

/* What a failed trial's message usually means here. */
static const struct {
	const char *needle, *hint;
} trial_hints[] = {
	{"uid map", "unprivileged user namespaces are off (sysctl kernel.unprivileged_userns_clone=1, "
		    "user.max_user_namespaces > 0; Ubuntu >= 23.10: kernel.apparmor_restrict_unprivileged_userns=0 "
		    "or an AppArmor profile for bwrap), or run cagetest as root"},
	{"new namespace", "this host or container forbids new namespaces (a container needs e.g. --privileged or "
			  "a seccomp/AppArmor profile that allows unshare and mount), or user namespaces are off"},
	{"Can't mount proc", "the container masks /proc, so bwrap cannot mount a fresh one (docker: --privileged, "
			     "or run on the host)"},
	{"Operation not permitted", "the container lacks the privileges bwrap needs (CAP_SYS_ADMIN or user "
				    "namespaces, mount not filtered by seccomp/AppArmor)"},
	{"Permission denied", "AppArmor or SELinux may forbid bwrap here (see dmesg), or user namespaces are off"},
};

static void trial_failed(const char *what, const char *out)
{
	const char *hint = NULL;
	char line[200];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(out, "\n"), out);
	for (size_t i = 0; i < ARRAY_SIZE(trial_hints) && !hint; i++)
		if (strstr(out, trial_hints[i].needle))
			hint = trial_hints[i].hint;
	/* fmt: a long trial line may be cut */
	fmt(host.why, sizeof(host.why), "the bwrap trial run failed (%s)%s%s. Hint: %s%s", what, line[0] ? ": " : "", line,
	    hint ? hint : "run the trial by hand to see why: ", hint ? "" : host.trial);
}

/* Run argv with the trial's timeout; its output into out, its exit status
 * (or -1) into *status. 0, or -errno as proc_run. */
static int run_timed(char *const argv[], char *out, size_t n, int *status)
{
	struct proc_cmd c = {.argv = argv, .timeout = TRIAL_TIMEOUT, .stderr_too = true};
	int st = 0, r = proc_run(&c, out, n, &st);

	*status = r < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

static int check_host(void)
{
	char t[PATH_MAX], status[64];
	int maj = 0, min = 0, mic = 0, r;

	if (find_exec("bwrap", host.path, sizeof(host.path)) < 0) {
		snprintf(host.why, sizeof(host.why), "bwrap is not on PATH. Hint: apt-get install bubblewrap");
		return -ENOENT;
	}
	r = run_timed((char *[]){host.path, "--version", NULL}, host.version_out, sizeof(host.version_out), &host.version_status);
	if (r < 0 || host.version_status || sscanf(host.version_out, "bubblewrap %d.%d.%d", &maj, &min, &mic) < 2) {
		snprintf(host.why, sizeof(host.why), "%.200s --version did not say which bubblewrap it is (%.80s). Hint: "
			 "is it really bubblewrap?", host.path, r < 0 ? strerror(-r) : host.version_out);
		return -ENOEXEC;
	}
	snprintf(host.version, sizeof(host.version), "%d.%d.%d", maj, min, mic);
	if (maj < BWRAP_MIN_MAJOR || (maj == BWRAP_MIN_MAJOR && min < BWRAP_MIN_MINOR)) {
		snprintf(host.why, sizeof(host.why), "bubblewrap %s is too old: cagetest needs >= %d.%d. Hint: upgrade bubblewrap",
			 host.version, BWRAP_MIN_MAJOR, BWRAP_MIN_MINOR);
		return -EOPNOTSUPP;
	}
	if (!seccomp_supported()) {
		snprintf(host.why, sizeof(host.why), "seccomp filters are not supported here, so --seccomp cannot work. Hint: a "
			 "container runtime may forbid them");
		return -EOPNOTSUPP;
	}
	if (find_exec("true", t, sizeof(t)) < 0) {
		snprintf(host.why, sizeof(host.why), "no `true` on PATH to run a bwrap trial with");
		return -ENOENT;
	}
	/* the namespaces and mounts every case needs, once */
	char *argv[] = {host.path, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-net",
			"--cap-drop", "ALL", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", t, NULL};
	struct sbuf cmd = {0};
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sb_putc(&cmd, ' ');
		sb_shell_word(&cmd, argv[i]);
	}
	snprintf(host.trial, sizeof(host.trial), "%s", cmd.s ? cmd.s : "");
	sb_free(&cmd);
	host.tried = true;
	r = host.trial_err = run_timed(argv, host.trial_out, sizeof(host.trial_out), &host.trial_status);
	if (r == -ETIMEDOUT) {
		trial_failed("it hung and was killed", "");
		return -ETIMEDOUT;
	}
	if (r < 0 || host.trial_status) {
		if (r < 0)
			snprintf(status, sizeof(status), "%s", strerror(-r));
		else if (host.trial_status > 128)
			snprintf(status, sizeof(status), "killed by signal %d", host.trial_status - 128);
		else
			snprintf(status, sizeof(status), "exit status %d", host.trial_status);
		trial_failed(status, host.trial_out);
		return -EPERM;
	}
	return 0;
}

/* Decided once per process: the trial forks and mounts. */
static int bw_host(void)
{
	if (!host.done) {
		host.rc = check_host();
		host.done = true;
	}
	return host.rc;
}

static int bw_available(const struct backend *b, char *why, size_t n)
{
	(void)b;
	if (bw_host() < 0)
		snprintf(why, n, "%s", host.why);
	return host.rc;
}

static int bw_version(const struct backend *b, char *buf, size_t n)
{
	(void)b;
	return bw_host() < 0 ? host.rc : fmt(buf, n, "%s", host.version);
}

/* A writable "/" cannot hold protected names: they would have to be found
 * on the whole file system. */
static int bw_supports(const struct backend *b, const struct mode *m, char *why, size_t n)
{
	(void)b;
	for (size_t i = 0; m->confined && m->nprotected && i < m->nwritable; i++)
		if (!strcmp(m->writable[i], "/")) {
			snprintf(why, n, "bwrap cannot protect %s under a writable /: it would have to walk the whole file system",
				 m->protected_names[0]);
			return -EOPNOTSUPP;
		}
	return 0;
}

static int bw_prepare(const struct backend *b, const struct box *x, struct launch *l, char *err, size_t n)
{
	char fdnum[16];
	int fd, r;

	if (!x->mode->confined)
		return 0; /* unconfined: the agent runs as it is */
	if ((r = bw_available(b, err, n)) < 0)
		return r;
	if ((r = launch_arg(l, host.path)) < 0)
		return r;
	if ((r = sc_export(x->mode, &fd)) < 0) {
		snprintf(err, n, "exporting the seccomp program: %s", strerror(-r));
		return r;
	}
	l->fds[l->nfds] = fcntl(fd, F_DUPFD_CLOEXEC, SECCOMP_FD_MIN);
	r = l->fds[l->nfds] < 0 ? neg_errno() : 0;
	close(fd);
	if (r < 0)
		return r;
	snprintf(fdnum, sizeof(fdnum), "%d", l->fds[l->nfds++]);
	l->scrub_secrets = true;
	return bwrap_args(x, fdnum, l, err, n);
}

/* bwrap passes every inherited fd into the box: close what is not ours
 * before it starts (the seccomp program's fd stays). */
static int bw_enter(const struct backend *b, const struct box *x)
{
	(void)b;
	return x->mode->confined ? close_inherited(x) : 0;
}

/* One shell word, quoted only when it has to be. */
static void sh_word(struct sbuf *out, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-{}") == strlen(s)) {
		sb_puts(out, s);
		return;
	}
	sb_putc(out, '\'');
	for (; *s; s++)
		if (*s == '\'')
			sb_puts(out, "'\\''");
		else
			sb_putc(out, *s);
	sb_putc(out, '\'');
}

static int bw_explain(const struct backend *b, const struct box *x, struct sbuf *out)
{
	struct plan p = {.m = x->mode};
	struct launch l = {0};
	char err[256] = "";
	int r;

	(void)b;
	if (!x->mode->confined) {
		sb_printf(out, "bwrap, mode %s: no sandbox (unconfined mode): the agent runs directly, without bwrap\n",
			  x->mode->name);
		sc_explain(x->mode, out);
		return 0;
	}
	p.err = err, p.errn = sizeof(err);
	r = plan_roots(x, false, &p);
	if (r == 0)
		r = emit(&p, x, "{seccomp-fd}", &l);
	plan_free(&p);
	if (r < 0) {
		launch_free(&l);
		return r;
	}
	sb_printf(out, "bwrap, mode %s: the agent runs under\n  bwrap", x->mode->name);
	for (size_t i = 0; i < l.argc; i++) {
		sb_puts(out, !strncmp(l.argv[i], "--", 2) ? " \\\n    " : " ");
		sh_word(out, l.argv[i]);
	}
	sb_printf(out, " %s agent ...\n", x->self);
	launch_free(&l);
	if (x->mode->nprotected) {
		sb_puts(out, "protected names (");
		for (size_t i = 0; i < x->mode->nprotected; i++)
			sb_printf(out, "%s%s", i ? " " : "", x->mode->protected_names[i]);
		sb_puts(out, "): the writable roots are walked when each case starts (symlinks not followed), and before "
			     "--seccomp come\n"
			     "  --ro-bind P P                     for each one found at any depth (a directory or a file)\n"
			     "  --ro-bind T T                     for the gitdir: target T of a .git file (and its commondir), "
			     "when T is in a writable root; for a protected symlink, its target\n"
			     "  --tmpfs R/N --remount-ro R/N      for each name N missing at the top of a writable root R "
			     "(first-time creation; bwrap leaves the empty mount point in R)\n");
	}
	sb_puts(out, "/tmp: the case's {tmp}, writable only when {tmp} is a writable root. /dev: a private tmpfs with "
		     "null, zero, full, random, urandom, tty and a private devpts; /dev/shm: the host's, read-only unless "
		     "a writable root covers it. /proc: fresh, of the new pid namespace, with /proc/sys and "
		     "/proc/sysrq-trigger read-only\n"
		     "inherited fds: closed before bwrap starts, but the seccomp program's\n"
		     "environment: variables named *KEY*, *SECRET*, *TOKEN*, *PASSWORD*, *CREDENTIAL* removed\n");
	sc_explain(x->mode, out);
	return 0;
}

static void bw_notes(const struct backend *b, struct sbuf *out)
{
	(void)b;
	sb_puts(out,
		"bwrap cannot forbid creating a protected name that does not exist yet below the top of a writable root "
		"(there is no mount point to cover; only names missing at the top are covered). A hard link planted in "
		"the workspace before the sandbox starts is a workspace path: writes through it reach the outside file. "
		"A protected name that is a symlink has its target re-bound, but the link itself can be replaced. "
		"Pathname UNIX sockets stay reachable through read-only binds (connect is not a write): only the "
		"seccomp filter stops host IPC, by every road it sees: socket(AF_UNIX), datagram socketpairs (SOCK_DGRAM "
		"and SOCK_RAW pairs send to any address), io_uring, foreign ABIs (killed). A repository built under "
		"another name than .git (a bare repository) is a directory like any other: no bind can tell. Mount points for "
		"missing protected names are created in the real writable root and stay there, empty. The read-only "
		"re-binds hold only while the box cannot make a user namespace: with one of its own it can pivot_root "
		"away from them and rename what they protect through an fd opened before (ns.*); the seccomp filter "
		"denies unshare and clone with CLONE_NEWUSER and makes clone3 ENOSYS.");
	if (geteuid() == 0)
		sb_puts(out, " Run as root: the box runs as uid 0 without a user namespace and without effective or "
			     "permitted capabilities; bwrap leaves the bounding set as it was, and no_new_privs (set with "
			     "the seccomp program) keeps exec from regaining any.");
}

/* The trial available() ran, as data: never a second trial. */
static int bw_facts(const struct backend *b, struct facts *out)
{
	const char *who = geteuid() == 0 ? "as root" : "as this user";
	char value[640], line[PATH_MAX + 16];
	int r;

	(void)b;
	bw_host();
	if (!host.path[0])
		return facts_add(out, &(struct fact){.name = "version", .value = "not installed (Debian: apt-get install bubblewrap)",
						    .source = "PATH", .err = -ENOENT, .status = -1});
	fmt(value, sizeof(value), "%s%s at %s", host.version[0] ? "bubblewrap " : "version unknown", host.version,
	    host.path);
	fmt(line, sizeof(line), "%s --version", host.path);
	if ((r = facts_add(out, &(struct fact){.name = "version", .value = value, .source = line,
					       .output = host.version_out, .status = host.version_status})) < 0)
		return r;
	if (!host.tried)
		fmt(value, sizeof(value), "trial not run: %s", host.why);
	else if (host.rc == 0)
		snprintf(value, sizeof(value), "trial %s: works (ro root, new namespaces, /proc)", who);
	else if (host.trial_err == -ETIMEDOUT)
		snprintf(value, sizeof(value), "trial %s: fails: it hung and was killed after %.0f s", who, TRIAL_TIMEOUT);
	else
		snprintf(value, sizeof(value), "trial %s: fails: %.*s", who, (int)strcspn(host.trial_out, "\n"),
			 host.trial_out[0] ? host.trial_out : "no output");
	return facts_add(out, &(struct fact){.name = "trial", .value = value, .source = host.tried ? host.trial : NULL,
					     .output = host.tried ? host.trial_out : NULL,
					     .err = host.tried ? host.trial_err : host.rc, .status = host.trial_status});
}

const struct backend backend_bwrap = {
	.name = "bwrap",
	.description = "bubblewrap: read-only root, writable binds, read-only protected names, pid/ipc/net namespaces, "
		       "seccomp",
	.batch = true,
	.available = bw_available,
	.version = bw_version,
	.supports = bw_supports,
	.prepare = bw_prepare,
	.enter = bw_enter,
	.explain = bw_explain,
	.notes = bw_notes,
	.facts = bw_facts,
};
