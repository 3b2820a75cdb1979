/* SPDX-License-Identifier: MIT */
/*
 * kvpcli.c - hv-kvp: read, write, list, watch and scrub the KVP pool files through
 * lib/kvpool, with the same locking and atomic writes as the daemon, and with the byte limits
 * the host really accepts checked before anything is written.
 */
#include "kvpcli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "kvpool.h"
#include "util.h"

#define PROGRAM "hv-kvp"
#define NO_POOL UINT_MAX

struct options {
	const char *state_dir;
	unsigned int pool; /* NO_POOL: the command's default */
	bool json;
	bool no_sync;
	bool split;
	bool allow_long;
	bool yes;
	unsigned long long count;     /* watch: stop after this many changes (0: never) */
	unsigned long long timeout_s; /* watch: stop after this long (0: never) */
	const char *command;
	char **args;
	int n_args;
};

static const char usage_line[] =
	"usage: " PROGRAM " [options] get KEY\n"
	"       " PROGRAM " [options] set KEY VALUE\n"
	"       " PROGRAM " [options] del KEY\n"
	"       " PROGRAM " [options] list\n"
	"       " PROGRAM " [options] watch [--count N] [--timeout SECONDS]\n"
	"       " PROGRAM " [options] scrub --yes\n"
	"       " PROGRAM " -h | -V\n";

static const char option_help[] =
	"\n"
	"Read and write the Hyper-V KVP pool files (" KVPOOL_DEFAULT_DIR "/.kvp_pool_0..4).\n"
	"\n"
	"  -p, --pool=N          pool 0-4 (get: all pools in order; set, del: 1; list, watch,\n"
	"                        scrub: all pools)\n"
	"  -j, --json            print JSON\n"
	"  -d, --state-dir=DIR   the pool directory (default " KVPOOL_DEFAULT_DIR ")\n"
	"      --no-sync         do not wait for the disk (no fdatasync) after a change\n"
	"  -s, --split           set: store a value too long for the host as KEY.0, KEY.1, ...\n"
	"      --allow-long      set: allow up to the file's field sizes (511-byte keys,\n"
	"                        2,047-byte values) instead of the host's limits (254, 1,022)\n"
	"  -n, --count=N         watch: stop after N changes\n"
	"  -t, --timeout=SECONDS watch: stop after SECONDS\n"
	"  -y, --yes             scrub: confirm emptying the pools\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_line, stderr);
	return KVPCLI_EXIT_USAGE;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	return KVPCLI_EXIT_FAIL;
}

/* -- output helpers ---------------------------------------------------------------------- */

void kvpcli_json_str(FILE *out, const char *s)
{
	bool utf8 = kvpool_utf16_units(s) >= 0;

	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8))
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

void kvpcli_text_str(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

size_t kvpcli_split_len(const char *s, size_t max_units)
{
	size_t i = 0, units = 0;

	while (s[i]) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
		size_t u = len == 4 ? 2 : 1;

		if (units + u > max_units)
			break;
		for (size_t k = 1; k < len; k++)
			if (!s[i + k])
				return i; /* truncated sequence: stop before it */
		i += len;
		units += u;
	}
	return i;
}

static void print_record(FILE *out, bool json, unsigned int pool, const char *key,
			 const char *value)
{
	if (json) {
		fprintf(out, "{\"pool\":%u,\"key\":", pool);
		kvpcli_json_str(out, key);
		fputs(",\"value\":", out);
		kvpcli_json_str(out, value);
		fputc('}', out);
		return;
	}
	fprintf(out, "%u\t", pool);
	kvpcli_text_str(out, key);
	fputc('\t', out);
	kvpcli_text_str(out, value);
}

/* -- snapshots for watch ------------------------------------------------------------------ */

struct snap_build {
	struct kvpcli_snap *s;
	size_t cap;
	int err;
};

static int snap_add(const struct kvpool_record *rec, void *userdata)
{
	struct snap_build *b = userdata;

	if (b->s->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct kvpcli_entry *e = realloc(b->s->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		b->s->e = e;
		b->cap = cap;
	}
	b->s->e[b->s->n].key = strdup(rec->key);
	b->s->e[b->s->n].value = strdup(rec->value);
	if (!b->s->e[b->s->n].key || !b->s->e[b->s->n].value) {
		free(b->s->e[b->s->n].key);
		free(b->s->e[b->s->n].value);
		return -ENOMEM;
	}
	b->s->n++;
	return 0;
}

/*
 * Sort by key; among equal keys the earlier record (the first match) comes first: each key
 * carries its zero-padded file position after its NUL (see kvpcli_snap_take).
 */
static int entry_cmp(const void *a, const void *b)
{
	const struct kvpcli_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return strcmp(x->key + strlen(x->key) + 1, y->key + strlen(y->key) + 1);
}

void kvpcli_snap_free(struct kvpcli_snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		free(s->e[i].value);
	}
	free(s->e);
	*s = (struct kvpcli_snap){ 0 };
}

int kvpcli_snap_take(struct kvpool *kp, unsigned int pool, struct kvpcli_snap *ret)
{
	struct snap_build b = { .s = ret };
	size_t w = 0;
	int r;

	*ret = (struct kvpcli_snap){ 0 };
	r = kvpool_enumerate(kp, pool, snap_add, &b);
	if (r < 0) {
		kvpcli_snap_free(ret);
		return r;
	}
	/* qsort is not stable: tag each entry with its file position first. */
	for (size_t i = 0; i < ret->n; i++) {
		char *k = ret->e[i].key;
		size_t kl = strlen(k);
		char *tagged = malloc(kl + 1 + 16);

		if (!tagged) {
			kvpcli_snap_free(ret);
			return -ENOMEM;
		}
		memcpy(tagged, k, kl + 1);
		(void)snprintf(tagged + kl + 1, 16, "%010u", (unsigned int)i);
		free(k);
		ret->e[i].key = tagged;
	}
	if (ret->n > 1)
		qsort(ret->e, ret->n, sizeof(*ret->e), entry_cmp);
	for (size_t i = 0; i < ret->n; i++) {
		const char *k = ret->e[i].key;

		/* keys compare equal up to the NUL; the tag after it breaks ties by position */
		if (w > 0 && streq(ret->e[w - 1].key, k)) {
			free(ret->e[i].key);
			free(ret->e[i].value);
			continue;
		}
		ret->e[w++] = ret->e[i];
	}
	ret->n = w;
	ret->valid = true;
	return 0;
}

static void print_change(FILE *out, bool json, unsigned int pool, const char *key,
			 const char *value)
{
	if (json) {
		fprintf(out, "{\"event\":\"%s\",\"pool\":%u,\"key\":", value ? "set" : "del", pool);
		kvpcli_json_str(out, key);
		if (value) {
			fputs(",\"value\":", out);
			kvpcli_json_str(out, value);
		}
		fputs("}\n", out);
		return;
	}
	fprintf(out, "%s\t%u\t", value ? "set" : "del", pool);
	kvpcli_text_str(out, key);
	if (value) {
		fputc('\t', out);
		kvpcli_text_str(out, value);
	}
	fputc('\n', out);
}

size_t kvpcli_snap_diff(FILE *out, bool json, unsigned int pool, const struct kvpcli_snap *before,
			const struct kvpcli_snap *after)
{
	size_t i = 0, j = 0, lines = 0;

	while (i < before->n || j < after->n) {
		int c;

		if (i == before->n)
			c = 1;
		else if (j == after->n)
			c = -1;
		else
			c = strcmp(before->e[i].key, after->e[j].key);
		if (c < 0) {
			print_change(out, json, pool, before->e[i].key, NULL);
			i++;
			lines++;
		} else if (c > 0) {
			print_change(out, json, pool, after->e[j].key, after->e[j].value);
			j++;
			lines++;
		} else {
			if (!streq(before->e[i].value, after->e[j].value)) {
				print_change(out, json, pool, after->e[j].key, after->e[j].value);
				lines++;
			}
			i++;
			j++;
		}
	}
	return lines;
}

/* -- commands ----------------------------------------------------------------------------- */

static int open_pools(const struct options *o, bool write, struct kvpool **ret)
{
	unsigned int flags = (write ? 0 : KVPOOL_READONLY) | (o->no_sync ? KVPOOL_NOSYNC : 0);
	int r = kvpool_open(o->state_dir, flags, ret);

	if (r < 0)
		return fail("cannot open the pools in '%s': %s",
			    o->state_dir ? o->state_dir : KVPOOL_DEFAULT_DIR, strerror(-r));
	return 0;
}

static int cmd_get(const struct options *o)
{
	unsigned int first = o->pool == NO_POOL ? 0 : o->pool;
	unsigned int last = o->pool == NO_POOL ? KVPOOL_COUNT - 1 : o->pool;
	struct kvpool *kp;
	int r, status = KVPCLI_EXIT_FAIL;

	if (o->n_args != 1)
		return usage_error("get takes one KEY");
	if (open_pools(o, false, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	for (unsigned int p = first; p <= last; p++) {
		char *v = NULL;

		r = kvpool_get_joined(kp, p, o->args[0], &v);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			(void)fail("cannot read pool %u: %s", p, strerror(-r));
			status = KVPCLI_EXIT_FAIL;
			goto out;
		}
		if (o->json) {
			print_record(stdout, true, p, o->args[0], v);
			fputc('\n', stdout);
		} else {
			printf("%s\n", v);
		}
		free(v);
		status = KVPCLI_EXIT_OK;
		goto out;
	}
	if (o->pool == NO_POOL)
		(void)fail("key '%s' not found in any pool", o->args[0]);
	else
		(void)fail("key '%s' not found in pool %u", o->args[0], o->pool);
out:
	kvpool_close(kp);
	return status;
}

/* Delete KEY.n for n >= from while they exist; returns how many went. */
static int delete_parts(struct kvpool *kp, unsigned int pool, const char *key, unsigned int from)
{
	char part[KVPOOL_KEY_FIELD + 16];
	int n = 0;

	for (unsigned int i = from; i < KVPOOL_SPLIT_PARTS_MAX; i++) {
		int r;

		(void)snprintf(part, sizeof(part), "%s.%u", key, i);
		r = kvpool_delete(kp, pool, part);
		if (r == -ENOENT)
			break;
		if (r < 0)
			return r;
		n++;
	}
	return n;
}

static int set_split(const struct options *o, struct kvpool *kp, unsigned int pool)
{
	const char *key = o->args[0], *v = o->args[1];
	char part[KVPOOL_KEY_FIELD + 16];
	unsigned int n = 0;
	int r;

	/* Check every part name first, so nothing is written when one would be refused. */
	{
		size_t parts = 0;

		for (const char *s = v; *s; parts++)
			s += kvpcli_split_len(s, KVPOOL_HOST_VALUE_MAX);
		if (parts > KVPOOL_SPLIT_PARTS_MAX)
			return fail("value needs %zu parts; at most %d are joined", parts,
				    KVPOOL_SPLIT_PARTS_MAX);
		(void)snprintf(part, sizeof(part), "%s.%zu", key, parts ? parts - 1 : 0);
		if (kvpool_host_check(part, NULL) < 0)
			return fail("key '%s' is too long for split parts (the host reads at most "
				    "%d bytes of key)",
				    key, KVPOOL_HOST_KEY_MAX);
	}
	for (const char *s = v; *s; n++) {
		size_t len = kvpcli_split_len(s, KVPOOL_HOST_VALUE_MAX);
		char chunk[KVPOOL_VALUE_FIELD];

		memcpy(chunk, s, len);
		chunk[len] = '\0';
		(void)snprintf(part, sizeof(part), "%s.%u", key, n);
		r = kvpool_set(kp, pool, part, chunk);
		if (r < 0)
			return fail("cannot set '%s' in pool %u: %s", part, pool, strerror(-r));
		s += len;
	}
	/* A whole KEY would hide the parts; older, longer values leave parts behind. */
	r = kvpool_delete(kp, pool, key);
	if (r < 0 && r != -ENOENT)
		return fail("cannot delete '%s' in pool %u: %s", key, pool, strerror(-r));
	r = delete_parts(kp, pool, key, n);
	if (r < 0)
		return fail("cannot delete old parts of '%s': %s", key, strerror(-r));
	return KVPCLI_EXIT_OK;
}

static int cmd_set(const struct options *o)
{
	unsigned int pool = o->pool == NO_POOL ? 1 : o->pool;
	const char *key, *value;
	struct kvpool *kp;
	long units;
	int r, status;

	if (o->n_args != 2)
		return usage_error("set takes a KEY and a VALUE");
	key = o->args[0];
	value = o->args[1];
	if (kvpool_utf16_units(key) < 0 || kvpool_utf16_units(value) < 0)
		return fail("key and value must be valid UTF-8 (the host refuses anything else)");
	if (key[0] == '\0')
		return fail("the key must not be empty");
	units = kvpool_utf16_units(value);
	if (!o->allow_long) {
		r = kvpool_host_check(key, value);
		if (r == -ENAMETOOLONG)
			return fail("key is %zu bytes; the host reads at most %d (use --allow-long "
				    "to store it anyway)",
				    strlen(key), KVPOOL_HOST_KEY_MAX);
		if (r == -EMSGSIZE && !o->split)
			return fail("value is %zu bytes (%ld UTF-16 units); the host reads at most "
				    "%d (use --split to store it as parts, or --allow-long)",
				    strlen(value), units, KVPOOL_HOST_VALUE_MAX);
		if (r < 0 && r != -EMSGSIZE)
			return fail("cannot store '%s': %s", key, strerror(-r));
	}
	if (open_pools(o, true, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	if (o->split && !o->allow_long && units > KVPOOL_HOST_VALUE_MAX) {
		status = set_split(o, kp, pool);
		goto out;
	}
	r = kvpool_set(kp, pool, key, value);
	if (r == -ENAMETOOLONG)
		status = fail("key is %zu bytes; a pool file holds at most %d", strlen(key),
			      KVPOOL_KEY_MAX);
	else if (r == -EMSGSIZE)
		status = fail("value is %zu bytes; a pool file holds at most %d", strlen(value),
			      KVPOOL_VALUE_MAX);
	else if (r < 0)
		status = fail("cannot set '%s' in pool %u: %s", key, pool, strerror(-r));
	else
		status = KVPCLI_EXIT_OK;
out:
	kvpool_close(kp);
	return status;
}

static int cmd_del(const struct options *o)
{
	unsigned int pool = o->pool == NO_POOL ? 1 : o->pool;
	struct kvpool *kp;
	int r, n, status = KVPCLI_EXIT_OK;

	if (o->n_args != 1)
		return usage_error("del takes one KEY");
	if (open_pools(o, true, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	r = kvpool_delete(kp, pool, o->args[0]);
	if (r < 0 && r != -ENOENT) {
		status = fail("cannot delete '%s' in pool %u: %s", o->args[0], pool, strerror(-r));
		goto out;
	}
	n = delete_parts(kp, pool, o->args[0], 0);
	if (n < 0)
		status = fail("cannot delete parts of '%s': %s", o->args[0], strerror(-n));
	else if (r == -ENOENT && n == 0)
		status = fail("key '%s' not found in pool %u", o->args[0], pool);
out:
	kvpool_close(kp);
	return status;
}

struct list_ctx {
	bool json;
	bool first;
	unsigned int pool;
};

static int list_one(const struct kvpool_record *rec, void *userdata)
{
	struct list_ctx *c = userdata;

	if (c->json)
		fputs(c->first ? "\n  " : ",\n  ", stdout);
	print_record(stdout, c->json, c->pool, rec->key, rec->value);
	if (!c->json)
		fputc('\n', stdout);
	c->first = false;
	return 0;
}

static int cmd_list(const struct options *o)
{
	unsigned int first = o->pool == NO_POOL ? 0 : o->pool;
	unsigned int last = o->pool == NO_POOL ? KVPOOL_COUNT - 1 : o->pool;
	struct list_ctx c = { .json = o->json, .first = true };
	struct kvpool *kp;
	int status = KVPCLI_EXIT_OK;

	if (o->n_args != 0)
		return usage_error("list takes no arguments");
	if (open_pools(o, false, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	if (o->json)
		fputs("[", stdout);
	for (unsigned int p = first; p <= last; p++) {
		int r;

		c.pool = p;
		r = kvpool_enumerate(kp, p, list_one, &c);
		if (r < 0)
			status = fail("cannot read pool %u: %s, continuing", p, strerror(-r));
	}
	if (o->json)
		fputs(c.first ? "]\n" : "\n]\n", stdout);
	kvpool_close(kp);
	return status;
}

/* ".kvp_pool_N", ".kvp_pool_N.new" or ".kvp_journal_N" -> N; -1 for anything else. */
static int pool_of_name(const char *name)
{
	static const char *const prefixes[] = { ".kvp_pool_", ".kvp_journal_" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t l = strlen(prefixes[i]);

		if (strncmp(name, prefixes[i], l) == 0 && name[l] >= '0' &&
		    name[l] < '0' + KVPOOL_COUNT && (name[l + 1] == '\0' || name[l + 1] == '.'))
			return name[l] - '0';
	}
	return -1;
}

static int cmd_watch(const struct options *o)
{
	unsigned int first = o->pool == NO_POOL ? 0 : o->pool;
	unsigned int last = o->pool == NO_POOL ? KVPOOL_COUNT - 1 : o->pool;
	struct kvpcli_snap snaps[KVPOOL_COUNT] = { 0 };
	uint64_t deadline = o->timeout_s ? now_ms() + o->timeout_s * 1000 : 0;
	unsigned long long reported = 0;
	struct kvpool *kp;
	int ifd, status = KVPCLI_EXIT_OK;

	if (o->n_args != 0)
		return usage_error("watch takes no arguments");
	if (open_pools(o, false, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd < 0) {
		status = fail("cannot start inotify: %s", strerror(errno));
		goto out_close;
	}
	if (inotify_add_watch(ifd, kvpool_dir(kp),
			      IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO |
				      IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		status = fail("cannot watch '%s': %s", kvpool_dir(kp), strerror(errno));
		goto out_inotify;
	}
	/* Snapshots are taken after the watch exists, so no change falls between the two. */
	for (unsigned int p = first; p <= last; p++)
		if (kvpcli_snap_take(kp, p, &snaps[p]) < 0)
			snaps[p].valid = false;
	fprintf(stderr, PROGRAM ": watching '%s'\n", kvpool_dir(kp));
	fflush(stderr);

	while (o->count == 0 || reported < o->count) {
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
		bool touched[KVPOOL_COUNT] = { false };
		int timeout = -1, n;
		ssize_t len;

		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				break;
			timeout = (int)MIN(deadline - now, (uint64_t)INT32_MAX);
		}
		fflush(stdout);
		n = poll(&pfd, 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			status = fail("poll failed: %s", strerror(errno));
			break;
		}
		if (n == 0)
			continue;
		len = read(ifd, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			status = fail("cannot read inotify events: %s", strerror(errno));
			break;
		}
		for (ssize_t off = 0; off < len;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			int p;

			off += (ssize_t)(sizeof(*ev) + ev->len);
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				status = fail("'%s' went away", kvpool_dir(kp));
				goto out_snaps;
			}
			p = ev->len ? pool_of_name(ev->name) : -1;
			if (p >= 0)
				touched[p] = true;
		}
		for (unsigned int p = first; p <= last; p++) {
			struct kvpcli_snap now;

			if (!touched[p])
				continue;
			if (kvpcli_snap_take(kp, p, &now) < 0)
				continue; /* mid-change or unreadable: the next event retries */
			reported += kvpcli_snap_diff(stdout, o->json, p, &snaps[p], &now);
			kvpcli_snap_free(&snaps[p]);
			snaps[p] = now;
		}
	}
out_snaps:
	fflush(stdout);
	for (unsigned int p = 0; p < KVPOOL_COUNT; p++)
		kvpcli_snap_free(&snaps[p]);
out_inotify:
	close(ifd);
out_close:
	kvpool_close(kp);
	return status;
}

static int cmd_scrub(const struct options *o)
{
	unsigned int first = o->pool == NO_POOL ? 0 : o->pool;
	unsigned int last = o->pool == NO_POOL ? KVPOOL_COUNT - 1 : o->pool;
	struct kvpool *kp;
	int status = KVPCLI_EXIT_OK;

	if (o->n_args != 0)
		return usage_error("scrub takes no arguments");
	if (!o->yes)
		return usage_error("scrub empties %s; add --yes to confirm",
				   o->pool == NO_POOL ? "every pool" : "the pool");
	if (open_pools(o, true, &kp) != 0)
		return KVPCLI_EXIT_FAIL;
	for (unsigned int p = first; p <= last; p++) {
		int r = kvpool_scrub(kp, p);

		if (r < 0)
			status = fail("cannot scrub pool %u: %s", p, strerror(-r));
	}
	kvpool_close(kp);
	return status;
}

/* -- argument parsing --------------------------------------------------------------------- */

enum {
	OPT_NO_SYNC = 0x100,
	OPT_ALLOW_LONG,
};

static int parse_args(int argc, char *argv[], struct options *o, bool *ret_done)
{
	static const struct option longopts[] = {
		/* clang-format off */
		{ "pool",       required_argument, NULL, 'p' },
		{ "json",       no_argument,       NULL, 'j' },
		{ "state-dir",  required_argument, NULL, 'd' },
		{ "no-sync",    no_argument,       NULL, OPT_NO_SYNC },
		{ "split",      no_argument,       NULL, 's' },
		{ "allow-long", no_argument,       NULL, OPT_ALLOW_LONG },
		{ "count",      required_argument, NULL, 'n' },
		{ "timeout",    required_argument, NULL, 't' },
		{ "yes",        no_argument,       NULL, 'y' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ NULL,         0,                 NULL, 0 },
		/* clang-format on */
	};
	unsigned long long n;
	int c;

	*o = (struct options){ .pool = NO_POOL };
	*ret_done = false;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "p:jd:sn:t:yhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, KVPOOL_COUNT - 1, &n) < 0)
				return usage_error("--pool needs a number from 0 to %d, not '%s'",
						   KVPOOL_COUNT - 1, optarg);
			o->pool = (unsigned int)n;
			break;
		case 'j':
			o->json = true;
			break;
		case 'd':
			if (optarg[0] == '\0')
				return usage_error("--state-dir needs a directory");
			o->state_dir = optarg;
			break;
		case OPT_NO_SYNC:
			o->no_sync = true;
			break;
		case 's':
			o->split = true;
			break;
		case OPT_ALLOW_LONG:
			o->allow_long = true;
			break;
		case 'n':
			if (parse_uint(optarg, UINT32_MAX, &o->count) < 0 || o->count == 0)
				return usage_error("--count needs a positive number, not '%s'",
						   optarg);
			break;
		case 't':
			if (parse_uint(optarg, 86400 * 365, &o->timeout_s) < 0 || o->timeout_s == 0)
				return usage_error("--timeout needs a positive number of seconds, "
						   "not '%s'",
						   optarg);
			break;
		case 'y':
			o->yes = true;
			break;
		case 'h':
			fputs(usage_line, stdout);
			fputs(option_help, stdout);
			*ret_done = true;
			return KVPCLI_EXIT_OK;
		case 'V':
			puts(PROGRAM " " HVGUEST_VERSION);
			*ret_done = true;
			return KVPCLI_EXIT_OK;
		default:
			fputs(usage_line, stderr);
			return KVPCLI_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	o->command = argv[optind];
	o->args = argv + optind + 1;
	o->n_args = argc - optind - 1;
	return KVPCLI_EXIT_OK;
}

int kvpcli_main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*run)(const struct options *o);
	} commands[] = {
		{ "get", cmd_get },   { "set", cmd_set },     { "del", cmd_del },
		{ "list", cmd_list }, { "watch", cmd_watch }, { "scrub", cmd_scrub },
	};
	struct options o;
	bool done;
	int r = parse_args(argc, argv, &o, &done);

	if (r != KVPCLI_EXIT_OK || done)
		return r;
	if ((o.count || o.timeout_s) && !streq(o.command, "watch"))
		return usage_error("--count and --timeout go with watch");
	if ((o.split || o.allow_long) && !streq(o.command, "set"))
		return usage_error("--split and --allow-long go with set");
	if (o.yes && !streq(o.command, "scrub"))
		return usage_error("--yes goes with scrub");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(o.command, commands[i].name))
			return commands[i].run(&o);
	return usage_error("unknown command '%s'", o.command);
}
