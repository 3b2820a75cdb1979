/* SPDX-License-Identifier: MIT */
/*
 * test-hv-vssd-hooks.c - hook discovery (name order, refused files, package leftovers) and the
 * runner (argument, exit status, output capture, kill at the timeout with the process group,
 * signal mask reset); and the [vssd] configuration keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fs.h"
#include "tap.h"
#include "vssd.h"

static char dir[] = "/tmp/hvguest-vssd-hooks-XXXXXX";

static void put(const char *name, const char *body, mode_t mode)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(body, f);
	fclose(f);
	if (chmod(path, mode) < 0)
		abort();
}

/* True once 'pid' is gone or a zombie (waits a bounded while for the kill to land). */
static bool gone(pid_t pid)
{
	for (int i = 0; i < 400; i++) {
		char path[64], *buf = NULL;
		bool dead;

		(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (fs_read_file_at(AT_FDCWD, path, 4096, &buf, NULL) < 0)
			return true;
		dead = strstr(buf, ") Z ") != NULL;
		free(buf);
		if (dead)
			return true;
		usleep(10000);
	}
	return false;
}

static const struct {
	const char *text;
	int ok;
	const char *what;
} confs[] = {
	{ "[vssd]\nfreeze_timeout = 5\nhook_timeout = 2\nhook_failure = abort\n", 0, "valid" },
	{ "[vssd]\nfreeze_timeout = 0\n", -EINVAL, "zero window" },
	{ "[vssd]\nfreeze_timeout = 901\n", -EINVAL, "window over the kernel's 900 s" },
	{ "[vssd]\nhook_failure = maybe\n", -EINVAL, "bad policy" },
	{ "[vssd]\nbogus = 1\n", -EINVAL, "unknown key" },
	{ "[vssd]\nlegacy_hooks = perhaps\n", -EINVAL, "bad boolean" },
	{ "[kvpd]\nbogus = 1\n", 0, "other sections are not ours" },
};

int main(void)
{
	struct vssd_hooks hs = { .n = 0 };
	struct vssd_hook_skip sk[8];
	struct vssd_hook_result res;
	size_t nsk = 0;
	char path[256];
	int r;

	if (!mkdtemp(dir))
		abort();
	put("20-b", "#!/bin/sh\necho \"b $1\"\nexit 3\n", 0755);
	put("10-a", "#!/bin/sh\necho \"a $1\"\ngrep SigBlk /proc/self/status\n", 0755);
	put("30-open", "#!/bin/sh\n", 0777);
	put("40-noexec", "#!/bin/sh\n", 0644);
	put("10-a.dpkg-old", "#!/bin/sh\n", 0755);
	put(".hidden", "#!/bin/sh\n", 0755);
	put("50-hang", "#!/bin/sh\nsleep 300 &\necho $! > \"$0.child\"\nwait\n", 0755);

	r = vssd_hooks_scan(&hs, dir, VSSD_HOOK_VMWARE, sk, ARRAY_SIZE(sk), &nsk);
	CHECK_INT(r, 0, "scan");
	CHECK_INT(hs.n, 3, "three hooks accepted");
	CHECK(hs.n == 3 && strstr(hs.h[0].path, "/10-a") && strstr(hs.h[1].path, "/20-b") &&
		      strstr(hs.h[2].path, "/50-hang"),
	      "in name order");
	CHECK_INT(nsk, 2, "two refused");
	CHECK(nsk == 2 && strstr(sk[0].path, "30-open") &&
		      streq(sk[0].why, "writable by group or others"),
	      "world-writable refused");
	CHECK(nsk == 2 && strstr(sk[1].path, "40-noexec") && streq(sk[1].why, "not executable"),
	      "not executable refused");
	CHECK_INT(vssd_hooks_scan(&hs, "/nonexistent/hooks", VSSD_HOOK_OURS, sk, 8, &nsk), 0,
		  "a missing folder is no error");

	CHECK_STR(vssd_hook_arg(VSSD_HOOK_VMWARE, VSSD_PHASE_FREEZE_FAIL), "freezeFail",
		  "open-vm-tools: freezeFail");
	CHECK_STR(vssd_hook_arg(VSSD_HOOK_QEMU, VSSD_PHASE_FREEZE_FAIL), "thaw", "qemu: thaw");
	CHECK_STR(vssd_hook_arg(VSSD_HOOK_OURS, VSSD_PHASE_THAW), "thaw", "ours: thaw");

	/* The runner, with signals blocked in the caller as in the daemon. */
	{
		sigset_t mask;

		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGCHLD);
		sigprocmask(SIG_BLOCK, &mask, NULL);
	}
	(void)snprintf(path, sizeof(path), "%s/10-a", dir);
	CHECK_INT(vssd_hook_run(path, "freeze", 10000, &res), 0, "a hook that exits 0");
	CHECK(strstr(res.output, "a freeze\n") != NULL, "its argument and output");
	CHECK(strstr(res.output, "SigBlk:\t0000000000000000") != NULL, "empty signal mask");
	(void)snprintf(path, sizeof(path), "%s/20-b", dir);
	CHECK_INT(vssd_hook_run(path, "thaw", 10000, &res), -ECHILD, "a hook that exits 3");
	CHECK_INT(res.status, 3, "exit status kept");
	(void)snprintf(path, sizeof(path), "%s/50-hang", dir);
	CHECK_INT(vssd_hook_run(path, "freeze", 300, &res), -ETIMEDOUT, "a hanging hook times out");
	CHECK(res.timed_out && res.signal == SIGKILL, "killed with SIGKILL");
	{
		char cpath[300], *buf = NULL;
		long pid = 0;
		FILE *f;

		(void)snprintf(cpath, sizeof(cpath), "%s.child", path);
		f = fopen(cpath, "r");
		if (f) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		CHECK(pid > 0 && gone((pid_t)pid), "its child died with its process group");
		unlink(cpath);
		free(buf);
	}
	/* glibc reports the failed exec as the spawn's error; under valgrind the child exits 127.
	 */
	r = vssd_hook_run("/nonexistent/hook", "freeze", 1000, &res);
	CHECK(r == -ENOENT || (r == -ECHILD && res.status == 127),
	      "a missing hook: the spawn error or exit 127 (got %d, status %d)", r, res.status);

	for (size_t i = 0; i < ARRAY_SIZE(confs); i++) {
		char cpath[300], err[256] = "";
		struct vssd_config cfg;
		struct conf *c = NULL;

		(void)snprintf(cpath, sizeof(cpath), "%s/conf", dir);
		put("conf", confs[i].text, 0644);
		if (conf_load(cpath, &c, err, sizeof(err)) < 0)
			abort();
		vssd_config_defaults(&cfg);
		r = vssd_config_load(&cfg, c, err, sizeof(err));
		CHECK_INT(r, confs[i].ok, "config: %s (%s)", confs[i].what, err);
		if (i == 0)
			CHECK(cfg.window_ms == 5000 && cfg.hook_timeout_ms == 2000 &&
				      cfg.hook_abort,
			      "config values taken");
		conf_free(c);
		unlink(cpath);
	}

	/* Clean up. */
	{
		const char *names[] = { "20-b",          "10-a",    "30-open", "40-noexec",
					"10-a.dpkg-old", ".hidden", "50-hang" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return tap_done();
}
