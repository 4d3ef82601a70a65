/* JUnit XML, flat, valid against docs/cagetest-junit.xsd (exactly our shape)
 * and so against Jenkins' junit-10.xsd: one testsuite per backend.mode (per
 * host in merged reports), one testcase per row. */
#include "render.h"

#include "../lib/util.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <string.h>

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool same_group(const struct result *a, const struct result *b)
{
	return !strcmp(a->backend, b->backend) && !strcmp(a->mode, b->mode) && !strcmp(nz(a->host), nz(b->host));
}

/* Write an attribute / element with its text made valid XML 1.0 first. */
static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	_cleanup_free_ char *clean = xml_sanitize(nz(value));

	if (!clean)
		return -1;
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST clean);
}

static int attr_count(xmlTextWriterPtr w, const char *name, size_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", v);
	return attr(w, name, buf);
}

static int attr_time(xmlTextWriterPtr w, const char *name, double seconds)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", seconds);
	return attr(w, name, buf);
}

static int element(xmlTextWriterPtr w, const char *name, const char *text)
{
	_cleanup_free_ char *clean = xml_sanitize(nz(text));

	if (!clean)
		return -1;
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST clean);
}

static int property(xmlTextWriterPtr w, const char *name, const char *value)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "property") < 0 || attr(w, "name", name) < 0 ||
	    attr(w, "value", value) < 0)
		return -1;
	return xmlTextWriterEndElement(w);
}

static int properties(xmlTextWriterPtr w, const struct report *r, const struct result *first,
		      const struct column *col)
{
	const struct backend_info *b = report_backend_at(r, first->host, first->backend);
	const struct host_facts *h = report_host(r, first->host);
	char num[32];
	int rc = 0;

	rc |= xmlTextWriterStartElement(w, BAD_CAST "properties");
	rc |= property(w, "cagetest.version", r->version ? r->version : CAGETEST_VERSION);
	rc |= property(w, "backend", first->backend);
	rc |= property(w, "mode", first->mode);
	if (b && b->version)
		rc |= property(w, "backend.version", b->version);
	if (b && b->notes)
		rc |= property(w, "backend.notes", b->notes);
	if (first->host)
		rc |= property(w, "host", first->host);
	if (first->host && report_hosts_like(r, first->host) > 1) { /* folded by merge: same outcome */
		struct sbuf like = {0};
		report_hosts_like_names(r, first->host, r->nhosts, &like);
		rc |= like.oom ? -1 : property(w, "hosts.like", like.s);
		sb_free(&like);
	}
	rc |= property(w, "kernel", h->kernel);
	rc |= property(w, "arch", h->arch);
	snprintf(num, sizeof(num), "%d", h->landlock_abi);
	rc |= property(w, "landlock.abi", num);
	rc |= property(w, "seccomp", h->seccomp ? "true" : "false");
	rc |= property(w, "userns", h->userns ? "true" : "false");
	snprintf(num, sizeof(num), "%u", h->uid);
	rc |= property(w, "uid", num);
	if (h->user)
		rc |= property(w, "user", h->user);
	rc |= property(w, "container", h->container ? h->container : "none");
	if (col) {
		rc |= property(w, "verdict", sandbox_word_name(col->verdict.word));
		rc |= property(w, "verdict.reason", col->verdict.reason);
	}
	rc |= xmlTextWriterEndElement(w);
	return rc < 0 ? -1 : 0;
}

static int testcase(xmlTextWriterPtr w, const struct result *res)
{
	char cls[512], out[2048];
	int rc = 0;

	snprintf(cls, sizeof(cls), "cagetest.%s.%s.%s", res->backend, res->mode, nz(res->category));
	rc |= xmlTextWriterStartElement(w, BAD_CAST "testcase");
	rc |= attr(w, "classname", cls);
	rc |= attr(w, "name", res->probe);
	rc |= attr_time(w, "time", res->duration_ms / 1000.0);
	switch (res->verdict) {
	case V_ESCAPE:
	case V_OVERBLOCKED:
		rc |= xmlTextWriterStartElement(w, BAD_CAST "failure");
		rc |= attr(w, "type", verdict_name(res->verdict));
		rc |= attr(w, "message", res->detail);
		rc |= xmlTextWriterEndElement(w);
		break;
	case V_ERROR:
		rc |= xmlTextWriterStartElement(w, BAD_CAST "error");
		rc |= attr(w, "type", "error");
		rc |= attr(w, "message", res->detail);
		rc |= xmlTextWriterEndElement(w);
		break;
	case V_SKIP:
	case V_XFAIL:
		rc |= xmlTextWriterStartElement(w, BAD_CAST "skipped");
		rc |= attr(w, "type", verdict_name(res->verdict));
		rc |= attr(w, "message", res->detail);
		rc |= xmlTextWriterEndElement(w);
		break;
	default:
		break;
	}
	snprintf(out, sizeof(out), "verdict=%s expected=%s observed=%s control=%s errno=%s effect=%s\n%s\n",
		 verdict_name(res->verdict), expect_name(res->expected), nz(res->observed), nz(res->control),
		 nz(res->errno_name), nz(res->effect), nz(res->detail));
	rc |= element(w, "system-out", out);
	rc |= xmlTextWriterEndElement(w);
	return rc < 0 ? -1 : 0;
}

static int suite(xmlTextWriterPtr w, const struct report *r, const struct matrix *m, size_t from, size_t to)
{
	const struct result *first = &r->results[from];
	size_t n[V__COUNT] = {0};
	double ms = 0;
	char name[512];
	const char *explain = report_explain_at(r, first->host, first->backend, first->mode);
	int rc = 0;

	for (size_t i = from; i < to; i++) {
		n[r->results[i].verdict]++;
		ms += r->results[i].duration_ms;
	}
	if (first->host)
		snprintf(name, sizeof(name), "%s.%s@%s", first->backend, first->mode, first->host);
	else
		snprintf(name, sizeof(name), "%s.%s", first->backend, first->mode);
	rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuite");
	rc |= attr(w, "name", name);
	rc |= attr_count(w, "tests", (to - from));
	rc |= attr_count(w, "failures", (n[V_ESCAPE] + n[V_OVERBLOCKED]));
	rc |= attr_count(w, "errors", n[V_ERROR]);
	rc |= attr_count(w, "skipped", (n[V_SKIP] + n[V_XFAIL]));
	rc |= attr_time(w, "time", ms / 1000.0);
	if (r->started)
		rc |= attr(w, "timestamp", r->started);
	rc |= attr(w, "hostname", nz(report_host(r, first->host)->name));
	rc |= properties(w, r, first, matrix_column(m, first));
	for (size_t i = from; i < to; i++)
		rc |= testcase(w, &r->results[i]);
	if (explain)
		rc |= element(w, "system-out", explain);
	rc |= xmlTextWriterEndElement(w);
	return rc < 0 ? -1 : 0;
}

int report_junit(const struct report *r, char **out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w;
	struct matrix m;
	size_t fails = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	if ((rc = matrix_build(r, &m)) < 0) {
		xmlBufferFree(buf);
		return rc;
	}
	w = xmlNewTextWriterMemory(buf, 0);
	if (!w) {
		xmlBufferFree(buf);
		matrix_free(&m);
		return -ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	rc |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	rc |= attr(w, "name", "cagetest");
	rc |= attr_count(w, "tests", r->nresults);
	fails = r->summary[V_ESCAPE] + r->summary[V_OVERBLOCKED];
	rc |= attr_count(w, "failures", fails);
	rc |= attr_count(w, "errors", r->summary[V_ERROR]);
	rc |= attr_time(w, "time", r->duration_s);
	/* rows of one backend.mode are adjacent in the model; group runs of them */
	for (size_t i = 0; i < r->nresults && rc >= 0;) {
		size_t j = i + 1;
		while (j < r->nresults && same_group(&r->results[i], &r->results[j]))
			j++;
		rc |= suite(w, r, &m, i, j);
		i = j;
	}
	rc |= xmlTextWriterEndElement(w);
	rc |= xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	matrix_free(&m);
	if (rc < 0) {
		xmlBufferFree(buf);
		return -EIO;
	}
	*out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return *out ? 0 : -ENOMEM;
}
