/* SPDX-License-Identifier: MIT */
/*
 * test-conf.c - the configuration file parser: good files, each syntax error with its line,
 * repeated keys, typed getters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char path[64];

static int load(const char *text, struct conf **c, char *err, size_t n)
{
	FILE *f;

	(void)snprintf(path, sizeof(path), "/tmp/hvguest-test-conf.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	int r = conf_load(path, c, err, n);
	unlink(path);
	return r;
}

static const struct {
	const char *name, *text;
	unsigned int bad_line;
} bad[] = {
	/* clang-format off */
	{ "no equals sign",     "[kvpd]\njunk\n",              2 },
	{ "unclosed section",   "# c\n[kvpd\n",                2 },
	{ "text after section", "[kvpd] x\n",                  1 },
	{ "empty key",          "[kvpd]\n = 1\n",              2 },
	{ "key with a blank",   "[kvpd]\n\n\na b = 1\n",       4 },
	{ "empty section name", "[]\n",                        1 },
	/* clang-format on */
};

int main(void)
{
	struct conf *c = NULL;
	const char *vals[4];
	char err[256];
	bool b;
	unsigned long long u;

	CHECK_INT(load("# top\n[vssd]\n freeze-timeout = 60 \nexclude=/srv\n; c\n"
		       "exclude = /data\n[kvpd]\nfsync = no\n",
		       &c, err, sizeof(err)),
		  0, "good file loads");
	CHECK_STR(conf_get(c, "vssd", "freeze-timeout"), "60", "value trimmed");
	CHECK_INT(conf_get_all(c, "vssd", "exclude", vals, 4), 2, "repeated key");
	CHECK_STR(vals[1], "/data", "repeated key in order");
	CHECK(conf_get(c, "kvpd", "exclude") == NULL, "sections are separate");
	CHECK_INT(conf_get_bool(c, "kvpd", "fsync", true, &b), 0, "bool parses");
	CHECK(!b, "bool value");
	CHECK_INT(conf_get_uint(c, "vssd", "freeze-timeout", 5, 100, &u), 0, "uint parses");
	CHECK_INT(u, 60, "uint value");
	CHECK_INT(conf_get_uint(c, "vssd", "freeze-timeout", 5, 59, &u), -ERANGE, "uint max");
	CHECK_INT(conf_get_uint(c, "vssd", "unset", 5, 59, &u), 0, "uint default");
	CHECK_INT(u, 5, "uint default value");
	CHECK_INT(conf_get_bool(c, "vssd", "exclude", true, &b), -EINVAL, "not a bool");
	conf_free(c);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char want[32];

		c = NULL;
		CHECK_INT(load(bad[i].text, &c, err, sizeof(err)), -EINVAL, "%s: refused",
			  bad[i].name);
		(void)snprintf(want, sizeof(want), ":%u: ", bad[i].bad_line);
		CHECK(strstr(err, want) != NULL, "%s: error names line %u (%s)", bad[i].name,
		      bad[i].bad_line, err);
		CHECK(c == NULL, "%s: nothing returned", bad[i].name);
	}
	CHECK_INT(conf_load("/nonexistent/hvguest.conf", &c, err, sizeof(err)), -ENOENT,
		  "missing file is -ENOENT");
	return tap_done();
}
