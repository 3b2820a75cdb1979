/* SPDX-License-Identifier: MIT */
/*
 * vssd_freeze.c - freeze with rollback and repeated thaw (see vssd_freeze.h).
 */
#include "vssd_freeze.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int ioctl_freeze(void *ctx, int fd)
{
	return ioctl(fd, FIFREEZE, 0) < 0 ? -errno : 0;
}

static int ioctl_thaw(void *ctx, int fd)
{
	return ioctl(fd, FITHAW, 0) < 0 ? -errno : 0;
}

const struct vssd_freezer vssd_freezer_ioctl = {
	.freeze = ioctl_freeze,
	.thaw = ioctl_thaw,
};

static void name_failure(struct vssd_failure *fail, const char *path, int r)
{
	if (!fail)
		return;
	(void)str_copy(fail->path, sizeof(fail->path), path);
	fail->error = r;
}

int vssd_set_open(struct vssd_set *s, const char *const *paths, size_t n, struct vssd_failure *fail)
{
	s->n = 0;
	if (n > VSSD_TARGETS_MAX) {
		name_failure(fail, paths[VSSD_TARGETS_MAX], -E2BIG);
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		struct vssd_target *t = &s->t[i];
		int r;

		r = str_copy(t->path, sizeof(t->path), paths[i]);
		if (r >= 0) {
			t->fd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
			r = t->fd < 0 ? -errno : 0;
		}
		if (r < 0) {
			name_failure(fail, paths[i], r);
			vssd_set_close(s);
			return r;
		}
		t->frozen = t->foreign = false;
		s->n++;
	}
	return 0;
}

void vssd_set_close(struct vssd_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].fd >= 0)
			close(s->t[i].fd);
	s->n = 0;
}

int vssd_thaw_fd(const struct vssd_freezer *fz, int fd)
{
	int count = 0;

	for (int i = 0; i < VSSD_THAW_REPEATS; i++) {
		int r = fz->thaw(fz->ctx, fd);

		if (r == -EINVAL) /* not frozen (any more) */
			return count;
		if (r == -EINTR)
			continue;
		if (r < 0)
			return count > 0 ? count : r;
		count++;
	}
	return count;
}

int vssd_thaw_all(const struct vssd_freezer *fz, struct vssd_set *s, struct vssd_failure *fail)
{
	int first = 0;

	for (size_t i = s->n; i-- > 0;) {
		struct vssd_target *t = &s->t[i];
		int r;

		if (!t->frozen)
			continue;
		r = vssd_thaw_fd(fz, t->fd);
		if (r < 0) {
			if (first == 0) {
				first = r;
				name_failure(fail, t->path, r);
			}
			continue;
		}
		t->frozen = false;
	}
	return first;
}

int vssd_freeze_all(const struct vssd_freezer *fz, struct vssd_set *s, struct vssd_failure *fail)
{
	for (size_t i = 0; i < s->n; i++) {
		struct vssd_target *t = &s->t[i];
		int r;

		do
			r = fz->freeze(fz->ctx, t->fd);
		while (r == -EINTR);
		if (r == -EBUSY) {
			/* Frozen already: by someone else, or the same superblock twice. */
			t->foreign = true;
			continue;
		}
		if (r < 0) {
			struct vssd_failure rollback = { 0 };
			int t_r;

			name_failure(fail, t->path, r);
			t_r = vssd_thaw_all(fz, s, &rollback);
			if (fail)
				fail->thaw_error = t_r;
			return r;
		}
		t->frozen = true;
	}
	return 0;
}
