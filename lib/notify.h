/* SPDX-License-Identifier: MIT */
/*
 * notify.h - readiness and status for systemd (sd_notify protocol), without libsystemd.
 */
#ifndef HVGUEST_NOTIFY_H
#define HVGUEST_NOTIFY_H

/*
 * Send 'state' (for example "READY=1\nSTATUS=serving") to $NOTIFY_SOCKET.  Returns 1 when
 * sent, 0 when not running under a notify-aware manager, a negative errno on failure.
 */
int notify_send(const char *state);

#endif /* HVGUEST_NOTIFY_H */
