#include "agent.h"

#include "../lib/proc.h"
#include "../lib/util.h"
#include "../probes/probe.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* 0, or < 0 when the record could not be written: the host is gone. */
static int emit(const char *nonce, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	int r = s ? record_write(1, nonce, s) : -ENOMEM;

	free(s);
	cJSON_Delete(o);
	return r;
}

static int hello(const struct probe_env *env)
{
	cJSON *o = cJSON_CreateObject();
	char cwd[PATH_MAX] = "";

	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	cJSON_AddStringToObject(o, "t", "hello");
	cJSON_AddNumberToObject(o, "pid", getpid());
	cJSON_AddNumberToObject(o, "uid", getuid());
	cJSON_AddNumberToObject(o, "euid", geteuid());
	cJSON_AddNumberToObject(o, "nnp", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	cJSON_AddStringToObject(o, "cwd", cwd);
	return emit(env->nonce, o);
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
		/* PROBE-ID@SLOT[+K=V;...]: the slot the host armed the probe with (its
		 * token), and what of the env is this probe's own (its sentinel) */
		char id[128];
		const char *at = strchr(argv[i], '@'), *own = strchr(argv[i], '+');
		int slot = at ? atoi(at + 1) : i - optind;
		snprintf(id, sizeof(id), "%.*s", at ? (int)(at - argv[i]) : (int)strlen(argv[i]), argv[i]);
		const struct probe *p = probe_find(id);
		struct probe_env penv = env;
		struct attempt a;
		cJSON *o = cJSON_CreateObject();
		double t0 = now_mono();
		int st;

		probe_env_set_slot(&penv, slot);
		cJSON_AddStringToObject(o, "t", "probe");
		cJSON_AddNumberToObject(o, "slot", penv.slot);
		cJSON_AddStringToObject(o, "id", id);
		if (!p || (own && probe_env_apply(own + 1, &penv) < 0)) {
			cJSON_AddStringToObject(o, "error", p ? "bad probe argument" : "unknown probe");
		} else {
			/* alone in its sandbox, a probe runs in the agent itself: one
			 * process less per case; a crash or hang then costs the case,
			 * which is all it has (the host reports it as an error, never
			 * a verdict) */
			if (argc - optind == 1) {
				memset(&a, 0, sizeof(a));
				a.rc = p->attempt(&penv, &a);
				st = 0;
			} else {
				st = run_one(p, &penv, timeout, &a);
			}
			if (st == RUN_FAILED) {
				cJSON_AddStringToObject(o, "error", a.detail);
			} else {
				cJSON_AddNumberToObject(o, "rc", a.rc);
				cJSON_AddStringToObject(o, "errno", errno_name(a.rc));
				cJSON_AddStringToObject(o, "detail", a.detail);
				cJSON_AddNumberToObject(o, "ms", (now_mono() - t0) * 1000);
				if (st == RUN_TIMEOUT)
					cJSON_AddBoolToObject(o, "timeout", true);
				else if (WIFSIGNALED(st))
					cJSON_AddNumberToObject(o, "signal", WTERMSIG(st));
			}
		}
		/* the host is gone: nobody would verify, or remove, what the next
		 * probes of the batch make */
		if (emit(env.nonce, o) < 0)
			return 1;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "t", "done");
	emit(env.nonce, o);
	return 0;
}
