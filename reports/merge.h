/* Reading reports back: merge several hosts' reports into one model, diff
 * two runs, and baselines of known failures (--baseline). */
#ifndef CAGETEST_MERGE_H
#define CAGETEST_MERGE_H

#include "model.h"

/* merge: append src to dst, its host labelled `label` (NULL: derived from
 * host.name, else host.kernel); labels are made unique within dst.
 *
 * Folding: two hosts have the same outcome when their rows are the same in
 * the same order (backend, mode, probe, category, effect, expected,
 * observed, control, verdict, errno), and so are their backends (name,
 * available, version, reason, notes), their sandbox verdicts with their
 * reasons, their wrappers' words (said) and what each backend applied
 * (explain). Only the evidence text and the times are left out of it: they
 * carry per-run tokens, paths and pids. A host whose outcome dst has
 * already keeps its facts in dst->hosts, with `like` naming the host whose
 * rows, backends, explain texts and words stand for its own; those of its
 * own are dropped. So a merge holds one copy per distinct outcome, however
 * many hosts share it. Without fold every host keeps its own. */
struct merge_outcome;
struct merge {
	struct report *dst;
	bool fold;
	struct merge_outcome *v; /* dst's distinct outcomes */
	size_t n;
};
/* Index the outcomes dst holds already (an empty or a merged report). */
int merge_begin(struct merge *m, struct report *dst, bool fold);
/* -EINVAL when label is not host_label_ok. */
int merge_add(struct merge *m, const struct report *src, const char *label);
void merge_end(struct merge *m);
/* One input, folded: merge_begin, merge_add, merge_end. */
int report_merge(struct report *dst, const struct report *src, const char *label);

/* A label a person gives a host (merge LABEL=F, run --label): 1 to
 * HOST_LABEL_MAX bytes, no '/' (LABEL=path would be ambiguous), no controls. */
#define HOST_LABEL_MAX 200
bool host_label_ok(const char *label);

/* diff: how NEW differs from OLD, row by row (key: host, backend, mode,
 * probe). A folded host's rows are those of the host it is like. */
enum change {
	CHANGE_NEW_ESCAPE,     /* NEW escapes where OLD did not (or the row is new) */
	CHANGE_NEW_OVERBLOCK,  /* likewise for overblocked */
	CHANGE_NEW_FAIL,       /* another verdict of fail_on newly reached */
	CHANGE_FIXED,	       /* OLD escaped or overblocked, NEW passes */
	CHANGE_VERDICT,	       /* any other change of verdict */
	CHANGE_ADDED,	       /* only in NEW */
	CHANGE_REMOVED,	       /* only in OLD */
	CHANGE__COUNT
};
struct diff_entry {
	enum change kind;
	const struct result *old, *new; /* either may be NULL (added / removed) */
	const char *host;		 /* the host the row is for (NULL in a single run) */
};
struct diff {
	struct diff_entry *v;
	size_t n;
	size_t count[CHANGE__COUNT];
	bool worse; /* NEW has a row newly in fail_on */
};
/* fail_on[v]: verdicts that make a row failing (xfail counts as what it hides). */
int report_diff(const struct report *old, const struct report *new, const bool fail_on[V__COUNT], struct diff *d);
/* One line per change; the same change of one row on many hosts is one
 * line that names them. */
int diff_text(const struct diff *d, char **out);
void diff_free(struct diff *d);

/* Baselines (--baseline F): known failures, as globs with a reason. */
struct known {
	char *backend, *mode, *probe, *reason;
};
struct baseline {
	struct known *v;
	size_t n;
};
/* Either a cagetest JSON report (its escape and overblocked rows become
 * known) or {"known":[{"backend","mode","probe","reason"}]}. err: "what". */
int baseline_parse(const char *text, struct baseline *b, char *err, size_t n);
/* The run_opts.known callback: ctx is the baseline. */
bool baseline_known(const char *backend, const char *mode, const char *probe, void *ctx);
/* Record in r->fixed_known every entry whose rows all pass now. */
int baseline_fixed(const struct baseline *b, struct report *r);
void baseline_free(struct baseline *b);
/* Move every entry of src to the end of dst (several --baseline files). */
int baseline_append(struct baseline *dst, struct baseline *src);

#endif
