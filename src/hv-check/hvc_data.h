/* SPDX-License-Identifier: MIT */
/*
 * hvc_data.h - the feature map files of data/featuremap/, embedded into hv-check at build time
 * (hvc_data.c pulls them in with .incbin), so the binary needs no data file at run time.
 */
#ifndef HVC_DATA_H
#define HVC_DATA_H

#include <stddef.h>

enum hvc_blob {
	HVC_BLOB_SUPPORT,
	HVC_BLOB_FEATURES,
	HVC_BLOB_NOTES,
	HVC_BLOB_SOURCES,
	HVC_BLOB_DETECTION,
	HVC_BLOB_HOST_VERSIONS,
	HVC_BLOB_NARROWING,
	HVC_BLOB_HOSTS,
	HVC_BLOB_COUNT
};

/* The bytes of one embedded file (not NUL-terminated) and its length; name is the file name. */
const char *hvc_blob(enum hvc_blob b, size_t *ret_len);
const char *hvc_blob_name(enum hvc_blob b);

#endif /* HVC_DATA_H */
