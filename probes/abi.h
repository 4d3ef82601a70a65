/* Foreign syscall ABIs on x86_64: the i386 entry (int 0x80: its own
 * numbers, and socketcall, whose sub-call a filter cannot read) and x32
 * numbers (__X32_SYSCALL_BIT set). A seccomp filter that lists x86_64
 * numbers only, and neither checks the architecture nor the x32 bit, never
 * sees these calls. Box side, but for abi_arm. Each call below runs in a
 * child of its own: a filter's kill (SIGSYS) ends that child, is noted in the
 * attempt's detail and returned as -EPERM. */
#ifndef CAGETEST_PROBES_ABI_H
#define CAGETEST_PROBES_ABI_H

#include "probe.h"

enum abi { ABI_I386, ABI_X32 };

/* Host side: 0 when this kernel takes the ABI's calls (a harmless getpid
 * through it answers), else -EOPNOTSUPP with why (no IA32 emulation, no
 * CONFIG_X86_X32_ABI, not x86_64). */
int abi_arm(enum abi abi, char *why, size_t n);
/* abi_arm as a probe's arm. */
int abi_arm_i386(const struct probe_env *env, char *why, size_t n);
int abi_arm_x32(const struct probe_env *env, char *why, size_t n);

/* n bytes of msg to addr over a socket(domain, type) made through the ABI,
 * from env's source (probe_source): sendto for SOCK_DGRAM, else connect and
 * send. i386 tries socketcall first, then its own socket numbers. 0 when a
 * route said yes; each failed step noted in a. */
int abi_send(const struct probe_env *env, enum abi abi, int domain, int type, const void *addr, unsigned len,
	     const char *msg, struct attempt *a);
/* A datagram socketpair(AF_UNIX) made through the ABI, one end aimed at
 * addr with sendto. */
int abi_pair_send(const struct probe_env *env, enum abi abi, const void *addr, unsigned len, const char *msg,
		  struct attempt *a);
/* Append text to path: open(O_WRONLY|O_APPEND), write, close, through the ABI. */
int abi_append(enum abi abi, const char *path, const char *text, struct attempt *a);

#endif
