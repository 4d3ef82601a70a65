/* lib/proc: one way to run a command with a deadline, one way to run a
 * function in a child and get its answer back, one way to find an
 * executable. Real processes, no mocks. */
#include "../testutil.h"

#include "../../lib/proc.h"

#include <dirent.h>
#include <signal.h>

static void test_find_exec(void **state)
{
	char p[4096], *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	(void)state;
	assert_int_equal(find_exec("sh", p, sizeof(p)), 0);
	assert_true(p[0] == '/' && strstr(p, "/sh"));
	assert_int_equal(find_exec("/bin/sh", p, sizeof(p)), 0);
	assert_string_equal(p, "/bin/sh");
	assert_int_equal(find_exec("cagetest-no-such-tool", p, sizeof(p)), -ENOENT);
	assert_int_equal(find_exec("/nonexistent/sh", p, sizeof(p)), -ENOENT);
	/* a directory on the path is not an executable */
	setenv("PATH", SRCDIR ":/usr/bin:/bin", 1);
	assert_int_equal(find_exec("tests", p, sizeof(p)), -ENOENT);
	/* no PATH: the one fallback */
	unsetenv("PATH");
	assert_string_equal(proc_path(), PROC_FALLBACK_PATH);
	assert_int_equal(find_exec("sh", p, sizeof(p)), 0);
	setenv("PATH", "", 1);
	assert_string_equal(proc_path(), PROC_FALLBACK_PATH);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	/* on a path given (the launcher's): its first directory that has it,
	 * skipping a non-executable one (execvp's order) */
	assert_int_equal(find_exec_on("/nonexistent:/bin:/usr/bin", "sh", p, sizeof(p)), 0);
	assert_string_equal(p, "/bin/sh");
	assert_int_equal(find_exec_on(SRCDIR "/README.md:" SRCDIR, "README.md", p, sizeof(p)), -ENOENT);
	assert_int_equal(find_exec_on("/bin", "cagetest-no-such-tool", p, sizeof(p)), -ENOENT);
}

static int run_sh(const char *script, double timeout, bool stderr_too, char *out, size_t n, int *st)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct proc_cmd c = {.argv = argv, .timeout = timeout, .stderr_too = stderr_too};

	return proc_run(&c, out, n, st);
}

static void test_run_captures(void **state)
{
	char out[256], tiny[4];
	int st = -1;

	(void)state;
	assert_int_equal(run_sh("echo out; echo err >&2; exit 3", 10, false, out, sizeof(out), &st), 0);
	assert_string_equal(out, "out\n");
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	assert_int_equal(run_sh("echo out; echo err >&2", 10, true, out, sizeof(out), &st), 0);
	assert_string_equal(out, "out\nerr\n");
	/* truncated, NUL-terminated; the rest is read (the writer never blocks) */
	assert_int_equal(run_sh("head -c 200000 /dev/zero | tr '\\0' x; exit 0", 10, false, tiny, sizeof(tiny), &st), 0);
	assert_string_equal(tiny, "xxx");
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* stdin is /dev/null; no descriptor of ours but the output */
	assert_int_equal(run_sh("cat; ls /proc/self/fd | wc -l", 10, false, out, sizeof(out), &st), 0);
	assert_int_equal(atoi(out), 4); /* 0 1 2 and ls's own */
	/* its own cwd and environment */
	char *argv[] = {"sh", "-c", "pwd; echo $CAGETEST_X", NULL}, *envp[] = {"CAGETEST_X=y", "PATH=/usr/bin:/bin", NULL};
	struct proc_cmd c = {.argv = argv, .envp = envp, .cwd = "/", .timeout = 10};
	assert_int_equal(proc_run(&c, out, sizeof(out), &st), 0);
	assert_string_equal(out, "/\ny\n");
	char *none[] = {"cagetest-no-such-tool", NULL};
	c = (struct proc_cmd){.argv = none, .timeout = 10};
	assert_int_equal(proc_run(&c, out, sizeof(out), &st), -ENOENT);
}

/* A process that is gone or a zombie waiting for init. */
static bool dead(pid_t pid)
{
	char p[64];
	_cleanup_free_ char *stat = NULL;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (read_file(p, 4096, &stat, NULL) < 0)
		return true;
	const char *s = strrchr(stat, ')');
	return s && s[1] == ' ' && s[2] == 'Z';
}

static void test_run_deadline(void **state)
{
	char out[256];
	int st = -1;

	(void)state;
	/* killed at the deadline, its whole group, what it said kept */
	assert_int_equal(run_sh("sleep 30 & echo $!; sleep 30", 0.3, false, out, sizeof(out), &st), -ETIMEDOUT);
	pid_t bg = (pid_t)atoi(out);
	assert_true(bg > 0);
	for (int i = 0; i < 200 && !dead(bg); i++)
		usleep(10000);
	assert_true(dead(bg));
	/* the wait has the deadline too: a command that closed its output but runs on */
	assert_int_equal(run_sh("exec >&-; sleep 30", 0.3, false, out, sizeof(out), &st), -ETIMEDOUT);
}

struct answer {
	int value;
	uint64_t fds; /* fd n < 64 open: bit n */
	bool started_by_hook;
	char text[32];
};

static bool hook_ran;

/* The open fds below 64 (the listing's own included). */
static uint64_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	uint64_t set = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 64)
			set |= 1ULL << atoi(e->d_name);
	if (d)
		closedir(d);
	return set;
}

static void compute(void *arg, void *answer)
{
	struct answer *a = answer;
	const char *how = arg;

	if (!strcmp(how, "crash"))
		abort();
	if (!strcmp(how, "exit"))
		_exit(7);
	if (!strcmp(how, "hang"))
		pause();
	a->value = 42;
	a->fds = open_fds();
	a->started_by_hook = hook_ran;
	snprintf(a->text, sizeof(a->text), "from %s", how);
}

static pid_t hook(void *arg)
{
	pid_t pid = fork();

	(void)arg;
	if (pid == 0)
		hook_ran = true;
	return pid;
}

static void test_call(void **state)
{
	struct answer a = {0};
	struct proc_call c = {.fn = compute, .arg = "child", .size = sizeof(a)};
	int st = -1;
	uint64_t fds = open_fds();

	(void)state;
	assert_int_equal(proc_call(&c, &a, &st), 0);
	assert_int_equal(a.value, 42);
	assert_string_equal(a.text, "from child");
	assert_true((a.fds & ~fds) == 0); /* the answer came back without a descriptor of the child's */
	assert_false(a.started_by_hook);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a child made another way (clone flags) */
	c.start = hook;
	memset(&a, 0, sizeof(a));
	assert_int_equal(proc_call(&c, &a, &st), 0);
	assert_true(a.started_by_hook);
	assert_false(hook_ran);
	c.start = NULL;
	/* no answer: how the child ended */
	c.arg = "crash";
	assert_int_equal(proc_call(&c, &a, &st), -ENODATA);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	c.arg = "exit";
	assert_int_equal(proc_call(&c, &a, &st), -ENODATA);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	c.arg = "hang";
	c.timeout = 0.2;
	assert_int_equal(proc_call(&c, &a, &st), -ETIMEDOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_exec),    cmocka_unit_test(test_run_captures),
		cmocka_unit_test(test_run_deadline), cmocka_unit_test(test_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
