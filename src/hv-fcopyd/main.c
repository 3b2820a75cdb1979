/* SPDX-License-Identifier: MIT */
/*
 * main.c - hv-fcopyd: command line, configuration ([fcopyd] of hvguest.conf) and the
 * reference names.  Started as hv_fcopy_daemon it uses the character device, as
 * hv_fcopy_uio_daemon the UIO channel; both accept the reference flags -n and -h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "fcopyd_run.h"
#include "kvpool.h"
#include "log.h"

#define PROGRAM    "hv-fcopyd"
#define EXIT_USAGE 2

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-dhnVv] [-c FILE] [--chardev | --uio] [--device PATH | --device-fd N]\n"
		"       [--sysfs DIR] [--dev DIR] [--uio-irq PATH] [--no-bind] [--allow DIR]...\n"
		"       [--owner USER] [--group GROUP] [--mode MODE] [--max-size BYTES]\n"
		"       [--timeout SECONDS] [--no-openat2] [--state-dir DIR] [--no-record]\n",
		prog);
}

static void help(const char *prog)
{
	usage(stdout, prog);
	printf("\nHost-to-guest file copy (Copy-VMFile) for Hyper-V, on the character device\n"
	       "of kernels before 6.10 and on the UIO channel of newer ones.\n\n"
	       "  -n, --no-daemon       stay in the foreground (log to stderr)\n"
	       "  -d, --debug           log debug messages too (also -v, --verbose)\n"
	       "  -c, --config FILE     configuration file (default " CONF_DEFAULT_PATH ")\n"
	       "      --chardev         use the character device (default when it exists)\n"
	       "      --uio             use the UIO channel (uio_hv_generic)\n"
	       "      --device PATH     character device or unix socket (default " FCOPYD_DEVICE
	       ")\n"
	       "      --device-fd N     an inherited, connected device socket\n"
	       "      --sysfs DIR       sysfs root (default /sys)\n"
	       "      --dev DIR         device folder holding uioN (default /dev)\n"
	       "      --uio-irq PATH    interrupts through this unix socket (simulated host)\n"
	       "      --no-bind         do not write new_id of uio_hv_generic\n"
	       "      --allow DIR       allow copies into DIR and below (repeatable; default: "
	       "everywhere)\n"
	       "      --owner USER      owner of new files (default: the daemon's user)\n"
	       "      --group GROUP     group of new files\n"
	       "      --mode MODE       mode of new files, octal (default 0644)\n"
	       "      --max-size BYTES  refuse larger files (suffix K, M, G; default: no limit)\n"
	       "      --timeout SECONDS abandon a copy the host is silent on for this long "
	       "(default 60)\n"
	       "      --no-openat2      resolve paths component by component even where openat2 "
	       "exists\n"
	       "      --state-dir DIR   KVP pools for the per-copy result records "
	       "(default " KVPOOL_DEFAULT_DIR ")\n"
	       "      --no-record       keep no result records in KVP pool 1\n"
	       "  -V, --version         print the version\n"
	       "  -h, --help            print this help\n");
}

enum {
	OPT_CHARDEV = 256,
	OPT_UIO,
	OPT_DEVICE,
	OPT_DEVICE_FD,
	OPT_SYSFS,
	OPT_DEV,
	OPT_UIO_IRQ,
	OPT_NO_BIND,
	OPT_ALLOW,
	OPT_OWNER,
	OPT_GROUP,
	OPT_MODE,
	OPT_MAX_SIZE,
	OPT_TIMEOUT,
	OPT_NO_OPENAT2,
	OPT_STATE_DIR,
	OPT_NO_RECORD,
};

static const struct option long_options[] = {
	{ "no-daemon", no_argument, NULL, 'n' },
	{ "debug", no_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "config", required_argument, NULL, 'c' },
	{ "chardev", no_argument, NULL, OPT_CHARDEV },
	{ "uio", no_argument, NULL, OPT_UIO },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "device-fd", required_argument, NULL, OPT_DEVICE_FD },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "uio-irq", required_argument, NULL, OPT_UIO_IRQ },
	{ "no-bind", no_argument, NULL, OPT_NO_BIND },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-openat2", no_argument, NULL, OPT_NO_OPENAT2 },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "no-record", no_argument, NULL, OPT_NO_RECORD },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Bytes with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, unsigned long long *ret)
{
	char num[32];
	size_t n = strlen(s);
	unsigned int shift = 0;
	unsigned long long v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (parse_uint(num, ~0ULL >> shift, &v) < 0)
		return -EINVAL;
	*ret = v << shift;
	return 0;
}

static int set_owner(struct fcopyd_policy *p, const char *s)
{
	struct passwd *pw = getpwnam(s);
	unsigned long long v;

	if (pw) {
		p->uid = pw->pw_uid;
	} else if (parse_uint(s, 0xfffffffeu, &v) == 0) {
		p->uid = (uid_t)v;
	} else {
		return -EINVAL;
	}
	p->set_uid = true;
	return 0;
}

static int set_group(struct fcopyd_policy *p, const char *s)
{
	struct group *gr = getgrnam(s);
	unsigned long long v;

	if (gr) {
		p->gid = gr->gr_gid;
	} else if (parse_uint(s, 0xfffffffeu, &v) == 0) {
		p->gid = (gid_t)v;
	} else {
		return -EINVAL;
	}
	p->set_gid = true;
	return 0;
}

static int set_mode(struct fcopyd_policy *p, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || end == s || *end || v > 0777)
		return -EINVAL;
	p->mode = (mode_t)v;
	return 0;
}

/* Apply one setting by name; shared by the configuration file and the options. */
static int apply(struct fcopyd_opts *o, const char *key, const char *value)
{
	unsigned long long v;

	if (streq(key, "allow"))
		return fcopyd_policy_allow(&o->policy, value);
	if (streq(key, "owner"))
		return set_owner(&o->policy, value);
	if (streq(key, "group"))
		return set_group(&o->policy, value);
	if (streq(key, "mode"))
		return set_mode(&o->policy, value);
	if (streq(key, "max-size")) {
		if (parse_size(value, &v) < 0)
			return -EINVAL;
		o->policy.max_size = v;
		return 0;
	}
	if (streq(key, "timeout")) {
		if (parse_uint(value, 86400, &v) < 0 || v == 0)
			return -EINVAL;
		o->timeout_ms = (unsigned int)v * 1000;
		return 0;
	}
	if (streq(key, "state-dir")) {
		static char state_dir[PATH_MAX]; /* outlives the configuration it came from */

		if (value[0] != '/' || str_copy(state_dir, sizeof(state_dir), value) < 0)
			return -EINVAL;
		o->state_dir = state_dir;
		return 0;
	}
	if (streq(key, "record")) {
		if (streq(value, "yes") || streq(value, "true") || streq(value, "on") ||
		    streq(value, "1"))
			return 0;
		if (streq(value, "no") || streq(value, "false") || streq(value, "off") ||
		    streq(value, "0")) {
			o->no_record = true;
			return 0;
		}
		return -EINVAL;
	}
	return -ENOKEY;
}

static int conf_visit(const char *key, const char *value, unsigned int line, void *data)
{
	struct fcopyd_opts *o = data;
	int r = apply(o, key, value);

	if (r == -ENOKEY)
		fprintf(stderr, "%s: line %u: unknown setting '%s' in [fcopyd]\n", PROGRAM, line,
			key);
	else if (r < 0)
		fprintf(stderr, "%s: line %u: bad value '%s' for '%s'\n", PROGRAM, line, value,
			key);
	return r;
}

int main(int argc, char **argv)
{
	struct fcopyd_opts o = {
		.device_fd = -1, .sysfs = "/sys", .dev = "/dev", .timeout_ms = FCOPYD_TIMEOUT_MS
	};
	const char *config = NULL;
	const char *prog = basename(argv[0]);
	bool foreground = false, cli_allow = false;
	int verbosity = 0, c, r;
	struct conf *cf = NULL;
	char err[256];
	unsigned long long v;

	fcopyd_policy_init(&o.policy);
	if (streq(prog, "hv_fcopy_daemon"))
		o.transport = FCOPYD_CHARDEV;
	else if (streq(prog, "hv_fcopy_uio_daemon"))
		o.transport = FCOPYD_UIO;
	else
		prog = PROGRAM;

	/* First pass: only -c, so that options given later win over the file. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:dhnvV", long_options, NULL)) != -1)
		if (c == 'c')
			config = optarg;
	r = conf_load(config ? config : CONF_DEFAULT_PATH, &cf, err, sizeof(err));
	if (r == -ENOENT && !config) {
		cf = conf_new_empty();
	} else if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog,
			r == -EINVAL ? err : "cannot read the configuration file");
		return 1;
	}
	if (!cf || conf_foreach(cf, "fcopyd", conf_visit, &o) < 0) {
		conf_free(cf);
		return 1;
	}
	conf_free(cf);

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:dhnvV", long_options, NULL)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'c':
			break;
		case 'n':
			foreground = true;
			break;
		case 'd':
		case 'v':
			verbosity = 1;
			break;
		case OPT_CHARDEV:
			o.transport = FCOPYD_CHARDEV;
			break;
		case OPT_UIO:
			o.transport = FCOPYD_UIO;
			break;
		case OPT_DEVICE:
			o.device = optarg;
			break;
		case OPT_DEVICE_FD:
			if (parse_uint(optarg, 65535, &v) < 0) {
				fprintf(stderr, "%s: bad --device-fd '%s'\n", prog, optarg);
				return EXIT_USAGE;
			}
			o.device_fd = (int)v;
			break;
		case OPT_SYSFS:
			o.sysfs = optarg;
			break;
		case OPT_DEV:
			o.dev = optarg;
			break;
		case OPT_UIO_IRQ:
			o.uio_irq = optarg;
			break;
		case OPT_NO_BIND:
			o.no_bind = true;
			break;
		case OPT_NO_OPENAT2:
			o.policy.no_openat2 = true;
			break;
		case OPT_STATE_DIR:
			key = "state-dir";
			break;
		case OPT_NO_RECORD:
			o.no_record = true;
			break;
		case OPT_ALLOW:
			if (!cli_allow) { /* options replace the file's list */
				fcopyd_policy_release(&o.policy);
				cli_allow = true;
			}
			key = "allow";
			break;
		case OPT_OWNER:
			key = "owner";
			break;
		case OPT_GROUP:
			key = "group";
			break;
		case OPT_MODE:
			key = "mode";
			break;
		case OPT_MAX_SIZE:
			key = "max-size";
			break;
		case OPT_TIMEOUT:
			key = "timeout";
			break;
		case 'V':
			printf("%s %s\n", PROGRAM, HVGUEST_VERSION);
			return 0;
		case 'h':
			help(prog);
			return 0;
		default:
			usage(stderr, prog);
			return EXIT_USAGE;
		}
		if (key && apply(&o, key, optarg) < 0) {
			fprintf(stderr, "%s: bad value '%s' for --%s\n", prog, optarg, key);
			usage(stderr, prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr, prog);
		return EXIT_USAGE;
	}
	if (o.device && o.device_fd >= 0) {
		fprintf(stderr, "%s: --device and --device-fd exclude each other\n", prog);
		return EXIT_USAGE;
	}

	if (!foreground) {
		if (daemon(0, 0) < 0) {
			perror("daemon");
			return 1;
		}
		log_init(prog, LOG_SINK_SYSLOG, verbosity);
	} else {
		log_init(prog, LOG_SINK_STDERR, verbosity);
	}
	if (o.no_record)
		o.state_dir = NULL;
	r = fcopyd_run(&o);
	fcopyd_policy_release(&o.policy);
	if (r < 0) {
		log_err_errno(r, "giving up");
		return 1;
	}
	return 0;
}
