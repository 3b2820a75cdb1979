/* SPDX-License-Identifier: MIT */
/*
 * sim_msg.c - names of services, HRESULT status codes and errno values for hv-sim's
 * scenario language and messages.
 */
#include "sim_msg.h"

#include <errno.h>
#include <string.h>

#include "util.h"

static const char *const service_names[SIM_SERVICE_COUNT] = { "kvp", "vss", "fcopy" };
static const char *const service_devs[SIM_SERVICE_COUNT] = { "hv_kvp", "hv_vss", "hv_fcopy" };

/* clang-format off */
static const struct {
	const char *name;
	uint32_t value;
} statuses[] = {
	{ "HV_S_OK",                       HV_S_OK },
	{ "HV_E_FAIL",                     HV_E_FAIL },
	{ "HV_S_CONT",                     HV_S_CONT },
	{ "HV_ERROR_NOT_SUPPORTED",        HV_ERROR_NOT_SUPPORTED },
	{ "HV_ERROR_MACHINE_LOCKED",       HV_ERROR_MACHINE_LOCKED },
	{ "HV_ERROR_DEVICE_NOT_CONNECTED", HV_ERROR_DEVICE_NOT_CONNECTED },
	{ "HV_INVALIDARG",                 HV_INVALIDARG },
	{ "HV_GUID_NOTFOUND",              HV_GUID_NOTFOUND },
	{ "HV_ERROR_ALREADY_EXISTS",       HV_ERROR_ALREADY_EXISTS },
	{ "HV_ERROR_DISK_FULL",            HV_ERROR_DISK_FULL },
};

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "none",   0 },
	{ "EINVAL", EINVAL },
	{ "EBUSY",  EBUSY },
	{ "EFAULT", EFAULT },
	{ "EAGAIN", EAGAIN },
	{ "EBADF",  EBADF },
	{ "EINTR",  EINTR },
	{ "ENODEV", ENODEV },
};
/* clang-format on */

const char *sim_service_name(enum sim_service s)
{
	return (unsigned int)s < SIM_SERVICE_COUNT ? service_names[s] : "?";
}

const char *sim_service_devname(enum sim_service s)
{
	return (unsigned int)s < SIM_SERVICE_COUNT ? service_devs[s] : "?";
}

int sim_service_parse(const char *name)
{
	for (size_t i = 0; i < SIM_SERVICE_COUNT; i++)
		if (streq(name, service_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *sim_status_name(uint32_t status)
{
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].value == status)
			return statuses[i].name;
	return NULL;
}

int sim_status_parse(const char *s, uint32_t *ret)
{
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (strcasecmp(s, statuses[i].name) == 0) {
			*ret = statuses[i].value;
			return 0;
		}
	if (strcasecmp(s, "ok") == 0) {
		*ret = HV_S_OK;
		return 0;
	}
	if (strcasecmp(s, "fail") == 0) {
		*ret = HV_E_FAIL;
		return 0;
	}
	if (parse_uint(s, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

const char *sim_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].value == err)
			return errnos[i].name;
	return "E?";
}
