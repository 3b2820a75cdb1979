/* SPDX-License-Identifier: MIT */
/*
 * hvc_tsv.h - a strict reader for the feature map's tab-separated files: a header line, then
 * rows with exactly as many fields as the header, no quoting.  Cells point into one private
 * copy of the input.
 */
#ifndef HVC_TSV_H
#define HVC_TSV_H

#include <stddef.h>

struct hvc_tsv {
	char *buf;
	size_t ncols, nrows;
	char **hdr;   /* ncols names */
	char **cells; /* nrows * ncols */
};

/*
 * Parse 'len' bytes.  Returns 0, -EINVAL for an empty input or a row whose field count differs
 * from the header (*ret_bad_line, 1-based, says which), -ENOMEM.  Blank lines are skipped.
 */
int hvc_tsv_parse(const char *data, size_t len, struct hvc_tsv *t, size_t *ret_bad_line);
/* Index of the column 'name', or -ENOENT. */
int hvc_tsv_col(const struct hvc_tsv *t, const char *name);
/* The cell at (row, col); "" when col is negative. */
const char *hvc_tsv_cell(const struct hvc_tsv *t, size_t row, int col);
void hvc_tsv_release(struct hvc_tsv *t);

#endif /* HVC_TSV_H */
