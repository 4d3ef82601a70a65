#include "record.h"

#include "../lib/util.h"

#include <cjson/cJSON.h>
#include <string.h>

#define RESUME_BYTE 'k'

static const char *const type_names[] = {
	[REC_HELLO] = "hello", [REC_PROBE] = "probe", [REC_INSPECT] = "inspect", [REC_DONE] = "done"};

int record_encode(const struct record *r, char **json)
{
	cJSON *o = cJSON_CreateObject();

	*json = NULL;
	if (!o)
		return -ENOMEM;
	if (r->t == REC_OTHER || (unsigned)r->t >= ARRAY_SIZE(type_names)) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	cJSON_AddStringToObject(o, "t", type_names[r->t]);
	switch (r->t) {
	case REC_HELLO:
		cJSON_AddNumberToObject(o, "pid", r->pid);
		cJSON_AddNumberToObject(o, "uid", r->uid);
		cJSON_AddNumberToObject(o, "euid", r->euid);
		cJSON_AddNumberToObject(o, "nnp", r->nnp);
		cJSON_AddStringToObject(o, "cwd", r->cwd);
		break;
	case REC_PROBE:
		cJSON_AddNumberToObject(o, "slot", r->slot);
		cJSON_AddStringToObject(o, "id", r->id);
		if (r->failed) {
			cJSON_AddStringToObject(o, "error", r->att.detail);
			break;
		}
		cJSON_AddNumberToObject(o, "rc", r->att.rc);
		cJSON_AddStringToObject(o, "errno", errno_name(r->att.rc));
		cJSON_AddStringToObject(o, "detail", r->att.detail);
		cJSON_AddNumberToObject(o, "ms", r->ms);
		if (r->timeout)
			cJSON_AddBoolToObject(o, "timeout", true);
		else if (r->signal)
			cJSON_AddNumberToObject(o, "signal", r->signal);
		break;
	case REC_INSPECT:
		cJSON_AddNumberToObject(o, "slot", r->slot);
		cJSON_AddNumberToObject(o, "port", r->port);
		break;
	default:
		break;
	}
	*json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return *json ? 0 : -ENOMEM;
}

static int num(const cJSON *o, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valueint : dflt;
}

static void str(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		snprintf(buf, n, "%s", v->valuestring);
}

int record_decode(const char *json, struct record *r)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t"), *rc, *error;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsString(t)) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i] && !strcmp(type_names[i], t->valuestring))
			r->t = (enum record_type)i;
	r->slot = num(o, "slot", -1);
	switch (r->t) {
	case REC_HELLO:
		r->pid = num(o, "pid", 0), r->uid = num(o, "uid", 0), r->euid = num(o, "euid", 0);
		r->nnp = num(o, "nnp", 0);
		str(o, "cwd", r->cwd, sizeof(r->cwd));
		break;
	case REC_PROBE:
		rc = cJSON_GetObjectItemCaseSensitive(o, "rc");
		error = cJSON_GetObjectItemCaseSensitive(o, "error");
		str(o, "id", r->id, sizeof(r->id));
		/* no rc is no result: never judged as if it said 0 */
		r->failed = error || !cJSON_IsNumber(rc);
		r->att.rc = cJSON_IsNumber(rc) ? rc->valueint : 0;
		str(o, error ? "error" : "detail", r->att.detail, sizeof(r->att.detail));
		r->signal = num(o, "signal", 0);
		r->timeout = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "timeout"));
		const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
		r->ms = cJSON_IsNumber(ms) ? ms->valuedouble : 0;
		break;
	case REC_INSPECT:
		r->port = num(o, "port", 0);
		break;
	default:
		break;
	}
	cJSON_Delete(o);
	return 0;
}

int record_write(int fd, const char *nonce, const struct record *r)
{
	_cleanup_free_ char *json = NULL;
	char line[4096];
	int k = record_encode(r, &json);

	if (k < 0 || (k = fmt(line, sizeof(line), RECORD_TAG " %s %s\n", nonce, json)) < 0)
		return k;
	/* one write(2) of < PIPE_BUF bytes: records from several processes never interleave */
	return write_all(fd, line, strlen(line));
}

const char *record_find(const char *line, const char *nonce)
{
	char tag[64];
	const char *at;

	snprintf(tag, sizeof(tag), RECORD_TAG " %s ", nonce);
	at = strstr(line, tag);
	return at ? at + strlen(tag) : NULL;
}

int record_resume(int fd)
{
	char c = RESUME_BYTE;

	return write(fd, &c, 1) == 1 ? 0 : neg_errno();
}

void record_wait_resume(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* The env fields a probe may have of its own in a batch: a sentinel. */
static const char *const own_keys[] = {"sent", "saddr", NULL};

int probe_arg_encode(const char *id, int slot, const struct probe_env *own, char *buf, size_t n)
{
	char fields[256];
	int r;

	if (!own)
		return fmt(buf, n, "%s@%d", id, slot);
	if ((r = probe_env_encode_fields(own, own_keys, fields, sizeof(fields))) < 0)
		return r;
	return fmt(buf, n, "%s@%d+%s", id, slot, fields);
}

int probe_arg_decode(const char *arg, char *id, size_t n, int *slot, struct probe_env *env)
{
	const char *at = strchr(arg, '@'), *own = strchr(arg, '+');

	*slot = at ? atoi(at + 1) : -1;
	snprintf(id, n, "%.*s", at ? (int)(at - arg) : (int)strlen(arg), arg);
	return own && probe_env_apply(own + 1, env) < 0 ? -EINVAL : 0;
}
