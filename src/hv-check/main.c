/* SPDX-License-Identifier: MIT */
/*
 * hv-check - the Hyper-V feature map as a tool: query which features a distribution release
 * gets on which host (features, table, compare), and check a running guest against the map
 * (check).  Argument parsing and dispatch only; the work is in hvc_*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_live.h"
#include "hvc_map.h"
#include "hvc_out.h"
#include "log.h"
#include "util.h"

enum {
	EXIT_OK = 0,          /* answered / guest healthy */
	EXIT_PROBLEMS = 1,    /* not in the map / problems found */
	EXIT_NOT_A_GUEST = 2, /* check: not a Hyper-V guest */
	EXIT_ERROR = 3,       /* bad usage, unreadable input, internal error */
};

static void usage(FILE *f)
{
	fputs("Usage: hv-check features --distro NAME --version X.Y [--lis "
	      "builtin|4.0|4.1|4.2|4.3]\n"
	      "                [--host 2012R2] [--source ID] [--json]\n"
	      "       hv-check table --distro NAME [--series 7.x] [--source ID] [--markdown]\n"
	      "       hv-check compare --distro NAME --version A [--version B] [--lis L [--lis "
	      "L]]\n"
	      "                [--host H [--host H]] [--json]\n"
	      "       hv-check check [--root DIR] [--json] [--prometheus FILE] [--fix]\n"
	      "       hv-check --help | --version\n"
	      "\n"
	      "Exit status: 0 answered or healthy, 1 not in the map or problems found,\n"
	      "2 not a Hyper-V guest (check), 3 error.\n",
	      f);
}

enum {
	OPT_DISTRO = 256,
	OPT_VERSION,
	OPT_LIS,
	OPT_HOST,
	OPT_SOURCE,
	OPT_SERIES,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_ROOT,
	OPT_PROM,
	OPT_FIX,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "distro", required_argument, NULL, OPT_DISTRO },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "lis", required_argument, NULL, OPT_LIS },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "series", required_argument, NULL, OPT_SERIES },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "markdown", no_argument, NULL, OPT_MARKDOWN },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "prometheus", required_argument, NULL, OPT_PROM },
	{ "fix", no_argument, NULL, OPT_FIX },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *distro[2], *version[2], *lis[2], *host[2];
	int ndistro, nversion, nlis, nhost;
	const char *source, *series, *root, *prom;
	bool json, markdown, fix;
};

static int add2(const char **slot, int *n, const char *v, const char *name)
{
	if (*n == 2) {
		fprintf(stderr, "hv-check: --%s given more than twice\n", name);
		return -EINVAL;
	}
	slot[(*n)++] = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		int r = 0;

		switch (c) {
		case OPT_DISTRO:
			r = add2(a->distro, &a->ndistro, optarg, "distro");
			break;
		case OPT_VERSION:
			r = add2(a->version, &a->nversion, optarg, "version");
			break;
		case OPT_LIS:
			r = add2(a->lis, &a->nlis, optarg, "lis");
			break;
		case OPT_HOST:
			r = add2(a->host, &a->nhost, optarg, "host");
			break;
		case OPT_SOURCE:
			a->source = optarg;
			break;
		case OPT_SERIES:
			a->series = optarg;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_MARKDOWN:
			a->markdown = true;
			break;
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_PROM:
			a->prom = optarg;
			break;
		case OPT_FIX:
			a->fix = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(EXIT_OK);
		default:
			return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (optind != argc) {
		fprintf(stderr, "hv-check: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int query_exit(int r, const char *err)
{
	fprintf(stderr, "hv-check: %s\n", err);
	return r == -ENOENT ? EXIT_PROBLEMS : EXIT_ERROR;
}

static int cmd_features(const struct hvc_map *m, const struct args *a)
{
	struct hvc_query q = {
		a->distro[0], a->version[0], a->lis[0], a->host[0], a->source, NULL
	};
	struct hvc_answer ans;
	char err[512];
	int r;

	if (!q.distro || !q.version) {
		fputs("hv-check: features needs --distro and --version\n", stderr);
		return EXIT_ERROR;
	}
	r = hvc_query_run(m, &q, &ans, err, sizeof(err));
	if (r < 0)
		return query_exit(r, err);
	if (a->json)
		hvc_print_answer_json(stdout, &ans, &q);
	else
		hvc_print_answer_text(stdout, &ans, &q);
	hvc_answer_release(&ans);
	return EXIT_OK;
}

static int cmd_table(const struct hvc_map *m, const struct args *a)
{
	const char *family = a->distro[0] ? hvc_family_of(a->distro[0]) : NULL;
	const struct hvc_source *src = NULL;
	const char *series;

	if (!family) {
		fprintf(stderr, "hv-check: table needs a known --distro\n");
		return EXIT_ERROR;
	}
	if (a->source) {
		src = hvc_source_find(m, family, a->source);
		if (!src) {
			fprintf(stderr, "hv-check: no %s source called '%s'\n", family, a->source);
			return EXIT_PROBLEMS;
		}
	} else {
		/* the newest source that has the series */
		for (size_t s = m->nsources; s-- > 0 && !src;)
			if (streq(m->sources[s].family, family) &&
			    hvc_series_find(m, family, &m->sources[s], a->series))
				src = &m->sources[s];
	}
	series = src ? hvc_series_find(m, family, src, a->series) : NULL;
	if (!series) {
		fprintf(stderr, "hv-check: no %s table%s%s in %s; give --series\n", family,
			a->series ? " for series " : "", a->series ? a->series : "",
			src ? src->id : "the map");
		return EXIT_PROBLEMS;
	}
	return hvc_print_table(stdout, m, src, series, a->markdown) == 0 ? EXIT_OK : EXIT_ERROR;
}

static int cmd_compare(const struct hvc_map *m, const struct args *a)
{
	struct hvc_query qa = {
		a->distro[0], a->version[0], a->lis[0], a->host[0], a->source, NULL
	};
	struct hvc_query qb = qa;
	struct hvc_answer x, y;
	char err[512];
	int r;

	if (a->ndistro > 1)
		qb.distro = a->distro[1];
	if (a->nversion > 1)
		qb.version = a->version[1];
	if (a->nlis > 1)
		qb.lis = a->lis[1];
	if (a->nhost > 1)
		qb.host = a->host[1];
	if (!qa.distro || !qa.version) {
		fputs("hv-check: compare needs --distro and --version\n", stderr);
		return EXIT_ERROR;
	}
	if (a->ndistro < 2 && a->nversion < 2 && a->nlis < 2 && a->nhost < 2) {
		fputs("hv-check: compare needs a second --distro, --version, --lis or --host\n",
		      stderr);
		return EXIT_ERROR;
	}
	r = hvc_query_run(m, &qa, &x, err, sizeof(err));
	if (r < 0)
		return query_exit(r, err);
	r = hvc_query_run(m, &qb, &y, err, sizeof(err));
	if (r < 0) {
		hvc_answer_release(&x);
		return query_exit(r, err);
	}
	hvc_print_compare(stdout, &x, &qa, &y, &qb, a->json);
	hvc_answer_release(&x);
	hvc_answer_release(&y);
	return EXIT_OK;
}

static int cmd_check(const struct hvc_map *m, const struct args *a)
{
	struct hvc_live_opts o = {
		.root = a->root ? a->root : "/",
		.json = a->json,
		.prom_path = a->prom,
		.fix = a->fix,
	};
	int r = hvc_live_run(m, &o, stdout);

	switch (r) {
	case HVC_LIVE_HEALTHY:
		return EXIT_OK;
	case HVC_LIVE_PROBLEMS:
		return EXIT_PROBLEMS;
	case HVC_LIVE_NOT_A_GUEST:
		return EXIT_NOT_A_GUEST;
	default:
		return EXIT_ERROR;
	}
}

int main(int argc, char **argv)
{
	struct hvc_map m;
	struct args a;
	const char *cmd;
	char err[512];
	int r;

	log_init("hv-check", LOG_SINK_STDERR, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	cmd = argv[1];
	if (streq(cmd, "--help") || streq(cmd, "-h") || streq(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (streq(cmd, "--version")) {
		printf("hv-check %s\n", HVGUEST_VERSION);
		return EXIT_OK;
	}
	if (parse_args(argc - 1, argv + 1, &a) < 0) {
		usage(stderr);
		return EXIT_ERROR;
	}
	r = hvc_map_load(&m, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "hv-check: the embedded feature map is broken: %s\n", err);
		return EXIT_ERROR;
	}
	if (streq(cmd, "features"))
		r = cmd_features(&m, &a);
	else if (streq(cmd, "table"))
		r = cmd_table(&m, &a);
	else if (streq(cmd, "compare"))
		r = cmd_compare(&m, &a);
	else if (streq(cmd, "check"))
		r = cmd_check(&m, &a);
	else {
		fprintf(stderr, "hv-check: unknown command '%s'\n", cmd);
		usage(stderr);
		r = EXIT_ERROR;
	}
	hvc_map_release(&m);
	fflush(stdout);
	return r;
}
