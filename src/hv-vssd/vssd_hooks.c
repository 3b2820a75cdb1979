/* SPDX-License-Identifier: MIT */
/*
 * vssd_hooks.c - finding and running freeze/thaw hooks (see vssd_hooks.h).
 */
#include "vssd_hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const hook_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C.UTF-8",
	NULL,
};

const char *vssd_hook_kind_name(enum vssd_hook_kind kind)
{
	switch (kind) {
	case VSSD_HOOK_OURS:
		return "hv-vssd";
	case VSSD_HOOK_QEMU:
		return "qemu-ga";
	case VSSD_HOOK_VMWARE:
		return "open-vm-tools";
	}
	return "?";
}

const char *vssd_hook_arg(enum vssd_hook_kind kind, enum vssd_hook_phase phase)
{
	switch (phase) {
	case VSSD_PHASE_FREEZE:
		return "freeze";
	case VSSD_PHASE_THAW:
		return "thaw";
	case VSSD_PHASE_FREEZE_FAIL:
		return kind == VSSD_HOOK_VMWARE ? "freezeFail" : "thaw";
	}
	return "thaw";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && streq(s + a - b, suffix);
}

static bool ignored_name(const char *name)
{
	return name[0] == '.' || ends_with(name, "~") || strstr(name, ".dpkg-") ||
	       ends_with(name, ".rpmnew") || ends_with(name, ".rpmsave") ||
	       ends_with(name, ".rpmorig") || ends_with(name, ".disabled");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void note_skip(struct vssd_hook_skip *sk, size_t max, size_t *n, const char *path,
		      const char *why)
{
	if (*n < max) {
		(void)str_copy(sk[*n].path, sizeof(sk[*n].path), path);
		(void)str_copy(sk[*n].why, sizeof(sk[*n].why), why);
	}
	(*n)++;
}

int vssd_hooks_scan(struct vssd_hooks *hs, const char *dir, enum vssd_hook_kind kind,
		    struct vssd_hook_skip *skipped, size_t max_skipped, size_t *n_skipped)
{
	char *names[VSSD_HOOKS_MAX * 2];
	size_t n = 0;
	struct dirent *d;
	DIR *dp;
	int r = 0;

	if (!dir || !dir[0])
		return 0;
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while ((d = readdir(dp)) && n < ARRAY_SIZE(names)) {
		if (ignored_name(d->d_name))
			continue;
		names[n] = strdup(d->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

		free(names[i]);
		if (r < 0 || len < 0 || (size_t)len >= sizeof(path))
			continue;
		if (stat(path, &st) < 0) {
			note_skip(skipped, max_skipped, n_skipped, path, "cannot stat");
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			if (!S_ISDIR(st.st_mode))
				note_skip(skipped, max_skipped, n_skipped, path,
					  "not a regular file");
			continue;
		}
		if (!(st.st_mode & S_IXUSR)) {
			note_skip(skipped, max_skipped, n_skipped, path, "not executable");
			continue;
		}
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			note_skip(skipped, max_skipped, n_skipped, path,
				  "writable by group or others");
			continue;
		}
		if (st.st_uid != 0 && st.st_uid != geteuid()) {
			note_skip(skipped, max_skipped, n_skipped, path, "not owned by root");
			continue;
		}
		if (hs->n == VSSD_HOOKS_MAX) {
			note_skip(skipped, max_skipped, n_skipped, path, "too many hooks");
			continue;
		}
		(void)str_copy(hs->h[hs->n].path, sizeof(hs->h[hs->n].path), path);
		hs->h[hs->n].kind = kind;
		hs->h[hs->n].froze = false;
		hs->n++;
	}
	return r;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int spawn(const char *path, const char *arg, int out_fd, pid_t *ret_pid)
{
	char *const argv[] = { (char *)(uintptr_t)path, (char *)(uintptr_t)arg, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETPGROUP);
	r = -posix_spawn(ret_pid, path, &fa, &at, argv, (char *const *)(uintptr_t)hook_env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

int vssd_hook_run(const char *path, const char *arg, unsigned long long timeout_ms,
		  struct vssd_hook_result *res)
{
	uint64_t deadline = now_ms() + timeout_ms;
	size_t outlen = 0;
	int pipefd[2], pfd = -1, status = 0, r;
	bool out_open = true;
	pid_t pid;

	*res = (struct vssd_hook_result){ .status = -1 };
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	(void)fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	r = spawn(path, arg, pipefd[1], &pid);
	close(pipefd[1]);
	if (r < 0) {
		close(pipefd[0]);
		return r;
	}
	pfd = pidfd_open_(pid);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = out_open ? pipefd[0] : -1, .events = POLLIN },
			{ .fd = pfd, .events = POLLIN },
		};
		uint64_t now = now_ms();
		int n;

		if (now >= deadline) {
			res->timed_out = true;
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			break;
		}
		/* Without a pidfd (old kernels, valgrind) the child is polled with waitpid. */
		n = poll(p, 2, (int)MIN(deadline - now, pfd < 0 ? 20u : 1000u));
		if (n < 0 && errno != EINTR)
			break;
		if (pfd < 0 && waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		if (n <= 0)
			continue;
		if (p[0].revents) {
			char buf[512];
			ssize_t got = read(pipefd[0], buf, sizeof(buf));

			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				out_open = false;
			} else if (got > 0 && outlen + 1 < sizeof(res->output)) {
				size_t take = MIN((size_t)got, sizeof(res->output) - 1 - outlen);

				memcpy(res->output + outlen, buf, take);
				outlen += take;
			}
		}
		if (p[1].revents & POLLIN)
			break;
	}
	/* What the hook wrote just before it exited is still in the pipe. */
	for (;;) {
		char buf[512];
		ssize_t got = read(pipefd[0], buf, sizeof(buf));
		size_t take;

		if (got <= 0)
			break;
		take = MIN((size_t)got, sizeof(res->output) - 1 - outlen);
		memcpy(res->output + outlen, buf, take);
		outlen += take;
	}
	res->output[outlen] = '\0';
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		/* Whatever the hook's own children still do, they die with its group. */
		if (res->timed_out)
			(void)kill(-pid, SIGKILL);
	}
	if (pfd >= 0)
		close(pfd);
	close(pipefd[0]);
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->signal = WTERMSIG(status);
	if (res->timed_out)
		return -ETIMEDOUT;
	return res->status == 0 ? 0 : -ECHILD;
}
