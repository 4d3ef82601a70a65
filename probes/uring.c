#include "uring.h"

#include "../lib/util.h"
#include "common.h"

#include <sys/socket.h>

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define ENTRIES 4

static unsigned *sq_field(const struct uring *u, unsigned off)
{
	return (unsigned *)((char *)u->sq + off);
}

int uring_open(struct uring *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(SYS_io_uring_setup, ENTRIES, &u->p);
	if (u->fd < 0)
		return neg_errno();
	u->sq_len = u->p.sq_off.array + u->p.sq_entries * sizeof(unsigned);
	u->cq_len = u->p.cq_off.cqes + u->p.cq_entries * sizeof(struct io_uring_cqe);
	u->sqes_len = u->p.sq_entries * sizeof(struct io_uring_sqe);
	u->sq = mmap(NULL, u->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
	u->cq = mmap(NULL, u->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (u->sq == MAP_FAILED || u->cq == MAP_FAILED || u->sqes == MAP_FAILED) {
		int r = neg_errno();
		uring_close(u);
		return r;
	}
	return 0;
}

int uring_run(struct uring *u, const struct io_uring_sqe *sqe)
{
	unsigned tail = __atomic_load_n(sq_field(u, u->p.sq_off.tail), __ATOMIC_ACQUIRE);
	unsigned idx = tail & *sq_field(u, u->p.sq_off.ring_mask);
	unsigned *cq_head = (unsigned *)((char *)u->cq + u->p.cq_off.head);
	unsigned *cq_tail = (unsigned *)((char *)u->cq + u->p.cq_off.tail);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)((char *)u->cq + u->p.cq_off.cqes);
	unsigned head, mask = *(unsigned *)((char *)u->cq + u->p.cq_off.ring_mask);

	u->sqes[idx] = *sqe;
	sq_field(u, u->p.sq_off.array)[idx] = idx;
	__atomic_store_n(sq_field(u, u->p.sq_off.tail), tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return neg_errno();
	head = __atomic_load_n(cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	int res = cqes[head & mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

void uring_close(struct uring *u)
{
	if (u->sq && u->sq != MAP_FAILED)
		munmap(u->sq, u->sq_len);
	if (u->cq && u->cq != MAP_FAILED)
		munmap(u->cq, u->cq_len);
	if (u->sqes && u->sqes != MAP_FAILED)
		munmap(u->sqes, u->sqes_len);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

int uring_send(int domain, int type, const void *addr, unsigned len, const void *buf, size_t n, struct attempt *a)
{
	struct iovec iov = {(void *)buf, n};
	struct msghdr mh = {.msg_name = (void *)addr, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	struct uring u;
	int r, fd;

	if ((r = uring_open(&u)) < 0)
		return fail_at(a, "io_uring_setup", r);
	fd = uring_run(&u, &(struct io_uring_sqe){.opcode = IORING_OP_SOCKET, .fd = domain, .off = (unsigned)type});
	if (fd < 0) {
		uring_close(&u);
		return fail_at(a, "IORING_OP_SOCKET", fd);
	}
	if (type == SOCK_DGRAM) {
		r = uring_run(&u, &(struct io_uring_sqe){.opcode = IORING_OP_SENDMSG, .fd = fd, .addr = (uintptr_t)&mh, .len = 1});
		fail_at(a, "IORING_OP_SENDMSG", r);
	} else if ((r = uring_run(&u, &(struct io_uring_sqe){.opcode = IORING_OP_CONNECT, .fd = fd, .addr = (uintptr_t)addr,
							      .off = len})) < 0)
		fail_at(a, "IORING_OP_CONNECT", r);
	else if ((r = uring_run(&u, &(struct io_uring_sqe){.opcode = IORING_OP_SEND, .fd = fd, .addr = (uintptr_t)buf,
							   .len = (unsigned)n, .msg_flags = MSG_NOSIGNAL})) < 0)
		fail_at(a, "IORING_OP_SEND", r);
	close(fd);
	uring_close(&u);
	return r < 0 ? r : 0;
}
