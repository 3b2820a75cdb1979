/* SPDX-License-Identifier: MIT */
/*
 * sys.c - thin wrappers over the file system calls, with counters and one-shot failure
 * injection for tests.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static unsigned int slow_usec;

static struct {
	unsigned long calls;
	unsigned long fail_at; /* absolute call number that fails, 0 = none */
	int err;
	int fired;
} seam[SYS_CALL_COUNT];

/* Count the call; returns a negative errno when this call is the one to fail. */
static int inject(enum sys_call kind)
{
	seam[kind].calls++;
	if (seam[kind].fail_at != 0 && seam[kind].calls == seam[kind].fail_at) {
		seam[kind].fail_at = 0;
		seam[kind].fired = 1;
		return -seam[kind].err;
	}
	return 0;
}

void sys_set_slow_writes(unsigned int usec)
{
	slow_usec = usec;
}

static void pause_if_slow(void)
{
	struct timespec ts;

	if (slow_usec == 0)
		return;
	ts.tv_sec = slow_usec / 1000000;
	ts.tv_nsec = (long)(slow_usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void sys_fail_at(enum sys_call kind, unsigned long n, int err)
{
	if ((unsigned int)kind >= SYS_CALL_COUNT)
		return;
	seam[kind].fail_at = n == 0 ? 0 : seam[kind].calls + n;
	seam[kind].err = err > 0 ? err : EIO;
	seam[kind].fired = 0;
}

void sys_fail_reset(void)
{
	for (size_t i = 0; i < SYS_CALL_COUNT; i++) {
		seam[i].calls = 0;
		seam[i].fail_at = 0;
		seam[i].fired = 0;
	}
}

unsigned long sys_calls(enum sys_call kind)
{
	return (unsigned int)kind < SYS_CALL_COUNT ? seam[kind].calls : 0;
}

int sys_fail_fired(enum sys_call kind)
{
	return (unsigned int)kind < SYS_CALL_COUNT ? seam[kind].fired : 0;
}

int sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int r = inject(SYS_CALL_OPEN);

	if (r < 0)
		return r;
	for (;;) {
		r = openat(dirfd, path, flags, mode);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int r = inject(SYS_CALL_WRITE);
	ssize_t n;

	if (r < 0)
		return r;
	if (slow_usec != 0 && len > 1) {
		/* a short write of the first half; the caller loops for the rest */
		len /= 2;
		do
			n = pwrite(fd, buf, len, off);
		while (n < 0 && errno == EINTR);
		pause_if_slow();
		return n < 0 ? -errno : n;
	}
	do
		n = pwrite(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t sys_write(int fd, const void *buf, size_t len)
{
	int r = inject(SYS_CALL_WRITE);
	ssize_t n;

	if (r < 0)
		return r;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int sys_fsync(int fd)
{
	int r = inject(SYS_CALL_FSYNC);

	pause_if_slow();
	if (r < 0)
		return r;
	return fsync(fd) < 0 ? -errno : 0;
}

int sys_fdatasync(int fd)
{
	int r = inject(SYS_CALL_FSYNC);

	pause_if_slow();
	if (r < 0)
		return r;
	return fdatasync(fd) < 0 ? -errno : 0;
}

int sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	int r = inject(SYS_CALL_RENAME);

	if (r < 0)
		return r;
	return renameat(olddirfd, oldpath, newdirfd, newpath) < 0 ? -errno : 0;
}

int sys_ftruncate(int fd, off_t len)
{
	int r = inject(SYS_CALL_TRUNCATE);

	pause_if_slow();
	if (r < 0)
		return r;
	for (;;) {
		if (ftruncate(fd, len) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int sys_close(int fd)
{
	int r = inject(SYS_CALL_CLOSE);

	if (fd < 0)
		return -EBADF;
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	return close(fd) < 0 ? -errno : 0;
}
