/* SPDX-License-Identifier: MIT */
/*
 * test-hv-fcopyd-uio.c - the UIO transport end to end inside one test: hv-sim's fcopy-uio
 * host (src/hv-sim/sim_fcopy_uio.c, compiled in here) against the daemon's loop in a child
 * process, over a fake sysfs, a ring file and an interrupt socket.
 *
 * Run with arguments ("host ARGS...") it is the fcopy-uio host alone, for the e2e scripts
 * until hv-sim's own main dispatches "hv-sim fcopy-uio".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/hv-sim/sim_fcopy_uio.c"
#include "fcopyd_run.h"
#include "log.h"
#include "tap.h"

static char root[PATH_MAX], sysfs[PATH_MAX + 8], dev[PATH_MAX + 8], irq[PATH_MAX + 32],
	dst[PATH_MAX + 8];

static pid_t start_daemon(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Never outlive the test, whatever happens to it. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct fcopyd_opts o = { .transport = FCOPYD_UIO,
					 .device_fd = -1,
					 .sysfs = sysfs,
					 .dev = dev,
					 .uio_irq = irq,
					 .timeout_ms = 5000 };

		fcopyd_policy_init(&o.policy);
		if (fcopyd_policy_allow(&o.policy, dst) < 0)
			_exit(3);
		log_init("hv-fcopyd", LOG_SINK_STDERR, 0);
		_exit(fcopyd_run(&o) < 0 ? 1 : 0);
	}
	return pid;
}

static int host(char **extra)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"fcopy-uio";
	argv[argc++] = (char *)"-q";
	argv[argc++] = (char *)"--root";
	argv[argc++] = root;
	for (size_t i = 0; extra[i]; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	return sim_fcopy_uio_main(argc, argv);
}

static int file_equals(const char *path, const void *want, size_t len)
{
	char *got = NULL;
	size_t n = 0;
	int r = fs_read_file_at(AT_FDCWD, path, 1u << 20, &got, &n);

	r = r == 0 && n == len && memcmp(got, want, len) == 0;
	free(got);
	return r;
}

int main(int argc, char **argv)
{
	char src[PATH_MAX + 8], want[PATH_MAX + 64], cmd[PATH_MAX * 3];
	uint8_t data[20000];
	pid_t pid;
	int st;

	if (argc > 1 && streq(argv[1], "host"))
		return sim_fcopy_uio_main(argc - 1, argv + 1);

	snprintf(root, sizeof(root), "%s/fcopyd-uio.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(root))
		return 1;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", root);
	snprintf(dev, sizeof(dev), "%s/dev", root);
	snprintf(irq, sizeof(irq), "%s/dev/uio0.irq", root);
	snprintf(dst, sizeof(dst), "%s/dst", root);
	snprintf(src, sizeof(src), "%s/src", root);
	CHECK_INT(mkdir(dst, 0755), 0, "made the destination");
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	{
		int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		CHECK(fd >= 0 && fs_write_all(fd, data, sizeof(data)) == 0 && close(fd) == 0,
		      "made the source");
	}
	CHECK_INT(host((char *[]){ "--setup-only", NULL }), 0, "host built the tree");

	pid = start_daemon();
	CHECK(pid > 0, "daemon started");

	snprintf(cmd, sizeof(cmd), "copy src=%s path=%s name=\xf0\x9f\x98\x80-caf\xc3\xa9", src,
		 dst);
	CHECK_INT(host((char *[]){ "-e", cmd, "-e", "expect status=HV_S_OK", NULL }), 0,
		  "copy with an astral and a non-ASCII character in the name");
	snprintf(want, sizeof(want), "%s/\xf0\x9f\x98\x80-caf\xc3\xa9", dst);
	CHECK(file_equals(want, data, sizeof(data)), "copied file has the same bytes");

	CHECK_INT(
		host((char *[]){ "-e", cmd, "-e", "expect status=HV_ERROR_ALREADY_EXISTS", NULL }),
		0, "second copy without the overwrite flag is refused");
	snprintf(cmd, sizeof(cmd), "start path=%s name=x name-hex=3dd8410000 size=1", dst);
	CHECK_INT(host((char *[]){ "-e", cmd, "-e", "expect status=HV_INVALIDARG", NULL }), 0,
		  "a lone surrogate in the name is refused");
	snprintf(cmd, sizeof(cmd), "start path=%s name=partial size=100", dst);
	CHECK_INT(host((char *[]){ "-e", cmd, "-e", "write offset=0 text=hello", "-e", "vanish",
				   NULL }),
		  0, "host vanishes in the middle of a copy");
	snprintf(cmd, sizeof(cmd), "copy src=%s path=%s name=after", src, dst);
	CHECK_INT(host((char *[]){ "-e", cmd, "-e", "expect status=HV_S_OK", NULL }), 0,
		  "the daemon reconnects and copies again");
	snprintf(want, sizeof(want), "%s/partial", dst);
	CHECK(access(want, F_OK) != 0, "no partial file is left after the host vanished");
	{
		DIR *dp = opendir(dst);
		struct dirent *e;
		int tmps = 0;

		while (dp && (e = readdir(dp)))
			if (strncmp(e->d_name, ".hv-fcopyd.", 11) == 0)
				tmps++;
		if (dp)
			closedir(dp);
		CHECK_INT(tmps, 0, "no temporary file is left behind");
	}

	CHECK_INT(kill(pid, SIGTERM), 0, "stop the daemon");
	CHECK_INT(waitpid(pid, &st, 0), pid, "daemon reaped");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "daemon exited cleanly (status 0x%x)", st);
	{
		char *rm[] = { (char *)"rm", (char *)"-rf", "--", root, NULL };
		pid_t p = fork();

		if (p == 0) {
			execvp("rm", rm);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	return tap_done();
}
