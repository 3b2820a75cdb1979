/* SPDX-License-Identifier: MIT */
/*
 * hvc_out.h - how hv-check prints map answers: readable text, JSON (schema in
 * docs/hv-check.md) and Markdown tables in the published layout.
 */
#ifndef HVC_OUT_H
#define HVC_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "hvc_map.h"

#define HVC_JSON_SCHEMA 1

void hvc_json_str(FILE *f, const char *s);
/* "yes", "no", "n.a." for 1, 0, -1. */
const char *hvc_avail_word(int available);

void hvc_print_answer_text(FILE *f, const struct hvc_answer *a, const struct hvc_query *q);
void hvc_print_answer_json(FILE *f, const struct hvc_answer *a, const struct hvc_query *q);

/*
 * Print the table of 'series' (in 'family') from source 'src' as Markdown (published layout:
 * Feature, Windows Server version, one column per release range, the Availability row, section
 * rows) or as aligned text.  Returns 0 or -ENOENT when that source has no such table.
 */
int hvc_print_table(FILE *f, const struct hvc_map *m, const struct hvc_source *src,
		    const char *series, bool markdown);

/* Two answers side by side; json selects the machine form. */
void hvc_print_compare(FILE *f, const struct hvc_answer *a, const struct hvc_query *qa,
		       const struct hvc_answer *b, const struct hvc_query *qb, bool json);

#endif /* HVC_OUT_H */
