/* SPDX-License-Identifier: MIT */
/*
 * hvc_backup.h - the live check's "live backup" section: what a host backup (Hyper-V VSS
 * checkpoint or backup of the running VM) would do to the guest under the root.  Every mount
 * is will-freeze, skipped (why) or risky, the freeze order, the hooks that would run and the
 * ones that would not; the rules are those of hv-vssd (lib/freezeplan.h), read from the same
 * [vssd] section of <root>/etc/hvguest/hvguest.conf.
 *
 * The mount table is the one the VSS daemon sees: <root>/proc/<daemon pid>/mountinfo when a
 * daemon runs, else <root>/proc/self/mountinfo, else <root>/proc/1/mountinfo.  Mount points
 * are examined under the root, loop devices looked up in <root>/sys, and hook folders read
 * under the root; paths are printed as the guest sees them.
 */
#ifndef HVC_BACKUP_H
#define HVC_BACKUP_H

#include <stdbool.h>
#include <stdio.h>

#include "freezeplan.h"
#include "mountinfo.h"

#define HVC_BACKUP_SKIPPED_MAX 16
#define HVC_BACKUP_PROBLEMS    4

enum hvc_backup_verdict {
	HVC_BACKUP_OK,
	HVC_BACKUP_PROBLEMS_FOUND,
	HVC_BACKUP_UNKNOWN, /* no mount table: nothing can be said */
};

struct hvc_backup {
	bool have;          /* a mount table was read and judged */
	char from[64];      /* the mount table, relative to the root ("proc/703/mountinfo") */
	char error[320];    /* why there is no plan */
	char conf_err[320]; /* the configuration hv-vssd would refuse, or "" */
	struct mountinfo mi;
	struct freezeplan plan;
	size_t nfreeze, nrisky, nskip;
	size_t root_len; /* bytes of the root prefix in hook paths */
	struct freezeplan_hooks hooks;
	struct freezeplan_hook_skip skipped[HVC_BACKUP_SKIPPED_MAX];
	size_t nskipped;
	char hook_err[320]; /* a hook folder that cannot be read */

	/* hvc_backup_judge() */
	enum hvc_backup_verdict verdict;
	char problem[HVC_BACKUP_PROBLEMS][320];
	char remedy[HVC_BACKUP_PROBLEMS][200];
	size_t nproblems;
	bool daemon_problem; /* problem[0] is the missing daemon */
};

/*
 * Read the mount table, the configuration and the hook folders of the guest at 'root'
 * (rootfd is open on it); 'daemon_pid' is the VSS daemon's pid ("" when none runs).  Never
 * fails: what cannot be read is said in b->error.  Release with hvc_backup_free().
 */
void hvc_backup_load(struct hvc_backup *b, const char *root, int rootfd, const char *daemon_pid);
void hvc_backup_free(struct hvc_backup *b);

/*
 * The verdict: problems when no VSS daemon runs although the host offers the VSS device
 * ('offered'; 'daemon' is the daemon's name or ""), when hv-vssd would refuse the
 * configuration, when nothing would be frozen, or when a mount is risky.  Without a mount
 * table the verdict is unknown and nothing is claimed.
 */
void hvc_backup_judge(struct hvc_backup *b, bool offered, const char *daemon);

/* A mount point or hook path as the guest sees it (the root prefix removed). */
const char *hvc_backup_hook_path(const struct hvc_backup *b, const char *path);

void hvc_backup_print(FILE *out, const struct hvc_backup *b);
/* The value of the "live_backup" member (an object, no trailing newline). */
void hvc_backup_json(FILE *out, const struct hvc_backup *b);

#endif /* HVC_BACKUP_H */
