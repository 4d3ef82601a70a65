/* The probe framework: what one escape attempt (or one must-work action) is.
 *
 * A probe is data plus three small functions:
 *   arm      host side, before the sandbox starts: plant the canaries it needs
 *            inside the case root (never anywhere else);
 *   attempt  inside the sandbox (in `cagetest agent`: in the agent itself when
 *            it is alone in its sandbox, else in a child of it; env->agent
 *            is the agent's pid): try the effect once, return 0 if the
 *            decisive call said yes, else -errno;
 *   verify   host side, after every process of the case is gone: decide from
 *            the evidence (files, listeners, sentinel, pty, survivors) whether
 *            the effect happened. The attempt's return code is only evidence.
 *
 * A probe never knows which backend runs it. Every probe writes the token of
 * its case into whatever it changes, so evidence is attributable even when
 * several probes share one sandbox invocation (batch mode).
 *
 * Registry: one const table per category file (fs.c, git.c, ...), listed in
 * registry.c. Adding a probe means adding one entry and its functions. */
#ifndef CAGETEST_PROBE_H
#define CAGETEST_PROBE_H

#include "../lib/policy.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum category { CAT_FS, CAT_GIT, CAT_NET, CAT_IPC, CAT_DNS, CAT_PRIV, CAT_PROC, CAT_META, CAT_NS, CAT__COUNT };

/* What the host-side check saw. */
enum observed { OBS_UNKNOWN, OBS_BLOCKED, OBS_ALLOWED };

/* Host resources a probe needs beyond the shared fixture. */
enum probe_need {
	NEED_SENTINEL = 1 << 0, /* a host process of the sandboxed uid to signal, trace, read */
	NEED_PTY = 1 << 1,	/* stdin is a pty the host owns, as the controlling tty */
	NEED_TMPNS = 1 << 2,	/* /tmp and /dev/shm are case dirs (private mount namespace) */
	NEED_FD = 1 << 3,	/* the case inherits fd PROBE_LEAKED_FD, open O_RDWR on outside/leaked.txt */
	NEED_INSPECT = 1 << 4,	/* the host reads /proc of the probe while it holds */
	NEED_ROOT = 1 << 5,	/* the harness must run as root (plants setuid files...) */
	NEED_OWN_SENTINEL = 1 << 6, /* kills or stops the sentinel: one of its own, even in a batch */
};

enum probe_flag {
	PROBE_SOLO = 1 << 0, /* reshapes the shared fixture (.git renamed...): never batched; probes
			      * that need a pty or an inherited fd share a case only with their kind */
	/* Makes a host-wide object (SysV IPC, a POSIX queue, a key, an address on
	 * lo) that only its verify removes: verified as soon as its attempt
	 * reports, not when its batch ends, so a killed run leaves it no longer
	 * than a case alone would. Its verify reads no sentinel, survivors or pty. */
	PROBE_HOST_OBJECT = 1 << 1,
	/* After its case's sandbox has ended, the same sandbox (backend, mode,
	 * case root) is started once more with no probe: the agent only says
	 * hello. Verify runs after that second launch, so it sees what the
	 * launcher's own set-up did with what the attempt left. Only with
	 * PROBE_SOLO (a case of its own). */
	PROBE_RELAUNCH = 1 << 2,
};

#define PROBE_LEAKED_FD 9   /* fd number the case inherits with NEED_FD */
/* Secrets a careless launcher passes on: the host seeds every case's
 * environment with these, all set to one random value (host_view.seeded). */
#define SEEDED_ENV "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"
#define SENTINEL_FD 7	    /* the sentinel's fd open O_RDWR on outside/sentinel-fd.txt */
#define SENTINEL_MAGIC 0x5e471e15c0ffee00ULL
/* Integrity words in the sentinel, one per slot: probes of one batch that
 * write its memory never share (or overwrite) each other's evidence. */
#define SENTINEL_WORDS 128

/* Everything a probe may touch. The same values are seen host side and in
 * the box (encoded on the agent's command line). Paths are absolute. */
struct probe_env {
	char root[PATH_MAX]; /* the case: ws/ outside/ home/ tmp/ shm/ */
	char run[PATH_MAX];  /* the run's shared dir: host sockets live here */
	char self[PATH_MAX]; /* the agent binary (its copy in the run dir) */
	char nonce[16];	     /* per case */
	char token[24];	     /* per probe in the case: nonce + slot, goes into all evidence */
	char abstract[64];   /* name of the host's abstract UNIX listener (no leading NUL) */
	int tcp4, tcp6, udp4, udp6, dns; /* host loopback listener ports, 0 = none */
	int tcp_denied;			 /* a second TCP listener on 127.0.0.1 that no allowlist names, 0 = none */
	int sctp, vsock;		 /* more host listener ports (vsock on VMADDR_CID_LOCAL), 0 = none */
	int nlpid;			 /* port id of the host's NETLINK_USERSOCK socket, 0 = none */
	int taps;			 /* enum tap: host observers of raw traffic that are open */
	int sentinel;			 /* pid of the sentinel, 0 = none */
	int drop_uid;			 /* uid a root probe drops to before a setuid exec */
	unsigned long sentinel_addr;	 /* address of the sentinel's integrity words; slot N's is word N */
	int src;  /* the case's number in the run: picks its probes' source addresses (probe_source) */
	int slot;
	int agent; /* in the box: pid of the agent (the attempt runs in it, or in a child of it) */
};

/* Host observers that see traffic no listener can accept (env->taps). */
enum tap {
	TAP_ICMP = 1 << 0,   /* a raw ICMP socket: echo requests from 127.0.0.1 */
	TAP_PACKET = 1 << 1, /* an AF_PACKET socket on lo for ethertype TAP_ETHERTYPE */
	TAP_MDNS = 1 << 2,   /* joined 224.0.0.251:5353 on lo */
	TAP_LLMNR = 1 << 3,  /* joined 224.0.0.252:5355 on lo */
};
#define TAP_ETHERTYPE 0x88b5 /* IEEE 802 local experimental ethertype 1 */

/* What the attempt saw inside the box: evidence only, never the verdict. */
struct attempt {
	int rc;		  /* 0 or -errno from the decisive call */
	char detail[200]; /* free text, e.g. which step failed */
};

/* Listener channels the host owns. */
enum channel {
	CH_TCP4,
	CH_TCP6,
	CH_UDP4,
	CH_UDP6,
	CH_DNS,		/* query names seen by the fake DNS server (UDP and TCP) */
	CH_UNIX_STREAM, /* run/host.sock */
	CH_UNIX_DGRAM,	/* run/host.dgram */
	CH_ABSTRACT,	/* @abstract */
	CH_TCP_LISTEN,	/* the host reached a listener the probe opened */
	CH_SCTP,	/* SCTP on 127.0.0.1 */
	CH_VSOCK,	/* AF_VSOCK on VMADDR_CID_LOCAL */
	CH_NETLINK,	/* NETLINK_USERSOCK datagrams to the host's port id */
	CH_ICMP,	/* echo request payloads (TAP_ICMP) */
	CH_PACKET,	/* frames of TAP_ETHERTYPE on lo (TAP_PACKET) */
	CH_MDNS,	/* mDNS query names on 224.0.0.251:5353 (TAP_MDNS) */
	CH_LLMNR,	/* LLMNR query names on 224.0.0.252:5355 (TAP_LLMNR) */
	CH_NSCD,	/* names asked of the nscd stand-in, run/nscd.sock */
	CH_RESOLVED,	/* names asked of the systemd-resolved stand-in (varlink), run/resolved.sock */
	CH_DBUS,	/* method calls to org.cagetest.Recorder on the private bus, run/dbus.sock */
	CH_TCP_DENIED,	/* the second TCP listener on 127.0.0.1 (tcp_denied), reached directly or through a proxy */
	CH_UNIX_FD,	/* file descriptors passed (SCM_RIGHTS) to run/host.dgram, by what the host reads from them */
	CH__COUNT
};

struct sentinel_state {
	bool present;
	char secret[40];	 /* seeded into its environment as CAGETEST_SECRET */
	bool dead;		 /* killed */
	char state;		 /* from /proc/PID/stat: S, T (stopped), ... */
	uint64_t sigpending;	 /* SigPnd | ShdPnd bit mask, bit n-1 = signal n */
	uint64_t words[SENTINEL_WORDS]; /* integrity words by slot, SENTINEL_MAGIC unless written */
};

struct reap_info {
	int wstatus;		/* of the top sandbox process */
	bool exited;		/* wstatus valid */
	bool timed_out;
	int survivors;		/* processes still alive after the top one exited */
	/* their comm names, space separated, each once: room for the token-named
	 * daemons of a whole batch beside any number of plain ones */
	char survivor_names[1024];
	int setup_err;		/* -errno if the supervisor failed to set up the case */
};

/* What the live probe can see of the host (proc_snapshot.expose), checked by
 * the host through the probe's own /proc/PID/root (its mount namespace, its
 * /proc) and /proc/PID/net (its network namespace). */
enum exposure {
	EXPOSE_OUTSIDE_RW = 1 << 0,	/* the case's outside/ is on a writable mount */
	EXPOSE_WS_SUID = 1 << 1,	/* the workspace is on a writable mount that honours setuid bits */
	EXPOSE_PROC_SYS_RW = 1 << 2,	/* /proc/sys is a writable mount */
	EXPOSE_HOST_SOCKET = 1 << 3,	/* the harness's run/host.sock is visible (a docker.sock stand-in) */
	EXPOSE_RUNTIME_SOCKET = 1 << 4, /* a container runtime socket (docker, containerd, podman, crio) */
	EXPOSE_SENTINEL = 1 << 5,	/* the sentinel's pid resolves in the probe's /proc */
	EXPOSE_HOST_UNIX = 1 << 6,	/* the probe's /proc/net/unix lists the harness's sockets */
};

/* Namespaces compared by inspection. */
enum ns_kind { NS_USER, NS_MNT, NS_NET, NS_PID, NS_IPC, NS_UTS, NS__COUNT };

/* /proc/PID of a live probe process, read by the host while the probe holds
 * (probe_hold()): how confined the process really is, seen from outside. */
struct proc_snapshot {
	bool taken; /* the probe asked to be inspected */
	bool found; /* and the host found it alive */
	int nnp;    /* NoNewPrivs */
	int seccomp; /* 0 off, 1 strict, 2 filter */
	uint64_t cap_eff, cap_bnd;
	unsigned uid, euid;
	uint64_t ns[NS__COUNT];	       /* the probe's namespace inodes */
	uint64_t ns_parent[NS__COUNT]; /* its parent's (the agent) */
	uint64_t ns_host[NS__COUNT];   /* the harness's */
	int port;		       /* a TCP port the probe listens on (probe_hold_port) */
	bool reached;		       /* the host connected to 127.0.0.1:port */
	int pid;		       /* the probe process, as the host sees it */
	int parent_tracer;	       /* TracerPid of its parent (0: not traced) */
	unsigned expose;	       /* enum exposure bits, as the probe sees the host */
	unsigned expose_host;	       /* the same checks from the harness's own view */
};

/* The host-side evidence verify() decides from. Tests fabricate it. */
struct host_view {
	const struct probe_env *env;
	const struct attempt *att; /* NULL when the agent sent no record */
	const struct sentinel_state *sentinel;
	const struct reap_info *reap;
	const struct proc_snapshot *inspect;
	const char *pty_echo; /* bytes read back from the pty master, NUL-terminated */
	const char *seeded;   /* random value the host put in the agent's environment (SEEDED_ENV) */
	bool brief;	      /* only the observation counts (an unconfined mode, the control): skip detail that costs a process */
	/* Count events on ch from this probe (its token, or its source address:
	 * probe_source); copy one into what. */
	int (*heard)(const struct host_view *hv, enum channel ch, char *what, size_t n);
	const void *observers;
};

struct probe {
	const char *id; /* "category.name" */
	enum effect effect;
	unsigned needs; /* enum probe_need */
	unsigned flags; /* enum probe_flag */
	const char *summary; /* one line: what it tries */
	const char *evidence; /* how the host verifies it */
	const char *blocked_by; /* which mechanisms usually block it */
	const char *hint;	/* what to change when it escapes */
	/* write.protected probes: the name they write to (".git", ".vscode").
	 * A mode that does not protect it expects write.workspace instead. */
	const char *name;
	/* Host side; 0, or -EOPNOTSUPP with why set to skip, or -errno. Optional. */
	int (*arm)(const struct probe_env *env, char *why, size_t n);
	/* In the box, in a child of the agent. */
	int (*attempt)(const struct probe_env *env, struct attempt *out);
	/* Host side; detail gets the evidence in a few words. */
	enum observed (*verify)(const struct host_view *hv, char *detail, size_t n);
};

/* Registry. */
size_t probe_count(void);
const struct probe *probe_at(size_t i);
const struct probe *probe_find(const char *id);
enum category probe_category(const struct probe *p);
const char *category_name(enum category c);
const char *observed_name(enum observed o);
int observed_from_name(const char *name);

/* Environment encoding for the agent's command line ("k=v;k=v"; the other
 * formats the runner and the agent share are record.h's). */
int probe_env_encode(const struct probe_env *env, char *buf, size_t n);
/* Only the fields keys names (NULL-terminated; NULL: all). */
int probe_env_encode_fields(const struct probe_env *env, const char *const *keys, char *buf, size_t n);
int probe_env_decode(const char *s, struct probe_env *env);
/* Set only the fields s names (a probe's own sentinel in a batch). */
int probe_env_apply(const char *s, struct probe_env *env);

/* Set slot and the token derived from nonce + slot. */
void probe_env_set_slot(struct probe_env *env, int slot);
/* The address a probe's sockets of this family speak from, so that a host
 * listener attributes a connection or a datagram to its case and slot with
 * no payload at all (a box may let a connection through and lie about it,
 * or stop what would be sent over it):
 *   AF_INET    127.A.B.C, port 0: A.B from env->src (unique among a run's
 *              first 65024 cases), C from the slot;
 *   AF_UNIX    the abstract name "cagetest-src-TOKEN";
 *   AF_NETLINK port id 0x80000000 | src << 8 | slot (pids stay below it).
 * IPv6 loopback is one address (::1): -EAFNOSUPPORT, payloads only. */
int probe_source(const struct probe_env *env, int family, struct sockaddr_storage *ss, socklen_t *len);
/* root + "/" + rel */
int probe_path(const struct probe_env *env, char *buf, size_t n, const char *rel);
/* The PATH the runner gives the launcher of a case (wrapper or agent):
 * the case's home/.local/bin first, as ~/.profile puts it, then the
 * runner's own (proc_path: $PATH, else the one fallback). */
int launcher_path(const struct probe_env *env, char *buf, size_t n);

#endif
