/* SPDX-License-Identifier: MIT */
/*
 * hvc_data.c - embeds the data/featuremap TSV files into the program.  The assembler reads the
 * files (paths relative to the top of the tree, where make runs); mk/hv-check.mk makes this object
 * depend on them, so editing the data rebuilds the binary.
 */
#include "hvc_data.h"

#define HVC_INCBIN(sym, file)                                                                      \
	__asm__(".section .rodata\n"                                                               \
		".balign 16\n"                                                                     \
		".local " #sym "\n" #sym ":\n"                                                     \
		".incbin \"data/featuremap/" file "\"\n"                                           \
		".local " #sym "_end\n" #sym "_end:\n"                                             \
		".byte 0\n"                                                                        \
		".previous\n");                                                                    \
	extern const char sym[] __asm__(#sym);                                                     \
	extern const char sym##_end[] __asm__(#sym "_end")

HVC_INCBIN(hvc_blob_support, "support.tsv");
HVC_INCBIN(hvc_blob_features, "features.tsv");
HVC_INCBIN(hvc_blob_notes, "notes.tsv");
HVC_INCBIN(hvc_blob_sources, "sources.tsv");
HVC_INCBIN(hvc_blob_detection, "detection.tsv");
HVC_INCBIN(hvc_blob_host_versions, "host_versions.tsv");
HVC_INCBIN(hvc_blob_narrowing, "narrowing.tsv");
HVC_INCBIN(hvc_blob_hosts, "hosts.tsv");

static const struct {
	const char *name;
	const char *start, *end;
} blobs[HVC_BLOB_COUNT] = {
	[HVC_BLOB_SUPPORT] = { "support.tsv", hvc_blob_support, hvc_blob_support_end },
	[HVC_BLOB_FEATURES] = { "features.tsv", hvc_blob_features, hvc_blob_features_end },
	[HVC_BLOB_NOTES] = { "notes.tsv", hvc_blob_notes, hvc_blob_notes_end },
	[HVC_BLOB_SOURCES] = { "sources.tsv", hvc_blob_sources, hvc_blob_sources_end },
	[HVC_BLOB_DETECTION] = { "detection.tsv", hvc_blob_detection, hvc_blob_detection_end },
	[HVC_BLOB_HOST_VERSIONS] = { "host_versions.tsv", hvc_blob_host_versions,
				     hvc_blob_host_versions_end },
	[HVC_BLOB_NARROWING] = { "narrowing.tsv", hvc_blob_narrowing, hvc_blob_narrowing_end },
	[HVC_BLOB_HOSTS] = { "hosts.tsv", hvc_blob_hosts, hvc_blob_hosts_end },
};

const char *hvc_blob(enum hvc_blob b, size_t *ret_len)
{
	*ret_len = (size_t)(blobs[b].end - blobs[b].start);
	return blobs[b].start;
}

const char *hvc_blob_name(enum hvc_blob b)
{
	return blobs[b].name;
}
