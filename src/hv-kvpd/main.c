/* SPDX-License-Identifier: MIT */
/*
 * main.c - hv-kvpd, the Hyper-V key-value exchange daemon: options, configuration, setup,
 * then the loop.  Started as "hv_kvp_daemon" (the reference daemon's name, by a link) it
 * keeps that name in ps and accepts the reference flags, so existing units and the Azure
 * agent's process check keep working.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "conf.h"
#include "ipcfg.h"
#include "kvpd.h"
#include "log.h"
#include "sys.h"
#include "util.h"

#define PROGRAM    "hv-kvpd"
#define REF_NAME   "hv_kvp_daemon"
#define EXIT_USAGE 2

struct options {
	bool foreground;
	bool no_fsync;
	int verbosity;
	const char *device;
	int device_fd;
	const char *state_dir;
	const char *config;
	const char *root;
	/* [ip] overrides (docs/ip-injection.md); applied after the configuration file */
	const char *ip_exclude[IPCFG_EXCLUDE_MAX];
	size_t n_ip_exclude;
	bool ip_dry_run;
	bool ip_no_activate;
	bool ip_backend_set;
	enum ipcfg_backend ip_backend;
	bool ip_rollback_set;
	unsigned int ip_rollback_ms;
	const char *ip_set_script;
	const char *ip_backup_dir;
};

static void usage(FILE *f, const char *name)
{
	fprintf(f,
		"usage: %s [-dhnVv] [--no-fsync] [--device PATH | --device-fd N]\n"
		"       [--state-dir DIR] [--config FILE] [--root DIR]\n"
		"       [--ip-exclude PATTERN]... [--ip-dry-run] [--ip-no-activate]\n"
		"       [--ip-backend NAME] [--ip-rollback-ms MS] [--ip-set-script PATH]\n"
		"       [--ip-backup-dir DIR]\n",
		name);
}

static void help(const char *name)
{
	usage(stdout, name);
	printf("\nThe Hyper-V key-value pair exchange daemon.\n\n"
	       "  -n, --no-daemon      stay in the foreground, log to stderr\n"
	       "  -d, --debug          debug messages (the reference's -d), same as -v\n"
	       "  -v, --verbose        debug messages\n"
	       "      --device PATH    the KVP device (default %s)\n"
	       "      --device-fd N    use the inherited descriptor N as the device\n"
	       "      --state-dir DIR  where the pool files are (default %s)\n"
	       "      --config FILE    configuration file (default %s), section [kvpd]\n"
	       "      --no-fsync       reply before pool writes reach stable storage\n"
	       "      --root DIR       read os-release and network files below DIR\n"
	       "\nIP injection (SET_IP_INFO), each overrides the [ip] key of the same name:\n"
	       "      --ip-exclude PATTERN  leave this interface alone (name, fnmatch pattern\n"
	       "                            or MAC); repeatable, added to [ip] exclude\n"
	       "      --ip-dry-run          validate and preview, change nothing\n"
	       "      --ip-no-activate      write the files only, do not apply them now\n"
	       "      --ip-backend NAME     auto, nm, netplan, networkd, ifcfg, ifupdown,\n"
	       "                            live or script\n"
	       "      --ip-rollback-ms MS   undo when the new gateway does not answer within\n"
	       "                            MS (at most %u; 0 is off)\n"
	       "      --ip-set-script PATH  run this hv_set_ifconfig (absolute path; opt-in)\n"
	       "      --ip-backup-dir DIR   where replaced files are kept (absolute path)\n\n"
	       "  -h, --help           this help\n"
	       "  -V, --version        the version\n",
	       KVPD_DEFAULT_DEVICE, KVPD_DEFAULT_STATE, CONF_DEFAULT_PATH, IPCFG_ROLLBACK_MAX_MS);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

enum {
	OPT_DEVICE = 256,
	OPT_DEVICE_FD,
	OPT_STATE_DIR,
	OPT_CONFIG,
	OPT_NO_FSYNC,
	OPT_ROOT,
	OPT_IP_EXCLUDE,
	OPT_IP_DRY_RUN,
	OPT_IP_NO_ACTIVATE,
	OPT_IP_BACKEND,
	OPT_IP_ROLLBACK_MS,
	OPT_IP_SET_SCRIPT,
	OPT_IP_BACKUP_DIR,
};

/* The IP options, checked here so that a bad one stops the daemon before it starts. */
static int parse_ip_arg(int c, const char *arg, const char *name, struct options *o)
{
	unsigned long long v;

	switch (c) {
	case OPT_IP_EXCLUDE:
		if (!arg[0] || o->n_ip_exclude >= IPCFG_EXCLUDE_MAX) {
			fprintf(stderr, "%s: --ip-exclude: %s\n", name,
				arg[0] ? "too many patterns" : "empty pattern");
			return -EINVAL;
		}
		o->ip_exclude[o->n_ip_exclude++] = arg;
		return 0;
	case OPT_IP_DRY_RUN:
		o->ip_dry_run = true;
		return 0;
	case OPT_IP_NO_ACTIVATE:
		o->ip_no_activate = true;
		return 0;
	case OPT_IP_BACKEND:
		if (ipcfg_backend_parse(arg, &o->ip_backend) < 0) {
			fprintf(stderr, "%s: bad --ip-backend '%s'\n", name, arg);
			return -EINVAL;
		}
		o->ip_backend_set = true;
		return 0;
	case OPT_IP_ROLLBACK_MS:
		if (parse_uint(arg, IPCFG_ROLLBACK_MAX_MS, &v) < 0) {
			fprintf(stderr, "%s: bad --ip-rollback-ms '%s' (0 to %u)\n", name, arg,
				IPCFG_ROLLBACK_MAX_MS);
			return -EINVAL;
		}
		o->ip_rollback_ms = (unsigned int)v;
		o->ip_rollback_set = true;
		return 0;
	case OPT_IP_SET_SCRIPT:
	case OPT_IP_BACKUP_DIR:
		if (arg[0] != '/') {
			fprintf(stderr, "%s: %s needs an absolute path, not '%s'\n", name,
				c == OPT_IP_SET_SCRIPT ? "--ip-set-script" : "--ip-backup-dir",
				arg);
			return -EINVAL;
		}
		if (c == OPT_IP_SET_SCRIPT)
			o->ip_set_script = arg;
		else
			o->ip_backup_dir = arg;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Put the IP options over what section [ip] of the configuration file said. */
static int apply_ip_opts(struct ipcfg_opts *ipo, const struct options *o, char *err,
			 size_t err_size)
{
	for (size_t i = 0; i < o->n_ip_exclude; i++)
		if (ipcfg_opts_exclude(ipo, o->ip_exclude[i]) < 0) {
			(void)snprintf(err, err_size,
				       "more than %u exclude patterns in [ip] and --ip-exclude",
				       IPCFG_EXCLUDE_MAX);
			return -EINVAL;
		}
	if (o->ip_dry_run)
		ipo->dry_run = true;
	if (o->ip_no_activate)
		ipo->activate = false;
	if (o->ip_backend_set)
		ipo->backend = o->ip_backend;
	if (o->ip_rollback_set)
		ipo->rollback_ms = o->ip_rollback_ms;
	if (o->ip_set_script)
		ipo->set_script = o->ip_set_script;
	if (o->ip_backup_dir)
		ipo->backup_dir = o->ip_backup_dir;
	return 0;
}

static int parse_args(int argc, char **argv, const char *name, struct options *o)
{
	static const struct option longopts[] = {
		{ "no-daemon", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "debug-enabled", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "device-fd", required_argument, NULL, OPT_DEVICE_FD },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-fsync", no_argument, NULL, OPT_NO_FSYNC },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "ip-exclude", required_argument, NULL, OPT_IP_EXCLUDE },
		{ "ip-dry-run", no_argument, NULL, OPT_IP_DRY_RUN },
		{ "ip-no-activate", no_argument, NULL, OPT_IP_NO_ACTIVATE },
		{ "ip-backend", required_argument, NULL, OPT_IP_BACKEND },
		{ "ip-rollback-ms", required_argument, NULL, OPT_IP_ROLLBACK_MS },
		{ "ip-set-script", required_argument, NULL, OPT_IP_SET_SCRIPT },
		{ "ip-backup-dir", required_argument, NULL, OPT_IP_BACKUP_DIR },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "ndvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->foreground = true;
			break;
		case 'd':
		case 'v':
			o->verbosity = 1;
			break;
		case 'h':
			help(name);
			exit(0);
		case 'V':
			printf("%s %s\n", PROGRAM, HVGUEST_VERSION);
			exit(0);
		case OPT_DEVICE:
			o->device = optarg;
			break;
		case OPT_DEVICE_FD:
			if (parse_uint(optarg, 1u << 20, &v) < 0) {
				fprintf(stderr, "%s: bad --device-fd '%s'\n", name, optarg);
				return -EINVAL;
			}
			o->device_fd = (int)v;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_NO_FSYNC:
			o->no_fsync = true;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_IP_EXCLUDE:
		case OPT_IP_DRY_RUN:
		case OPT_IP_NO_ACTIVATE:
		case OPT_IP_BACKEND:
		case OPT_IP_ROLLBACK_MS:
		case OPT_IP_SET_SCRIPT:
		case OPT_IP_BACKUP_DIR:
			if (parse_ip_arg(c, optarg ? optarg : "", name, o) < 0)
				return -EINVAL;
			break;
		default:
			usage(stderr, name);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name, argv[optind]);
		usage(stderr, name);
		return -EINVAL;
	}
	if (o->device && o->device_fd >= 0) {
		fprintf(stderr, "%s: --device and --device-fd exclude each other\n", name);
		return -EINVAL;
	}
	return 0;
}

static int check_key(const char *key, const char *value, unsigned int line, void *data)
{
	static const char *const known[] = { "device", "state_dir", "fsync" };
	const char *path = *(const char **)data;

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (streq(key, known[i]))
			return 0;
	fprintf(stderr, "%s:%u: unknown key '%s' in section [kvpd]\n", path, line, key);
	return -EINVAL;
}

/* Section [kvpd]: device, state_dir, fsync.  Options given on the command line win. */
static int apply_conf(const struct conf *cf, const char *path, struct options *o, bool *fsync)
{
	const char *s;
	int r;

	r = conf_foreach(cf, "kvpd", check_key, &path);
	if (r < 0)
		return r;
	s = conf_get(cf, "kvpd", "device");
	if (s && !o->device && o->device_fd < 0)
		o->device = s;
	s = conf_get(cf, "kvpd", "state_dir");
	if (s && !o->state_dir)
		o->state_dir = s;
	r = conf_get_bool(cf, "kvpd", "fsync", true, fsync);
	if (r < 0) {
		fprintf(stderr, "%s: kvpd.fsync: not a boolean\n", path);
		return r;
	}
	if (o->no_fsync)
		*fsync = false;
	return 0;
}

/*
 * For tests/e2e/hv-kvpd/crash.sh only: HVKVPD_TEST_SLOW_WRITES=USEC splits every pool and
 * journal write in two with a pause between them (lib/sys.h), so that a SIGKILL lands inside
 * a change far more often than by chance.  Ignored when set-uid or when not a number.
 */
static void test_hooks(void)
{
	const char *s = secure_getenv("HVKVPD_TEST_SLOW_WRITES");
	unsigned long long usec;

	if (s && parse_uint(s, 1000000, &usec) == 0)
		sys_set_slow_writes((unsigned int)usec);
}

int main(int argc, char **argv)
{
	struct options o = { .device_fd = -1 };
	struct kvpd_opts ko = { 0 };
	const char *name = base_name(argv[0] ? argv[0] : PROGRAM);
	struct conf *cf = NULL;
	static struct kvpd d;
	char err[512];
	bool fsync_on = true;
	int r;

	if (!streq(name, REF_NAME))
		name = PROGRAM;
	/* Our name in ps/comm, so the Azure agent's process check finds hv_kvp_daemon. */
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);

	if (parse_args(argc, argv, name, &o) < 0)
		return EXIT_USAGE;
	test_hooks();

	r = conf_load(o.config ? o.config : CONF_DEFAULT_PATH, &cf, err, sizeof(err));
	if (r == -ENOENT && !o.config) {
		cf = conf_new_empty();
		r = cf ? 0 : -ENOMEM;
	}
	if (r < 0) {
		if (r == -EINVAL)
			fprintf(stderr, "%s: %s\n", name, err);
		else
			fprintf(stderr, "%s: cannot read '%s': %s\n", name,
				o.config ? o.config : CONF_DEFAULT_PATH, strerror(-r));
		return 1;
	}
	if (apply_conf(cf, o.config ? o.config : CONF_DEFAULT_PATH, &o, &fsync_on) < 0) {
		conf_free(cf);
		return 1;
	}

	if (!o.foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "%s: cannot daemonize: %s\n", name, strerror(errno));
		conf_free(cf);
		return 1;
	}
	log_init(name, o.foreground ? LOG_SINK_STDERR : LOG_SINK_SYSLOG, o.verbosity);

	ko.device = o.device ? o.device : KVPD_DEFAULT_DEVICE;
	ko.device_fd = o.device_fd;
	ko.state_dir = o.state_dir ? o.state_dir : KVPD_DEFAULT_STATE;
	ko.root = o.root;
	ko.fsync = fsync_on;
	ko.notify = true;

	if (kvpd_init(&d, &ko) < 0) {
		kvpd_release(&d);
		conf_free(cf);
		return 1;
	}
	r = kvpd_ip_init(&d, cf, o.root, err, sizeof(err));
	if (r == 0)
		r = apply_ip_opts(d.ip, &o, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL)
			log_err("%s", err);
		else
			log_err_errno(r, "cannot set up IP configuration");
		kvpd_release(&d);
		conf_free(cf);
		return 1;
	}
	log_info("starting, pools in '%s'%s", ko.state_dir,
		 ko.fsync ? "" : ", replies before the disk sync");

	r = kvpd_run(&d);

	kvpd_release(&d);
	conf_free(cf);
	return r < 0 ? 1 : 0;
}
