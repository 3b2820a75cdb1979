/* SPDX-License-Identifier: MIT */
/*
 * kvpd.h - the state of hv-kvpd and its parts: the device connection (open, register,
 * reconnect), request processing, and the main loop.
 *
 * Ownership: the caller fills struct kvpd_opts (strings borrowed for the daemon's life) and
 * calls kvpd_init(); kvpd_release() frees what kvpd_init() and the loop acquired.  Only
 * kvpd_run() and the connection code log; kvpd_process() does not log except through the
 * daemon's rate-limited warning.
 */
#ifndef KVPD_KVPD_H
#define KVPD_KVPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvpd_auto.h"
#include "kvpd_msg.h"
#include "conf.h"
#include "kvpool.h"
#include "util.h"

#define KVPD_DEFAULT_DEVICE "/dev/vmbus/hv_kvp"
#define KVPD_DEFAULT_STATE  "/var/lib/hyperv"

/* Reconnects allowed: a burst of KVPD_RECONNECT_BURST, then one per interval. */
#define KVPD_RECONNECT_BURST       10
#define KVPD_RECONNECT_INTERVAL_MS 6000
/* Waiting for a device that is not there yet (driver reload): retry every ... */
#define KVPD_REOPEN_RETRY_MS       1000
/* ... at most this many times in a row, then give up (exit, systemd restarts us). */
#define KVPD_REOPEN_RETRIES_MAX    60

struct kvpd_opts {
	const char *device; /* a device node, or a SOCK_SEQPACKET socket path */
	int device_fd;      /* >= 0: an inherited descriptor instead of 'device' */
	const char *state_dir;
	const char *root; /* for os-release etc.; NULL = "/" */
	bool fsync;       /* pool writes reach stable storage before the reply */
	bool notify;      /* tell systemd READY=1 after the first registration */
};

struct kvpd {
	struct kvpd_opts opts;
	int dev_fd;
	bool registered; /* the registration reply was read on this connection */
	bool ever_registered;
	unsigned long registrations;
	struct kvpool *pools;
	struct kvpd_auto autop;
	struct ratelimit warn_rl;
	struct ratelimit reconnect_rl;
	void *ip; /* the IP configuration options, see kvpd_ip.c */
	uint64_t requests;
	uint64_t rejected;
	/* One extra byte so that an oversized datagram is seen as oversized. */
	union {
		struct hv_kvp_msg msg;
		uint8_t bytes[KVPD_MSG_SIZE + 1];
	} buf;
};

/* Open the pools and prepare the auto pool.  Logs what failed. */
int kvpd_init(struct kvpd *d, const struct kvpd_opts *o) WARN_UNUSED;
void kvpd_release(struct kvpd *d);

/*
 * Connect to the device (open the node, connect the socket, or take the inherited fd) and
 * send the registration message.  The registration reply is read by the loop.
 */
int kvpd_connect(struct kvpd *d) WARN_UNUSED;
/* Close the connection (the kernel then wants a new registration). */
void kvpd_disconnect(struct kvpd *d);

/*
 * Turn the 'len' bytes of the request in 'm' into the reply, in place: validate, carry out,
 * set the status.  Returns the HRESULT put in the reply.  A bad request gets an error status
 * and a rate-limited warning.  The change is on disk (and synced unless --no-fsync) when this
 * returns.
 */
uint32_t kvpd_process(struct kvpd *d, struct hv_kvp_msg *m, size_t len);

/*
 * Read one message from the device and answer it.  Returns 0, or a negative errno when the
 * connection must be dropped (read or write failure, end of file).
 */
int kvpd_handle_device(struct kvpd *d) WARN_UNUSED;

/* The main loop: returns 0 on SIGTERM/SIGINT, a negative errno on a fatal error. */
int kvpd_run(struct kvpd *d);

/* IP-info plumbing (kvpd_ip.c). */
int kvpd_ip_init(struct kvpd *d, const struct conf *c, const char *root, char *err,
		 size_t err_size) WARN_UNUSED;
void kvpd_ip_release(struct kvpd *d);
uint32_t kvpd_ip_get(struct kvpd *d, struct hv_kvp_msg *m);
uint32_t kvpd_ip_set(struct kvpd *d, struct hv_kvp_msg *m);

#endif /* KVPD_KVPD_H */
