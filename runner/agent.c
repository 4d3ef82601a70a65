#include "agent.h"

#include "../lib/proc.h"
#include "../lib/util.h"
#include "../probes/probe.h"
#include "../probes/record.h"

#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static int hello(const struct probe_env *env)
{
	struct record r = {.t = REC_HELLO, .pid = getpid(), .uid = (int)getuid(), .euid = (int)geteuid(),
			   .nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)};

	if (!getcwd(r.cwd, sizeof(r.cwd)))
		r.cwd[0] = 0;
	return record_write(1, env->nonce, &r);
}

#define RUN_TIMEOUT (-1)
#define RUN_FAILED (-2) /* no attempt result: a->detail says why */

struct one {
	const struct probe *p;
	const struct probe_env *env;
};

static void attempt_one(void *arg, void *answer)
{
	const struct one *o = arg;
	struct attempt *a = answer;

	signal(SIGPIPE, SIG_DFL);
	memset(a, 0, sizeof(*a));
	a->rc = o->p->attempt(o->env, a);
}

/* Run one attempt in a child (its result comes back in memory they share:
 * no descriptor of the harness's is open in the probe, so an fd inventory
 * in a batch sees what it would alone); fill a, return its wait status,
 * RUN_TIMEOUT or RUN_FAILED. A child that ends without a result is a
 * failure, never rc 0: alone in the agent it would have cost its case, and
 * the host must not judge it on evidence it never produced. */
static int run_one(const struct probe *p, const struct probe_env *env, double timeout, struct attempt *a)
{
	struct one o = {p, env};
	struct proc_call c = {.fn = attempt_one, .arg = &o, .size = sizeof(*a), .timeout = timeout};
	int st = 0, r = proc_call(&c, a, &st);

	if (r == 0) {
		a->detail[sizeof(a->detail) - 1] = 0;
		return st;
	}
	memset(a, 0, sizeof(*a));
	if (r == -ENODATA && WIFSIGNALED(st))
		return st;
	if (r == -ENODATA)
		snprintf(a->detail, sizeof(a->detail), "the probe exited (status %d) without a result", WEXITSTATUS(st));
	else if (r == -ETIMEDOUT)
		snprintf(a->detail, sizeof(a->detail), "attempt timed out after %.0f s", timeout);
	else
		snprintf(a->detail, sizeof(a->detail), "agent: cannot run the probe in a child: %s", errno_name(r));
	return r == -ETIMEDOUT ? RUN_TIMEOUT : RUN_FAILED;
}

int agent_main(int argc, char **argv)
{
	static const struct option opts[] = {{"env", required_argument, 0, 'e'},
					     {"timeout", required_argument, 0, 't'},
					     {0, 0, 0, 0}};
	struct probe_env env;
	const char *enc = NULL;
	double timeout = 10;
	int c;

	while ((c = getopt_long(argc, argv, "+e:t:", opts, NULL)) != -1) {
		if (c == 'e')
			enc = optarg;
		else if (c == 't')
			timeout = atof(optarg);
		else
			return 2;
	}
	if (!enc || probe_env_decode(enc, &env) < 0 || timeout <= 0) {
		dprintf(2, "cagetest agent: internal command: bad or missing --env\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	env.agent = getpid();
	if (hello(&env) < 0)
		return 1;
	for (int i = optind; i < argc; i++) {
		/* the slot the host armed the probe with (its token), and what of
		 * the env is this probe's own (its sentinel) */
		struct record r = {.t = REC_PROBE};
		struct probe_env penv = env;
		int slot, bad = probe_arg_decode(argv[i], r.id, sizeof(r.id), &slot, &penv) < 0;
		const struct probe *p = probe_find(r.id);
		double t0 = now_mono();
		int st;

		probe_env_set_slot(&penv, slot < 0 ? i - optind : slot);
		r.slot = penv.slot;
		if (!p || bad) {
			r.failed = true;
			snprintf(r.att.detail, sizeof(r.att.detail), "%s", p ? "bad probe argument" : "unknown probe");
		} else {
			/* alone in its sandbox, a probe runs in the agent itself: one
			 * process less per case; a crash or hang then costs the case,
			 * which is all it has (the host reports it as an error, never
			 * a verdict) */
			if (argc - optind == 1) {
				r.att.rc = p->attempt(&penv, &r.att);
				st = 0;
			} else {
				st = run_one(p, &penv, timeout, &r.att);
			}
			r.failed = st == RUN_FAILED;
			r.ms = (now_mono() - t0) * 1000;
			r.timeout = st == RUN_TIMEOUT;
			r.signal = st >= 0 && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		}
		/* the host is gone: nobody would verify, or remove, what the next
		 * probes of the batch make */
		if (record_write(1, env.nonce, &r) < 0)
			return 1;
	}
	record_write(1, env.nonce, &(struct record){.t = REC_DONE});
	return 0;
}
