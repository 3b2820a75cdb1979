/* SPDX-License-Identifier: MIT */
/*
 * test-vmbus-class.c - the VMBus class table: every class of the kernel's hyperv.h is there
 * under its GUID, the names of the classes tools/hv/lsvmbus knows are exactly its names,
 * GUID spelling variants, Hyper-V socket ports, and what nobody knows stays "Unknown".
 */
#include <ctype.h>
#include <errno.h>

#include "tap.h"
#include "vmbus_class.h"

/*
 * What the table must say, typed in again from include/linux/hyperv.h (Linux 6.12) and
 * tools/hv/lsvmbus; NULL ref_name: the reference prints "Unknown" for it.
 */
static const struct {
	const char *macro;
	const char *guid;
	const char *key;
	const char *ref_name;
} expect[] = {
	/* clang-format off */
	{ "HV_NIC_GUID",        "f8615163-df3e-46c5-913f-f2d2f965ed0e", "network",   "Synthetic network adapter" },
	{ "HV_IDE_GUID",        "32412632-86cb-44a2-9b5c-50d1417354f5", "ide",       "Synthetic IDE Controller" },
	{ "HV_SCSI_GUID",       "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f", "scsi",      "Synthetic SCSI Controller" },
	{ "HV_SHUTDOWN_GUID",   "0e0b6031-5213-4934-818b-38d90ced39db", "shutdown",  "[Operating system shutdown]" },
	{ "HV_TS_GUID",         "9527e630-d0ae-497b-adce-e80ab0175caf", "timesync",  "[Time Synchronization]" },
	{ "HV_HEART_BEAT_GUID", "57164f39-9115-4e78-ab55-382f3bd5422d", "heartbeat", "[Heartbeat]" },
	{ "HV_KVP_GUID",        "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", "kvp",       "[Data Exchange]" },
	{ "HV_DM_GUID",         "525074dc-8985-46e2-8057-a307dc18a502", "balloon",   "[Dynamic Memory]" },
	{ "HV_MOUSE_GUID",      "cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a", "mouse",     "Synthetic mouse" },
	{ "HV_KBD_GUID",        "f912ad6d-2b17-48ea-bd65-f927a61c7684", "keyboard",  "Synthetic keyboard" },
	{ "HV_VSS_GUID",        "35fa2e29-ea23-4236-96ae-3a6ebacba440", "vss",       "[Backup (volume checkpoint)]" },
	{ "HV_SYNTHVID_GUID",   "da0a7802-e377-4aac-8e77-0558eb1073f8", "video",     "Synthetic framebuffer adapter" },
	{ "HV_SYNTHFC_GUID",    "2f9bcc4a-0069-4af3-b76b-6fd0be528cda", "fc",        "Synthetic fiber channel adapter" },
	{ "HV_FCOPY_GUID",      "34d14be3-dee4-41c8-9ae7-6b174977c192", "fcopy",     "[Guest services]" },
	{ "HV_ND_GUID",         "8c2eaf3d-32a7-4b09-ab99-bd1f1c86b501", "rdma",      "Synthetic RDMA adapter" },
	{ "HV_PCIE_GUID",       "44c4f61d-4444-4400-9d52-802e27ede19f", "pci",       "PCI Express pass-through" },
	{ "HV_AVMA1_GUID",      "f8e65716-3cb3-4a06-9a60-1889c5cccab5", "avma1",     "[Reserved system device]" },
	{ "HV_AVMA2_GUID",      "3375baf4-9e15-4b30-b765-67acb10d607b", "avma2",     "[Reserved system device]" },
	{ "HV_RDV_GUID",        "276aacf4-ac15-426c-98dd-7521ad3f01fe", "rdv",       "[Reserved system device]" },
	{ "HV_IMC_GUID",        "c376c1c3-d276-48d2-90a9-c04748072c60", "imc",       NULL },
	{ "srv_id_template",    "00000000-facb-11e6-bd58-64006a7986d3", "hvsock",    NULL },
	/* clang-format on */
};

static void test_every_kernel_class(void)
{
	size_t n;

	(void)vmbus_class_table(&n);
	CHECK_INT(n, ARRAY_SIZE(expect), "the table has one entry per kernel class");
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		const struct vmbus_class *c = vmbus_class_lookup(expect[i].guid);

		if (!CHECK(c != NULL, "%s %s is in the table", expect[i].macro, expect[i].guid))
			continue;
		CHECK_STR(c->guid, expect[i].guid, "%s: the entry found has that GUID",
			  expect[i].macro);
		CHECK_STR(c->macro, expect[i].macro, "%s: macro", expect[i].macro);
		CHECK_STR(c->key, expect[i].key, "%s: keyword", expect[i].macro);
		CHECK_INT(c->ref_known, expect[i].ref_name != NULL,
			  "%s: known to the reference or not", expect[i].macro);
		if (expect[i].ref_name)
			CHECK_STR(c->name, expect[i].ref_name, "%s: the reference's exact name",
				  expect[i].macro);
		else
			CHECK(!streq(c->name, VMBUS_CLASS_NONAME) && c->name[0] != '\0',
			      "%s: a real name where the reference says Unknown", expect[i].macro);
	}
}

static void test_table_shape(void)
{
	const struct vmbus_class *t;
	size_t n;

	t = vmbus_class_table(&n);
	for (size_t i = 0; i < n; i++) {
		char norm[VMBUS_GUID_LEN + 1];
		bool key_ok = t[i].key[0] != '\0';

		CHECK(vmbus_guid_normalize(t[i].guid, norm) == 0 && streq(norm, t[i].guid),
		      "%s: GUID is canonical (36 characters, lower case)", t[i].key);
		for (const char *k = t[i].key; *k; k++)
			if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k))
				key_ok = false;
		CHECK(key_ok, "%s: keyword is lower-case letters and digits", t[i].key);
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			if (j != i && (streq(t[i].guid, t[j].guid) || streq(t[i].key, t[j].key)))
				dup = true;
		CHECK(!dup, "%s: GUID and keyword appear once", t[i].key);
	}
}

static const struct {
	const char *in;
	int want;
	const char *want_out;
} norm_cases[] = {
	/* clang-format off */
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0e",   0,       "f8615163-df3e-46c5-913f-f2d2f965ed0e" },
	{ "{f8615163-df3e-46c5-913f-f2d2f965ed0e}", 0,       "f8615163-df3e-46c5-913f-f2d2f965ed0e" },
	{ "{F8615163-DF3E-46C5-913F-F2D2F965ED0E}", 0,       "f8615163-df3e-46c5-913f-f2d2f965ed0e" },
	{ "{f8615163-df3e-46c5-913f-f2d2f965ed0e",  -EINVAL, NULL },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0e}",  -EINVAL, NULL },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0",    -EINVAL, NULL },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0e0",  -EINVAL, NULL },
	{ "f8615163df3e-46c5-913f-f2d2f965ed0e0",   -EINVAL, NULL },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0g",   -EINVAL, NULL },
	{ "f8615163-df3e-46c5-913f+f2d2f965ed0e",   -EINVAL, NULL },
	{ " f8615163-df3e-46c5-913f-f2d2f965ed0e",  -EINVAL, NULL },
	{ "",                                       -EINVAL, NULL },
	{ "{}",                                     -EINVAL, NULL },
	/* clang-format on */
};

static void test_normalize(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(norm_cases); i++) {
		char out[VMBUS_GUID_LEN + 1] = "";
		int r = vmbus_guid_normalize(norm_cases[i].in, out);

		CHECK_INT(r, norm_cases[i].want, "normalize '%s'", norm_cases[i].in);
		if (norm_cases[i].want_out)
			CHECK_STR(out, norm_cases[i].want_out, "normalize '%s' gives",
				  norm_cases[i].in);
	}
}

static const struct {
	const char *class_id;
	const char *want; /* the name lsvmbus prints */
} name_cases[] = {
	/* clang-format off */
	{ "{f8615163-df3e-46c5-913f-f2d2f965ed0e}", "Synthetic network adapter" },
	{ "{F8615163-DF3E-46C5-913F-F2D2F965ED0E}", "Synthetic network adapter" },
	{ "f8615163-df3e-46c5-913f-f2d2f965ed0e",   "Synthetic network adapter" },
	{ "{f8615163-df3e-46c5-913f-f2d2f965ed0f}", "Unknown" },
	{ "{12345678-1234-1234-1234-123456789abc}", "Unknown" },
	{ "{c376c1c3-d276-48d2-90a9-c04748072c60}", "[Initial Machine Configuration]" },
	{ "{00000438-facb-11e6-bd58-64006a7986d3}", "Hyper-V socket" },
	{ "{ffffffff-facb-11e6-bd58-64006a7986d3}", "Hyper-V socket" },
	{ "{00000438-facb-11e6-bd58-64006a7986d4}", "Unknown" },
	{ "{00000438-facc-11e6-bd58-64006a7986d3}", "Unknown" },
	{ "{0e0b6031-5213-4934-818b-38d90ced39db}", "[Operating system shutdown]" },
	{ "{0e0b6031-5213-4934-818b-38d90ced39db} ", "Unknown" },
	{ "",                                       "Unknown" },
	{ "not a guid",                             "Unknown" },
	/* clang-format on */
};

static void test_display_name(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++)
		CHECK_STR(vmbus_class_display_name(name_cases[i].class_id), name_cases[i].want,
			  "name of '%s'", name_cases[i].class_id);
}

int main(void)
{
	test_every_kernel_class();
	test_table_shape();
	test_normalize();
	test_display_name();
	return tap_done();
}
