/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-vssd-select.c - libFuzzer target for mount selection on arbitrary mount tables:
 * whatever the input, the freeze order holds only mounts not skipped, each once, no two of
 * the same device, every "/" after every other mount; and a 12-byte message always parses.
 */
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "vssd_select.h"
#include "vssd_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vssd_select_opts o = {
		.include = { "/srv/*", "type:xfs", "/" },
		.n_include = size % 2 ? 3 : 0,
		.exclude = { "/data", "type:ext*" },
		.n_exclude = size % 3 ? 2 : 0,
	};
	struct mountinfo mi;
	struct vssd_plan p;
	struct vss_msg m;
	bool seen_root = false;

	if (size >= VSS_MSG_SIZE && vss_msg_parse(data, VSS_MSG_SIZE, &m) != 0)
		abort();
	if (mountinfo_parse((const char *)data, size, &mi, NULL) < 0)
		return 0;
	if (vssd_select(&mi, &o, &p) < 0) {
		mountinfo_free(&mi);
		return 0;
	}
	for (size_t i = 0; i < p.n_order; i++) {
		const struct vssd_mount *a = &p.m[p.order[i]];
		bool root = strcmp(a->e->mountpoint, "/") == 0;

		if (p.order[i] >= p.n || a->verdict == VSSD_SKIP || (seen_root && !root))
			abort();
		seen_root |= root;
		for (size_t j = 0; j < i; j++) {
			const struct vssd_mount *b = &p.m[p.order[j]];

			if (p.order[i] == p.order[j] ||
			    (a->e->major == b->e->major && a->e->minor == b->e->minor))
				abort();
		}
	}
	vssd_plan_free(&p);
	mountinfo_free(&mi);
	return 0;
}
