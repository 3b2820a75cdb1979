/* SPDX-License-Identifier: MIT */
/*
 * hvc_parse.h - parsers for what hv-check reads from a guest: os-release, redhat-release, the
 * kernel's boot log (dmesg or /dev/kmsg lines) and KVP pool 3.  All take a buffer and length,
 * never trust it, and never fail on junk other than by saying "not found".
 */
#ifndef HVC_PARSE_H
#define HVC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvc_osrel {
	char id[32], id_like[96], version_id[32], pretty_name[128];
};

/* 0 when an ID= line was found; -ENOENT otherwise (fields found are still filled in). */
int hvc_osrel_parse(const char *buf, size_t len, struct hvc_osrel *ret);
/* "CentOS release 5.11 (Final)", "Red Hat Enterprise Linux Server release 7.2 (Maipo)",
 * "CentOS Linux release 7.9.2009 (Core)": sets id (centos/rhel/ol) and version_id to the
 * major.minor.  0 or -ENOENT. */
int hvc_redhat_release_parse(const char *buf, size_t len, struct hvc_osrel *ret);

enum hvc_build_format {
	HVC_BUILD_NONE,
	HVC_BUILD_OLD,        /* "Hyper-V Host Build:17763-10.0-0-0.737" */
	HVC_BUILD_HOST,       /* "Hyper-V: Host Build 10.0.17763.737-0-0" */
	HVC_BUILD_HYPERVISOR, /* "Hyper-V: Hypervisor Build 10.0.26100.7462-7-0" */
};

struct hvc_bootlog {
	enum hvc_build_format build_format;
	unsigned long build, major, minor, sp, branch, number;
	bool hyperv_detected;     /* "Hypervisor detected: Microsoft Hyper-V" */
	char vmbus_version[16];   /* "hv_vmbus: Vmbus version:4.0" */
	char timesync_ic[16];     /* "TimeSync IC version 4.0" */
	char dm_protocol[16];     /* "Using Dynamic Memory protocol version 2.0" */
	int secure_boot;          /* 1 enabled, 0 disabled, -1 not said */
	bool kvp_no_ip_injection; /* "KVP: IP injection functionality not available" */
	bool vf_datapath;         /* "Data path switched to VF" */
	bool hot_add_failed;      /* "Memory hot add failed" */
	size_t lines;
};

/* Parse every line; later lines win.  Always 0. */
int hvc_bootlog_parse(const char *buf, size_t len, struct hvc_bootlog *ret);
/* Parse one line (without the newline, may carry a kmsg or dmesg prefix). */
void hvc_bootlog_line(const char *line, size_t len, struct hvc_bootlog *b);

#define HVC_KVP_KEY_SIZE    512
#define HVC_KVP_VALUE_SIZE  2048
#define HVC_KVP_RECORD_SIZE (HVC_KVP_KEY_SIZE + HVC_KVP_VALUE_SIZE)

struct hvc_kvp3 {
	size_t records;
	char host_name[256], physical_host[256], vm_name[256];
	long os_major, os_minor, edition; /* -1 when absent */
};

/* 0; -EINVAL when the length is not a whole number of records (what was whole is kept). */
int hvc_kvp3_parse(const uint8_t *buf, size_t len, struct hvc_kvp3 *ret);

#endif /* HVC_PARSE_H */
