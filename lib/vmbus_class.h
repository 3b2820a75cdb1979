/* SPDX-License-Identifier: MIT */
/*
 * vmbus_class.h - the VMBus device classes Linux knows: class GUID, a short keyword, the name
 * lsvmbus prints, and the kernel driver that normally binds the device.
 *
 * The table is data in one place (vmbus_class.c), shared by lsvmbus and hv-check.  The GUIDs
 * are the HV_*_GUID values of the kernel's include/linux/hyperv.h, plus the Hyper-V socket
 * service-id template of net/vmw_vsock/hyperv_transport.c (<port>-facb-11e6-bd58-64006a7986d3).
 *
 * Names: where the kernel's tools/hv/lsvmbus names a class, 'name' is that exact string (its
 * output is parsed by other tools); 'ref_known' says so.  Classes the reference prints as
 * "Unknown" get a name of ours.
 *
 * Ownership: every pointer returned here points into static, read-only data.
 */
#ifndef HVGUEST_VMBUS_CLASS_H
#define HVGUEST_VMBUS_CLASS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define VMBUS_GUID_LEN     36        /* 8-4-4-4-12 hex digits and dashes, no braces */
#define VMBUS_CLASS_NONAME "Unknown" /* what lsvmbus prints for a class nobody knows */

struct vmbus_class {
	const char *guid;   /* lower case, no braces; for a template, the first field is 0s */
	const char *key;    /* short stable keyword for scripts (JSON "class"), e.g. "network" */
	const char *name;   /* the name lsvmbus prints */
	const char *macro;  /* the kernel's name for it, e.g. "HV_NIC_GUID" */
	const char *driver; /* the Linux driver that usually binds it, or NULL for none */
	bool ref_known;     /* tools/hv/lsvmbus prints 'name' for this class too */
	bool any_port;      /* only the last 28 hex digits must match (Hyper-V sockets) */
};

/* The whole table, in a fixed order; *ret_n is set to its length. */
const struct vmbus_class *vmbus_class_table(size_t *ret_n);

/*
 * Bring a GUID string into the canonical form: 36 characters, lower case, no braces, NUL
 * terminated in 'out' (VMBUS_GUID_LEN + 1 bytes).  Accepts optional surrounding braces (both
 * or none) and either case.  Returns 0 or -EINVAL.
 */
int vmbus_guid_normalize(const char *s, char out[VMBUS_GUID_LEN + 1]) WARN_UNUSED;

/* The class of a GUID string in any form vmbus_guid_normalize() accepts, or NULL. */
const struct vmbus_class *vmbus_class_lookup(const char *guid);

/*
 * The name lsvmbus prints for the class_id attribute text 'class_id' (stripped, as read from
 * sysfs, with braces): the reference's name where the reference knows the exact string, else
 * our name for the class, else VMBUS_CLASS_NONAME.  Never NULL.
 */
const char *vmbus_class_display_name(const char *class_id);

#endif /* HVGUEST_VMBUS_CLASS_H */
