/* SPDX-License-Identifier: MIT */
/*
 * vssd_guard.c - the thaw watchdog child and the frozen-state marker (see vssd_guard.h).
 */
#include "vssd_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "mountinfo.h"

#define MARKER_MAX (VSSD_TARGETS_MAX * (PATH_MAX * 4 + 2) + 64)

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor above 2 except those in keep[]. */
static void close_others(int *keep, size_t n)
{
	unsigned int lo = 3;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			(void)close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	(void)close_range(lo, ~0u, 0);
}

static void thaw_set(const struct vssd_freezer *fz, const struct vssd_set *s, int *ret_thawed,
		     int *ret_failed)
{
	*ret_thawed = *ret_failed = 0;
	for (size_t i = s->n; i-- > 0;) {
		int r = vssd_thaw_fd(fz, s->t[i].fd);

		if (r > 0)
			(*ret_thawed)++;
		else if (r < 0)
			(*ret_failed)++;
	}
}

static __attribute__((noreturn)) void watchdog_main(int sock, const struct vssd_freezer *fz,
						    const struct vssd_set *s,
						    unsigned long long window_ms,
						    const char *run_dir)
{
	uint64_t deadline = now_ms() + window_ms;
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int keep[VSSD_TARGETS_MAX + 3], thawed, failed, code;
	size_t nkeep = 0;
	sigset_t all;

	/* Nothing from here on may write to disk until the mounts are thawed. */
	log_hold();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	(void)prctl(PR_SET_NAME, "hv-vssd-guard", 0, 0, 0);

	keep[nkeep++] = sock;
	keep[nkeep++] = STDERR_FILENO;
	for (size_t i = 0; i < s->n; i++)
		keep[nkeep++] = s->t[i].fd;
	close_others(keep, nkeep);

	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = sock, .events = POLLIN };
		char c;
		int r;

		if (now >= deadline) {
			code = VSSD_WD_EXPIRED;
			break;
		}
		r = poll(&p, 1, (int)MIN(deadline - now, (uint64_t)INT_MAX));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		if (r < 0) {
			code = VSSD_WD_PARENT_DIED;
			break;
		}
		r = (int)read(sock, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 1 && c == 'T')
			_exit(VSSD_WD_STOPPED);
		if (r == 1)
			continue;
		code = VSSD_WD_PARENT_DIED;
		break;
	}

	thaw_set(fz, s, &thawed, &failed);
	if (code == VSSD_WD_EXPIRED)
		(void)send(sock, "W", 1, MSG_NOSIGNAL);
	if (run_dir && failed == 0)
		(void)vssd_marker_remove(run_dir);
	(void)log_release();
	if (code == VSSD_WD_EXPIRED)
		log_warn("freeze window of %llu ms ended without THAW: thawed %d filesystem(s) "
			 "(%d failed)",
			 window_ms, thawed, failed);
	else
		log_warn("daemon died while frozen: thawed %d filesystem(s) (%d failed)", thawed,
			 failed);
	_exit(failed ? 1 : code);
}

int vssd_watchdog_start(struct vssd_watchdog *w, const struct vssd_freezer *fz,
			const struct vssd_set *s, unsigned long long window_ms, const char *run_dir)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		watchdog_main(sv[1], fz, s, window_ms, run_dir);
	}
	close(sv[1]);
	w->pid = pid;
	w->sock = sv[0];
	return 0;
}

int vssd_watchdog_stop(struct vssd_watchdog *w)
{
	int status, r;

	if (w->pid <= 0)
		return -ESRCH;
	(void)send(w->sock, "T", 1, MSG_NOSIGNAL);
	do
		r = waitpid(w->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	close(w->sock);
	w->sock = -1;
	w->pid = 0;
	if (r < 0)
		return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -ECHILD;
}

int vssd_marker_write(const char *run_dir, const struct vssd_set *s)
{
	char *buf, esc[PATH_MAX * 4 + 1];
	size_t len = 0;
	int dfd, n, r;

	buf = malloc(MARKER_MAX);
	if (!buf)
		return -ENOMEM;
	n = snprintf(buf, MARKER_MAX, "# hv-vssd froze these mounts, pid %ld\n", (long)getpid());
	len = (size_t)n;
	for (size_t i = 0; i < s->n; i++) {
		r = mountinfo_escape(s->t[i].path, esc, sizeof(esc));
		if (r < 0)
			goto out;
		n = snprintf(buf + len, MARKER_MAX - len, "%s\n", esc);
		if (n < 0 || (size_t)n >= MARKER_MAX - len) {
			r = -E2BIG;
			goto out;
		}
		len += (size_t)n;
	}
	dfd = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		goto out;
	}
	r = fs_replace_at(dfd, VSSD_MARKER_NAME, buf, len, 0600);
	close(dfd);
out:
	free(buf);
	return r;
}

int vssd_marker_remove(const char *run_dir)
{
	int dfd, r = 0;

	dfd = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (unlinkat(dfd, VSSD_MARKER_NAME, 0) < 0 && errno != ENOENT)
		r = -errno;
	close(dfd);
	return r;
}

int vssd_marker_recover(const char *run_dir, const struct vssd_freezer *fz, vssd_recover_fn *report,
			void *data)
{
	char *buf = NULL, *p, *line;
	int dfd, r, count = 0, failed = 0;

	dfd = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = fs_read_file_at(dfd, VSSD_MARKER_NAME, MARKER_MAX, &buf, NULL);
	if (r < 0) {
		close(dfd);
		return r == -ENOENT ? 0 : r;
	}
	for (p = buf; p && *p; p = line) {
		char *nl = strchr(p, '\n');
		int fd;

		line = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (p[0] != '/')
			continue;
		mountinfo_unescape(p);
		count++;
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
		r = fd < 0 ? -errno : vssd_thaw_fd(fz, fd);
		if (fd >= 0)
			close(fd);
		if (r < 0 && r != -ENOENT)
			failed++;
		if (report)
			report(p, r, data);
	}
	free(buf);
	if (failed == 0 && unlinkat(dfd, VSSD_MARKER_NAME, 0) < 0 && errno != ENOENT)
		r = -errno;
	else
		r = count;
	close(dfd);
	return r;
}
