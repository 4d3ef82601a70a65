#include "agent.h"

#include "../lib/util.h"
#include "../probes/probe.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void emit(const char *nonce, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s)
		record_write(1, nonce, s);
	free(s);
	cJSON_Delete(o);
}

static void hello(const struct probe_env *env)
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
	emit(env->nonce, o);
}

#define RUN_TIMEOUT (-1)
#define RUN_FAILED (-2) /* no attempt result: a->detail says why */

/* Run one attempt in a child; fill a, return its wait status, RUN_TIMEOUT or
 * RUN_FAILED. A child that ends without a result is a failure, never rc 0:
 * alone in the agent it would have cost its case, and the host must not
 * judge it on evidence it never produced. */
static int run_one(const struct probe *p, const struct probe_env *env, double timeout, struct attempt *a)
{
	int pfd[2], st = 0;
	pid_t pid;

	memset(a, 0, sizeof(*a));
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(a->detail, sizeof(a->detail), "agent: pipe: %s", errno_name(neg_errno()));
		return RUN_FAILED;
	}
	pid = fork();
	if (pid == 0) {
		struct attempt res = {0};
		close(pfd[0]);
		signal(SIGPIPE, SIG_DFL);
		res.rc = p->attempt(env, &res);
		write_all(pfd[1], &res, sizeof(res));
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		snprintf(a->detail, sizeof(a->detail), "agent: fork: %s", errno_name(neg_errno()));
		close(pfd[0]);
		return RUN_FAILED;
	}
	struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
	size_t got = 0;
	double deadline = now_mono() + timeout;
	while (got < sizeof(*a)) {
		int left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0 || poll(&pf, 1, left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pfd[0]);
			snprintf(a->detail, sizeof(a->detail), "attempt timed out after %.0f s", timeout);
			return RUN_TIMEOUT;
		}
		ssize_t k = read(pfd[0], (char *)a + got, sizeof(*a) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (got != sizeof(*a)) {
		memset(a, 0, sizeof(*a));
		if (!WIFSIGNALED(st)) {
			snprintf(a->detail, sizeof(a->detail), "the probe exited (status %d) without a result", WEXITSTATUS(st));
			return RUN_FAILED;
		}
	}
	a->detail[sizeof(a->detail) - 1] = 0;
	return st;
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
	hello(&env);
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
			emit(env.nonce, o);
			continue;
		}
		/* alone in its sandbox, a probe runs in the agent itself: one process
		 * less per case; a crash or hang then costs the case, which is
		 * all it has (the host reports it as an error, never a verdict) */
		if (argc - optind == 1) {
			memset(&a, 0, sizeof(a));
			a.rc = p->attempt(&penv, &a);
			st = 0;
		} else {
			st = run_one(p, &penv, timeout, &a);
		}
		if (st == RUN_FAILED) {
			cJSON_AddStringToObject(o, "error", a.detail);
			emit(env.nonce, o);
			continue;
		}
		cJSON_AddNumberToObject(o, "rc", a.rc);
		cJSON_AddStringToObject(o, "errno", errno_name(a.rc));
		cJSON_AddStringToObject(o, "detail", a.detail);
		cJSON_AddNumberToObject(o, "ms", (now_mono() - t0) * 1000);
		if (st == RUN_TIMEOUT)
			cJSON_AddBoolToObject(o, "timeout", true);
		else if (WIFSIGNALED(st))
			cJSON_AddNumberToObject(o, "signal", WTERMSIG(st));
		emit(env.nonce, o);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "t", "done");
	emit(env.nonce, o);
	return 0;
}
