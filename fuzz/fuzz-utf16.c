/* SPDX-License-Identifier: MIT */
/*
 * fuzz-utf16.c - the host's UTF-16LE names: conversion must never overrun, must produce valid
 * UTF-8 when it succeeds, and must round-trip back to the same units.
 */
#include <stdint.h>
#include <stdlib.h>

#include "utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t units = size / 2, outsize = size ? (size_t)data[0] * 4 + 1 : 1;
	char *out = malloc(outsize);
	uint8_t *back;
	int r, n;

	if (!out)
		return 0;
	r = utf16le_to_utf8(data, units, out, outsize);
	if (r >= 0) {
		if (utf8_validate(out, (size_t)r) != 0 || strlen(out) != (size_t)r)
			abort();
		back = malloc(2 * (units + 1));
		if (back) {
			n = utf8_to_utf16le(out, back, units + 1);
			if (n < 0 || (size_t)n != utf16le_len(data, units) ||
			    memcmp(back, data, 2 * (size_t)n) != 0)
				abort();
			free(back);
		}
	}
	free(out);
	return 0;
}
