/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-check-osrelease.c - os-release and redhat-release parsers of hv-check on any bytes:
 * no crash, no read past the input, results always NUL-terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvc_osrel o;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size); /* exact-size heap copy: overreads are caught */
	(void)hvc_osrel_parse(copy, size, &o);
	if (strlen(o.id) >= sizeof(o.id) || strlen(o.version_id) >= sizeof(o.version_id))
		abort();
	(void)hvc_redhat_release_parse(copy, size, &o);
	if (strlen(o.pretty_name) >= sizeof(o.pretty_name))
		abort();
	free(copy);
	return 0;
}
