/* What the runner and the agent say to each other, encoded and decoded here
 * and nowhere else (each format has its pair and a round trip in
 * tests/unit/test_record.c):
 *
 *   the agent's argv  agent --env ENV --timeout=S PROBE...   ENV: probe.h's
 *                     probe_env_encode; a PROBE is "ID@SLOT", plus
 *                     "+sent=PID;saddr=ADDR" for a sentinel of its own
 *   its records       one line "@cagetest NONCE JSON" each, on its stdout:
 *                     hello, then one probe record per probe (an inspect
 *                     record first for a probe that holds), then done;
 *                     lines without the case's nonce are noise (wrappers
 *                     print too)
 *   the resume byte   on the agent's stdin: the host has inspected the
 *                     holding probe, which goes on (EOF: it never will)
 *
 * The JSON keeps its field order: tests/wrappers/liar.sh edits it in flight. */
#ifndef CAGETEST_RECORD_H
#define CAGETEST_RECORD_H

#include "probe.h"

#define RECORD_TAG "@cagetest"

enum record_type { REC_OTHER, REC_HELLO, REC_PROBE, REC_INSPECT, REC_DONE };

struct record {
	enum record_type t; /* REC_OTHER: a type this runner does not know (still a sign of life) */
	int slot;	    /* probe, inspect: the probe's slot; -1 when absent */
	/* hello: who and where the agent runs */
	int pid, uid, euid, nnp;
	char cwd[PATH_MAX];
	/* probe */
	char id[128];
	bool failed;	    /* the agent could not run it: att.detail says why */
	struct attempt att; /* what the attempt returned (rc) and saw (detail) */
	int signal;	    /* its child was killed by this signal; 0: none */
	bool timeout;	    /* it was killed at the probe timeout */
	double ms;
	/* inspect */
	int port; /* the host should connect to 127.0.0.1:port first; 0: none */
};

/* The record as one line of JSON (malloc'd into *json). 0 or -ENOMEM. */
int record_encode(const struct record *r, char **json);
/* -EINVAL when json is no record (malformed, no type). */
int record_decode(const char *json, struct record *r);
/* "@cagetest NONCE JSON\n" in one write of < PIPE_BUF bytes, so the records
 * of several processes never interleave. 0, or -errno (the host is gone). */
int record_write(int fd, const char *nonce, const struct record *r);
/* The JSON of a line of the agent's output, when it carries nonce's tag;
 * else NULL. */
const char *record_find(const char *line, const char *nonce);

/* The host has looked: the probe may go on. */
int record_resume(int fd);
/* In the box: wait for the host's resume byte (or EOF). */
void record_wait_resume(int fd);

/* One probe on the agent's command line: "ID@SLOT", and when own is not
 * NULL, "+" and its own sentinel's fields (probe_env_apply's syntax). */
int probe_arg_encode(const char *id, int slot, const struct probe_env *own, char *buf, size_t n);
/* Split arg into id (n bytes) and *slot (-1 without "@SLOT"), and apply its
 * own fields to env. id and slot are set even when the own part is bad
 * (-EINVAL). */
int probe_arg_decode(const char *arg, char *id, size_t n, int *slot, struct probe_env *env);

#endif
