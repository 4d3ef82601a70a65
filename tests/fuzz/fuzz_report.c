/* libFuzzer: the JSON report reader (merge, diff, --baseline), and every
 * renderer on whatever it accepts, merged (folding) too. */
#include "../../reports/merge.h"
#include "../../reports/model.h"
#include "../../reports/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512], *out = NULL;
	struct report r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (report_from_json(text, &r, err, sizeof(err)) == 0) {
		struct report m = {0};
		if (report_json(&r, &out) == 0)
			free(out);
		if (report_junit(&r, &out) == 0)
			free(out);
		/* merged twice: the second folds into the first (or not), and
		 * the merged model renders with its grid */
		if (report_merge(&m, &r, NULL) == 0 && report_merge(&m, &r, NULL) == 0) {
			if (report_html(&m, NULL, &out) == 0)
				free(out);
			if (report_markdown(&m, NULL, &out) == 0)
				free(out);
		}
		report_free(&m);
		report_free(&r);
	}
	free(text);
	return 0;
}
