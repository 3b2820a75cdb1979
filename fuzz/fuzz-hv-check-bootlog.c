/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-check-bootlog.c - hv-check's boot log parser (dmesg, kmsg and the three host-build
 * line formats) on any bytes: no crash, no overread, version strings terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvc_bootlog b;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	(void)hvc_bootlog_parse(copy, size, &b);
	if (strlen(b.vmbus_version) >= sizeof(b.vmbus_version) ||
	    strlen(b.timesync_ic) >= sizeof(b.timesync_ic) ||
	    strlen(b.dm_protocol) >= sizeof(b.dm_protocol))
		abort();
	if (b.build_format == HVC_BUILD_NONE && b.build != 0)
		abort();
	free(copy);
	return 0;
}
