/* The fs verify decisions on fabricated host states: for each probe, the
 * armed fixture untouched (blocked), the effect done by hand on the host
 * (allowed), and evidence the host cannot read (unknown). */
#include "../verifyutil.h"

#include <fcntl.h>
#include <sys/xattr.h>

typedef void (*mutate_fn)(const struct probe_env *env);

struct fcase {
	const char *id;
	mutate_fn allow;   /* the effect, done by hand */
	mutate_fn unknown; /* the evidence made unreadable (NULL: no such state) */
};

static void token_into(const struct probe_env *env, const char *path)
{
	char line[64];

	snprintf(line, sizeof(line), "%s\n", env->token);
	vt_append(path, line);
}

static void canary_touch(const struct probe_env *env)
{
	vt_append(vt_path(env, "outside/%s.txt", env->token), "changed\n");
}
static void canary_loop(const struct probe_env *env)
{
	vt_loop(vt_path(env, "outside/%s.txt", env->token));
}
static void canary_gone(const struct probe_env *env)
{
	assert_int_equal(unlink(vt_path(env, "outside/%s.txt", env->token)), 0);
}
static void outside_loop(const struct probe_env *env)
{
	vt_loop(vt_path(env, "outside"));
}

static void do_rmdir(const struct probe_env *env)
{
	assert_int_equal(rmdir(vt_path(env, "outside/%s-dir", env->token)), 0);
}
static void do_rename_in(const struct probe_env *env)
{
	assert_int_equal(rename(vt_path(env, "outside/%s-in.txt", env->token), vt_path(env, "ws/%s-in.txt", env->token)), 0);
}
static void do_exchange(const struct probe_env *env)
{
	assert_int_equal(renameat2(AT_FDCWD, vt_path(env, "ws/%s-swap.txt", env->token), AT_FDCWD,
				   vt_path(env, "outside/%s.txt", env->token), RENAME_EXCHANGE),
			 0);
}
static void do_chmod(const struct probe_env *env)
{
	assert_int_equal(chmod(vt_path(env, "outside/%s.txt", env->token), 0600), 0);
}
static void do_chown(const struct probe_env *env)
{
	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	assert_int_equal(chown(vt_path(env, "outside/%s.txt", env->token), 65534, (gid_t)-1), 0);
}
static void do_utimes(const struct probe_env *env)
{
	assert_int_equal(utimensat(AT_FDCWD, vt_path(env, "outside/%s.txt", env->token), NULL, 0), 0);
}
static void do_xattr(const struct probe_env *env)
{
	assert_int_equal(setxattr(vt_path(env, "outside/%s.txt", env->token), "user.cagetest", env->token,
				  strlen(env->token), 0),
			 0);
}
static void leaked_write(const struct probe_env *env)
{
	token_into(env, vt_path(env, "outside/leaked.txt"));
}
static void leaked_loop(const struct probe_env *env)
{
	vt_loop(vt_path(env, "outside/leaked.txt"));
}
static void mnt_touch(const struct probe_env *env)
{
	vt_append(vt_path(env, "outside/%s-mnt/canary.txt", env->token), "changed\n");
}
static void mnt_loop(const struct probe_env *env)
{
	vt_loop(vt_path(env, "outside/%s-mnt/canary.txt", env->token));
}

#define HOME_FILE(fn, rel)                                                                                  \
	static void fn##_write(const struct probe_env *env)                                                 \
	{                                                                                                   \
		token_into(env, vt_path(env, "%s", rel));                                                   \
	}                                                                                                   \
	static void fn##_loop(const struct probe_env *env)                                                  \
	{                                                                                                   \
		vt_loop(vt_path(env, "%s", rel));                                                           \
	}
HOME_FILE(bashrc, "home/.bashrc")
HOME_FILE(profile, "home/.profile")
HOME_FILE(keys, "home/.ssh/authorized_keys")
HOME_FILE(codex, "home/.codex/config.toml")

static void autostart_write(const struct probe_env *env)
{
	token_into(env, vt_path(env, "home/.config/autostart/%s.desktop", env->token));
}
static void autostart_loop(const struct probe_env *env)
{
	vt_loop(vt_path(env, "home/.config/autostart"));
}

static const struct fcase cases[] = {
	{"fs.rmdir_outside", do_rmdir, outside_loop},
	{"fs.rename_in", do_rename_in, outside_loop},
	{"fs.rename_exchange", do_exchange, canary_loop},
	{"fs.proc_self_cwd", canary_touch, canary_loop},
	{"fs.dev_fd_path", canary_touch, canary_loop},
	{"fs.chmod_outside", do_chmod, canary_gone},
	{"fs.chown_outside", do_chown, canary_gone},
	{"fs.utimes_outside", do_utimes, canary_gone},
	{"fs.xattr_outside", do_xattr, canary_loop},
	{"fs.leaked_fd_write", leaked_write, leaked_loop},
	{"fs.io_uring_write", canary_touch, canary_loop},
	{"fs.mountns_remount", mnt_touch, mnt_loop},
	{"fs.open_by_handle", canary_touch, canary_loop},
	{"fs.home_bashrc", bashrc_write, bashrc_loop},
	{"fs.home_profile", profile_write, profile_loop},
	{"fs.home_ssh_keys", keys_write, keys_loop},
	{"fs.home_autostart", autostart_write, autostart_loop},
	{"fs.home_codex_config", codex_write, codex_loop},
};

enum state { S_BLOCKED, S_ALLOWED, S_UNKNOWN };

struct tcase {
	const struct fcase *c;
	enum state s;
};

static void run_case(void **state)
{
	const struct tcase *t = *state;
	struct probe_env env;

	vt_case(&env, t->c->id, 0);
	if (t->s == S_ALLOWED)
		t->c->allow(&env);
	else if (t->s == S_UNKNOWN)
		t->c->unknown(&env);
	vt_expect(&env, t->c->id, t->s == S_ALLOWED ? OBS_ALLOWED : t->s == S_BLOCKED ? OBS_BLOCKED : OBS_UNKNOWN);
}

/* Batch mode: the effect done under another probe's token is not this one's. */
static void test_other_token(void **state)
{
	struct probe_env env, other;

	(void)state;
	vt_case(&env, "fs.home_profile", 0);
	other = env;
	probe_env_set_slot(&other, 1);
	profile_write(&other);
	vt_expect(&env, "fs.home_profile", OBS_BLOCKED);
	vt_case(&env, "fs.xattr_outside", 0);
	assert_int_equal(setxattr(vt_path(&env, "outside/%s.txt", env.token), "user.cagetest", other.token,
				  strlen(other.token), 0),
			 0);
	vt_expect(&env, "fs.xattr_outside", OBS_BLOCKED);
}

int main(void)
{
	static const char *const names[] = {"blocked", "allowed", "unknown"};
	struct CMUnitTest tests[3 * ARRAY_SIZE(cases) + 1];
	struct tcase tc[3 * ARRAY_SIZE(cases)];
	char labels[3 * ARRAY_SIZE(cases)][64];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		for (int s = S_BLOCKED; s <= S_UNKNOWN; s++) {
			if (s == S_UNKNOWN && !cases[i].unknown)
				continue;
			tc[n] = (struct tcase){&cases[i], (enum state)s};
			snprintf(labels[n], sizeof(labels[n]), "%s %s", cases[i].id, names[s]);
			tests[n] = (struct CMUnitTest){labels[n], run_case, NULL, NULL, &tc[n]};
			n++;
		}
	tests[n++] = (struct CMUnitTest){"other_token", test_other_token, NULL, NULL, NULL};
	return _cmocka_run_group_tests("verify_fs", tests, n, vt_setup, vt_teardown);
}
