/* Live: the harness never hurts the machine it runs on. The whole battery
 * runs with no sandbox (every escape really happens) and nothing may change
 * outside the scratch root; SIGINT/SIGTERM stop a run fast and clean; a
 * SIGKILLed run's leftovers are collected by the next run (its root is the
 * runner's alone), a live run's never. Verdicts that are the same run after
 * run, under load: test_live_stable.c. */
#include "../testutil.h"

#include <dirent.h>
#include <regex.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

/* The test's own dir (home, tmpdir, scratch, reports), made in setup. */
static char T[64], home_dir[80], tmpdir_dir[80], scratch_dir[80],
	r_json[80], int_json[80];

/* name size mode mtime, recursively, one line each */
static void listing(const char *dir, struct sbuf *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char p[4096];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || fmt(p, sizeof(p), "%s/%s", dir, e->d_name) < 0 ||
		    lstat(p, &st) < 0)
			continue;
		sb_printf(out, "%s %lld %o %lld.%09ld\n", p, (long long)st.st_size, st.st_mode, (long long)st.st_mtim.tv_sec,
			  st.st_mtim.tv_nsec);
		if (S_ISDIR(st.st_mode))
			listing(p, out);
	}
	if (d)
		closedir(d);
}

static char *file_text(const char *path)
{
	char *t = NULL;

	if (read_file(path, 4 << 20, &t, NULL) < 0)
		t = strdup("");
	return t;
}

/* Entries of a shared dir that only cagetest or its probes could have made. */
static size_t our_litter(const char *dir, char *first, size_t n)
{
	regex_t re;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t k = 0;

	regcomp(&re, "^(ct[0-9a-f]{12}|srt-|cagetest)", REG_EXTENDED | REG_NOSUB);
	while (d && (e = readdir(d)))
		if (regexec(&re, e->d_name, 0, NULL, 0) == 0) {
			/* other runs on this machine may own cagetest-* roots: only ours count */
			if (!strncmp(e->d_name, "cagetest-", 9) && strcmp(dir, "/var/tmp") == 0)
				continue;
			if (!k)
				snprintf(first, n, "%s/%s", dir, e->d_name);
			k++;
		}
	if (d)
		closedir(d);
	regfree(&re);
	return k;
}

/* Our children, alive: with the test as child subreaper, anything a run
 * leaves behind comes back here. Zombies are reaped on the way. */
static size_t live_children(char *names, size_t n)
{
	char path[64], *text;
	size_t k = 0;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	text = file_text(path);
	names[0] = 0;
	for (char *t = strtok(text, " \n"); t; t = strtok(NULL, " \n")) {
		char cp[64], *comm;
		snprintf(cp, sizeof(cp), "/proc/%s/comm", t);
		comm = file_text(cp);
		comm[strcspn(comm, "\n")] = 0;
		if (strlen(names) + strlen(comm) + 2 < n)
			strcat(strcat(names, comm), " ");
		free(comm);
		k++;
	}
	free(text);
	return k;
}

/* /proc/keys but the empty session keyrings: each is a process's own for
 * its life (the keyring probe's host check makes one in a child), then the
 * kernel's key GC takes it, at a moment no snapshot can pick. */
static char *keys_text(void)
{
	char *all = file_text("/proc/keys"), *save = NULL;
	struct sbuf b = {0};

	sb_puts(&b, "");
	for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, " keyring   _ses: empty"))
			sb_printf(&b, "%s\n", line);
	free(all);
	return sb_take(&b);
}

struct snapshot {
	char *home, *tmpdir, *mounts, *sysv, *mqueue, *keys, *git;
};

static char *git_status(void)
{
	char *argv[] = {"/usr/bin/git", "-C", SRCDIR, "status", "--porcelain", "--untracked-files=all", NULL}, *out = NULL;

	run_cmd(argv, &out, NULL);
	return out;
}

static void snap(struct snapshot *s)
{
	struct sbuf b = {0};

	listing(home_dir, &b);
	s->home = sb_take(&b);
	listing(tmpdir_dir, &b);
	s->tmpdir = sb_take(&b);
	s->mounts = file_text("/proc/self/mountinfo");
	listing("/dev/mqueue", &b);
	s->mqueue = sb_take(&b);
	sb_puts(&b, "");
	for (const char *const *f = (const char *const[]){"/proc/sysvipc/msg", "/proc/sysvipc/sem", "/proc/sysvipc/shm", NULL};
	     *f; f++) {
		char *t = file_text(*f);
		sb_puts(&b, t);
		free(t);
	}
	s->sysv = sb_take(&b);
	s->keys = keys_text();
	s->git = git_status();
}

static void snap_free(struct snapshot *s)
{
	free(s->home), free(s->tmpdir), free(s->mounts), free(s->sysv), free(s->mqueue), free(s->keys), free(s->git);
}

/* Lines of a that b lacks, each after mark. */
static void lines_missing(const char *a, const char *b, char mark, struct sbuf *out)
{
	for (const char *l = a; *l;) {
		size_t len = strcspn(l, "\n");
		bool found = false;
		for (const char *m = b; *m && !found;) {
			size_t ml = strcspn(m, "\n");
			found = ml == len && !strncmp(l, m, len);
			m += ml + (m[ml] == '\n');
		}
		if (!found)
			sb_printf(out, "%c%.*s\n", mark, (int)len, l);
		l += len + (l[len] == '\n');
	}
}

static void assert_same(const char *what, const char *a, const char *b)
{
	struct sbuf d = {0};

	if (!strcmp(a, b))
		return;
	lines_missing(a, b, '-', &d);
	lines_missing(b, a, '+', &d);
	fail_msg("%s changed (- before, + after):\n%.3000s", what, d.s ? d.s : "(the same lines, in another order)");
}

static bool dir_empty(const char *dir, char *first, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(first, n, "%s", e->d_name);
			empty = false;
		}
	if (d)
		closedir(d);
	return empty;
}

/* Run argv (cagetest) with the test's HOME and TMPDIR, output dropped, in
 * the cgroups dirs[] when given (made by sub_cgroups). */
static pid_t start_in(char *const argv[], char dirs[][512], size_t n)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (size_t i = 0; i < n; i++) {
			char procs[600];
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", dirs[i]);
			if (write_str(procs, "0\n") < 0)
				_exit(126);
		}
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1), dup2(null, 2);
		setenv("HOME", home_dir, 1);
		setenv("TMPDIR", tmpdir_dir, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static pid_t start(char *const argv[])
{
	return start_in(argv, NULL, 0);
}

static int setup(void **state)
{
	(void)state;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	char p[128];
	if (test_scratch_parent(T, sizeof(T), "safety") < 0)
		return -1;
	snprintf(home_dir, sizeof(home_dir), "%s/home", T);
	snprintf(tmpdir_dir, sizeof(tmpdir_dir), "%s/tmpdir", T);
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/scratch", T);
	snprintf(r_json, sizeof(r_json), "%s/r.json", T);
	snprintf(int_json, sizeof(int_json), "%s/int.json", T);
	snprintf(p, sizeof(p), "%s/.config", home_dir);
	mkdir_p(p, 0755);
	snprintf(p, sizeof(p), "%s/.bashrc", home_dir);
	write_str(p, "# the real HOME of the user running cagetest\n");
	mkdir_p(tmpdir_dir, 0755);
	mkdir_p(scratch_dir, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(T);
	return 0;
}

static void test_host_unchanged(void **state)
{
	char *argv[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "all", "--scratch", scratch_dir, "--json", r_json, NULL};
	struct snapshot before, after;
	char first[4096] = "", names[1024];
	size_t litter_before[3], litter_after[3];
	const char *shared[3] = {"/tmp", "/var/tmp", "/dev/shm"};
	struct report rep;
	char *json = NULL, err[256];
	int st;

	(void)state;
	for (int i = 0; i < 3; i++)
		litter_before[i] = our_litter(shared[i], first, sizeof(first));
	snap(&before);
	pid_t pid = start(argv);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1); /* escapes everywhere: the control works */
	snap(&after);

	assert_same("$HOME", before.home, after.home);
	assert_same("$TMPDIR", before.tmpdir, after.tmpdir);
	assert_same("the checkout (git status)", before.git, after.git);
	assert_same("the mount table", before.mounts, after.mounts);
	assert_same("SysV IPC objects", before.sysv, after.sysv);
	assert_same("POSIX message queues", before.mqueue, after.mqueue);
	/* the keys the host invalidated stay listed until the kernel's key GC
	 * (a workqueue, late on a busy machine) takes them: up to 10 s */
	for (int i = 0; i < 500 && strcmp(before.keys, after.keys); i++) {
		usleep(20000);
		free(after.keys);
		after.keys = keys_text();
	}
	assert_same("keyrings", before.keys, after.keys);
	for (int i = 0; i < 3; i++) {
		litter_after[i] = our_litter(shared[i], first, sizeof(first));
		if (litter_after[i] > litter_before[i])
			fail_msg("the run left %s", first);
	}
	if (!dir_empty(scratch_dir, first, sizeof(first)))
		fail_msg("the scratch root is still there: %s", first);
	if (live_children(names, sizeof(names)))
		fail_msg("processes outlived the run: %s", names);
	/* and the battery really ran: escapes were seen, so the checks above mean something */
	assert_int_equal(read_file(r_json, 16 << 20, &json, NULL), 0);
	assert_int_equal(report_from_json(json, &rep, err, sizeof(err)), 0);
	assert_true(rep.summary[V_ESCAPE] >= 100);
	report_free(&rep);
	free(json);
	snap_free(&before);
	snap_free(&after);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait until a scratch root exists under dir and its listeners are up (its
 * cases/ is a tmpfs only the run sees), then give cases time to start. */
static bool wait_running(const char *dir, double timeout)
{
	double end = now() + timeout;
	char first[256];

	while (now() < end) {
		if (!dir_empty(dir, first, sizeof(first))) {
			char sock[4096];
			struct stat st;
			snprintf(sock, sizeof(sock), "%s/%s/run/host.sock", dir, first);
			if (stat(sock, &st) == 0) {
				usleep(300000);
				return true;
			}
		}
		usleep(20000);
	}
	return false;
}

static void interrupt_with(int sig)
{
	char *argv[] = {CAGETEST, "run",      "-q",	   "-b",   "none,landlock", "-m", "all", "--scratch",
			scratch_dir, "--json", int_json, "-j", "2",	      NULL};
	char first[4096], names[1024];
	int st;

	unlink(int_json);
	pid_t pid = start(argv);
	assert_true(wait_running(scratch_dir, 60));
	usleep(300000);
	double t0 = now();
	kill(pid, sig);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	double took = now() - t0;
	if (took > 2.5)
		fail_msg("signal %d: the run took %.2f s to stop", sig, took);
	assert_true(WIFEXITED(st));
	assert_true(WEXITSTATUS(st) == 3 || WEXITSTATUS(st) == 1);
	if (!dir_empty(scratch_dir, first, sizeof(first)))
		fail_msg("signal %d: scratch root left: %s", sig, first);
	if (live_children(names, sizeof(names)))
		fail_msg("signal %d: processes left: %s", sig, names);
	/* none, or a complete report marked interrupted */
	char *json = NULL, err[256];
	if (read_file(int_json, 16 << 20, &json, NULL) == 0) {
		struct report rep;
		if (report_from_json(json, &rep, err, sizeof(err)) < 0)
			fail_msg("signal %d: a half-written report: %s", sig, err);
		assert_true(rep.interrupted);
		report_free(&rep);
		free(json);
	}
}

static void test_sigint(void **state)
{
	(void)state;
	interrupt_with(SIGINT);
}

static void test_sigterm(void **state)
{
	(void)state;
	interrupt_with(SIGTERM);
}

/* The fd of pid's open file description on DIR/ROOT/.lock, copied into this
 * process (pidfd_getfd): the very thing a helper forked from the runner
 * without exec holds until it exits. */
static int copy_lock_fd(pid_t pid, const char *dir)
{
	char fds[64], link[4096], target[4096];
	struct dirent *e;
	int fd = -1;

	snprintf(fds, sizeof(fds), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(fds);
	while (d && fd < 0 && (e = readdir(d))) {
		ssize_t k;
		snprintf(link, sizeof(link), "%s/%s", fds, e->d_name);
		if ((k = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[k] = 0;
		if (!strncmp(target, dir, strlen(dir)) && strlen(target) > 6 && !strcmp(target + strlen(target) - 6, "/.lock")) {
			int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
			fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
			if (pidfd >= 0)
				close(pidfd);
		}
	}
	if (d)
		closedir(d);
	return fd;
}

/* A SIGKILLed run's root is collected by the next run, even while a process
 * that shares the runner's open file description on the root's lock (a
 * helper forked without exec, dying some time after its runner) lives on. */
static void test_stale_collected(void **state)
{
	char *argv[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "all", "--scratch", scratch_dir, NULL};
	char *again[] = {CAGETEST, "run", "-q", "-b", "none", "-p", "fs.write_workspace", "--scratch", scratch_dir, NULL};
	char first[4096], names[1024];
	int st, lingering;

	(void)state;
	pid_t pid = start(argv);
	assert_true(wait_running(scratch_dir, 60));
	lingering = copy_lock_fd(pid, scratch_dir);
	if (lingering < 0)
		fail_msg("cannot copy the runner's lock fd: %s", strerror(errno));
	usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	assert_false(dir_empty(scratch_dir, first, sizeof(first))); /* a SIGKILLed run cannot clean up */
	pid = start(again);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(lingering);
	if (!dir_empty(scratch_dir, first, sizeof(first)))
		fail_msg("the next run did not collect the stale root %s", first);
	/* whatever the killed run left running was in its cgroups, killed by the next run */
	usleep(100000);
	if (live_children(names, sizeof(names)))
		fail_msg("processes of the killed run survive: %s", names);
}

/* A root whose runner lives is never collected, however long the runner
 * is held (stopped here) while other runs start and end beside it. */
static void test_live_root_kept(void **state)
{
	char *argv[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "all", "--scratch", scratch_dir, NULL};
	char *again[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "workspace-write", "-p", "fs.write_workspace", "--scratch", scratch_dir, NULL};
	char first[256], root[4096];
	struct stat sb;
	int st;

	(void)state;
	pid_t pid = start(argv);
	assert_true(wait_running(scratch_dir, 60));
	kill(pid, SIGSTOP);
	assert_false(dir_empty(scratch_dir, first, sizeof(first)));
	snprintf(root, sizeof(root), "%s/%s", scratch_dir, first);
	pid_t other = start(again);
	assert_int_equal(waitpid(other, &st, 0), other);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	bool kept = stat(root, &sb) == 0;
	/* an older cagetest, which tests the flock only, sees it alive too */
	char lock[4200];
	snprintf(lock, sizeof(lock), "%s/.lock", root);
	int fd = open(lock, O_RDWR | O_CLOEXEC);
	bool flocked = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (fd >= 0)
		close(fd);
	kill(pid, SIGCONT);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!kept)
		fail_msg("a run collected %s while its runner was alive", root);
	if (!flocked)
		fail_msg("a live run's lock file is not flocked: an older cagetest would collect %s", root);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1); /* it ran to the end: escapes */
	if (!dir_empty(scratch_dir, first, sizeof(first)))
		fail_msg("the scratch root is still there: %s", first);
}

/* The test's own cgroup, NAME, below the caller's in the hierarchies a run
 * uses (v2, v1 pids and memory): dirs[] gets each one made. */
static size_t sub_cgroups(const char *name, char dirs[][512], size_t max)
{
	static const char *const v1[] = {"pids", "memory"};
	char *cg = file_text("/proc/self/cgroup"), *save = NULL;
	size_t n = 0;

	for (char *line = strtok_r(cg, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		char ctrl[64] = "", path[256] = "";
		const char *mnt = NULL;
		struct stat st;
		if (sscanf(line, "%*[^:]:%63[^:]:%255s", ctrl, path) != 2 && sscanf(line, "%*[^:]::%255s", path) != 1)
			continue;
		if (!ctrl[0]) /* v2: where it is mounted here */
			mnt = stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
		for (size_t i = 0; i < ARRAY_SIZE(v1) && !mnt; i++)
			if (!strcmp(ctrl, v1[i]))
				mnt = v1[i];
		if (!mnt)
			continue;
		snprintf(dirs[n], 512, "%s%s%s/%s", mnt[0] == '/' ? "" : "/sys/fs/cgroup/", mnt, strcmp(path, "/") ? path : "",
			 name);
		if (mkdir(dirs[n], 0755) == 0)
			n++;
	}
	free(cg);
	return n;
}

/* A run started in another pid namespace (a container sharing the host's
 * cgroup tree, where a live run's pid means nothing) leaves a live run's
 * cgroups alone. Both run in cgroups of the test's own, so nothing of
 * another run on this machine is in view. */
static void test_other_pidns_run(void **state)
{
	char *argv[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "all", "--scratch", scratch_dir, NULL};
	char *again[] = {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", CAGETEST, "run", "-q", "-b", "none", "-m",
			 "workspace-write", "-p", "fs.write_workspace", "--scratch", scratch_dir, NULL};
	char dirs[3][512], name[64], mine[64];
	size_t n;
	int st;

	(void)state;
	if (geteuid() != 0 || access(again[0], X_OK) < 0)
		skip(); /* cgroups of our own and a pid namespace need root and unshare(1) */
	snprintf(name, sizeof(name), "cagetest-test-%d", (int)getpid());
	if ((n = sub_cgroups(name, dirs, 3)) == 0)
		skip(); /* no writable cgroup hierarchy: runs make none */
	pid_t pid = start_in(argv, dirs, n);
	assert_true(wait_running(scratch_dir, 60));
	kill(pid, SIGSTOP);
	pid_t other = start_in(again, dirs, n);
	assert_int_equal(waitpid(other, &st, 0), other);
	bool kept = false;
	snprintf(mine, sizeof(mine), "cagetest-%d-", (int)pid);
	for (size_t i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		while (d && (e = readdir(d)))
			kept = kept || !strncmp(e->d_name, mine, strlen(mine));
		if (d)
			closedir(d);
	}
	kill(pid, SIGCONT);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	for (size_t i = 0; i < n; i++)
		rmdir(dirs[i]);
	assert_true(WIFEXITED(st));
	if (!kept)
		fail_msg("a run in another pid namespace removed a live run's cgroups");
	assert_int_equal(WEXITSTATUS(st), 1); /* it ran to the end: escapes, no errors */
}

/* A root as an older cagetest leaves it (its lock an flock, no mark) is
 * alive while that lock is held, and collected once it is free. */
static void test_older_root(void **state)
{
	char *again[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "workspace-write", "-p", "fs.write_workspace", "--scratch", scratch_dir, NULL};
	char root[128], lock[160], first[256];
	int st, ready[2];

	(void)state;
	snprintf(root, sizeof(root), "%s/cagetest-0ld0ne", scratch_dir);
	snprintf(lock, sizeof(lock), "%s/.lock", root);
	assert_int_equal(mkdir(root, 0711), 0);
	assert_int_equal(pipe(ready), 0);
	pid_t holder = fork();
	if (holder == 0) {
		int fd = open(lock, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], first, 1), 1);
	close(ready[0]);
	pid_t pid = start(again);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	bool kept = access(root, F_OK) == 0;
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	if (!kept)
		fail_msg("a run collected an older version's live root");
	pid = start(again);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!dir_empty(scratch_dir, first, sizeof(first)))
		fail_msg("the next run did not collect the older version's stale root %s", first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_unchanged),
		cmocka_unit_test(test_sigint),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_stale_collected),
		cmocka_unit_test(test_live_root_kept),
		cmocka_unit_test(test_older_root),
		cmocka_unit_test(test_other_pidns_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
