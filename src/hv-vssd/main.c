/* SPDX-License-Identifier: MIT */
/*
 * main.c - hv-vssd: the Hyper-V VSS (live backup) daemon.  Command line, configuration file,
 * logging and daemonizing; the work is in vssd.c.  Started as hv_vss_daemon it accepts the
 * reference daemon's flags and shows that name in ps.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "vssd.h"

#define PROGRAM    "hv-vssd"
#define REF_NAME   "hv_vss_daemon"
#define EXIT_USAGE 2

enum {
	OPT_DEVICE = 256,
	OPT_DEVICE_FD,
	OPT_MOUNTINFO,
	OPT_SYSFS,
	OPT_RUN_DIR,
	OPT_POOL_DIR,
	OPT_NO_RECORD,
	OPT_FREEZE_TIMEOUT,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_HOOK_DIR,
	OPT_QEMU_HOOK_DIR,
	OPT_VMWARE_HOOK_DIR,
	OPT_NO_LEGACY_HOOKS,
	OPT_HOOK_TIMEOUT,
	OPT_HOOK_FAILURE,
	OPT_CHECK,
	OPT_ROOT,
};

static const struct option longopts[] = {
	{ "no-daemon", no_argument, NULL, 'n' },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "config", required_argument, NULL, 'c' },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "device-fd", required_argument, NULL, OPT_DEVICE_FD },
	{ "mountinfo", required_argument, NULL, OPT_MOUNTINFO },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "run-dir", required_argument, NULL, OPT_RUN_DIR },
	{ "pool-dir", required_argument, NULL, OPT_POOL_DIR },
	{ "no-record", no_argument, NULL, OPT_NO_RECORD },
	{ "freeze-timeout", required_argument, NULL, OPT_FREEZE_TIMEOUT },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "hook-dir", required_argument, NULL, OPT_HOOK_DIR },
	{ "qemu-hook-dir", required_argument, NULL, OPT_QEMU_HOOK_DIR },
	{ "vmware-hook-dir", required_argument, NULL, OPT_VMWARE_HOOK_DIR },
	{ "no-legacy-hooks", no_argument, NULL, OPT_NO_LEGACY_HOOKS },
	{ "hook-timeout", required_argument, NULL, OPT_HOOK_TIMEOUT },
	{ "hook-failure", required_argument, NULL, OPT_HOOK_FAILURE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f, const char *name)
{
	fprintf(f,
		"usage: %s [-dhnV] [-c FILE] [--check] [OPTION]...\n"
		"Freeze and thaw filesystems when the Hyper-V host takes a backup or checkpoint.\n"
		"\n"
		"  -n, --no-daemon            stay in the foreground, log to stderr\n"
		"  -d, --debug                log debug messages too\n"
		"  -c, --config FILE          configuration file (default %s)\n"
		"      --check                list every mount as will-freeze, skipped or risky,\n"
		"                             and the hooks that would run; then exit\n"
		"      --device PATH          VSS device or socket (default %s)\n"
		"      --device-fd N          use descriptor N as the device\n"
		"      --mountinfo FILE       mount table (default %s)\n"
		"      --root DIR             look at mount points under DIR (tests, fixtures)\n"
		"      --sysfs DIR            sysfs, for the loop-device test (default /sys)\n"
		"      --run-dir DIR          where the frozen-state marker lives (default %s)\n"
		"      --pool-dir DIR         KVP pool folder for the result record (default %s)\n"
		"      --no-record            write no result record\n"
		"      --freeze-timeout TIME  thaw on our own after TIME (default %llus; 'ms' "
		"suffix)\n"
		"      --include PATTERN      freeze only mounts matching PATTERN (repeatable)\n"
		"      --exclude PATTERN      never freeze mounts matching PATTERN (repeatable)\n"
		"      --hook-dir DIR         our hook folder (default %s)\n"
		"      --qemu-hook-dir DIR    qemu-guest-agent hooks (default %s)\n"
		"      --vmware-hook-dir DIR  open-vm-tools hooks (default %s)\n"
		"      --no-legacy-hooks      run only our own hooks\n"
		"      --hook-timeout TIME    kill a hook after TIME (default %llus)\n"
		"      --hook-failure POLICY  'abort' the backup or 'continue' (default continue)\n"
		"  -h, --help                 this text\n"
		"  -V, --version              the version\n",
		name, CONF_DEFAULT_PATH, VSSD_DEFAULT_DEVICE, VSSD_DEFAULT_MOUNTINFO,
		VSSD_DEFAULT_RUN_DIR, "/var/lib/hyperv", VSSD_DEFAULT_WINDOW_MS / 1000,
		VSSD_DEFAULT_HOOK_DIR, VSSD_DEFAULT_QEMU_HOOKS, VSSD_DEFAULT_VMW_HOOKS,
		VSSD_DEFAULT_HOOK_MS / 1000);
}

/* "12", "12s" or "500ms" into milliseconds, within [1 ms, max_ms]. */
static int parse_duration(const char *s, unsigned long long max_ms, unsigned long long *ret)
{
	char num[32];
	size_t len = strlen(s);
	unsigned long long v, mult = 1000;
	int r;

	if (len >= sizeof(num) || len == 0)
		return -EINVAL;
	memcpy(num, s, len + 1);
	if (len > 2 && streq(num + len - 2, "ms")) {
		num[len - 2] = '\0';
		mult = 1;
	} else if (len > 1 && num[len - 1] == 's') {
		num[len - 1] = '\0';
	}
	r = parse_uint(num, max_ms / mult, &v);
	if (r < 0)
		return r;
	if (v == 0)
		return -ERANGE;
	*ret = v * mult;
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = basename(argv[0]);
	const char *conf_path = CONF_DEFAULT_PATH;
	const char *cl_include[VSSD_PATTERNS_MAX], *cl_exclude[VSSD_PATTERNS_MAX];
	size_t n_inc = 0, n_exc = 0;
	bool foreground = false, check = false, conf_given = false;
	int debug = 0, c, r, status;
	struct vssd_config cfg;
	struct conf *conf = NULL;
	static struct vssd d; /* large: kept off the stack */
	char err[256] = "";
	bool ref = streq(name, REF_NAME);

	/* First pass: only -c/--config and logging, so the file is read before other options. */
	vssd_config_defaults(&cfg);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ndhVc:", longopts, NULL)) != -1) {
		if (c == 'c') {
			conf_path = optarg;
			conf_given = true;
		}
	}
	r = conf_load(conf_path, &conf, err, sizeof(err));
	if (r == -ENOENT && !conf_given) {
		conf = conf_new_empty();
	} else if (r < 0) {
		fprintf(stderr, "%s: %s\n", name,
			err[0] ? err : "cannot read the configuration file");
		return 1;
	}
	r = vssd_config_load(&cfg, conf, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s: %s: [vssd] %s\n", name, conf_path, err);
		conf_free(conf);
		return 1;
	}

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "ndhVc:", longopts, NULL)) != -1) {
		unsigned long long v;

		switch (c) {
		case 'n':
			foreground = true;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout, name);
			conf_free(conf);
			return 0;
		case 'V':
			printf("%s %s\n", PROGRAM, HVGUEST_VERSION);
			conf_free(conf);
			return 0;
		case 'c':
			break;
		case OPT_DEVICE:
			cfg.device = optarg;
			break;
		case OPT_DEVICE_FD:
			if (parse_uint(optarg, 65535, &v) < 0) {
				fprintf(stderr, "%s: --device-fd: not a descriptor: '%s'\n", name,
					optarg);
				goto usage_error;
			}
			cfg.device_fd = (int)v;
			break;
		case OPT_MOUNTINFO:
			cfg.mountinfo = optarg;
			break;
		case OPT_SYSFS:
			cfg.sysfs = cfg.sel.sysfs = optarg;
			break;
		case OPT_RUN_DIR:
			cfg.run_dir = optarg;
			break;
		case OPT_POOL_DIR:
			cfg.pool_dir = optarg;
			break;
		case OPT_NO_RECORD:
			cfg.pool_dir = NULL;
			break;
		case OPT_FREEZE_TIMEOUT:
			if (parse_duration(optarg, VSSD_WINDOW_MAX_MS, &cfg.window_ms) < 0) {
				fprintf(stderr, "%s: --freeze-timeout: want 1ms to %llus: '%s'\n",
					name, VSSD_WINDOW_MAX_MS / 1000, optarg);
				goto usage_error;
			}
			break;
		case OPT_HOOK_TIMEOUT:
			if (parse_duration(optarg, VSSD_HOOK_MAX_MS, &cfg.hook_timeout_ms) < 0) {
				fprintf(stderr, "%s: --hook-timeout: want 1ms to %llus: '%s'\n",
					name, VSSD_HOOK_MAX_MS / 1000, optarg);
				goto usage_error;
			}
			break;
		case OPT_INCLUDE:
		case OPT_EXCLUDE:
			if ((c == OPT_INCLUDE ? n_inc : n_exc) == VSSD_PATTERNS_MAX) {
				fprintf(stderr, "%s: at most %d patterns\n", name,
					VSSD_PATTERNS_MAX);
				goto usage_error;
			}
			if (c == OPT_INCLUDE)
				cl_include[n_inc++] = optarg;
			else
				cl_exclude[n_exc++] = optarg;
			break;
		case OPT_HOOK_DIR:
			cfg.hook_dir = optarg;
			break;
		case OPT_QEMU_HOOK_DIR:
			cfg.qemu_hook_dir = optarg;
			break;
		case OPT_VMWARE_HOOK_DIR:
			cfg.vmware_hook_dir = optarg;
			break;
		case OPT_NO_LEGACY_HOOKS:
			cfg.qemu_hook_dir = cfg.vmware_hook_dir = NULL;
			break;
		case OPT_HOOK_FAILURE:
			if (!streq(optarg, "abort") && !streq(optarg, "continue")) {
				fprintf(stderr, "%s: --hook-failure: 'abort' or 'continue'\n",
					name);
				goto usage_error;
			}
			cfg.hook_abort = streq(optarg, "abort");
			break;
		case OPT_ROOT:
			cfg.sel.root = streq(optarg, "/") ? NULL : optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		default:
			goto usage_error;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name, argv[optind]);
		goto usage_error;
	}
	/* A list on the command line replaces the configuration file's list. */
	if (n_inc) {
		memcpy(cfg.sel.include, cl_include, n_inc * sizeof(*cl_include));
		cfg.sel.n_include = n_inc;
	}
	if (n_exc) {
		memcpy(cfg.sel.exclude, cl_exclude, n_exc * sizeof(*cl_exclude));
		cfg.sel.n_exclude = n_exc;
	}

	if (check) {
		status = vssd_check(&cfg, stdout);
		conf_free(conf);
		return status;
	}

	if (ref)
		(void)prctl(PR_SET_NAME, REF_NAME, 0, 0, 0);
	if (!foreground && !getenv("JOURNAL_STREAM")) {
		if (daemon(1, 0) < 0) {
			fprintf(stderr, "%s: cannot become a daemon: %s\n", name, strerror(errno));
			conf_free(conf);
			return 1;
		}
		log_init(ref ? REF_NAME : PROGRAM, LOG_SINK_SYSLOG, debug);
	} else {
		log_init(ref ? REF_NAME : PROGRAM, LOG_SINK_STDERR, debug);
	}

	vssd_init(&d, &cfg);
	log_info("starting: freeze window %llu ms, hooks time out after %llu ms (%s on failure)",
		 cfg.window_ms, cfg.hook_timeout_ms, cfg.hook_abort ? "abort" : "continue");
	status = vssd_run(&d);
	conf_free(conf);
	return status;

usage_error:
	usage(stderr, name);
	conf_free(conf);
	return EXIT_USAGE;
}
