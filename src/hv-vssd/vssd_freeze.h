/* SPDX-License-Identifier: MIT */
/*
 * vssd_freeze.h - freezing and thawing a set of mounts, through a narrow freezer interface
 * so tests can record calls instead of issuing FIFREEZE on real filesystems.
 *
 * Freeze goes through the set in order; at the first failure everything already frozen is
 * thawed (in reverse) and the failing mount and errno are returned.  Thaw goes in reverse
 * freeze order and repeats FITHAW on each mount until the kernel says it is not frozen.
 * Nothing here logs or allocates between the first freeze and the last thaw.
 */
#ifndef VSSD_FREEZE_H
#define VSSD_FREEZE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define VSSD_TARGETS_MAX  256 /* mounts frozen at once */
#define VSSD_THAW_REPEATS 16  /* FITHAW repeated at most this often on one mount */

struct vssd_freezer {
	/* 0, or a negative errno. */
	int (*freeze)(void *ctx, int fd);
	int (*thaw)(void *ctx, int fd);
	void *ctx;
};

/* The real one: ioctl FIFREEZE / FITHAW. */
extern const struct vssd_freezer vssd_freezer_ioctl;

struct vssd_target {
	char path[PATH_MAX];
	int fd;       /* open directory, O_RDONLY */
	bool frozen;  /* frozen by us */
	bool foreign; /* was already frozen by someone else (EBUSY): left as found */
};

struct vssd_set {
	struct vssd_target t[VSSD_TARGETS_MAX];
	size_t n;
};

struct vssd_failure {
	char path[PATH_MAX];
	int error;      /* negative errno of the failing call */
	int thaw_error; /* first error while rolling back, 0 if none */
};

/* Open each path (in freeze order) into 's'.  On failure closes what it opened and names the
 * path in 'fail'. */
int vssd_set_open(struct vssd_set *s, const char *const *paths, size_t n,
		  struct vssd_failure *fail) WARN_UNUSED;
void vssd_set_close(struct vssd_set *s);

int vssd_freeze_all(const struct vssd_freezer *fz, struct vssd_set *s,
		    struct vssd_failure *fail) WARN_UNUSED;
/* Returns 0, or the first error; every mount is attempted.  'fail' names the first failure. */
int vssd_thaw_all(const struct vssd_freezer *fz, struct vssd_set *s,
		  struct vssd_failure *fail) WARN_UNUSED;
/* Thaw one descriptor until it is not frozen.  Returns how many thaws succeeded, or -errno. */
int vssd_thaw_fd(const struct vssd_freezer *fz, int fd);

#endif /* VSSD_FREEZE_H */
