/* SPDX-License-Identifier: MIT */
/*
 * hvc_map.c - loads the embedded feature map and answers queries (see hvc_map.h).
 */
#include "hvc_map.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* -- versions ---------------------------------------------------------------------------- */

static const char *parse_num(const char *s, unsigned long *ret)
{
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return NULL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (ULONG_MAX - 9) / 10)
			return NULL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*ret = v;
	return s;
}

/* Parse a version at s; stop at end or at a character in 'stop'.  Returns the end or NULL. */
static const char *ver_parse_part(const char *s, const char *stop, struct hvc_ver *v)
{
	memset(v, 0, sizeof(*v));
	if (strncasecmp(s, "SLES ", 5) == 0)
		s += 5;
	for (;;) {
		if (v->len == HVC_VER_MAX)
			return NULL;
		s = parse_num(s, &v->n[v->len]);
		if (!s)
			return NULL;
		v->len++;
		if (*s == '.') {
			s++;
			continue;
		}
		if ((*s == ' ' || (*s == '-' && !strchr(stop, '-'))) &&
		    strncasecmp(s + 1, "SP", 2) == 0 && isdigit((unsigned char)s[3])) {
			s += 3;
			continue;
		}
		if (strncasecmp(s, "SP", 2) == 0 && isdigit((unsigned char)s[2])) {
			s += 2;
			continue;
		}
		break;
	}
	if (*s && !strchr(stop, *s))
		return NULL;
	return s;
}

int hvc_ver_parse(const char *s, struct hvc_ver *ret)
{
	const char *end = ver_parse_part(s, "", ret);

	return end && *end == '\0' ? 0 : -EINVAL;
}

int hvc_ver_cmp(const struct hvc_ver *a, const struct hvc_ver *b)
{
	size_t n = MAX(a->len, b->len);

	for (size_t i = 0; i < n; i++) {
		unsigned long x = i < a->len ? a->n[i] : 0, y = i < b->len ? b->n[i] : 0;

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/*
 * rpm-style comparison: segments are runs of digits or of letters, anything else separates.
 * Digits compare as numbers, letters as strings; a numeric segment is newer than a letter one
 * ("1062.4.1" > "1062.el7"); with equal segments, the string with more left is newer.
 */
int hvc_kernel_cmp(const char *a, const char *b)
{
	for (;;) {
		const char *sa, *sb;
		bool na, nb;
		size_t la, lb;

		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		na = isdigit((unsigned char)*a);
		nb = isdigit((unsigned char)*b);
		if (na != nb)
			return na ? 1 : -1;
		sa = a;
		sb = b;
		if (na) {
			while (*a && isdigit((unsigned char)*a))
				a++;
			while (*b && isdigit((unsigned char)*b))
				b++;
			while (*sa == '0' && sa + 1 < a)
				sa++;
			while (*sb == '0' && sb + 1 < b)
				sb++;
			la = (size_t)(a - sa);
			lb = (size_t)(b - sb);
			if (la != lb)
				return la < lb ? -1 : 1;
		} else {
			while (*a && isalpha((unsigned char)*a))
				a++;
			while (*b && isalpha((unsigned char)*b))
				b++;
			la = (size_t)(a - sa);
			lb = (size_t)(b - sb);
		}
		{
			int c = strncmp(sa, sb, MIN(la, lb));

			if (c)
				return c < 0 ? -1 : 1;
			if (la != lb)
				return la < lb ? -1 : 1;
		}
	}
}

static int item_covers(const char *item, bool sp_style, const struct hvc_ver *v)
{
	struct hvc_ver lo, hi;
	const char *p;
	size_t n = strlen(item);

	if (n > 2 && streq(item + n - 2, ".x")) {
		if (!parse_num(item, &lo.n[0]) || *parse_num(item, &lo.n[0]) != '.')
			return -EINVAL;
		return v->len > 0 && v->n[0] == lo.n[0];
	}
	p = ver_parse_part(item, "-", &lo);
	if (!p)
		return -EINVAL;
	if (*p == '-') {
		bool open = false;

		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "SP", 2) == 0) {
			unsigned long sp;
			const char *e = parse_num(p + 2, &sp);

			if (!e || *e)
				return -EINVAL;
			hi.len = 2;
			hi.n[0] = lo.n[0];
			hi.n[1] = sp;
		} else {
			const char *e = ver_parse_part(p, "+", &hi);

			if (!e || (*e == '+' && e[1]))
				return -EINVAL;
			open = *e == '+';
		}
		if (hvc_ver_cmp(v, &lo) < 0)
			return 0;
		if (open)
			return v->n[0] == hi.n[0];
		return hvc_ver_cmp(v, &hi) <= 0;
	}
	if (lo.len == 1 && !sp_style)
		return v->len > 0 && v->n[0] == lo.n[0];
	return hvc_ver_cmp(v, &lo) == 0;
}

int hvc_range_covers(const char *range, const struct hvc_ver *v)
{
	char buf[128];
	char *save = NULL, *item;
	bool sp_style = strncasecmp(range, "SLES", 4) == 0;
	int found = 0;

	if (str_copy(buf, sizeof(buf), range) < 0 || !*range)
		return -EINVAL;
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		int r;

		while (*item == ' ')
			item++;
		r = item_covers(item, sp_style, v);
		if (r < 0)
			return r;
		if (r)
			found = 1;
	}
	return found;
}

/* -- names ------------------------------------------------------------------------------- */

static const struct {
	const char *name, *family;
} family_names[] = {
	{ "centos", "rhel_centos" },
	{ "rhel", "rhel_centos" },
	{ "redhat", "rhel_centos" },
	{ "rhel_centos", "rhel_centos" },
	{ "debian", "debian" },
	{ "ubuntu", "ubuntu" },
	{ "sles", "sles" },
	{ "suse", "sles" },
	{ "sled", "sles" },
	{ "oracle", "oracle_linux" },
	{ "ol", "oracle_linux" },
	{ "oraclelinux", "oracle_linux" },
	{ "oracle_linux", "oracle_linux" },
	{ "freebsd", "freebsd" },
};

const char *hvc_family_of(const char *distro)
{
	for (size_t i = 0; i < ARRAY_SIZE(family_names); i++)
		if (strcasecmp(distro, family_names[i].name) == 0)
			return family_names[i].family;
	return NULL;
}

/* Lower-case alphanumerics only, without a leading "windowsserver" or "ws". */
static void host_norm(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++)
		if (isalnum((unsigned char)*in))
			out[o++] = (char)tolower((unsigned char)*in);
	out[o] = '\0';
	if (strncmp(out, "windowsserver", 13) == 0)
		memmove(out, out + 13, strlen(out + 13) + 1);
	else if (strncmp(out, "ws", 2) == 0)
		memmove(out, out + 2, strlen(out + 2) + 1);
}

const struct hvc_host *hvc_host_find(const struct hvc_map *m, const char *name)
{
	char want[64], have[64];

	host_norm(name, want, sizeof(want));
	if (!*want)
		return NULL;
	for (size_t i = 0; i < m->nhosts; i++) {
		char alias[64];
		const char *a = m->hosts[i].aliases;

		host_norm(m->hosts[i].id, have, sizeof(have));
		if (streq(want, have))
			return &m->hosts[i];
		while (*a) {
			size_t n = strcspn(a, ",");

			if (n < sizeof(alias)) {
				memcpy(alias, a, n);
				alias[n] = '\0';
				host_norm(alias, have, sizeof(have));
				if (streq(want, have))
					return &m->hosts[i];
			}
			a += n;
			if (*a == ',')
				a++;
		}
	}
	return NULL;
}

const struct hvc_host *hvc_host_by_build(const struct hvc_map *m, unsigned long build)
{
	const struct hvc_host *best = NULL;

	for (size_t i = 0; i < m->nhosts; i++) {
		const struct hvc_host *h = &m->hosts[i];

		if (build == h->build_min && build == h->build_max)
			return h; /* exact Windows Server build */
		if (build >= h->build_min && build <= h->build_max && !best)
			best = h;
	}
	return best;
}

const struct hvc_feature *hvc_feature_find(const struct hvc_map *m, const char *id)
{
	for (size_t i = 0; i < m->nfeatures; i++)
		if (streq(m->features[i].id, id))
			return &m->features[i];
	return NULL;
}

const struct hvc_source *hvc_source_find(const struct hvc_map *m, const char *family,
					 const char *name)
{
	for (size_t i = 0; i < m->nsources; i++) {
		const struct hvc_source *s = &m->sources[i];
		const char *us = strchr(s->id, '_');

		if (family && !streq(s->family, family))
			continue;
		if (strcasecmp(s->id, name) == 0 || (us && strcasecmp(us + 1, name) == 0))
			return s;
	}
	return NULL;
}

const struct hvc_note *hvc_note_find(const struct hvc_map *m, const char *family,
				     const char *source, unsigned long number)
{
	for (size_t i = 0; i < m->nnotes; i++) {
		const struct hvc_note *n = &m->notes[i];

		if (n->number == number && streq(n->source, source) && streq(n->family, family))
			return n;
	}
	return NULL;
}

const struct hvc_detect *hvc_detect_find(const struct hvc_map *m, const char *feature)
{
	for (size_t i = 0; i < m->ndetects; i++)
		if (streq(m->detects[i].feature, feature))
			return &m->detects[i];
	return NULL;
}

int hvc_lis_normalise(const char *in, char *buf, size_t size)
{
	struct hvc_ver v;

	if (strcasecmp(in, "builtin") == 0 || strcasecmp(in, "built-in") == 0 ||
	    strcasecmp(in, "built in") == 0)
		return str_copy(buf, size, "builtin");
	if (strncasecmp(in, "LIS", 3) == 0) {
		in += 3;
		while (*in == ' ' || *in == '-')
			in++;
	}
	if (hvc_ver_parse(in, &v) < 0 || v.len != 2)
		return -EINVAL;
	if (snprintf(buf, size, "LIS %lu.%lu", v.n[0], v.n[1]) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* -- loading ----------------------------------------------------------------------------- */

struct colmap {
	const char *name;
	int idx;
};

static int resolve_cols(const struct hvc_tsv *t, struct colmap *c, size_t n, const char *file,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		c[i].idx = hvc_tsv_col(t, c[i].name);
		if (c[i].idx < 0) {
			set_err(err, errlen, "%s: no column '%s'", file, c[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

#define CELL(t, row, cm, i) hvc_tsv_cell((t), (row), (cm)[i].idx)

static int parse_ulong(const char *s, unsigned long *ret)
{
	const char *e = parse_num(s, ret);

	return e && *e == '\0' ? 0 : -EINVAL;
}

static int load_sources(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_SOURCES];
	struct colmap c[] = { { "source_id", 0 }, { "distro_family", 0 }, { "repo", 0 },
			      { "path", 0 },      { "commit", 0 },        { "ms_date", 0 },
			      { "role", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "sources.tsv", err, errlen);

	if (r < 0)
		return r;
	m->sources = calloc(t->nrows + 1, sizeof(*m->sources));
	if (!m->sources)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_source *s = &m->sources[m->nsources++];

		s->id = CELL(t, i, c, 0);
		s->family = CELL(t, i, c, 1);
		s->repo = CELL(t, i, c, 2);
		s->path = CELL(t, i, c, 3);
		s->commit = CELL(t, i, c, 4);
		s->date = CELL(t, i, c, 5);
		s->role = CELL(t, i, c, 6);
		s->age = i;
	}
	return 0;
}

static int load_features(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_FEATURES];
	struct colmap c[] = {
		{ "feature_id", 0 }, { "category", 0 }, { "display_name", 0 }, { "description", 0 }
	};
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "features.tsv", err, errlen);

	if (r < 0)
		return r;
	m->features = calloc(t->nrows + 1, sizeof(*m->features));
	if (!m->features)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_feature *f = &m->features[m->nfeatures++];

		f->id = CELL(t, i, c, 0);
		f->category = CELL(t, i, c, 1);
		f->name = CELL(t, i, c, 2);
		f->description = CELL(t, i, c, 3);
	}
	return 0;
}

static int load_notes(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_NOTES];
	struct colmap c[] = { { "distro_family", 0 }, { "source_id", 0 }, { "note_number", 0 },
			      { "topic", 0 },         { "summary", 0 },   { "check_kind", 0 },
			      { "check", 0 },         { "remedy", 0 },    { "flags", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "notes.tsv", err, errlen);

	if (r < 0)
		return r;
	m->notes = calloc(t->nrows + 1, sizeof(*m->notes));
	if (!m->notes)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_note *n = &m->notes[m->nnotes++];

		n->family = CELL(t, i, c, 0);
		n->source = CELL(t, i, c, 1);
		if (parse_ulong(CELL(t, i, c, 2), &n->number) < 0) {
			set_err(err, errlen, "notes.tsv: row %zu: bad note number '%s'", i + 2,
				CELL(t, i, c, 2));
			return -EINVAL;
		}
		n->topic = CELL(t, i, c, 3);
		n->summary = CELL(t, i, c, 4);
		n->check_kind = CELL(t, i, c, 5);
		n->check = CELL(t, i, c, 6);
		n->remedy = CELL(t, i, c, 7);
		n->flags = CELL(t, i, c, 8);
	}
	return 0;
}

static int load_hosts(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_HOSTS];
	struct colmap c[] = { { "host_id", 0 },    { "rank", 0 },         { "build_min", 0 },
			      { "build_max", 0 },  { "aliases", 0 },      { "name", 0 },
			      { "os_version", 0 }, { "vmbus_version", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "hosts.tsv", err, errlen);

	if (r < 0)
		return r;
	m->hosts = calloc(t->nrows + 1, sizeof(*m->hosts));
	if (!m->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_host *h = &m->hosts[m->nhosts++];

		h->id = CELL(t, i, c, 0);
		h->aliases = CELL(t, i, c, 4);
		h->name = CELL(t, i, c, 5);
		h->os_version = CELL(t, i, c, 6);
		h->vmbus_version = CELL(t, i, c, 7);
		if (parse_ulong(CELL(t, i, c, 1), &h->rank) < 0 ||
		    parse_ulong(CELL(t, i, c, 2), &h->build_min) < 0 ||
		    parse_ulong(CELL(t, i, c, 3), &h->build_max) < 0) {
			set_err(err, errlen, "hosts.tsv: row %zu: bad number", i + 2);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_narrows(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_NARROWING];
	struct colmap c[] = { { "source_id", 0 },  { "note_number", 0 }, { "feature_id", 0 },
			      { "release_in", 0 }, { "host_min", 0 },    { "kernel_min", 0 },
			      { "effect", 0 },     { "explanation", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "narrowing.tsv", err, errlen);

	if (r < 0)
		return r;
	m->narrows = calloc(t->nrows + 1, sizeof(*m->narrows));
	if (!m->narrows)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_narrow *n = &m->narrows[m->nnarrows++];

		n->source = CELL(t, i, c, 0);
		if (parse_ulong(CELL(t, i, c, 1), &n->note) < 0) {
			set_err(err, errlen, "narrowing.tsv: row %zu: bad note number", i + 2);
			return -EINVAL;
		}
		n->feature = CELL(t, i, c, 2);
		n->release_in = CELL(t, i, c, 3);
		n->host_min = CELL(t, i, c, 4);
		n->kernel_min = CELL(t, i, c, 5);
		n->effect = CELL(t, i, c, 6);
		n->explanation = CELL(t, i, c, 7);
		if (!streq(n->host_min, "-") && !hvc_host_find(m, n->host_min)) {
			set_err(err, errlen, "narrowing.tsv: row %zu: unknown host '%s'", i + 2,
				n->host_min);
			return -EINVAL;
		}
		if (!streq(n->effect, "unavailable")) {
			set_err(err, errlen, "narrowing.tsv: row %zu: unknown effect '%s'", i + 2,
				n->effect);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_detects(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_DETECTION];
	struct colmap c[] = { { "feature_id", 0 },     { "kernel_modules", 0 },
			      { "vmbus_class_id", 0 }, { "guest_interfaces", 0 },
			      { "userspace", 0 },      { "check_present", 0 },
			      { "check_working", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "detection.tsv", err, errlen);

	if (r < 0)
		return r;
	m->detects = calloc(t->nrows + 1, sizeof(*m->detects));
	if (!m->detects)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_detect *d = &m->detects[m->ndetects++];

		d->feature = CELL(t, i, c, 0);
		d->modules = CELL(t, i, c, 1);
		d->class_id = CELL(t, i, c, 2);
		d->interfaces = CELL(t, i, c, 3);
		d->userspace = CELL(t, i, c, 4);
		d->check_present = CELL(t, i, c, 5);
		d->check_working = CELL(t, i, c, 6);
	}
	return 0;
}

static int load_support(struct hvc_map *m, char *err, size_t errlen)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_SUPPORT];
	enum {
		C_SRC,
		C_FAM,
		C_SERIES,
		C_COL,
		C_LABEL,
		C_RANGE,
		C_KV,
		C_CODE,
		C_LIS,
		C_FEAT,
		C_FLABEL,
		C_SECTION,
		C_SUP,
		C_NOTES,
		C_TEXT,
		C_HOSTS,
		C_HOSTSP,
		C_FLAGS,
		C_NEWEST,
	};
	struct colmap c[] = { { "source_id", 0 },
			      { "distro_family", 0 },
			      { "series", 0 },
			      { "column", 0 },
			      { "version_label", 0 },
			      { "version_range", 0 },
			      { "kernel_variant", 0 },
			      { "codename", 0 },
			      { "lis_availability", 0 },
			      { "feature_id", 0 },
			      { "feature_label_in_source", 0 },
			      { "section_in_source", 0 },
			      { "supported", 0 },
			      { "notes", 0 },
			      { "cell_text", 0 },
			      { "hosts", 0 },
			      { "hosts_as_printed", 0 },
			      { "flags", 0 },
			      { "newest_source_for_series", 0 } };
	int r = resolve_cols(t, c, ARRAY_SIZE(c), "support.tsv", err, errlen);

	if (r < 0)
		return r;
	m->cells = calloc(t->nrows + 1, sizeof(*m->cells));
	m->cols = calloc(t->nrows + 1, sizeof(*m->cols));
	if (!m->cells || !m->cols)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		struct hvc_cell *cell = &m->cells[m->ncells++];
		const struct hvc_source *src = hvc_source_find(m, NULL, CELL(t, i, c, C_SRC));
		const char *series = CELL(t, i, c, C_SERIES), *sup = CELL(t, i, c, C_SUP);
		unsigned long colno;
		size_t k;

		if (!src) {
			set_err(err, errlen, "support.tsv: row %zu: unknown source '%s'", i + 2,
				CELL(t, i, c, C_SRC));
			return -EINVAL;
		}
		if (parse_ulong(CELL(t, i, c, C_COL), &colno) < 0) {
			set_err(err, errlen, "support.tsv: row %zu: bad column number", i + 2);
			return -EINVAL;
		}
		if (!streq(sup, "yes") && !streq(sup, "no") && !streq(sup, "na")) {
			set_err(err, errlen, "support.tsv: row %zu: bad 'supported' value '%s'",
				i + 2, sup);
			return -EINVAL;
		}
		for (k = 0; k < m->ncols; k++)
			if (m->cols[k].src == src && m->cols[k].colno == colno &&
			    streq(m->cols[k].series, series))
				break;
		if (k == m->ncols) {
			struct hvc_col *col = &m->cols[m->ncols++];

			col->src = src;
			col->family = CELL(t, i, c, C_FAM);
			col->series = series;
			col->label = CELL(t, i, c, C_LABEL);
			col->range = CELL(t, i, c, C_RANGE);
			col->kernel_variant = CELL(t, i, c, C_KV);
			col->codename = CELL(t, i, c, C_CODE);
			col->lis = CELL(t, i, c, C_LIS);
			col->colno = colno;
			col->newest = streq(CELL(t, i, c, C_NEWEST), "yes");
		} else if (!streq(m->cols[k].range, CELL(t, i, c, C_RANGE)) ||
			   !streq(m->cols[k].lis, CELL(t, i, c, C_LIS))) {
			set_err(err, errlen,
				"support.tsv: row %zu: column %lu of %s %s changes its range or "
				"availability",
				i + 2, colno, src->id, series);
			return -EINVAL;
		}
		cell->col = k;
		cell->feature = CELL(t, i, c, C_FEAT);
		cell->label = CELL(t, i, c, C_FLABEL);
		cell->section = CELL(t, i, c, C_SECTION);
		cell->supported = sup;
		cell->notes = CELL(t, i, c, C_NOTES);
		cell->text = CELL(t, i, c, C_TEXT);
		cell->hosts = CELL(t, i, c, C_HOSTS);
		cell->hosts_printed = CELL(t, i, c, C_HOSTSP);
		cell->flags = CELL(t, i, c, C_FLAGS);
	}
	return 0;
}

int hvc_map_load_blobs(struct hvc_map *m, const char *const data[HVC_BLOB_COUNT],
		       const size_t len[HVC_BLOB_COUNT], char *err, size_t errlen)
{
	int r;

	memset(m, 0, sizeof(*m));
	for (int b = 0; b < HVC_BLOB_COUNT; b++) {
		size_t bad;

		r = hvc_tsv_parse(data[b], len[b], &m->tsv[b], &bad);
		if (r < 0) {
			set_err(err, errlen, "%s: %s (line %zu)", hvc_blob_name((enum hvc_blob)b),
				r == -ENOMEM ? "out of memory" : "malformed", bad);
			goto fail;
		}
	}
	r = load_sources(m, err, errlen);
	if (r >= 0)
		r = load_features(m, err, errlen);
	if (r >= 0)
		r = load_notes(m, err, errlen);
	if (r >= 0)
		r = load_hosts(m, err, errlen);
	if (r >= 0)
		r = load_narrows(m, err, errlen);
	if (r >= 0)
		r = load_detects(m, err, errlen);
	if (r >= 0)
		r = load_support(m, err, errlen);
	if (r == -ENOMEM)
		set_err(err, errlen, "out of memory");
	if (r >= 0)
		return 0;
fail:
	hvc_map_release(m);
	return r;
}

int hvc_map_load(struct hvc_map *m, char *err, size_t errlen)
{
	const char *data[HVC_BLOB_COUNT];
	size_t len[HVC_BLOB_COUNT];

	for (int b = 0; b < HVC_BLOB_COUNT; b++)
		data[b] = hvc_blob((enum hvc_blob)b, &len[b]);
	return hvc_map_load_blobs(m, data, len, err, errlen);
}

void hvc_map_release(struct hvc_map *m)
{
	for (int b = 0; b < HVC_BLOB_COUNT; b++)
		hvc_tsv_release(&m->tsv[b]);
	free(m->sources);
	free(m->features);
	free(m->notes);
	free(m->hosts);
	free(m->narrows);
	free(m->detects);
	free(m->cols);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}

/* -- queries ----------------------------------------------------------------------------- */

const char *hvc_series_find(const struct hvc_map *m, const char *family,
			    const struct hvc_source *src, const char *want)
{
	const char *found = NULL;

	for (size_t i = 0; i < m->ncols; i++) {
		const struct hvc_col *c = &m->cols[i];
		const char *last;

		if (!streq(c->family, family) || (src && c->src != src))
			continue;
		if (found && streq(found, c->series))
			continue;
		if (want) {
			last = strrchr(c->series, ' ');
			last = last ? last + 1 : c->series;
			if (strcasecmp(c->series, want) != 0 && strcasecmp(last, want) != 0)
				continue;
		}
		if (found)
			return NULL; /* ambiguous */
		found = c->series;
	}
	return found;
}

/* The series of 'family' in 'src' that holds major release v->n[0]. */
static const char *series_for(const struct hvc_map *m, const char *family,
			      const struct hvc_source *src, const struct hvc_ver *v)
{
	char want[32];
	const char *s = hvc_series_find(m, family, src, NULL);

	if (s)
		return s; /* one series only */
	snprintf(want, sizeof(want), "%lu.x", v->n[0]);
	return hvc_series_find(m, family, src, want);
}

static bool lis_matches(const char *col_lis, const char *want)
{
	if (!want)
		return true;
	if (streq(want, "builtin"))
		return streq(col_lis, "builtin") || streq(col_lis, "unspecified");
	return streq(col_lis, want);
}

static bool hosts_contain(const char *hosts, const char *id)
{
	size_t n = strlen(id);

	while (*hosts) {
		size_t k = strcspn(hosts, ";");

		if (k == n && strncmp(hosts, id, n) == 0)
			return true;
		hosts += k;
		if (*hosts == ';')
			hosts++;
	}
	return false;
}

static bool release_in(const char *list, const struct hvc_ver *v)
{
	char buf[128];
	char *save = NULL, *item;

	if (str_copy(buf, sizeof(buf), list) < 0)
		return false;
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct hvc_ver x;

		if (hvc_ver_parse(item, &x) == 0 && hvc_ver_cmp(&x, v) == 0)
			return true;
	}
	return false;
}

/* "[applies on WS2012 R2]" in a note summary limits it to that host. */
static const struct hvc_host *note_host_qualifier(const struct hvc_map *m, const char *summary)
{
	const char *p = strstr(summary, "[applies on ");
	char buf[64];
	size_t n;

	if (!p)
		return NULL;
	p += strlen("[applies on ");
	n = strcspn(p, "]");
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return hvc_host_find(m, buf);
}

static void apply_note(const struct hvc_map *m, const struct hvc_query *q, struct hvc_answer *a,
		       struct hvc_fanswer *f, struct hvc_note_ref *ref)
{
	const struct hvc_col *col = a->col;
	const struct hvc_host *qual;

	ref->applies = true;
	ref->note = hvc_note_find(m, col->family, col->src->id, ref->number);
	if (ref->note) {
		qual = note_host_qualifier(m, ref->note->summary);
		if (qual && a->host && qual != a->host) {
			ref->applies = false;
			ref->why = "the note speaks of another host";
		}
	}
	for (size_t i = 0; i < m->nnarrows; i++) {
		const struct hvc_narrow *n = &m->narrows[i];

		if (n->note != ref->number || !streq(n->source, col->src->id) ||
		    (!streq(n->feature, "*") && !streq(n->feature, f->cell->feature)))
			continue;
		if (!release_in(n->release_in, &a->version)) {
			if (ref->applies) {
				ref->applies = false;
				ref->why = "the note speaks of other releases";
			}
			continue;
		}
		ref->applies = true;
		ref->why = n->explanation;
		if (!streq(n->host_min, "-")) {
			const struct hvc_host *min = hvc_host_find(m, n->host_min);

			if (a->host && min && a->host->rank < min->rank && f->available == 1) {
				f->available = 0;
				f->reason = n->explanation;
			}
		} else if (!streq(n->kernel_min, "-")) {
			if (q->kernel && hvc_kernel_cmp(q->kernel, n->kernel_min) < 0 &&
			    f->available == 1) {
				f->available = 0;
				f->reason = n->explanation;
			}
		} else if (f->available == 1) {
			f->available = 0;
			f->reason = n->explanation;
		}
	}
}

static bool col_lists_host(const struct hvc_map *m, const struct hvc_col *col,
			   const struct hvc_host *h)
{
	for (size_t i = 0; i < m->ncells; i++)
		if (&m->cols[m->cells[i].col] == col && hosts_contain(m->cells[i].hosts, h->id))
			return true;
	return false;
}

static int pick_column(const struct hvc_map *m, const struct hvc_query *q, const char *family,
		       const char *lis, struct hvc_answer *a, char *err, size_t errlen)
{
	const struct hvc_source *only = NULL;
	const struct hvc_col *uncovered = NULL;

	if (q->source) {
		only = hvc_source_find(m, family, q->source);
		if (!only) {
			set_err(err, errlen, "source '%s' has no %s table", q->source, family);
			return -ENOENT;
		}
	}
	for (size_t s = m->nsources; s-- > 0;) {
		const struct hvc_source *src = &m->sources[s];
		const struct hvc_col *best = NULL;
		const char *series;
		size_t o = 0;

		if (!streq(src->family, family) || (only && src != only))
			continue;
		series = series_for(m, family, src, &a->version);
		if (!series)
			continue;
		for (size_t i = 0; i < m->ncols; i++) {
			const struct hvc_col *c = &m->cols[i];

			if (c->src != src || !streq(c->series, series) || !lis_matches(c->lis, lis))
				continue;
			if (hvc_range_covers(c->range, &a->version) != 1)
				continue;
			if (!best) {
				best = c;
				continue;
			}
			/* Without --lis: built-in first, else the newest LIS release. */
			if ((streq(c->lis, "builtin") && !streq(best->lis, "builtin")) ||
			    (!streq(best->lis, "builtin") && strcmp(c->lis, best->lis) > 0))
				best = c;
		}
		if (!best)
			continue;
		/* A newer table that no longer lists the host does not answer for it; an older
		 * one that does is the better answer (e.g. 2008 R2 left the 2023 tables). */
		if (a->host && !col_lists_host(m, best, a->host)) {
			if (!uncovered)
				uncovered = best;
			continue;
		}
		a->col = best;
		for (size_t i = 0; i < m->ncols; i++) {
			const struct hvc_col *c = &m->cols[i];
			int n;

			if (c == best || !streq(c->family, family) ||
			    hvc_range_covers(c->range, &a->version) != 1 ||
			    series_for(m, family, c->src, &a->version) != c->series)
				continue;
			n = snprintf(a->others + o, sizeof(a->others) - o, "%s%s %s [%s]",
				     o ? "; " : "", c->src->id, c->label, c->lis);
			if (n < 0 || (size_t)n >= sizeof(a->others) - o)
				break;
			o += (size_t)n;
		}
		return 0;
	}
	if (uncovered) {
		set_err(err, errlen,
			"host %s is not covered by the %s table of %s (column %s) "
			"nor by an older one",
			a->host->id, uncovered->series, uncovered->src->id, uncovered->label);
		return -ENOENT;
	}
	set_err(err, errlen, "%s %s%s%s is not in the map", q->distro, q->version,
		lis ? " with " : "", lis ? lis : "");
	return -ENOENT;
}

int hvc_query_run(const struct hvc_map *m, const struct hvc_query *q, struct hvc_answer *a,
		  char *err, size_t errlen)
{
	char lisbuf[32];
	const char *lis = NULL, *family;
	int r;

	memset(a, 0, sizeof(*a));
	family = q->distro ? hvc_family_of(q->distro) : NULL;
	if (!family) {
		set_err(err, errlen,
			"distribution '%s' is not in the map (known: centos, rhel, debian, ubuntu, "
			"sles, oracle, freebsd)",
			q->distro ? q->distro : "");
		return -ENOENT;
	}
	a->family = family;
	if (!q->version || hvc_ver_parse(q->version, &a->version) < 0) {
		set_err(err, errlen, "'%s' is not a release number", q->version ? q->version : "");
		return -EINVAL;
	}
	if ((streq(family, "rhel_centos") || streq(family, "oracle_linux")) && a->version.len < 2) {
		set_err(err, errlen,
			"give the minor release too (e.g. %lu.0), the %s tables "
			"differ between minor releases",
			a->version.n[0], q->distro);
		return -EINVAL;
	}
	if (q->lis) {
		if (hvc_lis_normalise(q->lis, lisbuf, sizeof(lisbuf)) < 0) {
			set_err(err, errlen, "'%s' is not an LIS choice (builtin, 4.0 ... 4.3)",
				q->lis);
			return -EINVAL;
		}
		lis = lisbuf;
	}
	if (q->host) {
		a->host = hvc_host_find(m, q->host);
		if (!a->host) {
			set_err(err, errlen,
				"host '%s' is not a Windows Server version the map "
				"knows (2008R2, 2012, 2012R2, 2016, 2019, 2022, 2025, hci)",
				q->host);
			return -EINVAL;
		}
	}
	r = pick_column(m, q, family, lis, a, err, errlen);
	if (r < 0)
		return r;

	a->features = calloc(m->ncells, sizeof(*a->features));
	if (!a->features)
		return -ENOMEM;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct hvc_cell *c = &m->cells[i];
		struct hvc_fanswer *f;
		const char *p;

		if (&m->cols[c->col] != a->col)
			continue;
		f = &a->features[a->nfeatures++];
		f->cell = c;
		f->feature = hvc_feature_find(m, c->feature);
		f->cell_available = streq(c->supported, "yes")  ? 1
				    : streq(c->supported, "no") ? 0
								: -1;
		f->available = f->cell_available;
		f->host_listed = -1;
		if (a->host && *c->hosts) {
			f->host_listed = hosts_contain(c->hosts, a->host->id);
			if (!f->host_listed && f->available == 1) {
				f->available = 0;
				f->reason = "the table does not list this host for the feature";
			}
		}
		for (p = c->notes; *p && f->nnotes < HVC_NOTES_MAX;) {
			struct hvc_note_ref *ref = &f->notes[f->nnotes];
			const char *e = parse_num(p, &ref->number);

			if (!e)
				break;
			f->nnotes++;
			apply_note(m, q, a, f, ref);
			p = *e == ',' ? e + 1 : e;
		}
	}
	return 0;
}

void hvc_answer_release(struct hvc_answer *a)
{
	free(a->features);
	a->features = NULL;
	a->nfeatures = 0;
}
