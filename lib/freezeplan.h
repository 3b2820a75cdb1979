/* SPDX-License-Identifier: MIT */
/*
 * freezeplan.h - what a live backup freezes: which mounts, in which order, and which
 * application hooks run around the freeze.  The one implementation behind hv-vssd (which
 * freezes) and hv-check (which reports what a host backup would do); both read the [vssd]
 * section of the configuration through freezeplan_conf_load().
 *
 * Every mountinfo entry gets a verdict: FREEZE, RISKY (frozen, but it may fail or hurt; the
 * reason says why) or SKIP (with the reason).  Rules, first match wins:
 *   1. excluded by the configuration (exclude= pattern)            -> skip
 *   2. an include list exists and does not name it                -> skip
 *   3. read-only (per mount or per superblock)                    -> skip
 *   4. pseudo, network, FUSE, overlay and other unfreezable types -> skip
 *   5. no device behind it (major 0) and not a known disk type    -> skip
 *   6. the mount point is not a directory (bind mount of a file)  -> skip
 *   7. the same device as an earlier selected mount               -> skip
 *   8. loop-backed, unless named by an include pattern            -> skip
 *   9. unknown type on a block device, loop device included, or
 *      mount point that cannot be examined                       -> risky
 *  10. otherwise                                                  -> freeze
 * Patterns are fnmatch(3) patterns on the mount point, or "type:NAME" on the fs type.
 *
 * Order: freeze in reverse mount order with "/" last; thaw in the opposite order.
 *
 * Hooks: three folders are scanned, each in name order: our own (argument "freeze" / "thaw"),
 * qemu-guest-agent's fsfreeze-hook.d ("freeze" / "thaw") and open-vm-tools' backupScripts.d
 * ("freeze" / "freezeFail" / "thaw").  Freeze hooks run in that order, thaw hooks in reverse.
 * A hook is an executable regular file not writable by group or others and owned by root or
 * by us; dot files and package-manager leftovers (*~, *.dpkg-*, *.rpmnew, *.rpmsave,
 * *.rpmorig, *.disabled) are ignored.
 */
#ifndef HVGUEST_FREEZEPLAN_H
#define HVGUEST_FREEZEPLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "mountinfo.h"
#include "util.h"

#define FREEZEPLAN_PATTERNS_MAX 64
#define FREEZEPLAN_REASON_MAX   160
#define FREEZEPLAN_HOOKS_MAX    64

/* Default hook folders (the [vssd] keys hook_dir, qemu_hook_dir, vmware_hook_dir). */
#define FREEZEPLAN_HOOK_DIR   "/etc/hvguest/vss-hooks.d"
#define FREEZEPLAN_QEMU_HOOKS "/etc/qemu/fsfreeze-hook.d"
#define FREEZEPLAN_VMW_HOOKS  "/etc/vmware-tools/backupScripts.d"

enum freezeplan_verdict {
	FREEZEPLAN_FREEZE,
	FREEZEPLAN_RISKY,
	FREEZEPLAN_SKIP,
};

struct freezeplan_opts {
	const char *include[FREEZEPLAN_PATTERNS_MAX];
	size_t n_include;
	const char *exclude[FREEZEPLAN_PATTERNS_MAX];
	size_t n_exclude;
	const char *sysfs; /* for the loop-device test; NULL: only the loop major counts */
	bool stat_mounts;  /* examine mount points (off for fixtures of another machine) */
	const char *root;  /* mount points are looked at under this folder; NULL: "/" */
};

struct freezeplan_mount {
	const struct mountinfo_entry *e;
	enum freezeplan_verdict verdict;
	char reason[FREEZEPLAN_REASON_MAX];
};

struct freezeplan {
	struct freezeplan_mount *m; /* one per mountinfo entry, in file order */
	size_t n;
	size_t *order; /* indexes into m of mounts to freeze, in freeze order */
	size_t n_order;
};

int freezeplan_select(const struct mountinfo *mi, const struct freezeplan_opts *o,
		      struct freezeplan *ret) WARN_UNUSED;
void freezeplan_free(struct freezeplan *p);
/* "will-freeze", "risky", "skipped" */
const char *freezeplan_verdict_name(enum freezeplan_verdict v);
/* True when 'pattern' names this mount (see above). */
bool freezeplan_pattern_match(const char *pattern, const struct mountinfo_entry *e);

/* -- hooks -------------------------------------------------------------------------------- */

enum freezeplan_hook_kind {
	FREEZEPLAN_HOOK_OURS,
	FREEZEPLAN_HOOK_QEMU,
	FREEZEPLAN_HOOK_VMWARE,
};

enum freezeplan_hook_phase {
	FREEZEPLAN_PHASE_FREEZE,
	FREEZEPLAN_PHASE_THAW,
	FREEZEPLAN_PHASE_FREEZE_FAIL, /* the freeze did not happen after the hook's freeze ran */
};

struct freezeplan_hook {
	char path[PATH_MAX];
	enum freezeplan_hook_kind kind;
	bool froze; /* for the runner: its freeze phase ran (so it gets a thaw) */
};

struct freezeplan_hooks {
	struct freezeplan_hook h[FREEZEPLAN_HOOKS_MAX];
	size_t n;
};

struct freezeplan_hook_skip {
	char path[PATH_MAX];
	char why[96];
};

/* Add the hooks of 'dir' (missing folder: nothing).  Files that are not acceptable are
 * reported through 'skipped' (up to 'max_skipped'; *n_skipped counts them). */
int freezeplan_hooks_scan(struct freezeplan_hooks *hs, const char *dir,
			  enum freezeplan_hook_kind kind, struct freezeplan_hook_skip *skipped,
			  size_t max_skipped, size_t *n_skipped);
/* The argument a hook of 'kind' gets for 'phase' ("freeze", "thaw", "freezeFail"). */
const char *freezeplan_hook_arg(enum freezeplan_hook_kind kind, enum freezeplan_hook_phase phase);
/* "hv-vssd", "qemu-ga", "open-vm-tools" */
const char *freezeplan_hook_kind_name(enum freezeplan_hook_kind kind);

/* -- configuration ------------------------------------------------------------------------ */

/* The hook folders in scan order (index: enum freezeplan_hook_kind); NULL: not scanned. */
struct freezeplan_dirs {
	const char *dir[3];
};

void freezeplan_dirs_default(struct freezeplan_dirs *d);
/*
 * Read the selection and hook-folder keys of [vssd] from 'c' (may be NULL): include,
 * exclude, hook_dir, qemu_hook_dir, vmware_hook_dir, legacy_hooks.  The values of the other
 * keys of hv-vssd(8) are left to the caller, but a key hv-vssd does not know is refused here.
 * -EINVAL with the reason in 'err' for an unknown key or a bad value.
 */
int freezeplan_conf_load(const struct conf *c, struct freezeplan_opts *o, struct freezeplan_dirs *d,
			 char *err, size_t err_size) WARN_UNUSED;

#endif /* HVGUEST_FREEZEPLAN_H */
