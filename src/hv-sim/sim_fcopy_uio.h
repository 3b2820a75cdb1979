/* SPDX-License-Identifier: MIT */
/*
 * sim_fcopy_uio.h - hv-sim's "fcopy-uio" mode: the Hyper-V host and the kernel's
 * uio_hv_generic for the file-copy channel of kernels 6.10 and later.
 *
 * It builds a fake sysfs and /dev under --root DIR:
 *   DIR/sys/bus/vmbus/devices/<instance>/class_id          "{34d14be3-...}"
 *   DIR/sys/bus/vmbus/devices/<instance>/channels/14/ring  2 * ring size bytes (size only)
 *   DIR/sys/bus/vmbus/devices/<instance>/uio/uio0/         (after binding, see --unbound)
 *   DIR/sys/bus/vmbus/drivers/uio_hv_generic/new_id        a regular file the daemon writes
 *   DIR/dev/uio0                                           the rings: a regular file to mmap
 *   DIR/dev/uio0.irq                                       SOCK_SEQPACKET socket: interrupts
 * A daemon runs against it with
 *   hv-fcopyd -n --uio --sysfs DIR/sys --dev DIR/dev --uio-irq DIR/dev/uio0.irq
 * The interrupt socket carries 4-byte words with the uio device's semantics: the host's
 * word is an interrupt (and masks the guest's inbound ring, as the driver's channel callback
 * does); the daemon's word unmasks it and signals the host (irqcontrol).
 *
 * Then it negotiates versions with real IC packets and plays the commands given with -e or
 * in a script: copy, start, write, complete, cancel (UTF-16LE names), expect, vanish, ...
 * See docs/fcopy.md for the command list.  Exit status: 0 every expectation held, 1 one did
 * not or the daemon misbehaved, 2 usage error.
 */
#ifndef SIM_FCOPY_UIO_H
#define SIM_FCOPY_UIO_H

/* argv[0] is the mode name ("fcopy-uio"); options and commands follow. */
int sim_fcopy_uio_main(int argc, char **argv);

#endif /* SIM_FCOPY_UIO_H */
