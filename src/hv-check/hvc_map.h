/* SPDX-License-Identifier: MIT */
/*
 * hvc_map.h - the feature map in memory, and the questions hv-check asks it.
 *
 * hvc_map_load() parses the embedded TSV files (hvc_data.h) into tables of sources, features,
 * notes, hosts, narrowing rules, detection hints, version columns and cells.  Everything points
 * into the parsed TSV buffers; nothing here holds a feature fact of its own.
 *
 * hvc_query() answers "release R of distribution D, with integration services L, on host H":
 * it picks the newest source whose table has a column for (series, L) covering R, takes every
 * cell of that column, and applies the cell's notes (host qualifiers, narrowing.tsv).
 */
#ifndef HVC_MAP_H
#define HVC_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "hvc_data.h"
#include "hvc_tsv.h"

#define HVC_VER_MAX   6
#define HVC_NOTES_MAX 16

struct hvc_ver {
	unsigned long n[HVC_VER_MAX];
	size_t len;
};

struct hvc_source {
	const char *id, *family, *repo, *path, *commit, *date, *role;
	size_t age; /* position in sources.tsv: larger is newer */
};

struct hvc_feature {
	const char *id, *category, *name, *description;
};

struct hvc_note {
	const char *family, *source, *topic, *summary, *check_kind, *check, *remedy, *flags;
	unsigned long number;
};

struct hvc_host {
	const char *id, *name, *aliases, *os_version, *vmbus_version;
	unsigned long rank, build_min, build_max;
};

struct hvc_narrow {
	const char *source, *feature, *release_in, *host_min, *kernel_min, *effect, *explanation;
	unsigned long note;
};

struct hvc_detect {
	const char *feature, *modules, *class_id, *interfaces, *userspace, *check_present,
		*check_working;
};

struct hvc_col {
	const struct hvc_source *src;
	const char *family, *series, *label, *range, *kernel_variant, *codename, *lis;
	unsigned long colno;
	bool newest;
};

struct hvc_cell {
	size_t col; /* index into hvc_map.cols */
	const char *feature, *label, *section, *supported, *notes, *text, *hosts, *hosts_printed,
		*flags;
};

struct hvc_map {
	struct hvc_tsv tsv[HVC_BLOB_COUNT];
	struct hvc_source *sources;
	size_t nsources;
	struct hvc_feature *features;
	size_t nfeatures;
	struct hvc_note *notes;
	size_t nnotes;
	struct hvc_host *hosts;
	size_t nhosts;
	struct hvc_narrow *narrows;
	size_t nnarrows;
	struct hvc_detect *detects;
	size_t ndetects;
	struct hvc_col *cols;
	size_t ncols;
	struct hvc_cell *cells;
	size_t ncells;
};

/* Load the embedded map.  Returns 0 or a negative errno with a message in err. */
int hvc_map_load(struct hvc_map *m, char *err, size_t errlen);
/* Load from the given file contents (indexed by enum hvc_blob); for tests. */
int hvc_map_load_blobs(struct hvc_map *m, const char *const data[HVC_BLOB_COUNT],
		       const size_t len[HVC_BLOB_COUNT], char *err, size_t errlen);
void hvc_map_release(struct hvc_map *m);

/* Versions: "7.2", "15.3", "15 SP3", "15-SP3", "22.04".  0 or -EINVAL. */
int hvc_ver_parse(const char *s, struct hvc_ver *ret);
int hvc_ver_cmp(const struct hvc_ver *a, const struct hvc_ver *b);
/* Kernel releases ("3.10.0-957.38.1.el7.x86_64"): numeric runs compared in order. */
int hvc_kernel_cmp(const char *a, const char *b);
/* 1 when the column range ("7.0-7.2", "6.6,6.7", "8.1-8.6+", "10.x", "SLES 15 SP1-SP4")
 * covers v, 0 when not, -EINVAL when the range cannot be read. */
int hvc_range_covers(const char *range, const struct hvc_ver *v);

/* Look-ups; NULL when absent. */
const char *hvc_family_of(const char *distro); /* "centos" -> "rhel_centos" */
const struct hvc_host *hvc_host_find(const struct hvc_map *m, const char *name);
const struct hvc_host *hvc_host_by_build(const struct hvc_map *m, unsigned long build);
const struct hvc_feature *hvc_feature_find(const struct hvc_map *m, const char *id);
const struct hvc_source *hvc_source_find(const struct hvc_map *m, const char *family,
					 const char *name);
const struct hvc_note *hvc_note_find(const struct hvc_map *m, const char *family,
				     const char *source, unsigned long number);
const struct hvc_detect *hvc_detect_find(const struct hvc_map *m, const char *feature);
/* Normalise an --lis argument: "builtin", "LIS 4.1", ... into buf; -EINVAL when unreadable. */
int hvc_lis_normalise(const char *in, char *buf, size_t size);

struct hvc_query {
	const char *distro, *version, *lis, *host, *source;
	const char *kernel; /* running kernel (live check), or NULL */
};

struct hvc_note_ref {
	const struct hvc_note *note; /* NULL when the source never defines it */
	unsigned long number;
	bool applies;
	const char *why; /* why it does not apply, or the condition it sets; may be NULL */
};

struct hvc_fanswer {
	const struct hvc_cell *cell;
	const struct hvc_feature *feature; /* NULL for section rows */
	int cell_available;                /* as printed: 1, 0, -1 (N/A) */
	int available;                     /* after host and notes */
	int host_listed;                   /* 1, 0, -1 (row names no host / no host asked) */
	const char *reason;                /* why available differs from the cell */
	struct hvc_note_ref notes[HVC_NOTES_MAX];
	size_t nnotes;
};

struct hvc_answer {
	const char *family;
	struct hvc_ver version;
	const struct hvc_col *col;
	const struct hvc_host *host; /* NULL when not asked */
	struct hvc_fanswer *features;
	size_t nfeatures;
	char others[512]; /* other columns covering the release, e.g. "LIS 4.3 (D_2023 6.4-6.6)" */
};

/*
 * Returns 0; -ENOENT when the release, LIS choice or host is not in the map; -EINVAL for an
 * unreadable argument; -ENOMEM.  err holds a one-line explanation on failure.
 */
int hvc_query_run(const struct hvc_map *m, const struct hvc_query *q, struct hvc_answer *a,
		  char *err, size_t errlen);
void hvc_answer_release(struct hvc_answer *a);

/* Series of a family whose name matches 'want' ("7.x", "RHEL/CentOS 7.x", or NULL when the
 * family has one series) in 'source'; NULL when none or ambiguous. */
const char *hvc_series_find(const struct hvc_map *m, const char *family,
			    const struct hvc_source *src, const char *want);

#endif /* HVC_MAP_H */
