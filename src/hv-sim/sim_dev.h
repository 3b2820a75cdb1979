/* SPDX-License-Identifier: MIT */
/*
 * sim_dev.h - the guest kernel's device layer for one character-device service (KVP, VSS or
 * the old file-copy device), as a state machine without I/O.
 *
 * It reproduces drivers/hv/hv_utils_transport.c plus the per-service message handlers
 * (hv_kvp.c, hv_snapshot.c, hv_fcopy.c): the registration handshake, one message in flight
 * towards the daemon, whole-message reads and writes with the kernel's size checks, poll,
 * request timeouts, reset on close, driver reload and the hibernation hooks.  The transports
 * (FUSE file, SOCK_SEQPACKET socket) call sim_dev_open/read/write/close; the host side calls
 * sim_dev_request and collects the outcome.  Times are in milliseconds of now_ms(), passed in
 * so that tests control the clock.
 *
 * Ownership: sim_dev_new() allocates everything; sim_dev_free() releases it.  Errors are
 * negative errnos, the ones the kernel would give a daemon's read() or write().
 */
#ifndef HVSIM_DEV_H
#define HVSIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_msg.h"

#define SIM_TIMEOUT_MS        30000u  /* HV_UTIL_TIMEOUT */
#define SIM_FREEZE_TIMEOUT_MS 900000u /* VSS_FREEZE_TIMEOUT */

enum sim_state {
	SIM_ST_INIT,  /* no daemon registered */
	SIM_ST_READY, /* registered, idle */
	SIM_ST_REQ,   /* a request was handed to the daemon, no reply yet */
};

enum sim_outcome {
	SIM_OUT_NONE,     /* still outstanding */
	SIM_OUT_REPLY,    /* the daemon answered */
	SIM_OUT_TIMEOUT,  /* the timer fired: HV_E_FAIL */
	SIM_OUT_RESET,    /* the daemon closed, or reset/hibernate: HV_E_FAIL */
	SIM_OUT_NODAEMON, /* nobody registered: HV_E_FAIL */
	SIM_OUT_KERNEL,   /* answered by the simulated kernel itself */
	SIM_OUT_SENDFAIL, /* a message was still unread: the kernel's send failed, HV_E_FAIL */
};

const char *sim_outcome_name(enum sim_outcome o);
int sim_outcome_parse(const char *s);

struct sim_dev {
	enum sim_service service;
	enum sim_state state;
	bool open;
	bool dead; /* driver reloaded while open: reads/writes EBADF until close */
	uint64_t timeout_ms;
	uint64_t freeze_timeout_ms;

	/* the one message towards the daemon */
	uint8_t out[SIM_MSG_MAX];
	size_t out_len;
	bool out_pending;
	bool out_is_reg; /* a registration reply: READY once read */

	/* the host's request */
	bool req_active;
	uint64_t deadline_ms;

	/* the outcome of the last request */
	enum sim_outcome outcome;
	uint32_t status;
	uint8_t reply[SIM_MSG_MAX];
	size_t reply_len;

	/* statistics for expectations */
	unsigned int rejected;
	int last_write_error; /* negative errno, 0 for none */
	unsigned int registrations;
	int version; /* operation/version value of the last accepted registration, -1 none */
};

struct sim_dev *sim_dev_new(enum sim_service service);
struct sim_dev *sim_dev_free(struct sim_dev *dev);

/* A daemon opens the device: -EBUSY while it is open. */
int sim_dev_open(struct sim_dev *dev);
/* The daemon's last reference is gone: drop the pending message, answer an outstanding
 * request HV_E_FAIL (outcome RESET), back to INIT. */
void sim_dev_close(struct sim_dev *dev);
/* The daemon reads into a buffer of 'size' bytes: the message length, -EAGAIN (nothing
 * pending), -EINVAL (buffer too small; the message stays), -EBADF (driver gone). */
int sim_dev_read(struct sim_dev *dev, void *buf, size_t size);
/* The daemon writes 'len' bytes: 'len' when accepted, or -EINVAL/-EBADF. */
int sim_dev_write(struct sim_dev *dev, const void *buf, size_t len);
/* poll() mask for the daemon: POLLIN|POLLRDNORM, POLLERR|POLLHUP or 0. */
unsigned int sim_dev_poll(const struct sim_dev *dev);

/*
 * The host sends a request of 'len' bytes (already in the device-layer format) with a timeout
 * of 'timeout_ms' (0: none).  Returns 0 when it was sent or answered at once (see
 * dev->outcome), -EBUSY when a request is still outstanding, -EMSGSIZE when too long.
 */
int sim_dev_request(struct sim_dev *dev, const void *msg, size_t len, uint64_t timeout_ms,
		    uint64_t now);
/* Record an answer given by the simulated kernel without the daemon. */
void sim_dev_kernel_answer(struct sim_dev *dev, uint32_t status);
/* Fire the timer when due.  Returns true when the outstanding request timed out. */
bool sim_dev_tick(struct sim_dev *dev, uint64_t now);
/* When the timer is due (0: no timer). */
uint64_t sim_dev_deadline(const struct sim_dev *dev);
/* Driver reload: answer HV_E_FAIL, drop the message, EBADF/POLLHUP until the daemon closes. */
void sim_dev_reset(struct sim_dev *dev);
/* The kernel's pre-suspend hook of the service (see PROTOCOL.md 3.4). */
void sim_dev_hibernate(struct sim_dev *dev);

#endif /* HVSIM_DEV_H */
