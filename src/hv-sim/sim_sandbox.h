/* SPDX-License-Identifier: MIT */
/*
 * sim_sandbox.h - a private mount namespace in which an unmodified daemon finds hv-sim's
 * FUSE device files at /dev/vmbus and its state directory at /var/lib/hyperv, while the
 * machine's real /dev and /var/lib stay untouched.
 */
#ifndef HVSIM_SANDBOX_H
#define HVSIM_SANDBOX_H

#include <stddef.h>

#define SIM_SANDBOX_DEVDIR   "/dev/vmbus"
#define SIM_SANDBOX_STATEDIR "/var/lib/hyperv"

/*
 * Unshare the calling process's mount namespace (made private, recursively), put a tmpfs
 * with bind mounts of every entry of the real /dev over /dev, and an empty /dev/vmbus in it.
 * With 'state_dir', bind it on /var/lib/hyperv (shadowing /var/lib the same way when
 * /var/lib/hyperv does not exist).  Returns 0 or -errno with a message in err.
 */
int sim_sandbox_enter(const char *state_dir, char *err, size_t errsize);

#endif /* HVSIM_SANDBOX_H */
