/* SPDX-License-Identifier: MIT */
/*
 * sys.c - thin wrappers over the file system calls, with counters and one-shot failure
 * injection for tests.
 */
#include "sys.h"

#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned int slow_usec;

/* -- power-loss simulation (see sys.h) ------------------------------------------------- */

#define PC_FILES  32
#define PC_FDS    64
#define PC_SECTOR 512

struct pc_op {
	off_t off; /* a write at 'off', or a truncate to 'off' when data is NULL */
	size_t len;
	uint8_t *data;
};

struct pc_file {
	int fd; /* our own duplicate, to write the image through at the cut */
	dev_t dev;
	ino_t ino;
	uint8_t *durable; /* content at the last sync */
	size_t dlen;
	struct pc_op *ops; /* since then */
	size_t nops, aops;
};

static struct {
	bool armed;
	unsigned long left; /* tracked calls until the cut */
	unsigned int seed;
	struct pc_file files[PC_FILES];
	size_t nfiles;
	struct {
		int fd;
		int file; /* index into files, -1 = free */
	} fds[PC_FDS];
} pc;

static void pc_abort(const char *what)
{
	(void)fprintf(stderr, "sys powercut: %s\n", what);
	_exit(SYS_POWERCUT_EXIT + 1);
}

/* Read the whole file behind 'fd' into a new buffer. */
static uint8_t *pc_slurp(int fd, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;

	if (fstat(fd, &st) < 0)
		pc_abort("fstat");
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		pc_abort("out of memory");
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	*ret_len = done;
	return buf;
}

static void pc_track(int fd, int flags)
{
	struct stat st;
	size_t i;
	int slot = -1;

	if (!pc.armed || (flags & O_ACCMODE) == O_RDONLY || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return;
	for (i = 0; i < pc.nfiles; i++)
		if (pc.files[i].dev == st.st_dev && pc.files[i].ino == st.st_ino)
			break;
	if (i == pc.nfiles) {
		struct pc_file *f;

		if (pc.nfiles == PC_FILES)
			pc_abort("too many files");
		f = &pc.files[pc.nfiles++];
		*f = (struct pc_file){ .dev = st.st_dev, .ino = st.st_ino };
		f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (f->fd < 0)
			pc_abort("dup");
		f->durable = pc_slurp(fd, &f->dlen);
	}
	for (size_t k = 0; k < PC_FDS; k++)
		if (pc.fds[k].fd == fd || (slot < 0 && pc.fds[k].file < 0))
			slot = (int)k;
	if (slot < 0)
		pc_abort("too many descriptors");
	pc.fds[slot].fd = fd;
	pc.fds[slot].file = (int)i;
}

static struct pc_file *pc_file_of(int fd)
{
	if (!pc.armed)
		return NULL;
	for (size_t k = 0; k < PC_FDS; k++)
		if (pc.fds[k].file >= 0 && pc.fds[k].fd == fd)
			return &pc.files[pc.fds[k].file];
	return NULL;
}

static void pc_untrack(int fd)
{
	for (size_t k = 0; pc.armed && k < PC_FDS; k++)
		if (pc.fds[k].file >= 0 && pc.fds[k].fd == fd)
			pc.fds[k].file = -1;
}

static bool pc_coin(void)
{
	return (rand_r(&pc.seed) & 1) != 0;
}

static void pc_put(uint8_t **img, size_t *len, size_t *cap, off_t off, const uint8_t *data,
		   size_t n)
{
	size_t end = (size_t)off + n;

	if (end > *cap) {
		uint8_t *b = realloc(*img, end);

		if (!b)
			pc_abort("out of memory");
		*img = b;
		*cap = end;
	}
	if ((size_t)off > *len)
		memset(*img + *len, 0, (size_t)off - *len);
	if (n > 0)
		memcpy(*img + off, data, n);
	if (end > *len)
		*len = end;
}

/* The power goes: write what the disk could hold into every tracked file and stop. */
static void __attribute__((noreturn)) pc_cut(void)
{
	for (size_t i = 0; i < pc.nfiles; i++) {
		struct pc_file *f = &pc.files[i];
		size_t len = f->dlen, cap = f->dlen + 1;
		uint8_t *img = malloc(cap);

		if (!img)
			pc_abort("out of memory");
		memcpy(img, f->durable, f->dlen);
		for (size_t k = 0; k < f->nops; k++) {
			const struct pc_op *o = &f->ops[k];

			if (!o->data) { /* a truncate: grows with zeros or cuts */
				if (!pc_coin())
					continue;
				if ((size_t)o->off > len)
					pc_put(&img, &len, &cap, o->off, NULL, 0);
				else
					len = (size_t)o->off;
				continue;
			}
			/* sector by sector, each kept or lost */
			for (size_t at = 0; at < o->len;) {
				size_t s_end =
					((size_t)(o->off + (off_t)at) / PC_SECTOR + 1) * PC_SECTOR;
				size_t n = MIN(o->len - at, s_end - (size_t)(o->off + (off_t)at));

				if (pc_coin())
					pc_put(&img, &len, &cap, o->off + (off_t)at, o->data + at,
					       n);
				at += n;
			}
		}
		/* the process ends here: moving the shared file offset harms nobody */
		if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0 ||
		    fs_write_all(f->fd, img, len) < 0)
			pc_abort("writing the image at the cut");
		free(img);
	}
	_exit(SYS_POWERCUT_EXIT);
}

/* Count a tracked call; the n-th one does not happen. */
static void pc_tick(struct pc_file *f)
{
	if (!f)
		return;
	if (--pc.left == 0)
		pc_cut();
}

static void pc_log(struct pc_file *f, off_t off, const void *data, size_t len)
{
	struct pc_op *o;

	if (!f)
		return;
	if (f->nops == f->aops) {
		size_t n = f->aops ? 2 * f->aops : 16;
		struct pc_op *ops = realloc(f->ops, n * sizeof(*ops));

		if (!ops)
			pc_abort("out of memory");
		f->ops = ops;
		f->aops = n;
	}
	o = &f->ops[f->nops++];
	*o = (struct pc_op){ .off = off, .len = len };
	if (data) {
		o->data = malloc(len ? len : 1);
		if (!o->data)
			pc_abort("out of memory");
		memcpy(o->data, data, len);
	}
}

static void pc_synced(struct pc_file *f)
{
	if (!f)
		return;
	for (size_t k = 0; k < f->nops; k++)
		free(f->ops[k].data);
	f->nops = 0;
	free(f->durable);
	f->durable = pc_slurp(f->fd, &f->dlen);
}

void sys_powercut_arm(unsigned long n, unsigned int seed)
{
	pc.armed = n > 0;
	pc.left = n;
	pc.seed = seed;
	for (size_t k = 0; k < PC_FDS; k++)
		pc.fds[k].file = -1;
}

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
		if (r >= 0) {
			pc_track(r, flags);
			return r;
		}
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int r = inject(SYS_CALL_WRITE);
	struct pc_file *f = pc_file_of(fd);
	ssize_t n;

	if (r < 0)
		return r;
	pc_tick(f);
	if (slow_usec != 0 && len > 1) {
		/* a short write of the first half; the caller loops for the rest */
		len /= 2;
		do
			n = pwrite(fd, buf, len, off);
		while (n < 0 && errno == EINTR);
		pause_if_slow();
		if (n > 0)
			pc_log(f, off, buf, (size_t)n);
		return n < 0 ? -errno : n;
	}
	do
		n = pwrite(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		pc_log(f, off, buf, (size_t)n);
	return n < 0 ? -errno : n;
}

ssize_t sys_write(int fd, const void *buf, size_t len)
{
	int r = inject(SYS_CALL_WRITE);
	ssize_t n;

	struct pc_file *f = NULL;
	off_t at = 0;

	if (r < 0)
		return r;
	if (pc.armed) {
		f = pc_file_of(fd);
		at = f ? lseek(fd, 0, SEEK_CUR) : 0;
		pc_tick(f);
	}
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n > 0 && f)
		pc_log(f, at, buf, (size_t)n);
	return n < 0 ? -errno : n;
}

int sys_fsync(int fd)
{
	int r = inject(SYS_CALL_FSYNC);

	pause_if_slow();
	if (r < 0)
		return r;
	pc_tick(pc_file_of(fd));
	if (fsync(fd) < 0)
		return -errno;
	pc_synced(pc_file_of(fd));
	return 0;
}

int sys_fdatasync(int fd)
{
	int r = inject(SYS_CALL_FSYNC);

	pause_if_slow();
	if (r < 0)
		return r;
	pc_tick(pc_file_of(fd));
	if (fdatasync(fd) < 0)
		return -errno;
	pc_synced(pc_file_of(fd));
	return 0;
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
	pc_tick(pc_file_of(fd));
	for (;;) {
		if (ftruncate(fd, len) == 0) {
			pc_log(pc_file_of(fd), len, NULL, 0);
			return 0;
		}
		if (errno != EINTR)
			return -errno;
	}
}

int sys_close(int fd)
{
	int r = inject(SYS_CALL_CLOSE);

	if (fd < 0)
		return -EBADF;
	pc_untrack(fd);
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	return close(fd) < 0 ? -errno : 0;
}
