/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-sim-scenario.c - libFuzzer target for hv-sim's scenario parser: any bytes are
 * parsed as a scenario; the parser must not crash, leak or read out of bounds, and every
 * command it accepts must have well-formed arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_scn scn = { 0 };
	char err[SCN_ERR_MAX];

	if (size > 1u << 20)
		return 0;
	(void)scn_parse((const char *)data, size, &scn, err, sizeof(err));
	for (size_t i = 0; i < scn.n; i++) {
		const struct sim_cmd *c = &scn.cmds[i];

		for (size_t k = 0; k < c->nargs; k++)
			if (!c->args[k].name || !c->args[k].value ||
			    c->args[k].value[c->args[k].len])
				abort();
	}
	scn_release(&scn);
	return 0;
}
