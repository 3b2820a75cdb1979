/* SPDX-License-Identifier: MIT */
/*
 * sim_scn.h - the scenario language of hv-sim (docs/hv-sim.md section 3): a parser from text
 * lines to commands.  Pure: no I/O, so it is unit-tested and fuzzed on its own.
 *
 * Ownership: scn_parse() and scn_parse_line() fill structures whose argument values are heap
 * strings; scn_release() / sim_cmd_release() free them.
 */
#ifndef HVSIM_SCN_H
#define HVSIM_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCN_ARGS_MAX 24
#define SCN_LINE_MAX (256u * 1024u) /* hex of the largest raw message, and then some */
#define SCN_CMDS_MAX 100000u
#define SCN_ERR_MAX  256

enum scn_verb {
	SCN_KVP_SET,
	SCN_KVP_GET,
	SCN_KVP_DELETE,
	SCN_KVP_ENUM,
	SCN_KVP_GET_IP,
	SCN_KVP_SET_IP,
	SCN_VSS_FREEZE,
	SCN_VSS_THAW,
	SCN_VSS_HOT_BACKUP,
	SCN_VSS_OP,
	SCN_VSS_KERNEL, /* answered by the kernel; the op is in cmd->num */
	SCN_FCOPY_START,
	SCN_FCOPY_WRITE,
	SCN_FCOPY_COMPLETE,
	SCN_FCOPY_CANCEL,
	SCN_FCOPY_COPY,
	SCN_RAW,
	SCN_EXPECT,
	SCN_EXPECT_TIMEOUT,
	SCN_WAIT_REGISTER,
	SCN_WAIT,
	SCN_SLEEP,
	SCN_RESET,
	SCN_HIBERNATE,
	SCN_KILL,
	SCN_WAIT_EXIT,
	SCN_BENCH,
	SCN_ECHO,
	SCN_QUIT,
};

/* The kind of value an argument holds; decides how it is checked and decoded. */
enum scn_type {
	SCN_T_STR,     /* bytes, as written (quotes and escapes decoded) */
	SCN_T_NUM,     /* unsigned 64-bit number, decimal or 0x hex */
	SCN_T_HEX,     /* hex digits decoded to bytes */
	SCN_T_TIME,    /* milliseconds; suffix ms or s */
	SCN_T_STATUS,  /* HRESULT number or name */
	SCN_T_OUTCOME, /* reply, timeout, ... */
	SCN_T_ERRNO,   /* none, EINVAL, ... */
	SCN_T_STATE,   /* init, ready, request, dead */
	SCN_T_VTYPE,   /* sz, u32, u64 or a number */
	SCN_T_FAMILY,  /* ipv4, ipv6, both or a number */
	SCN_T_FLAGS,   /* overwrite, create-path (comma separated) or a number */
	SCN_T_SIGNAL,  /* TERM, KILL, INT, HUP, USR1, USR2 or a number */
};

struct scn_arg {
	const char *name; /* static string from the parser's table */
	enum scn_type type;
	char *value;  /* decoded bytes, NUL-terminated (may hold NULs too) */
	size_t len;   /* bytes in value */
	uint64_t num; /* numeric types */
};

struct sim_cmd {
	enum scn_verb verb;
	unsigned int line;
	bool nowait;
	uint64_t num; /* SLEEP: ms; VSS_KERNEL: op; BENCH: op index (enum scn_bench) */
	char *text;   /* the line as written, NUL-terminated, for messages */
	size_t nargs;
	struct scn_arg args[SCN_ARGS_MAX];
};

enum scn_bench {
	SCN_BENCH_GET,
	SCN_BENCH_SET,
	SCN_BENCH_ENUM,
	SCN_BENCH_DELETE,
	SCN_BENCH_FREEZE_THAW,
	SCN_BENCH_WRITE,
};

struct sim_scn {
	struct sim_cmd *cmds;
	size_t n;
};

/*
 * Parse one line (without its newline) numbered 'lineno'.  Returns 1 and fills *cmd, 0 for a
 * blank or comment line, or -EINVAL with a message (without file or line) in err.
 */
int scn_parse_line(const char *line, size_t len, unsigned int lineno, struct sim_cmd *cmd,
		   char *err, size_t errsize);
void sim_cmd_release(struct sim_cmd *cmd);

/*
 * Parse a whole scenario, appending to *scn (which starts zeroed).  On error returns -EINVAL
 * with "LINE: message" in err and leaves the commands parsed so far in *scn; -ENOMEM, -E2BIG.
 */
int scn_parse(const char *text, size_t len, struct sim_scn *scn, char *err, size_t errsize);
void scn_release(struct sim_scn *scn);

/* The argument named 'name', or NULL. */
const struct scn_arg *sim_cmd_arg(const struct sim_cmd *cmd, const char *name);

/* Milliseconds from "250", "250ms" or "2s".  Returns 0 or -EINVAL/-ERANGE. */
int scn_parse_time(const char *s, uint64_t *ret);

#endif /* HVSIM_SCN_H */
