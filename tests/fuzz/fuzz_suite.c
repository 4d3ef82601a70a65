/* libFuzzer: the suite parser (the files under suites/, -s FILE). */
#include "../../runner/suite.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct suite s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (suite_parse(text, "fuzz.json", &s, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < s.nmodes; i++)
			for (int e = 0; e < EFFECT__COUNT; e++)
				(void)mode_allows(&s.modes[i], (enum effect)e);
		suite_free(&s);
	}
	free(text);
	return 0;
}
