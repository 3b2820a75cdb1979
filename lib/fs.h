/* SPDX-License-Identifier: MIT */
/*
 * fs.h - file helpers: loops over short reads and writes, bounded whole-file reads, and
 * atomic replacement.
 *
 * Errors: 0 (or a count) on success, a negative errno on failure.  Nothing here logs.
 */
#ifndef HVGUEST_FS_H
#define HVGUEST_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Write all 'len' bytes, retrying on EINTR and short writes. */
int fs_write_all(int fd, const void *buf, size_t len) WARN_UNUSED;

/* Read until EOF or 'len' bytes; returns the count read. */
ssize_t fs_read_full(int fd, void *buf, size_t len) WARN_UNUSED;

/*
 * Read the whole file 'path' (relative to 'dirfd', or AT_FDCWD) into a new NUL-terminated
 * buffer of at most 'max' bytes of content.  -EFBIG when it is larger.  The caller frees
 * *ret_buf.
 */
int fs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf,
		    size_t *ret_len) WARN_UNUSED;

/*
 * Replace the file 'name' in the directory 'dirfd' with 'len' bytes of 'data': write a
 * temporary file beside it, fsync, rename over, fsync the directory.  A reader sees the old
 * bytes or the new bytes, never a mixture; a crash leaves one of the two.
 */
int fs_replace_at(int dirfd, const char *name, const void *data, size_t len,
		  mode_t mode) WARN_UNUSED;

#endif /* HVGUEST_FS_H */
