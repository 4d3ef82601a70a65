#include "abi.h"

#include "common.h"

#include "../lib/proc.h"
#include "../lib/util.h"

#include <fcntl.h>
#include <linux/net.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_BIT 0x40000000L

/* i386 and x32 numbers (asm/unistd_32.h, asm/unistd_x32.h) */
enum {
	I386_WRITE = 4, I386_OPEN = 5, I386_CLOSE = 6, I386_GETPID = 20, I386_SOCKETCALL = 102,
	I386_SOCKET = 359, I386_SOCKETPAIR = 360, I386_BIND = 361, I386_CONNECT = 362, I386_SENDTO = 369,
	X32_WRITE = 1, X32_OPEN = 2, X32_CLOSE = 3, X32_GETPID = 39, X32_SOCKET = 41, X32_CONNECT = 42,
	X32_SENDTO = 44, X32_BIND = 49, X32_SOCKETPAIR = 53,
};

static const char *const abi_names[] = {[ABI_I386] = "i386 int 0x80", [ABI_X32] = "x32"};

#if defined(__x86_64__)
/* The i386 entry takes six arguments in registers, pointers 32 bits wide:
 * whatever they point at must live below 4 GiB (low_copy). */
static long int80(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;

	/* ebp is the sixth: kept in r12 around the call (no push: the red zone) */
	__asm__ volatile("mov %%rbp, %%r12\n\tmov %[f], %%rbp\n\tint $0x80\n\tmov %%r12, %%rbp"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), [f] "r"(f)
			 : "memory", "r8", "r9", "r10", "r11", "r12", "cc");
	return (int)r;
}

static long call(enum abi abi, long i386, long x32, long a, long b, long c, long d, long e, long f)
{
	if (abi == ABI_I386)
		return int80(i386, a, b, c, d, e, f);
	long r = syscall(X32_BIT | x32, a, b, c, d, e, f);
	return r < 0 ? neg_errno() : r;
}
#else
static long call(enum abi abi, long i386, long x32, long a, long b, long c, long d, long e, long f)
{
	(void)abi, (void)i386, (void)x32, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
	return -ENOSYS;
}
#endif

/* In a child that makes foreign calls: a kill they draw (SIGILL where the
 * entry is missing, seccomp's SIGSYS) ends it, whatever handler the caller
 * set (a test framework's). */
static void die_of_kills(void)
{
	signal(SIGILL, SIG_DFL);
	signal(SIGSYS, SIG_DFL);
}

#if defined(__x86_64__)
/* proc_call: does getpid through the ABI answer this child's pid? */
static void getpid_via(void *arg, void *answer)
{
	enum abi abi = *(const enum abi *)arg;

	die_of_kills();
	long me = abi == ABI_I386 ? int80(I386_GETPID, 0, 0, 0, 0, 0, 0) : syscall(X32_BIT | X32_GETPID);
	*(bool *)answer = me == getpid();
}

/* Does a harmless getpid through the ABI answer? In a child (where the
 * entry is missing it may kill: valgrind's SIGILL), once per process. */
static bool abi_works(enum abi abi)
{
	static int known[2]; /* 0 unknown, 1 yes, -1 no */
	bool yes = false;

	if (!known[abi]) {
		struct proc_call c = {.fn = getpid_via, .arg = &abi, .size = sizeof(yes)};
		known[abi] = proc_call(&c, &yes, NULL) == 0 && yes ? 1 : -1;
	}
	return known[abi] > 0;
}
#endif

int abi_arm(enum abi abi, char *why, size_t n)
{
#if defined(__x86_64__)
	if (abi_works(abi))
		return 0;
	snprintf(why, n, "%s",
		 abi == ABI_I386 ? "this kernel has no IA32 emulation (CONFIG_IA32_EMULATION off or ia32_emulation=0): int 0x80 "
				   "does not answer, the class cannot be tried here"
				 : "this kernel has no x32 ABI (CONFIG_X86_X32_ABI is not set): x32 numbers get ENOSYS, the "
				   "class cannot be tried here");
#else
	(void)abi;
	snprintf(why, n, "not x86_64: no i386 or x32 entry to try");
#endif
	return -EOPNOTSUPP;
}

int abi_arm_i386(const struct probe_env *env, char *why, size_t n)
{
	(void)env;
	return abi_arm(ABI_I386, why, n);
}

int abi_arm_x32(const struct probe_env *env, char *why, size_t n)
{
	(void)env;
	return abi_arm(ABI_X32, why, n);
}

/* Memory below 4 GiB, for the i386 entry's 32-bit pointers. */
struct low {
	char *p;
	size_t used;
};

static int low_open(struct low *l)
{
	l->p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	l->used = 0;
	return l->p == MAP_FAILED ? neg_errno() : 0;
}

static long low_copy(struct low *l, const void *src, size_t n)
{
	size_t at = (l->used + 15) & ~(size_t)15;

	if (at + n > 4096)
		return 0;
	memcpy(l->p + at, src, n);
	l->used = at + n;
	return (long)(uintptr_t)(l->p + at);
}

static void low_close(struct low *l)
{
	if (l->p && l->p != MAP_FAILED)
		munmap(l->p, 4096);
}

/* i386 socketcall(call, args): every socket call through one number. */
static long socketcall(struct low *l, int op, const long *args, size_t nargs)
{
	unsigned int a32[6] = {0};

	for (size_t i = 0; i < nargs; i++)
		a32[i] = (unsigned int)args[i];
	return int80(I386_SOCKETCALL, op, low_copy(l, a32, sizeof(a32)), 0, 0, 0, 0);
}

/* One route: socket, bind to the probe's source, then sendto or connect+send.
 * via_sc: i386's socketcall. 0 when the send said yes. */
static int route(const struct probe_env *env, enum abi abi, bool via_sc, int domain, int type, long addr, unsigned len,
		 long msg, size_t mlen, long src, unsigned srclen, struct low *l, struct attempt *a)
{
	char step[64];
	const char *how = via_sc ? "socketcall " : abi == ABI_I386 ? "i386 " : "x32 ";
	long fd, r;

	(void)env;
	snprintf(step, sizeof(step), "%ssocket", how);
	fd = via_sc ? socketcall(l, SYS_SOCKET, (long[]){domain, type, 0}, 3)
		    : call(abi, I386_SOCKET, X32_SOCKET, domain, type, 0, 0, 0, 0);
	if (fd < 0)
		return fail_at(a, step, (int)fd);
	if (src) {
		snprintf(step, sizeof(step), "%sbind source", how);
		fail_at(a, step, (int)(via_sc ? socketcall(l, SYS_BIND, (long[]){fd, src, srclen}, 3)
					      : call(abi, I386_BIND, X32_BIND, fd, src, srclen, 0, 0, 0)));
	}
	if (type == SOCK_DGRAM) {
		snprintf(step, sizeof(step), "%ssendto", how);
		r = via_sc ? socketcall(l, SYS_SENDTO, (long[]){fd, msg, (long)mlen, MSG_NOSIGNAL, addr, len}, 6)
			   : call(abi, I386_SENDTO, X32_SENDTO, fd, msg, (long)mlen, MSG_NOSIGNAL, addr, len);
	} else {
		snprintf(step, sizeof(step), "%sconnect", how);
		/* a connect said to fail is not the end: the send tells */
		fail_at(a, step, (int)(via_sc ? socketcall(l, SYS_CONNECT, (long[]){fd, addr, len}, 3)
					      : call(abi, I386_CONNECT, X32_CONNECT, fd, addr, len, 0, 0, 0)));
		/* sendto with no address, MSG_NOSIGNAL: a refused connect must
		 * not end the probe with SIGPIPE */
		snprintf(step, sizeof(step), "%ssend", how);
		r = via_sc ? socketcall(l, SYS_SENDTO, (long[]){fd, msg, (long)mlen, MSG_NOSIGNAL, 0, 0}, 6)
			   : call(abi, I386_SENDTO, X32_SENDTO, fd, msg, (long)mlen, MSG_NOSIGNAL, 0, 0);
	}
	fail_at(a, step, (int)(r < 0 ? r : 0));
	call(abi, I386_CLOSE, X32_CLOSE, fd, 0, 0, 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

static int send_here(const struct probe_env *env, enum abi abi, int domain, int type, const void *addr, unsigned len,
		     const char *msg, struct attempt *a)
{
	struct sockaddr_storage ss;
	socklen_t slen = 0;
	struct low l;
	int r = low_open(&l);

	if (r < 0)
		return fail_at(a, "mmap below 4 GiB", r);
	long la = low_copy(&l, addr, len), lm = low_copy(&l, msg, strlen(msg)), ls = 0;
	if (probe_source(env, domain, &ss, &slen) == 0)
		ls = low_copy(&l, &ss, slen);
	r = -ENOSYS;
	if (abi == ABI_I386)
		r = route(env, abi, true, domain, type, la, len, lm, strlen(msg), ls, slen, &l, a);
	if (r < 0)
		r = route(env, abi, false, domain, type, la, len, lm, strlen(msg), ls, slen, &l, a);
	low_close(&l);
	return r;
}

static int pair_send_here(const struct probe_env *env, enum abi abi, const void *addr, unsigned len, const char *msg,
			  struct attempt *a)
{
	struct sockaddr_storage ss;
	socklen_t slen = 0;
	struct low l;
	int r = low_open(&l), sv[2] = {-1, -1};

	if (r < 0)
		return fail_at(a, "mmap below 4 GiB", r);
	long lsv = low_copy(&l, sv, sizeof(sv)), la = low_copy(&l, addr, len), lm = low_copy(&l, msg, strlen(msg));
	r = (int)(abi == ABI_I386 ? socketcall(&l, SYS_SOCKETPAIR, (long[]){AF_UNIX, SOCK_DGRAM, 0, lsv}, 4)
				  : call(abi, I386_SOCKETPAIR, X32_SOCKETPAIR, AF_UNIX, SOCK_DGRAM, 0, lsv, 0, 0));
	if (r < 0) {
		low_close(&l);
		return fail_at(a, abi == ABI_I386 ? "socketcall socketpair(DGRAM)" : "x32 socketpair(DGRAM)", r);
	}
	memcpy(sv, (void *)(uintptr_t)lsv, sizeof(sv));
	if (probe_source(env, AF_UNIX, &ss, &slen) == 0)
		fail_at(a, "pair bind source",
			(int)call(abi, I386_BIND, X32_BIND, sv[0], low_copy(&l, &ss, slen), slen, 0, 0, 0));
	r = (int)call(abi, I386_SENDTO, X32_SENDTO, sv[0], lm, (long)strlen(msg), MSG_NOSIGNAL, la, len);
	fail_at(a, "pair sendto", r < 0 ? r : 0);
	close(sv[0]);
	close(sv[1]);
	low_close(&l);
	return r < 0 ? r : 0;
}

static int append_here(enum abi abi, const char *path, const char *text, struct attempt *a)
{
	struct low l;
	char step[48];
	long fd, w;
	int r = low_open(&l);

	if (r < 0)
		return fail_at(a, "mmap below 4 GiB", r);
	snprintf(step, sizeof(step), "%s open", abi_names[abi]);
	fd = call(abi, I386_OPEN, X32_OPEN, low_copy(&l, path, strlen(path) + 1), O_WRONLY | O_APPEND, 0, 0, 0, 0);
	if (fd < 0) {
		low_close(&l);
		return fail_at(a, step, (int)fd);
	}
	snprintf(step, sizeof(step), "%s write", abi_names[abi]);
	w = call(abi, I386_WRITE, X32_WRITE, fd, low_copy(&l, text, strlen(text)), (long)strlen(text), 0, 0, 0);
	call(abi, I386_CLOSE, X32_CLOSE, fd, 0, 0, 0, 0, 0);
	low_close(&l);
	return fail_at(a, step, w < 0 ? (int)w : 0);
}

/* ---------- each call in a child of its own ---------- */

/* What a foreign-ABI call is answered with may be a kill (seccomp's bad-arch
 * action): it must end the call's child, never the probe, which may be the
 * agent itself when it is alone in its sandbox. */
struct call_args {
	const struct probe_env *env;
	enum abi abi;
	int domain, type;
	const void *addr;
	unsigned len;
	const char *msg, *path;
	int (*fn)(const struct call_args *c, struct attempt *a);
};

/* What the call's child answers: its return and its steps. */
struct answer {
	int rc;
	struct attempt att;
};

static void call_child(void *arg, void *answer)
{
	const struct call_args *c = arg;
	struct answer *ans = answer;

	die_of_kills();
	memset(ans, 0, sizeof(*ans));
	ans->rc = c->fn(c, &ans->att);
}

static int in_child(const struct call_args *c, struct attempt *a)
{
	struct answer ans;
	struct proc_call pc = {.fn = call_child, .arg = (void *)c, .size = sizeof(ans)};
	int st = 0, r = proc_call(&pc, &ans, &st);

	if (r == -ENODATA) { /* it died before it answered */
		detail_add(a, "%s call killed by signal %d%s", abi_names[c->abi], WIFSIGNALED(st) ? WTERMSIG(st) : 0,
			   WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS ? " (a seccomp kill)" : "");
		return -EPERM;
	}
	if (r < 0)
		return fail_at(a, "fork", r);
	if (ans.att.detail[0])
		detail_add(a, "%.*s", (int)sizeof(ans.att.detail) - 1, ans.att.detail);
	return ans.rc;
}

static int call_send(const struct call_args *c, struct attempt *a)
{
	return send_here(c->env, c->abi, c->domain, c->type, c->addr, c->len, c->msg, a);
}
static int call_pair(const struct call_args *c, struct attempt *a)
{
	return pair_send_here(c->env, c->abi, c->addr, c->len, c->msg, a);
}
static int call_append(const struct call_args *c, struct attempt *a)
{
	return append_here(c->abi, c->path, c->msg, a);
}

int abi_send(const struct probe_env *env, enum abi abi, int domain, int type, const void *addr, unsigned len,
	     const char *msg, struct attempt *a)
{
	return in_child(&(struct call_args){.env = env, .abi = abi, .domain = domain, .type = type, .addr = addr, .len = len,
					    .msg = msg, .fn = call_send},
			a);
}

int abi_pair_send(const struct probe_env *env, enum abi abi, const void *addr, unsigned len, const char *msg,
		  struct attempt *a)
{
	return in_child(&(struct call_args){.env = env, .abi = abi, .addr = addr, .len = len, .msg = msg, .fn = call_pair}, a);
}

int abi_append(enum abi abi, const char *path, const char *text, struct attempt *a)
{
	return in_child(&(struct call_args){.abi = abi, .path = path, .msg = text, .fn = call_append}, a);
}
