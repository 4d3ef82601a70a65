/* cagetest-agent: the in-sandbox side as its own small binary. It links
 * only libc and cJSON, so exec inside every sandbox stays cheap (the full
 * CLI pulls libxml2, ICU and libstdc++: several ms of dynamic linking per
 * case). `cagetest agent` is the same code. */
#include "agent.h"
#include "sentinel.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "agent"))
		return agent_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sentinel"))
		return sentinel_main(argc > 2 ? argv[2] : NULL);
	fprintf(stderr, "cagetest-agent: internal helper of cagetest; run `cagetest --help`\n");
	return 2;
}
