/* SPDX-License-Identifier: MIT */
/*
 * sim_host.h - the host side of hv-sim: it owns the simulated device (sim_dev), the
 * transport to the daemon (SOCK_SEQPACKET socketpair, listening socket or FUSE file), the
 * daemon process, and runs scenario commands (sim_scn) against them in one poll loop.
 *
 * Ownership: sim_host_new() takes copies of nothing; the options and the daemon argv must
 * outlive the host.  sim_host_free() stops the daemon and unmounts.
 */
#ifndef HVSIM_HOST_H
#define HVSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_msg.h"
#include "sim_scn.h"

enum sim_mode {
	SIM_MODE_SOCKET, /* socketpair, one end handed to the daemon */
	SIM_MODE_LISTEN, /* a listening SOCK_SEQPACKET socket */
	SIM_MODE_FUSE,   /* a FUSE file system with the device file */
	SIM_MODE_NONE,   /* no transport (parser checks only) */
};

struct sim_opts {
	enum sim_service service;
	enum sim_mode mode;
	const char *listen_path;
	const char *fuse_dir;
	uint64_t timeout_ms;
	uint64_t freeze_timeout_ms;
	uint64_t register_timeout_ms;
	int fdnum;      /* socket mode: the daemon's fd */
	bool no_fd_arg; /* socket mode: do not append --device-fd N */
	bool sandbox;   /* FUSE mode in a private namespace: only our daemon can open */
	bool tap;
	bool quiet;
	int verbose;
	char **daemon_argv; /* NULL-terminated, or NULL for no daemon */
};

struct sim_host;

/* Set up the transport (mount, bind, socketpair).  NULL with a message in err. */
struct sim_host *sim_host_new(const struct sim_opts *o, char *err, size_t errsize);
/* Start the daemon, if any.  Returns 0 or -errno with a message. */
int sim_host_start(struct sim_host *h, char *err, size_t errsize);
/*
 * Run one command.  Returns 0 (done; a summary in msg), 1 (an expectation did not hold; what
 * was expected and what came in msg), or a negative errno (it could not be done; msg says
 * why).
 */
int sim_host_exec(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t msgsize);
/*
 * Run every command of 'scn', named 'src' in messages, stopping at the first failure.
 * Returns 0 or 1 (failure printed on stderr).
 */
int sim_host_run(struct sim_host *h, const struct sim_scn *scn, const char *src);
/* Serve the control socket at 'path' until "quit" or a signal.  Returns 0 or 1. */
int sim_host_control(struct sim_host *h, const char *path);
/* Was "quit" run, or did SIGTERM/SIGINT arrive? */
bool sim_host_done(const struct sim_host *h);
/* TAP lines printed so far. */
unsigned int sim_host_tap_count(const struct sim_host *h);
/* Stop the daemon (TERM, then KILL after 5 s), unmount, free.  Accepts NULL. */
struct sim_host *sim_host_free(struct sim_host *h);

#endif /* HVSIM_HOST_H */
