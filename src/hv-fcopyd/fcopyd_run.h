/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_run.h - the daemon's loop on either transport.
 *
 * Character device (kernels before 6.10): /dev/vmbus/hv_fcopy, or a device file / unix socket
 * given with --device, or an inherited socket (--device-fd).  Register with the 4-byte
 * version, then read one message at a time and answer each with a 4-byte status.
 *
 * UIO (kernels 6.10 and later): bind the file-copy class to uio_hv_generic through sysfs, find
 * the channel's uio device and ring size there, map both rings, and speak the VMBus ring
 * protocol with IC framing and version negotiation.  Interrupts are the uio device's 4-byte
 * read (wait) and write (unmask and signal the host); with --uio-irq they go through a unix
 * socket instead, which is how hv-sim's fcopy-uio mode plays the host.
 *
 * Either way: a copy open with no message from the host for 'timeout_ms' is abandoned, a
 * vanished host abandons it too (the partial file is removed), and the loop reconnects.
 * Nothing the host sends ends the daemon.
 *
 * Every copy that ends (completed, refused, failed, cancelled, abandoned) leaves a result
 * record in KVP pool 1 of 'state_dir', where the host and the guest's tools can read it:
 * FCOPYD_RECORD_PREFIX "<n mod FCOPYD_RECORDS>" = "status=0x... bytes=N of=M path=... why=..."
 * and FCOPYD_RECORD_PREFIX "last" = n, so the pool holds at most FCOPYD_RECORDS + 1 of them.
 */
#ifndef FCOPYD_RUN_H
#define FCOPYD_RUN_H

#include <stdbool.h>

#include "fcopyd_copy.h"

#define FCOPYD_DEVICE        "/dev/vmbus/hv_fcopy"
#define FCOPYD_TIMEOUT_MS    60000
#define FCOPYD_CLASS_GUID    "34d14be3-dee4-41c8-9ae7-6b174977c192"
#define FCOPYD_INSTANCE_GUID "eb765408-105f-49b6-b4aa-c123b64d17d4"
#define FCOPYD_RECORD_POOL   1
#define FCOPYD_RECORD_PREFIX "hv-fcopyd.result."
#define FCOPYD_RECORDS       16
#define FCOPYD_RECORD_MAX    1000 /* bytes of value: the host reads up to 1022 units */

enum fcopyd_transport {
	FCOPYD_AUTO,
	FCOPYD_CHARDEV,
	FCOPYD_UIO,
};

struct fcopyd_opts {
	enum fcopyd_transport transport;
	const char *device; /* char device or socket path */
	int device_fd;      /* -1 unless inherited */
	const char *sysfs;  /* "/sys" */
	const char *dev;    /* "/dev" */
	const char *uio_irq;
	bool no_bind;
	unsigned int timeout_ms;
	unsigned int max_reconnects; /* 0 = forever */
	struct fcopyd_policy policy;
	const char *state_dir; /* KVP pools for the result records; NULL: none */
	bool no_record;
};

/* Run until SIGTERM/SIGINT.  Returns 0, or a negative errno for a setup failure. */
int fcopyd_run(const struct fcopyd_opts *o) WARN_UNUSED;

/* Which transport AUTO picks: the char device when it exists, UIO otherwise. */
enum fcopyd_transport fcopyd_pick_transport(const struct fcopyd_opts *o);

#endif /* FCOPYD_RUN_H */
