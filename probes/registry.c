/* The probe registry: every category's table, in report order. */
#include "registry.h"

#include <errno.h>
#include <string.h>

/* In report order; a category may span more than one table (git: git.c, trap.c). */
static const struct {
	const struct probe *table;
	const size_t *count;
} tables[] = {
	{fs_probes, &fs_probes_count},	   {git_probes, &git_probes_count}, {trap_probes, &trap_probes_count},
	{net_probes, &net_probes_count},   {ipc_probes, &ipc_probes_count}, {dns_probes, &dns_probes_count},
	{priv_probes, &priv_probes_count}, {proc_probes, &proc_probes_count}, {meta_probes, &meta_probes_count},
	{ns_probes, &ns_probes_count},
};

static const char *const category_names[CAT__COUNT] = {
	[CAT_FS] = "fs",     [CAT_GIT] = "git",	  [CAT_NET] = "net",   [CAT_IPC] = "ipc",
	[CAT_DNS] = "dns",   [CAT_PRIV] = "priv", [CAT_PROC] = "proc", [CAT_META] = "meta",
	[CAT_NS] = "ns",
};

static const char *const observed_names[] = {
	[OBS_UNKNOWN] = "unknown", [OBS_BLOCKED] = "blocked", [OBS_ALLOWED] = "allowed"};

size_t probe_count(void)
{
	size_t n = 0;

	for (size_t c = 0; c < ARRAY_SIZE(tables); c++)
		n += *tables[c].count;
	return n;
}

const struct probe *probe_at(size_t i)
{
	for (size_t c = 0; c < ARRAY_SIZE(tables); c++) {
		if (i < *tables[c].count)
			return &tables[c].table[i];
		i -= *tables[c].count;
	}
	return NULL;
}

const struct probe *probe_find(const char *id)
{
	for (size_t c = 0; c < ARRAY_SIZE(tables); c++)
		for (size_t i = 0; i < *tables[c].count; i++)
			if (!strcmp(tables[c].table[i].id, id))
				return &tables[c].table[i];
	return NULL;
}

enum category probe_category(const struct probe *p)
{
	size_t len = strcspn(p->id, ".");

	for (int c = 0; c < CAT__COUNT; c++)
		if (strlen(category_names[c]) == len && !strncmp(p->id, category_names[c], len))
			return (enum category)c;
	return CAT_META;
}

const char *category_name(enum category c)
{
	return (unsigned)c < CAT__COUNT ? category_names[c] : "?";
}

const char *observed_name(enum observed o)
{
	return (unsigned)o < ARRAY_SIZE(observed_names) ? observed_names[o] : "unknown";
}

int observed_from_name(const char *name)
{
	for (size_t o = 0; o < ARRAY_SIZE(observed_names); o++)
		if (!strcmp(observed_names[o], name))
			return (int)o;
	return -EINVAL;
}
