/* SPDX-License-Identifier: MIT */
/*
 * test-hv-vssd-select.c - mount selection: every skip rule, include/exclude, loop devices,
 * dedupe by device, risky verdicts, and the freeze order (reverse mount order, "/" last).
 */
#include <string.h>

#include "tap.h"
#include "vssd_select.h"

static const char table[] = "20 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"  /* 0 */
			    "21 20 0:5 / /proc rw - proc proc rw\n"           /* 1 */
			    "22 20 8:2 / /boot/efi rw - vfat /dev/sda2 rw\n"  /* 2 */
			    "23 20 8:3 / /data rw - xfs /dev/sda3 rw\n"       /* 3 */
			    "24 20 8:4 / /ro ro - ext4 /dev/sda4 ro\n"        /* 4 */
			    "25 20 8:3 /sub /data2 rw - xfs /dev/sda3 rw\n"   /* 5: same device */
			    "26 20 0:40 / /nfs rw - nfs4 srv:/x rw\n"         /* 6 */
			    "27 20 0:41 / /fuse rw - fuse.sshfs u@h:/ rw\n"   /* 7 */
			    "28 20 7:0 / /loop rw - ext4 /dev/loop0 rw\n"     /* 8 */
			    "29 20 8:5 / /srv rw - weirdfs /dev/sda5 rw\n"    /* 9 */
			    "30 20 0:42 / /run rw - tmpfs tmpfs rw\n"         /* 10 */
			    "31 20 8:6 / /srv/db rw - btrfs /dev/sda6 rw\n"   /* 11 */
			    "32 20 0:43 / /merged rw - overlay overlay rw\n"  /* 12 */
			    "33 20 8:7 / /super-ro rw - ext4 /dev/sda7 ro\n"; /* 13 */

static const struct {
	enum vssd_verdict v;
	const char *reason_part;
} want[] = {
	{ VSSD_FREEZE, "" },          { VSSD_SKIP, "pseudo" },
	{ VSSD_SKIP, "FAT" },         { VSSD_FREEZE, "" },
	{ VSSD_SKIP, "read-only" },   { VSSD_SKIP, "same device as '/data'" },
	{ VSSD_SKIP, "network" },     { VSSD_SKIP, "FUSE" },
	{ VSSD_SKIP, "loop device" }, { VSSD_RISKY, "unknown filesystem type 'weirdfs'" },
	{ VSSD_SKIP, "memory" },      { VSSD_FREEZE, "" },
	{ VSSD_SKIP, "overlay" },     { VSSD_SKIP, "read-only" },
};

static int plan_of(const char *text, const struct vssd_select_opts *o, struct mountinfo *mi,
		   struct vssd_plan *p)
{
	if (mountinfo_parse(text, strlen(text), mi, NULL) < 0)
		return -1;
	return vssd_select(mi, o, p);
}

int main(void)
{
	struct vssd_select_opts o = { 0 };
	struct mountinfo mi;
	struct vssd_plan p;

	if (!CHECK_INT(plan_of(table, &o, &mi, &p), 0, "select"))
		return tap_done();
	CHECK_INT(p.n, ARRAY_SIZE(want), "a verdict per mount");
	for (size_t i = 0; i < ARRAY_SIZE(want) && i < p.n; i++) {
		CHECK_STR(vssd_verdict_name(p.m[i].verdict), vssd_verdict_name(want[i].v),
			  "%s: verdict", p.m[i].e->mountpoint);
		CHECK(strstr(p.m[i].reason, want[i].reason_part) != NULL, "%s: reason '%s'",
		      p.m[i].e->mountpoint, p.m[i].reason);
	}
	/* Freeze order: reverse mount order, "/" last: /srv/db, /srv, /data, /. */
	if (CHECK_INT(p.n_order, 4, "four to freeze")) {
		CHECK_STR(p.m[p.order[0]].e->mountpoint, "/srv/db", "first frozen: last mounted");
		CHECK_STR(p.m[p.order[1]].e->mountpoint, "/srv", "then /srv");
		CHECK_STR(p.m[p.order[2]].e->mountpoint, "/data", "then /data");
		CHECK_STR(p.m[p.order[3]].e->mountpoint, "/", "root last");
	}
	vssd_plan_free(&p);

	/* Include and exclude: excluding / and type:btrfs; including the loop device. */
	o.exclude[o.n_exclude++] = "/";
	o.exclude[o.n_exclude++] = "type:btrfs";
	CHECK_INT(vssd_select(&mi, &o, &p), 0, "select with exclude");
	CHECK_INT(p.n_order, 2, "exclude drops / and the btrfs mount");
	CHECK(strstr(p.m[0].reason, "excluded by '/'") != NULL, "reason names the pattern");
	vssd_plan_free(&p);

	o.n_exclude = 0;
	o.include[o.n_include++] = "/loop";
	o.include[o.n_include++] = "/proc";
	CHECK_INT(vssd_select(&mi, &o, &p), 0, "select with include");
	CHECK_INT(p.n_order, 1, "only the included loop mount");
	CHECK_STR(vssd_verdict_name(p.m[8].verdict), "risky", "an included loop device is risky");
	CHECK(strstr(p.m[1].reason, "pseudo") != NULL, "include cannot force a pseudo fs");
	CHECK(strstr(p.m[0].reason, "not in the include list") != NULL, "others: not included");
	vssd_plan_free(&p);

	o.n_include = 0;
	o.include[o.n_include++] = "/srv/*";
	CHECK_INT(vssd_select(&mi, &o, &p), 0, "select with a glob");
	CHECK_INT(p.n_order, 1, "'/srv/*' names /srv/db, not /srv (FNM_PATHNAME)");
	vssd_plan_free(&p);
	mountinfo_free(&mi);

	/* Several "/" entries (over-mounted root) all go last. */
	{
		const char *t = "1 0 8:1 / / rw - ext4 a rw\n2 1 8:2 / /x rw - ext4 b rw\n"
				"3 1 8:3 / / rw - xfs c rw\n";
		struct vssd_select_opts none = { 0 };

		CHECK_INT(plan_of(t, &none, &mi, &p), 0, "over-mounted root");
		CHECK(p.n_order == 3 && streq(p.m[p.order[0]].e->mountpoint, "/x") &&
			      streq(p.m[p.order[1]].e->mountpoint, "/") &&
			      streq(p.m[p.order[2]].e->mountpoint, "/"),
		      "both roots after /x");
		vssd_plan_free(&p);
		mountinfo_free(&mi);
	}
	return tap_done();
}
