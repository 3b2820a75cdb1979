/* SPDX-License-Identifier: MIT */
/*
 * vssd_select.h - which mounts a freeze touches, and why the others are left alone.
 *
 * The rules and the freeze order live in lib/freezeplan.h, shared with hv-check's report of
 * what a host backup would do; this header keeps hv-vssd's names for them.
 */
#ifndef VSSD_SELECT_H
#define VSSD_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "freezeplan.h"
#include "mountinfo.h"
#include "util.h"

#define VSSD_PATTERNS_MAX FREEZEPLAN_PATTERNS_MAX
#define VSSD_REASON_MAX   FREEZEPLAN_REASON_MAX

/* Tags and constants of freezeplan.h under hv-vssd's names. */
#define vssd_verdict     freezeplan_verdict
#define VSSD_FREEZE      FREEZEPLAN_FREEZE
#define VSSD_RISKY       FREEZEPLAN_RISKY
#define VSSD_SKIP        FREEZEPLAN_SKIP
#define vssd_select_opts freezeplan_opts
#define vssd_mount       freezeplan_mount
#define vssd_plan        freezeplan

WARN_UNUSED static inline int vssd_select(const struct mountinfo *mi,
					  const struct vssd_select_opts *o, struct vssd_plan *ret)
{
	return freezeplan_select(mi, o, ret);
}

static inline void vssd_plan_free(struct vssd_plan *p)
{
	freezeplan_free(p);
}

static inline const char *vssd_verdict_name(enum vssd_verdict v)
{
	return freezeplan_verdict_name(v);
}

/* True when 'pattern' names this mount (see freezeplan.h). */
static inline bool vssd_pattern_match(const char *pattern, const struct mountinfo_entry *e)
{
	return freezeplan_pattern_match(pattern, e);
}

#endif /* VSSD_SELECT_H */
