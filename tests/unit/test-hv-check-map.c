/* SPDX-License-Identifier: MIT */
/*
 * test-hv-check-map.c - the feature map: the TSV reader (good and malformed input), version
 * and range matching, host and LIS names, loading the embedded map, loading broken maps, and
 * queries whose answers are compared with support.tsv rows found independently here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_map.h"
#include "hvc_tsv.h"
#include "tap.h"

static void test_tsv(void)
{
	static const struct {
		const char *name, *text;
		int ret;
		size_t rows, bad_line;
	} cases[] = {
		/* clang-format off */
		{ "header and two rows",   "a\tb\n1\t2\n3\t4\n",    0,       2, 0 },
		{ "no final newline",      "a\tb\n1\t2",            0,       1, 0 },
		{ "blank lines skipped",   "a\tb\n\n1\t2\n\n",      0,       1, 0 },
		{ "CRLF",                  "a\tb\r\n1\t2\r\n",      0,       1, 0 },
		{ "empty cells",           "a\tb\tc\n\t\t\n",       0,       1, 0 },
		{ "short row",             "a\tb\n1\t2\n3\n",       -EINVAL, 0, 3 },
		{ "long row",              "a\tb\n1\t2\t3\n",       -EINVAL, 0, 2 },
		{ "empty input",           "",                      -EINVAL, 0, 0 },
		/* clang-format on */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_tsv t;
		size_t bad;
		int r = hvc_tsv_parse(cases[i].text, strlen(cases[i].text), &t, &bad);

		CHECK_INT(r, cases[i].ret, "tsv %s: result", cases[i].name);
		if (r == 0) {
			CHECK_INT(t.nrows, cases[i].rows, "tsv %s: rows", cases[i].name);
			hvc_tsv_release(&t);
		} else {
			CHECK_INT(bad, cases[i].bad_line, "tsv %s: bad line", cases[i].name);
		}
	}
	{
		struct hvc_tsv t;
		static const char nul[] = "a\tb\n1\0\t2\n";

		CHECK_INT(hvc_tsv_parse(nul, sizeof(nul) - 1, &t, NULL), -EINVAL, "tsv: NUL byte");
		CHECK_INT(hvc_tsv_parse("x\ty\n1\t2\n", 8, &t, NULL), 0, "tsv: lookup table");
		CHECK_INT(hvc_tsv_col(&t, "y"), 1, "tsv: column y");
		CHECK_INT(hvc_tsv_col(&t, "z"), -ENOENT, "tsv: no column z");
		CHECK_STR(hvc_tsv_cell(&t, 0, 1), "2", "tsv: cell");
		CHECK_STR(hvc_tsv_cell(&t, 5, 1), "", "tsv: row out of range");
		hvc_tsv_release(&t);
	}
}

static void test_versions(void)
{
	static const struct {
		const char *range, *version;
		int want;
	} cases[] = {
		/* clang-format off */
		{ "7.0-7.2",          "7.0",   1 },
		{ "7.0-7.2",          "7.2",   1 },
		{ "7.0-7.2",          "7.3",   0 },
		{ "7.0-7.2",          "6.9",   0 },
		{ "5.2-5.11",         "5.9",   1 },  /* numeric, not string, compare */
		{ "5.2-5.11",         "5.12",  0 },
		{ "6.6,6.7,6.8",      "6.7",   1 },
		{ "6.6,6.7,6.8",      "6.9",   0 },
		{ "6.10,6.9,6.8",     "6.10",  1 },
		{ "6.10,6.9,6.8",     "6.1",   0 },
		{ "8.1-8.6+",         "8.10",  1 },  /* open end */
		{ "8.1-8.6+",         "8.0",   0 },
		{ "8.1-8.6+",         "9.0",   0 },
		{ "10.x",             "10.0",  1 },
		{ "10.x",             "1.0",   0 },
		{ "9.x",              "9.6",   1 },
		{ "11",               "11",    1 },
		{ "11",               "11.7",  1 },  /* one-number column: the whole major */
		{ "10.0-10.3",        "10",    1 },
		{ "10.0-10.3",        "10.4",  0 },
		{ "22.04",            "22.04", 1 },
		{ "22.04",            "22.10", 0 },
		{ "9.0",              "9.0",   1 },
		{ "9.0",              "9.1",   0 },
		{ "SLES 15 SP1-SP4",  "15.3",  1 },
		{ "SLES 15 SP1-SP4",  "15.5",  0 },
		{ "SLES 15 SP1-SP4",  "15",    0 },
		{ "SLES 15",          "15",    1 },
		{ "SLES 15",          "15.1",  0 },  /* SP columns are exact */
		{ "SLES 12 SP2",      "12 SP2", 1 },
		{ "SLES 12 SP3-SP5",  "12-SP5", 1 },
		{ "7.0-",             "7.0",   -EINVAL },
		{ "",                 "7.0",   -EINVAL },
		{ "x.y",              "7.0",   -EINVAL },
		/* clang-format on */
	};
	static const char *const bad_versions[] = { "",    "7.",  ".7",   "7..1",
						    "7.x", "abc", "7.1 ", "1.2.3.4.5.6.7" };
	struct hvc_ver a, b;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_ver v;

		if (!CHECK_INT(hvc_ver_parse(cases[i].version, &v), 0, "parse %s",
			       cases[i].version))
			continue;
		CHECK_INT(hvc_range_covers(cases[i].range, &v), cases[i].want, "'%s' covers %s",
			  cases[i].range, cases[i].version);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_versions); i++)
		CHECK_INT(hvc_ver_parse(bad_versions[i], &a), -EINVAL, "'%s' is not a version",
			  bad_versions[i]);
	CHECK(hvc_ver_parse("6.10", &a) == 0 && hvc_ver_parse("6.9", &b) == 0 &&
		      hvc_ver_cmp(&a, &b) > 0,
	      "6.10 > 6.9");
	CHECK(hvc_kernel_cmp("3.10.0-957.38.1.el7.x86_64", "3.10.0-957.38.1") >= 0,
	      "kernel 957.38.1.el7 >= 957.38.1");
	CHECK(hvc_kernel_cmp("3.10.0-957.10.1.el7", "3.10.0-957.38.1") < 0,
	      "kernel 957.10.1 < 957.38.1");
	CHECK(hvc_kernel_cmp("3.10.0-1062.4.1", "3.10.0-957.38.1") > 0, "1062 > 957");
	CHECK(hvc_kernel_cmp("3.10.0-1062.el7.x86_64", "3.10.0-1062.4.1") < 0,
	      "1062.el7 (GA) < 1062.4.1: a number beats letters");
	CHECK(hvc_kernel_cmp("3.10.0-1062.12.1.el7.x86_64", "3.10.0-1062.4.1") > 0,
	      "1062.12.1 > 1062.4.1 (numeric, not string)");
	CHECK(hvc_kernel_cmp("3.10.0-957.38.1", "3.10.0-957.38.1") == 0, "equal");
	CHECK(hvc_kernel_cmp("3.10.0-0957", "3.10.0-957") == 0, "leading zeros");
}

static void test_names(const struct hvc_map *m)
{
	static const struct {
		const char *in, *id;
	} hosts[] = {
		/* clang-format off */
		{ "2012R2", "WS2012R2" }, { "2012 R2", "WS2012R2" }, { "ws2012r2", "WS2012R2" },
		{ "Windows Server 2016", "WS2016" }, { "2008r2", "WS2008R2" },
		{ "2025", "WS2025" }, { "hci", "AzureStackHCI" }, { "2012", "WS2012" },
		/* clang-format on */
	};
	static const struct {
		const char *in, *want;
	} lis[] = {
		/* clang-format off */
		{ "builtin", "builtin" }, { "Built in", "builtin" }, { "4.1", "LIS 4.1" },
		{ "LIS 4.3", "LIS 4.3" }, { "lis-4.0", "LIS 4.0" }, { "4", NULL }, { "x", NULL },
		/* clang-format on */
	};
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		const struct hvc_host *h = hvc_host_find(m, hosts[i].in);

		CHECK_STR(h ? h->id : "(none)", hosts[i].id, "host '%s'", hosts[i].in);
	}
	CHECK(hvc_host_find(m, "1999") == NULL, "host 1999 unknown");
	CHECK(hvc_host_find(m, "") == NULL, "empty host unknown");
	for (size_t i = 0; i < ARRAY_SIZE(lis); i++) {
		int r = hvc_lis_normalise(lis[i].in, buf, sizeof(buf));

		if (lis[i].want)
			CHECK(r == 0 && strcmp(buf, lis[i].want) == 0, "lis '%s' -> %s", lis[i].in,
			      lis[i].want);
		else
			CHECK_INT(r, -EINVAL, "lis '%s' refused", lis[i].in);
	}
	CHECK_STR(hvc_host_by_build(m, 9600)->id, "WS2012R2", "build 9600");
	CHECK_STR(hvc_host_by_build(m, 17763)->id, "WS2019", "build 17763");
	CHECK_STR(hvc_host_by_build(m, 20348)->id, "WS2022", "build 20348 is WS2022, not HCI");
	CHECK_STR(hvc_host_by_build(m, 17784)->id, "AzureStackHCI", "build 17784");
	CHECK(hvc_host_by_build(m, 1234) == NULL, "build 1234 unknown");
	CHECK_STR(hvc_family_of("CentOS"), "rhel_centos", "centos family");
	CHECK_STR(hvc_family_of("ol"), "oracle_linux", "ol family");
	CHECK(hvc_family_of("gentoo") == NULL, "gentoo not in the map");
}

/* The support.tsv row of (source, series, column, feature), found without hvc_map. */
static const char *raw_cell(const struct hvc_map *m, const char *src, const char *series,
			    const char *label, const char *lis, const char *feature,
			    const char *field)
{
	const struct hvc_tsv *t = &m->tsv[HVC_BLOB_SUPPORT];
	int cs = hvc_tsv_col(t, "source_id"), ce = hvc_tsv_col(t, "series"),
	    cl = hvc_tsv_col(t, "version_label"), ca = hvc_tsv_col(t, "lis_availability"),
	    cf = hvc_tsv_col(t, "feature_id"), cx = hvc_tsv_col(t, field);

	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(hvc_tsv_cell(t, r, cs), src) &&
		    !strcmp(hvc_tsv_cell(t, r, ce), series) &&
		    !strcmp(hvc_tsv_cell(t, r, cl), label) &&
		    !strcmp(hvc_tsv_cell(t, r, ca), lis) &&
		    !strcmp(hvc_tsv_cell(t, r, cf), feature))
			return hvc_tsv_cell(t, r, cx);
	return NULL;
}

static const struct hvc_fanswer *fa(const struct hvc_answer *a, const char *id)
{
	for (size_t i = 0; i < a->nfeatures; i++)
		if (!strcmp(a->features[i].cell->feature, id))
			return &a->features[i];
	return NULL;
}

static void test_queries(const struct hvc_map *m)
{
	static const struct {
		const char *distro, *version, *lis, *host, *source;
		int ret;
		const char *src, *label, *avail;
	} cases[] = {
		/* clang-format off */
		{ "centos", "6.5", "4.1", "2012R2", NULL, 0, "B_lis42", "6.0-6.8", "LIS 4.1" },
		{ "centos", "6.5", "4.1", NULL, "seed",   0, "A_seed", "6.0-6.7", "LIS 4.1" },
		{ "centos", "6.5", "4.0", NULL, "seed",   0, "A_seed", "6.0-6.7", "LIS 4.0" },
		{ "centos", "6.5", NULL, NULL, NULL,      0, "D_2023", "6.5", "builtin" },
		{ "centos", "5.11", NULL, "2008R2", NULL, 0, "B_lis42", "5.9 - 5.11", "builtin" },
		{ "rhel", "7.5", NULL, NULL, NULL,        0, "E_2025", "7.5", "builtin" },
		{ "rhel", "7.5", "4.3", NULL, NULL,       0, "E_2025", "7.5-7.7", "LIS 4.3" },
		{ "rhel", "10.0", NULL, "2025", NULL,     0, "E_2025", "10.x", "builtin" },
		{ "ubuntu", "20.04", NULL, NULL, NULL,    0, "G_ubuntu", "20.04 LTS", "builtin" },
		{ "centos", "6.5", "4.2", NULL, "seed",   -ENOENT, NULL, NULL, NULL },
		{ "centos", "4.8", NULL, NULL, NULL,      -ENOENT, NULL, NULL, NULL },
		{ "debian", "12", NULL, NULL, NULL,       -ENOENT, NULL, NULL, NULL },
		{ "arch", "1.0", NULL, NULL, NULL,        -ENOENT, NULL, NULL, NULL },
		{ "centos", "6.5", NULL, "2025", NULL,    -ENOENT, NULL, NULL, NULL },
		{ "centos", "six", NULL, NULL, NULL,      -EINVAL, NULL, NULL, NULL },
		{ "centos", "6", NULL, NULL, NULL,        -EINVAL, NULL, NULL, NULL },
		{ "centos", "6.5", "latest", NULL, NULL,  -EINVAL, NULL, NULL, NULL },
		{ "centos", "6.5", NULL, "nt4", NULL,     -EINVAL, NULL, NULL, NULL },
		{ "centos", "6.5", NULL, NULL, "nosuch",  -ENOENT, NULL, NULL, NULL },
		/* clang-format on */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_query q = { cases[i].distro, cases[i].version, cases[i].lis,
				       cases[i].host,   cases[i].source,  NULL };
		struct hvc_answer a;
		char err[256] = "";
		int r = hvc_query_run(m, &q, &a, err, sizeof(err));
		size_t mismatches = 0;

		if (!CHECK_INT(r, cases[i].ret, "query %s %s lis=%s host=%s: %s", q.distro,
			       q.version, q.lis ? q.lis : "-", q.host ? q.host : "-", err))
			continue;
		if (r < 0) {
			CHECK(err[0] != '\0', "query %s %s: error says why", q.distro, q.version);
			continue;
		}
		CHECK(!strcmp(a.col->src->id, cases[i].src) &&
			      !strcmp(a.col->label, cases[i].label) &&
			      !strcmp(a.col->lis, cases[i].avail),
		      "query %s %s: column %s '%s' [%s] (got %s '%s' [%s])", q.distro, q.version,
		      cases[i].src, cases[i].label, cases[i].avail, a.col->src->id, a.col->label,
		      a.col->lis);
		for (size_t k = 0; k < a.nfeatures; k++) {
			const struct hvc_fanswer *x = &a.features[k];
			const char *sup = raw_cell(m, a.col->src->id, a.col->series, a.col->label,
						   a.col->lis, x->cell->feature, "supported");
			int want = !sup                  ? 99
				   : !strcmp(sup, "yes") ? 1
				   : !strcmp(sup, "no")  ? 0
							 : -1;

			if (x->cell_available != want)
				mismatches++;
		}
		CHECK(a.nfeatures > 20 && mismatches == 0,
		      "query %s %s: %zu features, each equal to its support.tsv row", q.distro,
		      q.version, a.nfeatures);
		hvc_answer_release(&a);
	}

	/* narrowing */
	{
		struct hvc_query q = { "centos", "5.3", "4.1", NULL, "seed", NULL };
		struct hvc_answer a;

		if (CHECK_INT(hvc_query_run(m, &q, &a, NULL, 0), 0, "seed 5.3 LIS 4.1")) {
			const struct hvc_fanswer *x = fa(&a, "live_backup");

			CHECK(x && x->cell_available == 1 && x->available == 0 && x->reason,
			      "note 15 takes live backup away from 5.3");
			hvc_answer_release(&a);
		}
		q.version = "5.5";
		if (CHECK_INT(hvc_query_run(m, &q, &a, NULL, 0), 0, "seed 5.5 LIS 4.1")) {
			const struct hvc_fanswer *x = fa(&a, "live_backup");

			CHECK(x && x->available == 1, "note 15 leaves 5.5 alone");
			CHECK(x && x->nnotes == 3 && !x->notes[2].applies,
			      "note 15 marked as not applying to 5.5");
			hvc_answer_release(&a);
		}
	}
	{
		struct hvc_query q = {
			"rhel", "7.6", NULL, NULL, NULL, "3.10.0-957.10.1.el7.x86_64"
		};
		struct hvc_answer a;

		if (CHECK_INT(hvc_query_run(m, &q, &a, NULL, 0), 0, "rhel 7.6 with old kernel")) {
			const struct hvc_fanswer *x = fa(&a, "vcpus_gt_256");

			CHECK(x && x->available == 0, "note 16: kernel below 957.38.1 -> no");
			hvc_answer_release(&a);
		}
		q.kernel = "3.10.0-957.38.1.el7.x86_64";
		if (CHECK_INT(hvc_query_run(m, &q, &a, NULL, 0), 0, "rhel 7.6 new kernel")) {
			const struct hvc_fanswer *x = fa(&a, "vcpus_gt_256");

			CHECK(x && x->available == 1, "note 16: kernel 957.38.1 -> yes");
			hvc_answer_release(&a);
		}
	}
}

static void test_broken_maps(void)
{
	const char *data[HVC_BLOB_COUNT];
	size_t len[HVC_BLOB_COUNT];
	static const struct {
		enum hvc_blob blob;
		const char *text, *expect;
	} cases[] = {
		{ HVC_BLOB_HOSTS, "host_id\trank\n", "no column" },
		{ HVC_BLOB_SOURCES, "", "malformed" },
		{ HVC_BLOB_NARROWING,
		  "source_id\tnote_number\tfeature_id\trelease_in\thost_min\tkernel_min\teffect\t"
		  "explanation\nA_seed\t15\tlive_backup\t5.2\tWS1999\t-\tunavailable\tx\n",
		  "unknown host" },
		{ HVC_BLOB_NARROWING,
		  "source_id\tnote_number\tfeature_id\trelease_in\thost_min\tkernel_min\teffect\t"
		  "explanation\nA_seed\tX\tlive_backup\t5.2\t-\t-\tunavailable\tx\n",
		  "bad note number" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_map m;
		char err[256] = "";

		for (int b = 0; b < HVC_BLOB_COUNT; b++)
			data[b] = hvc_blob((enum hvc_blob)b, &len[b]);
		data[cases[i].blob] = cases[i].text;
		len[cases[i].blob] = strlen(cases[i].text);
		CHECK(hvc_map_load_blobs(&m, data, len, err, sizeof(err)) < 0 &&
			      strstr(err, cases[i].expect),
		      "broken %s refused: %s", hvc_blob_name(cases[i].blob), err);
	}
}

int main(void)
{
	struct hvc_map m;
	char err[256] = "";

	test_tsv();
	test_versions();
	if (!CHECK_INT(hvc_map_load(&m, err, sizeof(err)), 0, "embedded map loads: %s", err))
		return tap_done();
	CHECK_INT(m.ncells, 1951, "support.tsv: 1951 cells");
	CHECK_INT(m.nsources, 9, "9 sources");
	CHECK_INT(m.nfeatures, 38, "38 features");
	CHECK(m.nnotes > 90, "notes loaded (%zu)", m.nnotes);
	test_names(&m);
	test_queries(&m);
	test_broken_maps();
	hvc_map_release(&m);
	return tap_done();
}
