/* SPDX-License-Identifier: MIT */
/*
 * sim_tools.h - the small subcommands of hv-sim: the built-in echo responder (a fake daemon
 * measuring the transport's own ceiling) and the control-socket client for shell tests.
 */
#ifndef HVSIM_TOOLS_H
#define HVSIM_TOOLS_H

#include "sim_msg.h"

/*
 * Open the device: 'fd' when >= 0, else 'path' (a SOCK_SEQPACKET socket is connected to, any
 * other file opened O_RDWR).  Returns the descriptor or -errno.
 */
int sim_device_open(const char *path, int fd);

/*
 * Register on 'fd' for 'service' like the reference daemon, then answer every request at
 * once with status 0, echoing it.  Returns 0 when the device closes, -errno on a failure
 * (with a message in err).
 */
int sim_responder_run(int fd, enum sim_service service, char *err, size_t errsize);

/*
 * Send 'line' to the control socket at 'path' (retrying the connection for 5 s), print the
 * reply line on stdout.  Returns 0 for "ok", 1 for "fail", 2 for "error" or no connection.
 */
int sim_ctl_run(const char *path, const char *line);

#endif /* HVSIM_TOOLS_H */
