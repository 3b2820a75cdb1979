/* SPDX-License-Identifier: MIT */
/*
 * vssd_wire.h - the VSS device messages (PROTOCOL.md 4.2, 4.4): the 12-byte hv_vss_msg, its
 * operations and the HRESULT status codes, with one validation function for what the device
 * delivers and one builder for replies.  No I/O here.
 */
#ifndef VSSD_WIRE_H
#define VSSD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define VSS_MSG_SIZE     12 /* packed struct hv_vss_msg */
#define VSS_VERSION_SIZE 4  /* the kernel's answer to REGISTER1 */

enum vss_op {
	VSS_OP_CREATE = 0,
	VSS_OP_DELETE = 1,
	VSS_OP_HOT_BACKUP = 2,
	VSS_OP_GET_DM_INFO = 3,
	VSS_OP_BU_COMPLETE = 4,
	VSS_OP_FREEZE = 5,
	VSS_OP_THAW = 6,
	VSS_OP_AUTO_RECOVER = 7,
	VSS_OP_COUNT = 8,
	VSS_OP_REGISTER = 128,
	VSS_OP_REGISTER1 = 129,
};

#define VSS_HBU_NO_AUTO_RECOVERY 0x00000005u

#define HV_S_OK                       0x00000000u
#define HV_E_FAIL                     0x80004005u
#define HV_E_ACCESSDENIED             0x80070005u
#define HV_ERROR_NOT_SUPPORTED        0x80070032u
#define HV_ERROR_DISK_FULL            0x80070070u
#define HV_ERROR_BUSY                 0x800700AAu
#define HV_ERROR_IO_DEVICE            0x8007045Du
#define HV_ERROR_DEVICE_NOT_CONNECTED 0x8007048Fu
#define HV_ERROR_TIMEOUT              0x800705B4u

struct vss_msg {
	uint8_t op;
	uint32_t flags; /* vss_cf.flags / dm_info.flags, bytes 8..11 */
};

/* Check a message read from the device: exactly VSS_MSG_SIZE bytes.  0 or -EBADMSG. */
int vss_msg_parse(const uint8_t *buf, size_t len, struct vss_msg *ret) WARN_UNUSED;
/* The 12-byte registration request (operation REGISTER1, everything else zero). */
void vss_register_build(uint8_t out[VSS_MSG_SIZE]);
/* A reply: 'status' in bytes 0..3 (little endian, as the kernel reads an int), 4..7 zero,
 * 'flags' in 8..11. */
void vss_reply_build(uint8_t out[VSS_MSG_SIZE], uint32_t status, uint32_t flags);
/* Map a negative errno from a freeze to the closest HRESULT (HV_E_FAIL when none fits). */
uint32_t vss_status_from_errno(int r);
/* "FREEZE", "THAW", ..., or NULL for an unknown operation. */
const char *vss_op_name(unsigned int op);

#endif /* VSSD_WIRE_H */
