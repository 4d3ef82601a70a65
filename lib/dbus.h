/* The least of the D-Bus wire protocol both sides need: SASL EXTERNAL, then
 * method calls and returns whose body is empty, one string ("s"), one uint32
 * ("u") or both ("su"). The host owns a name on a private bus the harness
 * starts; probes call it. No libdbus: what is sent is what is tested. */
#ifndef CAGETEST_DBUS_H
#define CAGETEST_DBUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum dbus_type { DBUS_CALL = 1, DBUS_RETURN = 2, DBUS_ERROR = 3, DBUS_SIGNAL = 4 };
#define DBUS_NO_REPLY 0x1 /* flag: no reply expected */

#define DBUS_BUS_NAME "org.freedesktop.DBus"
#define DBUS_BUS_PATH "/org/freedesktop/DBus"
/* The host's service on the private bus. */
#define DBUS_RECORDER "org.cagetest.Recorder"
#define DBUS_RECORDER_PATH "/org/cagetest/Recorder"

/* One message. Strings point into the buffer it was parsed from (or are the
 * caller's when building); NULL fields are absent. */
struct dbus_msg {
	uint8_t type, flags;
	uint32_t serial, reply_serial;
	const char *path, *iface, *member, *error, *dest, *sender;
	const char *sig; /* body signature: "", "s", "u" or "su" */
	const char *s;	 /* the string argument */
	uint32_t u;	 /* the uint32 argument */
};

/* Marshal m in native byte order; returns its length or -ENOBUFS/-EINVAL. */
ssize_t dbus_build(const struct dbus_msg *m, uint8_t *buf, size_t cap);
/* Length of the message at the start of buf: > 0 when complete, 0 when more
 * bytes are needed, -EBADMSG when it cannot be a D-Bus message. */
ssize_t dbus_frame(const uint8_t *buf, size_t len);
/* Parse a complete message (len from dbus_frame). Bodies other than the
 * signatures above leave s and u unset. */
int dbus_parse(const uint8_t *buf, size_t len, struct dbus_msg *m);

/* A blocking client connection with its receive buffer. */
struct dbus_conn {
	int fd;
	uint32_t serial;
	size_t len, held; /* bytes in buf; length of the message last returned */
	uint8_t buf[8192];
};
/* socket, connect, SASL EXTERNAL as our euid, BEGIN; step names what failed
 * first. Reads and writes time out after timeout_ms. Like dbus_call, it
 * tries every step even after one said it failed (a half-working sandbox
 * may lie about one) and returns the first failure. */
int dbus_connect(struct dbus_conn *c, const char *path, int timeout_ms, const char **step);
/* Send m with the next serial (set in m->serial). */
int dbus_send(struct dbus_conn *c, struct dbus_msg *m);
/* The next message, parsed into m (valid until the next dbus_recv or
 * dbus_call); returns its length. Reads as needed: with O_NONBLOCK it
 * returns -EAGAIN when no complete message is there. */
ssize_t dbus_recv(struct dbus_conn *c, struct dbus_msg *m);
/* Send m and read until its reply: 0 for a method return (in reply, valid
 * until the next call), -EREMOTEIO for an error reply; a failed send is
 * returned once the reply is read (or the read fails). */
int dbus_call(struct dbus_conn *c, struct dbus_msg *m, struct dbus_msg *reply);
void dbus_close(struct dbus_conn *c);

#endif
