/* SPDX-License-Identifier: MIT */
/*
 * vssd_hooks.h - application hooks run before a freeze and after a thaw.
 *
 * Which hooks exist and in which order is lib/freezeplan.h (shared with hv-check).  Freeze
 * hooks run in that order, thaw hooks in reverse and only for hooks whose freeze ran.
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

#include "freezeplan.h"
#include "util.h"

#define VSSD_HOOK_OUTPUT 2048 /* bytes of a hook's output kept for the log */

/* Finding hooks lives in lib/freezeplan.h (hv-check lists them too); hv-vssd's names: */
#define VSSD_HOOKS_MAX         FREEZEPLAN_HOOKS_MAX
#define vssd_hook_kind         freezeplan_hook_kind
#define VSSD_HOOK_OURS         FREEZEPLAN_HOOK_OURS
#define VSSD_HOOK_QEMU         FREEZEPLAN_HOOK_QEMU
#define VSSD_HOOK_VMWARE       FREEZEPLAN_HOOK_VMWARE
#define vssd_hook_phase        freezeplan_hook_phase
#define VSSD_PHASE_FREEZE      FREEZEPLAN_PHASE_FREEZE
#define VSSD_PHASE_THAW        FREEZEPLAN_PHASE_THAW
#define VSSD_PHASE_FREEZE_FAIL FREEZEPLAN_PHASE_FREEZE_FAIL
#define vssd_hook              freezeplan_hook
#define vssd_hooks             freezeplan_hooks
#define vssd_hook_skip         freezeplan_hook_skip

static inline int vssd_hooks_scan(struct vssd_hooks *hs, const char *dir, enum vssd_hook_kind kind,
				  struct vssd_hook_skip *skipped, size_t max_skipped,
				  size_t *n_skipped)
{
	return freezeplan_hooks_scan(hs, dir, kind, skipped, max_skipped, n_skipped);
}

static inline const char *vssd_hook_arg(enum vssd_hook_kind kind, enum vssd_hook_phase phase)
{
	return freezeplan_hook_arg(kind, phase);
}

static inline const char *vssd_hook_kind_name(enum vssd_hook_kind kind)
{
	return freezeplan_hook_kind_name(kind);
}

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
