/* SPDX-License-Identifier: MIT */
/*
 * hvc_live.h - the live check: detect what a guest is and has (distribution, kernel, built-in
 * or downloaded LIS drivers, host version, generation, Secure Boot, daemons, device nodes),
 * look the release up in the map, and verify each feature the way detection.tsv describes.
 *
 * Every file is read relative to a root directory (--root), so a whole guest can be given as a
 * folder.  CPUID is read from the CPU only when the root is "/"; the environment variable
 * HV_CHECK_CPUID ("none", or "Microsoft Hv:BUILD") overrides it, for tests.
 */
#ifndef HVC_LIVE_H
#define HVC_LIVE_H

#include <stdbool.h>
#include <stdio.h>

#include "hvc_backup.h"
#include "hvc_map.h"
#include "hvc_parse.h"

enum hvc_live_result {
	HVC_LIVE_HEALTHY,
	HVC_LIVE_PROBLEMS,
	HVC_LIVE_NOT_A_GUEST,
	HVC_LIVE_ERROR,
};

struct hvc_live_opts {
	const char *root;
	bool json;
	const char *prom_path; /* Prometheus textfile to write, or NULL */
	bool fix;
};

#define HVC_DEV_MAX  128
#define HVC_NICS_MAX 16

struct hvc_vmdev {
	char name[64], class_id[40], driver[64];
};

struct hvc_facts {
	int rootfd;
	bool real_root; /* the running system: ethtool ioctls are meaningful */
	struct hvc_osrel os;
	bool have_os;
	const char *os_from; /* "os-release", "redhat-release" */
	char kernel[128], arch[32];

	int cpuid_hv;              /* 1 Microsoft Hv, 0 other/none, -1 not read */
	unsigned long cpuid_build; /* 0 when unknown */
	struct hvc_bootlog boot;
	const char *boot_from; /* file the boot log came from, or NULL */
	struct hvc_kvp3 kvp;
	bool have_kvp;
	const struct hvc_host *host; /* NULL when unknown */
	unsigned long host_build;
	const char *host_from; /* "cpuid", "boot log", "kvp pool 3" */
	char host_hint[96];    /* e.g. "Windows Server 2016 or newer" */

	bool guest;
	int gen;         /* 1 or 2 */
	int secure_boot; /* 1 on, 0 off, -1 unknown / n.a. */

	bool lis;                    /* downloaded LIS modules for the running kernel */
	char lis_version[32];        /* module version of hv_vmbus, when it has one */
	char lis_other_kernels[256]; /* kernels with LIS modules that are not running */
	char unsigned_modules[256];  /* Hyper-V modules tainted 'E' */

	struct hvc_vmdev dev[HVC_DEV_MAX];
	size_t ndev;
	char nics[HVC_NICS_MAX][32];
	size_t nnics;

	bool dev_kvp, dev_vss, dev_fcopy;
	const char *fcopy_mode; /* "uio", "hv_fcopy device", NULL */
	char kvp_daemon[32], vss_daemon[32], fcopy_daemon[32];
	char vss_pid[16]; /* the VSS daemon's pid, "" when none runs */
	bool nm_running;

	struct hvc_backup *backup; /* the live backup section, or NULL */
};

/* Fill 'f' from the tree at rootfd.  Never fails: what cannot be read stays unknown. */
void hvc_live_detect(const struct hvc_map *m, int rootfd, bool real_root, struct hvc_facts *f);

int hvc_live_run(const struct hvc_map *m, const struct hvc_live_opts *o, FILE *out);

#endif /* HVC_LIVE_H */
