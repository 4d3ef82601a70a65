/* The Seatbelt backend's pure part: the SBPL profile for one box. Plain C,
 * built and tested on every OS (golden profiles, a structural check); only
 * running it needs macOS. */
#ifndef CAGETEST_SEATBELT_H
#define CAGETEST_SEATBELT_H

#include "backend.h"

#define SANDBOX_EXEC "/usr/bin/sandbox-exec"

/* The profile for box x: deny by default; read everything; write only
 * under the writable roots, never a protected name at any depth (existing
 * or not); network egress only in network modes. Paths are quoted for SBPL
 * strings and regexes, whatever bytes they hold. resolve: realpath() the
 * roots first (Seatbelt matches resolved paths: /tmp is /private/tmp). */
int seatbelt_profile(const struct box *x, bool resolve, struct sbuf *out);

#endif
