#include "pty.h"

#include "../lib/util.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>

/* More than a master nobody read can hold: 64 KiB of flip buffers, 4 KiB
 * in its read queue, the echo buffer. */
#define PTY_KEEP (256 * 1024)

/* Raw, echo on, nothing else: whatever the box set (echo off, canonical
 * input, IXON after a ^S, EXTPROC) is undone, and a stopped output restarts. */
static void set_terminal(int slave)
{
	struct termios t;

	if (tcgetattr(slave, &t) < 0)
		return;
	t.c_iflag = 0;
	t.c_oflag = 0;
	t.c_lflag = ECHO; /* injected input shows up on the master */
	t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8 | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(slave, TCSANOW, &t);
}

int pty_open(int *master, int *slave, char *name, size_t n)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0 || ptsname_r(*master, name, n) != 0)
		return neg_errno();
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return neg_errno();
	set_terminal(*slave);
	fcntl(*master, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Append what fd has now (non-blocking) to b, NULs as '.'; false past PTY_KEEP. */
static bool take(int fd, struct sbuf *b)
{
	char buf[4096];
	ssize_t k;

	while ((k = read(fd, buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
		for (ssize_t i = 0; i < k; i++)
			sb_putc(b, buf[i] ? buf[i] : '.');
	return !b->oom && b->len <= PTY_KEEP;
}

int pty_collect(int master, int slave, double timeout, struct pty_evidence *ev)
{
	char marker[48] = "\ncagetest-drained-";
	struct sbuf in = {0}, out = {0};
	double deadline = now_mono() + timeout;
	size_t sent = 0, mlen = strlen(marker);
	bool room = true;
	int r = 0;

	memset(ev, 0, sizeof(*ev));
	set_terminal(slave);
	tcflow(slave, TCOON);
	fcntl(slave, F_SETFL, fcntl(slave, F_GETFL) | O_NONBLOCK);
	room = take(slave, &in);
	/* random: a box cannot print it ahead of its echo */
	if ((r = random_hex(marker + mlen, sizeof(marker) - mlen - 1, 16)) < 0)
		goto out;
	strcat(marker, "\n");
	mlen = strlen(marker);
	while (room) {
		ssize_t k = sent < mlen ? write(slave, marker + sent, mlen - sent) : 0;
		if (k > 0)
			sent += (size_t)k;
		room = take(master, &out);
		const char *at = sent == mlen && out.s ? memmem(out.s, out.len, marker, mlen) : NULL;
		if (at) {
			out.len = (size_t)(at - out.s);
			out.s[out.len] = 0;
			ev->settled = true;
			break;
		}
		int left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0)
			break;
		/* the marker waits for room while the master is full */
		poll(&(struct pollfd){.fd = master, .events = POLLIN}, 1, sent < mlen && left > 10 ? 10 : left);
	}
	if (in.oom || out.oom)
		r = -ENOMEM;
	else if (!ev->settled)
		r = -ETIMEDOUT;
out:
	ev->input = sb_take(&in);
	ev->echo = sb_take(&out);
	return r;
}

void pty_evidence_free(struct pty_evidence *ev)
{
	free(ev->input);
	free(ev->echo);
	memset(ev, 0, sizeof(*ev));
}
