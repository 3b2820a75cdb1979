/* SPDX-License-Identifier: MIT */
/*
 * vmbus_class.c - the table of VMBus device classes and the GUID helpers around it.  The
 * GUIDs were checked against include/linux/hyperv.h of Linux 6.12; the driver names are the
 * names the drivers register under /sys/bus/vmbus/drivers.
 */
#include "vmbus_class.h"

#include <ctype.h>
#include <errno.h>

/* clang-format off */
static const struct vmbus_class classes[] = {
	/* guid                                   key         name                                  macro                 driver             ref    any_port */
	{ "0e0b6031-5213-4934-818b-38d90ced39db", "shutdown",  "[Operating system shutdown]",        "HV_SHUTDOWN_GUID",   "hv_utils",        true,  false },
	{ "9527e630-d0ae-497b-adce-e80ab0175caf", "timesync",  "[Time Synchronization]",             "HV_TS_GUID",         "hv_utils",        true,  false },
	{ "57164f39-9115-4e78-ab55-382f3bd5422d", "heartbeat", "[Heartbeat]",                        "HV_HEART_BEAT_GUID", "hv_utils",        true,  false },
	{ "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", "kvp",       "[Data Exchange]",                    "HV_KVP_GUID",        "hv_utils",        true,  false },
	{ "35fa2e29-ea23-4236-96ae-3a6ebacba440", "vss",       "[Backup (volume checkpoint)]",       "HV_VSS_GUID",        "hv_utils",        true,  false },
	{ "34d14be3-dee4-41c8-9ae7-6b174977c192", "fcopy",     "[Guest services]",                   "HV_FCOPY_GUID",      "uio_hv_generic",  true,  false },
	{ "525074dc-8985-46e2-8057-a307dc18a502", "balloon",   "[Dynamic Memory]",                   "HV_DM_GUID",         "hv_balloon",      true,  false },
	{ "cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a", "mouse",     "Synthetic mouse",                    "HV_MOUSE_GUID",      "hid_hyperv",      true,  false },
	{ "f912ad6d-2b17-48ea-bd65-f927a61c7684", "keyboard",  "Synthetic keyboard",                 "HV_KBD_GUID",        "hyperv_keyboard", true,  false },
	{ "da0a7802-e377-4aac-8e77-0558eb1073f8", "video",     "Synthetic framebuffer adapter",      "HV_SYNTHVID_GUID",   "hyperv_drm",      true,  false },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0e", "network",   "Synthetic network adapter",          "HV_NIC_GUID",        "hv_netvsc",       true,  false },
	{ "32412632-86cb-44a2-9b5c-50d1417354f5", "ide",       "Synthetic IDE Controller",           "HV_IDE_GUID",        "hv_storvsc",      true,  false },
	{ "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f", "scsi",      "Synthetic SCSI Controller",          "HV_SCSI_GUID",       "hv_storvsc",      true,  false },
	{ "2f9bcc4a-0069-4af3-b76b-6fd0be528cda", "fc",        "Synthetic fiber channel adapter",    "HV_SYNTHFC_GUID",    "hv_storvsc",      true,  false },
	{ "8c2eaf3d-32a7-4b09-ab99-bd1f1c86b501", "rdma",      "Synthetic RDMA adapter",             "HV_ND_GUID",         NULL,              true,  false },
	{ "44c4f61d-4444-4400-9d52-802e27ede19f", "pci",       "PCI Express pass-through",           "HV_PCIE_GUID",       "hv_pci",          true,  false },
	{ "276aacf4-ac15-426c-98dd-7521ad3f01fe", "rdv",       "[Reserved system device]",           "HV_RDV_GUID",        NULL,              true,  false },
	{ "f8e65716-3cb3-4a06-9a60-1889c5cccab5", "avma1",     "[Reserved system device]",           "HV_AVMA1_GUID",      NULL,              true,  false },
	{ "3375baf4-9e15-4b30-b765-67acb10d607b", "avma2",     "[Reserved system device]",           "HV_AVMA2_GUID",      NULL,              true,  false },
	{ "c376c1c3-d276-48d2-90a9-c04748072c60", "imc",       "[Initial Machine Configuration]",    "HV_IMC_GUID",        NULL,              false, false },
	{ "00000000-facb-11e6-bd58-64006a7986d3", "hvsock",    "Hyper-V socket",                     "srv_id_template",    "hv_sock",         false, true  },
};
/* clang-format on */

const struct vmbus_class *vmbus_class_table(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(classes);
	return classes;
}

int vmbus_guid_normalize(const char *s, char out[VMBUS_GUID_LEN + 1])
{
	size_t len = strlen(s);

	if (len == VMBUS_GUID_LEN + 2 && s[0] == '{' && s[len - 1] == '}') {
		s++;
		len -= 2;
	}
	if (len != VMBUS_GUID_LEN)
		return -EINVAL;
	for (size_t i = 0; i < VMBUS_GUID_LEN; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -EINVAL;
			out[i] = '-';
		} else {
			if (!isxdigit(c))
				return -EINVAL;
			out[i] = (char)tolower(c);
		}
	}
	out[VMBUS_GUID_LEN] = '\0';
	return 0;
}

const struct vmbus_class *vmbus_class_lookup(const char *guid)
{
	char norm[VMBUS_GUID_LEN + 1];

	if (vmbus_guid_normalize(guid, norm) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		/* A template leaves the first field (8 hex digits) free: the socket's port. */
		size_t skip = classes[i].any_port ? 8 : 0;

		if (streq(norm + skip, classes[i].guid + skip))
			return &classes[i];
	}
	return NULL;
}

const char *vmbus_class_display_name(const char *class_id)
{
	const struct vmbus_class *c = vmbus_class_lookup(class_id);

	return c ? c->name : VMBUS_CLASS_NONAME;
}
