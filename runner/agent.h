/* The in-sandbox side: `cagetest agent --env ENC [--timeout S] PROBE...`.
 * Sends a hello record, then runs each probe's attempt in its own child
 * (a crash or hang costs that probe only) and sends one record per probe,
 * then a done record. Never judges anything. */
#ifndef CAGETEST_AGENT_H
#define CAGETEST_AGENT_H

int agent_main(int argc, char **argv);

#endif
