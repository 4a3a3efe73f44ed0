#ifndef DRAINIT_PLANCMD_H
#define DRAINIT_PLANCMD_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"

/* drainit plan: its options, and the plan printed as text, YAML or JSON. */

enum plan_format { PLAN_TEXT, PLAN_YAML, PLAN_JSON };

enum plan_parsed { PLAN_GO, PLAN_HELP, PLAN_BAD };

/* Parses `drainit plan`'s arguments (argv[0] is "plan"); pure. PLAN_BAD
 * leaves a one-line reason in err. */
enum plan_parsed plancmd_parse(int argc, char **argv, struct plan_input *in,
			       enum plan_format *fmt, char *err, size_t errlen);

/* Prints a computed plan; the golden tests pin each format. */
void plancmd_print(FILE *out, const struct plan_input *in, const struct plan *p,
		   enum plan_format fmt);

void plancmd_help(FILE *out);

/* The whole subcommand; returns the exit status (0, or 64 on bad input). */
int plancmd_main(int argc, char **argv);

#endif
