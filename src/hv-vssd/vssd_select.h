/* SPDX-License-Identifier: MIT */
/*
 * vssd_select.h - which mounts a freeze touches, and why the others are left alone.
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
 */
#ifndef VSSD_SELECT_H
#define VSSD_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "mountinfo.h"
#include "util.h"

#define VSSD_PATTERNS_MAX 64
#define VSSD_REASON_MAX   160

enum vssd_verdict {
	VSSD_FREEZE,
	VSSD_RISKY,
	VSSD_SKIP,
};

struct vssd_select_opts {
	const char *include[VSSD_PATTERNS_MAX];
	size_t n_include;
	const char *exclude[VSSD_PATTERNS_MAX];
	size_t n_exclude;
	const char *sysfs; /* for the loop-device test; NULL: only the loop major counts */
	bool stat_mounts;  /* examine mount points (off for fixtures of another machine) */
	const char *root;  /* mount points are looked at under this folder; NULL: "/" */
};

struct vssd_mount {
	const struct mountinfo_entry *e;
	enum vssd_verdict verdict;
	char reason[VSSD_REASON_MAX];
};

struct vssd_plan {
	struct vssd_mount *m; /* one per mountinfo entry, in file order */
	size_t n;
	size_t *order; /* indexes into m of mounts to freeze, in freeze order */
	size_t n_order;
};

int vssd_select(const struct mountinfo *mi, const struct vssd_select_opts *o,
		struct vssd_plan *ret) WARN_UNUSED;
void vssd_plan_free(struct vssd_plan *p);
const char *vssd_verdict_name(enum vssd_verdict v);
/* True when 'pattern' names this mount (see above). */
bool vssd_pattern_match(const char *pattern, const struct mountinfo_entry *e);

#endif /* VSSD_SELECT_H */
