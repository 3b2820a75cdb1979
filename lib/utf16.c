/* SPDX-License-Identifier: MIT */
/*
 * utf16.c - strict UTF-16LE <-> UTF-8 conversion for file names sent by the host.  Invalid
 * input is refused as a whole; the reference UIO daemon turned every non-ASCII character into
 * 'X', which is what this module exists to avoid.
 */
#include "utf16.h"

#include <errno.h>

static uint16_t load_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static void store_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)(v >> 8);
}

size_t utf16le_len(const void *src, size_t units)
{
	const uint8_t *p = src;
	size_t i;

	for (i = 0; i < units; i++)
		if (load_le16(p + 2 * i) == 0)
			break;
	return i;
}

/* Encode 'cp' into 'out' (room for 4); returns the byte count. */
static size_t encode_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int utf16le_to_utf8(const void *src, size_t units, char *dst, size_t size)
{
	const uint8_t *p = src;
	size_t n = utf16le_len(src, units), i, o = 0;
	int r;

	if (size > 0)
		dst[0] = '\0';
	for (i = 0; i < n; i++) {
		uint32_t cp = load_le16(p + 2 * i);
		char enc[4];
		size_t len;

		if (cp >= 0xdc00 && cp <= 0xdfff) {
			r = -EILSEQ; /* a low surrogate without a high one */
			goto fail;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 1 >= n) {
				r = -EILSEQ;
				goto fail;
			}
			lo = load_le16(p + 2 * (i + 1));
			if (lo < 0xdc00 || lo > 0xdfff) {
				r = -EILSEQ;
				goto fail;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		len = encode_utf8(cp, enc);
		if (o + len + 1 > size) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(dst + o, enc, len);
		o += len;
	}
	if (o + 1 > size) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	dst[o] = '\0';
	return (int)o;
fail:
	if (size > 0)
		dst[0] = '\0';
	return r;
}

/* Decode one scalar value at s[*pos]; -EILSEQ for anything not in shortest form. */
static int decode_utf8(const unsigned char *s, size_t len, size_t *pos, uint32_t *ret_cp)
{
	size_t i = *pos, need, k;
	uint32_t cp, min;
	unsigned char c = s[i];

	if (c < 0x80) {
		*ret_cp = c;
		*pos = i + 1;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -EILSEQ;
	}
	if (len - i - 1 < need)
		return -EILSEQ;
	for (k = 1; k <= need; k++) {
		unsigned char cc = s[i + k];

		if ((cc & 0xc0) != 0x80)
			return -EILSEQ;
		cp = (cp << 6) | (cc & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EILSEQ;
	*ret_cp = cp;
	*pos = i + need + 1;
	return 0;
}

int utf8_validate(const char *s, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		uint32_t cp;
		int r = decode_utf8((const unsigned char *)s, len, &pos, &cp);

		if (r < 0)
			return r;
	}
	return 0;
}

int utf8_to_utf16le(const char *src, void *dst, size_t units)
{
	uint8_t *out = dst;
	size_t len = strlen(src), pos = 0, o = 0;

	while (pos < len) {
		uint32_t cp;
		int r = decode_utf8((const unsigned char *)src, len, &pos, &cp);

		if (r < 0)
			return r;
		if (cp >= 0x10000) {
			if (o + 3 > units)
				return -ENAMETOOLONG;
			cp -= 0x10000;
			store_le16(out + 2 * o++, (uint16_t)(0xd800 + (cp >> 10)));
			store_le16(out + 2 * o++, (uint16_t)(0xdc00 + (cp & 0x3ff)));
		} else {
			if (o + 2 > units)
				return -ENAMETOOLONG;
			store_le16(out + 2 * o++, (uint16_t)cp);
		}
	}
	if (o + 1 > units)
		return -ENAMETOOLONG;
	store_le16(out + 2 * o, 0);
	return (int)o;
}
