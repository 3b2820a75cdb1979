/* SPDX-License-Identifier: MIT */
/*
 * vssd_hooks.h - application hooks run before a freeze and after a thaw.
 *
 * Three folders are scanned, each in name order: our own (argument "freeze" / "thaw"),
 * qemu-guest-agent's fsfreeze-hook.d ("freeze" / "thaw") and open-vm-tools' backupScripts.d
 * ("freeze" / "freezeFail" / "thaw").  Freeze hooks run in that order, thaw hooks in reverse
 * and only for hooks whose freeze ran.  A hook is an executable regular file not writable by
 * group or others and owned by root or by us; dot files and package-manager leftovers
 * (*~, *.dpkg-*, *.rpmnew, *.rpmsave) are ignored.
 *
 * Each run is a posix_spawn with an argument vector, an empty signal mask, default signal
 * dispositions, its own process group, stdin from /dev/null and stdout/stderr captured.  A
 * hook still running at its timeout is killed with its whole process group.
 */
#ifndef VSSD_HOOKS_H
#define VSSD_HOOKS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define VSSD_HOOKS_MAX   64
#define VSSD_HOOK_OUTPUT 2048 /* bytes of a hook's output kept for the log */

enum vssd_hook_kind {
	VSSD_HOOK_OURS,
	VSSD_HOOK_QEMU,
	VSSD_HOOK_VMWARE,
};

enum vssd_hook_phase {
	VSSD_PHASE_FREEZE,
	VSSD_PHASE_THAW,
	VSSD_PHASE_FREEZE_FAIL, /* the freeze did not happen after the hook's freeze ran */
};

struct vssd_hook {
	char path[PATH_MAX];
	enum vssd_hook_kind kind;
	bool froze; /* its freeze phase ran (so it gets a thaw) */
};

struct vssd_hooks {
	struct vssd_hook h[VSSD_HOOKS_MAX];
	size_t n;
};

struct vssd_hook_skip {
	char path[PATH_MAX];
	char why[96];
};

/* Add the hooks of 'dir' (missing folder: nothing).  Files that are not acceptable are
 * reported through 'skipped' (up to 'max_skipped'; *n_skipped counts them). */
int vssd_hooks_scan(struct vssd_hooks *hs, const char *dir, enum vssd_hook_kind kind,
		    struct vssd_hook_skip *skipped, size_t max_skipped, size_t *n_skipped);

/* The argument a hook of 'kind' gets for 'phase' ("freeze", "thaw", "freezeFail"). */
const char *vssd_hook_arg(enum vssd_hook_kind kind, enum vssd_hook_phase phase);
const char *vssd_hook_kind_name(enum vssd_hook_kind kind);

struct vssd_hook_result {
	int status;     /* exit status, or -1 */
	int signal;     /* terminating signal, or 0 */
	bool timed_out; /* killed at its timeout */
	char output[VSSD_HOOK_OUTPUT];
};

/* Run one hook; returns 0 when it exited 0, -ETIMEDOUT, -ECHILD for another failure, or the
 * -errno of the spawn. */
int vssd_hook_run(const char *path, const char *arg, unsigned long long timeout_ms,
		  struct vssd_hook_result *res);

#endif /* VSSD_HOOKS_H */
