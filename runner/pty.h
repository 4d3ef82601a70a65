/* The case's terminal (NEED_PTY): a pty the host owns, handed to the box as
 * its controlling tty; the host keeps the slave open, so what is queued in
 * it outlives the case.
 *
 * What TIOCSTI pushes, the ioctl itself runs through the slave's line
 * discipline: the bytes are in the slave's input queue when it returns. Their
 * echo is not on the master yet: it goes into the master's flip buffer, and
 * the tty layer's deferred work (flush_to_ldisc, on a workqueue) moves it to
 * the master's read queue later, possibly after the box has exited (more
 * often on a busy machine), and only as the host reads when the box filled
 * that queue first. One read when the case ends may miss it; a box may also
 * turn echo off or stop its output. So the host reads the input queue, then
 * writes a marker of its own through the slave and reads the master until
 * the marker comes back: whatever was echoed before it has arrived. */
#ifndef CAGETEST_PTY_H
#define CAGETEST_PTY_H

#include <stdbool.h>
#include <stddef.h>

/* How long the host waits for its marker (normally well under 1 ms). */
#define PTY_SETTLE_S 5.0

struct pty_evidence {
	char *input;  /* left in the slave's input queue: injected, never read */
	char *echo;   /* what the master gave back before the marker */
	bool settled; /* the marker came back: nothing sent before it is still in flight */
};

/* A pty, raw with echo on: the master non-blocking, the slave, the slave's path. */
int pty_open(int *master, int *slave, char *name, size_t n);
/* Once every process of the case is gone: the slave's settings back to
 * pty_open's, its input queue, then everything the master gives up to a
 * random marker written through the slave, waiting for it at most timeout
 * seconds (-ETIMEDOUT: not settled). NUL bytes read become '.'. */
int pty_collect(int master, int slave, double timeout, struct pty_evidence *ev);
void pty_evidence_free(struct pty_evidence *ev);

#endif
