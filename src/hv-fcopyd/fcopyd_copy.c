/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_copy.c - the file side of a copy: path resolution without symlinks, policy, the
 * temporary file and its atomic rename.
 */
#include "fcopyd_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "icmsg.h"

#define PATH_DEPTH_MAX 128

void fcopyd_session_init(struct fcopyd_session *s)
{
	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->fd = -1;
}

void fcopyd_policy_init(struct fcopyd_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = FCOPYD_DEFAULT_MODE;
}

void fcopyd_policy_release(struct fcopyd_policy *p)
{
	for (size_t i = 0; i < p->nallow; i++)
		free(p->allow[i]);
	p->nallow = 0;
}

static __attribute__((format(printf, 2, 3))) void set_why(struct fcopyd_session *s, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

uint32_t fcopyd_status_of(int err)
{
	switch (err) {
	case 0:
		return HV_S_OK;
	case -EEXIST:
	case -ENOTEMPTY:
		return HV_ERROR_ALREADY_EXISTS;
	case -ENOSPC:
	case -EDQUOT:
	case -EFBIG:
		return HV_ERROR_DISK_FULL;
	case -EACCES:
	case -EPERM:
	case -EROFS:
	case -ELOOP:
		return FCOPYD_E_ACCESS_DENIED;
	case -ENOENT:
	case -ENOTDIR:
		return FCOPYD_E_PATH_NOT_FOUND;
	case -ENAMETOOLONG:
		return FCOPYD_E_NAME_TOO_LONG;
	case -EINVAL:
	case -EBADMSG:
	case -EILSEQ:
		return HV_INVALIDARG;
	default:
		return HV_E_FAIL;
	}
}

/*
 * Split 'path' into components in 'buf'; '.' and empty ones are dropped, '..' is refused.
 * Returns the count or -EINVAL.
 */
static int split_path(const char *path, char *buf, size_t size, char **comp, size_t max)
{
	size_t n = 0;
	char *save = NULL, *c;

	if (path[0] != '/' || str_copy(buf, size, path) < 0)
		return -EINVAL;
	for (c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (streq(c, "."))
			continue;
		if (streq(c, ".."))
			return -EINVAL;
		if (n == max)
			return -EINVAL;
		comp[n++] = c;
	}
	return (int)n;
}

int fcopyd_policy_allow(struct fcopyd_policy *p, const char *dir)
{
	char buf[PATH_MAX], norm[PATH_MAX], *comp[PATH_DEPTH_MAX];
	size_t o = 0;
	int n = split_path(dir, buf, sizeof(buf), comp, PATH_DEPTH_MAX);

	if (n < 0)
		return -EINVAL;
	if (p->nallow == FCOPYD_ALLOW_MAX)
		return -E2BIG;
	norm[0] = '\0';
	for (int i = 0; i < n; i++) {
		int w = snprintf(norm + o, sizeof(norm) - o, "/%s", comp[i]);

		if (w < 0 || (size_t)w >= sizeof(norm) - o)
			return -EINVAL;
		o += (size_t)w;
	}
	p->allow[p->nallow] = strdup(n == 0 ? "/" : norm);
	if (!p->allow[p->nallow])
		return -ENOMEM;
	p->nallow++;
	return 0;
}

/*
 * How many leading components of the destination lie at or above an allowed folder (and so
 * must already exist), or -EACCES when the destination is outside every allowed folder.
 */
static int allowed_depth(const struct fcopyd_policy *p, char *const *comp, int n)
{
	if (p->nallow == 0)
		return 0;
	for (size_t i = 0; i < p->nallow; i++) {
		char buf[PATH_MAX], *acomp[PATH_DEPTH_MAX];
		int an = split_path(p->allow[i], buf, sizeof(buf), acomp, PATH_DEPTH_MAX), k;

		if (an < 0 || an > n)
			continue;
		for (k = 0; k < an; k++)
			if (!streq(acomp[k], comp[k]))
				break;
		if (k == an)
			return an;
	}
	return -EACCES;
}

/* openat2() through syscall(): glibc 2.36 has no wrapper. */
static int open_no_symlinks(const char *path)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
#else
	(void)path;
	return -ENOSYS;
#endif
}

/* Open component 'c' under 'dirfd' as a folder, refusing a symlink (-ELOOP). */
static int open_component(int dirfd, const char *c)
{
	struct stat st;
	int fd = openat(dirfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -ENOTDIR && fstatat(dirfd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return fd;
}

/* The walk: one component at a time, each opened O_NOFOLLOW, creating what may be created. */
static int walk(struct fcopyd_session *s, char *const *comp, int n, int keep, bool create)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int next = open_component(fd, comp[i]);

		if (next == -ENOENT && create && i >= keep) {
			if (mkdirat(fd, comp[i], FCOPYD_DIR_MODE) < 0 && errno != EEXIST) {
				next = -errno;
				set_why(s, "cannot create folder '%s': %s", comp[i],
					strerror(-next));
				close(fd);
				return next;
			}
			next = open_component(fd, comp[i]);
		}
		if (next < 0) {
			if (next == -ELOOP)
				set_why(s, "'%s' in the destination path is a symbolic link",
					comp[i]);
			else if (next == -ENOENT)
				set_why(s, "folder '%s' does not exist%s", comp[i],
					create ? " and may not be created"
					       : " (no create-path flag)");
			else
				set_why(s, "cannot open folder '%s': %s", comp[i], strerror(-next));
			close(fd);
			return next;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

static int resolve_dir(struct fcopyd_session *s, const struct fcopyd_policy *p, const char *path,
		       bool create)
{
	char buf[PATH_MAX], *comp[PATH_DEPTH_MAX];
	int n = split_path(path, buf, sizeof(buf), comp, PATH_DEPTH_MAX), keep, fd;

	if (n < 0) {
		set_why(s, "destination '%s' is not an absolute path without '..'", path);
		return -EINVAL;
	}
	keep = allowed_depth(p, comp, n);
	if (keep < 0) {
		set_why(s, "destination '%s' is outside the allowed folders", path);
		return keep;
	}
	if (!p->no_openat2) {
		fd = open_no_symlinks(path);
		if (fd >= 0)
			return fd;
		if (fd == -ELOOP) {
			set_why(s, "destination '%s' goes through a symbolic link", path);
			return fd;
		}
		if (fd != -ENOSYS && fd != -E2BIG && fd != -EPERM && fd != -ENOENT) {
			set_why(s, "cannot open destination '%s': %s", path, strerror(-fd));
			return fd;
		}
	}
	return walk(s, comp, n, keep, create);
}

static void make_tmpname(char *buf, size_t size)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = now_ns() ^ ((uint64_t)getpid() << 32);
	snprintf(buf, size, ".hv-fcopyd.%016llx.tmp", (unsigned long long)r);
}

static void release(struct fcopyd_session *s)
{
	free(s->wbuf);
	s->wbuf = NULL;
	s->wb_len = 0;
	if (s->fd >= 0)
		close(s->fd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->fd = -1;
	s->dirfd = -1;
	s->active = false;
}

void fcopyd_abort(struct fcopyd_session *s)
{
	if (!s->active)
		return;
	/* A WRITE_TO_FILE runs with the character device's tick unblocked: retry EINTR. */
	while (unlinkat(s->dirfd, s->tmpname, 0) < 0 && errno == EINTR)
		;
	release(s);
}

static uint32_t fail(struct fcopyd_session *s, int err)
{
	fcopyd_abort(s);
	return fcopyd_status_of(err);
}

static bool name_ok(const char *name)
{
	return name[0] != '\0' && !strchr(name, '/') && !streq(name, ".") && !streq(name, "..");
}

uint32_t fcopyd_start(struct fcopyd_session *s, const struct fcopyd_policy *p, const char *path,
		      const char *name, uint32_t flags, uint64_t size)
{
	struct stat st;
	struct statvfs vfs;
	int dirfd, fd, e;

	fcopyd_abort(s); /* a START while a copy is open abandons the old one */
	s->why[0] = '\0';
	s->size = size;
	s->end = 0;
	snprintf(s->target, sizeof(s->target), "%s%s%s", path,
		 path[0] && path[strlen(path) - 1] == '/' ? "" : "/", name);
	if (!name_ok(name)) {
		set_why(s, "file name '%s' is empty, '.', '..' or contains '/'", name);
		return HV_INVALIDARG;
	}
	if (strlen(name) > NAME_MAX) {
		set_why(s, "file name is longer than %d bytes", NAME_MAX);
		return FCOPYD_E_NAME_TOO_LONG;
	}
	if (p->max_size != 0 && size > p->max_size) {
		set_why(s, "announced size %llu is above the maximum %llu",
			(unsigned long long)size, (unsigned long long)p->max_size);
		return HV_ERROR_DISK_FULL;
	}
	dirfd = resolve_dir(s, p, path, (flags & FCOPYD_CREATE_PATH) != 0);
	if (dirfd < 0)
		return fcopyd_status_of(dirfd);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			set_why(s, "target is a symbolic link");
			close(dirfd);
			return FCOPYD_E_ACCESS_DENIED;
		}
		if (!S_ISREG(st.st_mode)) {
			set_why(s, "target exists and is not a regular file");
			close(dirfd);
			return HV_ERROR_ALREADY_EXISTS;
		}
		if (!(flags & FCOPYD_OVER_WRITE)) {
			set_why(s, "target exists and the host did not ask to overwrite");
			close(dirfd);
			return HV_ERROR_ALREADY_EXISTS;
		}
	} else if (errno != ENOENT) {
		e = -errno;
		set_why(s, "cannot look at target: %s", strerror(-e));
		close(dirfd);
		return fcopyd_status_of(e);
	}
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fstatvfs(fd, &vfs) == 0 &&
		    size > (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize) {
			close(fd);
			close(dirfd);
			set_why(s, "%llu bytes do not fit in the free space",
				(unsigned long long)size);
			return HV_ERROR_DISK_FULL;
		}
		close(fd);
	}
	make_tmpname(s->tmpname, sizeof(s->tmpname));
	fd = openat(dirfd, s->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = -errno;
		set_why(s, "cannot create a temporary file: %s", strerror(-e));
		close(dirfd);
		return fcopyd_status_of(e);
	}
	s->dirfd = dirfd;
	s->fd = fd;
	s->active = true;
	s->flags = flags;
	s->size = size;
	s->end = 0;
	str_copy(s->name, sizeof(s->name), name);
	/* Without the buffer every write goes straight to the file: slower, still correct. */
	s->wbuf = size > 0 ? malloc(FCOPYD_WBUF_SIZE) : NULL;
	s->wb_len = 0;
	s->wb_off = 0;
	s->synced = s->lag = s->settled = 0;
	if ((p->set_uid || p->set_gid) &&
	    fchown(fd, p->set_uid ? p->uid : (uid_t)-1, p->set_gid ? p->gid : (gid_t)-1) < 0) {
		e = -errno;
		set_why(s, "cannot set the owner of the new file: %s", strerror(-e));
		return fail(s, e);
	}
	if (fchmod(fd, p->mode) < 0) {
		e = -errno;
		set_why(s, "cannot set the mode of the new file: %s", strerror(-e));
		return fail(s, e);
	}
	return HV_S_OK;
}

/* Write 'len' bytes at 'offset', retrying short writes.  0 or -errno. */
static int write_at(int fd, const uint8_t *p, size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, p + done, len - done, (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Every FCOPYD_SYNC_STEP bytes: start writing the newest step to the disk without waiting
 * (the disk works while the host sends the rest, and the fsync on COMPLETE has little left),
 * then wait for the step before it, started one step ago and usually done by now, and drop
 * it from the page cache.  Dropping recycles the same pages for the rest of the copy instead
 * of filling memory with a file nobody reads yet: fresh pages are what makes a large write
 * slow and erratic (in a VM they may first have to come back from the host).  Only clean
 * pages are dropped (a rewrite of a dropped range makes new dirty pages that fsync writes).
 * A failed wait fails the copy: the error is consumed by it and fsync would not see it.
 */
static uint32_t writeback(struct fcopyd_session *s, uint64_t end)
{
	int e;

	if (end < s->synced + FCOPYD_SYNC_STEP)
		return HV_S_OK;
	(void)sync_file_range(s->fd, (off_t)s->synced, (off_t)(end - s->synced),
			      SYNC_FILE_RANGE_WRITE);
	if (s->lag > s->settled) {
		if (sync_file_range(s->fd, (off_t)s->settled, (off_t)(s->lag - s->settled),
				    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					    SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
		    errno != EINTR) {
			e = -errno;
			set_why(s, "write-back failed: %s", strerror(-e));
			return fail(s, e);
		}
		(void)posix_fadvise(s->fd, (off_t)s->settled, (off_t)(s->lag - s->settled),
				    POSIX_FADV_DONTNEED);
		s->settled = s->lag;
	}
	s->lag = s->synced;
	s->synced = end;
	return HV_S_OK;
}

/* Write out what the buffer holds; on failure the copy is abandoned. */
static uint32_t flush(struct fcopyd_session *s)
{
	uint64_t end;
	int e;

	if (s->wb_len == 0)
		return HV_S_OK;
	e = write_at(s->fd, s->wbuf, s->wb_len, s->wb_off);
	end = s->wb_off + s->wb_len;
	s->wb_len = 0;
	if (e < 0) {
		set_why(s, "write failed: %s", strerror(-e));
		return fail(s, e);
	}
	return writeback(s, end);
}

uint32_t fcopyd_write(struct fcopyd_session *s, uint64_t offset, const void *data, size_t len)
{
	uint32_t st;
	int e;

	s->why[0] = '\0';
	if (!s->active) {
		set_why(s, "WRITE_TO_FILE without a copy in progress");
		return HV_E_FAIL;
	}
	if (offset > s->size || len > s->size - offset) {
		set_why(s, "write of %zu bytes at %llu is past the announced size %llu", len,
			(unsigned long long)offset, (unsigned long long)s->size);
		return fail(s, -EINVAL);
	}
	if (len == 0)
		return HV_S_OK;
	if (s->wbuf) {
		/* Gather a contiguous run; anything else first writes out what is gathered. */
		if (s->wb_len > 0 &&
		    (offset != s->wb_off + s->wb_len || len > FCOPYD_WBUF_SIZE - s->wb_len)) {
			st = flush(s);
			if (st != HV_S_OK)
				return st;
		}
		if (len <= FCOPYD_WBUF_SIZE - s->wb_len) {
			if (s->wb_len == 0)
				s->wb_off = offset;
			memcpy(s->wbuf + s->wb_len, data, len);
			s->wb_len += len;
			s->end = MAX(s->end, offset + len);
			return s->wb_len == FCOPYD_WBUF_SIZE ? flush(s) : HV_S_OK;
		}
	}
	e = write_at(s->fd, data, len, offset);
	if (e < 0) {
		set_why(s, "write failed: %s", strerror(-e));
		return fail(s, e);
	}
	s->end = MAX(s->end, offset + len);
	return HV_S_OK;
}

uint32_t fcopyd_complete(struct fcopyd_session *s)
{
	uint32_t st;
	int e, fd, dfd;

	s->why[0] = '\0';
	if (!s->active) {
		set_why(s, "COMPLETE_FCOPY without a copy in progress");
		return HV_E_FAIL;
	}
	if (s->end != s->size) {
		set_why(s, "host completed after %llu of %llu bytes", (unsigned long long)s->end,
			(unsigned long long)s->size);
		return fail(s, -EIO);
	}
	st = flush(s);
	if (st != HV_S_OK)
		return st;
	if (fsync(s->fd) < 0) {
		e = -errno;
		set_why(s, "fsync failed: %s", strerror(-e));
		return fail(s, e);
	}
	fd = s->fd;
	s->fd = -1;
	if (close(fd) < 0) {
		e = -errno;
		set_why(s, "close failed: %s", strerror(-e));
		return fail(s, e);
	}
	if (s->flags & FCOPYD_OVER_WRITE)
		e = renameat(s->dirfd, s->tmpname, s->dirfd, s->name);
	else
		e = renameat2(s->dirfd, s->tmpname, s->dirfd, s->name, RENAME_NOREPLACE);
	if (e < 0 && errno == EINVAL && !(s->flags & FCOPYD_OVER_WRITE)) {
		/* No RENAME_NOREPLACE on this filesystem: link() refuses an existing name too. */
		e = linkat(s->dirfd, s->tmpname, s->dirfd, s->name, 0);
		if (e == 0)
			(void)unlinkat(s->dirfd, s->tmpname, 0);
	}
	if (e < 0) {
		e = -errno;
		set_why(s, "cannot move the file into place: %s", strerror(-e));
		return fail(s, e);
	}
	dfd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	release(s);
	return HV_S_OK;
}

uint32_t fcopyd_cancel(struct fcopyd_session *s)
{
	s->why[0] = '\0';
	fcopyd_abort(s);
	return HV_S_OK;
}
