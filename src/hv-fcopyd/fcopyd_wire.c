/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_wire.c - validation of file-copy messages from the host.  The reference daemons
 * trusted the size field of WRITE_TO_FILE and wrote memory past the message into the file
 * (PROTOCOL.md 11.3); here every length is checked against what was received.
 */
#include "fcopyd_wire.h"

#include <endian.h>
#include <errno.h>

#include "utf16.h"

#define OFF_FILE_NAME  36
#define OFF_PATH_NAME  556
#define OFF_COPY_FLAGS 1076
#define OFF_FILE_SIZE  1080
#define OFF_OFFSET     40
#define OFF_SIZE       48

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static int name_utf8(const uint8_t *field, char *out, const char **why)
{
	size_t n = strnlen((const char *)field, 2 * FCOPYD_NAME_UNITS);

	if (n == 2 * FCOPYD_NAME_UNITS) {
		*why = "name has no terminating NUL";
		return -ENAMETOOLONG;
	}
	if (utf8_validate((const char *)field, n) < 0) {
		*why = "name is not valid UTF-8";
		return -EILSEQ;
	}
	memcpy(out, field, n);
	out[n] = '\0';
	return 0;
}

static int name_utf16(const uint8_t *field, char *out, const char **why)
{
	int r;

	if (utf16le_len(field, FCOPYD_NAME_UNITS) == FCOPYD_NAME_UNITS) {
		*why = "name has no terminating NUL";
		return -ENAMETOOLONG;
	}
	r = utf16le_to_utf8(field, FCOPYD_NAME_UNITS, out, FCOPYD_UTF8_MAX);
	if (r < 0) {
		*why = r == -EILSEQ ? "name is not valid UTF-16 (unpaired surrogate)"
				    : "name too long";
		return r;
	}
	return 0;
}

int fcopyd_parse(const void *buf, size_t len, enum fcopyd_names names, struct fcopyd_msg *ret,
		 const char **ret_why)
{
	const uint8_t *p = buf;
	const char *why = "";
	int r;

	*ret_why = "";
	memset(ret, 0, sizeof(*ret));
	if (len < 4) {
		*ret_why = "message shorter than its operation field";
		return -EBADMSG;
	}
	ret->op = get32(p);
	switch (ret->op) {
	case FCOPYD_OP_START:
		if (len < FCOPYD_START_SIZE) {
			*ret_why = "START_FILE_COPY shorter than 1088 bytes";
			return -EBADMSG;
		}
		if (names == FCOPYD_NAMES_UTF8) {
			r = name_utf8(p + OFF_FILE_NAME, ret->name, &why);
			if (r == 0)
				r = name_utf8(p + OFF_PATH_NAME, ret->path, &why);
		} else {
			r = name_utf16(p + OFF_FILE_NAME, ret->name, &why);
			if (r == 0)
				r = name_utf16(p + OFF_PATH_NAME, ret->path, &why);
		}
		if (r < 0) {
			*ret_why = why;
			return r;
		}
		ret->flags = get32(p + OFF_COPY_FLAGS);
		ret->size = get64(p + OFF_FILE_SIZE);
		return 0;
	case FCOPYD_OP_WRITE:
		if (len < FCOPYD_DATA_OFFSET) {
			*ret_why = "WRITE_TO_FILE shorter than its header";
			return -EBADMSG;
		}
		ret->offset = get64(p + OFF_OFFSET);
		ret->len = get32(p + OFF_SIZE);
		if (ret->len > FCOPYD_DATA_MAX) {
			*ret_why = "WRITE_TO_FILE size above 6144";
			return -EBADMSG;
		}
		if (ret->len > len - FCOPYD_DATA_OFFSET) {
			*ret_why = "WRITE_TO_FILE size beyond the message";
			return -EBADMSG;
		}
		ret->data = p + FCOPYD_DATA_OFFSET;
		return 0;
	case FCOPYD_OP_COMPLETE:
	case FCOPYD_OP_CANCEL:
		return 0;
	default:
		*ret_why = "unknown operation";
		return -EOPNOTSUPP;
	}
}
