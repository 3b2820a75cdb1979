/* SPDX-License-Identifier: MIT */
/*
 * sim_sandbox.c - the private mount namespace of "hv-sim --sandbox" (see sim_sandbox.h).
 * Creating /dev/vmbus needs a writable /dev; rather than touching the real one, the
 * namespace gets a tmpfs on /dev into which every real entry is bind-mounted (reached
 * through a descriptor of the old /dev taken before it was covered).
 */
#include "sim_sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int fail(char *err, size_t errsize, int r, const char *what, const char *path)
{
	snprintf(err, errsize, "%s '%s': %s", what, path, strerror(-r));
	return r;
}

/* Cover 'dir' with a tmpfs holding the same entries (bind mounts, copied symlinks) plus an
 * empty directory 'extra'. */
static int shadow_dir(const char *dir, const char *extra, char *err, size_t errsize)
{
	char src[PATH_MAX], dst[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int oldfd, listfd, r = 0;

	oldfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldfd < 0)
		return fail(err, errsize, -errno, "cannot open", dir);
	listfd = openat(oldfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (listfd < 0) {
		r = fail(err, errsize, -errno, "cannot list", dir);
		goto out_old;
	}
	d = fdopendir(listfd);
	if (!d) {
		close(listfd);
		r = fail(err, errsize, -errno, "cannot list", dir);
		goto out_old;
	}
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID, "mode=0755,size=4m") < 0) {
		r = fail(err, errsize, -errno, "cannot mount a tmpfs on", dir);
		goto out_dir;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (streq(de->d_name, ".") || streq(de->d_name, "..") || streq(de->d_name, extra))
			continue;
		if (fstatat(oldfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", oldfd, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(oldfd, de->d_name, target, sizeof(target) - 1);

			if (n < 0)
				continue;
			target[n] = '\0';
			if (symlink(target, dst) < 0) {
				r = fail(err, errsize, -errno, "cannot create", dst);
				goto out_dir;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, st.st_mode & 07777) < 0) {
				r = fail(err, errsize, -errno, "cannot create", dst);
				goto out_dir;
			}
		} else {
			int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

			if (fd < 0) {
				r = fail(err, errsize, -errno, "cannot create", dst);
				goto out_dir;
			}
			close(fd);
		}
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) {
			r = fail(err, errsize, -errno, "cannot bind-mount over", dst);
			goto out_dir;
		}
	}
	snprintf(dst, sizeof(dst), "%s/%s", dir, extra);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		r = fail(err, errsize, -errno, "cannot create", dst);
out_dir:
	closedir(d);
out_old:
	close(oldfd);
	return r;
}

int sim_sandbox_enter(const char *state_dir, char *err, size_t errsize)
{
	struct stat st;
	int r;

	if (unshare(CLONE_NEWNS) < 0)
		return fail(err, errsize, -errno, "cannot unshare the mount namespace for", "/");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(err, errsize, -errno, "cannot make mounts private under", "/");
	r = shadow_dir("/dev", "vmbus", err, errsize);
	if (r < 0)
		return r;
	if (!state_dir)
		return 0;
	if (stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return fail(err, errsize, -ENOTDIR, "state directory", state_dir);
	if (stat(SIM_SANDBOX_STATEDIR, &st) < 0) {
		r = shadow_dir("/var/lib", "hyperv", err, errsize);
		if (r < 0)
			return r;
	}
	if (mount(state_dir, SIM_SANDBOX_STATEDIR, NULL, MS_BIND, NULL) < 0)
		return fail(err, errsize, -errno, "cannot bind the state directory on",
			    SIM_SANDBOX_STATEDIR);
	return 0;
}
