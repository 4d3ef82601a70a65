#include "common.h"

#include "../lib/util.h"
#include "record.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

int ppath(const struct probe_env *env, char *buf, const char *f, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(rel, sizeof(rel), f, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(rel))
		return -ENAMETOOLONG;
	return probe_path(env, buf, PATH_MAX, rel);
}

int arm_canary(const struct probe_env *env, const char *rel)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int r = ppath(env, path, "%s", rel);

	if (r < 0)
		return r;
	memcpy(dir, path, sizeof(dir));
	r = mkdir_p(dirname(dir), 0755);
	if (r < 0)
		return r;
	return write_str(path, CANARY_TEXT);
}

int arm_sentinel(const struct probe_env *env, char *why, size_t n)
{
	if (env->sentinel > 0)
		return 0;
	snprintf(why, n, "no sentinel process");
	return -EOPNOTSUPP;
}

int put_token(const struct probe_env *env, const char *path, int flags)
{
	char line[64];

	snprintf(line, sizeof(line), "%s\n", env->token);
	return put_text(path, flags, line);
}

int put_text(const char *path, int flags, const char *text)
{
	return put_text_at(AT_FDCWD, path, flags, text);
}

int put_text_at(int dfd, const char *path, int flags, const char *text)
{
	_cleanup_close_ int fd = openat(dfd, path, flags | O_CLOEXEC, 0644);
	int r = fd < 0 ? neg_errno() : 0;

	/* a create said to fail may have created: write whatever is there now
	 * (a file that really is not there, or not writable, refuses it) */
	if (fd < 0 && (flags & O_CREAT) && r != -EEXIST)
		fd = openat(dfd, path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_CLOEXEC);
	if (fd < 0)
		return r;
	int w = write_all(fd, text, strlen(text));
	return r ? r : w;
}

ino_t namespace_of(const char *kind)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/self/ns/%s", kind);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

int own_mount_ns(int flags, const char *step, struct attempt *a)
{
	ino_t parent = namespace_of("mnt");
	int r = unshare(flags) < 0 ? fail_at(a, step, neg_errno()) : 0;

	if (!parent || namespace_of("mnt") == parent)
		return r ? r : fail_at(a, "still in the parent's mount namespace", -EPERM);
	return 0;
}

int private_mounts(struct attempt *a)
{
	_cleanup_free_ char *mi = NULL;
	int r = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? fail_at(a, "make mounts private", neg_errno()) : 0;

	/* no mount event may propagate out of this namespace */
	if (read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL) < 0 || strstr(mi, " shared:")) {
		int e = fail_at(a, "mounts still shared", -EPERM);
		return r ? r : e;
	}
	return 0;
}

int append_token(const struct probe_env *env, const char *rel, struct attempt *a)
{
	char p[PATH_MAX];
	int r = ppath(env, p, "%s", rel);

	return r < 0 ? r : fail_at(a, rel, put_token(env, p, O_WRONLY | O_APPEND));
}

void detail_add(struct attempt *a, const char *f, ...)
{
	size_t k = strlen(a->detail);
	va_list ap;

	if (k + 2 >= sizeof(a->detail))
		return;
	if (k)
		k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, "; ");
	va_start(ap, f);
	vsnprintf(a->detail + k, sizeof(a->detail) - k, f, ap);
	va_end(ap);
}

int fail_at(struct attempt *a, const char *step, int err)
{
	if (err < 0)
		detail_add(a, "%s: %s", step, errno_name(err));
	return err;
}

size_t token_msg(const struct probe_env *env, char *buf, size_t n)
{
	snprintf(buf, n, "CAGETEST %s\n", env->token);
	return strlen(buf);
}

int open_socket(int domain, int type, int protocol, struct attempt *a)
{
	struct timeval tv = {.tv_sec = 2};
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return fail_at(a, "socket", neg_errno());
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

void bind_source(const struct probe_env *env, int fd, const struct sockaddr *to, struct attempt *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	/* an AF_INET6 socket reaches an IPv4 listener from an IPv4-mapped source */
	bool mapped = to->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)to)->sin6_addr);

	if (probe_source(env, mapped ? AF_INET : to->sa_family, &ss, &len) < 0)
		return;
	if (mapped) {
		struct in_addr v4 = ((struct sockaddr_in *)&ss)->sin_addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		*a6 = (struct sockaddr_in6){.sin6_family = AF_INET6};
		a6->sin6_addr.s6_addr[10] = a6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&a6->sin6_addr.s6_addr[12], &v4, sizeof(v4));
		len = sizeof(*a6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		fail_at(a, "bind source", neg_errno());
}

int send_bytes(const struct probe_env *env, int domain, int type, int protocol, const void *addr, unsigned len,
	       const void *buf, size_t n, struct attempt *a)
{
	_cleanup_close_ int fd = open_socket(domain, type, protocol, a);
	int r;

	if (fd < 0)
		return fd;
	if (env)
		bind_source(env, fd, addr, a);
	if (type == SOCK_DGRAM)
		return sendto(fd, buf, n, 0, addr, len) < 0 ? fail_at(a, "sendto", neg_errno()) : 0;
	/* a connect said to fail is not the end: send anyway (a socket that
	 * really is not connected refuses it harmlessly) */
	r = connect(fd, addr, len) < 0 ? fail_at(a, "connect", neg_errno()) : 0;
	if (send(fd, buf, n, MSG_NOSIGNAL) < 0 && r == 0)
		r = fail_at(a, "send", neg_errno());
	return r;
}

int send_msg(const struct probe_env *env, int domain, int type, int protocol, const void *addr, unsigned len,
	     const char *msg, struct attempt *a)
{
	return send_bytes(env, domain, type, protocol, addr, len, msg, strlen(msg), a);
}

int send_token(const struct probe_env *env, int domain, int type, const void *addr, unsigned len,
	       struct attempt *a)
{
	char msg[64];

	token_msg(env, msg, sizeof(msg));
	return send_msg(env, domain, type, 0, addr, len, msg, a);
}

int probe_hold(const struct probe_env *env)
{
	return probe_hold_port(env, 0);
}

int probe_hold_port(const struct probe_env *env, int port)
{
	/* the host finds this process by its name */
	prctl(PR_SET_NAME, env->token);
	int r = record_write(1, env->nonce, &(struct record){.t = REC_INSPECT, .slot = env->slot, .port = port});
	if (r < 0)
		return r;
	/* the host writes one byte once it has looked; EOF if it never will */
	record_wait_resume(0);
	return 0;
}

int case_owner(const struct probe_env *env, uid_t *uid, gid_t *gid)
{
	struct stat st;

	if (stat(env->root, &st) < 0)
		return neg_errno();
	*uid = st.st_uid;
	*gid = st.st_gid;
	return 0;
}

int attempt_hold(const struct probe_env *env, struct attempt *a)
{
	(void)a;
	return probe_hold(env);
}

bool v_inspected(const struct host_view *hv, char *d, size_t n)
{
	if (hv->inspect && hv->inspect->found)
		return true;
	snprintf(d, n, "the host could not inspect the probe process");
	return false;
}

int read_rel(const struct probe_env *env, const char *rel, char **text, size_t *len)
{
	char path[PATH_MAX];
	int r = ppath(env, path, "%s", rel);

	return r < 0 ? r : read_file(path, 1 << 20, text, len);
}

const char *token_line(char *text, const char *token)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, token))
			return line;
	return NULL;
}

enum observed v_has_token(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_rel(hv->env, rel, &text, &len);

	if (r < 0) {
		snprintf(d, n, "%s: %s", rel, r == -ENOENT ? "absent" : errno_name(r));
		return r == -ENOENT || r == -ENOTDIR ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	if (mem_contains(text, len, hv->env->token)) {
		snprintf(d, n, "%s carries the probe's token", rel);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "%s has no token", rel);
	return OBS_BLOCKED;
}

enum observed v_planted(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	char path[PATH_MAX];
	struct stat st;

	if (ppath(hv->env, path, "%s", rel) < 0 || lstat(path, &st) < 0)
		return v_exists(hv, rel, d, n);
	if (S_ISDIR(st.st_mode)) {
		snprintf(d, n, "%s/ was planted", rel);
		return OBS_ALLOWED;
	}
	enum observed o = v_has_token(hv, rel, d, n);
	if (o == OBS_BLOCKED)
		snprintf(d, n, "%s was planted (without the token)", rel);
	return o == OBS_UNKNOWN ? o : OBS_ALLOWED;
}

enum observed v_canary_changed(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_rel(hv->env, rel, &text, &len);

	if (r == -ENOENT) {
		snprintf(d, n, "%s is gone", rel);
		return OBS_ALLOWED;
	}
	if (r < 0) {
		snprintf(d, n, "%s: %s", rel, errno_name(r));
		return OBS_UNKNOWN;
	}
	if (len != strlen(CANARY_TEXT) || memcmp(text, CANARY_TEXT, len)) {
		snprintf(d, n, "%s changed (%zu bytes, was %zu)", rel, len, strlen(CANARY_TEXT));
		return OBS_ALLOWED;
	}
	snprintf(d, n, "%s unchanged", rel);
	return OBS_BLOCKED;
}

enum observed v_exists(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	char path[PATH_MAX];
	struct stat st;

	if (ppath(hv->env, path, "%s", rel) < 0)
		return OBS_UNKNOWN;
	if (lstat(path, &st) == 0) {
		snprintf(d, n, "%s exists", rel);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "%s absent", rel);
	return errno == ENOENT || errno == ENOTDIR ? OBS_BLOCKED : OBS_UNKNOWN;
}

enum observed v_gone(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	char path[PATH_MAX];
	struct stat st;

	if (ppath(hv->env, path, "%s", rel) < 0)
		return OBS_UNKNOWN;
	if (lstat(path, &st) == 0) {
		snprintf(d, n, "%s still there", rel);
		return OBS_BLOCKED;
	}
	int err = errno;
	snprintf(d, n, "%s %s", rel, err == ENOENT ? "is gone" : errno_name(-err));
	return err == ENOENT ? OBS_ALLOWED : OBS_UNKNOWN;
}

enum observed v_heard(const struct host_view *hv, enum channel ch, char *d, size_t n)
{
	char what[96] = "";
	int k = hv->heard ? hv->heard(hv, ch, what, sizeof(what)) : 0;

	if (k > 0) {
		snprintf(d, n, "listener heard this probe (%d events): %s", k, what);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "listener heard nothing from this probe");
	return OBS_BLOCKED;
}

enum observed v_leaked(const struct host_view *hv, const char *secret, char *d, size_t n)
{
	if (!secret || !*secret)
		return OBS_UNKNOWN;
	if (hv->att && strstr(hv->att->detail, secret)) {
		snprintf(d, n, "the box reported the host's secret");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the secret did not reach the box");
	return OBS_BLOCKED;
}
