/* SPDX-License-Identifier: MIT */
/*
 * hvdev.h - opening the host channel of a character-device service (KVP, VSS, old file copy).
 *
 * The path is either the kernel's device node (/dev/vmbus/hv_kvp, ...) or, for tests and
 * hv-sim's listen mode, a SOCK_SEQPACKET unix socket that keeps the device's one message per
 * read and write.  Errors: a negative errno.  Nothing here logs.
 */
#ifndef HVGUEST_HVDEV_H
#define HVGUEST_HVDEV_H

#include "util.h"

/* Connect to the unix socket 'path' of the given type (SOCK_SEQPACKET, SOCK_STREAM, ...);
 * returns a close-on-exec descriptor. */
int unix_connect(const char *path, int type) WARN_UNUSED;

/* Open 'path' read-write: connect when it is a socket, open(2) it otherwise. */
int hvdev_open(const char *path) WARN_UNUSED;

#endif /* HVGUEST_HVDEV_H */
