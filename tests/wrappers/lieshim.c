/* An LD_PRELOAD shim that lies like a half-working sandbox: every call that
 * causes an effect is performed for real, then reported as failed (EACCES,
 * or EPERM for signals, ptrace and mount). A box built on it confines
 * nothing while telling the probe it blocked everything, so only evidence
 * that does not need the box's cooperation can judge it.
 * (tests/data/wrap-lieshim.json, tests/live/test_live_lies.c)
 *
 * It never lies on fds 0-2 (the agent's records go to stdout), nor about a
 * call that really failed, nor about queries (kill with signal 0). Probes
 * that use syscall(2) directly (tgkill, add_key, io_uring) pass it by. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/ipc.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The next definition of name (libc's). */
#define REAL(ret, name, ...)                                                                                \
	static ret (*real_)(__VA_ARGS__);                                                                   \
	if (!real_)                                                                                         \
		*(void **)&real_ = dlsym(RTLD_NEXT, name)

/* r succeeded: say it failed with err. */
static long lie(long r, int err)
{
	if (r < 0)
		return r;
	errno = err;
	return -1;
}

/* The same for a call on fd: the agent's own stdio stays true. */
static long lie_fd(int fd, long r)
{
	return fd <= 2 ? r : lie(r, EACCES);
}

/* ---------- writes ---------- */

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	return lie_fd(fd, real_(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
	return lie_fd(fd, real_(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
	return lie_fd(fd, real_(fd, buf, n, off));
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	REAL(ssize_t, "writev", int, const struct iovec *, int);
	return lie_fd(fd, real_(fd, iov, n));
}

int ftruncate(int fd, off_t len)
{
	REAL(int, "ftruncate", int, off_t);
	return (int)lie_fd(fd, real_(fd, len));
}

int truncate(const char *path, off_t len)
{
	REAL(int, "truncate", const char *, off_t);
	return (int)lie(real_(path, len), EACCES);
}

/* An open that created or truncated a file has had its effect: say it
 * failed and leak the fd. One that changed nothing stays true (a box that
 * refuses an fd does block what would be done through it). Every open goes
 * to libc's openat: open(p) is openat(AT_FDCWD, p). */
static int open_lie(int dfd, const char *path, int flags, mode_t m)
{
	struct stat st;
	REAL(int, "openat", int, const char *, int, ...);
	bool existed = (flags & O_CREAT) && fstatat(dfd, path, &st, 0) == 0;
	int fd = real_(dfd, path, flags, m);

	return (flags & O_TRUNC) || ((flags & O_CREAT) && !existed) ? (int)lie(fd, EACCES) : fd;
}

/* The mode argument of an open that has one (in the variadic caller). */
#define OPEN_MODE(flags)                                                                                    \
	({                                                                                                  \
		va_list ap_;                                                                                \
		va_start(ap_, flags);                                                                       \
		mode_t m_ = flags & (O_CREAT | __O_TMPFILE) ? (mode_t)va_arg(ap_, int) : 0;                 \
		va_end(ap_);                                                                                \
		m_;                                                                                         \
	})

int open(const char *path, int flags, ...)
{
	return open_lie(AT_FDCWD, path, flags, OPEN_MODE(flags));
}

int open64(const char *path, int flags, ...)
{
	return open_lie(AT_FDCWD, path, flags, OPEN_MODE(flags));
}

int openat(int dfd, const char *path, int flags, ...)
{
	return open_lie(dfd, path, flags, OPEN_MODE(flags));
}

int openat64(int dfd, const char *path, int flags, ...)
{
	return open_lie(dfd, path, flags, OPEN_MODE(flags));
}

int creat(const char *path, mode_t m)
{
	REAL(int, "creat", const char *, mode_t);
	return (int)lie(real_(path, m), EACCES);
}

/* ---------- names ---------- */

int mkdir(const char *p, mode_t m)
{
	REAL(int, "mkdir", const char *, mode_t);
	return (int)lie(real_(p, m), EACCES);
}

int mkdirat(int dfd, const char *p, mode_t m)
{
	REAL(int, "mkdirat", int, const char *, mode_t);
	return (int)lie(real_(dfd, p, m), EACCES);
}

int rmdir(const char *p)
{
	REAL(int, "rmdir", const char *);
	return (int)lie(real_(p), EACCES);
}

int unlink(const char *p)
{
	REAL(int, "unlink", const char *);
	return (int)lie(real_(p), EACCES);
}

int unlinkat(int dfd, const char *p, int flags)
{
	REAL(int, "unlinkat", int, const char *, int);
	return (int)lie(real_(dfd, p, flags), EACCES);
}

int rename(const char *a, const char *b)
{
	REAL(int, "rename", const char *, const char *);
	return (int)lie(real_(a, b), EACCES);
}

int renameat(int da, const char *a, int db, const char *b)
{
	REAL(int, "renameat", int, const char *, int, const char *);
	return (int)lie(real_(da, a, db, b), EACCES);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
	REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
	return (int)lie(real_(da, a, db, b, flags), EACCES);
}

int link(const char *a, const char *b)
{
	REAL(int, "link", const char *, const char *);
	return (int)lie(real_(a, b), EACCES);
}

int linkat(int da, const char *a, int db, const char *b, int flags)
{
	REAL(int, "linkat", int, const char *, int, const char *, int);
	return (int)lie(real_(da, a, db, b, flags), EACCES);
}

int symlink(const char *a, const char *b)
{
	REAL(int, "symlink", const char *, const char *);
	return (int)lie(real_(a, b), EACCES);
}

int symlinkat(const char *a, int dfd, const char *b)
{
	REAL(int, "symlinkat", const char *, int, const char *);
	return (int)lie(real_(a, dfd, b), EACCES);
}

/* ---------- metadata ---------- */

int chmod(const char *p, mode_t m)
{
	REAL(int, "chmod", const char *, mode_t);
	return (int)lie(real_(p, m), EACCES);
}

int fchmod(int fd, mode_t m)
{
	REAL(int, "fchmod", int, mode_t);
	return (int)lie_fd(fd, real_(fd, m));
}

int fchmodat(int dfd, const char *p, mode_t m, int flags)
{
	REAL(int, "fchmodat", int, const char *, mode_t, int);
	return (int)lie(real_(dfd, p, m, flags), EACCES);
}

int chown(const char *p, uid_t u, gid_t g)
{
	REAL(int, "chown", const char *, uid_t, gid_t);
	return (int)lie(real_(p, u, g), EPERM);
}

int lchown(const char *p, uid_t u, gid_t g)
{
	REAL(int, "lchown", const char *, uid_t, gid_t);
	return (int)lie(real_(p, u, g), EPERM);
}

int fchown(int fd, uid_t u, gid_t g)
{
	REAL(int, "fchown", int, uid_t, gid_t);
	return (int)lie_fd(fd, real_(fd, u, g));
}

int fchownat(int dfd, const char *p, uid_t u, gid_t g, int flags)
{
	REAL(int, "fchownat", int, const char *, uid_t, gid_t, int);
	return (int)lie(real_(dfd, p, u, g, flags), EPERM);
}

int utimensat(int dfd, const char *p, const struct timespec t[2], int flags)
{
	REAL(int, "utimensat", int, const char *, const struct timespec *, int);
	return (int)lie(real_(dfd, p, t, flags), EACCES);
}

int futimens(int fd, const struct timespec t[2])
{
	REAL(int, "futimens", int, const struct timespec *);
	return (int)lie_fd(fd, real_(fd, t));
}

int setxattr(const char *p, const char *name, const void *v, size_t n, int flags)
{
	REAL(int, "setxattr", const char *, const char *, const void *, size_t, int);
	return (int)lie(real_(p, name, v, n, flags), EACCES);
}

int lsetxattr(const char *p, const char *name, const void *v, size_t n, int flags)
{
	REAL(int, "lsetxattr", const char *, const char *, const void *, size_t, int);
	return (int)lie(real_(p, name, v, n, flags), EACCES);
}

int fsetxattr(int fd, const char *name, const void *v, size_t n, int flags)
{
	REAL(int, "fsetxattr", int, const char *, const void *, size_t, int);
	return (int)lie_fd(fd, real_(fd, name, v, n, flags));
}

int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data)
{
	REAL(int, "mount", const char *, const char *, const char *, unsigned long, const void *);
	return (int)lie(real_(src, dst, type, flags, data), EPERM);
}

/* ---------- sockets ---------- */

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	REAL(int, "connect", int, const struct sockaddr *, socklen_t);
	return (int)lie_fd(fd, real_(fd, sa, len));
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	REAL(int, "bind", int, const struct sockaddr *, socklen_t);
	return (int)lie_fd(fd, real_(fd, sa, len));
}

int listen(int fd, int backlog)
{
	REAL(int, "listen", int, int);
	return (int)lie_fd(fd, real_(fd, backlog));
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	REAL(ssize_t, "send", int, const void *, size_t, int);
	return lie_fd(fd, real_(fd, buf, n, flags));
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len)
{
	REAL(ssize_t, "sendto", int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	return lie_fd(fd, real_(fd, buf, n, flags, sa, len));
}

ssize_t sendmsg(int fd, const struct msghdr *mh, int flags)
{
	REAL(ssize_t, "sendmsg", int, const struct msghdr *, int);
	return lie_fd(fd, real_(fd, mh, flags));
}

int sendmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags)
{
	REAL(int, "sendmmsg", int, struct mmsghdr *, unsigned, int);
	return (int)lie_fd(fd, real_(fd, mm, n, flags));
}

/* ---------- processes ---------- */

int kill(pid_t pid, int sig)
{
	REAL(int, "kill", pid_t, int);
	return sig ? (int)lie(real_(pid, sig), EPERM) : real_(pid, sig);
}

int pidfd_send_signal(int pfd, int sig, siginfo_t *si, unsigned flags)
{
	REAL(int, "pidfd_send_signal", int, int, siginfo_t *, unsigned);
	return sig ? (int)lie(real_(pfd, sig, si, flags), EPERM) : real_(pfd, sig, si, flags);
}

long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	REAL(long, "ptrace", enum __ptrace_request, pid_t, void *, void *);
	va_start(ap, req);
	pid_t pid = va_arg(ap, pid_t);
	void *addr = va_arg(ap, void *), *data = va_arg(ap, void *);
	va_end(ap);
	/* PEEK requests return data, not a status: those stay true */
	if (req == PTRACE_PEEKDATA || req == PTRACE_PEEKTEXT || req == PTRACE_PEEKUSER)
		return real_(req, pid, addr, data);
	return lie(real_(req, pid, addr, data), EPERM);
}

ssize_t process_vm_writev(pid_t pid, const struct iovec *l, unsigned long nl, const struct iovec *r, unsigned long nr,
			  unsigned long flags)
{
	REAL(ssize_t, "process_vm_writev", pid_t, const struct iovec *, unsigned long, const struct iovec *,
	     unsigned long, unsigned long);
	return lie(real_(pid, l, nl, r, nr, flags), EPERM);
}

/* ---------- System V and POSIX IPC ---------- */

int msgget(key_t key, int flags)
{
	REAL(int, "msgget", key_t, int);
	return flags & IPC_CREAT ? (int)lie(real_(key, flags), EACCES) : real_(key, flags);
}

int msgsnd(int id, const void *m, size_t n, int flags)
{
	REAL(int, "msgsnd", int, const void *, size_t, int);
	return (int)lie(real_(id, m, n, flags), EACCES);
}

int shmget(key_t key, size_t n, int flags)
{
	REAL(int, "shmget", key_t, size_t, int);
	return flags & IPC_CREAT ? (int)lie(real_(key, n, flags), EACCES) : real_(key, n, flags);
}

int semget(key_t key, int n, int flags)
{
	REAL(int, "semget", key_t, int, int);
	return flags & IPC_CREAT ? (int)lie(real_(key, n, flags), EACCES) : real_(key, n, flags);
}

int semctl(int id, int num, int cmd, ...)
{
	va_list ap;
	REAL(int, "semctl", int, int, int, ...);
	va_start(ap, cmd);
	unsigned long arg = va_arg(ap, unsigned long);
	va_end(ap);
	int r = real_(id, num, cmd, arg);
	return cmd == SETVAL || cmd == SETALL || cmd == IPC_RMID ? (int)lie(r, EACCES) : r;
}

mqd_t mq_open(const char *name, int flags, ...)
{
	va_list ap;
	REAL(mqd_t, "mq_open", const char *, int, ...);
	va_start(ap, flags);
	mode_t m = flags & O_CREAT ? (mode_t)va_arg(ap, int) : 0;
	struct mq_attr *attr = flags & O_CREAT ? va_arg(ap, struct mq_attr *) : NULL;
	va_end(ap);
	mqd_t q = real_(name, flags, m, attr);
	return flags & O_CREAT ? (mqd_t)lie(q, EACCES) : q;
}

int mq_send(mqd_t q, const char *m, size_t n, unsigned prio)
{
	REAL(int, "mq_send", mqd_t, const char *, size_t, unsigned);
	return (int)lie(real_(q, m, n, prio), EACCES);
}
