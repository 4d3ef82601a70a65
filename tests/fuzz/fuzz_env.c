/* libFuzzer: the agent's --env decoder (what a wrapper passes through). */
#include "../../probes/probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), enc[8192];
	struct probe_env env;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (probe_env_decode(text, &env) == 0)
		probe_env_encode(&env, enc, sizeof(enc));
	free(text);
	return 0;
}
