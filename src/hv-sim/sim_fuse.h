/* SPDX-License-Identifier: MIT */
/*
 * sim_fuse.h - hv-sim's FUSE transport: a file system holding one file named like the
 * kernel's device (hv_kvp, hv_vss or hv_fcopy) whose open, read, write, poll and release go
 * to a struct sim_dev, so that an unmodified daemon sees the kernel's char-device semantics
 * (EBUSY for a second opener, EINVAL for bad sizes, blocking reads, poll).
 *
 * Single-threaded: the caller polls sim_fuse_fd() and calls sim_fuse_process() when it is
 * readable, and sim_fuse_pump() whenever the device's state may have changed (a request was
 * queued, a timer fired), which answers blocked reads and wakes pollers.
 */
#ifndef HVSIM_FUSE_H
#define HVSIM_FUSE_H

#include "sim_dev.h"

struct sim_fuse;

/* Mount on the existing directory 'mountpoint'.  Returns NULL with a message in err. */
struct sim_fuse *sim_fuse_new(struct sim_dev *dev, const char *mountpoint, char *err,
			      size_t errsize);
int sim_fuse_fd(const struct sim_fuse *f);
/* Handle what the kernel sent.  Returns 0, or -ENODEV once the file system is gone. */
int sim_fuse_process(struct sim_fuse *f);
void sim_fuse_pump(struct sim_fuse *f);
/* Unmount and free; accepts NULL. */
struct sim_fuse *sim_fuse_free(struct sim_fuse *f);

#endif /* HVSIM_FUSE_H */
