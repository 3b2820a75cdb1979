/* SPDX-License-Identifier: MIT */
/*
 * sys.h - the syscall seam: the file operations whose failures matter for data safety go
 * through these wrappers, so that tests can make "call number N of kind K fail with errno E"
 * happen (the SQLite and curl way) and check the invariants after each failure.
 *
 * Every wrapper returns what the system call returns on success and a negative errno on
 * failure (never -1 with errno), retrying EINTR where that is safe.  The injection state is
 * process-global and not thread-safe; it is meant for single-threaded tests only.
 */
#ifndef HVGUEST_SYS_H
#define HVGUEST_SYS_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

enum sys_call {
	SYS_CALL_OPEN,     /* sys_openat */
	SYS_CALL_WRITE,    /* sys_pwrite, sys_write */
	SYS_CALL_FSYNC,    /* sys_fsync, sys_fdatasync */
	SYS_CALL_RENAME,   /* sys_renameat */
	SYS_CALL_TRUNCATE, /* sys_ftruncate */
	SYS_CALL_CLOSE,    /* sys_close */
	SYS_CALL_COUNT
};

int sys_openat(int dirfd, const char *path, int flags, mode_t mode) WARN_UNUSED;
ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off) WARN_UNUSED;
ssize_t sys_write(int fd, const void *buf, size_t len) WARN_UNUSED;
int sys_fsync(int fd) WARN_UNUSED;
int sys_fdatasync(int fd) WARN_UNUSED;
int sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) WARN_UNUSED;
int sys_ftruncate(int fd, off_t len) WARN_UNUSED;
/* Closes even when it reports an error (as close(2) does on Linux). */
int sys_close(int fd);

/*
 * Make the 'n'-th call of 'kind' from now (n >= 1) fail with -'err' without doing anything;
 * n = 0 disarms.  The failure fires once.
 */
void sys_fail_at(enum sys_call kind, unsigned long n, int err);
/* Disarm every failure and zero the counters. */
void sys_fail_reset(void);
/* How many calls of 'kind' were made since the last reset (failed ones included). */
unsigned long sys_calls(enum sys_call kind);
/* Whether an armed failure has fired since it was armed. */
int sys_fail_fired(enum sys_call kind);

/*
 * Crash tests: with 'usec' non-zero, every sys_pwrite writes its first half, pauses 'usec'
 * microseconds, then writes the rest, and every truncate and fsync pauses first, so that a
 * SIGKILL lands inside a change (a torn record, a moved but not yet truncated record) far
 * more often than it would by chance.  0 turns it off.
 */
void sys_set_slow_writes(unsigned int usec);

/*
 * Power-loss tests.  sys_powercut_arm(n, seed) starts tracking every file opened for writing
 * through sys_openat from then on: its content at open and at each fsync or fdatasync (what
 * a disk with a volatile write cache is sure to hold), and every write and truncate since.
 * Just before the n-th write, truncate or sync of a tracked file (n >= 1), the power goes:
 * each tracked file is overwritten with its last synced content plus, in program order, a
 * random part of what came after - each 512-byte sector of each later write kept or lost,
 * each later truncate kept or lost - and the process exits at once with SYS_POWERCUT_EXIT,
 * as if the machine stopped there.  Renames and directory entries are not modelled (they
 * count as durable at once).  For single-threaded test children only.
 */
#define SYS_POWERCUT_EXIT 99
void sys_powercut_arm(unsigned long n, unsigned int seed);

#endif /* HVGUEST_SYS_H */
