/* SPDX-License-Identifier: MIT */
/*
 * lsvmbus_sysfs.c - reads and parses the VMBus device attributes of a sysfs tree, with the
 * same acceptance rules as the reference lsvmbus (see lsvmbus_sysfs.h) and a message instead
 * of a crash for everything else.
 */
#include "lsvmbus_sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_py_space(char c)
{
	/* The ASCII characters Python's str.strip() and int() treat as white space. */
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

void lsvmbus_strip(const char *s, size_t len, size_t *ret_start, size_t *ret_len)
{
	size_t a = 0, b = len;

	while (a < b && is_py_space(s[a]))
		a++;
	while (b > a && is_py_space(s[b - 1]))
		b--;
	*ret_start = a;
	*ret_len = b - a;
}

/*
 * The next line of 'buf' from *pos, as Python's text mode reads it: "\n", "\r\n" and "\r"
 * all end a line, and the end of the buffer ends the last one.  False when none is left.
 */
static bool next_line(const char *buf, size_t len, size_t *pos, size_t *ret_start, size_t *ret_len)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*ret_start = i;
	while (i < len && buf[i] != '\n' && buf[i] != '\r')
		i++;
	*ret_len = i - *ret_start;
	if (i < len && buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
		i++;
	*pos = i < len ? i + 1 : i;
	return true;
}

static int copy_field(const char *s, size_t len, char *out, size_t out_size)
{
	if (memchr(s, '\0', len))
		return -EINVAL;
	if (len >= out_size)
		return -ENAMETOOLONG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int lsvmbus_first_line(const char *buf, size_t len, char *out, size_t out_size)
{
	size_t pos = 0, start, n, a, m;

	if (!next_line(buf, len, &pos, &start, &n))
		return -ENODATA;
	lsvmbus_strip(buf + start, n, &a, &m);
	return copy_field(buf + start + a, m, out, out_size);
}

int lsvmbus_parse_int(const char *s, size_t len, long long *ret)
{
	size_t a, n, i = 0;
	unsigned long long v = 0, limit;
	bool neg = false, digit_before = false;

	lsvmbus_strip(s, len, &a, &n);
	s += a;
	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == n)
		return -EINVAL;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < n; i++) {
		if (s[i] == '_') {
			/* One underscore between two digits, as in Python literals. */
			if (!digit_before || i + 1 == n || s[i + 1] < '0' || s[i + 1] > '9')
				return -EINVAL;
			digit_before = false;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (limit - (unsigned long long)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long long)(s[i] - '0');
		digit_before = true;
	}
	if (neg)
		*ret = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
	else
		*ret = (long long)v;
	return 0;
}

static void set_err(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (!err || err_size == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
}

/* A short, printable excerpt of untrusted text for messages ("..." when cut). */
static void excerpt(const char *s, size_t len, char *out, size_t out_size)
{
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char one[8];
		size_t w;

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
			one[0] = (char)c;
			one[1] = '\0';
		} else {
			(void)snprintf(one, sizeof(one), "\\x%02x", c);
		}
		w = strlen(one);
		if (o + w + 4 > out_size)
			break;
		memcpy(out + o, one, w);
		o += w;
	}
	if (i < len && o + 4 <= out_size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int parse_mapping_line(const char *s, size_t len, struct lsvmbus_channel *ch)
{
	const char *colon = memchr(s, ':', len);
	const char *cpu, *end;
	size_t rlen, clen;
	int r;

	if (!colon)
		return -EINVAL;
	rlen = (size_t)(colon - s);
	cpu = colon + 1;
	end = memchr(cpu, ':', len - rlen - 1);
	clen = end ? (size_t)(end - cpu) : len - rlen - 1;
	r = lsvmbus_parse_int(s, rlen, &ch->relid);
	if (r < 0)
		return r;
	r = copy_field(s, rlen, ch->relid_text, sizeof(ch->relid_text));
	if (r < 0)
		return r;
	r = copy_field(cpu, clen, ch->cpu_text, sizeof(ch->cpu_text));
	if (r < 0)
		return r;
	ch->cpu_valid = lsvmbus_parse_int(cpu, clen, &ch->cpu) == 0 && ch->cpu >= 0;
	return 0;
}

int lsvmbus_parse_mapping(const char *buf, size_t len, struct lsvmbus_channel **ret_channels,
			  size_t *ret_n, char *err, size_t err_size)
{
	struct lsvmbus_channel *ch = NULL;
	size_t n = 0, cap = 0, pos = 0, start, llen, lineno = 0;

	while (next_line(buf, len, &pos, &start, &llen)) {
		size_t a, m;
		int r;

		lineno++;
		if (n == LSVMBUS_CHANNELS_MAX) {
			set_err(err, err_size, "more than %d channels", LSVMBUS_CHANNELS_MAX);
			free(ch);
			return -E2BIG;
		}
		if (n == cap) {
			struct lsvmbus_channel *nc;

			cap = cap ? cap * 2 : 8;
			nc = realloc(ch, cap * sizeof(*ch));
			if (!nc) {
				free(ch);
				return -ENOMEM;
			}
			ch = nc;
		}
		lsvmbus_strip(buf + start, llen, &a, &m);
		r = parse_mapping_line(buf + start + a, m, &ch[n]);
		if (r < 0) {
			char ex[64];

			excerpt(buf + start, llen, ex, sizeof(ex));
			set_err(err, err_size, "line %zu is not RELID:CPU: '%s'", lineno, ex);
			free(ch);
			return -EINVAL;
		}
		n++;
	}
	/* Insertion sort: stable like Python's sorted(), and n is small. */
	for (size_t i = 1; i < n; i++) {
		struct lsvmbus_channel t = ch[i];
		size_t j = i;

		while (j > 0 && ch[j - 1].relid > t.relid) {
			ch[j] = ch[j - 1];
			j--;
		}
		ch[j] = t;
	}
	if (n == 0) {
		free(ch);
		ch = NULL;
	}
	*ret_channels = ch;
	*ret_n = n;
	return 0;
}

static const char *attr_problem(int r)
{
	switch (r) {
	case -ENODATA:
		return "is empty";
	case -EINVAL:
		return "holds a NUL byte";
	case -ENAMETOOLONG:
		return "is too long";
	default:
		return "cannot be parsed";
	}
}

/* The stripped first line of a required attribute, or false with dev->problem set. */
static bool required_field(struct lsvmbus_device *dev, const char *name,
			   const struct lsvmbus_attr *at, char *out, size_t out_size)
{
	int r;

	if (at->error == -EINVAL) {
		set_err(dev->problem, sizeof(dev->problem), "'%s' is not a regular file", name);
		return false;
	}
	if (at->error < 0) {
		set_err(dev->problem, sizeof(dev->problem), "cannot read '%s': %s", name,
			strerror(-at->error));
		return false;
	}
	r = lsvmbus_first_line(at->buf, at->len, out, out_size);
	if (r < 0) {
		set_err(dev->problem, sizeof(dev->problem), "'%s' %s", name, attr_problem(r));
		return false;
	}
	return true;
}

int lsvmbus_device_parse(struct lsvmbus_device *dev, const struct lsvmbus_attr *id,
			 const struct lsvmbus_attr *class_id, const struct lsvmbus_attr *device_id,
			 const struct lsvmbus_attr *mapping)
{
	char why[LSVMBUS_PROBLEM_MAX - 64];
	int r;

	dev->ok = false;
	dev->problem[0] = '\0';
	dev->channels = NULL;
	dev->n_channels = 0;
	if (!required_field(dev, "id", id, dev->id_text, sizeof(dev->id_text)) ||
	    !required_field(dev, "class_id", class_id, dev->class_id, sizeof(dev->class_id)) ||
	    !required_field(dev, "device_id", device_id, dev->device_id, sizeof(dev->device_id)))
		return 0;
	r = lsvmbus_parse_int(dev->id_text, strlen(dev->id_text), &dev->id);
	if (r < 0) {
		char ex[64];

		excerpt(dev->id_text, strlen(dev->id_text), ex, sizeof(ex));
		set_err(dev->problem, sizeof(dev->problem), "'id' is %s: '%s'",
			r == -ERANGE ? "out of range" : "not a number", ex);
		return 0;
	}
	dev->ok = true;

	if (mapping->error < 0) {
		set_err(dev->problem, sizeof(dev->problem),
			"cannot read 'channel_vp_mapping': %s; no channels shown",
			strerror(-mapping->error));
		return 0;
	}
	r = lsvmbus_parse_mapping(mapping->buf, mapping->len, &dev->channels, &dev->n_channels, why,
				  sizeof(why));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		set_err(dev->problem, sizeof(dev->problem),
			"'channel_vp_mapping' %s; no channels shown", why);
	return 0;
}

/*
 * Read 'entry/attr' below 'dirfd' into a new buffer.  Non-blocking and regular files only, so
 * a FIFO or a device node planted in a tree cannot hang or feed us.
 */
static int read_attr(int dirfd, const char *entry, const char *attr, char **ret_buf,
		     size_t *ret_len)
{
	char path[NAME_MAX + 64];
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", entry, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto err_close;
	}
	buf = malloc(LSVMBUS_ATTR_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		goto err_close;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, LSVMBUS_ATTR_MAX + 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto err_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > LSVMBUS_ATTR_MAX) {
			r = -EFBIG;
			goto err_free;
		}
	}
	close(fd);
	*ret_buf = buf;
	*ret_len = len;
	return 0;

err_free:
	free(buf);
err_close:
	close(fd);
	return r;
}

static void driver_of(int dirfd, const char *entry, char *out, size_t out_size)
{
	char path[NAME_MAX + 16], target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/driver", entry) >= (int)sizeof(path))
		return;
	n = readlinkat(dirfd, path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	(void)str_copy(out, out_size, base);
}

static int read_device(int dirfd, struct lsvmbus_device *dev)
{
	static const char *const names[] = { "id", "class_id", "device_id", "channel_vp_mapping" };
	struct lsvmbus_attr at[ARRAY_SIZE(names)];
	char *bufs[ARRAY_SIZE(names)] = { NULL };
	struct stat st;
	int r = 0;

	/* Say plainly when the entry is no device folder, rather than "cannot read 'id'". */
	if (fstatat(dirfd, dev->entry, &st, 0) < 0) {
		set_err(dev->problem, sizeof(dev->problem), "%s (a device that went away?)",
			errno == ENOENT ? "dangling link" : strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(dev->problem, sizeof(dev->problem), "not a device folder");
		return 0;
	}

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t len = 0;

		at[i].error = read_attr(dirfd, dev->entry, names[i], &bufs[i], &len);
		if (at[i].error == -ENOMEM) {
			r = -ENOMEM;
			goto out;
		}
		at[i].buf = bufs[i];
		at[i].len = len;
	}
	r = lsvmbus_device_parse(dev, &at[0], &at[1], &at[2], &at[3]);
	if (r == 0 && dev->ok)
		driver_of(dirfd, dev->entry, dev->driver, sizeof(dev->driver));
out:
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		free(bufs[i]);
	return r;
}

int lsvmbus_bus_scan(const char *devices_path, struct lsvmbus_bus *bus)
{
	struct lsvmbus_device *devs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	bus->devices = NULL;
	bus->n_devices = 0;
	d = opendir(devices_path);
	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (n == LSVMBUS_DEVICES_MAX) {
			r = -E2BIG;
			break;
		}
		if (n == cap) {
			struct lsvmbus_device *nd;

			cap = cap ? cap * 2 : 16;
			nd = realloc(devs, cap * sizeof(*devs));
			if (!nd) {
				r = -ENOMEM;
				break;
			}
			devs = nd;
		}
		memset(&devs[n], 0, sizeof(devs[n]));
		(void)str_copy(devs[n].entry, sizeof(devs[n].entry), de->d_name);
		r = read_device(dirfd(d), &devs[n]);
		if (r < 0)
			break;
		n++;
	}
	closedir(d);
	bus->devices = devs;
	bus->n_devices = n;
	if (r < 0)
		lsvmbus_bus_release(bus);
	return r;
}

static int cmp_devices(const void *pa, const void *pb)
{
	const struct lsvmbus_device *a = pa, *b = pb;

	if (a->ok != b->ok)
		return a->ok ? -1 : 1;
	if (a->ok && a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return strcmp(a->entry, b->entry);
}

void lsvmbus_bus_sort(struct lsvmbus_bus *bus)
{
	if (bus->n_devices > 1)
		qsort(bus->devices, bus->n_devices, sizeof(*bus->devices), cmp_devices);
}

void lsvmbus_device_release(struct lsvmbus_device *dev)
{
	free(dev->channels);
	dev->channels = NULL;
	dev->n_channels = 0;
}

void lsvmbus_bus_release(struct lsvmbus_bus *bus)
{
	for (size_t i = 0; i < bus->n_devices; i++)
		lsvmbus_device_release(&bus->devices[i]);
	free(bus->devices);
	bus->devices = NULL;
	bus->n_devices = 0;
}
