/* SPDX-License-Identifier: MIT */
/*
 * test-hv-check-backup.c - the live backup section of hv-check: which mount table is read
 * (the VSS daemon's, proc/self's, init's), the verdict (ok, nothing frozen, risky, no daemon
 * while the host offers VSS, a configuration hv-vssd would refuse, unknown without a table),
 * exclude= and legacy_hooks= of [vssd], mount points examined under the root, hook paths shown
 * as the guest sees them, and the JSON member.  Each case builds a guest tree in a temp folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvc_backup.h"
#include "tap.h"

#define EXT4_ROOT "1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
#define ZFS_ROOT  "1 0 0:24 / / rw - zfs rpool/ROOT/x rw\n"
#define NTFS_DATA "2 1 8:17 / /data rw - ntfs3 /dev/sdb1 rw\n"
#define HOOK      "#!/bin/sh\nexit 0\n"

struct file {
	const char *path, *body;
	mode_t mode; /* 0: a folder */
};

static const struct {
	const char *name;
	struct file files[6];
	const char *pid; /* the VSS daemon's pid */
	bool offered;
	const char *daemon;
	/* expected */
	enum hvc_backup_verdict verdict;
	const char *from; /* "" when no table was found */
	int nfreeze, nrisky;
	const char *problem; /* start of problem[0], or NULL for none */
	const char *error;   /* part of b->error, or NULL */
} cases[] = {
	/* clang-format off */
	{ "ext4 root in proc/self",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_OK, "proc/self/mountinfo", 1, 0, NULL, NULL },
	{ "the daemon's table wins over proc/self",
	  { { "proc/42/mountinfo", ZFS_ROOT, 0644 }, { "proc/self/mountinfo", EXT4_ROOT, 0644 } },
	  "42", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/42/mountinfo", 0, 0,
	  "nothing would be frozen", NULL },
	{ "a daemon without a table of its own: proc/self",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 } },
	  "42", true, "hv-vssd", HVC_BACKUP_OK, "proc/self/mountinfo", 1, 0, NULL, NULL },
	{ "init's table last",
	  { { "proc/1/mountinfo", EXT4_ROOT, 0644 } },
	  "", true, "hv_vss_daemon", HVC_BACKUP_OK, "proc/1/mountinfo", 1, 0, NULL, NULL },
	{ "no table: unknown, nothing claimed even without a daemon",
	  { { "etc", NULL, 0 } },
	  "", true, "", HVC_BACKUP_UNKNOWN, "", 0, 0, NULL, "no mount table under the root" },
	{ "malformed table",
	  { { "proc/self/mountinfo", "this is not a mount table\n", 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_UNKNOWN, "proc/self/mountinfo", 0, 0, NULL,
	  "proc/self/mountinfo line 1 is malformed" },
	{ "a folder where the table should be",
	  { { "proc/self/mountinfo", NULL, 0 } },
	  "", true, "hv-vssd", HVC_BACKUP_UNKNOWN, "proc/self/mountinfo", 0, 0, NULL,
	  "cannot read proc/self/mountinfo" },
	{ "risky ntfs3 disk",
	  { { "proc/self/mountinfo", EXT4_ROOT NTFS_DATA, 0644 }, { "data", NULL, 0 } },
	  "", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 1,
	  "1 risky mount(s) would be frozen: /data (unknown filesystem type 'ntfs3'", NULL },
	{ "exclude= of [vssd] takes the risky disk out",
	  { { "proc/self/mountinfo", EXT4_ROOT NTFS_DATA, 0644 }, { "data", NULL, 0 },
	    { "etc/hvguest/hvguest.conf", "[vssd]\nexclude = /data\n", 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_OK, "proc/self/mountinfo", 1, 0, NULL, NULL },
	{ "a mount point missing under the root is risky",
	  { { "proc/self/mountinfo", EXT4_ROOT NTFS_DATA, 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 1,
	  "1 risky mount(s) would be frozen: /data (cannot examine mount point", NULL },
	{ "offered by the host, no daemon",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 } },
	  "", true, "", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 0,
	  "the host offers backup (VSS) but no VSS daemon runs", NULL },
	{ "not offered, no daemon",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 } },
	  "", false, "", HVC_BACKUP_OK, "proc/self/mountinfo", 1, 0, NULL, NULL },
	{ "a [vssd] hv-vssd would refuse",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 },
	    { "etc/hvguest/hvguest.conf", "[vssd]\nlegacy_hooks = maybe\n", 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 0,
	  "hv-vssd would refuse its configuration: /etc/hvguest/hvguest.conf: [vssd] "
	  "legacy_hooks: yes or no", NULL },
	{ "a [vssd] key hv-vssd does not know",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 },
	    { "etc/hvguest/hvguest.conf", "[vssd]\nexclude = /x\nfreeze_window = 9\n", 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 0,
	  "hv-vssd would refuse its configuration: /etc/hvguest/hvguest.conf: [vssd] line 3: "
	  "unknown key 'freeze_window' in [vssd]", NULL },
	{ "a configuration file with a syntax error",
	  { { "proc/self/mountinfo", EXT4_ROOT, 0644 },
	    { "etc/hvguest/hvguest.conf", "[vssd\n", 0644 } },
	  "", true, "hv-vssd", HVC_BACKUP_PROBLEMS_FOUND, "proc/self/mountinfo", 1, 0,
	  "hv-vssd would refuse its configuration: ", NULL },
	/* clang-format on */
};

/* mkdir -p of every folder above 'path' (and of 'path' itself when 'self'). */
static void mkdirs(char *path, bool self)
{
	for (char *p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			abort();
		*p = '/';
	}
	if (self && mkdir(path, 0755) < 0 && errno != EEXIST)
		abort();
}

static void put(const char *root, const struct file *f)
{
	char path[512];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", root, f->path);
	mkdirs(path, !f->body);
	if (!f->body)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, f->mode);
	if (fd < 0 || write(fd, f->body, strlen(f->body)) != (ssize_t)strlen(f->body))
		abort();
	close(fd);
	if (chmod(path, f->mode) < 0)
		abort();
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *root)
{
	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct hvc_backup *load(const struct file *files, size_t n, const char *pid, bool offered,
			       const char *daemon, char *root)
{
	struct hvc_backup *b = calloc(1, sizeof(*b));
	int rootfd;

	if (!b || !mkdtemp(root))
		abort();
	for (size_t i = 0; i < n && files[i].path; i++)
		put(root, &files[i]);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	hvc_backup_load(b, root, rootfd, pid);
	hvc_backup_judge(b, offered, daemon);
	close(rootfd);
	return b;
}

static void test_cases(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char root[] = "/tmp/hvguest-check-backup-XXXXXX";
		struct hvc_backup *b = load(cases[i].files, ARRAY_SIZE(cases[i].files),
					    cases[i].pid, cases[i].offered, cases[i].daemon, root);

		CHECK_INT(b->verdict, cases[i].verdict, "%s: verdict", cases[i].name);
		CHECK_STR(b->from, cases[i].from, "%s: mount table read", cases[i].name);
		CHECK_INT((int)b->nfreeze, cases[i].nfreeze, "%s: mounts that will freeze",
			  cases[i].name);
		CHECK_INT((int)b->nrisky, cases[i].nrisky, "%s: risky mounts", cases[i].name);
		if (cases[i].problem)
			CHECK(b->nproblems >= 1 && strncmp(b->problem[0], cases[i].problem,
							   strlen(cases[i].problem)) == 0,
			      "%s: problem '%s' (got '%s')", cases[i].name, cases[i].problem,
			      b->nproblems ? b->problem[0] : "");
		else
			CHECK_INT((int)b->nproblems, 0, "%s: no problem", cases[i].name);
		if (cases[i].error)
			CHECK(strstr(b->error, cases[i].error) != NULL, "%s: error '%s' (got '%s')",
			      cases[i].name, cases[i].error, b->error);
		hvc_backup_free(b);
		free(b);
		rm_tree(root);
	}
}

/* Hooks: the three folders in order, legacy_hooks = no, paths without the root prefix, the
 * JSON member. */
static void test_hooks(void)
{
	static const struct file files[] = {
		{ "proc/self/mountinfo", EXT4_ROOT, 0644 },
		{ "etc/hvguest/vss-hooks.d/10-db", HOOK, 0755 },
		{ "etc/hvguest/vss-hooks.d/20-off", HOOK, 0644 },
		{ "etc/qemu/fsfreeze-hook.d/q", HOOK, 0755 },
		{ "etc/vmware-tools/backupScripts.d/v", HOOK, 0755 },
	};
	static const struct file legacy_off = { "etc/hvguest/hvguest.conf",
						"[vssd]\nlegacy_hooks = no\n", 0644 };
	struct file with_conf[ARRAY_SIZE(files) + 1];
	char root[] = "/tmp/hvguest-check-backup-XXXXXX", *json = NULL;
	struct hvc_backup *b = load(files, ARRAY_SIZE(files), "", true, "hv-vssd", root);
	size_t len = 0;
	FILE *m;

	CHECK_INT((int)b->hooks.n, 3, "hooks: one from each folder");
	CHECK_STR(hvc_backup_hook_path(b, b->hooks.h[0].path), "/etc/hvguest/vss-hooks.d/10-db",
		  "hooks: ours first, shown as the guest sees it");
	CHECK_INT(b->hooks.h[1].kind, FREEZEPLAN_HOOK_QEMU, "hooks: qemu-ga second");
	CHECK_INT(b->hooks.h[2].kind, FREEZEPLAN_HOOK_VMWARE, "hooks: open-vm-tools third");
	CHECK(b->nskipped == 1 &&
		      streq(hvc_backup_hook_path(b, b->skipped[0].path),
			    "/etc/hvguest/vss-hooks.d/20-off") &&
		      streq(b->skipped[0].why, "not executable"),
	      "hooks: a file without x is not run, with why");
	m = open_memstream(&json, &len);
	if (!m)
		abort();
	hvc_backup_json(m, b);
	fclose(m);
	CHECK(strstr(json, "\"verdict\": \"ok\"") && strstr(json, "\"freeze_order\": [\"/\"]") &&
		      strstr(json,
			     "{\"path\": \"/etc/qemu/fsfreeze-hook.d/q\", \"kind\": "
			     "\"qemu-ga\", \"freeze_arg\": \"freeze\", \"thaw_arg\": \"thaw\"}") &&
		      strstr(json, "\"why\": \"not executable\""),
	      "JSON member: verdict, freeze order, hooks, hooks not run (%s)", json);
	free(json);
	hvc_backup_free(b);
	free(b);
	rm_tree(root);

	memcpy(with_conf, files, sizeof(files));
	with_conf[ARRAY_SIZE(files)] = legacy_off;
	(void)str_copy(root, sizeof(root), "/tmp/hvguest-check-backup-XXXXXX");
	b = load(with_conf, ARRAY_SIZE(with_conf), "", true, "hv-vssd", root);
	CHECK(b->hooks.n == 1 && b->hooks.h[0].kind == FREEZEPLAN_HOOK_OURS,
	      "legacy_hooks = no: only our folder is read (%zu hooks)", b->hooks.n);
	hvc_backup_free(b);
	free(b);
	rm_tree(root);
}

int main(void)
{
	test_cases();
	test_hooks();
	return tap_done();
}
