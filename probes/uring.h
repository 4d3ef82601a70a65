/* A minimal io_uring through raw syscalls (no liburing): one submission at a
 * time, waited for. io_uring performs the operation from the kernel, so a
 * filter that only watches the classic syscalls never sees it. Box side. */
#ifndef CAGETEST_PROBES_URING_H
#define CAGETEST_PROBES_URING_H

#include <linux/io_uring.h>
#include <stddef.h>

struct uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
	struct io_uring_sqe *sqes;
	struct io_uring_params p;
};

/* io_uring_setup and the three mappings; 0 or -errno. */
int uring_open(struct uring *u);
/* Submit sqe, wait for its completion; the cqe's res (a result or -errno). */
int uring_run(struct uring *u, const struct io_uring_sqe *sqe);
void uring_close(struct uring *u);

struct attempt;
/* IORING_OP_SOCKET(domain, type), then IORING_OP_SENDMSG to addr for a
 * datagram socket, else IORING_OP_CONNECT and IORING_OP_SEND: n bytes of buf
 * with no socket(2), connect(2) or send(2). 0 or -errno, the failing step
 * noted in a. */
int uring_send(int domain, int type, const void *addr, unsigned len, const void *buf, size_t n, struct attempt *a);

#endif
