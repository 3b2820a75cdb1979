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
