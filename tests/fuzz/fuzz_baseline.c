/* libFuzzer: the --baseline parser (a known-list or a whole report). */
#include "../../reports/merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct baseline b;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (baseline_parse(text, &b, err, sizeof(err)) == 0) {
		(void)baseline_known("landlock", "workspace-write", "git.config_write", &b);
		baseline_free(&b);
	}
	free(text);
	return 0;
}
