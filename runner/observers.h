/* Listeners the host owns, started once per run and shared by every case:
 * TCP and UDP on 127.0.0.1 and ::1, a fake DNS server (UDP and TCP), pathname
 * UNIX stream and datagram sockets in the run dir, an abstract UNIX socket,
 * nscd and systemd-resolved (varlink) stand-ins in the run dir, and what
 * this host allows: SCTP, vsock on VMADDR_CID_LOCAL, a NETLINK_USERSOCK
 * socket, taps on lo (ICMP echo, one experimental ethertype, the mDNS and
 * LLMNR groups joined on lo only), and a private dbus-daemon on run/dbus.sock
 * where the host owns org.cagetest.Recorder (killed at observers_stop).
 * Every connection and datagram is logged with its sender and what it
 * carried; probes send from a source of their own and put their token in
 * what they send, so a case finds its own evidence with observers_heard(),
 * with or without a payload. Single-threaded: the
 * runner's poll loop services them. */
#ifndef CAGETEST_OBSERVERS_H
#define CAGETEST_OBSERVERS_H

#include "../probes/probe.h"

#include <poll.h>

struct observers;

int observers_start(struct observers **out, const char *run_dir, const char *run_id, char *err, size_t n);
/* Put ports, socket names into a probe env. */
void observers_fill_env(const struct observers *o, struct probe_env *env);
/* Append this observer set's fds to pfd; returns how many. */
size_t observers_pollfds(const struct observers *o, struct pollfd *pfd, size_t max);
/* The most observers_pollfds ever appends: what the poll loop makes room for. */
size_t observers_npollfds(const struct observers *o);
/* Handle whatever is ready (pfd as filled by observers_pollfds). */
void observers_service(struct observers *o, const struct pollfd *pfd, size_t n);
/* Accept and read everything already queued in the kernel, without blocking:
 * called after a case's processes are all gone, so its evidence is in. */
void observers_drain(struct observers *o);
/* Once a case's processes are all gone, drain what they sent: first a
 * marker from every CPU to the host itself through loopback, and wait for
 * them all (at most timeout seconds). Loopback traffic is handed over in
 * each CPU's backlog and delivered by the NET_RX softirq, which a busy
 * machine defers (ksoftirqd): what a probe sent just before it exited may
 * not have reached its listener yet; each marker comes out of its CPU's
 * backlog after it. -ETIMEDOUT: not every marker came back (unsettled). */
int observers_settle(struct observers *o, double timeout);
/* Events on ch from env's probe: carrying its token, or sent from its
 * source (probe_source); one described in what. -EINPROGRESS when there
 * are none and the last settle did not complete. */
int observers_heard(const struct observers *o, enum channel ch, const struct probe_env *env, char *what, size_t n);
/* Drop the events of env's probe (the case is judged). */
void observers_forget(struct observers *o, const struct probe_env *env);
void observers_stop(struct observers *o);

#endif
