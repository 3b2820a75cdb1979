/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-check-kvp.c - hv-check's KVP pool 3 reader on any bytes: records without NULs, torn
 * records, odd numbers.  No crash, no overread, counts consistent with the length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvc_kvp3 k;
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	r = hvc_kvp3_parse(copy, size, &k);
	if (k.records != size / HVC_KVP_RECORD_SIZE ||
	    (r != 0) != (size % HVC_KVP_RECORD_SIZE != 0))
		abort();
	if (strlen(k.host_name) >= sizeof(k.host_name))
		abort();
	free(copy);
	return 0;
}
