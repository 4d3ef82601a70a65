#include "scratch.h"

#include "../lib/path.h"
#include "../lib/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The fixture: a workspace that looks like a real project (a git repository
 * with config and hooks dir, the agent's .codex/ and .agents/, nested
 * repositories (one level down, four levels down, and under a directory
 * .gitignore hides), a symlink toward outside), a fake HOME with the usual
 * persistence targets, and empty outside/, tmp/ and shm/. */
static const struct fixture_entry {
	const char *path; /* relative to the template; trailing '/' = directory */
	const char *text; /* file content, or symlink target when mode == 0 */
	int mode;
} fixture[] = {
	{"ws/", NULL, 0755},
	{"ws/README.md", "# demo project\n", 0644},
	{"ws/src/", NULL, 0755},
	{"ws/src/main.c", "int main(void) { return 0; }\n", 0644},
	{"ws/.codex/", NULL, 0755},
	{"ws/.codex/config.toml", "# agent config: must stay read-only\n", 0644},
	{"ws/.agents/", NULL, 0755},
	{"ws/.agents/AGENTS.md", "# agent instructions: must stay read-only\n", 0644},
	{"ws/link-outside", "../outside", 0},
	{"ws/nested/", NULL, 0755},
	{"ws/nested/file.txt", "nested repository\n", 0644},
	/* repositories a depth-limited or ignore-respecting scan for .git misses */
	{"ws/.gitignore", "vendor/\n", 0644},
	{"ws/vendor/", NULL, 0755},
	{"ws/vendor/lib/", NULL, 0755},
	{"ws/a/", NULL, 0755},
	{"ws/a/b/", NULL, 0755},
	{"ws/a/b/c/", NULL, 0755},
	{"ws/a/b/c/d/", NULL, 0755},
	/* a deny-listed file below the top (srt denies .mcp.json at any depth, strict protects it) */
	{"ws/tools/", NULL, 0755},
	{"ws/tools/.mcp.json", "{\"mcpServers\": {}}\n", 0644},
	{"outside/", NULL, 0755},
	{"home/", NULL, 0755},
	{"home/.bashrc", "# fake HOME\n", 0644},
	{"home/.profile", "# fake HOME\n", 0644},
	{"home/.gitconfig", "[user]\n\tname = cagetest\n", 0644},
	{"home/.ssh/", NULL, 0700},
	{"home/.ssh/authorized_keys", "", 0600},
	{"home/.config/", NULL, 0755},
	{"home/.config/autostart/", NULL, 0755},
	{"home/.codex/", NULL, 0755},
	{"home/.codex/config.toml", "# user's agent config\n", 0644},
	/* first on the launcher's PATH (launcher_path), as ~/.profile makes it */
	{"home/.local/", NULL, 0755},
	{"home/.local/bin/", NULL, 0755},
	{"tmp/", NULL, 01777},
	{"shm/", NULL, 01777},
};

/* What `git init` would make, minus the sample hooks: git treats it as a
 * repository, reads its config and runs its hooks. */
static const struct fixture_entry git_dir[] = {
	{"HEAD", "ref: refs/heads/main\n", 0644},
	{"config", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n", 0644},
	{"description", "cagetest fixture\n", 0644},
	{"hooks/", NULL, 0755},
	{"info/", NULL, 0755},
	{"info/exclude", "", 0644},
	{"objects/", NULL, 0755},
	{"objects/info/", NULL, 0755},
	{"objects/pack/", NULL, 0755},
	{"refs/", NULL, 0755},
	{"refs/heads/", NULL, 0755},
	{"refs/tags/", NULL, 0755},
};

static int make_entries(const char *base, const struct fixture_entry *e, size_t n)
{
	char p[PATH_MAX];
	int r;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(e[i].path);
		if ((r = fmt(p, sizeof(p), "%s/%s", base, e[i].path)) < 0)
			return r;
		if (e[i].path[len - 1] == '/') {
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return neg_errno();
			if (chmod(p, (mode_t)e[i].mode) < 0)
				return neg_errno();
		} else if (e[i].mode == 0) {
			if (symlink(e[i].text, p) < 0)
				return neg_errno();
		} else {
			if ((r = write_file(p, e[i].text, strlen(e[i].text), e[i].mode)) < 0)
				return r;
			if (chmod(p, (mode_t)e[i].mode) < 0)
				return neg_errno();
		}
	}
	return 0;
}

static int build_template(const char *t)
{
	char p[PATH_MAX];
	int r;

	if (mkdir(t, 0755) < 0)
		return neg_errno();
	if ((r = make_entries(t, fixture, ARRAY_SIZE(fixture))) < 0)
		return r;
	for (const char *const *repo = (const char *const[]){"ws/.git", "ws/nested/.git", "ws/vendor/lib/.git", "ws/a/b/c/d/.git", NULL}; *repo; repo++) {
		if ((r = fmt(p, sizeof(p), "%s/%s", t, *repo)) < 0)
			return r;
		if (mkdir(p, 0755) < 0)
			return neg_errno();
		if ((r = make_entries(p, git_dir, ARRAY_SIZE(git_dir))) < 0)
			return r;
	}
	return 0;
}

/* Refuse /tmp and $TMPDIR: many sandboxes make them writable by design, so
 * canaries there would prove nothing. */
static int check_parent(const char *parent, char *err, size_t n)
{
	char real[PATH_MAX], tmpreal[PATH_MAX];
	const char *tmpdir = getenv("TMPDIR");

	if (!realpath(parent, real)) {
		snprintf(err, n, "--scratch %s: %s", parent, strerror(errno));
		return -errno;
	}
	if (path_is_under(real, "/tmp") || path_is_under(real, "/dev/shm") ||
	    (tmpdir && *tmpdir && realpath(tmpdir, tmpreal) && strcmp(tmpreal, "/") && path_is_under(real, tmpreal))) {
		snprintf(err, n,
			 "--scratch %s: inside /tmp, /dev/shm or $TMPDIR, which sandboxes often make writable. Hint: use "
			 "/var/tmp or a dir of your own",
			 parent);
		return -EINVAL;
	}
	return 0;
}

int scratch_create(struct scratch *s, const char *parent, char *err, size_t n)
{
	char lock[PATH_MAX];
	int r;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	if (!parent)
		parent = SCRATCH_DEFAULT_PARENT;
	if ((r = check_parent(parent, err, n)) < 0)
		return r;
	scratch_collect_stale(parent);
	if ((r = fmt(s->root, sizeof(s->root), "%s/" SCRATCH_PREFIX "XXXXXX", parent)) < 0)
		return r;
	if (!mkdtemp(s->root)) {
		snprintf(err, n, "%s: cannot create the scratch root: %s", parent, strerror(errno));
		return neg_errno();
	}
	/* traversable by a dropped uid (setuid probe, --user); listing stays private */
	chmod(s->root, 0711);
	fmt(lock, sizeof(lock), "%s/.lock", s->root);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = neg_errno();
		goto fail;
	}
	fmt(s->run, sizeof(s->run), "%s/run", s->root);
	fmt(s->template_dir, sizeof(s->template_dir), "%s/template", s->root);
	if (mkdir(s->run, 0755) < 0 || (r = build_template(s->template_dir)) < 0 ||
	    (r = fmt(lock, sizeof(lock), "%s/cases", s->root)) < 0 || mkdir(lock, 0711) < 0) {
		r = r < 0 ? r : neg_errno();
		goto fail;
	}
	return 0;
fail:
	snprintf(err, n, "%s: cannot prepare the scratch root: %s", s->root, strerror(-r));
	scratch_destroy(s);
	return r;
}

int scratch_new_case(struct scratch *s, char *case_root, size_t n)
{
	int r = fmt(case_root, n, "%s/cases/%u", s->root, s->next_case++);

	if (r < 0)
		return r;
	r = copy_tree(s->template_dir, case_root);
	if (r == 0)
		chmod(case_root, 0711);
	return r;
}

int scratch_cases_on_tmpfs(struct scratch *s)
{
	char cases[PATH_MAX];
	int r = fmt(cases, sizeof(cases), "%s/cases", s->root);

	if (r < 0)
		return r;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("cagetest", cases, "tmpfs", 0, "mode=0711") < 0)
		return neg_errno();
	s->cases_tmpfs = true;
	return 0;
}

int scratch_destroy(struct scratch *s)
{
	int r = 0;

	if (s->cases_tmpfs) {
		char cases[PATH_MAX];
		if (fmt(cases, sizeof(cases), "%s/cases", s->root) == 0)
			umount2(cases, MNT_DETACH);
		s->cases_tmpfs = false;
	}
	if (s->root[0])
		r = rm_rf(s->root);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	s->root[0] = 0;
	return r;
}

int scratch_collect_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char p[PATH_MAX], lock[PATH_MAX];
		struct stat st;
		int fd;
		if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) || strlen(e->d_name) != strlen(SCRATCH_PREFIX) + 6)
			continue;
		if (fmt(p, sizeof(p), "%s/%s", parent, e->d_name) < 0 || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != getuid())
			continue;
		if (fmt(lock, sizeof(lock), "%s/.lock", p) < 0)
			continue;
		fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue; /* not ours, or half-created: leave it */
		/* a live run holds the lock */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && rm_rf(p) == 0)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}
