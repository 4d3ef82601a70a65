/* The writers table: adding a format is one entry here (and its file). */
#include "render.h"

#include "../lib/util.h"

#include <string.h>

static int json_w(const struct report *r, const struct render_opts *o, char **out)
{
	(void)o;
	return report_json(r, out);
}

static int junit_w(const struct report *r, const struct render_opts *o, char **out)
{
	(void)o;
	return report_junit(r, out);
}

static int tap_w(const struct report *r, const struct render_opts *o, char **out)
{
	(void)o;
	return report_tap(r, out);
}

const struct writer writers[] = {
	{"json", json_w},
	{"junit", junit_w},
	{"tap", tap_w},
	{"markdown", report_markdown},
	{"html", report_html},
};
const size_t nwriters = ARRAY_SIZE(writers);
_Static_assert(ARRAY_SIZE(writers) <= WRITERS_MAX, "the CLI keeps room for WRITERS_MAX report options");

const struct writer *writer_find(const char *name)
{
	for (size_t i = 0; i < nwriters; i++)
		if (!strcmp(writers[i].name, name))
			return &writers[i];
	return NULL;
}
