/* SPDX-License-Identifier: MIT */
/*
 * freezeplan.c - the mount selection rules, the hook discovery and the [vssd] selection keys
 * of freezeplan.h.
 */
#include "freezeplan.h"

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

const char *freezeplan_verdict_name(enum freezeplan_verdict v)
{
	switch (v) {
	case FREEZEPLAN_FREEZE:
		return "will-freeze";
	case FREEZEPLAN_RISKY:
		return "risky";
	case FREEZEPLAN_SKIP:
		return "skipped";
	}
	return "?";
}

bool freezeplan_pattern_match(const char *pattern, const struct mountinfo_entry *e)
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

static void say(struct freezeplan_mount *m, enum freezeplan_verdict v, const char *why)
{
	m->verdict = v;
	(void)str_copy(m->reason, sizeof(m->reason), why);
}

static bool any_match(const char *const *pats, size_t n, const struct mountinfo_entry *e,
		      const char **which)
{
	for (size_t i = 0; i < n; i++)
		if (freezeplan_pattern_match(pats[i], e)) {
			*which = pats[i];
			return true;
		}
	return false;
}

static void judge(const struct freezeplan_opts *o, struct freezeplan_mount *m)
{
	const struct mountinfo_entry *e = m->e;
	const char *why, *pat = NULL;
	bool included;
	struct stat st;

	if (any_match(o->exclude, o->n_exclude, e, &pat)) {
		(void)snprintf(m->reason, sizeof(m->reason), "excluded by '%s'", pat);
		m->verdict = FREEZEPLAN_SKIP;
		return;
	}
	included = any_match(o->include, o->n_include, e, &pat);
	if (o->n_include > 0 && !included) {
		say(m, FREEZEPLAN_SKIP, "not in the include list");
		return;
	}
	if (mountinfo_has_opt(e->mount_opts, "ro") || mountinfo_has_opt(e->super_opts, "ro")) {
		say(m, FREEZEPLAN_SKIP, "read-only");
		return;
	}
	why = unfreezable_why(e->fstype);
	if (why) {
		(void)snprintf(m->reason, sizeof(m->reason), "%s (%s)", why, e->fstype);
		m->verdict = FREEZEPLAN_SKIP;
		return;
	}
	if (e->major == 0 && !known_freezable(e->fstype)) {
		(void)snprintf(m->reason, sizeof(m->reason), "no block device behind it (%s)",
			       e->fstype);
		m->verdict = FREEZEPLAN_SKIP;
		return;
	}
	if (o->stat_mounts) {
		char path[PATH_MAX];
		int n = snprintf(path, sizeof(path), "%s%s", o->root ? o->root : "", e->mountpoint);

		if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0) {
			(void)snprintf(m->reason, sizeof(m->reason),
				       "cannot examine mount point: %s", strerror(errno));
			m->verdict = FREEZEPLAN_RISKY;
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			say(m, FREEZEPLAN_SKIP, "bind mount of a file");
			return;
		}
	}
	if (is_loop(o->sysfs, e->major, e->minor, 0)) {
		if (!included) {
			say(m, FREEZEPLAN_SKIP, "loop device (name it in include= to freeze it)");
			return;
		}
		say(m, FREEZEPLAN_RISKY,
		    "loop device: its backing file must not be on a frozen filesystem");
		return;
	}
	if (!known_freezable(e->fstype)) {
		(void)snprintf(m->reason, sizeof(m->reason),
			       "unknown filesystem type '%s': FIFREEZE may fail", e->fstype);
		m->verdict = FREEZEPLAN_RISKY;
		return;
	}
	say(m, FREEZEPLAN_FREEZE, "");
}

void freezeplan_free(struct freezeplan *p)
{
	if (!p)
		return;
	free(p->m);
	free(p->order);
	*p = (struct freezeplan){ 0 };
}

int freezeplan_select(const struct mountinfo *mi, const struct freezeplan_opts *o,
		      struct freezeplan *ret)
{
	struct freezeplan p = { 0 };

	*ret = p;
	p.m = calloc(mi->n ? mi->n : 1, sizeof(*p.m));
	p.order = calloc(mi->n ? mi->n : 1, sizeof(*p.order));
	if (!p.m || !p.order) {
		freezeplan_free(&p);
		return -ENOMEM;
	}
	p.n = mi->n;
	for (size_t i = 0; i < mi->n; i++) {
		p.m[i].e = &mi->e[i];
		judge(o, &p.m[i]);
		if (p.m[i].verdict == FREEZEPLAN_SKIP)
			continue;
		/* Drop a second mount of a device already selected. */
		for (size_t j = 0; j < i; j++) {
			if (p.m[j].verdict == FREEZEPLAN_SKIP ||
			    p.m[j].e->major != mi->e[i].major || p.m[j].e->minor != mi->e[i].minor)
				continue;
			(void)snprintf(p.m[i].reason, sizeof(p.m[i].reason), "same device as '%s'",
				       p.m[j].e->mountpoint);
			p.m[i].verdict = FREEZEPLAN_SKIP;
			break;
		}
	}
	/* Reverse mount order, "/" (if selected) last. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = mi->n; i-- > 0;) {
			if (p.m[i].verdict == FREEZEPLAN_SKIP)
				continue;
			if (streq(p.m[i].e->mountpoint, "/") != (pass == 1))
				continue;
			p.order[p.n_order++] = i;
		}
	*ret = p;
	return 0;
}

/* -- hooks -------------------------------------------------------------------------------- */

const char *freezeplan_hook_kind_name(enum freezeplan_hook_kind kind)
{
	switch (kind) {
	case FREEZEPLAN_HOOK_OURS:
		return "hv-vssd";
	case FREEZEPLAN_HOOK_QEMU:
		return "qemu-ga";
	case FREEZEPLAN_HOOK_VMWARE:
		return "open-vm-tools";
	}
	return "?";
}

const char *freezeplan_hook_arg(enum freezeplan_hook_kind kind, enum freezeplan_hook_phase phase)
{
	switch (phase) {
	case FREEZEPLAN_PHASE_FREEZE:
		return "freeze";
	case FREEZEPLAN_PHASE_THAW:
		return "thaw";
	case FREEZEPLAN_PHASE_FREEZE_FAIL:
		return kind == FREEZEPLAN_HOOK_VMWARE ? "freezeFail" : "thaw";
	}
	return "thaw";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && streq(s + a - b, suffix);
}

static bool ignored_name(const char *name)
{
	return name[0] == '.' || ends_with(name, "~") || strstr(name, ".dpkg-") ||
	       ends_with(name, ".rpmnew") || ends_with(name, ".rpmsave") ||
	       ends_with(name, ".rpmorig") || ends_with(name, ".disabled");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void note_skip(struct freezeplan_hook_skip *sk, size_t max, size_t *n, const char *path,
		      const char *why)
{
	if (*n < max) {
		(void)str_copy(sk[*n].path, sizeof(sk[*n].path), path);
		(void)str_copy(sk[*n].why, sizeof(sk[*n].why), why);
	}
	(*n)++;
}

int freezeplan_hooks_scan(struct freezeplan_hooks *hs, const char *dir,
			  enum freezeplan_hook_kind kind, struct freezeplan_hook_skip *skipped,
			  size_t max_skipped, size_t *n_skipped)
{
	char *names[FREEZEPLAN_HOOKS_MAX * 2];
	size_t n = 0;
	struct dirent *d;
	DIR *dp;
	int r = 0;

	if (!dir || !dir[0])
		return 0;
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while ((d = readdir(dp)) && n < ARRAY_SIZE(names)) {
		if (ignored_name(d->d_name))
			continue;
		names[n] = strdup(d->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

		free(names[i]);
		if (r < 0 || len < 0 || (size_t)len >= sizeof(path))
			continue;
		if (stat(path, &st) < 0) {
			note_skip(skipped, max_skipped, n_skipped, path, "cannot stat");
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			if (!S_ISDIR(st.st_mode))
				note_skip(skipped, max_skipped, n_skipped, path,
					  "not a regular file");
			continue;
		}
		if (!(st.st_mode & S_IXUSR)) {
			note_skip(skipped, max_skipped, n_skipped, path, "not executable");
			continue;
		}
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			note_skip(skipped, max_skipped, n_skipped, path,
				  "writable by group or others");
			continue;
		}
		if (st.st_uid != 0 && st.st_uid != geteuid()) {
			note_skip(skipped, max_skipped, n_skipped, path, "not owned by root");
			continue;
		}
		if (hs->n == FREEZEPLAN_HOOKS_MAX) {
			note_skip(skipped, max_skipped, n_skipped, path, "too many hooks");
			continue;
		}
		(void)str_copy(hs->h[hs->n].path, sizeof(hs->h[hs->n].path), path);
		hs->h[hs->n].kind = kind;
		hs->h[hs->n].froze = false;
		hs->n++;
	}
	return r;
}

/* -- configuration ------------------------------------------------------------------------ */

void freezeplan_dirs_default(struct freezeplan_dirs *d)
{
	d->dir[FREEZEPLAN_HOOK_OURS] = FREEZEPLAN_HOOK_DIR;
	d->dir[FREEZEPLAN_HOOK_QEMU] = FREEZEPLAN_QEMU_HOOKS;
	d->dir[FREEZEPLAN_HOOK_VMWARE] = FREEZEPLAN_VMW_HOOKS;
}

/* Every key of [vssd] (hv-vssd(8), CONFIGURATION). */
static const char *const vssd_keys[] = {
	"include",       "exclude",         "freeze_timeout", "hook_dir",
	"qemu_hook_dir", "vmware_hook_dir", "hook_timeout",   "hook_failure",
	"run_dir",       "pool_dir",        "result_record",  "legacy_hooks",
};

struct key_err {
	char *buf;
	size_t size;
};

static int check_key(const char *key, const char *value, unsigned int line, void *data)
{
	struct key_err *ke = data;

	(void)value;
	for (size_t i = 0; i < ARRAY_SIZE(vssd_keys); i++)
		if (streq(vssd_keys[i], key))
			return 0;
	(void)snprintf(ke->buf, ke->size, "line %u: unknown key '%s' in [vssd]", line, key);
	return -EINVAL;
}

int freezeplan_conf_load(const struct conf *c, struct freezeplan_opts *o, struct freezeplan_dirs *d,
			 char *err, size_t err_size)
{
	static const char *const keys[] = { "hook_dir", "qemu_hook_dir", "vmware_hook_dir" };
	struct key_err ke = { err, err_size };
	const char *s;
	bool b;
	int r;

	if (!c)
		return 0;
	r = conf_foreach(c, "vssd", check_key, &ke);
	if (r < 0)
		return r;
	o->n_include = MIN(conf_get_all(c, "vssd", "include", o->include, FREEZEPLAN_PATTERNS_MAX),
			   (size_t)FREEZEPLAN_PATTERNS_MAX);
	o->n_exclude = MIN(conf_get_all(c, "vssd", "exclude", o->exclude, FREEZEPLAN_PATTERNS_MAX),
			   (size_t)FREEZEPLAN_PATTERNS_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((s = conf_get(c, "vssd", keys[i])))
			d->dir[i] = s;
	r = conf_get_bool(c, "vssd", "legacy_hooks", true, &b);
	if (r < 0) {
		(void)snprintf(err, err_size, "legacy_hooks: yes or no");
		return r;
	}
	if (!b)
		d->dir[FREEZEPLAN_HOOK_QEMU] = d->dir[FREEZEPLAN_HOOK_VMWARE] = NULL;
	return 0;
}
