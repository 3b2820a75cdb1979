/* SPDX-License-Identifier: MIT */
/*
 * sim_msg.h - the device-layer messages hv-sim exchanges with a daemon: the structs of
 * <linux/hyperv.h> with size checks, the three services, and the HRESULT status names.
 */
#ifndef HVSIM_MSG_H
#define HVSIM_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hyperv.h>

_Static_assert(sizeof(struct hv_kvp_msg) == 7432, "hv_kvp_msg is 7432 bytes on Linux");
_Static_assert(sizeof(struct hv_kvp_ip_msg) == 7428, "hv_kvp_ip_msg is 7428 bytes");
_Static_assert(sizeof(struct hv_kvp_exchg_msg_value) == 2572, "hv_kvp_exchg_msg_value");
_Static_assert(sizeof(struct hv_kvp_msg_enumerate) == 2576, "hv_kvp_msg_enumerate");
_Static_assert(sizeof(struct hv_kvp_msg_delete) == 516, "hv_kvp_msg_delete");
_Static_assert(sizeof(struct hv_kvp_ipaddr_value) == 7426, "hv_kvp_ipaddr_value");
_Static_assert(sizeof(struct hv_vss_msg) == 12, "hv_vss_msg is 12 bytes");
_Static_assert(sizeof(struct hv_fcopy_hdr) == 36, "hv_fcopy_hdr is 36 bytes");
_Static_assert(sizeof(struct hv_start_fcopy) == 1088, "hv_start_fcopy is 1088 bytes");
_Static_assert(sizeof(struct hv_do_fcopy) == 6196, "hv_do_fcopy is 6196 bytes");
_Static_assert(offsetof(struct hv_kvp_msg, body.kvp_get.data.value) == 528, "GET value offset");
_Static_assert(offsetof(struct hv_kvp_msg, body.kvp_enum_data.data.value) == 532,
	       "ENUMERATE value offset");

#define SIM_MSG_MAX 65536 /* the largest message a scenario or a daemon may send */

enum sim_service {
	SIM_KVP,
	SIM_VSS,
	SIM_FCOPY,
	SIM_SERVICE_COUNT,
};

/* "kvp", "vss", "fcopy"; and the device file names "hv_kvp", "hv_vss", "hv_fcopy". */
const char *sim_service_name(enum sim_service s);
const char *sim_service_devname(enum sim_service s);
/* Returns the service for a name, or -EINVAL. */
int sim_service_parse(const char *name);

/* The name of a status ("HV_E_FAIL"), or NULL when it has none. */
const char *sim_status_name(uint32_t status);
/* Parse a status name or number into *ret.  Returns 0 or -EINVAL. */
int sim_status_parse(const char *s, uint32_t *ret);

/* errno names used in expectations ("EINVAL"); "none" for 0. */
const char *sim_errno_name(int err);

#endif /* HVSIM_MSG_H */
