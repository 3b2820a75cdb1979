/* SPDX-License-Identifier: MIT */
/*
 * utf16.h - strict conversion between UTF-16LE (the host's file names) and UTF-8.
 *
 * Strict means: a lone or reversed surrogate is an error, never replaced by '?' or U+FFFD, and
 * a UTF-8 input must be the shortest form of a scalar value (no overlongs, no surrogates, no
 * values above U+10FFFF).  Nothing allocates; the caller passes the output buffer.
 */
#ifndef HVGUEST_UTF16_H
#define HVGUEST_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * Convert UTF-16LE code units from 'src' ('units' of them, 2 bytes each, no alignment needed)
 * into NUL-terminated UTF-8 in 'dst' of 'size' bytes.  Conversion stops at the first NUL unit
 * or after 'units' units.  Returns the UTF-8 length without the NUL, -EILSEQ for an invalid
 * sequence (unpaired surrogate) and -ENAMETOOLONG when 'dst' is too small.  On error 'dst'
 * holds an empty string when size > 0.
 */
int utf16le_to_utf8(const void *src, size_t units, char *dst, size_t size) WARN_UNUSED;

/* The number of units before the first NUL unit, or 'units' when there is none. */
size_t utf16le_len(const void *src, size_t units);

/*
 * Convert the NUL-terminated UTF-8 'src' to UTF-16LE units in 'dst' (room for 'units' units),
 * NUL unit included.  Returns the number of units without the NUL, -EILSEQ for invalid UTF-8,
 * -ENAMETOOLONG when it does not fit.
 */
int utf8_to_utf16le(const char *src, void *dst, size_t units) WARN_UNUSED;

/* 0 when the 'len' bytes at 's' are valid UTF-8 (strict, as above), -EILSEQ otherwise. */
int utf8_validate(const char *s, size_t len) WARN_UNUSED;

#endif /* HVGUEST_UTF16_H */
