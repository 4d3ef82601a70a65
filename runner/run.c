#include "run.h"

#include "../lib/util.h"
#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "../probes/probe.h"
#include "cgroup.h"
#include "inspect.h"
#include "observers.h"
#include "pty.h"
#include "scratch.h"
#include "sentinel.h"
#include "spawn.h"
#include "verdict.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <ftw.h>
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
#include <stdarg.h>
#include <time.h>

/* Probes in one sandbox start, at most. The agent takes one argument per
 * probe: an adapter's wrapper may cap its argv (firejail: 128 arguments in
 * all), the built-in backends pass it to exec as it is. */
#define BATCH_MAX 128
#define ADAPTER_BATCH_MAX 64
_Static_assert(BATCH_MAX <= SENTINEL_WORDS, "every slot of a batch has its own sentinel word");
#define STDERR_KEEP 4096
#define OUT_MAX (1 << 20)
/* The agent writes a record at least once per probe timeout: silence
 * longer than that (plus start-up slack) means the wrapper or agent hangs. */
#define SILENCE_SLACK 5.0
/* After the agent's done record the wrapper has this long to exit. */
#define DONE_GRACE 3.0
/* How long a case's loopback traffic may stay in flight once it ended. */
#define OBS_SETTLE_S 5.0

/* One row of the matrix (backend x mode x probe), or one control probe. */
struct row {
	const struct backend *b;
	const struct mode *m;
	const struct probe *p;
	enum expect expected;
	const char *skip; /* decided before running */
	char skip_buf[256];
	bool ran;
	bool run_error;
	enum observed observed;
	char errno_name[24];
	char detail[768];
	double ms;
};

struct slot {
	struct row *row;
	int agent_slot;
	bool armed;
	bool have_att, att_timeout;
	bool att_failed; /* the agent could not run it: att.detail says why */
	bool judged;	 /* verified (PROBE_HOST_OBJECT: as soon as it reported) */
	int att_signal;
	struct attempt att;
	struct proc_snapshot snap;
	struct sentinel own; /* NEED_OWN_SENTINEL */
};

struct job {
	const struct backend *b;
	const struct mode *m;
	struct slot *slots;
	size_t n;
	/* runtime */
	char root[PATH_MAX];
	struct probe_env env;
	struct spawn_handle h;
	struct sentinel sent;
	int pty_master, pty_slave, stdin_w, leak_fd;
	char pty_name[64];
	char seeded[40];
	char cgroup[32]; /* "case-N" */
	struct sbuf out, err;
	char status[SPAWN_STATUS_SIZE];
	size_t status_len;
	bool out_eof, err_eof, status_eof;
	bool hello, running, cancelled;
	double t0, last_rec, done_at;
};

struct run {
	const struct run_opts *o;
	struct scratch sc;
	struct cg_run cg;
	struct observers *obs;
	char self[PATH_MAX];
	char agent[PATH_MAX]; /* cagetest-agent next to us, else self */
	bool can_tmpns;
	bool drop;
	uid_t uid;
	gid_t gid;
	struct row *rows;
	size_t nrows;
	struct row *controls; /* by registry index */
	struct job *jobs;
	size_t njobs, jobs_cap;
	size_t done;
	bool interrupted;
	int sigfd;
};

static const struct mode control_mode = {
	.name = "control",
	.description = "no sandbox: what this host lets the probe do",
	.writable = (char *[]){"/"},
	.nwritable = 1,
	.network = true,
	.confined = false,
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

/* A private mount namespace for /tmp and /dev/shm needs CAP_SYS_ADMIN. */
static bool tmpns_works(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---------- planning ---------- */

static bool in_list(const char *list, const char *name)
{
	return !strcmp(list, "all") || glob_list_match(list, name);
}

static int check_names(const struct run_opts *o, char *err, size_t n)
{
	char buf[1024], *save = NULL;

	if (strcmp(o->backends, "all")) {
		fmt(buf, sizeof(buf), "%s", o->backends);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!strpbrk(t, "*?[") && !backend_find(t)) {
				snprintf(err, n, "-b %s: unknown backend (see `cagetest list backends`)", t);
				return -EINVAL;
			}
	}
	if (strcmp(o->modes, "all")) {
		fmt(buf, sizeof(buf), "%s", o->modes);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!strpbrk(t, "*?[") && !suite_mode(o->suite, t)) {
				snprintf(err, n, "-m %s: no such mode in suite %s (see `cagetest list modes`)", t, o->suite->name);
				return -EINVAL;
			}
	}
	return 0;
}

static bool probe_selected(const struct run_opts *o, const struct probe *p)
{
	return suite_selects(o->suite, p) && (!o->probes || glob_list_match(o->probes, p->id));
}

static int plan(struct run *R, struct run_outcome *out, struct report *rep)
{
	const struct run_opts *o = R->o;
	size_t cap = 0;

	R->controls = calloc(probe_count(), sizeof(*R->controls));
	if (!R->controls)
		return -ENOMEM;
	for (size_t bi = 0; bi < backend_count(); bi++) {
		const struct backend *b = backend_at(bi);
		char why[256] = "", ver[128] = "";
		struct sbuf notes = {0};
		bool avail;

		if (!in_list(o->backends, b->name))
			continue;
		avail = b->available(b, why, sizeof(why)) == 0;
		if (!avail && strcmp(o->backends, "all"))
			out->named_unavailable = true;
		if (avail && b->version && b->version(b, ver, sizeof(ver)) < 0)
			ver[0] = 0;
		if (b->notes)
			b->notes(b, &notes);
		struct backend_info bi_ = {.name = (char *)b->name, .available = avail, .version = ver[0] ? ver : NULL,
					   .reason = avail ? NULL : why, .notes = notes.s};
		int r = report_add_backend(rep, &bi_);
		sb_free(&notes);
		if (r < 0)
			return r;
		for (size_t mi = 0; mi < o->suite->nmodes; mi++) {
			const struct mode *m = &o->suite->modes[mi];
			char mwhy[256] = "";
			bool mode_ok;

			if (!in_list(o->modes, m->name))
				continue;
			mode_ok = !b->supports || b->supports(b, m, mwhy, sizeof(mwhy)) == 0;
			if (b->explain) {
				struct box x = {m, "{scratch}", "{workspace}", "{tmp}", "{home}", "{run}", "{cagetest}", "{listener}", NULL};
				struct sbuf e = {0};
				if (b->explain(b, &x, &e) == 0 && e.s && (r = report_add_explain(rep, b->name, m->name, e.s)) < 0) {
					sb_free(&e);
					return r;
				}
				sb_free(&e);
			}
			for (size_t pi = 0; pi < probe_count(); pi++) {
				const struct probe *p = probe_at(pi);
				struct row *row;
				const char *skip = NULL;

				if (!probe_selected(o, p))
					continue;
				if (R->nrows == cap) {
					cap = cap ? cap * 2 : 256;
					struct row *nr = realloc(R->rows, cap * sizeof(*nr));
					if (!nr)
						return -ENOMEM;
					R->rows = nr;
				}
				row = &R->rows[R->nrows++];
				memset(row, 0, sizeof(*row));
				row->b = b, row->m = m, row->p = p;
				row->expected = suite_expect(o->suite, b->name, m, p, &skip);
				if (!avail)
					snprintf(row->skip_buf, sizeof(row->skip_buf), "backend unavailable: %s", why);
				else if (!mode_ok)
					snprintf(row->skip_buf, sizeof(row->skip_buf), "%s", mwhy);
				else if (skip)
					snprintf(row->skip_buf, sizeof(row->skip_buf), "suite: %s", skip);
				else if ((p->needs & NEED_TMPNS) && !R->can_tmpns)
					snprintf(row->skip_buf, sizeof(row->skip_buf),
						 "needs a private /tmp for the case (a mount namespace: root with CAP_SYS_ADMIN)");
				if (row->skip_buf[0])
					row->skip = row->skip_buf;
				else
					R->controls[pi].p = p; /* the control pass runs it */
			}
		}
	}
	/* rows moved when the array grew: point skips at their own buffers again */
	for (size_t i = 0; i < R->nrows; i++)
		if (R->rows[i].skip)
			R->rows[i].skip = R->rows[i].skip_buf;
	return 0;
}

static int add_job(struct run *R, const struct backend *b, const struct mode *m, struct row **rows, size_t n)
{
	struct job *nj;

	/* geometric: a job is kilobytes, and a run plans hundreds */
	if (R->njobs == R->jobs_cap) {
		size_t cap = R->jobs_cap ? 2 * R->jobs_cap : 64;
		if (!(nj = realloc(R->jobs, cap * sizeof(*nj))))
			return -ENOMEM;
		R->jobs = nj;
		R->jobs_cap = cap;
	}
	nj = &R->jobs[R->njobs++];
	memset(nj, 0, sizeof(*nj));
	nj->b = b, nj->m = m, nj->n = n;
	nj->slots = calloc(n, sizeof(*nj->slots));
	if (!nj->slots)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		nj->slots[i] = (struct slot){.row = rows[i], .agent_slot = (int)i};
	nj->pty_master = nj->pty_slave = nj->stdin_w = nj->leak_fd = -1;
	return 0;
}

static bool batchable(const struct run *R, const struct row *row)
{
	return row->b->batch && !R->o->isolate && !(row->p->flags & PROBE_SOLO);
}

/* What makes a case differ for every probe in it: a pty as the controlling
 * terminal, an inherited fd. Probes share a case only with their own kind. */
#define CASE_SHAPE (NEED_PTY | NEED_FD)

static bool same_group(const struct row *a, const struct row *b)
{
	return a->b == b->b && a->m == b->m && (a->p->needs & CASE_SHAPE) == (b->p->needs & CASE_SHAPE);
}

/* Jobs: every batchable row of a backend.mode (the control pass is one more)
 * and case shape in as few batches as keep the -j workers busy, each of at
 * most BATCH_MAX (ADAPTER_BATCH_MAX), balanced, in registry order; then a
 * case for each row that runs alone. Longest first: the short cases fill
 * the workers' tails. */
static int make_jobs(struct run *R)
{
	size_t cap = probe_count() + R->nrows, ntodo = 0, ngroups = 0, used = 0;
	struct row **todo = calloc(cap + 1, sizeof(*todo)), **group = calloc(cap + 1, sizeof(*group));
	struct span {
		size_t at, n;
	} *spans = calloc(cap + 1, sizeof(*spans));
	int r = 0;

	if (!todo || !group || !spans) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < probe_count(); i++)
		if (R->controls[i].p) {
			R->controls[i].b = &backend_none;
			R->controls[i].m = &control_mode;
			todo[ntodo++] = &R->controls[i];
		}
	for (size_t i = 0; i < R->nrows; i++)
		if (!R->rows[i].skip)
			todo[ntodo++] = &R->rows[i];
	/* the groups, each a span of group[] */
	for (size_t i = 0; i < ntodo; i++) {
		const struct row *first = todo[i];
		if (!first || !batchable(R, first))
			continue;
		spans[ngroups].at = used;
		for (size_t k = i; k < ntodo; k++)
			if (todo[k] && batchable(R, todo[k]) && same_group(todo[k], first)) {
				group[used++] = todo[k];
				todo[k] = NULL;
			}
		spans[ngroups].n = used - spans[ngroups].at;
		ngroups++;
	}
	/* the groups' batches, each a span of group[] again */
	size_t per_group = ngroups ? ((size_t)R->o->jobs + ngroups - 1) / ngroups : 1, nbatches = 0;
	struct span *batches = calloc(used + 1, sizeof(*batches));
	if (!batches) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t g = 0; g < ngroups; g++) {
		size_t n = spans[g].n, max = group[spans[g].at]->b->data ? ADAPTER_BATCH_MAX : BATCH_MAX;
		size_t chunks = (n + max - 1) / max;
		if (chunks < per_group)
			chunks = per_group < n ? per_group : n;
		for (size_t c = 0, at = 0; c < chunks; c++) {
			size_t take = (n - at) / (chunks - c);
			batches[nbatches++] = (struct span){spans[g].at + at, take};
			at += take;
		}
	}
	/* the longest first (stable): a batch's end waits out its survivors'
	 * grace, which the shorter cases after it fill */
	for (size_t i = 1; i < nbatches; i++)
		for (size_t k = i; k > 0 && batches[k - 1].n < batches[k].n; k--) {
			struct span t = batches[k];
			batches[k] = batches[k - 1];
			batches[k - 1] = t;
		}
	for (size_t b = 0; b < nbatches && r == 0; b++) {
		struct row **rows = group + batches[b].at;
		r = add_job(R, rows[0]->b, rows[0]->m, rows, batches[b].n);
	}
	free(batches);
	for (size_t i = 0; i < ntodo && r == 0; i++)
		if (todo[i])
			r = add_job(R, todo[i]->b, todo[i]->m, &todo[i], 1);
out:
	free(todo);
	free(group);
	free(spans);
	return r;
}

/* ---------- one case ---------- */

static void slot_env(const struct job *j, size_t i, struct probe_env *env)
{
	const struct slot *s = &j->slots[i];

	*env = j->env;
	probe_env_set_slot(env, s->agent_slot);
	/* never the case's: whatever this probe does to its sentinel is its own */
	if (s->row->p->needs & NEED_OWN_SENTINEL) {
		env->sentinel = s->own.pid > 0 ? s->own.pid : 0;
		env->sentinel_addr = s->own.addr;
	}
}

static void stop_sentinels(struct job *j)
{
	sentinel_stop(&j->sent);
	for (size_t i = 0; i < j->n; i++)
		sentinel_stop(&j->slots[i].own);
}

static void fail_slot(struct slot *s, bool error, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fail_slot(struct slot *s, bool error, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(s->row->detail, sizeof(s->row->detail), f, ap);
	va_end(ap);
	s->row->ran = true;
	s->row->run_error = error;
	s->row->observed = OBS_UNKNOWN;
	if (!error)
		s->row->skip = s->row->detail;
}

static int chown_tree(const char *root, uid_t uid, gid_t gid)
{
	DIR *d = opendir(root);
	struct dirent *e;

	if (lchown(root, uid, gid) < 0)
		return neg_errno();
	while (d && (e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || fmt(p, sizeof(p), "%s/%s", root, e->d_name) < 0)
			continue;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			int r = chown_tree(p, uid, gid);
			if (r < 0) {
				closedir(d);
				return r;
			}
		}
		else if (lchown(p, uid, gid) < 0)
			return neg_errno();
	}
	if (d)
		closedir(d);
	return 0;
}

/* The name the box runs as: --user, else the harness's own. */
static const char *box_user(const struct run *R)
{
	struct passwd *pw;

	if (R->drop)
		return R->o->user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "root";
}

static char **build_env(const struct run *R, const struct job *j, const struct launch *l)
{
	static const char *const seeded[] = {SEEDED_ENV};
	char **envp = calloc(8 + ARRAY_SIZE(seeded) + l->envc + 1, sizeof(char *));
	size_t k = 0;
	const char *path = getenv("PATH");

	if (!envp)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(seeded); i++)
		if (!(l->scrub_secrets && env_name_is_secret(seeded[i])) &&
		    asprintf(&envp[k++], "%s=%s", seeded[i], j->seeded) < 0) {
			envp[k - 1] = NULL;
			goto fail;
		}
	if (asprintf(&envp[k++], "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin") < 0 ||
	    asprintf(&envp[k++], "HOME=%s/home", j->root) < 0 || asprintf(&envp[k++], "TMPDIR=%s/tmp", j->root) < 0 ||
	    asprintf(&envp[k++], "LANG=C.UTF-8") < 0 || asprintf(&envp[k++], "USER=%s", box_user(R)) < 0) {
		envp[k - 1] = NULL;
		goto fail;
	}
	for (size_t i = 0; i < l->envc; i++)
		if ((!l->scrub_secrets || !env_name_is_secret(l->env[i])) && !(envp[k++] = strdup(l->env[i])))
			goto fail;
	return envp;
fail:
	for (size_t i = 0; i < k; i++)
		free(envp[i]);
	free(envp);
	return NULL;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int start_job(struct run *R, struct job *j)
{
	char ws[PATH_MAX], tmp[PATH_MAX], home[PATH_MAX], shm[PATH_MAX], outside[PATH_MAX], enc[8192], nonce[16],
		err[512] = "";
	struct launch l = {0};
	unsigned needs = 0;
	size_t armed = 0;
	int r, pin[2] = {-1, -1};
	char **argv = NULL, **envp = NULL;

	j->t0 = j->last_rec = now_mono();
	r = scratch_new_case(&R->sc, j->root, sizeof(j->root));
	if (r == 0 && R->drop)
		r = chown_tree(j->root, R->uid, R->gid);
	if (r < 0) {
		for (size_t i = 0; i < j->n; i++)
			fail_slot(&j->slots[i], true, "cannot create the case fixture: %s", strerror(-r));
		return r;
	}
	memset(&j->env, 0, sizeof(j->env));
	fmt(j->env.root, sizeof(j->env.root), "%s", j->root);
	fmt(j->env.self, sizeof(j->env.self), "%s", R->agent);
	random_hex(nonce, sizeof(nonce), 6);
	random_hex(j->seeded, sizeof(j->seeded), 32);
	fmt(j->env.nonce, sizeof(j->env.nonce), "%s%04x", nonce, (unsigned)(j - R->jobs) & 0xffff);
	observers_fill_env(R->obs, &j->env);
	j->env.src = (int)(j - R->jobs);
	j->env.drop_uid = 65534;
	for (size_t i = 0; i < j->n; i++)
		needs |= j->slots[i].row->p->needs;
	fmt(outside, sizeof(outside), "%s/outside", j->root);
	if ((needs & NEED_SENTINEL) && sentinel_start(&j->sent, R->agent, outside, R->drop, R->uid, R->gid) == 0) {
		j->env.sentinel = j->sent.pid;
		j->env.sentinel_addr = j->sent.addr;
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->slots[i].row->p->needs & NEED_OWN_SENTINEL)
			sentinel_start(&j->slots[i].own, R->agent, outside, R->drop, R->uid, R->gid);
	/* arm every probe of the case on the host */
	for (size_t i = 0; i < j->n; i++) {
		struct slot *s = &j->slots[i];
		struct probe_env env;
		char why[200] = "";
		slot_env(j, i, &env);
		r = s->row->p->arm ? s->row->p->arm(&env, why, sizeof(why)) : 0;
		if (r == -EOPNOTSUPP)
			fail_slot(s, false, "%s", why[0] ? why : "not applicable on this host");
		else if (r < 0)
			fail_slot(s, true, "arm failed: %s", strerror(-r));
		else {
			s->armed = true;
			armed++;
		}
	}
	if (!armed)
		return 0;

	fmt(ws, sizeof(ws), "%s/ws", j->root);
	fmt(tmp, sizeof(tmp), "%s/tmp", j->root);
	fmt(shm, sizeof(shm), "%s/shm", j->root);
	fmt(home, sizeof(home), "%s/home", j->root);
	char listener[32];
	snprintf(listener, sizeof(listener), "127.0.0.1:%d", j->env.tcp4);
	struct box x = {j->m, j->root, ws, tmp, home, R->sc.run, R->agent, listener, NULL};
	if (j->b->prepare && (r = j->b->prepare(j->b, &x, &l, err, sizeof(err))) < 0)
		goto fail;
	x.launch = &l;
	/* after prepare: files an adapter wrote belong to the sandboxed user too */
	if (R->drop)
		chown_tree(j->root, R->uid, R->gid);
	/* argv: the backend's prefix, then the agent */
	argv = calloc(l.argc + 6 + j->n + 1, sizeof(char *));
	if (!argv || probe_env_encode(&j->env, enc, sizeof(enc)) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	size_t k = 0;
	for (size_t i = 0; i < l.argc; i++)
		argv[k++] = strdup(l.argv[i]);
	argv[k++] = strdup(R->agent);
	argv[k++] = strdup("agent");
	argv[k++] = strdup("--env");
	argv[k++] = strdup(enc);
	if (asprintf(&argv[k++], "--timeout=%g", R->o->timeout) < 0)
		argv[k - 1] = NULL;
	for (size_t i = 0; i < j->n; i++) {
		const struct slot *s = &j->slots[i];
		struct probe_env env;
		if (!s->armed)
			continue;
		/* ID@SLOT, then what of the env is its own: PROBE-ID@SLOT+sent=PID;saddr=ADDR */
		slot_env(j, i, &env);
		if ((s->row->p->needs & NEED_OWN_SENTINEL
			     ? asprintf(&argv[k++], "%s@%d+sent=%d;saddr=%lx", s->row->p->id, s->agent_slot, env.sentinel,
					env.sentinel_addr)
			     : asprintf(&argv[k++], "%s@%d", s->row->p->id, s->agent_slot)) < 0)
			argv[k - 1] = NULL;
	}
	for (size_t i = 0; i < k; i++)
		if (!argv[i]) {
			r = -ENOMEM;
			goto fail;
		}
	envp = build_env(R, j, &l);
	if (!envp) {
		r = -ENOMEM;
		goto fail;
	}
	if ((needs & NEED_PTY) && (r = pty_open(&j->pty_master, &j->pty_slave, j->pty_name, sizeof(j->pty_name))) < 0) {
		snprintf(err, sizeof(err), "cannot open a pty: %s", strerror(-r));
		goto fail;
	}
	if (needs & NEED_FD) {
		char p[PATH_MAX];
		fmt(p, sizeof(p), "%s/outside/leaked.txt", j->root);
		j->leak_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	}
	cg_case_create(&R->cg, (unsigned)(j - R->jobs), j->cgroup, sizeof(j->cgroup));
	if (pipe2(pin, O_CLOEXEC) < 0) {
		r = neg_errno();
		goto fail;
	}
	/* a private /tmp costs a mount namespace per case: for the probes that
	 * write there, and for external wrappers, which litter /tmp (srt) */
	bool private_tmp = R->can_tmpns && ((needs & NEED_TMPNS) || j->b->data);
	struct spawn_req req = {
		.argv = argv,
		.envp = envp,
		.cwd = l.cwd[0] ? l.cwd : ws,
		.backend = j->b,
		.box = &x,
		.stdin_fd = j->pty_name[0] ? -1 : pin[0],
		.ctty = j->pty_name[0] ? j->pty_name : NULL,
		.fds = l.fds,
		.nfds = l.nfds,
		.leak_fd = j->leak_fd,
		.timeout = R->o->timeout * (double)armed + 2,
		.cgroup = j->cgroup,
		.tmp_bind = private_tmp ? tmp : NULL,
		.shm_bind = private_tmp ? shm : NULL,
		.drop = R->drop,
		.uid = R->uid,
		.gid = R->gid,
	};
	r = spawn_start(&req, &j->h, err, sizeof(err));
	close(pin[0]);
	if (r < 0) {
		close(pin[1]);
		goto fail;
	}
	j->stdin_w = pin[1];
	j->running = true;
	free_strv(argv);
	free_strv(envp);
	launch_free(&l);
	return 0;
fail:
	for (size_t i = 0; i < j->n; i++)
		if (j->slots[i].armed)
			fail_slot(&j->slots[i], true, "cannot start the sandbox: %s", err[0] ? err : strerror(-r));
	free_strv(argv);
	free_strv(envp);
	launch_free(&l);
	return r;
}

static int host_heard(const struct host_view *hv, enum channel ch, char *what, size_t n)
{
	return observers_heard(hv->observers, ch, hv->env, what, n);
}

/* The host's decision for one slot, from hv (env and the case's evidence
 * filled in): the observation and the row's detail. why and tail say how the
 * case ended ("" while it runs). */
static void judge(struct run *R, const struct job *j, struct slot *s, struct host_view *hv, const char *why,
		  const char *tail)
{
	struct row *row = s->row;
	char detail[300] = "";

	hv->att = s->have_att ? &s->att : NULL;
	hv->inspect = &s->snap;
	hv->seeded = j->seeded;
	/* a mode that confines nothing (the control pass, danger-full-access)
	 * expects every effect: the observation is all its rows need */
	hv->brief = !j->m->confined;
	hv->heard = host_heard;
	hv->observers = R->obs;
	row->observed = row->p->verify(hv, detail, sizeof(detail));
	row->ran = true;
	fmt(row->errno_name, sizeof(row->errno_name), "%s", s->have_att ? errno_name(s->att.rc) : "");
	if (!j->hello) {
		row->run_error = true;
		snprintf(row->detail, sizeof(row->detail), "sandbox did not start (no hello; %s)%s%s; host saw: %s", why,
			 tail[0] ? ": " : "", tail, detail);
	} else if (s->att_failed) {
		row->run_error = true;
		snprintf(row->detail, sizeof(row->detail), "%s; host saw: %s", s->att.detail, detail);
	} else if (!s->have_att || s->att_timeout || (s->att_signal && s->att_signal != SIGSYS)) {
		row->run_error = true;
		snprintf(row->detail, sizeof(row->detail), "%s%s%s%s%s%s; host saw: %s",
			 !s->have_att	  ? "no record from the probe"
			 : s->att_timeout ? "the attempt timed out"
					  : "the probe crashed",
			 why[0] ? " (" : "", why, why[0] ? ")" : "", tail[0] ? ": " : "", tail, detail);
	} else {
		snprintf(row->detail, sizeof(row->detail), "%s%s%s", detail, s->att.detail[0] ? "; box saw: " : "",
			 s->att.detail);
	}
	observers_forget(R->obs, hv->env);
	s->judged = true;
}

static struct slot *slot_by_agent(struct job *j, int agent_slot)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->slots[i].agent_slot == agent_slot && j->slots[i].armed)
			return &j->slots[i];
	return NULL;
}

/* Can the host reach a listener the probe opened inside the box? */
static bool reach_port(struct proc_snapshot *snap, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	snap->port = port;
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void on_record(struct run *R, struct job *j, const char *json)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t"), *slot = cJSON_GetObjectItemCaseSensitive(o, "slot");
	struct slot *s = cJSON_IsNumber(slot) ? slot_by_agent(j, slot->valueint) : NULL;

	if (!cJSON_IsString(t))
		goto out;
	j->last_rec = now_mono();
	if (!strcmp(t->valuestring, "hello")) {
		j->hello = true;
	} else if (!strcmp(t->valuestring, "done")) {
		j->done_at = j->last_rec;
	} else if (!strcmp(t->valuestring, "probe") && s) {
		const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "rc"), *d = cJSON_GetObjectItemCaseSensitive(o, "detail"),
			    *sig = cJSON_GetObjectItemCaseSensitive(o, "signal"),
			    *error = cJSON_GetObjectItemCaseSensitive(o, "error");
		s->have_att = true;
		s->att_failed = error || !cJSON_IsNumber(rc);
		s->att.rc = cJSON_IsNumber(rc) ? rc->valueint : 0;
		if (cJSON_IsString(error) || cJSON_IsString(d))
			snprintf(s->att.detail, sizeof(s->att.detail), "%s", (error ? error : d)->valuestring);
		s->att_signal = cJSON_IsNumber(sig) ? sig->valueint : 0;
		s->att_timeout = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "timeout"));
		if (s->row->p->flags & PROBE_HOST_OBJECT) {
			struct probe_env env;
			struct host_view hv = {.env = &env};
			slot_env(j, (size_t)(s - j->slots), &env);
			judge(R, j, s, &hv, "", "");
		}
	} else if (!strcmp(t->valuestring, "inspect") && s) {
		struct probe_env env;
		slot_env(j, (size_t)(s - j->slots), &env);
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(o, "port");
		inspect_by_name(env.token, j->h.sup, &s->snap);
		inspect_exposure(&env, j->h.sup, &s->snap);
		if (cJSON_IsNumber(port) && port->valueint > 0 && port->valueint < 65536)
			s->snap.reached = reach_port(&s->snap, port->valueint);
		/* let the probe go on */
		if (j->stdin_w >= 0 && write(j->stdin_w, "k", 1) < 0) {
		}
	}
out:
	cJSON_Delete(o);
}

/* Complete lines tagged with this case's nonce are records; the rest is noise. */
static void parse_lines(struct run *R, struct job *j, size_t *consumed)
{
	char tag[64];
	size_t taglen;

	if (!j->out.s) /* a wrapper that printed nothing */
		return;
	snprintf(tag, sizeof(tag), RECORD_TAG " %s ", j->env.nonce);
	taglen = strlen(tag);
	for (;;) {
		char *start = j->out.s + *consumed;
		char *nl = memchr(start, '\n', j->out.len - *consumed);
		if (!nl)
			return;
		*nl = 0;
		char *at = strstr(start, tag);
		if (at)
			on_record(R, j, at + taglen);
		*nl = '\n';
		*consumed = (size_t)(nl - j->out.s) + 1;
	}
}

static void read_into(int fd, struct sbuf *b, size_t max, bool *eof)
{
	char buf[8192];

	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return; /* EAGAIN */
		if (k == 0) {
			*eof = true;
			return;
		}
		if (b->len < max) {
			size_t take = (size_t)k < max - b->len ? (size_t)k : max - b->len;
			for (size_t i = 0; i < take; i++)
				sb_putc(b, buf[i]);
		}
	}
}

static void describe_exit(const struct reap_info *ri, char *buf, size_t n)
{
	if (ri->setup_err)
		snprintf(buf, n, "the case could not be set up: %s", strerror(-ri->setup_err));
	else if (ri->timed_out)
		snprintf(buf, n, "timed out and killed");
	else if (ri->exited && WIFSIGNALED(ri->wstatus))
		snprintf(buf, n, "killed by signal %d", WTERMSIG(ri->wstatus));
	else if (ri->exited)
		snprintf(buf, n, "exit status %d", WEXITSTATUS(ri->wstatus));
	else
		snprintf(buf, n, "no exit status");
}

/* The tail of stderr, on one line, for details. */
static void stderr_tail(const struct sbuf *b, char *buf, size_t n)
{
	const char *s = b->s ? b->s : "";
	size_t len = b->len, start = len > 300 ? len - 300 : 0, k = 0;

	/* a cut tail starts at a line (or at least a word), marked with "..." */
	if (start) {
		const char *nl = memchr(s + start, '\n', 100), *sp = memchr(s + start, ' ', 100);
		start = nl ? (size_t)(nl + 1 - s) : sp ? (size_t)(sp + 1 - s) : start;
		k = (size_t)snprintf(buf, n, "... ");
	}
	for (size_t i = start; i < len && k + 1 < n; i++)
		buf[k++] = s[i] == '\n' || s[i] == '\t' ? ' ' : s[i];
	while (k && buf[k - 1] == ' ')
		k--;
	buf[k] = 0;
}

static void finish_job(struct run *R, struct job *j)
{
	struct reap_info ri;
	struct sentinel_state sst;
	char why[256], tail[320];
	struct pty_evidence pty = {0};
	int r = spawn_finish(&j->h, j->status, j->status_len, &ri);

	if (r < 0)
		ri.setup_err = -EPROTO;
	observers_settle(R->obs, OBS_SETTLE_S);
	sentinel_read(&j->sent, &sst);
	if (j->pty_master >= 0)
		pty_collect(j->pty_master, j->pty_slave, PTY_SETTLE_S, &pty);
	describe_exit(&ri, why, sizeof(why));
	stderr_tail(&j->err, tail, sizeof(tail));
	double ms = (now_mono() - j->t0) * 1000 / (double)(j->n ? j->n : 1);

	for (size_t i = 0; i < j->n; i++) {
		struct slot *s = &j->slots[i];
		struct probe_env env;
		struct sentinel_state own;
		if (!s->armed)
			continue;
		s->row->ms = ms;
		if (s->judged)
			continue;
		slot_env(j, i, &env);
		sentinel_read(&s->own, &own);
		struct host_view hv = {
			.env = &env,
			.sentinel = s->row->p->needs & NEED_OWN_SENTINEL ? &own : &sst,
			.reap = &ri,
			.pty_echo = j->pty_master >= 0 ? (pty.echo ? pty.echo : "") : NULL,
			.pty_input = pty.input,
			.pty_settled = pty.settled,
		};
		judge(R, j, s, &hv, why, tail);
	}
	pty_evidence_free(&pty);
	stop_sentinels(j);
	cg_case_destroy(j->cgroup);
	if (j->pty_master >= 0)
		close(j->pty_master);
	if (j->pty_slave >= 0)
		close(j->pty_slave);
	if (j->leak_fd >= 0)
		close(j->leak_fd);
	if (j->stdin_w >= 0)
		close(j->stdin_w);
	close(j->h.out), close(j->h.err), close(j->h.status);
	j->pty_master = j->pty_slave = j->leak_fd = j->stdin_w = -1;
	sb_free(&j->out);
	sb_free(&j->err);
	j->running = false;
	if (!R->o->keep)
		rm_rf(j->root);
}

/* ---------- the loop ---------- */

static void progress(const struct run *R)
{
	if (!R->o->progress)
		return;
	size_t esc = 0;
	for (size_t i = 0; i < R->nrows; i++)
		esc += R->rows[i].ran && R->rows[i].observed == OBS_ALLOWED && R->rows[i].expected == EXPECT_BLOCKED;
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
	struct pollfd *pfd = calloc(32 + 3 * max_running + 160, sizeof(*pfd));
	size_t *consumed = calloc(R->njobs, sizeof(size_t));

	if (!pfd || !consumed) {
		free(pfd);
		free(consumed);
		return -ENOMEM;
	}
	while (next < R->njobs || running) {
		size_t busy = busy_jobs(R);
		while (!R->interrupted && busy < (size_t)R->o->jobs && running < max_running && next < R->njobs) {
			struct job *j = &R->jobs[next++];
			if (start_job(R, j) == 0 && j->running)
				running++, busy++;
			else {
				if (!R->o->keep && j->root[0])
					rm_rf(j->root);
				stop_sentinels(j);
				cg_case_destroy(j->cgroup);
				R->done++;
			}
		}
		if (R->interrupted && next < R->njobs) {
			for (; next < R->njobs; next++)
				for (size_t i = 0; i < R->jobs[next].n; i++)
					fail_slot(&R->jobs[next].slots[i], true, "%s", "interrupted before it ran");
		}
		if (!running)
			continue;
		size_t np = 0;
		pfd[np++] = (struct pollfd){.fd = R->sigfd, .events = POLLIN};
		np += observers_pollfds(R->obs, pfd + np, 160);
		size_t first_job = np;
		for (size_t i = 0; i < R->njobs; i++) {
			struct job *j = &R->jobs[i];
			if (!j->running)
				continue;
			pfd[np++] = (struct pollfd){.fd = j->out_eof ? -1 : j->h.out, .events = POLLIN};
			pfd[np++] = (struct pollfd){.fd = j->err_eof ? -1 : j->h.err, .events = POLLIN};
			pfd[np++] = (struct pollfd){.fd = j->status_eof ? -1 : j->h.status, .events = POLLIN};
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
		observers_service(R->obs, pfd + 1, first_job - 1);
		for (size_t i = 0, k = first_job; i < R->njobs; i++) {
			struct job *j = &R->jobs[i];
			if (!j->running)
				continue;
			/* status first: its first bytes are the supervisor's pid, which
			 * the records (an inspection) may need; they came before any */
			if (pfd[k + 2].revents) {
				for (;;) {
					ssize_t r = read(j->h.status, j->status + j->status_len, sizeof(j->status) - j->status_len);
					if (r > 0) {
						j->status_len += (size_t)r;
						if (j->status_len < sizeof(j->status))
							continue;
					}
					if (r == 0 || j->status_len == sizeof(j->status))
						j->status_eof = true;
					if (r < 0 && errno == EINTR)
						continue;
					break;
				}
				spawn_status(&j->h, j->status, j->status_len);
			}
			if (pfd[k].revents) {
				read_into(j->h.out, &j->out, OUT_MAX, &j->out_eof);
				parse_lines(R, j, &consumed[i]);
			}
			if (pfd[k + 1].revents)
				read_into(j->h.err, &j->err, STDERR_KEEP, &j->err_eof);
			k += 3;
			if (j->out_eof && j->err_eof && j->status_eof) {
				finish_job(R, j);
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
			double end = j->done_at ? j->done_at + DONE_GRACE : j->last_rec + SILENCE_SLACK + R->o->timeout;
			if (j->running && !j->cancelled && now > end) {
				spawn_cancel(&j->h);
				j->cancelled = true;
			}
		}
	}
	free(pfd);
	free(consumed);
	return 0;
}

/* ---------- verdicts ---------- */

static int to_report(struct run *R, struct report *rep)
{
	for (size_t i = 0; i < R->nrows; i++) {
		struct row *row = &R->rows[i];
		const struct row *ctl;
		size_t pi;
		char detail[1024];
		const char *why = NULL;
		enum verdict v;

		for (pi = 0; pi < probe_count() && probe_at(pi) != row->p; pi++)
			;
		ctl = pi < probe_count() ? &R->controls[pi] : NULL;
		if (row->skip) {
			v = V_SKIP;
			snprintf(detail, sizeof(detail), "%s", row->skip);
		} else if (ctl && ctl->skip) {
			v = V_SKIP;
			snprintf(detail, sizeof(detail), "%s", ctl->skip);
		} else {
			struct verdict_in in = {
				.expected = row->expected,
				.control = ctl ? ctl->observed : OBS_UNKNOWN,
				.control_error = !ctl || !ctl->ran || ctl->run_error,
				.observed = row->observed,
				.run_error = !row->ran || row->run_error,
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
			.observed = (char *)(row->ran && !row->skip ? observed_name(row->observed) : "none"),
			.control = (char *)(ctl && ctl->ran && !ctl->skip ? observed_name(ctl->observed) : "none"),
			.verdict = v,
			.errno_name = row->errno_name,
			.detail = detail,
			.duration_ms = row->ms,
		};
		int r = report_add(rep, &res);
		if (r < 0)
			return r;
	}
	report_summarize(rep);
	return 0;
}

/* Plant the privilege helpers when root, copies of build/cagetest-suid in
 * run/priv/ (root-owned, 0555: only CAP_DAC_OVERRIDE can create a file there,
 * so a helper's proof means its exec granted privilege): suid-helper
 * (setuid root) and fcap-helper (file capability cap_dac_override+ep). */
static void plant_priv_helpers(const struct run *R)
{
	/* vfs_cap_data revision 2, written by hand: no libcap */
	struct vfs_cap_data cap = {
		.magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE),
		.data = {{.permitted = htole32(1u << CAP_DAC_OVERRIDE)}},
	};
	char src[PATH_MAX], dir[PATH_MAX], dst[PATH_MAX];
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (geteuid() != 0 || fmt(src, sizeof(src), "%s-suid", R->self) < 0 ||
	    fmt(dir, sizeof(dir), "%s/priv", R->sc.run) < 0 || read_file(src, 8 << 20, &data, &len) < 0 ||
	    mkdir(dir, 0755) < 0)
		return;
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
	const char *base = strrchr(R->agent, '/');
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	if ((r = fmt(dst, sizeof(dst), "%s/%s", R->sc.run, base ? base + 1 : R->agent)) < 0 ||
	    (r = read_file(R->agent, 64 << 20, &data, &len)) < 0 || (r = write_file(dst, data, len, 0755)) < 0)
		return r;
	return fmt(R->agent, sizeof(R->agent), "%s", dst);
}

int run_battery(const struct run_opts *o, struct report *rep, struct run_outcome *out, char *err, size_t n)
{
	struct run R = {.o = o, .sigfd = -1};
	char runid[16];
	sigset_t set, old;
	double t0 = now_mono();
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = check_names(o, err, n)) < 0)
		return r;
	if (o->user) {
		if (geteuid() != 0) {
			snprintf(err, n, "--user needs cagetest to run as root");
			return -EINVAL;
		}
		if ((r = resolve_user(o->user, &R.uid, &R.gid, err, n)) < 0)
			return r;
		R.drop = true;
	}
	ssize_t k = readlink("/proc/self/exe", R.self, sizeof(R.self) - 1);
	if (k <= 0) {
		snprintf(err, n, "cannot find my own binary (/proc/self/exe)");
		return -ENOENT;
	}
	R.self[k] = 0;
	if (fmt(R.agent, sizeof(R.agent), "%s-agent", R.self) < 0 || access(R.agent, X_OK) < 0)
		fmt(R.agent, sizeof(R.agent), "%s", R.self);
	rep->tool = strdup("cagetest");
	rep->version = strdup(CAGETEST_VERSION);
	rep->schema = REPORT_SCHEMA;
	char started[32];
	iso8601_utc(started, sizeof(started), (double)time(NULL));
	rep->started = strdup(started);
	host_facts_fill(&rep->host);
	if (o->user)
		rep->host.user = strdup(o->user);
	R.can_tmpns = tmpns_works();

	if ((r = plan(&R, out, rep)) < 0 || (r = make_jobs(&R)) < 0) {
		snprintf(err, n, "planning failed: %s", strerror(-r));
		goto done;
	}
	if ((r = scratch_create(&R.sc, o->scratch, err, n)) < 0)
		goto done;
	/* kept cases must stay visible after the run: those stay on disk */
	if (R.can_tmpns && !o->keep)
		scratch_cases_on_tmpfs(&R.sc);
	random_hex(runid, sizeof(runid), 8);
	if ((r = observers_start(&R.obs, R.sc.run, runid, err, n)) < 0)
		goto done;
	if ((r = plant_agent(&R)) < 0) {
		snprintf(err, n, "cannot copy the agent into the scratch root: %s", strerror(-r));
		goto done;
	}
	plant_priv_helpers(&R);
	cg_run_create(&R.cg);
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
	observers_stop(R.obs);
	cg_run_destroy(&R.cg);
	if (R.sc.root[0]) {
		if (o->keep) {
			char lock[PATH_MAX];
			fmt(out->scratch_root, sizeof(out->scratch_root), "%s", R.sc.root);
			/* kept on purpose: the next run must not collect it as stale */
			if (fmt(lock, sizeof(lock), "%s/.lock", R.sc.root) == 0)
				unlink(lock);
			close(R.sc.lock_fd);
		}
		else
			scratch_destroy(&R.sc);
	}
	for (size_t i = 0; i < R.njobs; i++)
		free(R.jobs[i].slots);
	free(R.jobs);
	free(R.rows);
	free(R.controls);
	rep->duration_s = now_mono() - t0;
	return r;
}
