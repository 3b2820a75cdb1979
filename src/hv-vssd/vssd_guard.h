/* SPDX-License-Identifier: MIT */
/*
 * vssd_guard.h - what guarantees a thaw when the freezing process cannot.
 *
 * The watchdog is a child forked just before the freeze.  It keeps open descriptors of the
 * mounts being frozen (it never opens a path, so it cannot block on a frozen filesystem) and
 * one end of a socket pair whose other end the daemon holds.  It thaws every mount when
 *   - the freeze window ends (the host never sent THAW): it then tells the daemon "W";
 *   - the socket reaches EOF: the daemon died, even by SIGKILL;
 * and it exits quietly when the daemon sends "T" after thawing by itself.  It ignores
 * SIGTERM, SIGINT and SIGHUP so a signal aimed at the process group cannot stop it first.
 *
 * The marker is a file in the run directory (a tmpfs, /run/hvguest) written before the first
 * freeze and removed after the thaw.  It lists the mount points, so that a daemon that starts
 * and finds it (the previous one died frozen, and the watchdog too) thaws them first.
 */
#ifndef VSSD_GUARD_H
#define VSSD_GUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"
#include "vssd_freeze.h"

#define VSSD_MARKER_NAME "vssd-frozen"

enum vssd_watchdog_exit {
	VSSD_WD_STOPPED = 0, /* told to stop: the daemon thawed */
	VSSD_WD_PARENT_DIED = 2,
	VSSD_WD_EXPIRED = 3,
};

struct vssd_watchdog {
	pid_t pid; /* 0 when not running */
	int sock;
};

/* Fork the watchdog for the mounts of 's'.  'run_dir' (may be NULL) is where the marker is. */
int vssd_watchdog_start(struct vssd_watchdog *w, const struct vssd_freezer *fz,
			const struct vssd_set *s, unsigned long long window_ms,
			const char *run_dir) WARN_UNUSED;
/* Tell it to stop (if still running) and reap it; returns its enum vssd_watchdog_exit, or
 * -errno. */
int vssd_watchdog_stop(struct vssd_watchdog *w);

/* Write the marker for the mounts of 's' in 'run_dir'. */
int vssd_marker_write(const char *run_dir, const struct vssd_set *s) WARN_UNUSED;
int vssd_marker_remove(const char *run_dir);
/*
 * If a marker exists in 'run_dir', thaw every mount it names and remove it.  'report' is
 * called once per mount with the number of thaws done (0: it was not frozen) or -errno.
 * Returns how many mounts were named (0: no marker), or -errno.
 */
typedef void vssd_recover_fn(const char *path, int result, void *data);
int vssd_marker_recover(const char *run_dir, const struct vssd_freezer *fz, vssd_recover_fn *report,
			void *data);

#endif /* VSSD_GUARD_H */
