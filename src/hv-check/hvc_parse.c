/* SPDX-License-Identifier: MIT */
/*
 * hvc_parse.c - os-release, redhat-release, boot log and KVP pool 3 parsers (see hvc_parse.h).
 */
#include "hvc_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void copy_bounded(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Value of an os-release line after '=': strip one level of quotes, keep printable bytes. */
static void osrel_value(const char *v, size_t n, char *dst, size_t size)
{
	size_t o = 0;

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		if ((unsigned char)v[i] < 0x20)
			continue;
		dst[o++] = v[i];
	}
	dst[o] = '\0';
}

int hvc_osrel_parse(const char *buf, size_t len, struct hvc_osrel *ret)
{
	const char *p = buf, *end = buf + len;
	bool have_id = false;

	memset(ret, 0, sizeof(*ret));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *eq;
		size_t klen;

		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(le - p));
		if (eq && *p != '#') {
			const char *v = eq + 1;
			size_t vlen = (size_t)(le - v);

			klen = (size_t)(eq - p);
			if (vlen > 0 && v[vlen - 1] == '\r')
				vlen--;
			if (klen == 2 && memcmp(p, "ID", 2) == 0) {
				osrel_value(v, vlen, ret->id, sizeof(ret->id));
				have_id = ret->id[0] != '\0';
			} else if (klen == 7 && memcmp(p, "ID_LIKE", 7) == 0) {
				osrel_value(v, vlen, ret->id_like, sizeof(ret->id_like));
			} else if (klen == 10 && memcmp(p, "VERSION_ID", 10) == 0) {
				osrel_value(v, vlen, ret->version_id, sizeof(ret->version_id));
			} else if (klen == 11 && memcmp(p, "PRETTY_NAME", 11) == 0) {
				osrel_value(v, vlen, ret->pretty_name, sizeof(ret->pretty_name));
			}
		}
		p = nl ? nl + 1 : end;
	}
	for (char *c = ret->id; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return have_id ? 0 : -ENOENT;
}

int hvc_redhat_release_parse(const char *buf, size_t len, struct hvc_osrel *ret)
{
	char line[256];
	const char *nl = memchr(buf, '\n', len), *rel, *p;
	unsigned long maj = 0, min = 0;
	int n = 0;

	memset(ret, 0, sizeof(*ret));
	copy_bounded(line, sizeof(line), buf, nl ? (size_t)(nl - buf) : len);
	if (memchr(line, '\0', strlen(line)) != NULL)
		return -ENOENT;
	rel = strstr(line, " release ");
	if (!rel)
		return -ENOENT;
	p = rel + 9;
	if (!isdigit((unsigned char)*p))
		return -ENOENT;
	for (; isdigit((unsigned char)*p) && maj < 1000; p++)
		maj = maj * 10 + (unsigned long)(*p - '0');
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p) && min < 1000; p++)
			min = min * 10 + (unsigned long)(*p - '0');
		n = snprintf(ret->version_id, sizeof(ret->version_id), "%lu.%lu", maj, min);
	} else {
		n = snprintf(ret->version_id, sizeof(ret->version_id), "%lu", maj);
	}
	if (n < 0)
		return -ENOENT;
	if (strncasecmp(line, "CentOS", 6) == 0)
		snprintf(ret->id, sizeof(ret->id), "centos");
	else if (strncasecmp(line, "Red Hat", 7) == 0)
		snprintf(ret->id, sizeof(ret->id), "rhel");
	else if (strncasecmp(line, "Oracle", 6) == 0)
		snprintf(ret->id, sizeof(ret->id), "ol");
	else
		return -ENOENT;
	copy_bounded(ret->pretty_name, sizeof(ret->pretty_name), line, strlen(line));
	return 0;
}

/* Find 'needle' in the line (not NUL-terminated); returns a pointer after it or NULL. */
static const char *after(const char *line, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n > len)
		return NULL;
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(line + i, needle, n) == 0)
			return line + i + n;
	return NULL;
}

/* Read a run of [0-9.] into dst. */
static void take_version(const char *p, const char *end, char *dst, size_t size)
{
	size_t o = 0;

	while (p < end && *p == ' ')
		p++;
	while (p < end && (isdigit((unsigned char)*p) || *p == '.') && o + 1 < size)
		dst[o++] = *p++;
	dst[o] = '\0';
}

/* Read up to 'max' numbers separated by any of 'seps' (in order), e.g. "17763-10.0-0-0.737". */
static size_t take_numbers(const char *p, const char *end, const char *seps, unsigned long *out,
			   size_t max)
{
	size_t n = 0;

	while (p < end && *p == ' ')
		p++;
	while (n < max && p < end && isdigit((unsigned char)*p)) {
		unsigned long v = 0;

		for (; p < end && isdigit((unsigned char)*p); p++)
			v = v < 100000000UL ? v * 10 + (unsigned long)(*p - '0') : v;
		out[n++] = v;
		if (n == max || p >= end || !seps[n - 1] || *p != seps[n - 1])
			break;
		p++;
	}
	return n;
}

void hvc_bootlog_line(const char *line, size_t len, struct hvc_bootlog *b)
{
	const char *end = line + len, *p;
	unsigned long v[6];

	/* kmsg: "6,1234,5678,-;message" */
	if (len > 0 && isdigit((unsigned char)line[0])) {
		const char *semi = memchr(line, ';', len);
		const char *comma = memchr(line, ',', len);

		if (semi && comma && comma < semi) {
			len -= (size_t)(semi + 1 - line);
			line = semi + 1;
		}
	}
	b->lines++;
	if ((p = after(line, len, "Hyper-V Host Build:"))) {
		if (take_numbers(p, end, "-.--.", v, 6) == 6) {
			b->build_format = HVC_BUILD_OLD;
			b->build = v[0];
			b->major = v[1];
			b->minor = v[2];
			b->sp = v[3];
			b->branch = v[4];
			b->number = v[5];
		}
	} else if ((p = after(line, len, "Hyper-V: Host Build ")) ||
		   (p = after(line, len, "Hyper-V: Hypervisor Build "))) {
		enum hvc_build_format fmt = after(line, len, "Hypervisor Build")
						    ? HVC_BUILD_HYPERVISOR
						    : HVC_BUILD_HOST;

		if (take_numbers(p, end, "...--", v, 6) == 6) {
			b->build_format = fmt;
			b->major = v[0];
			b->minor = v[1];
			b->build = v[2];
			b->number = v[3];
			b->sp = v[4];
			b->branch = v[5];
		}
	}
	if (after(line, len, "Hypervisor detected: Microsoft Hyper-V"))
		b->hyperv_detected = true;
	if ((p = after(line, len, "Vmbus version:")))
		take_version(p, end, b->vmbus_version, sizeof(b->vmbus_version));
	if ((p = after(line, len, "TimeSync IC version")))
		take_version(p, end, b->timesync_ic, sizeof(b->timesync_ic));
	if ((p = after(line, len, "Dynamic Memory protocol version")))
		take_version(p, end, b->dm_protocol, sizeof(b->dm_protocol));
	if (after(line, len, "secureboot: Secure boot enabled"))
		b->secure_boot = 1;
	else if (after(line, len, "secureboot: Secure boot disabled"))
		b->secure_boot = 0;
	if (after(line, len, "KVP: IP injection functionality not available"))
		b->kvp_no_ip_injection = true;
	if (after(line, len, "Data path switched to VF"))
		b->vf_datapath = true;
	if (after(line, len, "Memory hot add failed"))
		b->hot_add_failed = true;
}

int hvc_bootlog_parse(const char *buf, size_t len, struct hvc_bootlog *ret)
{
	const char *p = buf, *end = buf + len;

	memset(ret, 0, sizeof(*ret));
	ret->secure_boot = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		hvc_bootlog_line(p, (size_t)(le - p), ret);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static long kvp_long(const char *v)
{
	long r = 0;

	if (!isdigit((unsigned char)*v))
		return -1;
	for (; isdigit((unsigned char)*v); v++)
		if (r < 100000000L)
			r = r * 10 + (*v - '0');
	return *v ? -1 : r;
}

int hvc_kvp3_parse(const uint8_t *buf, size_t len, struct hvc_kvp3 *ret)
{
	size_t n = len / HVC_KVP_RECORD_SIZE;

	memset(ret, 0, sizeof(*ret));
	ret->os_major = ret->os_minor = ret->edition = -1;
	for (size_t i = 0; i < n; i++) {
		const char *rec = (const char *)buf + i * HVC_KVP_RECORD_SIZE;
		char key[HVC_KVP_KEY_SIZE + 1], val[HVC_KVP_VALUE_SIZE + 1];

		copy_bounded(key, sizeof(key), rec, strnlen(rec, HVC_KVP_KEY_SIZE));
		copy_bounded(val, sizeof(val), rec + HVC_KVP_KEY_SIZE,
			     strnlen(rec + HVC_KVP_KEY_SIZE, HVC_KVP_VALUE_SIZE));
		for (char *c = val; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = '?';
		ret->records++;
		if (streq(key, "HostName"))
			copy_bounded(ret->host_name, sizeof(ret->host_name), val, strlen(val));
		else if (streq(key, "PhysicalHostNameFullyQualified"))
			copy_bounded(ret->physical_host, sizeof(ret->physical_host), val,
				     strlen(val));
		else if (streq(key, "VirtualMachineName"))
			copy_bounded(ret->vm_name, sizeof(ret->vm_name), val, strlen(val));
		else if (streq(key, "HostingSystemOsMajor"))
			ret->os_major = kvp_long(val);
		else if (streq(key, "HostingSystemOsMinor"))
			ret->os_minor = kvp_long(val);
		else if (streq(key, "HostingSystemEditionId"))
			ret->edition = kvp_long(val);
	}
	return len % HVC_KVP_RECORD_SIZE ? -EINVAL : 0;
}
