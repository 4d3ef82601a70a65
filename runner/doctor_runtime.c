#include "doctor_runtime.h"

#include "../platforms/container.h"
#include "doctor.h"
#include "here.h"

#include <string.h>

static void identification(const struct evidence *ev, struct sbuf *out)
{
	struct ctr_id id;
	struct sbuf s = {0};

	ctr_identify(ev, &id);
	ctr_describe(&id, &s);
	doctor_line(out, "container", "%s", s.s ? s.s : "?");
	sb_free(&s);
	for (size_t i = 0; i < id.nfacts; i++) {
		const struct ctr_fact *f = &id.facts[i];
		doctor_line(out, "", "%s: %s -> %s%s%s%s", ev_path[f->source], f->seen, f->means, f->note ? " (" : "",
		    f->note ? f->note : "", f->note ? ")" : "");
	}
	if (!id.nfacts)
		doctor_line(out, "", "no sign of a runtime or hypervisor in the cgroups, mounts, environment, kernel log or DMI");
}

static void calls(const struct trials *t, struct sbuf *out)
{
	doctor_line(out, "calls", "measured in a throwaway child (\"reached the kernel\": past every filter, to its bad arguments)");
	for (int i = 0; i < T__COUNT; i++) {
		struct sbuf s = {0};
		trial_describe((enum trial)i, &t->r[i], &s);
		doctor_line(out, "", "%-38s %s", trial_info[i].call, s.s ? s.s : "");
		sb_free(&s);
	}
}

/* The masked /proc paths, grouped by how they are masked. */
static void masks(const struct confinement *c, struct sbuf *out)
{
	struct sbuf s = {0};

	sb_puts(&s, "");
	for (size_t i = 0; i < c->nmasked; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(c->masked[j].how, c->masked[i].how);
		if (seen)
			continue;
		sb_printf(&s, "%s%s:", s.len ? "; " : "", c->masked[i].how);
		for (size_t j = i; j < c->nmasked; j++)
			if (!strcmp(c->masked[j].how, c->masked[i].how))
				sb_printf(&s, " %s", c->masked[j].path);
	}
	doctor_line(out, "/proc masks", "%s", c->nmasked ? s.s : "none (nothing mounted over /proc)");
	sb_free(&s);
}

static void process(const struct evidence *ev, struct sbuf *out)
{
	struct confinement c;

	confinement_read(ev, &c);
	if (c.seccomp_mode < 0)
		doctor_line(out, "seccomp", "this process: unknown (no Seccomp line in /proc/self/status)");
	else if (c.seccomp_mode == 2 && c.seccomp_filters > 0)
		doctor_line(out, "seccomp", "this process: filtered (%d filter%s)", c.seccomp_filters,
			    c.seccomp_filters > 1 ? "s" : "");
	else
		doctor_line(out, "seccomp", "this process: %s",
			    c.seccomp_mode == 2 ? "filtered" : c.seccomp_mode == 1 ? "strict" : "not filtered");
	doctor_line(out, "no_new_privs", "%s on this process%s",
		    c.no_new_privs < 0 ? "unknown" : c.no_new_privs ? "set" : "not set",
		    c.no_new_privs < 0 ? " (no NoNewPrivs line in /proc/self/status)" : "");
	if (c.caps_known)
		doctor_line(out, "capabilities", "effective %016llx, bounding %016llx (%s CAP_SYS_ADMIN)",
			    (unsigned long long)c.cap_eff, (unsigned long long)c.cap_bnd,
			    cap_has_sys_admin(c.cap_eff) ? "with" : "no");
	doctor_line(out, "LSM label", "%s%s%s%s", *c.lsm_label ? c.lsm_label : "none", *c.lsm_label ? " (" : "",
		    *c.lsm_label ? ev_path[c.lsm_source] : "", *c.lsm_label ? ")" : "");
	masks(&c, out);
	doctor_line(out, "userns sysctl", "user.max_user_namespaces = %s; kernel.unprivileged_userns_clone = %s; "
		    "kernel.apparmor_restrict_unprivileged_userns = %s",
		    *c.max_userns ? c.max_userns : "absent", *c.unpriv_userns_clone ? c.unpriv_userns_clone : "absent",
		    *c.aa_restrict_userns ? c.aa_restrict_userns : "absent");
}

void runtime_facts_render(const struct evidence *ev, const struct trials *t, struct sbuf *out)
{
	identification(ev, out);
	calls(t, out);
	process(ev, out);
}

int runtime_facts(struct sbuf *out, const char *save_dir)
{
	const struct here *h = here_get();
	int r = 0;

	if (!h)
		return -ENOMEM;
	runtime_facts_render(&h->ev, &h->trials, out);
	if (save_dir && (r = evidence_save(&h->ev, save_dir)) == 0) {
		struct sbuf s = {0};
		char p[4096];
		trials_format(&h->trials, &s);
		r = fmt(p, sizeof(p), "%s/trials.txt", save_dir);
		if (r == 0)
			r = s.oom ? -ENOMEM : write_file(p, s.s ? s.s : "", s.len, 0644);
		sb_free(&s);
	}
	return r;
}
