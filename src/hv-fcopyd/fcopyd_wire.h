/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_wire.h - the file-copy messages (PROTOCOL.md 4.3) and their one validation function.
 *
 * Both transports carry the same structs: hv_fcopy_hdr (36 bytes), hv_start_fcopy (1088),
 * hv_do_fcopy (6196).  They differ in the names of START_FILE_COPY: the character device's
 * kernel has already converted them to UTF-8 (in the byte storage of the u16 arrays), the UIO
 * channel delivers the host's UTF-16LE.  fcopyd_parse() checks sizes, operations, names and
 * data lengths before anything is dispatched; nothing else reads the raw bytes.
 */
#ifndef FCOPYD_WIRE_H
#define FCOPYD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FCOPYD_OP_START    0
#define FCOPYD_OP_WRITE    1
#define FCOPYD_OP_COMPLETE 2
#define FCOPYD_OP_CANCEL   3

#define FCOPYD_HDR_SIZE    36
#define FCOPYD_START_SIZE  1088
#define FCOPYD_WRITE_SIZE  6196
#define FCOPYD_NAME_UNITS  260  /* W_MAX_PATH, NUL included */
#define FCOPYD_DATA_MAX    6144 /* DATA_FRAGMENT */
#define FCOPYD_DATA_OFFSET 52

#define FCOPYD_OVER_WRITE  0x1u
#define FCOPYD_CREATE_PATH 0x2u

/* 259 UTF-16 units give at most 259 * 3 bytes of UTF-8. */
#define FCOPYD_UTF8_MAX 800

enum fcopyd_names {
	FCOPYD_NAMES_UTF8,    /* character device: the kernel converted them */
	FCOPYD_NAMES_UTF16LE, /* UIO: as the host sent them */
};

struct fcopyd_msg {
	uint32_t op;
	/* START_FILE_COPY */
	char path[FCOPYD_UTF8_MAX];
	char name[FCOPYD_UTF8_MAX];
	uint32_t flags;
	uint64_t size;
	/* WRITE_TO_FILE; 'data' points into the buffer given to fcopyd_parse */
	uint64_t offset;
	uint32_t len;
	const uint8_t *data;
};

/*
 * Validate and decode one message of 'len' bytes.  Returns 0, or -EBADMSG (too short for its
 * operation, a data size above 6144 or beyond the message), -EOPNOTSUPP (unknown operation),
 * -EILSEQ (a name that is not valid UTF-16LE / UTF-8), -ENAMETOOLONG (a name with no NUL in
 * its field).  *ret_why gets a short reason on error.
 */
int fcopyd_parse(const void *buf, size_t len, enum fcopyd_names names, struct fcopyd_msg *ret,
		 const char **ret_why) WARN_UNUSED;

#endif /* FCOPYD_WIRE_H */
