/* SPDX-License-Identifier: MIT */
/*
 * lsvmbus_print.h - the output formats of lsvmbus: the reference's text (plain, -v, -vv),
 * JSON, and the channel-to-CPU map.  Only devices with ok set are printed.
 */
#ifndef LSVMBUS_PRINT_H
#define LSVMBUS_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "lsvmbus_sysfs.h"

struct lsvmbus_print_opts {
	int verbose;              /* 0, 1, 2 or more: as the reference's -v count */
	bool driver;              /* also show the bound driver */
	const char *devices_path; /* printed as the sysfs path prefix */
};

/* The reference's text output, byte for byte (when 'driver' is off). */
void lsvmbus_print_text(FILE *f, const struct lsvmbus_bus *bus, const struct lsvmbus_print_opts *o);

/* One JSON array of device objects; see man/lsvmbus.8 for the keys. */
void lsvmbus_print_json(FILE *f, const struct lsvmbus_bus *bus, const struct lsvmbus_print_opts *o);

/* For every CPU, the channels whose interrupts it takes.  0 or -ENOMEM. */
int lsvmbus_print_cpus(FILE *f, const struct lsvmbus_bus *bus);

/* 's' as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD. */
void lsvmbus_json_string(FILE *f, const char *s);

#endif /* LSVMBUS_PRINT_H */
