/* Live: build/dist/cagetest (make dist) alone in root file systems that
 * have none of cagetest's libraries, a Debian minbase with bubblewrap and a
 * busybox-only one (ci/images.sh builds them once, cached under
 * /var/tmp/cagetest-images). Each is entered as a container runtime would:
 * a private mount and pid namespace, an overlay over the cached tree (which
 * stays as built), a fresh /proc, a small /dev, sysfs read-only, and the
 * binary bind-mounted read-only at /usr/local/bin/cagetest; cagetest runs
 * as pid 1, as root and as uid 1000 with every capability dropped and
 * no_new_privs. doctor and a battery must judge there. Skips, with the
 * reason, where this host cannot build the dist or the images (no network
 * for the Debian sources, mmdebstrap or busybox-static missing) or the test
 * is not root. */
#include "../testutil.h"

#include <elf.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define DIST SRCDIR "/build/dist/cagetest"
#define IMAGES "/var/tmp/cagetest-images"
#define MNT BUILDDIR "/tests/dist-mnt"
#define ROOT MNT "/root" /* the overlay: the container's / */
#define USER_UID 1000
#define RUN_TIMEOUT 120 /* seconds per command: a bound, never expected */

static char skip_all[1024];
static struct image {
	const char *name;
	char root[4096];
	char skip[1024];
} images[] = {{"minbase", "", ""}, {"busybox", "", ""}};

static int setup(void **state)
{
	char why[512];
	int rc;

	(void)state;
	if (geteuid() != 0) {
		snprintf(skip_all, sizeof(skip_all), "needs root (namespaces, mounts, pivot_root)");
		return 0;
	}
	rc = dist_build(why, sizeof(why));
	if (rc == 77) {
		snprintf(skip_all, sizeof(skip_all), "cannot build the dist here: %s", why);
		return 0;
	}
	if (rc != 0)
		return -1; /* a broken build is a failure, never a skip */
	for (size_t i = 0; i < ARRAY_SIZE(images); i++) {
		char *img[] = {SRCDIR "/ci/images.sh", IMAGES, (char *)images[i].name, NULL};
		rc = script(img, images[i].root, sizeof(images[i].root), why, sizeof(why));
		if (rc == 77)
			snprintf(images[i].skip, sizeof(images[i].skip), "no %s image here: %s", images[i].name, why);
		else if (rc != 0)
			return -1;
	}
	mkdir(MNT, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(MNT);
	return 0;
}

static void bind_file(const char *from, const char *to, unsigned long ro)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || close(fd) < 0 || mount(from, to, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, to, NULL, MS_REMOUNT | MS_BIND | ro | MS_NOSUID, NULL) < 0)
		_exit(120);
}

/* Drop to uid like `docker run --user 1000 --cap-drop ALL
 * --security-opt no-new-privileges`: every capability set empty. */
static void drop_to(uid_t uid)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			_exit(121);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0 ||
	    syscall(SYS_capset, &h, d) < 0)
		_exit(122);
}

/* The container's pid 1: its file systems, then cagetest. */
static void container_init(uid_t uid, char **argv)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			uid ? "HOME=/tmp" : "HOME=/root", NULL};

	if (mount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    mount("sysfs", ROOT "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    mount("tmpfs", ROOT "/dev", "tmpfs", MS_NOSUID, "mode=0755") < 0)
		_exit(110);
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		char from[64], to[sizeof(ROOT) + 64];
		snprintf(from, sizeof(from), "/dev/%s", nodes[i]);
		snprintf(to, sizeof(to), ROOT "/dev/%s", nodes[i]);
		bind_file(from, to, 0);
	}
	if (mkdir(ROOT "/dev/pts", 0755) < 0 ||
	    mount("devpts", ROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0 ||
	    symlink("pts/ptmx", ROOT "/dev/ptmx") < 0 || mkdir(ROOT "/dev/shm", 01777) < 0 ||
	    mount("shm", ROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0 ||
	    mkdir_p(ROOT "/usr/local/bin", 0755) < 0)
		_exit(111);
	bind_file(DIST, ROOT "/usr/local/bin/cagetest", MS_RDONLY);
	if (chdir(ROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		_exit(112);
	if (uid)
		drop_to(uid);
	execve("/usr/local/bin/cagetest", argv, envp);
	_exit(127);
}

/* `cagetest ARGS` in image as uid: exit code, stdout and stderr. */
static int in_image(const struct image *im, uid_t uid, const char *args, char **out, char **err)
{
	char outp[] = BUILDDIR "/tests/.distoutXXXXXX", errp[] = BUILDDIR "/tests/.disterrXXXXXX";
	char cmd[1024], *argv[32];
	int ofd = mkstemp(outp), efd = mkstemp(errp), st = 0, argc = 0;
	double deadline = now_mono() + RUN_TIMEOUT;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "cagetest %s", args);
	for (char *t = strtok(cmd, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	assert_true(ofd >= 0 && efd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char opts[8192];
		dup2(ofd, 1), dup2(efd, 2);
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", MNT, "tmpfs", 0, "mode=0755") < 0 || mkdir(MNT "/upper", 0755) < 0 ||
		    mkdir(MNT "/work", 0755) < 0)
			_exit(100);
		snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=" MNT "/upper,workdir=" MNT "/work", im->root);
		if (mkdir(ROOT, 0755) < 0 || mount("overlay", ROOT, "overlay", 0, opts) < 0)
			_exit(101);
		pid_t init = fork();
		if (init == 0)
			container_init(uid, argv);
		if (init < 0 || waitpid(init, &st, 0) < 0)
			_exit(102);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_mono() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("cagetest %s in %s did not end in %d s", args, im->name, RUN_TIMEOUT);
		}
		usleep(50 * 1000);
	}
	close(ofd), close(efd);
	if (read_file(outp, 64 << 20, out, NULL) < 0)
		*out = strdup("");
	if (read_file(errp, 64 << 20, err, NULL) < 0)
		*err = strdup("");
	unlink(outp), unlink(errp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The image (NULL: only the dist), or a skip with the reason. */
static const struct image *need(const char *name)
{
	if (skip_all[0]) {
		print_message("skipped: %s\n", skip_all);
		skip();
	}
	for (size_t i = 0; name && i < ARRAY_SIZE(images); i++)
		if (!strcmp(images[i].name, name)) {
			if (images[i].skip[0]) {
				print_message("skipped: %s\n", images[i].skip);
				skip();
			}
			return &images[i];
		}
	if (name)
		fail_msg("no image %s", name);
	return NULL;
}

/* One file: no interpreter, no shared library needed. */
static void test_dist_is_one_static_file(void **state)
{
	_cleanup_free_ char *elf = NULL;
	size_t len;
	const Elf64_Ehdr *eh;

	(void)state;
	need(NULL);
	assert_int_equal(read_file(DIST, 64 << 20, &elf, &len), 0);
	eh = (const Elf64_Ehdr *)elf;
	assert_true(len > sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_machine == EM_X86_64);
	assert_true(eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) <= len);
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf + eh->e_phoff) + i;
		if (ph->p_type == PT_INTERP)
			fail_msg("%s has an interpreter: not static", DIST);
		if (ph->p_type != PT_DYNAMIC)
			continue;
		assert_true(ph->p_offset + ph->p_filesz <= len);
		for (const Elf64_Dyn *d = (const Elf64_Dyn *)(elf + ph->p_offset); d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_NEEDED)
				fail_msg("%s needs a shared library", DIST);
	}
}

/* The images really lack what the dist must not need. */
static void test_images_lack_the_libraries(void **state)
{
	static const char *const libs[] = {"libseccomp.so", "libcjson.so", "libxml2.so", "libicuuc.so"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(images); i++) {
		const struct image *im = need(images[i].name);
		char *argv[] = {"/usr/bin/find", (char *)im->root, "-name", "lib*.so*", NULL};
		char *out = NULL, *err = NULL;
		assert_int_equal(run_cmd(argv, &out, &err), 0);
		for (size_t k = 0; k < ARRAY_SIZE(libs); k++)
			if (strstr(out, libs[k]))
				fail_msg("the %s image has %s", im->name, libs[k]);
		free(out), free(err);
	}
}

/* doctor names the facts and judges landlock in its short battery. */
static void doctor_in(const char *name, uid_t uid)
{
	const struct image *im = need(name);
	char *out = NULL, *err = NULL, want[64];
	double t0 = now_mono();
	int rc = in_image(im, uid, "doctor", &out, &err);

	print_message("%s as uid %u: doctor, exit %d in %.2f s\n", name, uid, rc, now_mono() - t0);

	if (rc != 0 && rc != 1)
		fail_msg("doctor in %s as uid %u: exit %d\n%s%s", name, uid, rc, out, err);
	snprintf(want, sizeof(want), "uid           %u", uid);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, uid ? "no_new_privs  set" : "no_new_privs  not set"));
	assert_non_null(strstr(out, "landlock   available"));
	assert_non_null(strstr(out, "with landlock: "));
	assert_null(strstr(err, "no such suite"));
	free(out), free(err);
}

/* A battery under landlock (and bwrap where the image has it): every row
 * judged, none an error; the control and the sandbox both ran. */
static void run_in(const char *name, uid_t uid)
{
	const struct image *im = need(name);
	char bw[4096], *out = NULL, *err = NULL, perr[256];
	bool bwrap = snprintf(bw, sizeof(bw), "%s/usr/bin/bwrap", im->root) > 0 && access(bw, X_OK) == 0;
	const char *backends[] = {"landlock", bwrap ? "bwrap" : NULL};
	struct report rep;
	double t0 = now_mono();
	int rc = in_image(im, uid, bwrap ? "run -q -b landlock,bwrap -m workspace-write --json -"
					 : "run -q -b landlock -m workspace-write --json -",
			  &out, &err);

	print_message("%s as uid %u: run, exit %d in %.2f s\n", name, uid, rc, now_mono() - t0);
	if (report_from_json(out, &rep, perr, sizeof(perr)) < 0)
		fail_msg("run in %s as uid %u: exit %d, no report (%s)\n%s", name, uid, rc, perr, err);
	if (rc != 0 && rc != 1)
		fail_msg("run in %s as uid %u: exit %d\n%s", name, uid, rc, err);
	assert_int_equal(rep.host.uid, uid);
	assert_int_equal(rep.summary[V_ERROR], 0);
	for (size_t b = 0; b < ARRAY_SIZE(backends) && backends[b]; b++) {
		const struct backend_info *bi = report_backend(&rep, backends[b]);
		size_t pass = 0, rows = 0;
		if (!bi || !bi->available)
			fail_msg("%s in %s as uid %u: unavailable: %s", backends[b], name, uid, bi ? bi->reason : "absent");
		for (size_t i = 0; i < rep.nresults; i++)
			if (!strcmp(rep.results[i].backend, backends[b])) {
				rows++;
				pass += rep.results[i].verdict == V_PASS;
			}
		print_message("%s as uid %u, %s: %zu rows, %zu pass\n", name, uid, backends[b], rows, pass);
		assert_true(rows >= 30);
		assert_true(pass >= rows / 2); /* judged rows, not a wall of skips */
	}
	report_free(&rep);
	free(out), free(err);
}

static void test_minbase_root(void **state)
{
	(void)state;
	doctor_in("minbase", 0);
	run_in("minbase", 0);
}

static void test_minbase_user(void **state)
{
	(void)state;
	doctor_in("minbase", USER_UID);
	run_in("minbase", USER_UID);
}

static void test_busybox_root(void **state)
{
	(void)state;
	doctor_in("busybox", 0);
	run_in("busybox", 0);
}

static void test_busybox_user(void **state)
{
	(void)state;
	doctor_in("busybox", USER_UID);
	run_in("busybox", USER_UID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dist_is_one_static_file), cmocka_unit_test(test_images_lack_the_libraries),
		cmocka_unit_test(test_minbase_root),		cmocka_unit_test(test_minbase_user),
		cmocka_unit_test(test_busybox_root),		cmocka_unit_test(test_busybox_user),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
