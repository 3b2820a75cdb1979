/* SPDX-License-Identifier: MIT */
/*
 * lsvmbus_sysfs.h - reading the VMBus devices of a sysfs tree (<sysfs>/bus/vmbus/devices).
 *
 * The attribute parsers follow what tools/hv/lsvmbus (Python) accepts, so that every device
 * it can show comes out the same: an attribute's first line, universal newlines, Python's
 * str.strip() and int() rules for ids and relids, and the "RELID:CPU" lines of
 * channel_vp_mapping where the text on both sides of the first ':' is printed as it is.
 * Where the reference would crash (an attribute missing or empty, an id that is no number, a
 * mapping line without ':'), the device gets a message instead.
 *
 * Ownership: lsvmbus_bus_scan() fills a struct lsvmbus_bus that lsvmbus_bus_release() empties;
 * the devices and their channel arrays belong to it.
 */
#ifndef LSVMBUS_SYSFS_H
#define LSVMBUS_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define LSVMBUS_ATTR_MAX     65536 /* bytes read of one attribute; sysfs gives at most 4096 */
#define LSVMBUS_FIELD_MAX    128   /* bytes of one printed field (id, class_id, relid, cpu) */
#define LSVMBUS_CHANNELS_MAX 4096  /* channel lines of one device */
#define LSVMBUS_DEVICES_MAX  8192  /* entries of the devices directory */
#define LSVMBUS_PROBLEM_MAX  320

struct lsvmbus_channel {
	char relid_text[LSVMBUS_FIELD_MAX]; /* as printed: the text before the first ':' */
	char cpu_text[LSVMBUS_FIELD_MAX];   /* as printed: the text up to the second ':' */
	long long relid;
	long long cpu;
	bool cpu_valid; /* cpu_text is a number */
};

struct lsvmbus_device {
	char entry[NAME_MAX + 1];          /* name in the devices directory */
	char id_text[LSVMBUS_FIELD_MAX];   /* the id attribute, stripped */
	long long id;                      /* ... as a number, the sort key */
	char class_id[LSVMBUS_FIELD_MAX];  /* stripped, as read: "{guid}" */
	char device_id[LSVMBUS_FIELD_MAX]; /* stripped, as read: "{guid}" */
	char driver[NAME_MAX + 1];         /* bound driver, "" when none */
	struct lsvmbus_channel *channels;  /* sorted by relid, file order among equals */
	size_t n_channels;
	bool ok;                           /* false: unusable, left out; 'problem' says why */
	char problem[LSVMBUS_PROBLEM_MAX]; /* why !ok, or what was wrong with the channels */
};

/* One attribute as read: its bytes, or the negative errno of reading it. */
struct lsvmbus_attr {
	const char *buf;
	size_t len;
	int error;
};

struct lsvmbus_bus {
	struct lsvmbus_device *devices;
	size_t n_devices;
};

/* Python's str.strip() on ASCII: the bounds of 's' without surrounding white space. */
void lsvmbus_strip(const char *s, size_t len, size_t *ret_start, size_t *ret_len);

/*
 * The first line of an attribute (universal newlines: "\n", "\r\n" or "\r" ends it),
 * stripped, NUL terminated into 'out'.  -ENODATA when the attribute is empty, -EINVAL when
 * the line holds a NUL byte, -ENAMETOOLONG when it does not fit.
 */
int lsvmbus_first_line(const char *buf, size_t len, char *out, size_t out_size) WARN_UNUSED;

/*
 * Python's int() on a string: white space around, an optional sign, decimal digits with
 * single '_' between them.  -EINVAL when it is no number, -ERANGE beyond a long long.
 */
int lsvmbus_parse_int(const char *s, size_t len, long long *ret) WARN_UNUSED;

/*
 * Parse channel_vp_mapping.  Fills a new sorted array (NULL when there are no lines; the
 * caller frees it).  On a malformed line returns -EINVAL with a reason in 'err' and no
 * array; -E2BIG past LSVMBUS_CHANNELS_MAX lines.
 */
int lsvmbus_parse_mapping(const char *buf, size_t len, struct lsvmbus_channel **ret_channels,
			  size_t *ret_n, char *err, size_t err_size) WARN_UNUSED;

/*
 * Build 'dev' (entry already set) from its attributes.  Sets dev->ok and, when something is
 * wrong, dev->problem.  A missing or malformed channel_vp_mapping keeps the device (without
 * channels) and says so in 'problem'.  Returns 0, or -ENOMEM.
 */
int lsvmbus_device_parse(struct lsvmbus_device *dev, const struct lsvmbus_attr *id,
			 const struct lsvmbus_attr *class_id, const struct lsvmbus_attr *device_id,
			 const struct lsvmbus_attr *mapping) WARN_UNUSED;

/*
 * Read every entry of the directory 'devices_path' (hidden ones too, like the reference).
 * Returns 0, -ENOENT or -ENOTDIR when there is no such directory, another negative errno
 * when it cannot be read.  Devices that cannot be read are kept with ok == false.
 */
int lsvmbus_bus_scan(const char *devices_path, struct lsvmbus_bus *bus) WARN_UNUSED;

/* Usable devices by id (then entry name), unusable ones after them by entry name. */
void lsvmbus_bus_sort(struct lsvmbus_bus *bus);

void lsvmbus_device_release(struct lsvmbus_device *dev);
void lsvmbus_bus_release(struct lsvmbus_bus *bus);

#endif /* LSVMBUS_SYSFS_H */
