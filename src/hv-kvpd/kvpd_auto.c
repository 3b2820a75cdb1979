/* SPDX-License-Identifier: MIT */
/*
 * kvpd_auto.c - the intrinsic data of the auto pool, computed natively: uname(2),
 * os-release and the legacy release files under a root folder, getifaddrs(3) and
 * getaddrinfo(3).  No shell, no helper programs.
 */
#include "kvpd_auto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fs.h"

#define RELEASE_FILE_MAX (64u << 10)

/* clang-format off */
static const char *const auto_keys[KVPD_AUTO_COUNT] = {
	"FullyQualifiedDomainName",
	"IntegrationServicesVersion",
	"NetworkAddressIPv4",
	"NetworkAddressIPv6",
	"OSBuildNumber",
	"OSName",
	"OSMajorVersion",
	"OSMinorVersion",
	"OSVersion",
	"ProcessorArchitecture",
};
/* clang-format on */

enum {
	AUTO_FQDN,
	AUTO_VERSION,
	AUTO_IPV4,
	AUTO_IPV6,
	AUTO_OS_BUILD,
	AUTO_OS_NAME,
	AUTO_OS_MAJOR,
	AUTO_OS_MINOR,
	AUTO_OS_VERSION,
	AUTO_ARCH,
};

int kvpd_auto_init(struct kvpd_auto *a, const char *root)
{
	memset(a, 0, sizeof(*a));
	if (!root || streq(root, "/"))
		root = "";
	if (str_copy(a->root, sizeof(a->root), root) < 0)
		return -ENAMETOOLONG;
	(void)str_copy(a->version, sizeof(a->version), KVPD_AUTO_DEFAULT_VERSION);
	return 0;
}

void kvpd_auto_set_version(struct kvpd_auto *a, const char *version)
{
	(void)str_copy(a->version, sizeof(a->version), version);
}

const char *kvpd_auto_key(uint32_t index)
{
	return index < KVPD_AUTO_COUNT ? auto_keys[index] : NULL;
}

void kvpd_auto_unquote(const char *in, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (const char *p = in; *p && o + 1 < size; p++) {
		if (*p == '\\') {
			if (!p[1])
				break;
			out[o++] = *++p;
		} else if (*p != '"' && *p != '\'' && *p != '\n') {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

int kvpd_auto_os_release_get(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	int found = -ENOENT;

	/* The reference keeps the last assignment of a key; so do we. */
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (line[0] != '#' && len > klen && line[klen] == '=' &&
		    memcmp(line, key, klen) == 0) {
			char raw[512];
			size_t vlen = MIN(len - klen - 1, sizeof(raw) - 1);

			memcpy(raw, line + klen + 1, vlen);
			raw[vlen] = '\0';
			kvpd_auto_unquote(raw, out, size);
			found = 0;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return found;
}

static int read_root_file(const struct kvpd_auto *a, const char *path, char **ret)
{
	char full[512];
	size_t len;
	int n;

	n = snprintf(full, sizeof(full), "%s%s", a->root, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	return fs_read_file_at(AT_FDCWD, full, RELEASE_FILE_MAX, ret, &len);
}

/* Line 'n' (0-based) of 'text' into 'out'; -ENOENT when there is no such line. */
static int nth_line(const char *text, unsigned int n, char *out, size_t size)
{
	const char *line = text;

	for (unsigned int i = 0; i < n; i++) {
		line = strchr(line, '\n');
		if (!line)
			return -ENOENT;
		line++;
	}
	if (!*line && n > 0)
		return -ENOENT;
	size_t len = strcspn(line, "\n");
	size_t copy = MIN(len, size - 1);

	memcpy(out, line, copy);
	out[copy] = '\0';
	return 0;
}

/*
 * OS name, major and minor version.  os-release first (the reference reads only
 * /etc/os-release; /usr/lib/os-release is the documented fallback location), then the
 * legacy three-line release files.
 */
static void os_info(const struct kvpd_auto *a, unsigned int which, char *buf, size_t size)
{
	static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release" };
	static const char *const legacy[] = { "/etc/SuSE-release", "/etc/redhat-release" };
	struct utsname u;
	char *text = NULL;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(os_release); i++) {
		if (read_root_file(a, os_release[i], &text) < 0)
			continue;
		if (which == AUTO_OS_NAME) {
			if (kvpd_auto_os_release_get(text, "NAME", buf, size) < 0)
				goto sysname;
		} else if (which == AUTO_OS_MAJOR) {
			(void)kvpd_auto_os_release_get(text, "VERSION_ID", buf, size);
		}
		free(text);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(legacy); i++) {
		if (read_root_file(a, legacy[i], &text) < 0)
			continue;
		if (which == AUTO_OS_NAME) {
			if (nth_line(text, 0, buf, size) < 0 || !buf[0])
				goto sysname;
		} else {
			(void)nth_line(text, which == AUTO_OS_MAJOR ? 1 : 2, buf, size);
		}
		free(text);
		return;
	}
	if (which != AUTO_OS_NAME)
		return;
sysname:
	free(text);
	if (uname(&u) == 0)
		(void)str_copy(buf, size, u.sysname);
}

/* Every non-loopback address of 'family', ';'-joined, cut at a whole entry. */
static void addresses(int family, char *buf, size_t size)
{
	struct ifaddrs *ifa, *p;
	size_t off = 0;

	buf[0] = '\0';
	if (getifaddrs(&ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next) {
		char tmp[INET6_ADDRSTRLEN];
		const void *addr;
		size_t len;

		if (!p->ifa_addr || p->ifa_addr->sa_family != family ||
		    (p->ifa_flags & IFF_LOOPBACK))
			continue;
		if (family == AF_INET)
			addr = &((const struct sockaddr_in *)(const void *)p->ifa_addr)->sin_addr;
		else
			addr = &((const struct sockaddr_in6 *)(const void *)p->ifa_addr)->sin6_addr;
		if (!inet_ntop(family, addr, tmp, sizeof(tmp)))
			continue;
		len = strlen(tmp);
		if (off + (off > 0) + len + 1 > size)
			break;
		if (off > 0)
			buf[off++] = ';';
		memcpy(buf + off, tmp, len + 1);
		off += len;
	}
	freeifaddrs(ifa);
}

static void fqdn(struct kvpd_auto *a, char *buf, size_t size)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	char host[256];
	int r;

	if (a->fake_hostname) {
		(void)str_copy(host, sizeof(host), a->fake_hostname);
	} else if (gethostname(host, sizeof(host)) < 0) {
		host[0] = '\0';
	} else {
		host[sizeof(host) - 1] = '\0';
	}

	/* Look up only when the host name changed: getaddrinfo may wait for DNS. */
	if (!a->fqdn_valid || !streq(host, a->hostname)) {
		(void)str_copy(a->hostname, sizeof(a->hostname), host);
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_CANONNAME;
		r = getaddrinfo(host, NULL, &hints, &ai);
		if (r != 0)
			(void)snprintf(a->fqdn, sizeof(a->fqdn), "getaddrinfo failed: 0x%x %s",
				       (unsigned int)r, gai_strerror(r));
		else
			(void)str_copy(a->fqdn, sizeof(a->fqdn),
				       ai->ai_canonname ? ai->ai_canonname : host);
		if (ai)
			freeaddrinfo(ai);
		a->fqdn_valid = 1;
	}
	(void)str_copy(buf, size, a->fqdn);
}

int kvpd_auto_value(struct kvpd_auto *a, uint32_t index, char *buf, size_t size)
{
	struct utsname u;
	char *dash;

	if (index >= KVPD_AUTO_COUNT)
		return -ENOENT;
	if (size == 0)
		return -EINVAL;
	buf[0] = '\0';
	switch (index) {
	case AUTO_FQDN:
		fqdn(a, buf, size);
		break;
	case AUTO_VERSION:
		(void)str_copy(buf, size, a->version);
		break;
	case AUTO_IPV4:
		addresses(AF_INET, buf, size);
		break;
	case AUTO_IPV6:
		addresses(AF_INET6, buf, size);
		break;
	case AUTO_OS_NAME:
	case AUTO_OS_MAJOR:
	case AUTO_OS_MINOR:
		os_info(a, index, buf, size);
		break;
	case AUTO_OS_BUILD:
	case AUTO_OS_VERSION:
	case AUTO_ARCH:
		if (uname(&u) < 0)
			break;
		if (index == AUTO_ARCH) {
			(void)str_copy(buf, size, u.machine);
			break;
		}
		(void)str_copy(buf, size, u.release);
		dash = strchr(buf, '-');
		if (index == AUTO_OS_VERSION && dash)
			*dash = '\0';
		break;
	}
	return (int)strlen(buf);
}
