/* SPDX-License-Identifier: MIT */
/*
 * kvpd_auto.h - the auto pool (pool 2): the guest's intrinsic data, computed natively and
 * answered by index in the reference daemon's order and formats (PROTOCOL 5.3).
 *
 *   0 FullyQualifiedDomainName   gethostname() + getaddrinfo(AF_INET, AI_CANONNAME)
 *   1 IntegrationServicesVersion the kernel's registration reply, "Unknown version" before
 *   2 NetworkAddressIPv4         getifaddrs(), non-loopback, ';'-joined
 *   3 NetworkAddressIPv6         the same for IPv6
 *   4 OSBuildNumber              uname().release
 *   5 OSName                     NAME= of os-release, else legacy release file, else sysname
 *   6 OSMajorVersion             VERSION_ID= of os-release, else line 2 of the legacy file
 *   7 OSMinorVersion             line 3 of the legacy release file
 *   8 OSVersion                  uname().release cut at the first '-'
 *   9 ProcessorArchitecture      uname().machine
 *
 * Unlike the reference, which reads everything once at start-up (PROTOCOL 11.1 item 14),
 * OS data and addresses are read at every request (cheap), and the FQDN is looked up again
 * whenever the host name changed.  Files are read below 'root' ("/" on a real system).
 *
 * Ownership: struct kvpd_auto is owned by the caller; strings passed in are copied.
 */
#ifndef KVPD_AUTO_H
#define KVPD_AUTO_H

#include <stddef.h>
#include <stdint.h>

#include "kvpd_msg.h"

#define KVPD_AUTO_COUNT           10
#define KVPD_AUTO_DEFAULT_VERSION "Unknown version"

struct kvpd_auto {
	char root[256];
	char version[KVPD_KEY_MAX];
	char hostname[256];
	char fqdn[KVPD_VALUE_MAX];
	int fqdn_valid;
	/* Test seams: when set, used instead of uname() and getifaddrs()-based lists. */
	const char *fake_hostname;
};

/* 'root' may be NULL for "/".  -ENAMETOOLONG when it does not fit. */
int kvpd_auto_init(struct kvpd_auto *a, const char *root) WARN_UNUSED;
/* Keep the registration reply's version string. */
void kvpd_auto_set_version(struct kvpd_auto *a, const char *version);

/* The key name of 'index', or NULL past the end. */
const char *kvpd_auto_key(uint32_t index);

/*
 * Compute the value of 'index' into 'buf' (NUL-terminated, cut to fit).  Returns its length,
 * or -ENOENT past the end.
 */
int kvpd_auto_value(struct kvpd_auto *a, uint32_t index, char *buf, size_t size);

/* Parsing helpers, exposed for the unit tests. */
/* Unquote an os-release value the way the reference does: drop quotes, undo backslashes. */
void kvpd_auto_unquote(const char *in, char *out, size_t size);
/* Look 'key' up in os-release text; 0 and the value in 'out', or -ENOENT. */
int kvpd_auto_os_release_get(const char *text, const char *key, char *out, size_t size);

#endif /* KVPD_AUTO_H */
