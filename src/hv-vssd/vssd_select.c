/* SPDX-License-Identifier: MIT */
/*
 * vssd_select.c - the mount selection rules of vssd_select.h.
 */
#include "vssd_select.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOOP_MAJOR_NR   7
#define SLAVES_DEPTHMAX 8

/* Filesystems FIFREEZE does not apply to, or that must not be frozen, and why. */
static const struct {
	const char *type;
	const char *why;
} unfreezable[] = {
	{ "proc", "pseudo filesystem" },
	{ "sysfs", "pseudo filesystem" },
	{ "devtmpfs", "pseudo filesystem" },
	{ "devpts", "pseudo filesystem" },
	{ "tmpfs", "memory filesystem" },
	{ "ramfs", "memory filesystem" },
	{ "cgroup", "pseudo filesystem" },
	{ "cgroup2", "pseudo filesystem" },
	{ "securityfs", "pseudo filesystem" },
	{ "debugfs", "pseudo filesystem" },
	{ "tracefs", "pseudo filesystem" },
	{ "pstore", "pseudo filesystem" },
	{ "bpf", "pseudo filesystem" },
	{ "configfs", "pseudo filesystem" },
	{ "fusectl", "pseudo filesystem" },
	{ "hugetlbfs", "memory filesystem" },
	{ "mqueue", "pseudo filesystem" },
	{ "autofs", "automounter placeholder" },
	{ "binfmt_misc", "pseudo filesystem" },
	{ "efivarfs", "pseudo filesystem" },
	{ "rpc_pipefs", "pseudo filesystem" },
	{ "nsfs", "pseudo filesystem" },
	{ "selinuxfs", "pseudo filesystem" },
	{ "nfsd", "pseudo filesystem" },
	{ "overlay", "overlay: its upper layer is frozen with the filesystem it lives on" },
	{ "squashfs", "read-only by design" },
	{ "iso9660", "read-only by design" },
	{ "udf", "optical media" },
	{ "erofs", "read-only by design" },
	{ "vfat", "FAT (EFI system partition): not frozen, as the reference daemon" },
	{ "msdos", "FAT: not frozen" },
	{ "exfat", "exFAT: not frozen" },
	{ "nfs", "network filesystem" },
	{ "nfs4", "network filesystem" },
	{ "cifs", "network filesystem" },
	{ "smb3", "network filesystem" },
	{ "smbfs", "network filesystem" },
	{ "ceph", "network filesystem" },
	{ "glusterfs", "network filesystem" },
	{ "9p", "network filesystem" },
	{ "afs", "network filesystem" },
	{ "lustre", "network filesystem" },
	{ "virtiofs", "shared with the host" },
	{ "fuse", "FUSE filesystem" },
	{ "fuseblk", "FUSE filesystem" },
	{ "zfs", "ZFS has no FIFREEZE" },
	{ "swap", "not a filesystem" },
};

/* Disk filesystems known to support FIFREEZE. */
static const char *const freezable[] = {
	"ext2", "ext3",     "ext4",   "xfs",  "btrfs", "f2fs",
	"jfs",  "reiserfs", "nilfs2", "gfs2", "ocfs2", "bcachefs",
};

const char *vssd_verdict_name(enum vssd_verdict v)
{
	switch (v) {
	case VSSD_FREEZE:
		return "will-freeze";
	case VSSD_RISKY:
		return "risky";
	case VSSD_SKIP:
		return "skipped";
	}
	return "?";
}

bool vssd_pattern_match(const char *pattern, const struct mountinfo_entry *e)
{
	if (strncmp(pattern, "type:", 5) == 0)
		return fnmatch(pattern + 5, e->fstype, 0) == 0;
	return fnmatch(pattern, e->mountpoint, FNM_PATHNAME) == 0;
}

static const char *unfreezable_why(const char *type)
{
	if (strncmp(type, "fuse.", 5) == 0)
		return "FUSE filesystem";
	for (size_t i = 0; i < ARRAY_SIZE(unfreezable); i++)
		if (streq(unfreezable[i].type, type))
			return unfreezable[i].why;
	return NULL;
}

static bool known_freezable(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(freezable); i++)
		if (streq(freezable[i], type))
			return true;
	return false;
}

/* Is block device maj:min a loop device, or stacked on one (device mapper, md)? */
static bool is_loop(const char *sysfs, unsigned int maj, unsigned int min, int depth)
{
	char path[PATH_MAX];
	struct dirent *d;
	bool found = false;
	DIR *dir;
	int n;

	if (maj == LOOP_MAJOR_NR)
		return true;
	if (!sysfs || depth > SLAVES_DEPTHMAX)
		return false;
	n = snprintf(path, sizeof(path), "%s/dev/block/%u:%u/loop", sysfs, maj, min);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	if (access(path, F_OK) == 0)
		return true;
	n = snprintf(path, sizeof(path), "%s/dev/block/%u:%u/slaves", sysfs, maj, min);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	/* Each slave is a link to a block device folder whose "dev" file holds maj:min. */
	while (!found && (d = readdir(dir))) {
		char devpath[PATH_MAX], buf[32];
		unsigned int smaj, smin;
		ssize_t len;
		int fd;

		if (d->d_name[0] == '.')
			continue;
		n = snprintf(devpath, sizeof(devpath), "%s/%s/dev", path, d->d_name);
		if (n < 0 || (size_t)n >= sizeof(devpath))
			continue;
		fd = open(devpath, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if (sscanf(buf, "%u:%u", &smaj, &smin) == 2)
			found = is_loop(sysfs, smaj, smin, depth + 1);
	}
	closedir(dir);
	return found;
}

static void say(struct vssd_mount *m, enum vssd_verdict v, const char *why)
{
	m->verdict = v;
	(void)str_copy(m->reason, sizeof(m->reason), why);
}

static bool any_match(const char *const *pats, size_t n, const struct mountinfo_entry *e,
		      const char **which)
{
	for (size_t i = 0; i < n; i++)
		if (vssd_pattern_match(pats[i], e)) {
			*which = pats[i];
			return true;
		}
	return false;
}

static void judge(const struct vssd_select_opts *o, struct vssd_mount *m)
{
	const struct mountinfo_entry *e = m->e;
	const char *why, *pat = NULL;
	bool included;
	struct stat st;

	if (any_match(o->exclude, o->n_exclude, e, &pat)) {
		(void)snprintf(m->reason, sizeof(m->reason), "excluded by '%s'", pat);
		m->verdict = VSSD_SKIP;
		return;
	}
	included = any_match(o->include, o->n_include, e, &pat);
	if (o->n_include > 0 && !included) {
		say(m, VSSD_SKIP, "not in the include list");
		return;
	}
	if (mountinfo_has_opt(e->mount_opts, "ro") || mountinfo_has_opt(e->super_opts, "ro")) {
		say(m, VSSD_SKIP, "read-only");
		return;
	}
	why = unfreezable_why(e->fstype);
	if (why) {
		(void)snprintf(m->reason, sizeof(m->reason), "%s (%s)", why, e->fstype);
		m->verdict = VSSD_SKIP;
		return;
	}
	if (e->major == 0 && !known_freezable(e->fstype)) {
		(void)snprintf(m->reason, sizeof(m->reason), "no block device behind it (%s)",
			       e->fstype);
		m->verdict = VSSD_SKIP;
		return;
	}
	if (o->stat_mounts) {
		char path[PATH_MAX];
		int n = snprintf(path, sizeof(path), "%s%s", o->root ? o->root : "", e->mountpoint);

		if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0) {
			(void)snprintf(m->reason, sizeof(m->reason),
				       "cannot examine mount point: %s", strerror(errno));
			m->verdict = VSSD_RISKY;
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			say(m, VSSD_SKIP, "bind mount of a file");
			return;
		}
	}
	if (is_loop(o->sysfs, e->major, e->minor, 0)) {
		if (!included) {
			say(m, VSSD_SKIP, "loop device (name it in include= to freeze it)");
			return;
		}
		say(m, VSSD_RISKY,
		    "loop device: its backing file must not be on a frozen filesystem");
		return;
	}
	if (!known_freezable(e->fstype)) {
		(void)snprintf(m->reason, sizeof(m->reason),
			       "unknown filesystem type '%s': FIFREEZE may fail", e->fstype);
		m->verdict = VSSD_RISKY;
		return;
	}
	say(m, VSSD_FREEZE, "");
}

void vssd_plan_free(struct vssd_plan *p)
{
	if (!p)
		return;
	free(p->m);
	free(p->order);
	*p = (struct vssd_plan){ 0 };
}

int vssd_select(const struct mountinfo *mi, const struct vssd_select_opts *o, struct vssd_plan *ret)
{
	struct vssd_plan p = { 0 };

	*ret = p;
	p.m = calloc(mi->n ? mi->n : 1, sizeof(*p.m));
	p.order = calloc(mi->n ? mi->n : 1, sizeof(*p.order));
	if (!p.m || !p.order) {
		vssd_plan_free(&p);
		return -ENOMEM;
	}
	p.n = mi->n;
	for (size_t i = 0; i < mi->n; i++) {
		p.m[i].e = &mi->e[i];
		judge(o, &p.m[i]);
		if (p.m[i].verdict == VSSD_SKIP)
			continue;
		/* Drop a second mount of a device already selected. */
		for (size_t j = 0; j < i; j++) {
			if (p.m[j].verdict == VSSD_SKIP || p.m[j].e->major != mi->e[i].major ||
			    p.m[j].e->minor != mi->e[i].minor)
				continue;
			(void)snprintf(p.m[i].reason, sizeof(p.m[i].reason), "same device as '%s'",
				       p.m[j].e->mountpoint);
			p.m[i].verdict = VSSD_SKIP;
			break;
		}
	}
	/* Reverse mount order, "/" (if selected) last. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = mi->n; i-- > 0;) {
			if (p.m[i].verdict == VSSD_SKIP)
				continue;
			if (streq(p.m[i].e->mountpoint, "/") != (pass == 1))
				continue;
			p.order[p.n_order++] = i;
		}
	*ret = p;
	return 0;
}
