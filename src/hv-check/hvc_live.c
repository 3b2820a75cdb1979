/* SPDX-License-Identifier: MIT */
/*
 * hvc_live.c - detection on a guest and verification of each feature of the map (see
 * hvc_live.h).  All paths are relative to the root directory descriptor.
 */
#include "hvc_live.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "fs.h"
#include "hvc_ethtool.h"
#include "hvc_out.h"
#include "util.h"

#define SMALL_MAX (64u << 10)
#define LOG_MAX   (16u << 20)

/* -- file helpers ------------------------------------------------------------------------- */

/* Read a small file, strip trailing whitespace.  Returns its length or a negative errno. */
static int read_small(int rootfd, const char *path, char *buf, size_t size)
{
	char *data;
	size_t len;
	int r = fs_read_file_at(rootfd, path, SMALL_MAX, &data, &len);

	if (r < 0) {
		buf[0] = '\0';
		return r;
	}
	while (len > 0 && isspace((unsigned char)data[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(buf, data, len);
	buf[len] = '\0';
	free(data);
	return (int)len;
}

static bool exists(int rootfd, const char *path)
{
	struct stat st;

	return fstatat(rootfd, path, &st, 0) == 0;
}

static bool link_base(int rootfd, const char *path, char *buf, size_t size)
{
	char target[512];
	ssize_t n = readlinkat(rootfd, path, target, sizeof(target) - 1);
	const char *b;

	if (n <= 0)
		return false;
	target[n] = '\0';
	b = strrchr(target, '/');
	return str_copy(buf, size, b ? b + 1 : target) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (without . and ..); caller frees names and the array. */
static size_t list_dir(int rootfd, const char *path, char ***ret)
{
	int fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*ret = NULL;
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 32;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*ret = names;
	return n;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t o = strlen(buf);
	va_list ap;

	if (o + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + o, size - o, fmt, ap);
	va_end(ap);
}

/* -- detection ---------------------------------------------------------------------------- */

static void detect_os(int rootfd, struct hvc_facts *f)
{
	char *buf;
	size_t len;
	struct hvc_osrel rh;
	bool have_rh = false;

	if (fs_read_file_at(rootfd, "etc/os-release", SMALL_MAX, &buf, &len) == 0 ||
	    fs_read_file_at(rootfd, "usr/lib/os-release", SMALL_MAX, &buf, &len) == 0) {
		f->have_os = hvc_osrel_parse(buf, len, &f->os) == 0 && f->os.version_id[0];
		f->os_from = "os-release";
		free(buf);
	}
	if (fs_read_file_at(rootfd, "etc/redhat-release", SMALL_MAX, &buf, &len) == 0) {
		have_rh = hvc_redhat_release_parse(buf, len, &rh) == 0;
		free(buf);
	}
	/* redhat-release carries the minor release that old os-release files lack ("7"). */
	if (have_rh && (!f->have_os || !strchr(f->os.version_id, '.'))) {
		/* keep os-release's ID when it has one ("rhel" on a RHEL with redhat-release) */
		if (f->have_os && f->os.id[0])
			str_copy(rh.id, sizeof(rh.id), f->os.id);
		if (f->have_os)
			str_copy(rh.pretty_name, sizeof(rh.pretty_name), f->os.pretty_name);
		f->os = rh;
		f->have_os = true;
		f->os_from = "redhat-release";
	}
}

static void detect_cpuid(bool real_root, struct hvc_facts *f)
{
	const char *env = getenv("HV_CHECK_CPUID");

	f->cpuid_hv = -1;
	if (env) {
		const char *colon = strchr(env, ':');

		if (strncmp(env, "Microsoft Hv", 12) == 0) {
			unsigned long long b = 0;

			f->cpuid_hv = 1;
			if (colon && parse_uint(colon + 1, 0xffffffffu, &b) == 0)
				f->cpuid_build = (unsigned long)b;
		} else {
			f->cpuid_hv = 0;
		}
		return;
	}
	if (!real_root)
		return;
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, c, d;
		char vendor[13];

		__cpuid(1, a, b, c, d);
		if (!(c & (1u << 31))) {
			f->cpuid_hv = 0;
			return;
		}
		__cpuid(0x40000000, a, b, c, d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &c, 4);
		memcpy(vendor + 8, &d, 4);
		vendor[12] = '\0';
		f->cpuid_hv = streq(vendor, "Microsoft Hv");
		if (f->cpuid_hv && a >= 0x40000002) {
			__cpuid(0x40000002, a, b, c, d);
			f->cpuid_build = a;
		}
	}
#endif
}

static void detect_bootlog(int rootfd, struct hvc_facts *f)
{
	static const char *const paths[] = { "dev/kmsg", "var/log/dmesg", "var/log/boot.log" };
	char *buf;
	size_t len;

	memset(&f->boot, 0, sizeof(f->boot));
	f->boot.secure_boot = -1;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct stat st;
		int fd;

		if (fstatat(rootfd, paths[i], &st, 0) < 0)
			continue;
		if (S_ISCHR(st.st_mode)) {
			/* the real /dev/kmsg: one record per read, non-blocking until drained */
			char rec[8192];
			ssize_t n;

			fd = openat(rootfd, paths[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
			       (n < 0 && errno == EPIPE)) {
				if (n > 0)
					hvc_bootlog_line(rec, (size_t)n - (rec[n - 1] == '\n'),
							 &f->boot);
			}
			close(fd);
			if (f->boot.lines) {
				f->boot_from = paths[i];
				return;
			}
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (fs_read_file_at(rootfd, paths[i], LOG_MAX, &buf, &len) == 0) {
			hvc_bootlog_parse(buf, len, &f->boot);
			free(buf);
			f->boot_from = paths[i];
			return;
		}
	}
}

/*
 * The host from a protocol or Windows version (hosts.tsv: vmbus_version or os_version).  One
 * match names the host; several give a hint ("2022 or newer").  Returns true when it decided.
 */
static bool hosts_by(const struct hvc_map *m, struct hvc_facts *f, const char *from,
		     const char *ver, bool vmbus)
{
	const struct hvc_host *first = NULL;
	size_t n = 0;

	for (size_t i = 0; i < m->nhosts; i++)
		if (streq(vmbus ? m->hosts[i].vmbus_version : m->hosts[i].os_version, ver)) {
			if (!first)
				first = &m->hosts[i];
			n++;
		}
	if (n == 0)
		return false;
	f->host_from = vmbus ? "vmbus version" : "kvp pool 3";
	if (n == 1)
		f->host = first;
	else
		snprintf(f->host_hint, sizeof(f->host_hint), "%s %s%s: %s or newer", from,
			 vmbus ? "" : "says Windows ", ver, first->name);
	return true;
}

static void detect_host(const struct hvc_map *m, int rootfd, struct hvc_facts *f)
{
	char *buf;
	size_t len;

	if (fs_read_file_at(rootfd, "var/lib/hyperv/.kvp_pool_3", LOG_MAX, &buf, &len) == 0) {
		(void)hvc_kvp3_parse((const uint8_t *)buf, len, &f->kvp);
		f->have_kvp = f->kvp.records > 0;
		free(buf);
	}
	if (f->cpuid_build) {
		f->host_build = f->cpuid_build;
		f->host_from = "cpuid";
	} else if (f->boot.build_format != HVC_BUILD_NONE) {
		f->host_build = f->boot.build;
		f->host_from = "boot log";
	}
	if (f->host_build) {
		f->host = hvc_host_by_build(m, f->host_build);
		if (!f->host)
			snprintf(f->host_hint, sizeof(f->host_hint),
				 "build %lu is not a host build the map knows", f->host_build);
		return;
	}
	if (f->boot.vmbus_version[0] &&
	    hosts_by(m, f, "VMBus version", f->boot.vmbus_version, true))
		return;
	if (f->have_kvp && f->kvp.os_major >= 0 && f->kvp.os_minor >= 0) {
		char ver[48];

		snprintf(ver, sizeof(ver), "%ld.%ld", f->kvp.os_major, f->kvp.os_minor);
		(void)hosts_by(m, f, "KVP pool 3", ver, false);
	}
}

static void detect_modules(int rootfd, struct hvc_facts *f)
{
	char path[512], buf[128];
	char **names;
	size_t n;

	/* Downloaded LIS installs its modules under extra/microsoft-hyper-v of each kernel. */
	n = list_dir(rootfd, "lib/modules", &names);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "lib/modules/%s/extra/microsoft-hyper-v", names[i]);
		if (!exists(rootfd, path))
			continue;
		if (streq(names[i], f->kernel))
			f->lis = true;
		else
			append(f->lis_other_kernels, sizeof(f->lis_other_kernels), "%s%s",
			       f->lis_other_kernels[0] ? ", " : "", names[i]);
	}
	free_list(names, n);
	if (read_small(rootfd, "sys/module/hv_vmbus/version", buf, sizeof(buf)) > 0)
		str_copy(f->lis_version, sizeof(f->lis_version), buf);

	n = list_dir(rootfd, "sys/module", &names);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], "hv_", 3) != 0 && strncmp(names[i], "hyperv", 6) != 0 &&
		    !streq(names[i], "hid_hyperv") && !streq(names[i], "pci_hyperv"))
			continue;
		snprintf(path, sizeof(path), "sys/module/%s/taint", names[i]);
		if (read_small(rootfd, path, buf, sizeof(buf)) > 0 && strchr(buf, 'E'))
			append(f->unsigned_modules, sizeof(f->unsigned_modules), "%s%s",
			       f->unsigned_modules[0] ? ", " : "", names[i]);
	}
	free_list(names, n);
}

static void detect_vmbus(int rootfd, struct hvc_facts *f)
{
	char **names;
	size_t n = list_dir(rootfd, "sys/bus/vmbus/devices", &names);

	for (size_t i = 0; i < n && f->ndev < HVC_DEV_MAX; i++) {
		struct hvc_vmdev *d = &f->dev[f->ndev];
		char path[512], buf[64];
		char *p = buf, *o;

		snprintf(path, sizeof(path), "sys/bus/vmbus/devices/%s/class_id", names[i]);
		if (read_small(rootfd, path, buf, sizeof(buf)) <= 0)
			continue;
		if (*p == '{')
			p++;
		o = d->class_id;
		for (; *p && *p != '}' && o < d->class_id + sizeof(d->class_id) - 1; p++)
			*o++ = (char)tolower((unsigned char)*p);
		*o = '\0';
		str_copy(d->name, sizeof(d->name), names[i]);
		snprintf(path, sizeof(path), "sys/bus/vmbus/devices/%s/driver", names[i]);
		if (!link_base(rootfd, path, d->driver, sizeof(d->driver)))
			d->driver[0] = '\0';
		f->ndev++;
	}
	free_list(names, n);

	n = list_dir(rootfd, "sys/class/net", &names);
	for (size_t i = 0; i < n && f->nnics < HVC_NICS_MAX; i++) {
		char path[512], drv[64];

		snprintf(path, sizeof(path), "sys/class/net/%s/device/driver", names[i]);
		if (link_base(rootfd, path, drv, sizeof(drv)) && streq(drv, "hv_netvsc"))
			str_copy(f->nics[f->nnics++], sizeof(f->nics[0]), names[i]);
	}
	free_list(names, n);
}

static bool comm_is(const char *comm, const char *name)
{
	/* /proc/PID/comm holds at most 15 characters */
	return strncmp(comm, name, 15) == 0 && (strlen(name) <= 15 ? streq(comm, name) : true);
}

static void detect_daemons(int rootfd, struct hvc_facts *f)
{
	static const char *const kvp[] = { "hv_kvp_daemon", "hypervkvpd", "hv-kvpd",
					   "hv-kvp-daemon" };
	static const char *const vss[] = { "hv_vss_daemon", "hypervvssd", "hv-vssd",
					   "hv-vss-daemon" };
	static const char *const fcopy[] = { "hv_fcopy_daemon", "hv_fcopy_uio_daemon",
					     "hypervfcopyd", "hv-fcopyd", "hv-fcopy-daemon" };
	char **names;
	size_t n = list_dir(rootfd, "proc", &names);

	for (size_t i = 0; i < n; i++) {
		char path[300], comm[64];

		if (!isdigit((unsigned char)names[i][0]))
			continue;
		snprintf(path, sizeof(path), "proc/%s/comm", names[i]);
		if (read_small(rootfd, path, comm, sizeof(comm)) <= 0)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(kvp); k++)
			if (comm_is(comm, kvp[k]))
				str_copy(f->kvp_daemon, sizeof(f->kvp_daemon), kvp[k]);
		for (size_t k = 0; k < ARRAY_SIZE(vss); k++)
			if (comm_is(comm, vss[k])) {
				str_copy(f->vss_daemon, sizeof(f->vss_daemon), vss[k]);
				str_copy(f->vss_pid, sizeof(f->vss_pid), names[i]);
			}
		for (size_t k = 0; k < ARRAY_SIZE(fcopy); k++)
			if (comm_is(comm, fcopy[k]))
				str_copy(f->fcopy_daemon, sizeof(f->fcopy_daemon), fcopy[k]);
		if (streq(comm, "NetworkManager"))
			f->nm_running = true;
	}
	free_list(names, n);
	f->dev_kvp = exists(rootfd, "dev/vmbus/hv_kvp");
	f->dev_vss = exists(rootfd, "dev/vmbus/hv_vss");
	f->dev_fcopy = exists(rootfd, "dev/vmbus/hv_fcopy");
}

/* First GUID in a detection.tsv class column. */
static bool class_of(const struct hvc_map *m, const char *feature, char *buf, size_t size)
{
	const struct hvc_detect *d = hvc_detect_find(m, feature);
	const char *p;

	if (!d || size < 37)
		return false;
	for (p = d->class_id; *p; p++) {
		size_t i;

		for (i = 0; i < 36 && p[i]; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;

			if (dash ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
				break;
		}
		if (i == 36) {
			memcpy(buf, p, 36);
			buf[36] = '\0';
			return true;
		}
	}
	return false;
}

static const struct hvc_vmdev *dev_of_class(const struct hvc_facts *f, const char *cls)
{
	for (size_t i = 0; i < f->ndev; i++)
		if (streq(f->dev[i].class_id, cls))
			return &f->dev[i];
	return NULL;
}

static void detect_fcopy(const struct hvc_map *m, int rootfd, struct hvc_facts *f)
{
	char cls[40];
	const struct hvc_vmdev *d =
		class_of(m, "file_copy", cls, sizeof(cls)) ? dev_of_class(f, cls) : NULL;

	if (d && streq(d->driver, "uio_hv_generic")) {
		f->fcopy_mode = "uio";
	} else if (d) {
		char path[300];

		snprintf(path, sizeof(path), "sys/bus/vmbus/devices/%s/uio", d->name);
		if (exists(rootfd, path))
			f->fcopy_mode = "uio";
	}
	if (!f->fcopy_mode && f->dev_fcopy)
		f->fcopy_mode = "hv_fcopy device";
}

void hvc_live_detect(const struct hvc_map *m, int rootfd, bool real_root, struct hvc_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->rootfd = rootfd;
	f->real_root = real_root;
	f->secure_boot = -1;
	detect_os(rootfd, f);
	read_small(rootfd, "proc/sys/kernel/osrelease", f->kernel, sizeof(f->kernel));
	read_small(rootfd, "proc/sys/kernel/arch", f->arch, sizeof(f->arch));
	detect_cpuid(real_root, f);
	detect_bootlog(rootfd, f);
	detect_vmbus(rootfd, f);
	f->guest =
		f->cpuid_hv == 1 || (f->cpuid_hv != 0 && (f->ndev > 0 || f->boot.hyperv_detected));
	if (f->cpuid_hv == 0 && f->ndev > 0)
		f->guest = true; /* VMBus devices are proof enough */
	detect_host(m, rootfd, f);
	f->gen = exists(rootfd, "sys/firmware/efi") ? 2 : 1;
	if (f->gen == 2) {
		char *v;
		size_t len;

		if (fs_read_file_at(rootfd,
				    "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-"
				    "00e098032b8c",
				    SMALL_MAX, &v, &len) == 0) {
			f->secure_boot = len >= 5 ? v[4] == 1 : -1;
			free(v);
		} else if (f->boot.secure_boot >= 0) {
			f->secure_boot = f->boot.secure_boot;
		}
	}
	detect_modules(rootfd, f);
	detect_daemons(rootfd, f);
	detect_fcopy(m, rootfd, f);
}

/* -- verification ------------------------------------------------------------------------- */

struct fcheck {
	int present, working; /* 1, 0, -1 unknown; present -2: not in use on this VM */
	bool problem;
	char detail[512];
	char remedy[512];
	char fix_path[256], fix_line[256]; /* a safe remedy --fix can apply */
};

static const struct hvc_note_ref *cited_note(const struct hvc_fanswer *fa, const char *check_part)
{
	for (size_t k = 0; fa && k < fa->nnotes; k++)
		if (fa->notes[k].note && fa->notes[k].applies &&
		    strstr(fa->notes[k].note->check, check_part))
			return &fa->notes[k];
	return NULL;
}

/* A note whose check mentions check_part, from the cell or else from any source of the family. */
static const struct hvc_note *note_for(const struct hvc_map *m, const struct hvc_fanswer *fa,
				       const char *family, const char *check_part)
{
	const struct hvc_note_ref *r = cited_note(fa, check_part);

	if (r)
		return r->note;
	for (size_t i = m->nnotes; i-- > 0;)
		if ((!family || streq(m->notes[i].family, family)) &&
		    strstr(m->notes[i].check, check_part))
			return &m->notes[i];
	return NULL;
}

static bool bound(const struct hvc_map *m, const struct hvc_facts *f, const char *feature,
		  const struct hvc_vmdev **ret)
{
	char cls[40];
	const struct hvc_vmdev *d;

	*ret = NULL;
	if (!class_of(m, feature, cls, sizeof(cls)))
		return false;
	d = dev_of_class(f, cls);
	*ret = d;
	return d && d->driver[0];
}

static bool udev_online_rule(int rootfd)
{
	static const char *const dirs[] = { "etc/udev/rules.d", "usr/lib/udev/rules.d",
					    "lib/udev/rules.d" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char **names;
		size_t n = list_dir(rootfd, dirs[i], &names);
		bool found = false;

		for (size_t k = 0; k < n && !found; k++) {
			char path[512], *buf;
			size_t len;

			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[k]);
			if (fs_read_file_at(rootfd, path, SMALL_MAX, &buf, &len) < 0)
				continue;
			for (char *line = buf; line && *line && !found;) {
				char *nl = strchr(line, '\n');

				if (nl)
					*nl = '\0';
				if (line[0] != '#' && strstr(line, "SUBSYSTEM==\"memory\"") &&
				    strstr(line, "ACTION==\"add\"") &&
				    strstr(line, "ATTR{state}=\"online"))
					found = true;
				line = nl ? nl + 1 : NULL;
			}
			free(buf);
		}
		free_list(names, n);
		if (found)
			return true;
	}
	return false;
}

/* "create PATH containing LINE and reboot" -> the file and the line. */
static bool parse_create_remedy(const char *remedy, char *path, size_t psize, char *line,
				size_t lsize)
{
	const char *p = strstr(remedy, "create /"), *c, *e;

	if (!p)
		return false;
	p += 7;
	c = strstr(p, " containing ");
	if (!c || (size_t)(c - p) >= psize)
		return false;
	memcpy(path, p, (size_t)(c - p));
	path[c - p] = '\0';
	c += strlen(" containing ");
	e = strstr(c, " and reboot");
	if (!e)
		e = c + strlen(c);
	if ((size_t)(e - c) >= lsize)
		return false;
	memcpy(line, c, (size_t)(e - c));
	line[e - c] = '\0';
	return strncmp(path, "/etc/udev/rules.d/", 18) == 0 && !strstr(path, "..");
}

static void remedy_from(struct fcheck *c, const struct hvc_note *n)
{
	if (n && *n->remedy)
		snprintf(c->remedy, sizeof(c->remedy), "note %lu (%s): %s", n->number, n->source,
			 n->remedy);
}

static void remedy_detect(const struct hvc_map *m, struct fcheck *c, const char *feature)
{
	const struct hvc_detect *d = hvc_detect_find(m, feature);

	if (d && *d->userspace)
		snprintf(c->remedy, sizeof(c->remedy), "run the daemon: %s", d->userspace);
}

/* Does NetworkManager's configuration leave 'nic' unmanaged (unmanaged-devices=...)? */
static bool nm_unmanaged(int rootfd, const char *nic)
{
	char **names;
	size_t n = list_dir(rootfd, "etc/NetworkManager/conf.d", &names);
	bool found = false;

	for (size_t i = 0; i <= n && !found; i++) {
		char path[512], *buf;
		size_t len;

		if (i < n)
			snprintf(path, sizeof(path), "etc/NetworkManager/conf.d/%s", names[i]);
		else
			snprintf(path, sizeof(path), "etc/NetworkManager/NetworkManager.conf");
		if (fs_read_file_at(rootfd, path, SMALL_MAX, &buf, &len) < 0)
			continue;
		for (char *line = buf; line && !found;) {
			char *nl = strchr(line, '\n'), *v;

			if (nl)
				*nl = '\0';
			v = strncmp(line, "unmanaged-devices", 17) == 0 ? strchr(line, '=') : NULL;
			for (char *save = NULL, *tok = v ? strtok_r(v + 1, ";, ", &save) : NULL;
			     tok; tok = strtok_r(NULL, ";, ", &save)) {
				size_t tl = strlen(tok);

				if (streq(tok, "*") || streq(tok, "driver:hv_netvsc"))
					found = true;
				else if (strncmp(tok, "interface-name:", 15) == 0) {
					const char *pat = tok + 15;
					size_t pl = tl - 15;

					if (streq(pat, nic) || (pl > 0 && pat[pl - 1] == '*' &&
								strncmp(pat, nic, pl - 1) == 0))
						found = true;
				}
			}
			line = nl ? nl + 1 : NULL;
		}
		free(buf);
	}
	free_list(names, n);
	return found;
}

static void check_feature(const struct hvc_map *m, const struct hvc_facts *f, const char *family,
			  const char *id, const struct hvc_fanswer *fa, struct fcheck *c)
{
	const struct hvc_vmdev *d;
	int rootfd = f->rootfd;
	char buf[128], path[512];

	memset(c, 0, sizeof(*c));
	c->present = c->working = -1;
	if (streq(id, "core")) {
		size_t unbound = 0;

		c->present = f->ndev > 0;
		for (size_t i = 0; i < f->ndev; i++)
			if (!f->dev[i].driver[0])
				unbound++;
		c->working = c->present ? unbound == 0 : -1;
		snprintf(c->detail, sizeof(c->detail), "%zu VMBus devices, %zu without a driver",
			 f->ndev, unbound);
		c->problem = !c->present;
	} else if (streq(id, "jumbo_frames") || streq(id, "vlan_tagging_trunking") ||
		   streq(id, "live_migration") || streq(id, "tso_checksum_offload") ||
		   streq(id, "lro")) {
		c->present = bound(m, f, id, &d);
		if (f->nnics) {
			snprintf(path, sizeof(path), "sys/class/net/%s/mtu", f->nics[0]);
			if (read_small(rootfd, path, buf, sizeof(buf)) > 0)
				snprintf(c->detail, sizeof(c->detail), "%s: hv_netvsc, mtu %s",
					 f->nics[0], buf);
		}
		if (f->nnics && f->real_root) {
			/* what `ethtool -k` shows; only the running system has it */
			int nf = hvc_ethtool_features(f->nics[0]);

			if (nf >= 0 && streq(id, "tso_checksum_offload")) {
				c->working = (nf & HVC_NF_TSO) && (nf & HVC_NF_TXCSUM) &&
					     (nf & HVC_NF_RXCSUM);
				append(c->detail, sizeof(c->detail),
				       ", ethtool: tso %s, tx-csum %s, rx-csum %s",
				       nf & HVC_NF_TSO ? "on" : "off",
				       nf & HVC_NF_TXCSUM ? "on" : "off",
				       nf & HVC_NF_RXCSUM ? "on" : "off");
			} else if (nf >= 0 && streq(id, "vlan_tagging_trunking")) {
				c->working = (nf & HVC_NF_VLAN_RX) && (nf & HVC_NF_VLAN_TX);
				append(c->detail, sizeof(c->detail), ", ethtool: vlan offload %s",
				       c->working ? "on" : "off");
			} else if (nf >= 0 && streq(id, "lro")) {
				c->working = (nf & HVC_NF_LRO) != 0;
				append(c->detail, sizeof(c->detail), ", ethtool: lro %s",
				       c->working ? "on" : "off");
			}
		}
		c->problem = d && !c->present;
	} else if (streq(id, "vcpus_gt_256")) {
		unsigned long cpus = 0;

		if (read_small(rootfd, "sys/devices/system/cpu/present", buf, sizeof(buf)) > 0) {
			/* "0-511" or "0-3,8-11" */
			for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				unsigned long long a, b;
				char *dash = strchr(tok, '-');

				if (dash)
					*dash = '\0';
				if (parse_uint(tok, 1u << 20, &a) < 0)
					continue;
				b = a;
				if (dash && parse_uint(dash + 1, 1u << 20, &b) < 0)
					continue;
				if (b >= a)
					cpus += (unsigned long)(b - a + 1);
			}
			c->present = cpus > 256 ? 1 : -2;
			snprintf(c->detail, sizeof(c->detail), "%lu vCPUs", cpus);
		}
	} else if (streq(id, "vrss")) {
		c->present = bound(m, f, id, &d);
		if (f->nnics) {
			char **q;
			size_t n, rx = 0;

			snprintf(path, sizeof(path), "sys/class/net/%s/queues", f->nics[0]);
			n = list_dir(rootfd, path, &q);
			for (size_t i = 0; i < n; i++)
				rx += strncmp(q[i], "rx-", 3) == 0;
			free_list(q, n);
			c->working = rx > 1;
			snprintf(c->detail, sizeof(c->detail), "%s: %zu receive queue(s)",
				 f->nics[0], rx);
		}
	} else if (streq(id, "static_ip_injection")) {
		const struct hvc_note *n = note_for(m, fa, family, "NM_CONTROLLED");

		c->present = f->dev_kvp && f->kvp_daemon[0];
		c->working = c->present ? !f->boot.kvp_no_ip_injection : -1;
		if (f->boot.kvp_no_ip_injection)
			snprintf(c->detail, sizeof(c->detail),
				 "kernel log: KVP IP injection not available");
		if (f->nm_running) {
			for (size_t i = 0; i < f->nnics; i++) {
				snprintf(path, sizeof(path),
					 "etc/sysconfig/network-scripts/ifcfg-%s", f->nics[i]);
				char *cfg;
				size_t len;
				bool unmanaged = false;

				if (fs_read_file_at(rootfd, path, SMALL_MAX, &cfg, &len) == 0) {
					unmanaged = strstr(cfg, "\nNM_CONTROLLED=no") ||
						    strncmp(cfg, "NM_CONTROLLED=no", 16) == 0;
					free(cfg);
				}
				if (!unmanaged)
					unmanaged = nm_unmanaged(rootfd, f->nics[i]);
				if (!unmanaged) {
					c->working = 0;
					snprintf(c->detail, sizeof(c->detail),
						 "NetworkManager manages %s", f->nics[i]);
					remedy_from(c, n);
					break;
				}
			}
		}
		if (!c->present && f->dev_kvp) {
			snprintf(c->detail, sizeof(c->detail),
				 "/dev/vmbus/hv_kvp without a daemon");
			remedy_detect(m, c, "static_ip_injection");
		}
		c->problem = (f->dev_kvp && !c->present) || c->working == 0;
	} else if (streq(id, "vhdx_resize")) {
		c->present = bound(m, f, id, &d);
		c->problem = d && !c->present;
	} else if (streq(id, "trim")) {
		char **b;
		size_t n = list_dir(rootfd, "sys/block", &b), disks = 0, discard = 0;

		c->present = bound(m, f, id, &d);
		for (size_t i = 0; i < n; i++) {
			unsigned long long v;

			if (strncmp(b[i], "sd", 2) != 0)
				continue;
			snprintf(path, sizeof(path), "sys/block/%s/queue/discard_max_bytes", b[i]);
			if (read_small(rootfd, path, buf, sizeof(buf)) <= 0)
				continue;
			disks++;
			if (parse_uint(buf, ~0ull, &v) == 0 && v > 0)
				discard++;
		}
		free_list(b, n);
		if (disks) {
			c->working = discard > 0;
			snprintf(c->detail, sizeof(c->detail), "%zu of %zu disks accept discard",
				 discard, disks);
		}
	} else if (streq(id, "virtual_fibre_channel") || streq(id, "scsi_wwn")) {
		char **h;
		size_t n = list_dir(rootfd, "sys/class/fc_host", &h);

		c->present = n > 0 ? 1 : -2;
		if (n && streq(id, "scsi_wwn")) {
			snprintf(path, sizeof(path), "sys/class/fc_host/%s/port_name", h[0]);
			c->working = read_small(rootfd, path, buf, sizeof(buf)) > 0 &&
				     !streq(buf, "0x0000000000000000");
			snprintf(c->detail, sizeof(c->detail), "%s port_name %s", h[0], buf);
		} else if (n) {
			char **t;
			size_t nt = list_dir(rootfd, "sys/class/fc_transport", &t), missing = 0;

			for (size_t i = 0; i < nt; i++) {
				const char *htc = strncmp(t[i], "target", 6) == 0 ? t[i] + 6 : t[i];

				snprintf(path, sizeof(path), "sys/class/scsi_device/%s:0", htc);
				if (!exists(rootfd, path)) {
					missing++;
					append(c->detail, sizeof(c->detail), "%sno LUN 0 on %s",
					       c->detail[0] ? ", " : "", t[i]);
				}
			}
			free_list(t, nt);
			c->working = missing == 0;
			if (missing) {
				remedy_from(c, note_for(m, fa, family, "fc_transport"));
				c->problem = true;
			}
		}
		free_list(h, n);
	} else if (streq(id, "live_backup")) {
		const struct hvc_backup *b = f->backup;

		c->present = f->dev_vss && f->vss_daemon[0];
		if (f->dev_vss && !f->vss_daemon[0]) {
			snprintf(c->detail, sizeof(c->detail),
				 "/dev/vmbus/hv_vss without a daemon");
			remedy_detect(m, c, id);
			c->problem = true;
		} else if (c->present) {
			snprintf(c->detail, sizeof(c->detail), "%s running", f->vss_daemon);
		}
		/* What a backup would do (the live backup section) says whether it works. */
		if (b && b->have) {
			c->working = b->plan.n_order > 0 && b->nrisky == 0;
			append(c->detail, sizeof(c->detail),
			       "%s%zu will freeze, %zu risky, %zu skipped",
			       c->detail[0] ? "; " : "", b->nfreeze, b->nrisky, b->nskip);
		}
		for (size_t i = 0; b && i < b->nproblems; i++) {
			if (i == 0 && b->daemon_problem) {
				if (!c->problem) {
					append(c->detail, sizeof(c->detail), "; %s", b->problem[i]);
					remedy_detect(m, c, id);
					c->problem = true;
				}
				continue;
			}
			append(c->detail, sizeof(c->detail), "; %s", b->problem[i]);
			append(c->remedy, sizeof(c->remedy), "%s%s", c->remedy[0] ? "; " : "",
			       b->remedy[i]);
			c->problem = true;
		}
	} else if (streq(id, "dm_hot_add")) {
		bool rule, online;

		if (!bound(m, f, id, &d)) {
			c->present = -2;
			snprintf(c->detail, sizeof(c->detail), "no Dynamic Memory device");
			return;
		}
		c->present = 1;
		if (read_small(rootfd, "sys/module/hv_balloon/parameters/hot_add", buf,
			       sizeof(buf)) > 0 &&
		    (streq(buf, "N") || streq(buf, "0"))) {
			c->working = 0;
			snprintf(c->detail, sizeof(c->detail), "hv_balloon hot_add=%s", buf);
			remedy_from(c, note_for(m, fa, family, "parameters/hot_add"));
			c->problem = true;
			return;
		}
		rule = udev_online_rule(rootfd);
		online = read_small(rootfd, "sys/devices/system/memory/auto_online_blocks", buf,
				    sizeof(buf)) > 0 &&
			 strncmp(buf, "online", 6) == 0;
		c->working = rule || online;
		snprintf(c->detail, sizeof(c->detail), "new memory %s",
			 rule     ? "onlined by a udev rule"
			 : online ? "onlined by the kernel (auto_online_blocks)"
				  : "stays offline (no udev rule, auto_online_blocks offline)");
		if (!c->working) {
			const struct hvc_note *n = note_for(m, fa, family, "auto_online_blocks");

			remedy_from(c, n);
			if (n)
				(void)parse_create_remedy(n->remedy, c->fix_path,
							  sizeof(c->fix_path), c->fix_line,
							  sizeof(c->fix_line));
			c->problem = true;
		}
	} else if (streq(id, "dm_ballooning") || streq(id, "manual_memory_hot_add") ||
		   streq(id, "runtime_memory_resize")) {
		c->present = bound(m, f, id, &d) ? 1 : d ? 0 : -2;
		c->problem = c->present == 0;
	} else if (streq(id, "video")) {
		c->present = bound(m, f, id, &d) ? 1 : d ? 0 : -2;
		if (d && d->driver[0])
			snprintf(c->detail, sizeof(c->detail), "driver %s", d->driver);
	} else if (streq(id, "kvp")) {
		c->present = f->dev_kvp && f->kvp_daemon[0];
		c->working = c->present ? f->have_kvp : -1;
		if (f->dev_kvp && !f->kvp_daemon[0]) {
			snprintf(c->detail, sizeof(c->detail),
				 "/dev/vmbus/hv_kvp without a daemon");
			remedy_from(c, note_for(m, fa, family, "hyperv-daemons"));
			if (!c->remedy[0])
				remedy_detect(m, c, id);
			c->problem = true;
		} else if (c->present) {
			snprintf(c->detail, sizeof(c->detail), "%s running, pool 3: %zu records",
				 f->kvp_daemon, f->kvp.records);
		}
	} else if (streq(id, "nmi")) {
		c->present = exists(rootfd, "proc/sys/kernel/unknown_nmi_panic");
		if (c->present &&
		    read_small(rootfd, "proc/sys/kernel/unknown_nmi_panic", buf, sizeof(buf)) > 0) {
			char k[16] = "";

			read_small(rootfd, "sys/kernel/kexec_crash_loaded", k, sizeof(k));
			c->working = streq(buf, "1") && streq(k, "1");
			snprintf(c->detail, sizeof(c->detail), "unknown_nmi_panic=%s, kdump %s",
				 buf, streq(k, "1") ? "loaded" : "not loaded");
		}
	} else if (streq(id, "file_copy")) {
		c->present = f->fcopy_mode != NULL;
		if (f->fcopy_mode) {
			c->working = f->fcopy_daemon[0] != '\0';
			snprintf(c->detail, sizeof(c->detail), "via %s, daemon %s", f->fcopy_mode,
				 f->fcopy_daemon[0] ? f->fcopy_daemon : "not running");
			if (!c->working) {
				remedy_detect(m, c, id);
				c->problem = true;
			}
		} else {
			snprintf(c->detail, sizeof(c->detail),
				 "no file-copy device (Guest Service Interface off on the host?)");
		}
	} else if (streq(id, "lsvmbus")) {
		c->present = exists(rootfd, "usr/sbin/lsvmbus") ||
			     exists(rootfd, "usr/bin/lsvmbus") || exists(rootfd, "sbin/lsvmbus");
	} else if (streq(id, "hv_sockets")) {
		c->present = exists(rootfd, "sys/module/hv_sock") ? 1 : -1;
	} else if (streq(id, "pci_passthrough_dda") || streq(id, "sriov")) {
		bool drv = exists(rootfd, "sys/bus/vmbus/drivers/hv_pci");

		c->present = bound(m, f, "pci_passthrough_dda", &d) ? 1 : drv ? -2 : -1;
		if (streq(id, "sriov") && c->present == 1)
			c->working = f->boot.vf_datapath;
	} else if (streq(id, "uefi_boot")) {
		c->present = f->gen == 2 ? 1 : -2;
	} else if (streq(id, "secure_boot")) {
		c->present = f->gen == 2 ? f->secure_boot : -2;
		if (f->secure_boot == 1 && f->unsigned_modules[0]) {
			c->working = 0;
			snprintf(c->detail, sizeof(c->detail), "unsigned modules loaded: %s",
				 f->unsigned_modules);
			snprintf(c->remedy, sizeof(c->remedy),
				 "sign the modules with a key enrolled in MOK, or use the "
				 "distribution's built-in drivers");
			c->problem = true;
		}
	} else if (streq(id, "accurate_time")) {
		char **p;
		size_t n = list_dir(rootfd, "sys/class/ptp", &p);

		c->present = f->boot.timesync_ic[0] ? streq(f->boot.timesync_ic, "4.0") : -1;
		c->working = 0;
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "sys/class/ptp/%s/clock_name", p[i]);
			if (read_small(rootfd, path, buf, sizeof(buf)) > 0 && streq(buf, "hyperv"))
				c->working = 1;
		}
		free_list(p, n);
	}
}

/* -- report ------------------------------------------------------------------------------- */

static const char *pres_word(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : v == -2 ? "unused" : "?";
}

static const char *exp_word(const struct hvc_fanswer *fa)
{
	return fa ? hvc_avail_word(fa->available) : "?";
}

static void json_tri(FILE *f, int v)
{
	fputs(v == 1 ? "true" : v == 0 ? "false" : "null", f);
}

struct item {
	const char *id, *name;
	const struct hvc_fanswer *fa;
	struct fcheck c;
};

static int write_fix(int rootfd, const struct fcheck *c, FILE *out)
{
	char dir[256], content[300];
	const char *rel = c->fix_path + 1, *slash = strrchr(rel, '/');
	int dfd, r;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
	/* create etc/udev/rules.d if it is missing, one level at a time */
	for (char *p = dir; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdirat(rootfd, dir, 0755);
		*p = '/';
	}
	(void)mkdirat(rootfd, dir, 0755);
	dfd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(out, "fix failed: cannot open %s: %s\n", c->fix_path, strerror(errno));
		return -errno;
	}
	snprintf(content, sizeof(content), "%s\n", c->fix_line);
	r = fs_replace_at(dfd, slash + 1, content, strlen(content), 0644);
	close(dfd);
	if (r < 0)
		fprintf(out, "fix failed: writing %s: %s\n", c->fix_path, strerror(-r));
	else
		fprintf(out,
			"fixed: wrote %s (takes effect for memory added after a reboot or "
			"udev reload)\n",
			c->fix_path);
	return r;
}

static void write_prom(const char *path, const struct hvc_facts *f, const struct item *it, size_t n,
		       size_t problems, FILE *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	const char *slash;
	char dir[512];
	int dfd, r;

	if (!m)
		return;
	fputs("# HELP hv_check_hyperv_guest 1 when the machine is a Hyper-V guest.\n"
	      "# TYPE hv_check_hyperv_guest gauge\n",
	      m);
	fprintf(m, "hv_check_hyperv_guest %d\n", f->guest ? 1 : 0);
	fputs("# HELP hv_check_host_build Hyper-V host build number (0 when unknown).\n"
	      "# TYPE hv_check_host_build gauge\n",
	      m);
	fprintf(m, "hv_check_host_build %lu\n", f->host_build);
	fputs("# HELP hv_check_problems Problems found by the last check.\n"
	      "# TYPE hv_check_problems gauge\n",
	      m);
	fprintf(m, "hv_check_problems %zu\n", problems);
	fputs("# HELP hv_check_feature_ok 1 when a feature the map promises is present and "
	      "working as far as the guest can tell.\n# TYPE hv_check_feature_ok gauge\n",
	      m);
	for (size_t i = 0; i < n; i++)
		fprintf(m, "hv_check_feature_ok{feature=\"%s\"} %d\n", it[i].id,
			it[i].c.problem ? 0 : 1);
	if (f->backup && f->backup->have) {
		fputs("# HELP hv_check_live_backup_mounts Mounts a host backup would freeze, find "
		      "risky or skip.\n# TYPE hv_check_live_backup_mounts gauge\n",
		      m);
		fprintf(m, "hv_check_live_backup_mounts{verdict=\"will-freeze\"} %zu\n",
			f->backup->nfreeze);
		fprintf(m, "hv_check_live_backup_mounts{verdict=\"risky\"} %zu\n",
			f->backup->nrisky);
		fprintf(m, "hv_check_live_backup_mounts{verdict=\"skipped\"} %zu\n",
			f->backup->nskip);
		fputs("# HELP hv_check_live_backup_hooks Hooks a host backup would run.\n"
		      "# TYPE hv_check_live_backup_hooks gauge\n",
		      m);
		fprintf(m, "hv_check_live_backup_hooks %zu\n", f->backup->hooks.n);
	}
	fclose(m);
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash && slash == path)
		snprintf(dir, sizeof(dir), "/");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(err, "hv-check: cannot open %s: %s\n", dir, strerror(errno));
		free(buf);
		return;
	}
	r = fs_replace_at(dfd, slash ? slash + 1 : path, buf, len, 0644);
	if (r < 0)
		fprintf(err, "hv-check: cannot write %s: %s\n", path, strerror(-r));
	close(dfd);
	free(buf);
}

static void print_facts(FILE *out, const struct hvc_facts *f)
{
	fprintf(out, "system:  %s %s (%s)%s%s, kernel %s%s%s\n", f->have_os ? f->os.id : "unknown",
		f->have_os ? f->os.version_id : "", f->os_from ? f->os_from : "no os-release",
		f->os.pretty_name[0] ? ", " : "", f->os.pretty_name,
		f->kernel[0] ? f->kernel : "unknown", f->arch[0] ? " " : "", f->arch);
	if (f->lis)
		fprintf(out, "drivers: downloaded LIS %s\n",
			f->lis_version[0] ? f->lis_version : "(version unknown)");
	else
		fprintf(out, "drivers: built in%s%s\n",
			f->lis_version[0] ? ", hv_vmbus version " : "", f->lis_version);
	if (f->lis_other_kernels[0])
		fprintf(out, "         LIS modules for kernels that are not running: %s\n",
			f->lis_other_kernels);
	if (f->host && f->host_build)
		fprintf(out, "host:    %s (build %lu, from %s)\n", f->host->name, f->host_build,
			f->host_from);
	else if (f->host)
		fprintf(out, "host:    %s (from %s)\n", f->host->name, f->host_from);
	else
		fprintf(out, "host:    unknown%s%s%s%s\n", f->host_hint[0] ? " (" : "",
			f->host_hint, f->host_hint[0] ? ")" : "", f->host_build ? "" : "");
	if (f->have_kvp)
		fprintf(out, "kvp:     pool 3 has %zu records, host name %s\n", f->kvp.records,
			f->kvp.host_name[0] ? f->kvp.host_name : "?");
	fprintf(out, "vm:      generation %d, Secure Boot %s, VMBus %s, %zu devices\n", f->gen,
		f->gen == 1           ? "n.a."
		: f->secure_boot == 1 ? "on"
		: f->secure_boot == 0 ? "off"
				      : "?",
		f->boot.vmbus_version[0] ? f->boot.vmbus_version : "?", f->ndev);
	fprintf(out,
		"daemons: kvp %s, vss %s, fcopy %s; /dev/vmbus: hv_kvp %s, hv_vss %s, hv_fcopy "
		"%s\n",
		f->kvp_daemon[0] ? f->kvp_daemon : "-", f->vss_daemon[0] ? f->vss_daemon : "-",
		f->fcopy_daemon[0] ? f->fcopy_daemon : "-", f->dev_kvp ? "yes" : "no",
		f->dev_vss ? "yes" : "no", f->dev_fcopy ? "yes" : "no");
	fprintf(out, "file copy: %s\n", f->fcopy_mode ? f->fcopy_mode : "no device");
}

static void json_facts(FILE *out, const struct hvc_facts *f)
{
	fputs("  \"system\": {\"id\": ", out);
	hvc_json_str(out, f->have_os ? f->os.id : NULL);
	fputs(", \"version\": ", out);
	hvc_json_str(out, f->have_os ? f->os.version_id : NULL);
	fputs(", \"from\": ", out);
	hvc_json_str(out, f->os_from);
	fputs(", \"kernel\": ", out);
	hvc_json_str(out, f->kernel[0] ? f->kernel : NULL);
	fprintf(out, ", \"lis\": %s, \"lis_version\": ", f->lis ? "true" : "false");
	hvc_json_str(out, f->lis_version[0] ? f->lis_version : NULL);
	fputs(", \"lis_other_kernels\": ", out);
	hvc_json_str(out, f->lis_other_kernels[0] ? f->lis_other_kernels : NULL);
	fputs(", \"unsigned_modules\": ", out);
	hvc_json_str(out, f->unsigned_modules[0] ? f->unsigned_modules : NULL);
	fprintf(out, "},\n  \"host\": {\"id\": ");
	hvc_json_str(out, f->host ? f->host->id : NULL);
	fprintf(out, ", \"build\": %lu, \"from\": ", f->host_build);
	hvc_json_str(out, f->host_from);
	fputs(", \"hint\": ", out);
	hvc_json_str(out, f->host_hint[0] ? f->host_hint : NULL);
	fputs(", \"boot_log_format\": ", out);
	hvc_json_str(out, f->boot.build_format == HVC_BUILD_OLD          ? "old"
			  : f->boot.build_format == HVC_BUILD_HOST       ? "host"
			  : f->boot.build_format == HVC_BUILD_HYPERVISOR ? "hypervisor"
									 : NULL);
	fputs(", \"vmbus_version\": ", out);
	hvc_json_str(out, f->boot.vmbus_version[0] ? f->boot.vmbus_version : NULL);
	fprintf(out, ", \"kvp_records\": %zu},\n", f->kvp.records);
	fprintf(out, "  \"vm\": {\"generation\": %d, \"secure_boot\": ", f->gen);
	json_tri(out, f->secure_boot);
	fprintf(out, ", \"vmbus_devices\": %zu, \"file_copy\": ", f->ndev);
	hvc_json_str(out, f->fcopy_mode);
	fputs(", \"kvp_daemon\": ", out);
	hvc_json_str(out, f->kvp_daemon[0] ? f->kvp_daemon : NULL);
	fputs(", \"vss_daemon\": ", out);
	hvc_json_str(out, f->vss_daemon[0] ? f->vss_daemon : NULL);
	fputs(", \"fcopy_daemon\": ", out);
	hvc_json_str(out, f->fcopy_daemon[0] ? f->fcopy_daemon : NULL);
	fputs("},\n", out);
}

static size_t evaluate(const struct hvc_map *m, const struct hvc_facts *f, const char *family,
		       const struct hvc_answer *a, struct item *it, size_t *ret_problems)
{
	size_t n = 0, problems = 0;

	if (a && a->col) {
		for (size_t i = 0; i < a->nfeatures; i++) {
			const struct hvc_fanswer *fa = &a->features[i];

			if (!fa->feature)
				continue;
			it[n].id = fa->cell->feature;
			it[n].name = fa->cell->label;
			it[n].fa = fa;
			n++;
		}
	} else {
		for (size_t i = 0; i < m->nfeatures; i++) {
			if (strchr(m->features[i].id, '.'))
				continue;
			it[n].id = m->features[i].id;
			it[n].name = m->features[i].name;
			it[n].fa = NULL;
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		check_feature(m, f, family, it[i].id, it[i].fa, &it[i].c);
		/* The map says it is not there: nothing to complain about. */
		if (it[i].fa && it[i].fa->available != 1)
			it[i].c.problem = false;
		problems += it[i].c.problem;
	}
	if (f->lis_other_kernels[0] && !f->lis)
		problems++;
	*ret_problems = problems;
	return n;
}

int hvc_live_run(const struct hvc_map *m, const struct hvc_live_opts *o, FILE *out)
{
	struct hvc_facts *f;
	struct hvc_answer ans;
	struct hvc_query q = { 0 };
	struct item *it = NULL;
	char err[512] = "", lisbuf[32];
	const char *family = NULL;
	bool have_answer = false;
	size_t n, problems = 0;
	int rootfd, result;

	rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, "hv-check: cannot open root %s: %s\n", o->root, strerror(errno));
		return HVC_LIVE_ERROR;
	}
	f = calloc(1, sizeof(*f));
	it = calloc(m->ncells + m->nfeatures + 1, sizeof(*it));
	if (!f || !it) {
		free(f);
		free(it);
		close(rootfd);
		return HVC_LIVE_ERROR;
	}
	hvc_live_detect(m, rootfd, streq(o->root, "/"), f);

	if (!f->guest) {
		if (o->json)
			fputs("{\n  \"schema_version\": 1,\n  \"verdict\": \"not_a_guest\"\n}\n",
			      out);
		else
			fprintf(out,
				"verdict: NOT A HYPER-V GUEST (no Microsoft Hv CPUID, no VMBus "
				"devices, no Hyper-V line in the boot log)\n");
		if (o->prom_path)
			write_prom(o->prom_path, f, it, 0, 0, stderr);
		result = HVC_LIVE_NOT_A_GUEST;
		goto out;
	}

	/* What a host backup would do: the live backup section and the live_backup row. */
	f->backup = calloc(1, sizeof(*f->backup));
	if (f->backup) {
		const struct hvc_vmdev *vss;
		bool offered = bound(m, f, "live_backup", &vss) || f->dev_vss;

		hvc_backup_load(f->backup, o->root, rootfd, f->vss_pid);
		hvc_backup_judge(f->backup, offered, f->vss_daemon);
	}

	if (f->have_os) {
		family = hvc_family_of(f->os.id);
		q.distro = f->os.id;
		q.version = f->os.version_id;
		q.kernel = f->kernel[0] ? f->kernel : NULL;
		q.host = f->host ? f->host->id : NULL;
		if (f->lis && f->lis_version[0]) {
			/* module version "4.1.3" -> the map's "LIS 4.1" */
			char mm[32];
			char *dot;

			str_copy(mm, sizeof(mm), f->lis_version);
			dot = strchr(mm, '.');
			if (dot && (dot = strchr(dot + 1, '.')))
				*dot = '\0';
			if (hvc_lis_normalise(mm, lisbuf, sizeof(lisbuf)) == 0)
				q.lis = lisbuf;
		} else if (!f->lis) {
			q.lis = "builtin";
		}
		if (hvc_query_run(m, &q, &ans, err, sizeof(err)) == 0) {
			have_answer = true;
		} else if (q.host) {
			/* host not covered by that table: answer without the host, say so */
			char err2[512];

			q.host = NULL;
			if (hvc_query_run(m, &q, &ans, err2, sizeof(err2)) == 0)
				have_answer = true;
		}
		if (!have_answer && !family && f->os.id_like[0])
			snprintf(err, sizeof(err),
				 "the map has no table for %s (ID_LIKE=%s; the tables of a related "
				 "distribution are not a promise for this one)",
				 f->os.id, f->os.id_like);
	} else if (f->os.id[0]) {
		snprintf(err, sizeof(err), "os-release names %s but no VERSION_ID", f->os.id);
	} else {
		snprintf(err, sizeof(err), "no readable os-release or redhat-release");
	}

	n = evaluate(m, f, family, have_answer ? &ans : NULL, it, &problems);

	if (o->fix) {
		bool fixed = false;

		for (size_t i = 0; i < n; i++) {
			if (!it[i].c.problem || !it[i].c.fix_path[0])
				continue;
			fprintf(out, "fix for %s: create %s%s containing:\n  %s\n", it[i].id,
				streq(o->root, "/") ? "" : o->root, it[i].c.fix_path,
				it[i].c.fix_line);
			if (write_fix(rootfd, &it[i].c, out) == 0)
				fixed = true;
		}
		if (fixed)
			n = evaluate(m, f, family, have_answer ? &ans : NULL, it, &problems);
		else
			fputs("fix: nothing that --fix can repair safely\n", out);
	}

	if (o->json) {
		fputs("{\n  \"schema_version\": 1,\n", out);
		json_facts(out, f);
		fputs("  \"map\": ", out);
		if (have_answer) {
			fputs("{\"source\": ", out);
			hvc_json_str(out, ans.col->src->id);
			fputs(", \"series\": ", out);
			hvc_json_str(out, ans.col->series);
			fputs(", \"column\": ", out);
			hvc_json_str(out, ans.col->label);
			fputs(", \"availability\": ", out);
			hvc_json_str(out, ans.col->lis);
			fputs(", \"host\": ", out);
			hvc_json_str(out, ans.host ? ans.host->id : NULL);
			fputs("},\n", out);
		} else {
			fputs("null,\n  \"not_in_map\": ", out);
			hvc_json_str(out, err);
			fputs(",\n", out);
		}
		fputs("  \"features\": [", out);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%s\n    {\"id\": ", i ? "," : "");
			hvc_json_str(out, it[i].id);
			fputs(", \"name\": ", out);
			hvc_json_str(out, it[i].name);
			fputs(", \"expected\": ", out);
			json_tri(out, it[i].fa ? it[i].fa->available : -1);
			fputs(", \"present\": ", out);
			if (it[i].c.present == -2)
				fputs("\"unused\"", out);
			else
				json_tri(out, it[i].c.present);
			fputs(", \"working\": ", out);
			json_tri(out, it[i].c.working);
			fprintf(out, ", \"problem\": %s, \"detail\": ",
				it[i].c.problem ? "true" : "false");
			hvc_json_str(out, it[i].c.detail[0] ? it[i].c.detail : NULL);
			fputs(", \"remedy\": ", out);
			hvc_json_str(out, it[i].c.remedy[0] ? it[i].c.remedy : NULL);
			fputs(", \"map_reason\": ", out);
			hvc_json_str(out, it[i].fa ? it[i].fa->reason : NULL);
			fputc('}', out);
		}
		fputs("\n  ],\n  \"live_backup\": ", out);
		if (f->backup)
			hvc_backup_json(out, f->backup);
		else
			fputs("null", out);
		fprintf(out, ",\n  \"problems\": %zu,\n  \"verdict\": \"%s\"\n}\n", problems,
			problems ? "problems" : "healthy");
	} else {
		print_facts(out, f);
		if (have_answer)
			fprintf(out, "map:     %s \"%s\" column \"%s\" [%s]%s%s\n",
				ans.col->src->id, ans.col->series, ans.col->label, ans.col->lis,
				ans.host ? " on " : "", ans.host ? ans.host->id : "");
		else
			fprintf(out, "map:     not in the map: %s\n", err);
		fprintf(out, "\n%-40s %-8s %-8s %-8s %s\n", "FEATURE", "EXPECTED", "PRESENT",
			"WORKING", "DETAIL");
		for (size_t i = 0; i < n; i++) {
			const struct hvc_fanswer *x = it[i].fa;

			fprintf(out, "%-40s %-8s %-8s %-8s %s%s", it[i].name, exp_word(x),
				pres_word(it[i].c.present), pres_word(it[i].c.working),
				it[i].c.problem ? "PROBLEM " : "", it[i].c.detail);
			if (x && x->reason)
				fprintf(out, "%s(map: %s)", it[i].c.detail[0] ? " " : "",
					x->reason);
			fputc('\n', out);
		}
		if (f->backup)
			hvc_backup_print(out, f->backup);
		if (problems) {
			fputs("\nproblems and remedies:\n", out);
			if (f->lis_other_kernels[0] && !f->lis)
				fprintf(out,
					"  - LIS modules are installed for %s but not for the "
					"running kernel %s: the guest runs the built-in drivers; "
					"reinstall LIS for this kernel or remove the LIS "
					"packages\n",
					f->lis_other_kernels, f->kernel);
			for (size_t i = 0; i < n; i++)
				if (it[i].c.problem)
					fprintf(out, "  - %s: %s%s%s\n", it[i].id,
						it[i].c.detail[0] ? it[i].c.detail : "missing",
						it[i].c.remedy[0] ? "; do: " : "", it[i].c.remedy);
		}
		fprintf(out, "\nverdict: %s", problems ? "PROBLEMS FOUND" : "HEALTHY");
		if (problems)
			fprintf(out, " (%zu)", problems);
		fputc('\n', out);
	}
	if (o->prom_path)
		write_prom(o->prom_path, f, it, n, problems, stderr);
	result = problems ? HVC_LIVE_PROBLEMS : HVC_LIVE_HEALTHY;
	if (have_answer)
		hvc_answer_release(&ans);
out:
	if (f->backup) {
		hvc_backup_free(f->backup);
		free(f->backup);
	}
	free(it);
	free(f);
	close(rootfd);
	return result;
}
