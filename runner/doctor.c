#include "doctor.h"

#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "cgroup.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define NOBODY 65534
#define CMD_TIMEOUT_MS 10000

const char doctor_probes[] = "fs.write_workspace,fs.read_workspace,fs.exec_shell,fs.create_outside,fs.symlink_file,"
			     "fs.home_bashrc,git.config_write,net.tcp4_loopback,dns.udp_query,ipc.unix_stream,"
			     "ipc.abstract_unix,ipc.socketpair_sendto,priv.setuid_exec,priv.userns_create,proc.signal_sentinel,"
			     "proc.ptrace_poke,proc.daemon_outlives,proc.tiocsti,ns.pivot_git";

static void line(struct sbuf *out, const char *name, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void line(struct sbuf *out, const char *name, const char *f, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	sb_printf(out, "%-14s", name);
	text_clean(out, buf);
	sb_puts(out, "\n");
}

/* A /proc/sys or /sys value, trimmed; "" when absent. */
static const char *sysval(const char *path, char *buf, size_t n)
{
	_cleanup_free_ char *text = NULL;

	buf[0] = 0;
	if (read_file(path, 4096, &text, NULL) == 0)
		snprintf(buf, n, "%.*s", (int)strcspn(text, "\n"), text);
	return buf;
}

/* A "Key:\tvalue" line of /proc/self/status. */
static const char *status_field(const char *key, char *buf, size_t n)
{
	_cleanup_free_ char *text = NULL;
	size_t klen = strlen(key);

	buf[0] = 0;
	if (read_file("/proc/self/status", 65536, &text, NULL) < 0)
		return buf;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ':') {
			const char *v = l + klen + 1 + strspn(l + klen + 1, " \t");
			snprintf(buf, n, "%.*s", (int)strcspn(v, "\n"), v);
			break;
		}
	return buf;
}

/* Run argv (as nobody when drop and root) with a timeout; the first line of
 * its output goes to msg. Returns the exit status, or -errno. */
static int run_line(char *const argv[], bool drop, char *msg, size_t n)
{
	char buf[2048];
	int st = 0, r = run_capture(argv, CMD_TIMEOUT_MS / 1000.0, drop, buf, sizeof(buf), &st);

	if (r == -ETIMEDOUT) {
		snprintf(msg, n, "timed out after %d s", CMD_TIMEOUT_MS / 1000);
		return r;
	}
	if (r < 0)
		return r;
	snprintf(msg, n, "%.*s", (int)strcspn(buf, "\n"), buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* What a user namespace is good for here: created, then mapped, then used to
 * mount (AppArmor's restrict_unprivileged_userns allows the first and denies
 * the rest). 0 when all works, else -errno and the step that failed. */
static int userns_probe(bool drop, const char **step)
{
	static const char *const steps[] = {"dropping to nobody", "unshare(CLONE_NEWUSER)", "writing uid_map",
					    "unshare(CLONE_NEWNS)", "mount in the namespace"};
	int p[2], res[2] = {0, EIO}; /* step, errno from the child */
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return neg_errno();
	pid = fork();
	if (pid < 0) {
		close(p[0]), close(p[1]);
		return -EAGAIN;
	}
	if (pid == 0) {
		char map[64];
		int s = 0;
		if (!drop || become_nobody() == 0)
			s = 1;
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)geteuid());
		if (s == 1 && unshare(CLONE_NEWUSER) == 0)
			s = 2;
		if (s == 2 && (write_str("/proc/self/setgroups", "deny") == 0 || errno == ENOENT) &&
		    write_str("/proc/self/uid_map", map) == 0)
			s = 3;
		if (s == 3 && unshare(CLONE_NEWNS) == 0)
			s = 4;
		if (s == 4 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
			s = 5;
		int msg[2] = {s, errno};
		_exit(write(p[1], msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], res, sizeof(res)) != sizeof(res))
		res[0] = 0, res[1] = EIO;
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (res[0] == 5)
		return 0;
	*step = steps[res[0] >= 0 && res[0] < 5 ? res[0] : 0];
	return -(res[1] ? res[1] : EIO);
}

/* Root tries twice: as itself and dropped to nobody. */
static const char *who(bool drop)
{
	return geteuid() != 0 ? "as this user" : drop ? "unprivileged (nobody)" : "as root";
}

static void userns_facts(struct sbuf *out)
{
	static const struct {
		const char *name, *path;
	} knobs[] = {
		{"user.max_user_namespaces", "/proc/sys/user/max_user_namespaces"},
		{"kernel.unprivileged_userns_clone", "/proc/sys/kernel/unprivileged_userns_clone"},
		{"kernel.apparmor_restrict_unprivileged_userns", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"},
	};
	const char *step = "";
	char val[64];
	int r;

	for (int pass = 0; pass < (geteuid() == 0 ? 2 : 1); pass++) {
		bool drop = pass == 1 || geteuid() != 0;
		r = userns_probe(drop, &step);
		line(out, pass ? "" : "user ns", "%s: %s%s%s%s", who(drop),
		     r == 0 ? "works (create, map, mount)" : "fails at ", r == 0 ? "" : step, r == 0 ? "" : ": ",
		     r == 0 ? "" : errno_name(r));
	}
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++)
		if (*sysval(knobs[i].path, val, sizeof(val)))
			line(out, "", "%s = %s", knobs[i].name, val);
}

static void bwrap_facts(struct sbuf *out)
{
	char path[4096], msg[512], ver[128];
	char *argv[] = {"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
			"--die-with-parent", "--new-session", "--", "true", NULL};

	if (!which("bwrap", path, sizeof(path))) {
		line(out, "bwrap", "not installed (Debian: apt-get install bubblewrap)");
		return;
	}
	char *vargv[] = {"bwrap", "--version", NULL};
	run_line(vargv, false, ver, sizeof(ver));
	for (int pass = 0; pass < (geteuid() == 0 ? 2 : 1); pass++) {
		bool drop = pass == 1 || geteuid() != 0;
		int r = run_line(argv, drop, msg, sizeof(msg));
		line(out, pass ? "" : "bwrap", "%s%s%s: %s%s%s", pass ? "" : ver, pass ? "" : ", ",
		     who(drop), r == 0 ? "works (ro root, new namespaces, /proc)" : "fails",
		     r == 0 ? "" : ": ", r == 0 ? "" : msg);
	}
}

static const char *bound(bool on, bool v1)
{
	return !on ? "unbounded" : v1 ? "bounded (v1)" : "bounded";
}

static void cgroup_facts(struct sbuf *out)
{
	struct statfs sf;
	_cleanup_free_ char *self = NULL;
	char dir[4096] = "";

	if (statfs("/sys/fs/cgroup", &sf) < 0) {
		line(out, "cgroup", "/sys/fs/cgroup not mounted");
		return;
	}
	if (sf.f_type != CGROUP2_SUPER_MAGIC) {
		line(out, "cgroup", "v1 or hybrid");
	} else {
		if (read_file("/proc/self/cgroup", 4096, &self, NULL) == 0 && !strncmp(self, "0::", 3))
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%.*s", (int)strcspn(self + 3, "\n"), self + 3);
		line(out, "cgroup", "v2, this process in %s (%s)", dir[0] ? dir + 14 : "?",
		     dir[0] && access(dir, W_OK) == 0 ? "writable" : "not writable");
	}
	/* what a run would get: the same code makes (and removes) the dirs */
	struct cg_run cg;
	cg_run_create(&cg);
	line(out, "containment", "%s; pids %s; memory %s",
	     cg.v2     ? "a v2 cgroup per case, killed whole"
	     : cg.pids ? "a v1 cgroup per case, killed member by member"
		       : "none: only the subreaper kills what a case leaves",
	     bound(cg.pids, cg.v1_pids), bound(cg.memory, cg.v1_memory));
	cg_run_destroy(&cg);
}

/* Why we think this is (or is not) a container. */
static void container_facts(struct sbuf *out)
{
	static const char *const files[] = {"/.dockerenv", "/run/.containerenv", "/run/systemd/container"};
	char buf[256], comm[64];
	struct sbuf signs = {0};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (stat(files[i], &st) == 0)
			sb_printf(&signs, "%s exists; ", files[i]);
	if (getenv("KUBERNETES_SERVICE_HOST"))
		sb_puts(&signs, "KUBERNETES_SERVICE_HOST is set; ");
	sysval("/proc/1/comm", comm, sizeof(comm));
	if (comm[0] && strcmp(comm, "systemd") && strcmp(comm, "init"))
		sb_printf(&signs, "pid 1 is %s; ", comm);
	status_field("CapBnd", buf, sizeof(buf));
	if (buf[0] && strcmp(buf, "000001ffffffffff") && strcmp(buf, "000003ffffffffff"))
		sb_printf(&signs, "capability bounding set reduced (%s); ", buf);
	status_field("Seccomp", buf, sizeof(buf));
	if (!strcmp(buf, "2"))
		sb_puts(&signs, "a seccomp filter is already applied to this process; ");
	if (signs.len >= 2)
		signs.s[signs.len -= 2] = 0;
	line(out, "container", "%s%s%s%s", container_kind(), signs.len ? " (" : "", signs.len ? signs.s : "",
	     signs.len ? ")" : "");
	sb_free(&signs);
}

void doctor_facts(struct sbuf *out)
{
	struct host_facts h = {0};
	char val[512];

	host_facts_fill(&h);
	line(out, "kernel", "%s (%s)", h.kernel ? h.kernel : "?", h.arch ? h.arch : "?");
	line(out, "uid", "%u%s", h.uid, h.uid == 0 ? " (root)" : "");
	container_facts(out);
	if (*sysval("/sys/kernel/security/lsm", val, sizeof(val)))
		line(out, "LSMs", "%s", val);
	if (h.landlock_abi) {
		struct sbuf notes = {0};
		if (backend_landlock.notes)
			backend_landlock.notes(&backend_landlock, &notes);
		line(out, "landlock", "%s", notes.s ? notes.s : "");
		sb_free(&notes);
	} else
		line(out, "landlock", "unavailable (not built, or not in the lsm= boot list)");
	line(out, "seccomp", "%s; this process: %s", h.seccomp ? "filters supported" : "filters unavailable",
	     !strcmp(status_field("Seccomp", val, sizeof(val)), "2") ? "already filtered (a runtime's profile)" : "unfiltered");
	line(out, "no_new_privs", "%s on this process", !strcmp(status_field("NoNewPrivs", val, sizeof(val)), "1") ? "set" : "not set");
	userns_facts(out);
	bwrap_facts(out);
	cgroup_facts(out);
	if (*sysval("/proc/sys/dev/tty/legacy_tiocsti", val, sizeof(val)))
		line(out, "tiocsti", "dev.tty.legacy_tiocsti = %s (%s)", val,
		     !strcmp(val, "0") ? "TIOCSTI needs CAP_SYS_ADMIN" : "any process can push input into its terminal");
	else
		line(out, "tiocsti", "no dev.tty.legacy_tiocsti (kernel < 6.2): TIOCSTI works for anyone; filter it");
	if (*sysval("/proc/sys/kernel/io_uring_disabled", val, sizeof(val)))
		line(out, "io_uring", "kernel.io_uring_disabled = %s (%s)", val,
		     !strcmp(val, "2") ? "disabled" : !strcmp(val, "1") ? "only for kernel.io_uring_group" : "enabled: filter it");
	else
		line(out, "io_uring", "no kernel.io_uring_disabled (kernel < 6.6)");
	line(out, "ptrace", "kernel.yama.ptrace_scope = %s",
	     *sysval("/proc/sys/kernel/yama/ptrace_scope", val, sizeof(val)) ? val : "absent (no Yama: same-uid ptrace allowed)");
	if (*sysval("/sys/module/apparmor/parameters/enabled", val, sizeof(val)))
		line(out, "apparmor", "%s", !strcmp(val, "Y") ? "enabled" : "disabled");
	host_facts_free(&h);
}

int doctor_backends(char *buf, size_t n)
{
	struct sbuf s = {0};
	int r;

	sb_puts(&s, "");
	for (size_t i = 0; i < backend_count(); i++) {
		const struct backend *b = backend_at(i);
		char why[256];
		if (b != &backend_none && b->available(b, why, sizeof(why)) == 0)
			sb_printf(&s, "%s%s", s.len ? "," : "", b->name);
	}
	r = s.oom ? -ENOMEM : fmt(buf, n, "%s", s.s);
	sb_free(&s);
	return r;
}

int doctor_modes(const struct suite *su, char *buf, size_t n)
{
	struct sbuf s = {0};
	int r;

	sb_puts(&s, "");
	for (size_t i = 0; i < su->nmodes; i++)
		if (su->modes[i].confined)
			sb_printf(&s, "%s%s", s.len ? "," : "", su->modes[i].name);
	r = s.oom ? -ENOMEM : fmt(buf, n, "%s", s.s);
	sb_free(&s);
	return r;
}

void doctor_verdicts(const struct report *r, struct sbuf *out)
{
	struct matrix m;

	if (matrix_build(r, &m) < 0) {
		out->oom = true;
		return;
	}
	for (size_t c = 0; c < m.ncols; c++) {
		const struct column *col = &m.cols[c];
		sb_printf(out, "  %s with %s: ", col->mode, col->backend);
		column_summary(col, out);
		/* which probes, so the answer says what would get out */
		for (size_t p = 0, k = 0; p < m.nprobes; p++) {
			const struct result *x = m.cell[p * m.ncols + c];
			if (x && (x->verdict == V_ESCAPE || x->verdict == V_OVERBLOCKED || x->verdict == V_ERROR)) {
				sb_puts(out, k++ ? ", " : " (");
				text_clean(out, x->probe);
			}
			if (p + 1 == m.nprobes && k)
				sb_puts(out, ")");
		}
		sb_puts(out, "\n");
	}
	report_verdict_line(&m, out);
	sb_puts(out, "\n");
	matrix_free(&m);
}
