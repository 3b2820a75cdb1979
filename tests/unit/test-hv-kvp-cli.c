/* SPDX-License-Identifier: MIT */
/*
 * test-hv-kvp-cli.c - hv-kvp's pure helpers: JSON and text escaping, splitting a value into
 * host-sized parts without cutting a character, and the snapshot diff that watch prints
 * (first match per key, sets, changes and deletes in key order).  Also the argument checks
 * that must end in exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvpcli.h"
#include "tap.h"
#include "test-kvpool-util.h"

/* Run 'fn' with output into a memory buffer; returns the text (caller frees). */
static char *capture_json(const char *s, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		kvpcli_json_str(f, s);
	else
		kvpcli_text_str(f, s);
	fclose(f);
	return buf;
}

static void test_escaping(void)
{
	/* clang-format off */
	static const struct {
		const char *in, *json, *text;
	} cases[] = {
		{ "plain",         "\"plain\"",             "plain" },
		{ "q\"b\\",        "\"q\\\"b\\\\\"",        "q\"b\\\\" },
		{ "t\tn\n",        "\"t\\tn\\n\"",          "t\\tn\\n" },
		{ "bell\x07",      "\"bell\\u0007\"",       "bell\\x07" },
		{ "caf\xc3\xa9",   "\"caf\xc3\xa9\"",       "caf\xc3\xa9" },
		{ "bad\xff",       "\"bad\\u00ff\"",        "bad\xff" },
		{ "",              "\"\"",                  "" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *j = capture_json(cases[i].in, true), *t = capture_json(cases[i].in, false);

		CHECK_STR(j, cases[i].json, "json of case %zu", i);
		CHECK_STR(t, cases[i].text, "text of case %zu", i);
		free(j);
		free(t);
	}
}

static void test_split(void)
{
	/* clang-format off */
	static const struct {
		const char *name, *in;
		size_t max, want;
	} cases[] = {
		{ "shorter than the limit",   "abc",                    5, 3 },
		{ "exactly the limit",        "abcde",                  5, 5 },
		{ "cut at the limit",         "abcdefgh",               5, 5 },
		{ "two-byte char not cut",    "abcd\xc3\xa9xyz",        5, 6 },
		{ "three-byte char counts 1", "\xe2\x82\xac\xe2\x82\xac", 1, 3 },
		{ "emoji is two units",       "a\xf0\x9f\x98\x80",      2, 1 },
		{ "emoji fits in two",        "\xf0\x9f\x98\x80z",      2, 4 },
		{ "empty",                    "",                       5, 0 },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_INT(kvpcli_split_len(cases[i].in, cases[i].max), cases[i].want, "split: %s",
			  cases[i].name);
}

static void test_diff(void)
{
	char *dir = tu_tmpdir(), *out = NULL;
	struct kvpcli_snap a, b;
	struct kvpool *kp = NULL;
	size_t len = 0, lines;
	FILE *f;

	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &kp), 0, "open");
	CHECK_INT(kvpool_set(kp, 1, "keep", "same"), 0, "set keep");
	CHECK_INT(kvpool_set(kp, 1, "change", "old"), 0, "set change");
	CHECK_INT(kvpool_set(kp, 1, "gone", "x"), 0, "set gone");
	CHECK_INT(tu_append(dir, 1, "dup", "first"), 0, "append dup");
	CHECK_INT(tu_append(dir, 1, "dup", "second"), 0, "append dup again");
	CHECK_INT(kvpcli_snap_take(kp, 1, &a), 0, "snapshot before");
	CHECK_INT(a.n, 4, "one entry per key");
	CHECK_INT(kvpool_set(kp, 1, "change", "new"), 0, "change");
	CHECK_INT(kvpool_delete(kp, 1, "gone"), 0, "delete");
	CHECK_INT(kvpool_set(kp, 1, "added", "a\tb"), 0, "add");
	CHECK_INT(kvpool_delete(kp, 1, "dup"), 0, "delete the first dup");
	CHECK_INT(kvpcli_snap_take(kp, 1, &b), 0, "snapshot after");

	f = open_memstream(&out, &len);
	lines = kvpcli_snap_diff(f, false, 1, &a, &b);
	fclose(f);
	CHECK_INT(lines, 4, "four changes");
	CHECK_STR(out,
		  "set\t1\tadded\ta\\tb\n"
		  "set\t1\tchange\tnew\n"
		  "set\t1\tdup\tsecond\n"
		  "del\t1\tgone\n",
		  "text diff in key order; the dup's first match changed");
	free(out);

	f = open_memstream(&out, &len);
	lines = kvpcli_snap_diff(f, true, 1, &b, &a);
	fclose(f);
	CHECK_INT(lines, 4, "four changes back");
	CHECK_STR(out,
		  "{\"event\":\"del\",\"pool\":1,\"key\":\"added\"}\n"
		  "{\"event\":\"set\",\"pool\":1,\"key\":\"change\",\"value\":\"old\"}\n"
		  "{\"event\":\"set\",\"pool\":1,\"key\":\"dup\",\"value\":\"first\"}\n"
		  "{\"event\":\"set\",\"pool\":1,\"key\":\"gone\",\"value\":\"x\"}\n",
		  "json diff");
	free(out);

	f = open_memstream(&out, &len);
	CHECK_INT(kvpcli_snap_diff(f, false, 1, &b, &b), 0, "no change, no line");
	fclose(f);
	free(out);
	kvpcli_snap_free(&a);
	kvpcli_snap_free(&b);
	kvpool_close(kp);
	tu_rmdir(dir);
	free(dir);
}

static void test_usage(void)
{
	/* clang-format off */
	static const struct {
		const char *name;
		const char *argv[8];
	} cases[] = {
		{ "no command",            { "hv-kvp", NULL } },
		{ "unknown command",       { "hv-kvp", "frob", NULL } },
		{ "pool out of range",     { "hv-kvp", "-p", "5", "list", NULL } },
		{ "pool not a number",     { "hv-kvp", "--pool", "x", "list", NULL } },
		{ "get without key",       { "hv-kvp", "get", NULL } },
		{ "set with one argument", { "hv-kvp", "set", "k", NULL } },
		{ "list with an argument", { "hv-kvp", "list", "x", NULL } },
		{ "scrub without --yes",   { "hv-kvp", "-d", "/nonexistent", "scrub", NULL } },
		{ "--count with get",      { "hv-kvp", "--count", "2", "get", "k", NULL } },
		{ "--yes with list",       { "hv-kvp", "--yes", "list", NULL } },
		{ "--count 0",             { "hv-kvp", "--count", "0", "watch", NULL } },
		{ "unknown option",        { "hv-kvp", "--frob", "list", NULL } },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[8];
		int argc = 0;
		FILE *saved = stderr;

		while (cases[i].argv[argc]) {
			argv[argc] = (char *)(uintptr_t)cases[i].argv[argc];
			argc++;
		}
		argv[argc] = NULL;
		stderr = fopen("/dev/null", "w");
		CHECK_INT(kvpcli_main(argc, argv), KVPCLI_EXIT_USAGE, "usage error: %s",
			  cases[i].name);
		fclose(stderr);
		stderr = saved;
	}
}

int main(void)
{
	test_escaping();
	test_split();
	test_diff();
	test_usage();
	return tap_done();
}
