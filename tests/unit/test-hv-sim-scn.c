/* SPDX-License-Identifier: MIT */
/*
 * test-hv-sim-scn.c - hv-sim's scenario parser: every command form, quoting and escapes,
 * typed values, and a clear error (with the line number for whole scenarios) for each kind
 * of bad line.
 */
#include <errno.h>
#include <string.h>

#include "sim_msg.h"
#include "sim_scn.h"
#include "tap.h"

/* clang-format off */
static const struct {
	const char *line;
	enum scn_verb verb;
} good[] = {
	{ "kvp set pool=0 key=HostName value=vm1",               SCN_KVP_SET },
	{ "kvp set pool=3 key=n value=42 type=u32",              SCN_KVP_SET },
	{ "  kvp get pool=1 key=a value-size=2048 nowait",       SCN_KVP_GET },
	{ "kvp delete pool=1 key=a key-size=700",                SCN_KVP_DELETE },
	{ "kvp enum pool=2 index=0",                             SCN_KVP_ENUM },
	{ "kvp get-ip adapter=00:15:5D:00:00:01 family=both",    SCN_KVP_GET_IP },
	{ "kvp set-ip adapter={a} ip=10.0.0.2 subnet=255.0.0.0", SCN_KVP_SET_IP },
	{ "vss freeze",                                          SCN_VSS_FREEZE },
	{ "vss thaw nowait",                                     SCN_VSS_THAW },
	{ "vss hot-backup",                                      SCN_VSS_HOT_BACKUP },
	{ "vss op=9 timeout=2s",                                 SCN_VSS_OP },
	{ "vss get-dm-info",                                     SCN_VSS_KERNEL },
	{ "fcopy start path=/tmp/x name=f flags=overwrite,create-path size=10", SCN_FCOPY_START },
	{ "fcopy write offset=0 hex=00ff10",                     SCN_FCOPY_WRITE },
	{ "fcopy write offset=6144 file=/etc/hostname len=10",   SCN_FCOPY_WRITE },
	{ "fcopy complete",                                      SCN_FCOPY_COMPLETE },
	{ "fcopy cancel",                                        SCN_FCOPY_CANCEL },
	{ "fcopy copy src=/a path=/b name=c flags=1",            SCN_FCOPY_COPY },
	{ "raw hex=0901 size=7432",                              SCN_RAW },
	{ "raw size=3",                                          SCN_RAW },
	{ "expect status=HV_S_OK value=vm1",                     SCN_EXPECT },
	{ "expect status=0x80004005 outcome=timeout",            SCN_EXPECT },
	{ "expect write-error=EINVAL rejected=2 state=ready",    SCN_EXPECT },
	{ "expect reply-prefix=32000780 reply-size=7432",        SCN_EXPECT },
	{ "expect-timeout",                                      SCN_EXPECT_TIMEOUT },
	{ "wait-register timeout=500ms",                         SCN_WAIT_REGISTER },
	{ "wait",                                                SCN_WAIT },
	{ "sleep 2s",                                            SCN_SLEEP },
	{ "reset",                                               SCN_RESET },
	{ "hibernate",                                           SCN_HIBERNATE },
	{ "kill signal=STOP",                                    SCN_KILL },
	{ "wait-exit status=0 timeout=5s",                       SCN_WAIT_EXIT },
	{ "bench get count=100 key=a",                           SCN_BENCH },
	{ "echo hello there",                                    SCN_ECHO },
	{ "quit",                                                SCN_QUIT },
};

static const struct {
	const char *line;
	const char *err; /* a part of the message */
} bad[] = {
	{ "frobnicate",                          "unknown command 'frobnicate'" },
	{ "kvp frob pool=0",                     "unknown kvp request 'frob'" },
	{ "kvp set pool=0 key=a",                "missing value=" },
	{ "kvp set pool=x key=a value=b",        "'x' is not a number" },
	{ "kvp set pool=256 key=a value=b",      "does not fit in a byte" },
	{ "kvp set pool=0 key=a value=b color=red", "unknown argument 'color'" },
	{ "kvp set pool=0 pool=1 key=a value=b", "pool= given twice" },
	{ "kvp get pool=0 key=\"abc",            "unterminated quote" },
	{ "kvp get pool=0 key=\"a\\qb\"",         "unknown escape" },
	{ "kvp get pool=0 key=\"\\x4\"",          "bad \\x escape" },
	{ "kvp get pool=0 key=a extra",          "unexpected word 'extra'" },
	{ "kvp get pool=0 key=a nowait nowait",  "unexpected word 'nowait'" },
	{ "expect",                              "nothing to check" },
	{ "expect status=HV_BOGUS",              "is not a status" },
	{ "expect outcome=late",                 "is not an outcome" },
	{ "expect state=busy",                   "is not init, ready" },
	{ "expect write-error=EWHAT",            "is not an errno name" },
	{ "expect reply-hex=abc",                "odd number of hex digits" },
	{ "expect reply-hex=zz",                 "'zz' is not hex" },
	{ "sleep",                               "missing a time" },
	{ "sleep soon",                          "is not a time" },
	{ "wait-register timeout=5m",            "is not a time" },
	{ "bench teleport count=1",              "unknown operation 'teleport'" },
	{ "bench get count=0",                   "count= must be" },
	{ "fcopy write offset=0",                "exactly one of hex=, text=, file=" },
	{ "fcopy write offset=0 hex=00 text=a",  "exactly one of hex=, text=, file=" },
	{ "fcopy write offset=0 text=a len=3",   "need file=" },
	{ "fcopy start path=/a name=b flags=sometimes", "overwrite,create-path" },
	{ "raw",                                 "give hex=, text= or size=" },
	{ "raw size=70000",                      "size= is at most" },
	{ "raw size=0",                          "never sends an empty message" },
	{ "raw hex=",                            "never sends an empty message" },
	{ "kill signal=SIGWHAT",                 "is not a signal" },
	{ "vss op=300",                          "op= is a byte" },
	{ "expect status=\"HV_S_OK\\x00\"",       "NUL byte is not allowed" },
};
/* clang-format on */

static void test_lines(void)
{
	struct sim_cmd cmd;
	char err[SCN_ERR_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int r = scn_parse_line(good[i].line, strlen(good[i].line), 7, &cmd, err,
				       sizeof(err));

		if (!CHECK_INT(r, 1, "parses: %s", good[i].line)) {
			tap_diag("error: %s", err);
			continue;
		}
		CHECK_INT(cmd.verb, good[i].verb, "verb of: %s", good[i].line);
		CHECK_INT(cmd.line, 7, "line number kept: %s", good[i].line);
		sim_cmd_release(&cmd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r;

		err[0] = '\0';
		r = scn_parse_line(bad[i].line, strlen(bad[i].line), 1, &cmd, err, sizeof(err));
		CHECK_INT(r, -EINVAL, "refused: %s", bad[i].line);
		if (!CHECK(strstr(err, bad[i].err), "message for '%s' names the problem",
			   bad[i].line))
			tap_diag("got '%s', want a part '%s'", err, bad[i].err);
	}
	CHECK_INT(scn_parse_line("   # a comment", 14, 1, &cmd, err, sizeof(err)), 0, "comment");
	CHECK_INT(scn_parse_line(" \t ", 3, 1, &cmd, err, sizeof(err)), 0, "blank line");
}

static void test_values(void)
{
	static const char line[] =
		"kvp set pool=0x2 key=\"a b\\x00c\" value=\"q\\\"\\\\\\n\" type=u64";
	const struct scn_arg *a;
	struct sim_cmd cmd;
	char err[SCN_ERR_MAX];

	CHECK_INT(scn_parse_line(line, strlen(line), 1, &cmd, err, sizeof(err)), 1, "quoted line");
	a = sim_cmd_arg(&cmd, "key");
	CHECK_INT(a->len, 5, "key keeps its embedded NUL");
	CHECK_MEM(a->value, "a b\0c", 5, "key bytes");
	a = sim_cmd_arg(&cmd, "value");
	CHECK_STR(a->value, "q\"\\\n", "escapes in value");
	CHECK_INT(sim_cmd_arg(&cmd, "pool")->num, 2, "hex number");
	CHECK_INT(sim_cmd_arg(&cmd, "type")->num, REG_U64, "type u64");
	CHECK(!sim_cmd_arg(&cmd, "index"), "absent argument");
	sim_cmd_release(&cmd);

	CHECK_INT(scn_parse_line("raw hex=00fF7a", 14, 1, &cmd, err, sizeof(err)), 1, "hex");
	a = sim_cmd_arg(&cmd, "hex");
	CHECK_INT(a->len, 3, "three bytes");
	CHECK_MEM(a->value, "\x00\xff\x7a", 3, "hex decoded");
	sim_cmd_release(&cmd);

	CHECK_INT(scn_parse_line("sleep 2s", 8, 1, &cmd, err, sizeof(err)), 1, "sleep");
	CHECK_INT(cmd.num, 2000, "2s is 2000 ms");
	sim_cmd_release(&cmd);
	CHECK_INT(scn_parse_line("expect status=HV_E_FAIL", 23, 1, &cmd, err, sizeof(err)), 1,
		  "st");
	CHECK_INT(cmd.args[0].num, 0x80004005u, "status name to value");
	sim_cmd_release(&cmd);
	CHECK_INT(scn_parse_line("vss create", 10, 1, &cmd, err, sizeof(err)), 1, "vss create");
	CHECK_INT(cmd.num, VSS_OP_CREATE, "kernel-answered op recorded");
	sim_cmd_release(&cmd);
}

static void test_scenario(void)
{
	static const char text[] = "# header\nwait-register\n\nkvp set pool=0 key=a value=b\n"
				   "expect status=HV_S_OK\nexpect stauts=0\nquit\n";
	struct sim_scn scn = { 0 };
	char err[SCN_ERR_MAX];

	CHECK_INT(scn_parse(text, strlen(text), &scn, err, sizeof(err)), -EINVAL,
		  "a typo fails the whole scenario");
	CHECK(strncmp(err, "6: ", 3) == 0, "error names line 6 (got '%s')", err);
	CHECK(strstr(err, "unknown argument 'stauts'"), "and the argument");
	CHECK_INT(scn.n, 3, "commands before the error were parsed");
	scn_release(&scn);

	CHECK_INT(scn_parse(text, (size_t)(strstr(text, "expect stauts") - text), &scn, err,
			    sizeof(err)),
		  0, "the first five lines parse");
	CHECK_INT(scn.n, 3, "three commands");
	CHECK_INT(scn.cmds[1].line, 4, "line numbers skip comments and blanks");
	CHECK_STR(scn.cmds[1].text, "kvp set pool=0 key=a value=b", "text kept for messages");
	scn_release(&scn);

	CHECK_INT(scn_parse("quit", 4, &scn, err, sizeof(err)), 0, "no final newline");
	CHECK_INT(scn.n, 1, "one command");
	scn_release(&scn);
}

int main(void)
{
	test_lines();
	test_values();
	test_scenario();
	return tap_done();
}
