#include "container.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

/* The fixed /proc/version of gVisor's own kernel. */
#define GVISOR_VERSION "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016"

/* Engines in the order a tie is broken: each counts the facts that name it. */
static const char *const engines[] = {"docker",	 "podman", "cri-o", "containerd", "systemd-nspawn",
				      "lxd",	 "lxc",	   "container"};

static struct ctr_fact *add(struct ctr_id *id, enum ev_src src, const char *means, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static struct ctr_fact *add(struct ctr_id *id, enum ev_src src, const char *means, const char *f, ...)
{
	struct ctr_fact *x;
	va_list ap;

	if (id->nfacts == CTR_MAX_FACTS)
		return NULL;
	x = &id->facts[id->nfacts++];
	x->source = src;
	x->means = means;
	x->note = NULL;
	va_start(ap, f);
	vsnprintf(x->seen, sizeof(x->seen), f, ap);
	va_end(ap);
	return x;
}

static size_t count(const struct ctr_id *id, const char *means)
{
	size_t n = 0;

	for (size_t i = 0; i < id->nfacts; i++)
		n += !strcmp(id->facts[i].means, means) && !id->facts[i].note;
	return n;
}

/* The runtime a `container=` value (environment, /run/systemd/container) names. */
static const char *container_word(const char *v)
{
	static const struct {
		const char *value, *means;
	} words[] = {
		{"docker", "docker"}, {"podman", "podman"}, {"crio", "cri-o"}, {"cri-o", "cri-o"},
		{"systemd-nspawn", "systemd-nspawn"}, {"lxc", "lxc"}, {"lxc-libvirt", "lxc"}, {"wsl", "wsl"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(v, words[i].value))
			return words[i].means;
	return "container";
}

/* Does s hold prefix followed by at least 12 hex digits (a container id)? */
static bool has_id_after(const char *s, const char *prefix)
{
	for (const char *p = strstr(s, prefix); p; p = strstr(p + 1, prefix)) {
		size_t n = 0;
		for (const char *h = p + strlen(prefix); isxdigit((unsigned char)*h); h++)
			n++;
		if (n >= 12)
			return true;
	}
	return false;
}

static void cgroup_signs(struct ctr_id *id, enum ev_src src, const char *text)
{
	for (const char *l = text; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0)) {
		char line[512];
		const char *means = NULL;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (has_id_after(line, "/docker/") || has_id_after(line, "docker-"))
			means = "docker";
		else if (has_id_after(line, "libpod-") || strstr(line, "/libpod_parent/"))
			means = "podman";
		else if (has_id_after(line, "crio-"))
			means = "cri-o";
		else if (has_id_after(line, "cri-containerd-"))
			means = "containerd";
		else if (strstr(line, "/lxc/") || strstr(line, "/lxc.payload"))
			means = "lxc";
		else if (strstr(line, "/systemd-nspawn@"))
			means = "systemd-nspawn";
		if (means)
			add(id, src, means, "%s", line);
		if (strstr(line, "kubepods"))
			add(id, src, "kubernetes", "%s", line);
		if (means || strstr(line, "kubepods"))
			return; /* one line says it; the other hierarchies repeat it */
	}
}

static void mount_signs(struct ctr_id *id, const char *mountinfo)
{
	struct ev_mount m;
	bool docker = false, storage = false, containerd = false, kubelet = false, lxc = false, nspawn = false;

	for (const char *c = mountinfo; ev_mount_next(&c, &m);) {
		if (!docker && !strstr(m.root, "overlay-containers/") &&
		    (has_id_after(m.root, "/containers/") && strstr(m.point, "/etc/host"))) {
			docker = add(id, EV_MOUNTINFO, "docker", "%s on %s (Docker's per-container files)", m.root, m.point);
		} else if (!storage && has_id_after(m.root, "overlay-containers/")) {
			storage = add(id, EV_MOUNTINFO, "podman", "%s on %s (containers/storage: Podman or CRI-O)", m.root,
				      m.point);
		} else if (!containerd && (strstr(m.super, "io.containerd.") || strstr(m.root, "io.containerd."))) {
			containerd = add(id, EV_MOUNTINFO, "containerd", "%s on %s (a containerd snapshot or task)",
					 m.fstype, m.point);
		}
		if (!kubelet && (strstr(m.root, "/kubelet/pods/") || strstr(m.point, "/serviceaccount")))
			kubelet = add(id, EV_MOUNTINFO, "kubernetes", "%s on %s (a kubelet pod volume)", m.root, m.point);
		if (!lxc && (!strcmp(m.point, "/dev/lxc/console") || strstr(m.root, ".lxc-boot-id") ||
			     !strcmp(m.fstype, "fuse.lxcfs")))
			lxc = add(id, EV_MOUNTINFO, "lxc", "%s on %s", strcmp(m.fstype, "fuse.lxcfs") ? m.root : m.fstype,
				  m.point);
		if (!nspawn && (!strcmp(m.point, "/run/host/incoming") || strstr(m.root, "/systemd/nspawn/")))
			nspawn = add(id, EV_MOUNTINFO, "systemd-nspawn", "%s on %s", m.root, m.point);
		if (!strcmp(m.point, "/")) {
			if (!strcmp(m.fstype, "9p") && ev_opt_has(m.super, "trans=fd"))
				add(id, EV_MOUNTINFO, "gvisor", "/ is 9p over a file descriptor (gVisor's gofer)");
			else if (!strcmp(m.root, "/") && !strncmp(m.source, "/dev/", 5))
				add(id, EV_MOUNTINFO, "host", "/ is %s on %s: a disk, not an image layer", m.fstype,
				    m.source);
		}
	}
}

static void env_signs(struct ctr_id *id, const struct evidence *ev, enum ev_src src)
{
	char v[128];

	if (ev_getenv(ev, src, "container", v, sizeof(v)))
		add(id, src, container_word(v), "container=%s", v);
	if (ev_getenv(ev, src, "KUBERNETES_SERVICE_HOST", v, sizeof(v)))
		add(id, src, "kubernetes", "KUBERNETES_SERVICE_HOST=%s", v);
	if (ev_getenv(ev, src, "WSL_DISTRO_NAME", v, sizeof(v)) || ev_getenv(ev, src, "WSL_INTEROP", v, sizeof(v)))
		add(id, src, "wsl", "WSL_DISTRO_NAME or WSL_INTEROP is set");
}

static void file_signs(struct ctr_id *id, const struct evidence *ev)
{
	const char *t;

	if (ev->text[EV_DOCKERENV])
		add(id, EV_DOCKERENV, "docker", "exists");
	if ((t = ev->text[EV_CONTAINERENV])) {
		const char *engine = strstr(t, "engine=\"");
		if (engine)
			add(id, EV_CONTAINERENV, !strncmp(engine + 8, "podman", 6) ? "podman" : "container", "%.*s",
			    (int)strcspn(engine, "\n"), engine);
		else
			add(id, EV_CONTAINERENV, "podman", "exists, empty (Podman, or CRI-O)");
	}
	if ((t = ev->text[EV_SYSTEMD_CONTAINER]) && *t) {
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(t, "\n"), t);
		add(id, EV_SYSTEMD_CONTAINER, container_word(word), "%s", word);
	}
	if ((t = ev->text[EV_K8S_NAMESPACE]))
		add(id, EV_K8S_NAMESPACE, "kubernetes", "a service account token is mounted (namespace %.*s)",
		    (int)strcspn(t, "\n"), t);
	if (ev->text[EV_LXD_SOCK])
		add(id, EV_LXD_SOCK, "lxd", "exists (the LXD guest API)");
	if (ev->text[EV_WSL_INTEROP])
		add(id, EV_WSL_INTEROP, "wsl", "exists");
	if ((t = ev->text[EV_VERSION])) {
		if (!strncmp(t, GVISOR_VERSION, strlen(GVISOR_VERSION)))
			add(id, EV_VERSION, "gvisor", "%s (gVisor's fixed version string)", GVISOR_VERSION);
		else if (strstr(t, "microsoft") || strstr(t, "Microsoft") || strstr(t, "WSL"))
			add(id, EV_VERSION, "wsl", "%.*s", (int)strcspn(t, "\n"), t);
	}
	if ((t = ev->text[EV_KMSG]) && strstr(t, "Starting gVisor"))
		add(id, EV_KMSG, "gvisor", "Starting gVisor...");
}

static void vm_signs(struct ctr_id *id, const struct evidence *ev)
{
	static const struct {
		const char *needle, *vm;
	} dmi[] = {
		{"QEMU", "qemu"}, {"KVM", "kvm"}, {"VMware", "vmware"}, {"Microsoft Corporation", "hyper-v"},
		{"Xen", "xen"}, {"innotek", "virtualbox"}, {"VirtualBox", "virtualbox"}, {"Amazon EC2", "kvm"},
		{"Google", "kvm"}, {"Parallels", "parallels"}, {"Bochs", "bochs"}, {"OpenStack", "kvm"},
	};
	const enum ev_src dmi_src[] = {EV_DMI_VENDOR, EV_DMI_PRODUCT};
	const char *t, *h;

	for (size_t s = 0; s < ARRAY_SIZE(dmi_src); s++)
		for (size_t i = 0; (t = ev->text[dmi_src[s]]) && i < ARRAY_SIZE(dmi); i++)
			if (strstr(t, dmi[i].needle)) {
				add(id, dmi_src[s], "vm", "%.*s", (int)strcspn(t, "\n"), t);
				id->vm = id->vm ? id->vm : dmi[i].vm;
				break;
			}
	if ((t = ev->text[EV_HYPERVISOR_TYPE]) && *t) {
		static char type[32];
		snprintf(type, sizeof(type), "%.*s", (int)strcspn(t, "\n"), t);
		add(id, EV_HYPERVISOR_TYPE, "vm", "%s", type);
		id->vm = id->vm ? id->vm : type;
	}
	if ((t = ev->text[EV_KMSG]) && (h = strstr(t, "Hypervisor detected: "))) {
		h += strlen("Hypervisor detected: ");
		add(id, EV_KMSG, "vm", "Hypervisor detected: %.*s", (int)strcspn(h, "\n"), h);
		if (!id->vm) /* the kernel's names: KVM, Xen HVM, Microsoft Hyper-V, VMware, ... */
			id->vm = !strncmp(h, "KVM", 3)	       ? "kvm"
				 : !strncmp(h, "Xen", 3)       ? "xen"
				 : strstr(h, "Hyper-V")	       ? "hyper-v"
				 : !strncmp(h, "VMware", 6)    ? "vmware"
							       : "vm";
	}
	if ((t = ev->text[EV_CPUINFO_FLAGS]) && strstr(t, " hypervisor")) {
		add(id, EV_CPUINFO_FLAGS, "vm", "the hypervisor flag");
		id->vm = id->vm ? id->vm : "vm";
	}
}

void ctr_identify(const struct evidence *ev, struct ctr_id *id)
{
	size_t best = 0;

	memset(id, 0, sizeof(*id));
	cgroup_signs(id, EV_PID1_CGROUP, ev->text[EV_PID1_CGROUP]);
	cgroup_signs(id, EV_SELF_CGROUP, ev->text[EV_SELF_CGROUP]);
	mount_signs(id, ev->text[EV_MOUNTINFO]);
	env_signs(id, ev, EV_PID1_ENVIRON);
	env_signs(id, ev, EV_SELF_ENVIRON);
	file_signs(id, ev);
	vm_signs(id, ev);

	bool gvisor = count(id, "gvisor") > 0, k8s = count(id, "kubernetes") > 0;
	/* /.dockerenv alone proves nothing: every image Docker built carries it
	 * (this VM's own root does). Under gVisor no host path shows, so there
	 * it is all there is. */
	for (size_t i = 0; i < id->nfacts; i++)
		if (id->facts[i].source == EV_DOCKERENV && count(id, "docker") == 1 && !gvisor)
			id->facts[i].note = "alone it proves nothing: images built by Docker carry it";
	/* containers/storage serves Podman and CRI-O: in a pod it is CRI-O */
	for (size_t i = 0; i < id->nfacts; i++)
		if (k8s && !strcmp(id->facts[i].means, "podman") && !strstr(id->facts[i].seen, "engine=") &&
		    id->facts[i].source != EV_PID1_ENVIRON && id->facts[i].source != EV_SELF_ENVIRON)
			id->facts[i].means = "cri-o";
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++)
		if (count(id, engines[e]) > best) {
			best = count(id, engines[e]);
			id->engine = engines[e];
		}
	/* LXD runs LXC containers: its guest socket tells them apart */
	if (id->engine && !strcmp(id->engine, "lxc") && count(id, "lxd"))
		id->engine = "lxd";
	id->runtime = gvisor ? "gvisor" : k8s ? "kubernetes" : id->engine ? id->engine : count(id, "wsl") ? "wsl" : "none";
	if (id->engine && !strcmp(id->engine, id->runtime))
		id->engine = NULL;
}

void ctr_describe(const struct ctr_id *id, struct sbuf *out)
{
	sb_puts(out, id->runtime);
	if (id->engine || id->vm)
		sb_printf(out, " (%s%s%s%s%s)", id->engine ? "started by " : "", id->engine ? id->engine : "",
			  id->engine && id->vm ? "; " : "", id->vm ? "in a VM: " : "", id->vm ? id->vm : "");
}
