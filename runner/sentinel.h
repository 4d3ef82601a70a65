/* The sentinel: a host process of the sandboxed uid that probes try to
 * signal, trace, write into and read. It blocks every signal (so a signal
 * sent is a signal pending, readable from /proc), keeps integrity words (one
 * per probe slot) in memory shared with the runner, an fd open on outside/sentinel-fd.txt, its
 * cwd in outside/, and a secret in its environment. One per case that needs
 * it; what probes of one case share is told apart by signal number, slot
 * word or token. */
#ifndef CAGETEST_SENTINEL_H
#define CAGETEST_SENTINEL_H

#include "../probes/probe.h"

#include <stdint.h>
#include <sys/types.h>

struct sentinel {
	pid_t pid;
	volatile uint64_t *words; /* SENTINEL_WORDS, shared with the sentinel */
	unsigned long addr;	  /* their address inside the sentinel */
	char secret[40];
};

int sentinel_start(struct sentinel *s, const char *self, const char *outside_dir, bool drop, uid_t uid, gid_t gid);
void sentinel_read(const struct sentinel *s, struct sentinel_state *st);
void sentinel_stop(struct sentinel *s);
/* `cagetest sentinel`: the process itself (internal). */
int sentinel_main(const char *ids);

#endif
