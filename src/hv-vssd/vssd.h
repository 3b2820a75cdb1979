/* SPDX-License-Identifier: MIT */
/*
 * vssd.h - the hv-vssd daemon: its settings, its state and the operations the host asks for.
 *
 * States (docs/freeze-states.md): THAWED, FROZEN, EXPIRED (the watchdog thawed because the
 * freeze window ended; the next THAW is answered HV_E_FAIL so the host knows the snapshot may
 * not be consistent).  While FROZEN nothing is written to any disk: the log is held in
 * memory, the pool-1 result record and the hooks wait until after the thaw.
 */
#ifndef VSSD_H
#define VSSD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "mountinfo.h"
#include "util.h"
#include "vssd_freeze.h"
#include "vssd_guard.h"
#include "vssd_hooks.h"
#include "vssd_select.h"
#include "vssd_wire.h"

#define VSSD_DEFAULT_DEVICE     "/dev/vmbus/hv_vss"
#define VSSD_DEFAULT_MOUNTINFO  "/proc/self/mountinfo"
#define VSSD_DEFAULT_RUN_DIR    "/run/hvguest"
#define VSSD_DEFAULT_HOOK_DIR   FREEZEPLAN_HOOK_DIR
#define VSSD_DEFAULT_QEMU_HOOKS FREEZEPLAN_QEMU_HOOKS
#define VSSD_DEFAULT_VMW_HOOKS  FREEZEPLAN_VMW_HOOKS
#define VSSD_DEFAULT_WINDOW_MS  60000ull  /* freeze window: the host's snapshot takes seconds */
#define VSSD_WINDOW_MAX_MS      900000ull /* the kernel's own FREEZE timeout */
#define VSSD_DEFAULT_HOOK_MS    30000ull
#define VSSD_HOOK_MAX_MS        600000ull
#define VSSD_RESULT_KEY         "HvVssdLastResult"
#define VSSD_RESULT_POOL        1
#define VSSD_REOPEN_BURST       10 /* reopens of the device per minute before giving up */

enum vssd_state {
	VSSD_THAWED,
	VSSD_FROZEN,
	VSSD_EXPIRED,
};

struct vssd_config {
	const char *device; /* path of the device or of a SOCK_SEQPACKET socket */
	int device_fd;      /* >= 0: use this descriptor, never reopen */
	const char *mountinfo;
	const char *sysfs;
	const char *run_dir;
	const char *pool_dir; /* NULL: no result record */
	unsigned long long window_ms;
	struct vssd_select_opts sel;
	const char *hook_dir, *qemu_hook_dir, *vmware_hook_dir;
	unsigned long long hook_timeout_ms;
	bool hook_abort; /* a failing freeze hook fails the backup */
	const struct vssd_freezer *freezer;
};

struct vssd {
	struct vssd_config cfg;
	int fd;
	enum vssd_state state;
	struct vssd_set set;
	struct vssd_watchdog wd;
	struct vssd_hooks hooks;
	bool hooks_ran; /* freeze hooks ran for the current session */
	int sigfd;
	bool quit;
	struct ratelimit rl;        /* warnings caused by the host */
	struct ratelimit rl_reopen; /* reopens of the device */
	char last_error[640];       /* why the last operation failed, for the log and the record */
};

/* Defaults, then the [vssd] section of 'c' (may be NULL).  'err' gets the bad key. */
void vssd_config_defaults(struct vssd_config *cfg);
int vssd_config_load(struct vssd_config *cfg, const struct conf *c, char *err,
		     size_t err_size) WARN_UNUSED;

void vssd_init(struct vssd *d, const struct vssd_config *cfg);

/* Handle one message from the device.  Returns 0 when the message gets no reply, 1 when
 * 'reply' holds the reply to send, 2 when vssd_after_reply() must be called once the reply
 * was sent (a THAW: the thaw hooks and the result record follow the reply). */
int vssd_handle(struct vssd *d, const uint8_t *msg, size_t len, uint8_t reply[VSS_MSG_SIZE]);
void vssd_after_reply(struct vssd *d);
/* Called when the watchdog reported a thaw, and to thaw before exiting. */
void vssd_watchdog_event(struct vssd *d);
int vssd_thaw_now(struct vssd *d, const char *why);

/* Thaw what a marker left behind by an earlier run names.  Returns mounts named. */
int vssd_recover(struct vssd *d);

/* The main loop over the device; returns the exit status for main(). */
int vssd_run(struct vssd *d);

/* --check: print every mount's verdict and the hooks; returns 0, or 1 when nothing
 * would be frozen or the mount table cannot be read. */
int vssd_check(const struct vssd_config *cfg, FILE *out);

#endif /* VSSD_H */
