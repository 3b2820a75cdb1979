/* SPDX-License-Identifier: MIT */
/*
 * kvpcli.h - hv-kvp, the command-line tool for the KVP pool files: argument parsing, the
 * get/set/del/list/watch/scrub commands, and the small pure helpers they share (output
 * escaping, splitting a value into host-sized parts, diffing two snapshots of a pool).
 *
 * Ownership: snapshots are owned by the caller and freed with kvpcli_snap_free().  Output goes
 * to the FILE * passed in.  Nothing here calls exit(); kvpcli_main() returns the exit status.
 */
#ifndef HVGUEST_KVPCLI_H
#define HVGUEST_KVPCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kvpool.h"

#define KVPCLI_EXIT_OK    0
#define KVPCLI_EXIT_FAIL  1
#define KVPCLI_EXIT_USAGE 2

/* Run hv-kvp with this argument vector; returns 0, 1 or 2. */
int kvpcli_main(int argc, char *argv[]);

/* Write 's' as a JSON string (quotes included); bytes that are not UTF-8 become \u00XX. */
void kvpcli_json_str(FILE *out, const char *s);

/* Write 's' for text output: \\, \t, \n and other control bytes escaped C-style. */
void kvpcli_text_str(FILE *out, const char *s);

/*
 * The length of the longest prefix of 's' that is at most 'max_units' UTF-16 units and does
 * not cut a UTF-8 sequence ('s' must be valid UTF-8).  Used to split long values into parts
 * the host accepts.
 */
size_t kvpcli_split_len(const char *s, size_t max_units);

/* A pool as GET sees it: one value per key (the first match), sorted by key. */
struct kvpcli_entry {
	char *key;
	char *value;
};
struct kvpcli_snap {
	struct kvpcli_entry *e;
	size_t n;
	bool valid; /* false when the pool could not be read */
};

int kvpcli_snap_take(struct kvpool *kp, unsigned int pool, struct kvpcli_snap *ret) WARN_UNUSED;
void kvpcli_snap_free(struct kvpcli_snap *s);

/*
 * Report what changed from 'before' to 'after' in 'pool': one line per key set (new or new
 * value) or deleted, in key order.  Returns the number of lines written.
 */
size_t kvpcli_snap_diff(FILE *out, bool json, unsigned int pool, const struct kvpcli_snap *before,
			const struct kvpcli_snap *after);

#endif /* HVGUEST_KVPCLI_H */
