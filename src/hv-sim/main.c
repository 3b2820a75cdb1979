/* SPDX-License-Identifier: MIT */
/*
 * main.c - hv-sim, the simulated Hyper-V host: command line, subcommands (responder, ctl,
 * fcopy-uio), then scenario and control-socket runs on a sim_host.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fs.h"
#include "sim_dev.h"
#include "sim_host.h"
#include "sim_msg.h"
#include "sim_sandbox.h"
#include "sim_scn.h"
#include "sim_tools.h"
#include "util.h"

/*
 * The UIO file-copy simulator lives in sim_fcopy_uio.[ch] (another area's files).  It is
 * dispatched to when both files are there; without the .c file hv-sim says so at run time.
 */
#if defined(__has_include)
#if __has_include("sim_fcopy_uio.h") && __has_include("sim_fcopy_uio.c")
#include "sim_fcopy_uio.h"
#define HAVE_FCOPY_UIO 1
#endif
#endif

#define EXIT_USAGE   2
#define SCN_FILE_MAX (64u << 20)

static const char usage_line[] =
	"usage: hv-sim [-hqtVv] [-e command] [-s service] [--control path] [--fd n]\n"
	"              [--freeze-timeout ms] [--fuse dir | --listen path | --sandbox]\n"
	"              [--no-fd-arg] [--register-timeout ms] [--state-dir dir] [--timeout ms]\n"
	"              [scenario] [-- daemon [arg ...]]\n"
	"       hv-sim responder -s service (--device-fd n | --device path)\n"
	"       hv-sim ctl path command ...\n"
#ifdef HAVE_FCOPY_UIO
	"       hv-sim fcopy-uio ...\n"
#endif
	;

static const char option_help[] =
	"  -s, --service NAME        kvp, vss or fcopy (default: from the scenario)\n"
	"  -e, --execute COMMAND     one scenario line (repeatable, after the scenario file)\n"
	"      --fuse DIR            serve the device file DIR/hv_<service> through FUSE\n"
	"      --sandbox             FUSE on /dev/vmbus in a private mount namespace\n"
	"      --state-dir DIR       with --sandbox: bind DIR on /var/lib/hyperv\n"
	"      --listen PATH         a SOCK_SEQPACKET socket the daemon connects to\n"
	"      --fd N                socket mode: the daemon's descriptor (default 3)\n"
	"      --no-fd-arg           socket mode: do not append --device-fd N\n"
	"      --control PATH        take commands on a unix stream socket\n"
	"      --timeout MS          request timeout (default 30000)\n"
	"      --freeze-timeout MS   VSS freeze timeout (default 900000)\n"
	"      --register-timeout MS wait for a registration (default 55000)\n"
	"  -t, --tap                 one TAP line per command\n"
	"  -q, --quiet               print failures only\n"
	"  -v, --verbose             print every command and outcome on stderr\n"
	"  -h, --help                this text\n"
	"  -V, --version             the version\n"
	"responder options: -s, --service NAME; --device PATH; --device-fd N\n";

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hv-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_line, stderr);
	exit(EXIT_USAGE);
}

static uint64_t parse_ms(const char *opt, const char *s)
{
	uint64_t v;

	if (scn_parse_time(s, &v) < 0 || v == 0)
		usage_error("a time in milliseconds (e.g. 500, 2s) is needed, not '%s'", s);
	(void)opt;
	return v;
}

static int parse_fd(const char *s)
{
	unsigned long long v;

	if (parse_uint(s, 1023, &v) < 0)
		usage_error("'%s' is not a descriptor number", s);
	return (int)v;
}

static enum sim_service parse_service(const char *s)
{
	int r = sim_service_parse(s);

	if (r < 0)
		usage_error("unknown service '%s' (kvp, vss or fcopy)", s);
	return (enum sim_service)r;
}

static int responder_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "service", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "device-fd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int fd = -1, c, service = -1, r;
	char err[256];

	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			service = (int)parse_service(optarg);
			break;
		case 'd':
			path = optarg;
			break;
		case 'f':
			fd = parse_fd(optarg);
			break;
		case 'h':
			fputs(usage_line, stdout);
			return 0;
		default:
			fputs(usage_line, stderr);
			return EXIT_USAGE;
		}
	}
	if (service < 0)
		usage_error("responder: -s %s is required", "kvp|vss|fcopy");
	if ((fd < 0) == !path)
		usage_error("responder: give exactly one of --device-fd and --device%s", "");
	fd = sim_device_open(path, fd);
	if (fd < 0) {
		fprintf(stderr, "hv-sim responder: cannot open '%s': %s\n", path, strerror(-fd));
		return 1;
	}
	r = sim_responder_run(fd, (enum sim_service)service, err, sizeof(err));
	close(fd);
	if (r < 0) {
		fprintf(stderr, "hv-sim responder: %s\n", err);
		return 1;
	}
	return 0;
}

static int ctl_main(int argc, char **argv)
{
	char *line;
	size_t len = 0;
	int r;

	if (argc < 3)
		usage_error("ctl: a socket path and a command are needed%s", "");
	for (int i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	line = calloc(1, len + 1);
	if (!line)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (i > 2)
			memcpy(line + strlen(line), " ", 2);
		memcpy(line + strlen(line), argv[i], strlen(argv[i]) + 1);
	}
	r = sim_ctl_run(argv[1], line);
	free(line);
	return r;
}

/* Append the -e lines to the scenario, numbered -e:N. */
static int parse_scenarios(const char *file, char **exec_lines, size_t nexec, enum sim_service *svc,
			   bool have_svc, struct sim_scn *scn, struct sim_scn *extra)
{
	char err[SCN_ERR_MAX];
	int r;

	if (file) {
		char *text;
		size_t len;

		r = fs_read_file_at(AT_FDCWD, streq(file, "-") ? "/dev/stdin" : file, SCN_FILE_MAX,
				    &text, &len);
		if (r < 0) {
			fprintf(stderr, "hv-sim: cannot read scenario '%s': %s\n", file,
				strerror(-r));
			return 1;
		}
		r = scn_parse(text, len, scn, err, sizeof(err));
		free(text);
		if (r < 0) {
			fprintf(stderr, "hv-sim: %s:%s\n", file, err);
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < nexec; i++) {
		struct sim_cmd cmd;

		r = scn_parse_line(exec_lines[i], strlen(exec_lines[i]), (unsigned int)i + 1, &cmd,
				   err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "hv-sim: -e:%zu: %s\n", i + 1, err);
			return EXIT_USAGE;
		}
		if (r == 0)
			continue;
		struct sim_cmd *p = realloc(extra->cmds, (extra->n + 1) * sizeof(*p));
		if (!p) {
			sim_cmd_release(&cmd);
			return 1;
		}
		extra->cmds = p;
		extra->cmds[extra->n++] = cmd;
	}
	if (have_svc)
		return 0;
	/* the service of the first request decides */
	for (int pass = 0; pass < 2; pass++) {
		const struct sim_scn *s = pass == 0 ? scn : extra;

		for (size_t i = 0; i < s->n; i++) {
			const char *t = s->cmds[i].text;

			while (*t == ' ' || *t == '\t')
				t++;
			if (strncmp(t, "kvp ", 4) == 0 || strncmp(t, "vss ", 4) == 0 ||
			    strncmp(t, "fcopy ", 6) == 0) {
				char w[8];

				snprintf(w, sizeof(w), "%.*s", (int)strcspn(t, " \t"), t);
				*svc = (enum sim_service)sim_service_parse(w);
				return 0;
			}
		}
	}
	usage_error("no service: give -s kvp, vss or fcopy%s", "");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		/* clang-format off */
		{ "service",          required_argument, NULL, 's' },
		{ "execute",          required_argument, NULL, 'e' },
		{ "fuse",             required_argument, NULL, 'F' },
		{ "sandbox",          no_argument,       NULL, 'S' },
		{ "state-dir",        required_argument, NULL, 'D' },
		{ "listen",           required_argument, NULL, 'L' },
		{ "fd",               required_argument, NULL, 'N' },
		{ "no-fd-arg",        no_argument,       NULL, 'A' },
		{ "control",          required_argument, NULL, 'C' },
		{ "timeout",          required_argument, NULL, 'T' },
		{ "freeze-timeout",   required_argument, NULL, 'Z' },
		{ "register-timeout", required_argument, NULL, 'R' },
		{ "tap",              no_argument,       NULL, 't' },
		{ "quiet",            no_argument,       NULL, 'q' },
		{ "verbose",          no_argument,       NULL, 'v' },
		{ "help",             no_argument,       NULL, 'h' },
		{ "version",          no_argument,       NULL, 'V' },
		{ NULL,               0,                 NULL, 0 },
		/* clang-format on */
	};
	struct sim_opts o = {
		.mode = SIM_MODE_SOCKET,
		.timeout_ms = SIM_TIMEOUT_MS,
		.freeze_timeout_ms = SIM_FREEZE_TIMEOUT_MS,
		.register_timeout_ms = 55000,
		.fdnum = 3,
	};
	struct sim_scn scn = { 0 }, extra = { 0 };
	/* static: exit() from the option parser (-h, usage errors) must not count as a leak */
	static char **exec_lines;
	char err[512];
	const char *scenario = NULL, *control = NULL, *state_dir = NULL;
	bool have_svc = false, sandbox = false;
	size_t nexec = 0;
	struct sim_host *h;
	int c, status = 0, r;

	if (argc > 1 && streq(argv[1], "responder"))
		return responder_main(argc - 1, argv + 1);
	if (argc > 1 && streq(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (argc > 1 && streq(argv[1], "fcopy-uio")) {
#ifdef HAVE_FCOPY_UIO
		return sim_fcopy_uio_main(argc - 1, argv + 1);
#else
		fputs("hv-sim: this build has no UIO file-copy simulator\n", stderr);
		return EXIT_USAGE;
#endif
	}

	/* Options may come before or after the scenario; everything after "--" is the daemon. */
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--")) {
			o.daemon_argv = argv + i + 1;
			argc = i;
			break;
		}
	}
	exec_lines = calloc((size_t)argc, sizeof(*exec_lines));
	if (!exec_lines)
		return 1;
	while ((c = getopt_long(argc, argv, "s:e:tqvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.service = parse_service(optarg);
			have_svc = true;
			break;
		case 'e':
			exec_lines[nexec++] = optarg;
			break;
		case 'F':
			if (o.mode != SIM_MODE_SOCKET)
				usage_error("only one of --fuse, --listen, --sandbox%s", "");
			o.mode = SIM_MODE_FUSE;
			o.fuse_dir = optarg;
			break;
		case 'S':
			if (o.mode != SIM_MODE_SOCKET)
				usage_error("only one of --fuse, --listen, --sandbox%s", "");
			o.mode = SIM_MODE_FUSE;
			o.fuse_dir = SIM_SANDBOX_DEVDIR;
			o.sandbox = true;
			sandbox = true;
			break;
		case 'D':
			state_dir = optarg;
			break;
		case 'L':
			if (o.mode != SIM_MODE_SOCKET)
				usage_error("only one of --fuse, --listen, --sandbox%s", "");
			o.mode = SIM_MODE_LISTEN;
			o.listen_path = optarg;
			break;
		case 'N':
			o.fdnum = parse_fd(optarg);
			if (o.fdnum < 3)
				usage_error("--fd %s: 0, 1 and 2 are stdin, stdout and stderr",
					    optarg);
			break;
		case 'A':
			o.no_fd_arg = true;
			break;
		case 'C':
			control = optarg;
			break;
		case 'T':
			o.timeout_ms = parse_ms("--timeout", optarg);
			break;
		case 'Z':
			o.freeze_timeout_ms = parse_ms("--freeze-timeout", optarg);
			break;
		case 'R':
			o.register_timeout_ms = parse_ms("--register-timeout", optarg);
			break;
		case 't':
			o.tap = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'h':
			fputs(usage_line, stdout);
			fputs(option_help, stdout);
			return 0;
		case 'V':
			puts("hv-sim " HVGUEST_VERSION);
			return 0;
		default:
			fputs(usage_line, stderr);
			return EXIT_USAGE;
		}
	}
	if (state_dir && !sandbox)
		usage_error("--state-dir %s needs --sandbox", state_dir);
	if (optind < argc)
		scenario = argv[optind];
	if (optind + 1 < argc)
		usage_error("unexpected argument '%s' (the daemon goes after --)",
			    argv[optind + 1]);
	if (o.daemon_argv && !o.daemon_argv[0])
		o.daemon_argv = NULL;
	if (o.mode == SIM_MODE_SOCKET && !o.daemon_argv)
		usage_error("socket mode needs a daemon command after --%s", "");
	if (!scenario && nexec == 0 && !control)
		usage_error("nothing to do: give a scenario, -e lines or --control%s", "");

	status = parse_scenarios(scenario, exec_lines, nexec, &o.service, have_svc || control, &scn,
				 &extra);
	if (status != 0)
		goto out;

	if (control) {
		/* a shell test that dies must not leave hv-sim (and its mounts) behind */
		pid_t parent = getppid();

		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent) {
			fputs("hv-sim: the parent process is gone\n", stderr);
			status = 1;
			goto out;
		}
	}
	if (sandbox) {
		r = sim_sandbox_enter(state_dir, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "hv-sim: sandbox: %s\n", err);
			status = 1;
			goto out;
		}
	}
	h = sim_host_new(&o, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "hv-sim: %s\n", err);
		status = 1;
		goto out;
	}
	if (sim_host_start(h, err, sizeof(err)) < 0) {
		fprintf(stderr, "hv-sim: %s\n", err);
		status = 1;
		goto out_host;
	}
	status = sim_host_run(h, &scn, scenario ? scenario : "-");
	if (status == 0)
		status = sim_host_run(h, &extra, "-e");
	if (status == 0 && control && !sim_host_done(h))
		status = sim_host_control(h, control);
	if (o.tap) {
		printf("1..%u\n", sim_host_tap_count(h));
	}
out_host:
	sim_host_free(h);
out:
	scn_release(&scn);
	scn_release(&extra);
	free(exec_lines);
	return status;
}
