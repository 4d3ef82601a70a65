/* ipc: host services reached over UNIX sockets (stand-ins the host owns for
 * D-Bus, ssh-agent, docker.sock...), a private D-Bus the harness runs, and the
 * kernel's own IPC objects (SysV, POSIX message queues, keyrings): a box
 * without an IPC namespace (or a keyring filter) shares them with the host.
 * Objects are named from the token; the host finds them, then removes them. */
#include "abi.h"
#include "common.h"
#include "registry.h"
#include "uring.h"
#include "../lib/proc.h"

#include "../lib/dbus.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <mqueue.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

/* ---------- routes to a host UNIX socket ---------- */

/* A filter on socket(2) alone leaves two roads to a host UNIX socket: a
 * socketpair (whose datagram end takes any address in sendto, sendmsg or a
 * connect; SOCK_RAW is a datagram pair too), and io_uring's own socket and
 * connect operations. Every route is tried until one says yes. */

static const struct {
	int type;
	const char *name;
} pair_types[] = {{SOCK_DGRAM, "DGRAM"}, {SOCK_RAW, "RAW"}, {SOCK_SEQPACKET, "SEQPACKET"}, {SOCK_STREAM, "STREAM"}};

static int unix_path(const struct probe_env *env, const char *name, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	return fmt(sa->sun_path, sizeof(sa->sun_path), "%s/%s", env->run, name) < 0 ? -ENAMETOOLONG : 0;
}

/* One end of socketpair(AF_UNIX, type) aimed at sa: sendto, then sendmsg,
 * then connect and send, each whatever the one before said. 0 when one of
 * them said yes. */
static int pair_send(const struct probe_env *env, int type, const char *tname, const struct sockaddr_un *sa, const char *msg,
		     struct attempt *a)
{
	struct iovec iov = {(void *)msg, strlen(msg)};
	struct msghdr mh = {.msg_name = (void *)sa, .msg_namelen = sizeof(*sa), .msg_iov = &iov, .msg_iovlen = 1};
	struct timeval tv = {.tv_sec = 2};
	char step[64];
	int sv[2], ok = 0;

	snprintf(step, sizeof(step), "socketpair(%s)", tname);
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return fail_at(a, step, neg_errno());
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	bind_source(env, sv[0], (const struct sockaddr *)sa, a);
	snprintf(step, sizeof(step), "%s sendto", tname);
	ok += fail_at(a, step, sendto(sv[0], msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? neg_errno() : 0) == 0;
	snprintf(step, sizeof(step), "%s sendmsg", tname);
	ok += fail_at(a, step, sendmsg(sv[0], &mh, MSG_NOSIGNAL) < 0 ? neg_errno() : 0) == 0;
	snprintf(step, sizeof(step), "%s connect", tname);
	if (fail_at(a, step, connect(sv[0], (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? neg_errno() : 0) == 0)
		ok += send(sv[0], msg, strlen(msg), MSG_NOSIGNAL) >= 0;
	close(sv[0]);
	close(sv[1]);
	/* a pair's own peer takes what the kernel did not address elsewhere:
	 * only the host's listener tells where it went */
	return ok ? 0 : -ENOTCONN;
}

/* The routes without socket(2) to sa (a datagram socket when dgram): the
 * socketpair types that can address it, then io_uring. */
static int press_on(const struct probe_env *env, const struct sockaddr_un *sa, socklen_t salen, bool dgram,
		    const char *msg, struct attempt *a)
{
	int r = -ENOTCONN;

	for (size_t i = 0; dgram && i < 2 && r < 0; i++) /* DGRAM and RAW: datagram pairs */
		r = pair_send(env, pair_types[i].type, pair_types[i].name, sa, msg, a);
	if (r < 0)
		r = uring_send(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, sa, salen, msg, strlen(msg), a);
	return r;
}

/* socket(2) first (send_token); a refused or failed step is not the end: the
 * other routes follow. */
static int unix_reach(const struct probe_env *env, const struct sockaddr_un *sa, socklen_t salen, int type,
		      struct attempt *a)
{
	char msg[64];
	int r = send_token(env, AF_UNIX, type, sa, salen, a);

	if (r == 0)
		return 0;
	token_msg(env, msg, sizeof(msg));
	return press_on(env, sa, salen, type == SOCK_DGRAM, msg, a) == 0 ? 0 : r;
}

static int unix_send(const struct probe_env *env, const char *name, int type, struct attempt *a)
{
	struct sockaddr_un sa;
	int r = unix_path(env, name, &sa);

	return r < 0 ? r : unix_reach(env, &sa, sizeof(sa), type, a);
}

static int stream_attempt(const struct probe_env *env, struct attempt *a)
{
	return unix_send(env, "host.sock", SOCK_STREAM, a);
}
static enum observed stream_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UNIX_STREAM, d, n);
}

static int dgram_attempt(const struct probe_env *env, struct attempt *a)
{
	return unix_send(env, "host.dgram", SOCK_DGRAM, a);
}
static enum observed dgram_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UNIX_DGRAM, d, n);
}

static int abstract_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(env->abstract);

	if (len + 1 > sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path + 1, env->abstract, len);
	return unix_reach(env, &sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len), SOCK_STREAM, a);
}

/* Every socketpair type, aimed at the host's datagram socket. */
static int pair_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_un sa;
	char msg[64];
	int r = unix_path(env, "host.dgram", &sa), ok = 0;

	if (r < 0)
		return r;
	token_msg(env, msg, sizeof(msg));
	for (size_t i = 0; i < ARRAY_SIZE(pair_types); i++)
		ok += pair_send(env, pair_types[i].type, pair_types[i].name, &sa, msg, a) == 0;
	return ok ? 0 : -ENOTCONN;
}

/* io_uring alone: a stream to host.sock, a datagram to host.dgram. */
static int uring_unix_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_un st, dg;
	char msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));
	int r = unix_path(env, "host.sock", &st), d;

	if (r < 0 || (r = unix_path(env, "host.dgram", &dg)) < 0)
		return r;
	r = uring_send(AF_UNIX, SOCK_STREAM, &st, sizeof(st), msg, len, a);
	d = uring_send(AF_UNIX, SOCK_DGRAM, &dg, sizeof(dg), msg, len, a);
	return r == 0 || d == 0 ? 0 : r;
}
static enum observed stream_or_dgram_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_heard(hv, CH_UNIX_STREAM, d, n);

	return o == OBS_ALLOWED ? o : v_heard(hv, CH_UNIX_DGRAM, d, n);
}

/* Through a foreign ABI: a stream to host.sock, a datagram socket and a
 * datagram socketpair to host.dgram. */
static int abi_unix(const struct probe_env *env, enum abi abi, struct attempt *a)
{
	struct sockaddr_un st, dg;
	char msg[64];
	int r = unix_path(env, "host.sock", &st), d, p;

	if (r < 0 || (r = unix_path(env, "host.dgram", &dg)) < 0)
		return r;
	token_msg(env, msg, sizeof(msg));
	r = abi_send(env, abi, AF_UNIX, SOCK_STREAM, &st, sizeof(st), msg, a);
	d = abi_send(env, abi, AF_UNIX, SOCK_DGRAM, &dg, sizeof(dg), msg, a);
	p = abi_pair_send(env, abi, &dg, sizeof(dg), msg, a);
	return r == 0 || d == 0 || p == 0 ? 0 : r;
}
static int i386_unix_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_unix(env, ABI_I386, a);
}
static int x32_unix_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_unix(env, ABI_X32, a);
}

/* A datagram carrying a file descriptor (SCM_RIGHTS) to the host: a memfd
 * holding the token, and the pair's other end. From a socketpair, then from
 * socket(AF_UNIX, SOCK_DGRAM). */
static int send_fds(int fd, const struct sockaddr_un *sa, const char *msg, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} ctl = {0};
	struct iovec iov = {(void *)msg, strlen(msg)};
	struct msghdr mh = {.msg_name = (void *)sa, .msg_namelen = sizeof(*sa), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = &ctl, .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? neg_errno() : 0;
}

static int scm_attempt(const struct probe_env *env, struct attempt *a)
{
	struct sockaddr_un sa;
	char msg[64], held[64];
	int r = unix_path(env, "host.dgram", &sa), sv[2] = {-1, -1}, fds[2], nfds = 0, ok = 0;
	_cleanup_close_ int mfd = memfd_create("cagetest", MFD_CLOEXEC);

	if (r < 0)
		return r;
	token_msg(env, msg, sizeof(msg));
	snprintf(held, sizeof(held), "CAGETEST-FD %s\n", env->token);
	if (mfd < 0)
		fail_at(a, "memfd_create", neg_errno());
	else if (write_all(mfd, held, strlen(held)) == 0)
		fds[nfds++] = mfd;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		fail_at(a, "socketpair(DGRAM)", neg_errno());
	else {
		fds[nfds++] = sv[1];
		bind_source(env, sv[0], (struct sockaddr *)&sa, a);
		ok += fail_at(a, "socketpair sendmsg(SCM_RIGHTS)", send_fds(sv[0], &sa, msg, fds, (size_t)nfds)) == 0;
		/* in flight the descriptors are the kernel's: ours go, and the
		 * source name with them, for the next route */
		close(sv[0]), close(sv[1]);
		nfds--;
	}
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail_at(a, "socket(AF_UNIX, DGRAM)", neg_errno());
	else if (nfds) {
		bind_source(env, fd, (struct sockaddr *)&sa, a);
		ok += fail_at(a, "socket sendmsg(SCM_RIGHTS)", send_fds(fd, &sa, msg, fds, (size_t)nfds)) == 0;
	}
	return ok ? 0 : -ENOTCONN;
}
static enum observed scm_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_UNIX_FD, d, n);
}
static enum observed abstract_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_ABSTRACT, d, n);
}

/* ---------- a private D-Bus ---------- */

static int bus_path(const struct probe_env *env, char *path)
{
	return fmt(path, PATH_MAX, "%s/dbus.sock", env->run);
}

static int dbus_arm(const struct probe_env *env, char *why, size_t n)
{
	char path[PATH_MAX];
	struct stat st;

	if (bus_path(env, path) == 0 && stat(path, &st) == 0)
		return 0;
	snprintf(why, n, "no private bus: dbus-daemon is not installed or did not start (the harness never uses a real bus)");
	return -EOPNOTSUPP;
}
/* Hello, then a call to the host's service: what systemd-run --user or
 * flatpak-spawn --host do on a real session bus. */
static int dbus_attempt(const struct probe_env *env, struct attempt *a)
{
	struct dbus_conn c;
	struct dbus_msg reply, hello = {.type = DBUS_CALL, .dest = DBUS_BUS_NAME, .path = DBUS_BUS_PATH,
					.iface = DBUS_BUS_NAME, .member = "Hello"};
	struct dbus_msg call = {.type = DBUS_CALL, .dest = DBUS_RECORDER, .path = DBUS_RECORDER_PATH,
				.iface = DBUS_RECORDER, .member = "Record", .sig = "s"};
	char path[PATH_MAX], msg[64];
	const char *step = "path";
	int r = bus_path(env, path);

	c.fd = -1;
	token_msg(env, msg, sizeof(msg));
	call.s = msg;
	/* each step is tried whatever the one before said: only the
	 * recorder's log tells (the bus processes calls in order) */
	if (r < 0)
		return fail_at(a, step, r);
	r = dbus_connect(&c, path, 2000, &step);
	fail_at(a, step, r);
	if (c.fd >= 0) {
		fail_at(a, "Hello", dbus_call(&c, &hello, &reply));
		int rc = fail_at(a, "Record", dbus_call(&c, &call, &reply));
		r = r ? r : rc;
	}
	dbus_close(&c);
	return r;
}
static enum observed dbus_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_heard(hv, CH_DBUS, d, n);
}

/* ---------- SysV IPC ---------- */

enum sysv { SYSV_MSG, SYSV_SHM, SYSV_SEM };
static const char *const sysv_names[] = {"message queue", "shared memory segment", "semaphore set"};

/* Never IPC_PRIVATE, and one token's key in each of the three key spaces. */
static key_t token_key(const char *token)
{
	return (key_t)((fnv1a(token, strlen(token), FNV1A_INIT) & 0x3fffffff) | 0x40000000);
}

/* A value the box stores in its semaphore: the host checks it before removing. */
static int token_semval(const char *token)
{
	return 1 + (int)(fnv1a(token, strlen(token), 7) % 30000);
}

static int sysv_get(enum sysv t, key_t key)
{
	switch (t) {
	case SYSV_MSG: return msgget(key, 0);
	case SYSV_SHM: return shmget(key, 0, 0);
	default: return semget(key, 0, 0);
	}
}

static int sysv_arm(enum sysv t, const struct probe_env *env, char *why, size_t n)
{
	key_t key = token_key(env->token);

	if (sysv_get(t, key) < 0 && errno == ENOENT)
		return 0;
	snprintf(why, n, "SysV key 0x%08x is already in use on this host: not ours to touch", (unsigned)key);
	return -EOPNOTSUPP;
}

static int msg_attempt(const struct probe_env *env, struct attempt *a)
{
	struct {
		long type;
		char text[64];
	} m = {1, ""};
	size_t len = token_msg(env, m.text, sizeof(m.text));
	int id = msgget(token_key(env->token), IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0)
		return fail_at(a, "msgget", neg_errno());
	return msgsnd(id, &m, len, IPC_NOWAIT) < 0 ? fail_at(a, "msgsnd", neg_errno()) : 0;
}

static int shm_attempt(const struct probe_env *env, struct attempt *a)
{
	int id = shmget(token_key(env->token), 4096, IPC_CREAT | IPC_EXCL | 0600);
	char *p;

	if (id < 0)
		return fail_at(a, "shmget", neg_errno());
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		return fail_at(a, "shmat", neg_errno());
	token_msg(env, p, 4096);
	shmdt(p);
	return 0;
}

static int sem_attempt(const struct probe_env *env, struct attempt *a)
{
	int id = semget(token_key(env->token), 1, IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0)
		return fail_at(a, "semget", neg_errno());
	return semctl(id, 0, SETVAL, token_semval(env->token)) < 0 ? fail_at(a, "semctl SETVAL", neg_errno()) : 0;
}

/* Does the object hold the token? Read without blocking or changing it. */
static bool sysv_marked(enum sysv t, int id, const char *token)
{
	switch (t) {
	case SYSV_MSG: {
		struct {
			long type;
			char text[128];
		} m;
		ssize_t k = msgrcv(id, &m, sizeof(m.text) - 1, 0, IPC_NOWAIT | MSG_NOERROR);
		return k > 0 && mem_contains(m.text, (size_t)k, token);
	}
	case SYSV_SHM: {
		char *p = shmat(id, NULL, SHM_RDONLY);
		bool found;
		if (p == (void *)-1)
			return false;
		found = mem_contains(p, strnlen(p, 4096), token);
		shmdt(p);
		return found;
	}
	default:
		return semctl(id, 0, GETVAL) == token_semval(token);
	}
}

/* The host's own IPC namespace: is the object there? Then it goes. */
static enum observed sysv_verify(enum sysv t, const struct host_view *hv, char *d, size_t n)
{
	key_t key = token_key(hv->env->token);
	int id = sysv_get(t, key), r;
	bool marked;

	if (id < 0) {
		snprintf(d, n, "no SysV %s with key 0x%08x in the host's IPC namespace", sysv_names[t], (unsigned)key);
		return errno == ENOENT ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	marked = sysv_marked(t, id, hv->env->token);
	r = (t == SYSV_MSG ? msgctl(id, IPC_RMID, NULL) : t == SYSV_SHM ? shmctl(id, IPC_RMID, NULL) : semctl(id, 0, IPC_RMID)) < 0
		    ? neg_errno()
		    : 0;
	snprintf(d, n, "the host's IPC namespace holds a SysV %s with key 0x%08x%s; %s%s", sysv_names[t], (unsigned)key,
		 marked ? " marked with the token" : "", r < 0 ? "removing it failed: " : "removed", r < 0 ? errno_name(r) : "");
	return OBS_ALLOWED;
}

static int msg_arm(const struct probe_env *env, char *why, size_t n)
{
	return sysv_arm(SYSV_MSG, env, why, n);
}
static enum observed msg_verify(const struct host_view *hv, char *d, size_t n)
{
	return sysv_verify(SYSV_MSG, hv, d, n);
}
static int shm_arm(const struct probe_env *env, char *why, size_t n)
{
	return sysv_arm(SYSV_SHM, env, why, n);
}
static enum observed shm_verify(const struct host_view *hv, char *d, size_t n)
{
	return sysv_verify(SYSV_SHM, hv, d, n);
}
static int sem_arm(const struct probe_env *env, char *why, size_t n)
{
	return sysv_arm(SYSV_SEM, env, why, n);
}
static enum observed sem_verify(const struct host_view *hv, char *d, size_t n)
{
	return sysv_verify(SYSV_SEM, hv, d, n);
}

/* ---------- POSIX message queues ---------- */

static void mq_name(const char *token, char *name, size_t n)
{
	snprintf(name, n, "/cagetest-%s", token);
}

static int mq_attempt(const struct probe_env *env, struct attempt *a)
{
	struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 64};
	char name[64], msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));
	mqd_t q;
	int r = 0;

	mq_name(env->token, name, sizeof(name));
	q = mq_open(name, O_CREAT | O_EXCL | O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1)
		return fail_at(a, "mq_open", neg_errno());
	if (mq_send(q, msg, len, 0) < 0)
		r = fail_at(a, "mq_send", neg_errno());
	mq_close(q);
	return r;
}

static enum observed mq_verify(const struct host_view *hv, char *d, size_t n)
{
	struct mq_attr attr;
	char name[64], msg[8192];
	mqd_t q;
	bool marked = false;
	int r;

	mq_name(hv->env->token, name, sizeof(name));
	q = mq_open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (q == (mqd_t)-1) {
		snprintf(d, n, "no POSIX message queue %s on the host", name);
		return errno == ENOENT ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	if (mq_getattr(q, &attr) == 0 && attr.mq_msgsize <= (long)sizeof(msg)) {
		ssize_t k = mq_receive(q, msg, sizeof(msg), NULL);
		marked = k > 0 && mem_contains(msg, (size_t)k, hv->env->token);
	}
	mq_close(q);
	r = mq_unlink(name) < 0 ? neg_errno() : 0;
	snprintf(d, n, "the host has a POSIX message queue %s%s; %s%s", name, marked ? " holding the token" : "",
		 r < 0 ? "unlinking it failed: " : "unlinked", r < 0 ? errno_name(r) : "");
	return OBS_ALLOWED;
}

/* ---------- kernel keyrings ---------- */

static void key_desc(const char *token, char *desc, size_t n)
{
	snprintf(desc, n, "cagetest:%s", token);
}

/* The user keyring is per uid, shared by every process of that uid on the
 * host: a key left there outlives the sandbox. */
static int key_attempt(const struct probe_env *env, struct attempt *a)
{
	char desc[64], msg[64];
	size_t len = token_msg(env, msg, sizeof(msg));

	key_desc(env->token, desc, sizeof(desc));
	if (syscall(SYS_add_key, "user", desc, msg, len, KEY_SPEC_USER_KEYRING) < 0)
		return fail_at(a, "add_key @u", neg_errno());
	return 0;
}

/* In a child as the box's uid, in a session keyring of its own: find the key
 * in that uid's user keyring (linking it here makes it ours to read), then
 * invalidate it. 1: found with the token, 2: found, 0: absent, or -errno. */
static int key_take(uid_t uid, gid_t gid, const char *desc, const char *token)
{
	char buf[128];
	long id, k;

	if (uid != geteuid() && (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0))
		return neg_errno();
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return neg_errno();
	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", desc, KEY_SPEC_SESSION_KEYRING);
	if (id < 0)
		return errno == ENOKEY ? 0 : neg_errno();
	k = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);
	if (syscall(SYS_keyctl, KEYCTL_INVALIDATE, id) < 0)
		return neg_errno();
	return k > 0 && mem_contains(buf, (size_t)(k < (long)sizeof(buf) - 1 ? k : (long)sizeof(buf) - 1), token) ? 1 : 2;
}

struct key_query {
	uid_t uid;
	gid_t gid;
	const char *desc, *token;
};

static void key_take_in_child(void *arg, void *answer)
{
	const struct key_query *q = arg;

	*(int *)answer = key_take(q->uid, q->gid, q->desc, q->token);
}

static enum observed key_verify(const struct host_view *hv, char *d, size_t n)
{
	char desc[64];
	struct key_query q = {.desc = desc, .token = hv->env->token};
	struct proc_call c = {.fn = key_take_in_child, .arg = &q, .size = sizeof(int)};
	int r = -EIO;

	key_desc(hv->env->token, desc, sizeof(desc));
	if (case_owner(hv->env, &q.uid, &q.gid) < 0)
		return OBS_UNKNOWN;
	if (proc_call(&c, &r, NULL) < 0)
		r = -EIO;
	if (r < 0) {
		snprintf(d, n, "the host could not search uid %u's user keyring: %s", (unsigned)q.uid, errno_name(r));
		return OBS_UNKNOWN;
	}
	if (!r) {
		snprintf(d, n, "uid %u's user keyring has no key \"%s\"", (unsigned)q.uid, desc);
		return OBS_BLOCKED;
	}
	snprintf(d, n, "uid %u's user keyring gained key \"%s\"%s; invalidated", (unsigned)q.uid, desc,
		 r == 1 ? " holding the token" : "");
	return OBS_ALLOWED;
}

#define NO_IPC_NS "bwrap --unshare-ipc, Seatbelt; not Landlock or seccomp socket filters"

const struct probe ipc_probes[] = {
	{
		.id = "ipc.unix_stream",
		.effect = EFFECT_IPC_HOST,
		.summary = "connect to a host pathname UNIX stream socket and send the token (socket(2); refused, io_uring)",
		.evidence = "the host's UNIX listener heard the probe" FROM_SRC_UNIX,
		.blocked_by = "Landlock ABI >= 9, seccomp socket(AF_UNIX) filter, Seatbelt; not bwrap --ro-bind",
		.hint = "hide host socket dirs (tmpfs over /run) or filter socket(AF_UNIX)",
		.attempt = stream_attempt,
		.verify = stream_verify,
	},
	{
		.id = "ipc.unix_dgram",
		.effect = EFFECT_IPC_HOST,
		.summary = "sendto a host pathname UNIX datagram socket (socket(2); refused, a datagram socketpair, io_uring)",
		.evidence = "the host's UNIX datagram socket heard the probe" FROM_SRC_UNIX,
		.blocked_by = "Landlock ABI >= 9, seccomp filtering socket(AF_UNIX) and datagram socketpairs and io_uring, Seatbelt",
		.hint = "hide host socket dirs, or filter socket(AF_UNIX), datagram socketpairs and io_uring together",
		.attempt = dgram_attempt,
		.verify = dgram_verify,
	},
	{
		.id = "ipc.socketpair_sendto",
		.effect = EFFECT_IPC_HOST,
		.summary = "socketpair(AF_UNIX) of every type (DGRAM, RAW, SEQPACKET, STREAM), then sendto, sendmsg and connect to a host pathname datagram socket: no socket(2)",
		.evidence = "the host's UNIX datagram socket heard the probe" FROM_SRC_UNIX,
		.blocked_by = "Landlock ABI >= 9, seccomp denying datagram socketpairs, hiding the socket's dir; not a socket(AF_UNIX) filter",
		.hint = "a datagram socketpair (SOCK_DGRAM or SOCK_RAW) sends anywhere: filter socketpair's type as well as socket()",
		.attempt = pair_attempt,
		.verify = dgram_verify,
	},
	{
		.id = "ipc.scm_rights",
		.effect = EFFECT_IPC_HOST,
		.summary = "pass file descriptors (SCM_RIGHTS: a memfd holding the token, a socket) to a host datagram socket, from a socketpair and from socket(2)",
		.evidence = "the host's datagram socket received a descriptor; the host reads the memfd it got (by the token in it, or the probe's source name)",
		.blocked_by = "Landlock ABI >= 9, seccomp denying datagram socketpairs and AF_UNIX sockets, hiding the socket's dir",
		.hint = "a host service that takes descriptors acts on the box's files and sockets: filter socketpair and AF_UNIX",
		.attempt = scm_attempt,
		.verify = scm_verify,
	},
	{
		.id = "ipc.io_uring_unix",
		.effect = EFFECT_IPC_HOST,
		.summary = "IORING_OP_SOCKET(AF_UNIX) + IORING_OP_CONNECT/SEND to host.sock, + IORING_OP_SENDMSG to host.dgram",
		.evidence = "the host's UNIX stream or datagram socket received the token (by the token only: io_uring leaves the source to the kernel)",
		.blocked_by = "seccomp denying io_uring_setup, kernel.io_uring_disabled, Landlock ABI >= 9",
		.hint = "a socket(AF_UNIX) filter misses io_uring's own socket operation: deny io_uring_setup",
		.attempt = uring_unix_attempt,
		.verify = stream_or_dgram_verify,
	},
	{
		.id = "ipc.i386_unix",
		.effect = EFFECT_IPC_HOST,
		.summary = "host UNIX sockets through int 0x80: socketcall and i386 numbers for socket, connect, sendto, socketpair",
		.evidence = "the host's UNIX stream or datagram socket heard the probe" FROM_SRC_UNIX,
		.blocked_by = "seccomp filters that check the architecture, Landlock ABI >= 9, hiding the socket dirs",
		.hint = "socketcall(SYS_SOCKET) passes the family in memory a filter cannot read: kill or deny the i386 "
			"arch as a whole",
		.arm = abi_arm_i386,
		.attempt = i386_unix_attempt,
		.verify = stream_or_dgram_verify,
	},
	{
		.id = "ipc.x32_unix",
		.effect = EFFECT_IPC_HOST,
		.summary = "host UNIX sockets with x32 syscall numbers (socket, connect, sendto, socketpair)",
		.evidence = "the host's UNIX stream or datagram socket heard the probe" FROM_SRC_UNIX,
		.blocked_by = "seccomp filters that deny the x32 bit, Landlock ABI >= 9, hiding the socket dirs",
		.hint = "a socket(AF_UNIX) rule on x86_64's number 41 misses 0x40000029: reject the x32 bit",
		.arm = abi_arm_x32,
		.attempt = x32_unix_attempt,
		.verify = stream_or_dgram_verify,
	},
	{
		.id = "ipc.abstract_unix",
		.effect = EFFECT_IPC_HOST,
		.summary = "connect to a host abstract UNIX socket (socket(2); refused, io_uring)",
		.evidence = "the host's abstract listener heard the probe" FROM_SRC_UNIX,
		.blocked_by = "bwrap --unshare-net, Landlock ABI >= 6 scope, seccomp socket filter",
		.hint = "abstract sockets live in the network namespace: unshare it or use Landlock scoping",
		.attempt = abstract_attempt,
		.verify = abstract_verify,
	},
	{
		.id = "ipc.dbus_session",
		.effect = EFFECT_IPC_HOST,
		.summary = "D-Bus on a private bus the harness runs: Hello, then a method call to a host-owned service",
		.evidence = "the host, owner of org.cagetest.Recorder on that bus, received the call with the token (the bus is not the host's listener: a connection that calls nothing is nobody's)",
		.blocked_by = "hiding the bus socket (bwrap, tmpfs over /run/user), Landlock ABI >= 9, seccomp AF_UNIX filter, "
			      "Seatbelt",
		.hint = "a session bus runs commands outside the box (systemd-run --user, flatpak-spawn --host): hide it "
			"or put xdg-dbus-proxy in front",
		.arm = dbus_arm,
		.attempt = dbus_attempt,
		.verify = dbus_verify,
	},
	{
		.id = "ipc.sysv_msg",
		.effect = EFFECT_IPC_HOST,
		.flags = PROBE_HOST_OBJECT,
		.summary = "SysV message queue (msgget, key from the token) holding the token",
		.evidence = "the host finds the key in its IPC namespace (msgget), reads the message, removes the queue",
		.blocked_by = NO_IPC_NS,
		.hint = "SysV IPC is shared with every host process: unshare the IPC namespace",
		.arm = msg_arm,
		.attempt = msg_attempt,
		.verify = msg_verify,
	},
	{
		.id = "ipc.sysv_shm",
		.effect = EFFECT_IPC_HOST,
		.flags = PROBE_HOST_OBJECT,
		.summary = "SysV shared memory segment (shmget, key from the token) holding the token",
		.evidence = "the host finds the key in its IPC namespace (shmget), reads the segment, removes it",
		.blocked_by = NO_IPC_NS,
		.hint = "unshare the IPC namespace",
		.arm = shm_arm,
		.attempt = shm_attempt,
		.verify = shm_verify,
	},
	{
		.id = "ipc.sysv_sem",
		.effect = EFFECT_IPC_HOST,
		.flags = PROBE_HOST_OBJECT,
		.summary = "SysV semaphore set (semget, key from the token) set to a value from the token",
		.evidence = "the host finds the key in its IPC namespace (semget), checks the value, removes the set",
		.blocked_by = NO_IPC_NS,
		.hint = "unshare the IPC namespace",
		.arm = sem_arm,
		.attempt = sem_attempt,
		.verify = sem_verify,
	},
	{
		.id = "ipc.posix_mqueue",
		.effect = EFFECT_IPC_HOST,
		.flags = PROBE_HOST_OBJECT,
		.summary = "POSIX message queue /cagetest-TOKEN (mq_open) holding the token",
		.evidence = "the host opens the queue by name, reads the message, unlinks it",
		.blocked_by = NO_IPC_NS,
		.hint = "POSIX queues live in the IPC namespace: unshare it",
		.attempt = mq_attempt,
		.verify = mq_verify,
	},
	{
		.id = "ipc.keyring_user",
		.effect = EFFECT_IPC_HOST,
		.flags = PROBE_HOST_OBJECT,
		.summary = "add_key a \"user\" key cagetest:TOKEN to the uid's user keyring (@u), shared with the host",
		.evidence = "the host, as the box's uid, finds the key in @u (keyctl search), reads it, invalidates it",
		.blocked_by = "seccomp denying add_key/keyctl (Docker's default), a new user namespace",
		.hint = "keyrings are per uid, not per sandbox: filter add_key, keyctl and request_key",
		.attempt = key_attempt,
		.verify = key_verify,
	},
};
PROBE_TABLE_END(ipc);
