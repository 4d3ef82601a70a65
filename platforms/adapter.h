/* Adapters: external sandboxes (codex, srt, firejail, a user's wrapper)
 * described by JSON files instead of C (format: docs/cagetest-adapter.5).
 *
 * A parsed file becomes a dynamically built struct backend whose prepare()
 * expands the command template for one case (the agent's argv is appended
 * after it), writes the file templates inside the case root, and sets cwd
 * and env. Shipped files live in platforms/adapters/ under the data dir;
 * --adapter FILE adds more. */
#ifndef CAGETEST_ADAPTER_H
#define CAGETEST_ADAPTER_H

#include "backend.h"

/* Parse one adapter file's text; label names it in errors ("FILE: WHERE:
 * WHAT"). On success *out is a new backend (free with adapter_free). */
int adapter_parse(const char *text, const char *label, struct backend **out, char *err, size_t n);
int adapter_load(const char *path, struct backend **out, char *err, size_t n);
void adapter_free(struct backend *b);

/* Load and register the --adapter files, then every *.json of the shipped
 * platforms/adapters/ dir (a shipped file whose name an --adapter file
 * already took is left out). -EINVAL with err naming the file and problem. */
int adapters_register(char *const *extra, size_t nextra, char *err, size_t n);
/* Free every adapter adapters_register loaded and empty the registry's
 * dynamic part. */
void adapters_unregister(void);

#endif
