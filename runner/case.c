#include "case.h"

#include "../lib/proc.h"
#include "../lib/util.h"
#include "../probes/record.h"
#include "inspect.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>

#define STDERR_KEEP 4096
#define OUT_MAX (1 << 20)
/* The agent writes a record at least once per probe timeout: silence
 * longer than that (plus start-up slack) means the wrapper or agent hangs. */
#define SILENCE_SLACK 5.0
/* After the agent's done record the wrapper has this long to exit. */
#define DONE_GRACE 3.0

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
	s->row->state = error ? ROW_ERROR : ROW_SKIPPED;
	s->row->observed = OBS_UNKNOWN;
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

static int open_pty(struct job *j)
{
	struct termios t;

	j->pty_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (j->pty_master < 0 || grantpt(j->pty_master) < 0 || unlockpt(j->pty_master) < 0 ||
	    ptsname_r(j->pty_master, j->pty_name, sizeof(j->pty_name)) != 0)
		return neg_errno();
	/* the host keeps the slave open so the queue survives the case */
	j->pty_slave = open(j->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (j->pty_slave < 0)
		return neg_errno();
	if (tcgetattr(j->pty_slave, &t) == 0) {
		cfmakeraw(&t);
		t.c_lflag |= ECHO; /* injected input shows up on the master */
		tcsetattr(j->pty_slave, TCSANOW, &t);
	}
	fcntl(j->pty_master, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The name the box runs as: --user, else the harness's own. */
static const char *box_user(const struct run_ctx *R)
{
	struct passwd *pw;

	if (R->drop)
		return R->o->user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "root";
}

static char **build_env(const struct run_ctx *R, const struct job *j, const struct launch *l)
{
	static const char *const seeded[] = {SEEDED_ENV};
	char **envp = calloc(8 + ARRAY_SIZE(seeded) + l->envc + 1, sizeof(char *));
	size_t k = 0;
	char path[8192];

	if (!envp || launcher_path(&j->env, path, sizeof(path)) < 0) {
		free(envp);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(seeded); i++)
		if (!(l->scrub_secrets && env_name_is_secret(seeded[i])) &&
		    asprintf(&envp[k++], "%s=%s", seeded[i], j->seeded) < 0) {
			envp[k - 1] = NULL;
			goto fail;
		}
	if (asprintf(&envp[k++], "PATH=%s", path) < 0 ||
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

static void free_strvp(char ***v)
{
	free_strv(*v);
}

static void launch_freep(struct launch *l)
{
	launch_free(l);
}

/* The case's fixture, env and sentinels. */
static int case_fixture(struct run_ctx *R, struct job *j, unsigned needs)
{
	char outside[PATH_MAX], nonce[16];
	int r = scratch_new_case(&R->sc, j->root, sizeof(j->root));

	if (r == 0 && R->drop)
		r = chown_tree(j->root, R->uid, R->gid);
	if (r < 0)
		return r;
	memset(&j->env, 0, sizeof(j->env));
	fmt(j->env.root, sizeof(j->env.root), "%s", j->root);
	fmt(j->env.self, sizeof(j->env.self), "%s", R->agent);
	random_hex(nonce, sizeof(nonce), 6);
	random_hex(j->seeded, sizeof(j->seeded), 32);
	fmt(j->env.nonce, sizeof(j->env.nonce), "%s%04x", nonce, (unsigned)j->index & 0xffff);
	observers_fill_env(R->obs, &j->env);
	j->env.src = (int)j->index;
	j->env.drop_uid = 65534;
	fmt(outside, sizeof(outside), "%s/outside", j->root);
	if ((needs & NEED_SENTINEL) && sentinel_start(&j->sent, R->agent, outside, R->drop, R->uid, R->gid) == 0) {
		j->env.sentinel = j->sent.pid;
		j->env.sentinel_addr = j->sent.addr;
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->slots[i].row->p->needs & NEED_OWN_SENTINEL)
			sentinel_start(&j->slots[i].own, R->agent, outside, R->drop, R->uid, R->gid);
	return 0;
}

/* Arm every probe of the case on the host; how many are armed. */
static size_t arm_all(struct job *j)
{
	size_t armed = 0;

	for (size_t i = 0; i < j->n; i++) {
		struct slot *s = &j->slots[i];
		struct probe_env env;
		char why[200] = "";
		slot_env(j, i, &env);
		int r = s->row->p->arm ? s->row->p->arm(&env, why, sizeof(why)) : 0;
		if (r == -EOPNOTSUPP)
			fail_slot(s, false, "%s", why[0] ? why : "not applicable on this host");
		else if (r < 0)
			fail_slot(s, true, "arm failed: %s", strerror(-r));
		else {
			s->armed = true;
			armed++;
		}
	}
	return armed;
}

/* The backend's prefix, then the agent with the case's env and a word per
 * armed probe (none for a launch without probes); NULL when out of memory. */
static char **agent_argv(const struct run_ctx *R, const struct job *j, const struct launch *l, bool probes)
{
	char enc[8192];
	char **argv = calloc(l->argc + 6 + j->n + 1, sizeof(char *));
	size_t k = 0;

	if (!argv || probe_env_encode(&j->env, enc, sizeof(enc)) < 0) {
		free(argv);
		return NULL;
	}
	for (size_t i = 0; i < l->argc; i++)
		argv[k++] = strdup(l->argv[i]);
	argv[k++] = strdup(R->agent);
	argv[k++] = strdup("agent");
	argv[k++] = strdup("--env");
	argv[k++] = strdup(enc);
	if (asprintf(&argv[k++], "--timeout=%g", R->o->timeout) < 0)
		argv[k - 1] = NULL;
	for (size_t i = 0; i < j->n && probes; i++) {
		const struct slot *s = &j->slots[i];
		struct probe_env env;
		char arg[256];
		if (!s->armed)
			continue;
		slot_env(j, i, &env);
		if (probe_arg_encode(s->row->p->id, s->agent_slot, s->row->p->needs & NEED_OWN_SENTINEL ? &env : NULL, arg,
				     sizeof(arg)) == 0)
			argv[k] = strdup(arg);
		k++;
	}
	for (size_t i = 0; i < k; i++)
		if (!argv[i]) {
			for (size_t f = 0; f < k; f++)
				free(argv[f]);
			free(argv);
			return NULL;
		}
	return argv;
}

/* The backend's prepare(), argv and env, pty, leaked fd, cgroup, spawn;
 * what it made for the spawn is freed on every way out. armed 0: a launch
 * with no probe (PROBE_RELAUNCH's second), which only sets up, says hello
 * and ends. */
static int launch(struct run_ctx *R, struct job *j, unsigned needs, size_t armed, char *err, size_t n)
{
	char ws[PATH_MAX], tmp[PATH_MAX], home[PATH_MAX], shm[PATH_MAX], listener[32];
	struct launch l __attribute__((cleanup(launch_freep))) = {0};
	char **argv __attribute__((cleanup(free_strvp))) = NULL, **envp __attribute__((cleanup(free_strvp))) = NULL;
	int r, pin[2];

	fmt(ws, sizeof(ws), "%s/ws", j->root);
	fmt(tmp, sizeof(tmp), "%s/tmp", j->root);
	fmt(shm, sizeof(shm), "%s/shm", j->root);
	fmt(home, sizeof(home), "%s/home", j->root);
	snprintf(listener, sizeof(listener), "127.0.0.1:%d", j->env.tcp4);
	struct box x = {.mode = j->m, .case_root = j->root, .ws = ws, .tmp = tmp, .home = home, .run = R->sc.run,
			.self = R->agent, .listener = listener};
	if (j->b->prepare && (r = j->b->prepare(j->b, &x, &l, err, n)) < 0)
		return r;
	x.launch = &l;
	/* after prepare: files an adapter wrote belong to the sandboxed user too */
	if (R->drop)
		chown_tree(j->root, R->uid, R->gid);
	if (!(argv = agent_argv(R, j, &l, armed > 0)) || !(envp = build_env(R, j, &l)))
		return -ENOMEM;
	if ((needs & NEED_PTY) && (r = open_pty(j)) < 0) {
		snprintf(err, n, "cannot open a pty: %s", strerror(-r));
		return r;
	}
	if (needs & NEED_FD) {
		char p[PATH_MAX];
		fmt(p, sizeof(p), "%s/outside/leaked.txt", j->root);
		j->leak_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	}
	if (!j->cgroup[0]) /* a second launch stays in the first one's */
		cg_case_create(&R->cg, (unsigned)j->index, j->cgroup, sizeof(j->cgroup));
	if (pipe2(pin, O_CLOEXEC) < 0)
		return neg_errno();
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
		.timeout = R->o->timeout * (double)(armed ? armed : 1) + 2,
		.cgroup = j->cgroup,
		.tmp_bind = private_tmp ? tmp : NULL,
		/* a container may have no /dev/shm at all (lxc-execute): nothing to cover */
		.shm_bind = private_tmp && access("/dev/shm", F_OK) == 0 ? shm : NULL,
		.drop = R->drop,
		.uid = R->uid,
		.gid = R->gid,
	};
	r = spawn_start(&req, &j->h, err, n);
	close(pin[0]);
	if (r < 0) {
		close(pin[1]);
		return r;
	}
	j->stdin_w = pin[1];
	j->running = true;
	return 0;
}

int case_start(struct run_ctx *R, struct job *j)
{
	char err[512] = "";
	unsigned needs = 0;
	size_t armed;
	int r;

	j->t0 = j->last_rec = now_mono();
	for (size_t i = 0; i < j->n; i++)
		needs |= j->slots[i].row->p->needs;
	if ((r = case_fixture(R, j, needs)) < 0) {
		for (size_t i = 0; i < j->n; i++)
			fail_slot(&j->slots[i], true, "cannot create the case fixture: %s", strerror(-r));
		return r;
	}
	if (!(armed = arm_all(j)))
		return 0;
	if ((r = launch(R, j, needs, armed, err, sizeof(err))) < 0)
		for (size_t i = 0; i < j->n; i++)
			if (j->slots[i].armed)
				fail_slot(&j->slots[i], true, "cannot start the sandbox: %s", err[0] ? err : strerror(-r));
	return r;
}

static int host_heard(const struct host_view *hv, enum channel ch, char *what, size_t n)
{
	return observers_heard(hv->observers, ch, hv->env, what, n);
}

/* The host's decision for one slot, from hv (env and the case's evidence
 * filled in): the observation and the row's detail. why and tail say how the
 * case ended ("" while it runs). */
static void judge(struct run_ctx *R, const struct job *j, struct slot *s, struct host_view *hv, const char *why,
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
	row->state = ROW_ERROR;
	fmt(row->errno_name, sizeof(row->errno_name), "%s", s->have_att ? errno_name(s->att.rc) : "");
	if (!j->hello && hv->reap && hv->reap->setup_err) { /* the harness's failure, not the sandbox refusing */
		snprintf(row->detail, sizeof(row->detail), "%s; host saw: %s", why, detail);
	} else if (!j->hello) {
		snprintf(row->detail, sizeof(row->detail), DETAIL_NO_START "%s)%s%s; host saw: %s", why,
			 tail[0] ? ": " : "", tail, detail);
	} else if (s->att_failed) {
		snprintf(row->detail, sizeof(row->detail), "%s; host saw: %s", s->att.detail, detail);
	} else if (!s->have_att || s->att_timeout || (s->att_signal && s->att_signal != SIGSYS)) {
		snprintf(row->detail, sizeof(row->detail), "%s%s%s%s%s%s; host saw: %s",
			 !s->have_att	  ? "no record from the probe"
			 : s->att_timeout ? "the attempt timed out"
					  : "the probe crashed",
			 why[0] ? " (" : "", why, why[0] ? ")" : "", tail[0] ? ": " : "", tail, detail);
	} else {
		row->state = ROW_JUDGED;
		snprintf(row->detail, sizeof(row->detail), "%s%s%s%s", detail, s->att.detail[0] ? "; box saw: " : "",
			 s->att.detail, s->att_signal == SIGSYS ? "; the probe was killed by SIGSYS (a seccomp kill)" : "");
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

static void on_record(struct run_ctx *R, struct job *j, const char *json)
{
	struct record rec;
	struct slot *s;

	if (record_decode(json, &rec) < 0)
		return;
	s = rec.slot >= 0 ? slot_by_agent(j, rec.slot) : NULL;
	j->last_rec = now_mono();
	if (rec.t == REC_HELLO) {
		j->hello = true;
	} else if (rec.t == REC_DONE) {
		j->done_at = j->last_rec;
	} else if (rec.t == REC_PROBE && s) {
		s->have_att = true;
		s->att_failed = rec.failed;
		s->att = rec.att;
		s->att_signal = rec.signal;
		s->att_timeout = rec.timeout;
		if (s->row->p->flags & PROBE_HOST_OBJECT) {
			struct probe_env env;
			struct host_view hv = {.env = &env};
			slot_env(j, (size_t)(s - j->slots), &env);
			judge(R, j, s, &hv, "", "");
		}
	} else if (rec.t == REC_INSPECT && s) {
		struct probe_env env;
		slot_env(j, (size_t)(s - j->slots), &env);
		inspect_by_name(env.token, j->h.sup, &s->snap);
		inspect_exposure(&env, j->h.sup, &s->snap);
		if (rec.port > 0 && rec.port < 65536)
			s->snap.reached = reach_port(&s->snap, rec.port);
		/* let the probe go on */
		if (j->stdin_w >= 0)
			record_resume(j->stdin_w);
	}
}

/* Complete lines tagged with this case's nonce are records; the rest is noise. */
static void parse_lines(struct run_ctx *R, struct job *j, size_t *consumed)
{
	if (!j->out.s) /* a wrapper that printed nothing */
		return;
	for (;;) {
		char *start = j->out.s + *consumed;
		char *nl = memchr(start, '\n', j->out.len - *consumed);
		if (!nl)
			return;
		*nl = 0;
		const char *json = record_find(start, j->env.nonce);
		if (json)
			on_record(R, j, json);
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

/* How the launch that just ended ended; its pipes closed, j->running off. */
static void end_launch(struct job *j, struct reap_info *ri)
{
	if (spawn_finish(&j->h, j->status, j->status_len, ri) < 0)
		ri->setup_err = -EPROTO;
	close(j->h.out), close(j->h.err), close(j->h.status);
	if (j->stdin_w >= 0)
		close(j->stdin_w);
	j->stdin_w = -1;
	j->running = false;
}

static bool wants_relaunch(const struct job *j)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->slots[i].armed && (j->slots[i].row->p->flags & PROBE_RELAUNCH))
			return true;
	return false;
}

bool case_relaunch(struct run_ctx *R, struct job *j)
{
	char err[512] = "";
	int r;

	if (j->relaunched || !wants_relaunch(j))
		return false;
	end_launch(j, &j->first);
	j->first_hello = j->hello;
	j->relaunched = true;
	j->hello = j->cancelled = j->out_eof = j->err_eof = j->status_eof = false;
	j->done_at = 0;
	j->last_rec = now_mono();
	j->status_len = j->out_used = 0;
	sb_free(&j->out);
	sb_free(&j->err);
	if ((r = launch(R, j, 0, 0, err, sizeof(err))) < 0) {
		/* judged on what the first launch left; the rows say why no second */
		for (size_t i = 0; i < j->n; i++)
			if (j->slots[i].armed && !j->slots[i].att_failed) {
				j->slots[i].att_failed = true;
				snprintf(j->slots[i].att.detail, sizeof(j->slots[i].att.detail),
					 "the second launch could not start: %.150s", err[0] ? err : strerror(-r));
			}
		return false;
	}
	return true;
}

/* The second launch (ri) never said hello: it set nothing up, so what the
 * probes left was never put to the test; their rows say so. */
static void no_second_hello(struct job *j, const struct reap_info *ri)
{
	char why[256], tail[320];

	describe_exit(ri, why, sizeof(why));
	stderr_tail(&j->err, tail, sizeof(tail));
	for (size_t i = 0; i < j->n; i++) {
		struct attempt *a = &j->slots[i].att;
		char first[sizeof(a->detail)];
		if (!j->slots[i].armed || j->slots[i].att_failed)
			continue;
		memcpy(first, a->detail, sizeof(first));
		j->slots[i].att_failed = true;
		/* cut, not failed, when it is long */
		fmt(a->detail, sizeof(a->detail), "the second launch did not start (no hello; %s)%s%s; first: %s", why,
		    tail[0] ? ": " : "", tail, first);
	}
}

void case_cleanup(struct run_ctx *R, struct job *j)
{
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
	if (j->running)
		close(j->h.out), close(j->h.err), close(j->h.status);
	j->pty_master = j->pty_slave = j->leak_fd = j->stdin_w = -1;
	sb_free(&j->out);
	sb_free(&j->err);
	j->running = false;
	if (!R->o->keep && j->root[0])
		rm_rf(j->root);
}

void case_finish(struct run_ctx *R, struct job *j)
{
	struct reap_info ri = {0};
	struct sentinel_state sst;
	char why[256], tail[320], echo[512] = "";
	bool ran = j->running; /* false: a second launch that could not start */

	if (ran)
		end_launch(j, &ri);
	if (j->relaunched) {
		/* the probes ran in the first launch: that is the exit to judge */
		if (ran && !j->hello)
			no_second_hello(j, &ri);
		ri = j->first;
		j->hello = j->first_hello;
	}
	observers_drain(R->obs);
	sentinel_read(&j->sent, &sst);
	if (j->pty_master >= 0) {
		ssize_t k = read(j->pty_master, echo, sizeof(echo) - 1);
		echo[k > 0 ? k : 0] = 0;
	}
	describe_exit(&ri, why, sizeof(why));
	stderr_tail(&j->err, tail, sizeof(tail));
	if (j->b->said_unconfined && j->err.s)
		j->b->said_unconfined(j->b, j->err.s, j->said, sizeof(j->said));
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
			.pty_echo = j->pty_master >= 0 ? echo : NULL,
		};
		judge(R, j, s, &hv, why, tail);
	}
	case_cleanup(R, j);
}

void case_pollfds(const struct job *j, struct pollfd *pfd)
{
	pfd[0] = (struct pollfd){.fd = j->out_eof ? -1 : j->h.out, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = j->err_eof ? -1 : j->h.err, .events = POLLIN};
	pfd[2] = (struct pollfd){.fd = j->status_eof ? -1 : j->h.status, .events = POLLIN};
}

bool case_service(struct run_ctx *R, struct job *j, const struct pollfd *pfd)
{
	/* status first: its first bytes are the supervisor's pid, which
	 * the records (an inspection) may need; they came before any */
	if (pfd[2].revents) {
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
	if (pfd[0].revents) {
		read_into(j->h.out, &j->out, OUT_MAX, &j->out_eof);
		parse_lines(R, j, &j->out_used);
	}
	if (pfd[1].revents)
		read_into(j->h.err, &j->err, STDERR_KEEP, &j->err_eof);
	return j->out_eof && j->err_eof && j->status_eof;
}

double case_deadline(const struct run_ctx *R, const struct job *j)
{
	return j->done_at ? j->done_at + DONE_GRACE : j->last_rec + SILENCE_SLACK + R->o->timeout;
}

int case_init(struct job *j, const struct plan_case *pc, size_t index)
{
	memset(j, 0, sizeof(*j));
	j->b = pc->b, j->m = pc->m, j->n = pc->n, j->index = index;
	j->slots = calloc(pc->n, sizeof(*j->slots));
	if (!j->slots)
		return -ENOMEM;
	for (size_t i = 0; i < pc->n; i++)
		j->slots[i] = (struct slot){.row = pc->rows[i], .agent_slot = (int)i};
	j->pty_master = j->pty_slave = j->stdin_w = j->leak_fd = -1;
	return 0;
}

void case_free(struct job *j)
{
	free(j->slots);
	j->slots = NULL;
}

void case_fail(struct job *j, const char *why)
{
	for (size_t i = 0; i < j->n; i++)
		fail_slot(&j->slots[i], true, "%s", why);
}
