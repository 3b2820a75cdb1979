/* SPDX-License-Identifier: MIT */
/*
 * sim_scn.c - parser of hv-sim's line-based scenario language.  Every line is checked in
 * full (command, argument names, value syntax) before anything runs, so a scenario with a
 * typo fails at once with its line number instead of half-way through a test.
 */
#include "sim_scn.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dev.h"
#include "sim_msg.h"
#include "util.h"

#define F_REQUEST    0x1 /* a host request: "nowait" may follow */
#define F_POSITIONAL 0x2 /* exactly one word without '=' */

struct verb_spec {
	const char *w1;
	const char *w2; /* NULL: one-word command */
	enum scn_verb verb;
	unsigned int flags;
	const char *required; /* blank-separated argument names */
	const char *optional;
	uint64_t num;
};

/* clang-format off */
static const struct verb_spec verbs[] = {
	{ "kvp", "set",      SCN_KVP_SET,    F_REQUEST, "pool key value", "type key-size value-size", 0 },
	{ "kvp", "get",      SCN_KVP_GET,    F_REQUEST, "pool key", "key-size value-size", 0 },
	{ "kvp", "delete",   SCN_KVP_DELETE, F_REQUEST, "pool key", "key-size", 0 },
	{ "kvp", "enum",     SCN_KVP_ENUM,   F_REQUEST, "pool index", "", 0 },
	{ "kvp", "get-ip",   SCN_KVP_GET_IP, F_REQUEST, "adapter", "family pool", 0 },
	{ "kvp", "set-ip",   SCN_KVP_SET_IP, F_REQUEST, "adapter",
	  "family dhcp ip subnet gateway dns pool", 0 },
	{ "vss", "freeze",       SCN_VSS_FREEZE,     F_REQUEST, "", "", 0 },
	{ "vss", "thaw",         SCN_VSS_THAW,       F_REQUEST, "", "", 0 },
	{ "vss", "hot-backup",   SCN_VSS_HOT_BACKUP, F_REQUEST, "", "", 0 },
	{ "vss", NULL,           SCN_VSS_OP,         F_REQUEST, "op", "timeout", 0 },
	{ "vss", "create",       SCN_VSS_KERNEL,     F_REQUEST, "", "", VSS_OP_CREATE },
	{ "vss", "delete",       SCN_VSS_KERNEL,     F_REQUEST, "", "", VSS_OP_DELETE },
	{ "vss", "get-dm-info",  SCN_VSS_KERNEL,     F_REQUEST, "", "", VSS_OP_GET_DM_INFO },
	{ "vss", "bu-complete",  SCN_VSS_KERNEL,     F_REQUEST, "", "", VSS_OP_BU_COMPLETE },
	{ "vss", "auto-recover", SCN_VSS_KERNEL,     F_REQUEST, "", "", VSS_OP_AUTO_RECOVER },
	{ "fcopy", "start",    SCN_FCOPY_START,    F_REQUEST, "path name", "flags size", 0 },
	{ "fcopy", "write",    SCN_FCOPY_WRITE,    F_REQUEST, "offset",
	  "hex text file file-offset len size", 0 },
	{ "fcopy", "complete", SCN_FCOPY_COMPLETE, F_REQUEST, "", "", 0 },
	{ "fcopy", "cancel",   SCN_FCOPY_CANCEL,   F_REQUEST, "", "", 0 },
	{ "fcopy", "copy",     SCN_FCOPY_COPY,     0,         "src path name", "flags", 0 },
	{ "raw", NULL,            SCN_RAW,            F_REQUEST, "", "hex text size timeout", 0 },
	{ "expect", NULL,         SCN_EXPECT,         0, "",
	  "status outcome key value value-type key-size value-size value-u32 value-u64 host-value "
	  "ip subnet gateway dns dhcp family adapter reply-size reply-hex reply-prefix state "
	  "rejected write-error registrations version", 0 },
	{ "expect-timeout", NULL, SCN_EXPECT_TIMEOUT, 0, "", "", 0 },
	{ "wait-register", NULL,  SCN_WAIT_REGISTER,  0, "", "timeout", 0 },
	{ "wait", NULL,           SCN_WAIT,           0, "", "", 0 },
	{ "sleep", NULL,          SCN_SLEEP,          F_POSITIONAL, "", "", 0 },
	{ "reset", NULL,          SCN_RESET,          0, "", "", 0 },
	{ "hibernate", NULL,      SCN_HIBERNATE,      0, "", "", 0 },
	{ "kill", NULL,           SCN_KILL,           0, "", "signal", 0 },
	{ "wait-exit", NULL,      SCN_WAIT_EXIT,      0, "", "status timeout", 0 },
	{ "bench", NULL,          SCN_BENCH,          F_POSITIONAL, "count",
	  "pool key value index", 0 },
	{ "echo", NULL,           SCN_ECHO,           0, "", "", 0 },
	{ "quit", NULL,           SCN_QUIT,           0, "", "", 0 },
};

static const struct {
	const char *name;
	enum scn_type type;
} arg_types[] = {
	{ "pool", SCN_T_NUM }, { "index", SCN_T_NUM }, { "key-size", SCN_T_NUM },
	{ "value-size", SCN_T_NUM }, { "op", SCN_T_NUM }, { "size", SCN_T_NUM },
	{ "offset", SCN_T_NUM }, { "file-offset", SCN_T_NUM }, { "len", SCN_T_NUM },
	{ "count", SCN_T_NUM }, { "dhcp", SCN_T_NUM }, { "value-u32", SCN_T_NUM },
	{ "value-u64", SCN_T_NUM }, { "reply-size", SCN_T_NUM }, { "rejected", SCN_T_NUM },
	{ "registrations", SCN_T_NUM }, { "version", SCN_T_NUM },
	{ "hex", SCN_T_HEX }, { "reply-hex", SCN_T_HEX }, { "reply-prefix", SCN_T_HEX },
	{ "timeout", SCN_T_TIME }, { "status", SCN_T_STATUS }, { "outcome", SCN_T_OUTCOME },
	{ "write-error", SCN_T_ERRNO }, { "state", SCN_T_STATE }, { "type", SCN_T_VTYPE },
	{ "value-type", SCN_T_VTYPE }, { "family", SCN_T_FAMILY }, { "flags", SCN_T_FLAGS },
	{ "signal", SCN_T_SIGNAL },
};

static const char *const bench_ops[] = {
	[SCN_BENCH_GET] = "get", [SCN_BENCH_SET] = "set", [SCN_BENCH_ENUM] = "enum",
	[SCN_BENCH_DELETE] = "delete", [SCN_BENCH_FREEZE_THAW] = "freeze-thaw",
	[SCN_BENCH_WRITE] = "write",
};
/* clang-format on */

static int fail(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Is 'name' one of the blank-separated words of 'list'?  Returns the static name or NULL. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		size_t w = strcspn(list, " ");

		if (w == n && memcmp(list, name, n) == 0)
			return true;
		list += w;
		while (*list == ' ')
			list++;
	}
	return false;
}

int scn_parse_time(const char *s, uint64_t *ret)
{
	char num[32];
	size_t digits = strspn(s, "0123456789");
	const char *unit = s + digits;
	unsigned long long v;
	uint64_t mult;
	int r;

	if (digits == 0 || digits >= sizeof(num))
		return -EINVAL;
	if (*unit == '\0' || streq(unit, "ms"))
		mult = 1;
	else if (streq(unit, "s"))
		mult = 1000;
	else
		return -EINVAL;
	memcpy(num, s, digits);
	num[digits] = '\0';
	r = parse_uint(num, UINT64_MAX / 1000, &v);
	if (r < 0)
		return r;
	*ret = v * mult;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* clang-format off */
static const struct { const char *name; int sig; } signals[] = {
	{ "TERM", SIGTERM }, { "KILL", SIGKILL }, { "INT", SIGINT }, { "HUP", SIGHUP },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "STOP", SIGSTOP }, { "CONT", SIGCONT },
};
/* clang-format on */

static int parse_flags(const char *s, uint64_t *ret)
{
	unsigned long long v;
	uint64_t flags = 0;

	if (parse_uint(s, UINT32_MAX, &v) == 0) {
		*ret = v;
		return 0;
	}
	while (*s) {
		size_t w = strcspn(s, ",");

		if (w == 9 && strncmp(s, "overwrite", 9) == 0)
			flags |= OVER_WRITE;
		else if (w == 11 && strncmp(s, "create-path", 11) == 0)
			flags |= CREATE_PATH;
		else
			return -EINVAL;
		s += w;
		if (*s == ',')
			s++;
	}
	*ret = flags;
	return 0;
}

/* Check and convert a value by its type. */
static int convert(struct scn_arg *a, char *err, size_t errsize)
{
	unsigned long long v;
	uint32_t st;
	int r;

	if (a->type != SCN_T_STR && strlen(a->value) != a->len)
		return fail(err, errsize, "%s=: a NUL byte is not allowed here", a->name);
	switch (a->type) {
	case SCN_T_STR:
		return 0;
	case SCN_T_NUM:
		if (parse_uint(a->value, UINT64_MAX, &v) < 0)
			return fail(err, errsize, "%s=: '%s' is not a number", a->name, a->value);
		a->num = v;
		return 0;
	case SCN_T_HEX: {
		size_t n = 0;

		if (a->len % 2 != 0)
			return fail(err, errsize, "%s=: odd number of hex digits", a->name);
		for (size_t i = 0; i < a->len; i += 2) {
			int hi = hexval((unsigned char)a->value[i]);
			int lo = hexval((unsigned char)a->value[i + 1]);

			if (hi < 0 || lo < 0)
				return fail(err, errsize, "%s=: '%c%c' is not hex", a->name,
					    a->value[i], a->value[i + 1]);
			a->value[n++] = (char)(hi << 4 | lo);
		}
		a->value[n] = '\0';
		a->len = n;
		return 0;
	}
	case SCN_T_TIME:
		if (scn_parse_time(a->value, &a->num) < 0)
			return fail(err, errsize, "%s=: '%s' is not a time (e.g. 500, 500ms, 2s)",
				    a->name, a->value);
		return 0;
	case SCN_T_STATUS:
		if (sim_status_parse(a->value, &st) < 0)
			return fail(err, errsize,
				    "%s=: '%s' is not a status (HV_S_OK, 0x80004005, ...)", a->name,
				    a->value);
		a->num = st;
		return 0;
	case SCN_T_OUTCOME:
		r = sim_outcome_parse(a->value);
		if (r < 0)
			return fail(
				err, errsize,
				"%s=: '%s' is not an outcome (reply, timeout, reset, no-daemon, "
				"kernel, send-failed)",
				a->name, a->value);
		a->num = (uint64_t)r;
		return 0;
	case SCN_T_ERRNO:
		for (int e = 0; e < 200; e++)
			if (streq(sim_errno_name(e), a->value)) {
				a->num = (uint64_t)e;
				return 0;
			}
		return fail(err, errsize, "%s=: '%s' is not an errno name (none, EINVAL, ...)",
			    a->name, a->value);
	case SCN_T_STATE:
		if (streq(a->value, "init"))
			a->num = 0;
		else if (streq(a->value, "ready"))
			a->num = 1;
		else if (streq(a->value, "request"))
			a->num = 2;
		else if (streq(a->value, "dead"))
			a->num = 3;
		else
			return fail(err, errsize, "%s=: '%s' is not init, ready, request or dead",
				    a->name, a->value);
		return 0;
	case SCN_T_VTYPE:
		if (streq(a->value, "sz"))
			a->num = REG_SZ;
		else if (streq(a->value, "u32"))
			a->num = REG_U32;
		else if (streq(a->value, "u64"))
			a->num = REG_U64;
		else if (parse_uint(a->value, UINT32_MAX, &v) == 0)
			a->num = v;
		else
			return fail(err, errsize, "%s=: '%s' is not sz, u32, u64 or a number",
				    a->name, a->value);
		return 0;
	case SCN_T_FAMILY:
		if (streq(a->value, "ipv4"))
			a->num = ADDR_FAMILY_IPV4;
		else if (streq(a->value, "ipv6"))
			a->num = ADDR_FAMILY_IPV6;
		else if (streq(a->value, "both"))
			a->num = ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6;
		else if (parse_uint(a->value, 255, &v) == 0)
			a->num = v;
		else
			return fail(err, errsize, "%s=: '%s' is not ipv4, ipv6, both or a number",
				    a->name, a->value);
		return 0;
	case SCN_T_FLAGS:
		if (parse_flags(a->value, &a->num) < 0)
			return fail(err, errsize,
				    "%s=: '%s' is not a number or overwrite,create-path", a->name,
				    a->value);
		return 0;
	case SCN_T_SIGNAL:
		for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
			if (streq(a->value, signals[i].name)) {
				a->num = (uint64_t)signals[i].sig;
				return 0;
			}
		if (parse_uint(a->value, 64, &v) == 0 && v > 0) {
			a->num = v;
			return 0;
		}
		return fail(err, errsize, "%s=: '%s' is not a signal (TERM, KILL, ... or a number)",
			    a->name, a->value);
	}
	return fail(err, errsize, "%s=: internal error", a->name);
}

/*
 * Read one word starting at *pos: bytes up to a blank, with "..." sections whose escapes
 * are decoded.  Returns the word's length in 'out' (at least len+1 bytes), -EINVAL on a bad
 * escape or an unterminated quote, or 0 at the end of the line.
 */
static int next_word(const char *line, size_t len, size_t *pos, char *out, size_t *ret_n, char *err,
		     size_t errsize)
{
	size_t i = *pos, n = 0;
	bool quoted = false;

	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i >= len) {
		*pos = i;
		return 0;
	}
	while (i < len) {
		char c = line[i];

		if (!quoted && (c == ' ' || c == '\t' || c == '\r'))
			break;
		i++;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\') {
			int hi, lo;

			if (i >= len)
				break;
			c = line[i++];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
			case '"':
				break;
			case 'x':
				hi = i < len ? hexval((unsigned char)line[i]) : -1;
				lo = i + 1 < len ? hexval((unsigned char)line[i + 1]) : -1;
				if (hi < 0 || lo < 0)
					return fail(err, errsize,
						    "bad \\x escape (two hex digits)");
				c = (char)(hi << 4 | lo);
				i += 2;
				break;
			default:
				return fail(err, errsize, "unknown escape '\\%c'", c);
			}
		}
		out[n++] = c;
	}
	if (quoted)
		return fail(err, errsize, "unterminated quote");
	out[n] = '\0';
	*ret_n = n;
	*pos = i;
	return 1;
}

void sim_cmd_release(struct sim_cmd *cmd)
{
	for (size_t i = 0; i < cmd->nargs; i++)
		free(cmd->args[i].value);
	free(cmd->text);
	cmd->nargs = 0;
	cmd->text = NULL;
}

const struct scn_arg *sim_cmd_arg(const struct sim_cmd *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->nargs; i++)
		if (streq(cmd->args[i].name, name))
			return &cmd->args[i];
	return NULL;
}

static const struct verb_spec *find_verb(const char *w1, const char *w2)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (!streq(verbs[i].w1, w1))
			continue;
		if (!verbs[i].w2 && (!w2 || strchr(w2, '=') || (verbs[i].flags & F_POSITIONAL) ||
				     verbs[i].verb == SCN_ECHO || streq(w2, "nowait")))
			return &verbs[i];
		if (verbs[i].w2 && w2 && streq(verbs[i].w2, w2))
			return &verbs[i];
	}
	return NULL;
}

static bool is_service_word(const char *w)
{
	return streq(w, "kvp") || streq(w, "vss") || streq(w, "fcopy");
}

/* Checks across arguments that the tables cannot express. */
static int check_cmd(const struct sim_cmd *cmd, const char *cname, char *err, size_t errsize)
{
	int data =
		!!sim_cmd_arg(cmd, "hex") + !!sim_cmd_arg(cmd, "text") + !!sim_cmd_arg(cmd, "file");
	const struct scn_arg *a;

	switch (cmd->verb) {
	case SCN_FCOPY_WRITE:
		if (data != 1)
			return fail(err, errsize,
				    "%s: give exactly one of hex=, text=, file=", cname);
		a = sim_cmd_arg(cmd, "hex") ? sim_cmd_arg(cmd, "hex") : sim_cmd_arg(cmd, "text");
		if (a && a->len > DATA_FRAGMENT)
			return fail(err, errsize, "%s: %zu bytes of data, at most %d fit", cname,
				    a->len, DATA_FRAGMENT);
		if (!sim_cmd_arg(cmd, "file") &&
		    (sim_cmd_arg(cmd, "file-offset") || sim_cmd_arg(cmd, "len")))
			return fail(err, errsize, "%s: file-offset= and len= need file=", cname);
		a = sim_cmd_arg(cmd, "len");
		if (a && a->num > DATA_FRAGMENT)
			return fail(err, errsize, "%s: len= is at most %d", cname, DATA_FRAGMENT);
		break;
	case SCN_RAW:
		if (data > 1 || sim_cmd_arg(cmd, "file"))
			return fail(err, errsize, "%s: give at most one of hex=, text=", cname);
		if (data == 0 && !sim_cmd_arg(cmd, "size"))
			return fail(err, errsize, "%s: give hex=, text= or size=", cname);
		a = sim_cmd_arg(cmd, "size");
		if (a && a->num > SIM_MSG_MAX)
			return fail(err, errsize, "%s: size= is at most %u", cname, SIM_MSG_MAX);
		a = sim_cmd_arg(cmd, "hex") ? sim_cmd_arg(cmd, "hex") : sim_cmd_arg(cmd, "text");
		if (a && a->len > SIM_MSG_MAX)
			return fail(err, errsize, "%s: at most %u bytes", cname, SIM_MSG_MAX);
		if (sim_cmd_arg(cmd, "size") ? sim_cmd_arg(cmd, "size")->num == 0 : a->len == 0)
			return fail(err, errsize, "%s: the kernel never sends an empty message",
				    cname);
		break;
	case SCN_EXPECT:
		if (cmd->nargs == 0)
			return fail(err, errsize,
				    "expect: nothing to check (e.g. expect status=HV_S_OK)");
		break;
	case SCN_KVP_SET:
	case SCN_KVP_GET:
	case SCN_KVP_DELETE:
	case SCN_KVP_ENUM:
	case SCN_KVP_GET_IP:
	case SCN_KVP_SET_IP:
		a = sim_cmd_arg(cmd, "pool");
		if (a && a->num > 255)
			return fail(err, errsize, "%s: pool=%llu does not fit in a byte", cname,
				    (unsigned long long)a->num);
		break;
	case SCN_VSS_OP:
		a = sim_cmd_arg(cmd, "op");
		if (a->num > 255)
			return fail(err, errsize, "%s: op= is a byte (0..255)", cname);
		break;
	case SCN_BENCH:
		a = sim_cmd_arg(cmd, "count");
		if (a->num == 0 || a->num > 10000000)
			return fail(err, errsize, "%s: count= must be 1..10000000", cname);
		break;
	default:
		break;
	}
	return 0;
}

int scn_parse_line(const char *line, size_t len, unsigned int lineno, struct sim_cmd *cmd,
		   char *err, size_t errsize)
{
	const struct verb_spec *spec;
	char *buf, *w1 = NULL, *w2 = NULL, cname[64];
	size_t pos = 0, n, first_end, save;
	int r;

	memset(cmd, 0, sizeof(*cmd));
	if (len > SCN_LINE_MAX)
		return fail(err, errsize, "line longer than %u bytes", SCN_LINE_MAX);
	while (pos < len && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r'))
		pos++;
	if (pos == len || line[pos] == '#')
		return 0;

	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	cmd->line = lineno;
	cmd->text = strndup(line, len);
	if (!cmd->text) {
		r = -ENOMEM;
		goto err;
	}

	r = next_word(line, len, &pos, buf, &n, err, errsize);
	if (r <= 0)
		goto err;
	w1 = strdup(buf);
	first_end = pos;
	save = pos;
	r = next_word(line, len, &pos, buf, &n, err, errsize);
	if (r < 0)
		goto err;
	if (r > 0)
		w2 = strdup(buf);
	if (!w1 || (r > 0 && !w2)) {
		r = -ENOMEM;
		goto err;
	}
	spec = find_verb(w1, w2);
	if (!spec) {
		if (is_service_word(w1))
			r = fail(err, errsize, "unknown %s request '%s'", w1, w2 ? w2 : "");
		else
			r = fail(err, errsize, "unknown command '%s'", w1);
		goto err;
	}
	if (!spec->w2)
		pos = save;
	snprintf(cname, sizeof(cname), "%s%s%s", spec->w1, spec->w2 ? " " : "",
		 spec->w2 ? spec->w2 : "");
	cmd->verb = spec->verb;
	cmd->num = spec->num;

	if (spec->verb == SCN_ECHO) {
		/* the rest of the line, as written */
		while (first_end < len && (line[first_end] == ' ' || line[first_end] == '\t'))
			first_end++;
		cmd->args[0].name = "text";
		cmd->args[0].type = SCN_T_STR;
		cmd->args[0].value = strndup(line + first_end, len - first_end);
		cmd->args[0].len = cmd->args[0].value ? strlen(cmd->args[0].value) : 0;
		cmd->nargs = cmd->args[0].value ? 1 : 0;
		r = cmd->args[0].value ? 1 : -ENOMEM;
		goto out;
	}

	bool have_positional = false;
	for (;;) {
		char *eq;
		struct scn_arg *a;
		const char *name = NULL;

		r = next_word(line, len, &pos, buf, &n, err, errsize);
		if (r < 0)
			goto err;
		if (r == 0)
			break;
		eq = memchr(buf, '=', n);
		if (!eq) {
			if ((spec->flags & F_REQUEST) && streq(buf, "nowait") && !cmd->nowait) {
				cmd->nowait = true;
				continue;
			}
			if ((spec->flags & F_POSITIONAL) && !have_positional) {
				have_positional = true;
				if (spec->verb == SCN_SLEEP) {
					if (scn_parse_time(buf, &cmd->num) < 0) {
						r = fail(err, errsize,
							 "sleep: '%s' is not a time (e.g. 500, 2s)",
							 buf);
						goto err;
					}
				} else {
					size_t k;

					for (k = 0; k < ARRAY_SIZE(bench_ops); k++)
						if (streq(buf, bench_ops[k]))
							break;
					if (k == ARRAY_SIZE(bench_ops)) {
						r = fail(err, errsize,
							 "bench: unknown operation '%s' (get, set, "
							 "enum, "
							 "delete, freeze-thaw, write)",
							 buf);
						goto err;
					}
					cmd->num = k;
				}
				continue;
			}
			r = fail(err, errsize, "%s: unexpected word '%s'", cname, buf);
			goto err;
		}
		*eq = '\0';
		for (size_t k = 0; k < ARRAY_SIZE(arg_types); k++)
			if (streq(buf, arg_types[k].name))
				name = arg_types[k].name;
		if (!in_list(spec->required, buf) && !in_list(spec->optional, buf)) {
			r = fail(err, errsize, "%s: unknown argument '%s'", cname, buf);
			goto err;
		}
		if (sim_cmd_arg(cmd, buf)) {
			r = fail(err, errsize, "%s: %s= given twice", cname, buf);
			goto err;
		}
		if (cmd->nargs >= SCN_ARGS_MAX) {
			r = fail(err, errsize, "%s: too many arguments", cname);
			goto err;
		}
		a = &cmd->args[cmd->nargs];
		a->type = SCN_T_STR;
		/* names not in the type table are strings; take the static name from the spec */
		if (!name) {
			static const char *const str_names[] = {
				"key",  "value", "adapter", "ip",   "subnet", "gateway",    "dns",
				"path", "name",  "text",    "file", "src",    "host-value",
			};
			for (size_t k = 0; k < ARRAY_SIZE(str_names); k++)
				if (streq(buf, str_names[k]))
					name = str_names[k];
			if (!name) {
				r = fail(err, errsize, "%s: argument '%s' has no type", cname, buf);
				goto err;
			}
		} else {
			for (size_t k = 0; k < ARRAY_SIZE(arg_types); k++)
				if (name == arg_types[k].name)
					a->type = arg_types[k].type;
		}
		a->name = name;
		a->len = n - (size_t)(eq + 1 - buf);
		a->value = malloc(a->len + 1);
		if (!a->value) {
			r = -ENOMEM;
			goto err;
		}
		memcpy(a->value, eq + 1, a->len);
		a->value[a->len] = '\0';
		cmd->nargs++;
		r = convert(a, err, errsize);
		if (r < 0) {
			char why[SCN_ERR_MAX];

			snprintf(why, sizeof(why), "%s", err);
			fail(err, errsize, "%s: %s", cname, why);
			goto err;
		}
	}
	if ((spec->flags & F_POSITIONAL) && !have_positional) {
		r = fail(err, errsize, "%s: missing %s", cname,
			 spec->verb == SCN_SLEEP ? "a time (e.g. sleep 500)" : "an operation");
		goto err;
	}
	for (const char *p = spec->required; *p;) {
		size_t w = strcspn(p, " ");
		char rname[32];

		snprintf(rname, sizeof(rname), "%.*s", (int)w, p);
		if (!sim_cmd_arg(cmd, rname)) {
			r = fail(err, errsize, "%s: missing %s=", cname, rname);
			goto err;
		}
		p += w;
		while (*p == ' ')
			p++;
	}
	r = check_cmd(cmd, cname, err, errsize);
	if (r < 0)
		goto err;
	r = 1;
	goto out;
err:
	sim_cmd_release(cmd);
out:
	free(buf);
	free(w1);
	free(w2);
	return r;
}

int scn_parse(const char *text, size_t len, struct sim_scn *scn, char *err, size_t errsize)
{
	size_t pos = 0;
	unsigned int lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct sim_cmd cmd;
		char msg[SCN_ERR_MAX];
		int r;

		lineno++;
		r = scn_parse_line(text + pos, end - pos, lineno, &cmd, msg, sizeof(msg));
		pos = nl ? end + 1 : len;
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			snprintf(err, errsize, "%u: %s", lineno, msg);
			return r;
		}
		if (r == 0)
			continue;
		if (scn->n >= SCN_CMDS_MAX) {
			sim_cmd_release(&cmd);
			snprintf(err, errsize, "%u: more than %u commands", lineno, SCN_CMDS_MAX);
			return -E2BIG;
		}
		if (scn->n % 64 == 0) {
			struct sim_cmd *p = realloc(scn->cmds, (scn->n + 64) * sizeof(*p));

			if (!p) {
				sim_cmd_release(&cmd);
				return -ENOMEM;
			}
			scn->cmds = p;
		}
		scn->cmds[scn->n++] = cmd;
	}
	return 0;
}

void scn_release(struct sim_scn *scn)
{
	for (size_t i = 0; i < scn->n; i++)
		sim_cmd_release(&scn->cmds[i]);
	free(scn->cmds);
	scn->cmds = NULL;
	scn->n = 0;
}
