/* SPDX-License-Identifier: MIT */
/*
 * lsvmbus_print.c - formats the devices read by lsvmbus_sysfs.c.  The text formats reproduce
 * tools/hv/lsvmbus exactly (other tools parse them), including the empty line after each
 * device with -v, which the reference gets from print() adding a newline to a block that
 * already ends in one.
 */
#include "lsvmbus_print.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmbus_class.h"

static void print_channels(FILE *f, const struct lsvmbus_device *d)
{
	for (size_t i = 0; i < d->n_channels; i++)
		fprintf(f, "\tRel_ID=%s, target_cpu=%s\n", d->channels[i].relid_text,
			d->channels[i].cpu_text);
}

static const char *driver_text(const struct lsvmbus_device *d)
{
	return d->driver[0] ? d->driver : "none";
}

void lsvmbus_print_text(FILE *f, const struct lsvmbus_bus *bus, const struct lsvmbus_print_opts *o)
{
	for (size_t i = 0; i < bus->n_devices; i++) {
		const struct lsvmbus_device *d = &bus->devices[i];
		const char *name;

		if (!d->ok)
			continue;
		name = vmbus_class_display_name(d->class_id);
		if (o->verbose == 0) {
			fprintf(f, "VMBUS ID %2s: %s", d->id_text, name);
			if (o->driver)
				fprintf(f, " (driver: %s)", driver_text(d));
			fputc('\n', f);
			continue;
		}
		fprintf(f, "VMBUS ID %2s: Class_ID = %s - %s\n", d->id_text, d->class_id, name);
		if (o->verbose >= 2)
			fprintf(f, "\tDevice_ID = %s\n\tSysfs path: %s/%s\n", d->device_id,
				o->devices_path, d->entry);
		if (o->driver)
			fprintf(f, "\tDriver: %s\n", driver_text(d));
		print_channels(f, d);
		fputc('\n', f);
	}
}

/* Length of the valid UTF-8 sequence at 's' (at most 'n' bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void lsvmbus_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', f);
	while (n > 0) {
		size_t len = utf8_seq(p, n);

		if (len == 0) {
			fputs("\\ufffd", f);
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p, f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
	fputc('"', f);
}

static void json_key_string(FILE *f, const char *key, const char *value)
{
	fprintf(f, "\"%s\": ", key);
	if (value)
		lsvmbus_json_string(f, value);
	else
		fputs("null", f);
}

void lsvmbus_print_json(FILE *f, const struct lsvmbus_bus *bus, const struct lsvmbus_print_opts *o)
{
	bool first = true;

	fputs("[", f);
	for (size_t i = 0; i < bus->n_devices; i++) {
		const struct lsvmbus_device *d = &bus->devices[i];
		const struct vmbus_class *c;
		char path[PATH_MAX + NAME_MAX + 2];

		if (!d->ok)
			continue;
		c = vmbus_class_lookup(d->class_id);
		(void)snprintf(path, sizeof(path), "%s/%s", o->devices_path, d->entry);
		fputs(first ? "\n  {" : ",\n  {", f);
		first = false;
		fprintf(f, "\"id\": %lld, ", d->id);
		json_key_string(f, "class_id", d->class_id);
		fputs(", ", f);
		json_key_string(f, "class", c ? c->key : NULL);
		fputs(", ", f);
		json_key_string(f, "name", vmbus_class_display_name(d->class_id));
		fputs(", ", f);
		json_key_string(f, "device_id", d->device_id);
		fputs(", ", f);
		json_key_string(f, "sysfs_path", path);
		fputs(", ", f);
		json_key_string(f, "driver", d->driver[0] ? d->driver : NULL);
		fputs(", \"channels\": [", f);
		for (size_t k = 0; k < d->n_channels; k++) {
			const struct lsvmbus_channel *ch = &d->channels[k];

			fprintf(f, "%s{\"relid\": %lld, \"cpu\": ", k ? ", " : "", ch->relid);
			if (ch->cpu_valid)
				fprintf(f, "%lld}", ch->cpu);
			else
				fputs("null}", f);
		}
		fputs("]}", f);
	}
	fputs(first ? "]\n" : "\n]\n", f);
}

struct cpu_entry {
	long long cpu; /* -1: not a number */
	const struct lsvmbus_device *dev;
	const struct lsvmbus_channel *ch;
};

static int cmp_cpu_entries(const void *pa, const void *pb)
{
	const struct cpu_entry *a = pa, *b = pb;

	/* Known CPUs in order, then the channels whose CPU is not a number. */
	if (a->cpu != b->cpu) {
		if (a->cpu < 0 || b->cpu < 0)
			return a->cpu < 0 ? 1 : -1;
		return a->cpu < b->cpu ? -1 : 1;
	}
	if (a->ch->relid != b->ch->relid)
		return a->ch->relid < b->ch->relid ? -1 : 1;
	return strcmp(a->dev->entry, b->dev->entry);
}

int lsvmbus_print_cpus(FILE *f, const struct lsvmbus_bus *bus)
{
	struct cpu_entry *e;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < bus->n_devices; i++)
		if (bus->devices[i].ok)
			total += bus->devices[i].n_channels;
	if (total == 0)
		return 0;
	e = calloc(total, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < bus->n_devices; i++) {
		const struct lsvmbus_device *d = &bus->devices[i];

		if (!d->ok)
			continue;
		for (size_t k = 0; k < d->n_channels; k++) {
			e[n].cpu = d->channels[k].cpu_valid ? d->channels[k].cpu : -1;
			e[n].dev = d;
			e[n].ch = &d->channels[k];
			n++;
		}
	}
	qsort(e, n, sizeof(*e), cmp_cpu_entries);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && e[j].cpu == e[i].cpu)
			j++;
		if (e[i].cpu >= 0)
			fprintf(f, "CPU %lld: %zu channel%s\n", e[i].cpu, j - i,
				j - i == 1 ? "" : "s");
		else
			fprintf(f, "CPU unknown: %zu channel%s\n", j - i, j - i == 1 ? "" : "s");
		for (; i < j; i++)
			fprintf(f, "\tRel_ID=%s, VMBUS ID %s: %s\n", e[i].ch->relid_text,
				e[i].dev->id_text, vmbus_class_display_name(e[i].dev->class_id));
	}
	free(e);
	return 0;
}
