/* SPDX-License-Identifier: MIT */
/*
 * vssd_wire.c - parse and build the 12-byte VSS device messages (see vssd_wire.h).
 */
#include "vssd_wire.h"

#include <errno.h>
#include <string.h>

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int vss_msg_parse(const uint8_t *buf, size_t len, struct vss_msg *ret)
{
	if (len != VSS_MSG_SIZE)
		return -EBADMSG;
	ret->op = buf[0];
	ret->flags = get_le32(buf + 8);
	return 0;
}

void vss_register_build(uint8_t out[VSS_MSG_SIZE])
{
	memset(out, 0, VSS_MSG_SIZE);
	out[0] = VSS_OP_REGISTER1;
}

void vss_reply_build(uint8_t out[VSS_MSG_SIZE], uint32_t status, uint32_t flags)
{
	memset(out, 0, VSS_MSG_SIZE);
	put_le32(out, status);
	put_le32(out + 8, flags);
}

uint32_t vss_status_from_errno(int r)
{
	switch (-r) {
	case 0:
		return HV_S_OK;
	case EOPNOTSUPP:
	case ENOTTY:
		return HV_ERROR_NOT_SUPPORTED;
	case EACCES:
	case EPERM:
		return HV_E_ACCESSDENIED;
	case ENOSPC:
		return HV_ERROR_DISK_FULL;
	case EBUSY:
		return HV_ERROR_BUSY;
	case EIO:
		return HV_ERROR_IO_DEVICE;
	case ENODEV:
	case ENXIO:
	case ENOENT:
		return HV_ERROR_DEVICE_NOT_CONNECTED;
	case ETIMEDOUT:
		return HV_ERROR_TIMEOUT;
	default:
		return HV_E_FAIL;
	}
}

const char *vss_op_name(unsigned int op)
{
	static const char *const names[] = {
		[VSS_OP_CREATE] = "CREATE",
		[VSS_OP_DELETE] = "DELETE",
		[VSS_OP_HOT_BACKUP] = "HOT_BACKUP",
		[VSS_OP_GET_DM_INFO] = "GET_DM_INFO",
		[VSS_OP_BU_COMPLETE] = "BU_COMPLETE",
		[VSS_OP_FREEZE] = "FREEZE",
		[VSS_OP_THAW] = "THAW",
		[VSS_OP_AUTO_RECOVER] = "AUTO_RECOVER",
	};

	if (op < ARRAY_SIZE(names))
		return names[op];
	if (op == VSS_OP_REGISTER)
		return "REGISTER";
	if (op == VSS_OP_REGISTER1)
		return "REGISTER1";
	return NULL;
}
