/* SPDX-License-Identifier: MIT */
/*
 * fuzz-lsvmbus-attrs.c - the sysfs attribute parsers of lsvmbus and the printers after them.
 * The input is four attributes separated by 0xfe bytes: id, class_id, device_id,
 * channel_vp_mapping (a missing part is an unreadable attribute).  A usable device is then
 * printed in every format.  The whole input also goes through the GUID and number parsers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsvmbus_print.h"
#include "lsvmbus_sysfs.h"
#include "vmbus_class.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsvmbus_attr at[4];
	const char *p = (const char *)data;
	struct lsvmbus_device dev;
	struct lsvmbus_bus bus = { &dev, 1 };
	char line[LSVMBUS_FIELD_MAX], guid[VMBUS_GUID_LEN + 1], *s;
	long long v;
	size_t pos = 0;
	int r;

	if (size > LSVMBUS_ATTR_MAX)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		const char *sep;

		if (pos > size || (pos == size && i > 0)) {
			at[i] = (struct lsvmbus_attr){ NULL, 0, -ENOENT };
			continue;
		}
		sep = i < 3 ? memchr(p + pos, 0xfe, size - pos) : NULL;
		at[i].buf = p + pos;
		at[i].len = sep ? (size_t)(sep - (p + pos)) : size - pos;
		at[i].error = 0;
		pos += at[i].len + 1;
	}

	memset(&dev, 0, sizeof(dev));
	memcpy(dev.entry, "fuzz", 5);
	if (lsvmbus_device_parse(&dev, &at[0], &at[1], &at[2], &at[3]) == 0 && dev.ok) {
		struct lsvmbus_print_opts o = { .devices_path = "/sys/bus/vmbus/devices" };

		for (o.verbose = 0; o.verbose <= 2; o.verbose++) {
			o.driver = o.verbose == 1;
			lsvmbus_print_text(sink(), &bus, &o);
		}
		lsvmbus_print_json(sink(), &bus, &o);
		(void)lsvmbus_print_cpus(sink(), &bus);
	}
	lsvmbus_device_release(&dev);

	/* Both return 0 or a negative errno, never more. */
	r = lsvmbus_first_line((const char *)data, size, line, sizeof(line));
	if (r > 0 || lsvmbus_parse_int((const char *)data, size, &v) > 0)
		abort();
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	(void)vmbus_class_display_name(s);
	if (vmbus_guid_normalize(s, guid) == 0 && strlen(guid) != VMBUS_GUID_LEN)
		abort();
	lsvmbus_json_string(sink(), s);
	free(s);
	return 0;
}
