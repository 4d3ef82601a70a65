/* The case's terminal read to the end: a child plays the box (its own
 * session, the pty as its controlling tty, TIOCSTI as proc.tiocsti does it)
 * and does what hides an injection from one read when the box exits: fill
 * the master first, read its own input back, turn echo off, stop its
 * output, leave half a line in canonical mode. pty_collect must find the
 * injected text every time, and the master's bytes only up to its marker. */
#include "../testutil.h"

#include "../../runner/pty.h"

#include <sys/ioctl.h>
#include <termios.h>

#define TEXT "echo ct0123456789ab\n"

enum trick { PLAIN, FLOOD_AND_READ_BACK, NO_ECHO, STOPPED, CANONICAL_HALF_LINE };

static void box(const char *name, enum trick how)
{
	char pad[6000];
	struct termios t;
	const char *text = how == CANONICAL_HALF_LINE ? "echo ct0123456789ab" : TEXT;
	int tty;

	setsid();
	if ((tty = open(name, O_RDWR)) < 0 || ioctl(tty, TIOCSCTTY, 0) < 0 || tcgetattr(tty, &t) < 0)
		_exit(1);
	switch (how) {
	case FLOOD_AND_READ_BACK: /* more than the master's 4 KiB read queue */
		memset(pad, ' ', sizeof(pad));
		if (write(tty, pad, sizeof(pad)) != (ssize_t)sizeof(pad))
			_exit(1);
		break;
	case NO_ECHO:
		t.c_lflag &= ~(tcflag_t)ECHO;
		break;
	case STOPPED:
		tcflow(tty, TCOOFF);
		break;
	case CANONICAL_HALF_LINE:
		t.c_lflag |= ICANON;
		break;
	default:
		break;
	}
	tcsetattr(tty, TCSANOW, &t);
	for (const char *c = text; *c; c++)
		if (ioctl(tty, TIOCSTI, c) < 0)
			_exit(2);
	if (how == FLOOD_AND_READ_BACK) {
		char buf[64];
		fcntl(tty, F_SETFL, O_NONBLOCK);
		while (read(tty, buf, sizeof(buf)) > 0)
			;
	}
	_exit(0);
}

/* Run the box, then collect; false when the host itself cannot TIOCSTI. */
static bool collect(enum trick how, struct pty_evidence *ev)
{
	int master, slave, st;
	char name[64];
	pid_t pid;

	assert_int_equal(pty_open(&master, &slave, name, sizeof(name)), 0);
	pid = fork();
	if (pid == 0)
		box(name, how);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2) { /* dev.tty.legacy_tiocsti=0 and no CAP_SYS_ADMIN */
		close(master), close(slave);
		return false;
	}
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(pty_collect(master, slave, PTY_SETTLE_S, ev), 0);
	assert_true(ev->settled);
	assert_null(strstr(ev->echo, "cagetest-drained-")); /* the marker is not evidence */
	close(master), close(slave);
	return true;
}

/* What each trick leaves the host: the input queue exactly, the echo with
 * or without the injected text, and at least this much of it. */
static const struct {
	enum trick how;
	const char *input;
	bool echoed;
	size_t echo_min;
} tricks[] = {
	{PLAIN, TEXT, true, 0},
	/* the echo waits behind the padding in the tty layer's flip buffer and
	 * reaches the master by deferred work as the host reads; the input is gone */
	{FLOOD_AND_READ_BACK, "", true, 6000},
	{NO_ECHO, TEXT, false, 0},
	/* the echo sits in the line discipline until the host restarts output */
	{STOPPED, TEXT, true, 0},
	/* canonical mode keeps a line without its newline from a reader */
	{CANONICAL_HALF_LINE, "echo ct0123456789ab", true, 0},
};

static void test_tricks(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(tricks); i++) {
		struct pty_evidence ev;
		if (!collect(tricks[i].how, &ev))
			skip();
		if (strcmp(ev.input, tricks[i].input) || !strstr(ev.echo, "ct0123456789ab") != !tricks[i].echoed ||
		    strlen(ev.echo) < tricks[i].echo_min)
			fail_msg("trick %d: input \"%s\", %zu bytes of echo: %.80s", tricks[i].how, ev.input, strlen(ev.echo),
				 ev.echo);
		pty_evidence_free(&ev);
	}
}

/* Nothing injected: settled at once, nothing seen. */
static void test_nothing(void **state)
{
	struct pty_evidence ev;
	int master, slave;
	char name[64];

	(void)state;
	assert_int_equal(pty_open(&master, &slave, name, sizeof(name)), 0);
	assert_int_equal(pty_collect(master, slave, PTY_SETTLE_S, &ev), 0);
	assert_true(ev.settled);
	assert_string_equal(ev.input, "");
	assert_string_equal(ev.echo, "");
	pty_evidence_free(&ev);
	close(master), close(slave);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tricks),
		cmocka_unit_test(test_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
