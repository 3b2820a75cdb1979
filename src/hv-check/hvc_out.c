/* SPDX-License-Identifier: MIT */
/*
 * hvc_out.c - text, JSON and Markdown output of map answers (see hvc_out.h).
 */
#include "hvc_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void hvc_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_tri(FILE *f, int v)
{
	fputs(v > 0 ? "true" : v == 0 ? "false" : "null", f);
}

const char *hvc_avail_word(int available)
{
	return available > 0 ? "yes" : available == 0 ? "no" : "n.a.";
}

static const char *lis_printed(const char *lis)
{
	if (streq(lis, "builtin"))
		return "Built in";
	if (streq(lis, "unspecified"))
		return "";
	return lis;
}

static const char *section_title(const char *section)
{
	static const struct {
		const char *id, *title;
	} titles[] = {
		{ "networking", "Networking" }, { "storage", "Storage" },
		{ "memory", "Memory" },         { "video", "Video" },
		{ "misc", "Miscellaneous" },    { "gen2", "Generation 2 virtual machines" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(titles); i++)
		if (streq(titles[i].id, section))
			return titles[i].title;
	return NULL;
}

static const char *feature_name(const struct hvc_fanswer *f)
{
	if (*f->cell->label)
		return f->cell->label;
	return f->feature ? f->feature->name : f->cell->feature;
}

static void print_header(FILE *f, const struct hvc_answer *a, const struct hvc_query *q)
{
	const struct hvc_col *c = a->col;

	fprintf(f, "%s %s", q->distro, q->version);
	fprintf(f, " with %s",
		streq(c->lis, "builtin")       ? "built-in drivers"
		: streq(c->lis, "unspecified") ? "the drivers of the table (availability "
						 "not stated)"
					       : c->lis);
	if (a->host)
		fprintf(f, " on %s", a->host->name);
	fputc('\n', f);
	fprintf(f, "map: %s%s%s, table \"%s\", column \"%s\" [%s]\n", c->src->id,
		*c->src->date ? " of " : "", c->src->date, c->series, c->label, c->lis);
	if (a->others[0])
		fprintf(f, "other columns covering this release: %s\n", a->others);
}

void hvc_print_answer_text(FILE *f, const struct hvc_answer *a, const struct hvc_query *q)
{
	bool any_skipped = false;

	print_header(f, a, q);
	fprintf(f, "\n%-42s %-10s %-10s %s\n", "FEATURE", "AVAILABLE", "NOTES", "REMARKS");
	for (size_t i = 0; i < a->nfeatures; i++) {
		const struct hvc_fanswer *x = &a->features[i];
		char notes[64] = "";
		size_t o = 0;

		for (size_t k = 0; k < x->nnotes; k++) {
			int n = snprintf(notes + o, sizeof(notes) - o, "%s%lu%s", k ? "," : "",
					 x->notes[k].number, x->notes[k].applies ? "" : "-");

			if (n < 0 || (size_t)n >= sizeof(notes) - o)
				break;
			o += (size_t)n;
		}
		fprintf(f, "%-42s %-10s %-10s", feature_name(x),
			x->feature ? hvc_avail_word(x->available) : "(section)", notes);
		if (x->reason)
			fprintf(f, " %s", x->reason);
		if (strstr(x->cell->flags, "suspect_column_shift"))
			fprintf(f, " [suspect cell: the source's row may be shifted]");
		if (strstr(x->cell->flags, "cell_missing_in_source"))
			fprintf(f, " [cell missing in the source, read as blank]");
		fputc('\n', f);
	}
	fputs("\nNotes that apply (what to do):\n", f);
	for (size_t i = 0; i < a->nfeatures; i++) {
		const struct hvc_fanswer *x = &a->features[i];

		for (size_t k = 0; k < x->nnotes; k++) {
			const struct hvc_note_ref *r = &x->notes[k];
			bool dup = false;

			if (!r->applies) {
				any_skipped = true;
				continue;
			}
			for (size_t j = 0; j < i && !dup; j++)
				for (size_t l = 0; l < a->features[j].nnotes; l++)
					if (a->features[j].notes[l].number == r->number &&
					    a->features[j].notes[l].applies)
						dup = true;
			for (size_t l = 0; l < k && !dup; l++)
				if (x->notes[l].number == r->number)
					dup = true;
			if (dup)
				continue;
			if (!r->note) {
				fprintf(f, "  %2lu  (not defined by this source)\n", r->number);
				continue;
			}
			fprintf(f, "  %2lu  %s\n", r->number, r->note->summary);
			if (r->why && r->why != x->reason)
				fprintf(f, "      condition: %s\n", r->why);
			if (*r->note->remedy)
				fprintf(f, "      do: %s\n", r->note->remedy);
		}
	}
	if (any_skipped) {
		fputs("\nNotes that do not apply here (marked - above):\n", f);
		for (size_t i = 0; i < a->nfeatures; i++) {
			const struct hvc_fanswer *x = &a->features[i];

			for (size_t k = 0; k < x->nnotes; k++)
				if (!x->notes[k].applies)
					fprintf(f, "  %2lu  on %s: %s\n", x->notes[k].number,
						feature_name(x), x->notes[k].why);
		}
	}
}

static void json_flags(FILE *f, const char *flags)
{
	bool first = true;

	fputc('[', f);
	while (*flags) {
		size_t n = strcspn(flags, ";");
		char buf[128];

		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, flags, n);
			buf[n] = '\0';
			if (!first)
				fputs(", ", f);
			hvc_json_str(f, buf);
			first = false;
		}
		flags += n;
		if (*flags == ';')
			flags++;
	}
	fputc(']', f);
}

static void json_features(FILE *f, const struct hvc_answer *a, const char *indent)
{
	fprintf(f, "%s\"features\": [", indent);
	for (size_t i = 0; i < a->nfeatures; i++) {
		const struct hvc_fanswer *x = &a->features[i];

		fprintf(f, "%s\n%s  {\"id\": ", i ? "," : "", indent);
		hvc_json_str(f, x->cell->feature);
		fputs(", \"name\": ", f);
		hvc_json_str(f, feature_name(x));
		fputs(", \"category\": ", f);
		hvc_json_str(f, x->feature ? x->feature->category : "section");
		fputs(", \"available\": ", f);
		json_tri(f, x->available);
		fputs(", \"available_in_table\": ", f);
		json_tri(f, x->cell_available);
		fputs(", \"host_listed\": ", f);
		json_tri(f, x->host_listed);
		fputs(", \"reason\": ", f);
		hvc_json_str(f, x->reason);
		fputs(", \"cell\": ", f);
		hvc_json_str(f, x->cell->text);
		fputs(", \"hosts\": ", f);
		hvc_json_str(f, x->cell->hosts_printed);
		fputs(", \"flags\": ", f);
		json_flags(f, x->cell->flags);
		fputs(", \"notes\": [", f);
		for (size_t k = 0; k < x->nnotes; k++) {
			const struct hvc_note_ref *r = &x->notes[k];

			fprintf(f, "%s{\"number\": %lu, \"applies\": %s, \"why\": ", k ? ", " : "",
				r->number, r->applies ? "true" : "false");
			hvc_json_str(f, r->why);
			fputs(", \"defined\": ", f);
			fputs(r->note ? "true" : "false", f);
			fputs(", \"topic\": ", f);
			hvc_json_str(f, r->note ? r->note->topic : NULL);
			fputs(", \"summary\": ", f);
			hvc_json_str(f, r->note ? r->note->summary : NULL);
			fputs(", \"check_kind\": ", f);
			hvc_json_str(f, r->note ? r->note->check_kind : NULL);
			fputs(", \"check\": ", f);
			hvc_json_str(f, r->note ? r->note->check : NULL);
			fputs(", \"remedy\": ", f);
			hvc_json_str(f, r->note ? r->note->remedy : NULL);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fprintf(f, "\n%s]", indent);
}

static void json_answer_head(FILE *f, const struct hvc_answer *a, const struct hvc_query *q,
			     const char *indent)
{
	const struct hvc_col *c = a->col;

	fprintf(f, "%s\"query\": {\"distro\": ", indent);
	hvc_json_str(f, q->distro);
	fputs(", \"family\": ", f);
	hvc_json_str(f, a->family);
	fputs(", \"version\": ", f);
	hvc_json_str(f, q->version);
	fputs(", \"lis\": ", f);
	hvc_json_str(f, q->lis);
	fputs(", \"host\": ", f);
	hvc_json_str(f, a->host ? a->host->id : NULL);
	fprintf(f, "},\n%s\"source\": {\"id\": ", indent);
	hvc_json_str(f, c->src->id);
	fputs(", \"date\": ", f);
	hvc_json_str(f, *c->src->date ? c->src->date : NULL);
	fputs(", \"repo\": ", f);
	hvc_json_str(f, c->src->repo);
	fputs(", \"path\": ", f);
	hvc_json_str(f, c->src->path);
	fputs(", \"commit\": ", f);
	hvc_json_str(f, c->src->commit);
	fprintf(f, "},\n%s\"table\": {\"series\": ", indent);
	hvc_json_str(f, c->series);
	fprintf(f, ", \"column\": %lu, \"label\": ", c->colno);
	hvc_json_str(f, c->label);
	fputs(", \"range\": ", f);
	hvc_json_str(f, c->range);
	fputs(", \"availability\": ", f);
	hvc_json_str(f, c->lis);
	fputs(", \"newest_source_for_series\": ", f);
	fputs(c->newest ? "true" : "false", f);
	fprintf(f, "},\n%s\"other_columns\": ", indent);
	hvc_json_str(f, a->others[0] ? a->others : NULL);
	fputs(",\n", f);
}

void hvc_print_answer_json(FILE *f, const struct hvc_answer *a, const struct hvc_query *q)
{
	fprintf(f, "{\n  \"schema_version\": %d,\n", HVC_JSON_SCHEMA);
	json_answer_head(f, a, q, "  ");
	json_features(f, a, "  ");
	fputs("\n}\n", f);
}

/* -- tables ------------------------------------------------------------------------------ */

struct trow {
	const struct hvc_cell *first;
	const struct hvc_cell **cells; /* ncols */
};

static void md_cell(FILE *f, const char *s)
{
	fputc('|', f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

int hvc_print_table(FILE *f, const struct hvc_map *m, const struct hvc_source *src,
		    const char *series, bool markdown)
{
	const struct hvc_col **cols;
	struct trow *rows;
	const struct hvc_cell **store = NULL;
	size_t ncols = 0, nrows = 0, w0 = 7, w1 = 22;
	const char *last_section = "core";
	int r = 0;

	cols = calloc(m->ncols + 1, sizeof(*cols));
	rows = calloc(m->ncells + 1, sizeof(*rows));
	if (!cols || !rows) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned long want = 1;; want++) {
		bool found = false;

		for (size_t i = 0; i < m->ncols; i++)
			if (m->cols[i].src == src && streq(m->cols[i].series, series) &&
			    m->cols[i].colno == want) {
				cols[ncols++] = &m->cols[i];
				found = true;
				break;
			}
		if (!found)
			break;
	}
	if (ncols == 0) {
		r = -ENOENT;
		goto out;
	}
	/* rows in the order of their first cell in support.tsv */
	for (size_t i = 0; i < m->ncells; i++) {
		const struct hvc_cell *c = &m->cells[i];
		const struct hvc_col *col = &m->cols[c->col];
		size_t k;

		if (col->src != src || !streq(col->series, series))
			continue;
		for (k = 0; k < nrows; k++)
			if (streq(rows[k].first->feature, c->feature))
				break;
		if (k == nrows)
			rows[nrows++].first = c;
	}
	store = calloc(nrows * ncols + 1, sizeof(*store));
	if (!store) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nrows; k++)
		rows[k].cells = store + k * ncols;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct hvc_cell *c = &m->cells[i];
		const struct hvc_col *col = &m->cols[c->col];

		if (col->src != src || !streq(col->series, series))
			continue;
		for (size_t k = 0; k < nrows; k++) {
			if (!streq(rows[k].first->feature, c->feature))
				continue;
			rows[k].cells[col->colno - 1] = c;
			break;
		}
	}
	for (size_t k = 0; k < nrows; k++) {
		w0 = MAX(w0, strlen(rows[k].first->label));
		w1 = MAX(w1, strlen(rows[k].first->hosts_printed));
	}

	if (markdown) {
		md_cell(f, "Feature");
		md_cell(f, "Windows Server version");
		for (size_t i = 0; i < ncols; i++)
			md_cell(f, cols[i]->label);
		fputs("|\n", f);
		for (size_t i = 0; i < ncols + 2; i++)
			fputs("|-", f);
		fputs("|\n", f);
		md_cell(f, "Availability");
		md_cell(f, "");
		for (size_t i = 0; i < ncols; i++)
			md_cell(f, lis_printed(cols[i]->lis));
		fputs("|\n", f);
	} else {
		fprintf(f, "%s (%s)\n%-*s  %-*s", series, src->id, (int)w0, "Feature", (int)w1,
			"Windows Server version");
		for (size_t i = 0; i < ncols; i++)
			fprintf(f, "  %-14s", cols[i]->label);
		fprintf(f, "\n%-*s  %-*s", (int)w0, "Availability", (int)w1, "");
		for (size_t i = 0; i < ncols; i++)
			fprintf(f, "  %-14s", lis_printed(cols[i]->lis));
		fputc('\n', f);
	}
	for (size_t k = 0; k < nrows; k++) {
		const struct hvc_cell *first = rows[k].first;
		bool section_row = strncmp(first->feature, "section:", 8) == 0;

		if (section_row || !streq(first->section, last_section)) {
			const char *title = section_title(first->section);

			if (!section_row && title) {
				if (markdown) {
					md_cell(f, title);
					md_cell(f, "");
					for (size_t i = 0; i < ncols; i++)
						md_cell(f, "");
					fputs("|\n", f);
				} else {
					fprintf(f, "%s\n", title);
				}
			}
			last_section = first->section;
		}
		if (markdown) {
			md_cell(f, first->label);
			md_cell(f, first->hosts_printed);
		} else {
			fprintf(f, "%-*s  %-*s", (int)w0, first->label, (int)w1,
				first->hosts_printed);
		}
		for (size_t i = 0; i < ncols; i++) {
			const struct hvc_cell *c = rows[k].cells[i];
			const char *t = c ? c->text : "";

			if (markdown)
				md_cell(f, t);
			else
				fprintf(f, "  %-14s", t);
		}
		fputs(markdown ? "|\n" : "\n", f);
	}
out:
	free(cols);
	free(rows);
	free(store);
	return r;
}

/* -- compare ----------------------------------------------------------------------------- */

static const struct hvc_fanswer *find_fa(const struct hvc_answer *a, const char *id)
{
	for (size_t i = 0; i < a->nfeatures; i++)
		if (streq(a->features[i].cell->feature, id))
			return &a->features[i];
	return NULL;
}

static void side_label(char *buf, size_t size, const struct hvc_answer *a,
		       const struct hvc_query *q)
{
	snprintf(buf, size, "%s %s %s%s%s", q->distro, q->version,
		 streq(a->col->lis, "builtin") ? "built-in" : a->col->lis, a->host ? " " : "",
		 a->host ? a->host->id : "");
}

static const char *notes_list(const struct hvc_fanswer *x, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; x && k < x->nnotes; k++) {
		int n;

		if (!x->notes[k].applies)
			continue;
		n = snprintf(buf + o, size - o, "%s%lu", o ? "," : "", x->notes[k].number);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	return buf;
}

void hvc_print_compare(FILE *f, const struct hvc_answer *a, const struct hvc_query *qa,
		       const struct hvc_answer *b, const struct hvc_query *qb, bool json)
{
	char la[128], lb[128];
	const struct hvc_answer *both[2] = { a, b };
	bool first = true;

	side_label(la, sizeof(la), a, qa);
	side_label(lb, sizeof(lb), b, qb);
	if (json) {
		fprintf(f, "{\n  \"schema_version\": %d,\n  \"a\": ", HVC_JSON_SCHEMA);
		hvc_json_str(f, la);
		fputs(",\n  \"b\": ", f);
		hvc_json_str(f, lb);
		fputs(",\n  \"features\": [", f);
	} else {
		fprintf(f, "A: %s (%s, %s)\nB: %s (%s, %s)\n\n%-42s %-12s %-12s %s\n", la,
			a->col->src->id, a->col->label, lb, b->col->src->id, b->col->label,
			"FEATURE", "A", "B", "");
	}
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < both[s]->nfeatures; i++) {
			const char *id = both[s]->features[i].cell->feature;
			const struct hvc_fanswer *x = find_fa(a, id), *y = find_fa(b, id);
			char na[48], nb[48], wa[64], wb[64];
			bool differs;

			if (s == 1 && x)
				continue; /* already printed */
			notes_list(x, na, sizeof(na));
			notes_list(y, nb, sizeof(nb));
			differs = !x || !y || x->available != y->available || !streq(na, nb);
			if (json) {
				fprintf(f, "%s\n    {\"id\": ", first ? "" : ",");
				hvc_json_str(f, id);
				fputs(", \"a\": ", f);
				if (x)
					json_tri(f, x->available);
				else
					fputs("\"absent\"", f);
				fputs(", \"b\": ", f);
				if (y)
					json_tri(f, y->available);
				else
					fputs("\"absent\"", f);
				fputs(", \"a_notes\": ", f);
				hvc_json_str(f, na);
				fputs(", \"b_notes\": ", f);
				hvc_json_str(f, nb);
				fprintf(f, ", \"differs\": %s}", differs ? "true" : "false");
				first = false;
				continue;
			}
			snprintf(wa, sizeof(wa), "%s%s%s", x ? hvc_avail_word(x->available) : "-",
				 *na ? " " : "", na);
			snprintf(wb, sizeof(wb), "%s%s%s", y ? hvc_avail_word(y->available) : "-",
				 *nb ? " " : "", nb);
			fprintf(f, "%-42s %-12s %-12s %s\n", feature_name(x ? x : y), wa, wb,
				differs ? "<>" : "");
		}
	}
	if (json)
		fputs("\n  ]\n}\n", f);
}
