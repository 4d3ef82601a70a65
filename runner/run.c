#include "run.h"

#include "../lib/proc.h"
#include "../lib/datadir.h"
#include "../lib/util.h"
#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "../probes/probe.h"
#include "case.h"
#include "here.h"
#include "plan.h"
#include "verdict.h"

#include <endian.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <time.h>

/* A backend's reason, or the cause drawn for it (here.h): one line. */
#define WHY_MAX 1024

struct run {
	struct run_ctx c;
	const struct run_opts *o;
	struct plan plan;
	struct job *jobs;
	size_t njobs;
	size_t done;
	bool interrupted;
	int sigfd;
};

int resolve_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t n)
{
	struct passwd *pw = getpwnam(name);

	if (!pw) {
		char *end;
		unsigned long v = strtoul(name, &end, 10);
		if (*name && !*end && v < 0xffffffffUL) {
			*uid = (uid_t)v;
			*gid = (gid_t)v;
			return 0;
		}
		snprintf(err, n, "--user %s: no such user", name);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static void try_tmpns(void *arg, void *answer)
{
	(void)arg;
	*(bool *)answer = unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0;
}

/* A private mount namespace for /tmp and /dev/shm needs CAP_SYS_ADMIN. */
static bool tmpns_works(void)
{
	struct proc_call c = {.fn = try_tmpns, .size = sizeof(bool)};
	bool ok = false;

	return proc_call(&c, &ok, NULL) == 0 && ok;
}

/* The report copies what detect found: the model knows no platform. */
static int host_facts_read(struct host_facts *h)
{
	struct host_info in = {0};

	host_info_read(&in);
	h->name = strdup(in.name);
	h->kernel = strdup(in.kernel);
	h->arch = strdup(in.arch);
	h->container = strdup(in.container);
	h->uid = in.uid;
	h->landlock_abi = in.landlock_abi;
	h->seccomp = in.seccomp;
	h->userns = in.userns;
	return h->name && h->kernel && h->arch && h->container ? 0 : -ENOMEM;
}

/* ---------- the backends ---------- */

/* Ask each selected backend whether it can run here, once, and put what it
 * says (version, notes, what it applies per mode) into the report; the
 * plan takes the answers. */
static int ask_backends(const struct run_opts *o, struct plan_backend *bs, size_t *nbs, char (*why)[WHY_MAX],
			struct run_outcome *out, struct report *rep)
{
	*nbs = 0;
	for (size_t bi = 0; bi < backend_count(); bi++) {
		const struct backend *b = backend_at(bi);
		char ver[128] = "";
		struct sbuf notes = {0};
		bool avail;
		int r;

		if (!plan_selects(o->backends, b->name))
			continue;
		why[*nbs][0] = 0;
		avail = here_available(b, why[*nbs], sizeof(why[*nbs])) == 0;
		if (!avail && strcmp(o->backends, "all"))
			out->named_unavailable = true;
		if (avail && b->version && b->version(b, ver, sizeof(ver)) < 0)
			ver[0] = 0;
		if (b->notes)
			b->notes(b, &notes);
		struct backend_info bi_ = {.name = (char *)b->name, .available = avail, .version = ver[0] ? ver : NULL,
					   .reason = avail ? NULL : why[*nbs], .notes = notes.s};
		r = report_add_backend(rep, &bi_);
		sb_free(&notes);
		if (r < 0)
			return r;
		for (size_t mi = 0; mi < o->suite->nmodes; mi++) {
			const struct mode *m = &o->suite->modes[mi];
			if (!plan_selects(o->modes, m->name) || !b->explain)
				continue;
			struct box x = box_placeholders(m);
			struct sbuf e = {0};
			if (b->explain(b, &x, &e) == 0 && e.s && (r = report_add_explain(rep, b->name, m->name, e.s)) < 0) {
				sb_free(&e);
				return r;
			}
			sb_free(&e);
		}
		bs[*nbs] = (struct plan_backend){.b = b, .unavailable = avail ? NULL : why[*nbs]};
		++*nbs;
	}
	return 0;
}

/* The plan's cases, each ready to start. */
static int make_jobs(struct run *R)
{
	R->jobs = calloc(R->plan.ncases + 1, sizeof(*R->jobs));
	if (!R->jobs)
		return -ENOMEM;
	for (; R->njobs < R->plan.ncases; R->njobs++) {
		int r = case_init(&R->jobs[R->njobs], &R->plan.cases[R->njobs], R->njobs);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---------- the loop ---------- */

static void progress(const struct run *R)
{
	if (!R->o->progress)
		return;
	size_t esc = 0;
	for (size_t i = 0; i < R->plan.nrows; i++)
		esc += row_ran(&R->plan.rows[i]) && R->plan.rows[i].observed == OBS_ALLOWED &&
		       R->plan.rows[i].expected == EXPECT_BLOCKED;
	R->o->progress(R->done, R->njobs, esc, R->o->progress_ctx);
}

/* Cases that still run probes. One whose agent said done only waits for its
 * processes to end (survivors get a grace to act): it frees its worker. */
static size_t busy_jobs(const struct run *R)
{
	size_t n = 0;

	for (size_t i = 0; i < R->njobs; i++)
		n += R->jobs[i].running && !R->jobs[i].done_at;
	return n;
}

static int loop(struct run *R)
{
	/* -j cases that run probes, and as many again winding down */
	size_t next = 0, running = 0, max_running = 2 * (size_t)R->o->jobs;
	size_t nobs = observers_npollfds(R->c.obs);
	struct pollfd *pfd = calloc(1 + nobs + CASE_POLLFDS * max_running, sizeof(*pfd));

	if (!pfd)
		return -ENOMEM;
	while (next < R->njobs || running) {
		size_t busy = busy_jobs(R);
		while (!R->interrupted && busy < (size_t)R->o->jobs && running < max_running && next < R->njobs) {
			struct job *j = &R->jobs[next++];
			if (case_start(&R->c, j) == 0 && j->running)
				running++, busy++;
			else {
				case_cleanup(&R->c, j);
				R->done++;
			}
		}
		if (R->interrupted)
			for (; next < R->njobs; next++)
				case_fail(&R->jobs[next], "interrupted before it ran");
		if (!running)
			continue;
		size_t np = 0;
		pfd[np++] = (struct pollfd){.fd = R->sigfd, .events = POLLIN};
		np += observers_pollfds(R->c.obs, pfd + np, nobs);
		size_t first_job = np;
		for (size_t i = 0; i < R->njobs; i++)
			if (R->jobs[i].running) {
				case_pollfds(&R->jobs[i], pfd + np);
				np += CASE_POLLFDS;
			}
		if (poll(pfd, np, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			if (read(R->sigfd, &si, sizeof(si)) > 0 && !R->interrupted) {
				R->interrupted = true;
				for (size_t i = 0; i < R->njobs; i++)
					if (R->jobs[i].running)
						spawn_cancel(&R->jobs[i].h);
			}
		}
		observers_service(R->c.obs, pfd + 1, first_job - 1);
		for (size_t i = 0, k = first_job; i < R->njobs; i++) {
			struct job *j = &R->jobs[i];
			if (!j->running)
				continue;
			bool ended = case_service(&R->c, j, pfd + k);
			k += CASE_POLLFDS;
			if (ended && !R->interrupted && case_relaunch(&R->c, j))
				continue;
			if (ended) {
				case_finish(&R->c, j);
				running--;
				R->done++;
				progress(R);
			}
		}
		/* End a case early when the agent went silent, or when the wrapper
		 * outlives the agent's done record (firejail waits for every
		 * process of its sandbox, daemons included): the supervisor kills
		 * and reaps it as on a timeout. */
		double now = now_mono();
		for (size_t i = 0; i < R->njobs; i++) {
			struct job *j = &R->jobs[i];
			if (j->running && !j->cancelled && now > case_deadline(&R->c, j)) {
				spawn_cancel(&j->h);
				j->cancelled = true;
			}
		}
	}
	free(pfd);
	return 0;
}

/* ---------- verdicts ---------- */

static int to_report(struct run *R, struct report *rep)
{
	for (size_t i = 0; i < R->plan.nrows; i++) {
		struct row *row = &R->plan.rows[i];
		const struct row *ctl;
		size_t pi;
		char detail[1024];
		const char *why = NULL;
		enum verdict v;

		for (pi = 0; pi < probe_count() && probe_at(pi) != row->p; pi++)
			;
		ctl = pi < R->plan.ncontrols ? &R->plan.controls[pi] : NULL;
		if (row->state == ROW_SKIPPED) {
			v = V_SKIP;
			snprintf(detail, sizeof(detail), "%s", row->detail);
		} else if (ctl && ctl->state == ROW_SKIPPED) {
			v = V_SKIP;
			snprintf(detail, sizeof(detail), "%s", ctl->detail);
		} else {
			struct verdict_in in = {
				.expected = row->expected,
				.control = ctl ? ctl->observed : OBS_UNKNOWN,
				.control_error = !ctl || ctl->state != ROW_JUDGED,
				.observed = row->observed,
				.run_error = row->state != ROW_JUDGED,
			};
			in.known = (in.observed == OBS_ALLOWED) != (in.expected == EXPECT_ALLOWED) && R->o->known &&
				   R->o->known(row->b->name, row->m->name, row->p->id, R->o->known_ctx);
			v = verdict_decide(&in, &why);
			if (why && v == V_ERROR && in.control_error && ctl)
				snprintf(detail, sizeof(detail), "%s: %s", why, ctl->detail);
			else if (why)
				snprintf(detail, sizeof(detail), "%s; %s", why, row->detail);
			else
				snprintf(detail, sizeof(detail), "%s", row->detail);
		}
		struct result res = {
			.backend = (char *)row->b->name,
			.mode = row->m->name,
			.probe = (char *)row->p->id,
			.category = (char *)category_name(probe_category(row->p)),
			.effect = (char *)effect_name(row->p->effect),
			.expected = row->expected,
			.observed = (char *)(row_ran(row) ? observed_name(row->observed) : "none"),
			.control = (char *)(ctl && row_ran(ctl) ? observed_name(ctl->observed) : "none"),
			.verdict = v,
			.errno_name = row->errno_name,
			.detail = detail,
			.duration_ms = row->ms,
		};
		int r = report_add(rep, &res);
		if (r < 0)
			return r;
	}
	/* a wrapper's own words that it runs unconfined: once per backend and
	 * mode, the run's agent path (which firejail names) as its file name,
	 * so the same words read the same from run to run */
	const char *base = strrchr(R->c.agent, '/') ? strrchr(R->c.agent, '/') + 1 : R->c.agent;
	for (size_t i = 0; *R->c.agent && i < R->njobs; i++) {
		const struct job *j = &R->jobs[i];
		struct sbuf said = {0};
		int r = 0;
		if (!j->said[0] || report_said_at(rep, NULL, j->b->name, j->m->name))
			continue;
		for (const char *p = j->said; *p;) {
			const char *at = strstr(p, R->c.agent);
			sb_printf(&said, "%.*s%s", (int)(at ? at - p : (ptrdiff_t)strlen(p)), p, at ? base : "");
			p = at ? at + strlen(R->c.agent) : p + strlen(p);
		}
		r = said.oom ? -ENOMEM : report_add_said_at(rep, NULL, j->b->name, j->m->name, said.s);
		sb_free(&said);
		if (r < 0)
			return r;
	}
	report_summarize(rep);
	return 0;
}

/* Plant the privilege helpers when root, copies of cagetest-suid (built
 * into the binary: runner/suid_helper.c) in run/priv/ (root-owned, 0555:
 * only CAP_DAC_OVERRIDE can create a file there, so a helper's proof means
 * its exec granted privilege): suid-helper (setuid root) and fcap-helper
 * (file capability cap_dac_override+ep). */
static void plant_priv_helpers(const struct run *R)
{
	/* vfs_cap_data revision 2, written by hand: no libcap */
	struct vfs_cap_data cap = {
		.magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE),
		.data = {{.permitted = htole32(1u << CAP_DAC_OVERRIDE)}},
	};
	const struct builtin_file *helper = builtin_find("cagetest-suid");
	char dir[PATH_MAX], dst[PATH_MAX];
	const char *data;
	size_t len;

	if (geteuid() != 0 || !helper || fmt(dir, sizeof(dir), "%s/priv", R->c.sc.run) < 0 || mkdir(dir, 0755) < 0)
		return;
	data = (const char *)helper->data;
	len = helper->len;
	if (fmt(dst, sizeof(dst), "%s/suid-helper", dir) == 0 && write_file(dst, data, len, 0700) == 0 &&
	    chown(dst, 0, 0) == 0)
		chmod(dst, 04755);
	/* chown and writes drop file capabilities: set them last */
	if (fmt(dst, sizeof(dst), "%s/fcap-helper", dir) == 0 && write_file(dst, data, len, 0700) == 0 &&
	    chown(dst, 0, 0) == 0 && chmod(dst, 0755) == 0)
		setxattr(dst, "security.capability", &cap, XATTR_CAPS_SZ_2, 0);
	chmod(dir, 0555);
}

/* The box runs the agent from a copy in the run dir: the scratch root is
 * never under /tmp, a checkout may well be, and a sandbox (bwrap, a private
 * /tmp, firejail) gives the box a /tmp of its own that would hide it. */
static int plant_agent(struct run *R)
{
	char dst[PATH_MAX];
	const char *base = strrchr(R->c.agent, '/');
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	if ((r = fmt(dst, sizeof(dst), "%s/%s", R->c.sc.run, base ? base + 1 : R->c.agent)) < 0 ||
	    (r = read_file(R->c.agent, 64 << 20, &data, &len)) < 0 || (r = write_file(dst, data, len, 0755)) < 0)
		return r;
	return fmt(R->c.agent, sizeof(R->c.agent), "%s", dst);
}

int run_battery(const struct run_opts *o, struct report *rep, struct run_outcome *out, char *err, size_t n)
{
	struct run R = {.c.o = o, .o = o, .sigfd = -1};
	struct plan_opts po = {.suite = o->suite, .modes = o->modes, .probes = o->probes, .isolate = o->isolate,
			       .jobs = o->jobs};
	struct plan_backend *bs = calloc(backend_count() + 1, sizeof(*bs));
	char(*why)[WHY_MAX] = calloc(backend_count() + 1, sizeof(*why));
	size_t nbs = 0;
	char runid[16];
	sigset_t set, old;
	double t0 = now_mono();
	int r;

	memset(out, 0, sizeof(*out));
	if (!bs || !why) {
		r = -ENOMEM;
		snprintf(err, n, "out of memory");
		goto out;
	}
	if ((r = plan_check_names(o->backends, o->modes, o->suite, err, n)) < 0)
		goto out;
	if (o->user) {
		if (geteuid() != 0) {
			snprintf(err, n, "--user needs cagetest to run as root");
			r = -EINVAL;
			goto out;
		}
		if ((r = resolve_user(o->user, &R.c.uid, &R.c.gid, err, n)) < 0)
			goto out;
		R.c.drop = true;
	}
	ssize_t k = readlink("/proc/self/exe", R.c.self, sizeof(R.c.self) - 1);
	if (k <= 0) {
		snprintf(err, n, "cannot find my own binary (/proc/self/exe)");
		r = -ENOENT;
		goto out;
	}
	R.c.self[k] = 0;
	if (fmt(R.c.agent, sizeof(R.c.agent), "%s-agent", R.c.self) < 0 || access(R.c.agent, X_OK) < 0)
		fmt(R.c.agent, sizeof(R.c.agent), "%s", R.c.self);
	rep->tool = strdup("cagetest");
	rep->version = strdup(CAGETEST_VERSION);
	rep->schema = REPORT_SCHEMA;
	char started[32];
	iso8601_utc(started, sizeof(started), (double)time(NULL));
	rep->started = strdup(started);
	host_facts_read(&rep->host);
	if (o->user)
		rep->host.user = strdup(o->user);
	R.c.can_tmpns = po.can_tmpns = tmpns_works();

	if ((r = ask_backends(o, bs, &nbs, why, out, rep)) < 0 || (r = plan_rows(&po, bs, nbs, &R.plan)) < 0 ||
	    (r = plan_cases(&po, &R.plan)) < 0 || (r = make_jobs(&R)) < 0) {
		snprintf(err, n, "planning failed: %s", strerror(-r));
		goto done;
	}
	if ((r = scratch_create(&R.c.sc, o->scratch, err, n)) < 0)
		goto done;
	/* kept cases must stay visible after the run: those stay on disk */
	if (R.c.can_tmpns && !o->keep)
		scratch_cases_on_tmpfs(&R.c.sc);
	random_hex(runid, sizeof(runid), 8);
	if ((r = observers_start(&R.c.obs, R.c.sc.run, runid, err, n)) < 0)
		goto done;
	if ((r = plant_agent(&R)) < 0) {
		snprintf(err, n, "cannot copy the agent into the scratch root: %s", strerror(-r));
		goto done;
	}
	plant_priv_helpers(&R);
	cg_run_create(&R.c.cg);
	/* last: the spawner is a copy of the runner as it is now (small) */
	if ((r = spawner_start()) < 0) {
		snprintf(err, n, "cannot start the spawner: %s", strerror(-r));
		goto done;
	}
	/* orphans of a dying supervisor come back to us, not to init */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	R.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	r = loop(&R);
	out->interrupted = R.interrupted;
	rep->interrupted = R.interrupted;
	if (r == 0)
		r = to_report(&R, rep);
done:
	spawner_stop();
	/* nothing of ours may outlive the run */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (R.sigfd >= 0) {
		close(R.sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	observers_stop(R.c.obs);
	cg_run_destroy(&R.c.cg);
	if (R.c.sc.root[0]) {
		if (o->keep) {
			char lock[PATH_MAX];
			fmt(out->scratch_root, sizeof(out->scratch_root), "%s", R.c.sc.root);
			/* kept on purpose: the next run must not collect it as stale */
			if (fmt(lock, sizeof(lock), "%s/.lock", R.c.sc.root) == 0)
				unlink(lock);
			close(R.c.sc.lock_fd);
		}
		else
			scratch_destroy(&R.c.sc);
	}
	for (size_t i = 0; i < R.njobs; i++)
		case_free(&R.jobs[i]);
	free(R.jobs);
	plan_free(&R.plan);
	rep->duration_s = now_mono() - t0;
out:
	free(bs);
	free(why);
	return r;
}
