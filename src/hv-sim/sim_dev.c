/* SPDX-License-Identifier: MIT */
/*
 * sim_dev.c - the simulated kernel device layer (see sim_dev.h): registration handshakes,
 * size checks and the request life cycle of the KVP, VSS and file-copy char devices.
 */
#include "sim_dev.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define KVP_DRV_VERSION "3.1" /* HV_DRV_VERSION of hv_kvp.c */

/* clang-format off */
static const char *const outcome_names[] = {
	[SIM_OUT_NONE]     = "none",
	[SIM_OUT_REPLY]    = "reply",
	[SIM_OUT_TIMEOUT]  = "timeout",
	[SIM_OUT_RESET]    = "reset",
	[SIM_OUT_NODAEMON] = "no-daemon",
	[SIM_OUT_KERNEL]   = "kernel",
	[SIM_OUT_SENDFAIL] = "send-failed",
};
/* clang-format on */

const char *sim_outcome_name(enum sim_outcome o)
{
	return (unsigned int)o < ARRAY_SIZE(outcome_names) ? outcome_names[o] : "?";
}

int sim_outcome_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(outcome_names); i++)
		if (streq(s, outcome_names[i]))
			return (int)i;
	return -EINVAL;
}

struct sim_dev *sim_dev_new(enum sim_service service)
{
	struct sim_dev *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->service = service;
	dev->state = SIM_ST_INIT;
	dev->timeout_ms = SIM_TIMEOUT_MS;
	dev->freeze_timeout_ms = SIM_FREEZE_TIMEOUT_MS;
	dev->version = -1;
	return dev;
}

struct sim_dev *sim_dev_free(struct sim_dev *dev)
{
	free(dev);
	return NULL;
}

static void finish(struct sim_dev *dev, enum sim_outcome outcome, uint32_t status)
{
	dev->req_active = false;
	dev->deadline_ms = 0;
	dev->outcome = outcome;
	dev->status = status;
}

int sim_dev_open(struct sim_dev *dev)
{
	if (dev->open)
		return -EBUSY;
	dev->open = true;
	dev->dead = false;
	dev->state = SIM_ST_INIT;
	return 0;
}

void sim_dev_close(struct sim_dev *dev)
{
	dev->open = false;
	dev->dead = false;
	dev->out_pending = false;
	dev->out_is_reg = false;
	if (dev->req_active)
		finish(dev, SIM_OUT_RESET, HV_E_FAIL);
	dev->state = SIM_ST_INIT;
}

static void queue(struct sim_dev *dev, const void *msg, size_t len, bool is_reg)
{
	memcpy(dev->out, msg, len);
	dev->out_len = len;
	dev->out_pending = true;
	dev->out_is_reg = is_reg;
}

static void registered(struct sim_dev *dev)
{
	dev->state = SIM_ST_READY;
	dev->registrations++;
}

int sim_dev_read(struct sim_dev *dev, void *buf, size_t size)
{
	if (dev->dead)
		return -EBADF;
	if (!dev->out_pending)
		return -EAGAIN;
	if (size < dev->out_len)
		return -EINVAL;
	memcpy(buf, dev->out, dev->out_len);
	dev->out_pending = false;
	if (dev->out_is_reg) {
		dev->out_is_reg = false;
		registered(dev);
	}
	return (int)dev->out_len;
}

static void take_reply(struct sim_dev *dev, const void *buf, size_t len)
{
	int32_t err;

	memcpy(&err, buf, sizeof(err));
	memcpy(dev->reply, buf, len);
	dev->reply_len = len;
	finish(dev, SIM_OUT_REPLY, (uint32_t)err);
	dev->state = SIM_ST_READY;
}

static int kvp_write(struct sim_dev *dev, const uint8_t *buf, size_t len)
{
	struct hv_kvp_msg reply;

	if (len < sizeof(struct hv_kvp_msg))
		return -EINVAL;
	if (dev->state == SIM_ST_INIT) {
		if (buf[0] != KVP_OP_REGISTER1 && buf[0] != KVP_OP_REGISTER)
			return -EINVAL;
		memset(&reply, 0, sizeof(reply));
		reply.kvp_hdr.operation = buf[0];
		memcpy(reply.body.kvp_register.version, KVP_DRV_VERSION, sizeof(KVP_DRV_VERSION));
		dev->version = buf[0];
		queue(dev, &reply, sizeof(reply), true);
		return (int)len;
	}
	if (dev->state != SIM_ST_REQ)
		return -EINVAL;
	take_reply(dev, buf, len);
	return (int)len;
}

static int vss_write(struct sim_dev *dev, const uint8_t *buf, size_t len)
{
	uint32_t version = VSS_OP_REGISTER1;

	if (len != sizeof(struct hv_vss_msg))
		return -EINVAL;
	if (buf[0] == VSS_OP_REGISTER || buf[0] == VSS_OP_REGISTER1) {
		if (dev->state > SIM_ST_READY)
			return -EINVAL;
		dev->version = buf[0];
		if (buf[0] == VSS_OP_REGISTER1)
			queue(dev, &version, sizeof(version), true);
		else
			registered(dev);
		return (int)len;
	}
	if (dev->state != SIM_ST_REQ)
		return -EINVAL;
	take_reply(dev, buf, len);
	return (int)len;
}

static int fcopy_write(struct sim_dev *dev, const uint8_t *buf, size_t len)
{
	uint32_t v;

	if (len != sizeof(int))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (dev->state == SIM_ST_INIT) {
		if (v != FCOPY_VERSION_0 && v != FCOPY_VERSION_1)
			return -EINVAL;
		dev->version = (int)v;
		if (v == FCOPY_VERSION_1)
			queue(dev, &v, sizeof(v), true);
		else
			registered(dev);
		return (int)len;
	}
	if (dev->state != SIM_ST_REQ)
		return -EINVAL;
	take_reply(dev, buf, len);
	return (int)len;
}

int sim_dev_write(struct sim_dev *dev, const void *buf, size_t len)
{
	int r;

	if (dev->dead) {
		r = -EBADF;
	} else {
		switch (dev->service) {
		case SIM_KVP:
			r = kvp_write(dev, buf, len);
			break;
		case SIM_VSS:
			r = vss_write(dev, buf, len);
			break;
		case SIM_FCOPY:
			r = fcopy_write(dev, buf, len);
			break;
		default:
			r = -EINVAL;
			break;
		}
	}
	if (r < 0) {
		dev->rejected++;
		dev->last_write_error = r;
	}
	return r;
}

unsigned int sim_dev_poll(const struct sim_dev *dev)
{
	if (dev->dead)
		return POLLERR | POLLHUP;
	if (dev->out_pending)
		return POLLIN | POLLRDNORM;
	return 0;
}

int sim_dev_request(struct sim_dev *dev, const void *msg, size_t len, uint64_t timeout_ms,
		    uint64_t now)
{
	if (dev->req_active)
		return -EBUSY;
	if (len > sizeof(dev->out))
		return -EMSGSIZE;
	dev->reply_len = 0;
	if (!dev->open || dev->dead || dev->state != SIM_ST_READY) {
		finish(dev, SIM_OUT_NODAEMON, HV_E_FAIL);
		return 0;
	}
	if (dev->out_pending) {
		/* hvutil_transport_send() refuses a second message: EFAULT, answered at once */
		finish(dev, SIM_OUT_SENDFAIL, HV_E_FAIL);
		return 0;
	}
	queue(dev, msg, len, false);
	dev->req_active = true;
	dev->outcome = SIM_OUT_NONE;
	dev->state = SIM_ST_REQ;
	dev->deadline_ms = timeout_ms != 0 ? now + timeout_ms : 0;
	return 0;
}

void sim_dev_kernel_answer(struct sim_dev *dev, uint32_t status)
{
	dev->reply_len = 0;
	finish(dev, SIM_OUT_KERNEL, status);
}

bool sim_dev_tick(struct sim_dev *dev, uint64_t now)
{
	if (!dev->req_active || dev->deadline_ms == 0 || now < dev->deadline_ms)
		return false;
	/* The message stays queued if unread, as in the kernel; a late reply gets EINVAL. */
	finish(dev, SIM_OUT_TIMEOUT, HV_E_FAIL);
	dev->state = SIM_ST_READY;
	return true;
}

uint64_t sim_dev_deadline(const struct sim_dev *dev)
{
	return dev->req_active ? dev->deadline_ms : 0;
}

void sim_dev_reset(struct sim_dev *dev)
{
	if (dev->req_active)
		finish(dev, SIM_OUT_RESET, HV_E_FAIL);
	dev->out_pending = false;
	dev->out_is_reg = false;
	dev->state = SIM_ST_INIT;
	dev->dead = dev->open;
}

void sim_dev_hibernate(struct sim_dev *dev)
{
	struct hv_vss_msg vss;
	struct hv_fcopy_hdr fc;

	if (dev->req_active)
		finish(dev, SIM_OUT_RESET, HV_E_FAIL);
	if (dev->state == SIM_ST_INIT || !dev->open)
		return;
	dev->state = SIM_ST_READY;
	switch (dev->service) {
	case SIM_VSS:
		memset(&vss, 0, sizeof(vss));
		vss.vss_hdr.operation = VSS_OP_THAW;
		queue(dev, &vss, sizeof(vss), false);
		break;
	case SIM_FCOPY:
		memset(&fc, 0, sizeof(fc));
		fc.operation = CANCEL_FCOPY;
		queue(dev, &fc, sizeof(fc), false);
		break;
	default:
		break;
	}
}
