#include "doctor.h"

#include "../lib/proc.h"
#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "cgroup.h"
#include "doctor_runtime.h"
#include "here.h"

#include <fcntl.h>
#include <grp.h>
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

const char doctor_probes[] = "fs.write_workspace,fs.read_workspace,fs.exec_shell,fs.create_outside,fs.symlink_file,"
			     "fs.home_bashrc,git.config_write,net.tcp4_loopback,dns.udp_query,ipc.unix_stream,"
			     "ipc.abstract_unix,ipc.socketpair_sendto,priv.setuid_exec,priv.userns_create,proc.signal_sentinel,"
			     "proc.ptrace_poke,proc.daemon_outlives,proc.tiocsti,ns.pivot_git";

void doctor_line(struct sbuf *out, const char *name, const char *f, ...)
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

/* What a user namespace is good for here: created, then mapped, then used to
 * mount (AppArmor's restrict_unprivileged_userns allows the first and denies
 * the rest). 0 when all works, else -errno and the step that failed. */
/* In a child: how far it got (res[0], 5: all of it) and the errno there. */
static void userns_steps(void *arg, void *answer)
{
	int *res = answer, s = 0;
	char map[64];

	if (!*(bool *)arg || become_nobody() == 0)
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
	res[0] = s, res[1] = errno;
}

static int userns_probe(bool drop, const char **step)
{
	static const char *const steps[] = {"dropping to nobody", "unshare(CLONE_NEWUSER)", "writing uid_map",
					    "unshare(CLONE_NEWNS)", "mount in the namespace"};
	int res[2] = {0, EIO}; /* step, errno from the child */
	struct proc_call c = {.fn = userns_steps, .arg = &drop, .size = sizeof(res)};
	int r = proc_call(&c, res, NULL);

	if (r == -ENODATA)
		res[0] = 0, res[1] = EIO;
	else if (r < 0)
		return -EAGAIN;
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
	const char *step = "";
	int r;

	for (int pass = 0; pass < (geteuid() == 0 ? 2 : 1); pass++) {
		bool drop = pass == 1 || geteuid() != 0;
		r = userns_probe(drop, &step);
		doctor_line(out, pass ? "" : "user ns", "%s: %s%s%s%s", who(drop),
		     r == 0 ? "works (create, map, mount)" : "fails at ", r == 0 ? "" : step, r == 0 ? "" : ": ",
		     r == 0 ? "" : errno_name(r));
	}
}

/* What each backend measured to decide whether it can run here: its own
 * trial, the one available() used, so the two never disagree. A failed
 * trial also shows its command, to run by hand, and a backend that cannot
 * run gets its cause, drawn from that and the runtime's facts (here.h):
 * where those seem to say otherwise (the call trials pass, bwrap fails),
 * the cause says why. With save_dir, the records go to backends.json. */
static int backend_facts(struct sbuf *out, const char *save_dir)
{
	struct backend_record *recs = calloc(backend_count() + 1, sizeof(*recs));
	size_t nrecs = 0;
	int r = recs ? 0 : -ENOMEM;

	for (size_t i = 0; recs && i < backend_count(); i++) {
		const struct backend *b = backend_at(i);
		struct backend_record *rec = &recs[nrecs++];
		char why[1024] = "", cause[1024] = "";
		rec->available = b->available(b, why, sizeof(why)) == 0;
		rec->name = strdup(b->name);
		rec->reason = rec->available ? NULL : strdup(why);
		if (b->facts && b->facts(b, &rec->facts) < 0)
			doctor_line(out, b->name, "its facts could not be gathered (out of memory)");
		for (size_t k = 0; k < rec->facts.n; k++) {
			const struct fact *f = &rec->facts.v[k];
			doctor_line(out, k ? "" : b->name, "%s", f->value ? f->value : "");
			if ((f->err || f->status > 0) && f->output && f->source)
				doctor_line(out, "", "ran: %s", f->source);
		}
		if (b->facts && !rec->available && cause_has_rules(b->name) && here_available(b, cause, sizeof(cause)) < 0)
			doctor_line(out, "", "cause: %s", cause);
	}
	if (recs && save_dir) {
		_cleanup_free_ char *text = NULL;
		char p[4096];
		if ((r = records_format(recs, nrecs, &text)) == 0 && (r = fmt(p, sizeof(p), "%s/backends.json", save_dir)) == 0)
			r = write_file(p, text, strlen(text), 0644);
	}
	if (recs)
		records_free(recs, nrecs);
	return r;
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
		doctor_line(out, "cgroup", "/sys/fs/cgroup not mounted");
		return;
	}
	if (sf.f_type != CGROUP2_SUPER_MAGIC) {
		doctor_line(out, "cgroup", "v1 or hybrid");
	} else {
		if (read_file("/proc/self/cgroup", 4096, &self, NULL) == 0 && !strncmp(self, "0::", 3))
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%.*s", (int)strcspn(self + 3, "\n"), self + 3);
		doctor_line(out, "cgroup", "v2, this process in %s (%s)", dir[0] ? dir + 14 : "?",
		     dir[0] && access(dir, W_OK) == 0 ? "writable" : "not writable");
	}
	/* what a run would get: the same code makes (and removes) the dirs */
	struct cg_run cg;
	cg_run_create(&cg);
	doctor_line(out, "containment", "%s; pids %s; memory %s",
	     cg.v2     ? "a v2 cgroup per case, killed whole"
	     : cg.pids ? "a v1 cgroup per case, killed member by member"
		       : "none: only the subreaper kills what a case leaves",
	     bound(cg.pids, cg.v1_pids), bound(cg.memory, cg.v1_memory));
	cg_run_destroy(&cg);
}

int doctor_facts(struct sbuf *out, const char *evidence_dir)
{
	struct host_info h = {0};
	char val[512];

	host_info_read(&h);
	doctor_line(out, "kernel", "%s (%s)", h.kernel[0] ? h.kernel : "?", h.arch[0] ? h.arch : "?");
	doctor_line(out, "uid", "%u%s", h.uid, h.uid == 0 ? " (root)" : "");
	int saved = runtime_facts(out, evidence_dir);
	if (*sysval("/sys/kernel/security/lsm", val, sizeof(val)))
		doctor_line(out, "LSMs", "%s", val);
	doctor_line(out, "seccomp", "%s", h.seccomp ? "filters supported" : "filters unavailable");
	userns_facts(out);
	int recorded = backend_facts(out, saved == 0 ? evidence_dir : NULL);
	if (saved == 0 && recorded < 0)
		saved = recorded;
	cgroup_facts(out);
	if (*sysval("/proc/sys/dev/tty/legacy_tiocsti", val, sizeof(val)))
		doctor_line(out, "tiocsti", "dev.tty.legacy_tiocsti = %s (%s)", val,
		     !strcmp(val, "0") ? "TIOCSTI needs CAP_SYS_ADMIN" : "any process can push input into its terminal");
	else
		doctor_line(out, "tiocsti", "no dev.tty.legacy_tiocsti (kernel < 6.2): TIOCSTI works for anyone; filter it");
	if (*sysval("/proc/sys/kernel/io_uring_disabled", val, sizeof(val)))
		doctor_line(out, "io_uring", "kernel.io_uring_disabled = %s (%s)", val,
		     !strcmp(val, "2") ? "disabled" : !strcmp(val, "1") ? "only for kernel.io_uring_group" : "enabled: filter it");
	else
		doctor_line(out, "io_uring", "no kernel.io_uring_disabled (kernel < 6.6)");
	doctor_line(out, "ptrace", "kernel.yama.ptrace_scope = %s",
	     *sysval("/proc/sys/kernel/yama/ptrace_scope", val, sizeof(val)) ? val : "absent (no Yama: same-uid ptrace allowed)");
	if (*sysval("/sys/module/apparmor/parameters/enabled", val, sizeof(val)))
		doctor_line(out, "apparmor", "%s", !strcmp(val, "Y") ? "enabled" : "disabled");
	return saved;
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
