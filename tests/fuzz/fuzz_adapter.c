/* libFuzzer: the adapter file parser (the shipped adapters, --adapter FILE). */
#include "../../platforms/adapter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct backend *b = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (adapter_parse(text, "fuzz.json", &b, err, sizeof(err)) == 0)
		adapter_free(b);
	free(text);
	return 0;
}
