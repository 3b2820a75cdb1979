/* SPDX-License-Identifier: MIT */
/*
 * hvc_tsv.c - strict tab-separated reader (see hvc_tsv.h).
 */
#include "hvc_tsv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t count_fields(const char *line)
{
	size_t n = 1;

	for (; *line; line++)
		if (*line == '\t')
			n++;
	return n;
}

static void split_fields(char *line, char **out)
{
	size_t i = 0;

	out[i++] = line;
	for (; *line; line++) {
		if (*line == '\t') {
			*line = '\0';
			out[i++] = line + 1;
		}
	}
}

int hvc_tsv_parse(const char *data, size_t len, struct hvc_tsv *t, size_t *ret_bad_line)
{
	size_t nlines = 0, cap, lineno = 0;
	char *p, *next;
	int r;

	memset(t, 0, sizeof(*t));
	if (ret_bad_line)
		*ret_bad_line = 0;
	if (len == 0)
		return -EINVAL;
	t->buf = malloc(len + 1);
	if (!t->buf)
		return -ENOMEM;
	memcpy(t->buf, data, len);
	t->buf[len] = '\0';
	if (memchr(t->buf, '\0', len)) {
		r = -EINVAL;
		goto err;
	}
	for (size_t i = 0; i < len; i++)
		if (t->buf[i] == '\n')
			nlines++;
	cap = nlines + 1;

	for (p = t->buf; p && *p; p = next) {
		size_t n;

		lineno++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		n = strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			p[--n] = '\0';
		if (n == 0)
			continue;
		if (!t->hdr) {
			t->ncols = count_fields(p);
			t->hdr = calloc(t->ncols, sizeof(*t->hdr));
			t->cells = calloc(cap * t->ncols, sizeof(*t->cells));
			if (!t->hdr || !t->cells) {
				r = -ENOMEM;
				goto err;
			}
			split_fields(p, t->hdr);
			continue;
		}
		if (count_fields(p) != t->ncols) {
			if (ret_bad_line)
				*ret_bad_line = lineno;
			r = -EINVAL;
			goto err;
		}
		split_fields(p, t->cells + t->nrows * t->ncols);
		t->nrows++;
	}
	if (!t->hdr) {
		r = -EINVAL;
		goto err;
	}
	return 0;
err:
	hvc_tsv_release(t);
	return r;
}

int hvc_tsv_col(const struct hvc_tsv *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (streq(t->hdr[i], name))
			return (int)i;
	return -ENOENT;
}

const char *hvc_tsv_cell(const struct hvc_tsv *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->cells[row * t->ncols + (size_t)col];
}

void hvc_tsv_release(struct hvc_tsv *t)
{
	free(t->buf);
	free(t->hdr);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
