/* SPDX-License-Identifier: MIT */
/*
 * lsvmbus - list the devices on the VMBus, a drop-in for the kernel's tools/hv/lsvmbus:
 * the same options and, for every device the reference can show, the same text.  Adds JSON,
 * the bound driver, a channel-to-CPU map, --sysfs for another tree, and a message per device
 * instead of a crash when the tree is malformed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsvmbus_print.h"
#include "lsvmbus_sysfs.h"

#define PROGRAM        "lsvmbus"
#define EXIT_USAGE     2 /* 0 ok, 1 failure, 2 bad invocation */
#define EXIT_NOT_GUEST 3 /* no <sysfs>/bus/vmbus/devices: not a Hyper-V guest */

struct options {
	const char *sysfs; /* root of the sysfs tree to read */
	int verbose;
	bool json;
	bool cpus;
	bool driver;
};

static const char usage_line[] = "usage: " PROGRAM " [-cdjv] [-s dir]\n"
				 "       " PROGRAM " -h | -V\n";

static const char option_help[] =
	"\n"
	"List the devices on the VMBus and the service each one offers.\n"
	"\n"
	"  -v, --verbose      also show class ids and channels; -vv adds device ids and paths\n"
	"  -d, --driver       also show the driver bound to each device\n"
	"  -j, --json         print the devices as a JSON array\n"
	"  -c, --cpus         print which channels each CPU serves\n"
	"  -s, --sysfs=DIR    read DIR/bus/vmbus/devices instead of /sys/bus/vmbus/devices\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 ok, 1 a device could not be read, 2 bad usage, 3 not a Hyper-V guest.\n";

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_line, stderr);
	exit(EXIT_USAGE);
}

static void parse_args(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		/* clang-format off */
		{ "cpus",    no_argument,       NULL, 'c' },
		{ "driver",  no_argument,       NULL, 'd' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "json",    no_argument,       NULL, 'j' },
		{ "sysfs",   required_argument, NULL, 's' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL,      0,                 NULL, 0 },
		/* clang-format on */
	};
	int c;

	*o = (struct options){ .sysfs = "/sys" };

	while ((c = getopt_long(argc, argv, "cdhjs:vV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->cpus = true;
			break;
		case 'd':
			o->driver = true;
			break;
		case 'h':
			fputs(usage_line, stdout);
			fputs(option_help, stdout);
			exit(EXIT_SUCCESS);
		case 'j':
			o->json = true;
			break;
		case 's':
			if (optarg[0] == '\0')
				usage_error("--sysfs needs a directory");
			o->sysfs = optarg;
			break;
		case 'v':
			if (o->verbose < 2)
				o->verbose++;
			break;
		case 'V':
			puts(PROGRAM " " HVGUEST_VERSION);
			exit(EXIT_SUCCESS);
		default:
			/* getopt_long() has already named the bad option. */
			fputs(usage_line, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->json && o->cpus)
		usage_error("--json and --cpus cannot be used together");
}

int main(int argc, char *argv[])
{
	struct lsvmbus_print_opts po = { 0 };
	struct lsvmbus_bus bus;
	struct options o;
	char devices[PATH_MAX];
	size_t len;
	int r, status = EXIT_SUCCESS;

	parse_args(argc, argv, &o);

	/* "/sys/" and "/sys" give the same paths in the output. */
	len = strlen(o.sysfs);
	while (len > 1 && o.sysfs[len - 1] == '/')
		len--;
	if (snprintf(devices, sizeof(devices), "%.*s/bus/vmbus/devices", (int)len, o.sysfs) >=
	    (int)sizeof(devices))
		usage_error("--sysfs path is too long");
	if (len == 1 && o.sysfs[0] == '/')
		memmove(devices, devices + 1, strlen(devices));

	r = lsvmbus_bus_scan(devices, &bus);
	if (r == -ENOENT || r == -ENOTDIR) {
		fprintf(stderr, PROGRAM ": %s does not exist: not a Hyper-V guest\n", devices);
		return EXIT_NOT_GUEST;
	}
	if (r < 0) {
		fprintf(stderr, PROGRAM ": cannot read %s: %s\n", devices, strerror(-r));
		return EXIT_FAILURE;
	}
	lsvmbus_bus_sort(&bus);

	for (size_t i = 0; i < bus.n_devices; i++) {
		const struct lsvmbus_device *d = &bus.devices[i];

		if (d->problem[0] == '\0')
			continue;
		fprintf(stderr, PROGRAM ": device '%s': %s%s\n", d->entry, d->problem,
			d->ok ? "" : ", left out");
		status = EXIT_FAILURE;
	}

	po.verbose = o.verbose;
	po.driver = o.driver;
	po.devices_path = devices;
	if (o.json)
		lsvmbus_print_json(stdout, &bus, &po);
	else if (o.cpus)
		r = lsvmbus_print_cpus(stdout, &bus);
	else
		lsvmbus_print_text(stdout, &bus, &po);
	lsvmbus_bus_release(&bus);
	if (r < 0) {
		fprintf(stderr, PROGRAM ": %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROGRAM ": cannot write the output: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return status;
}
