/* SPDX-License-Identifier: MIT */
/*
 * test-hv-fcopyd-copy.c - the copy session and its policy, on a temporary tree: symlinks
 * anywhere in the path (with openat2 and with the component walk), '..', allowed folders,
 * create-path, overwrite, sizes, cancel and abort leaving nothing behind, file modes; the
 * gathering of writes (runs across the buffer's edge, out of order, overlapping, larger than
 * the buffer) against the same writes applied in memory; early write-back and dropping from
 * the page cache across several steps, with rewrites, cancel and failure; and the message
 * validator with messages of every wrong size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fcopyd_copy.h"
#include "fcopyd_wire.h"
#include "fs.h"
#include "icmsg.h"
#include "tap.h"

static char root[PATH_MAX];

static void mk(const char *rel)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755) < 0)
		abort();
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0)
		abort();
}

static bool exists(const char *rel)
{
	char p[PATH_MAX + 64];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

/* Count temporary files left anywhere directly in 'rel'. */
static int tmp_files(const char *rel)
{
	char p[PATH_MAX + 64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	d = opendir(p);
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, ".hv-fcopyd.", 11) == 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

/* clang-format off */
static const struct {
	const char *what;
	const char *path; /* relative to root; "/" prefix added */
	const char *name;
	uint32_t flags;
	uint32_t want;
	const char *created; /* relative path that must exist after COMPLETE, or NULL */
} start_cases[] = {
	{ "plain",                    "in",              "a",      0, HV_S_OK,                  "in/a" },
	{ "non-ASCII name",           "in",              "\xc3\xa9t\xc3\xa9", 0, HV_S_OK,       "in/\xc3\xa9t\xc3\xa9" },
	{ "dot components skipped",   "in/./",           "b",      0, HV_S_OK,                  "in/b" },
	{ "dot-dot refused",          "in/../in",        "c",      0, HV_INVALIDARG,            NULL },
	{ "name with slash",          "in",              "x/y",    0, HV_INVALIDARG,            NULL },
	{ "name dot-dot",             "in",              "..",     0, HV_INVALIDARG,            NULL },
	{ "empty name",               "in",              "",       0, HV_INVALIDARG,            NULL },
	{ "symlink folder in path",   "in/link/sub",     "d",      0, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "absolute symlink folder",  "in/abs",          "d",      0, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "symlink planted at target","in",              "planted",1, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "exists, no overwrite",     "in",              "old",    0, HV_ERROR_ALREADY_EXISTS,  NULL },
	{ "exists, overwrite",        "in",              "old",    1, HV_S_OK,                  "in/old" },
	{ "target is a folder",       "in",              "sub",    1, HV_ERROR_ALREADY_EXISTS,  NULL },
	{ "missing, no create-path",  "in/new1/new2",    "e",      0, FCOPYD_E_PATH_NOT_FOUND,  NULL },
	{ "missing, create-path",     "in/new1/new2",    "e",      2, HV_S_OK,                  "in/new1/new2/e" },
	{ "create-path, last level",  "in/new3",         "f",      2, HV_S_OK,                  "in/new3/f" },
	{ "outside allowed folders",  "out",             "g",      0, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "allowed-folder prefix trap","inside",         "g",      0, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "create-path outside",      "in2/x",           "h",      2, FCOPYD_E_ACCESS_DENIED,   NULL },
	{ "relative path",            NULL,              "i",      0, HV_INVALIDARG,            NULL },
};
/* clang-format on */

static void setup_tree(void)
{
	char p[PATH_MAX + 64];
	int fd;

	mk("in");
	mk("in/sub");
	mk("out");
	mk("inside");
	mk("real");
	ln("../real", "in/link");
	mk("real/sub");
	snprintf(p, sizeof(p), "%s/out", root);
	ln(p, "in/abs");
	snprintf(p, sizeof(p), "%s/out/victim", root);
	ln(p, "in/planted");
	snprintf(p, sizeof(p), "%s/in/old", root);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, "old", 3) != 3)
		abort();
	close(fd);
}

static void run_start_cases(bool walk)
{
	struct fcopyd_policy pol;
	char allow[PATH_MAX + 8];

	fcopyd_policy_init(&pol);
	pol.no_openat2 = walk;
	snprintf(allow, sizeof(allow), "%s/in", root);
	if (fcopyd_policy_allow(&pol, allow) < 0)
		abort();
	for (size_t i = 0; i < ARRAY_SIZE(start_cases); i++) {
		struct fcopyd_session s;
		char path[PATH_MAX + 64];
		uint32_t st;

		fcopyd_session_init(&s);
		if (start_cases[i].path)
			snprintf(path, sizeof(path), "%s/%s", root, start_cases[i].path);
		else
			snprintf(path, sizeof(path), "in");
		st = fcopyd_start(&s, &pol, path, start_cases[i].name, start_cases[i].flags, 4);
		CHECK(st == start_cases[i].want, "%s: %s: status 0x%08x (want 0x%08x) %s",
		      walk ? "walk" : "openat2", start_cases[i].what, st, start_cases[i].want,
		      s.why);
		if (st == HV_S_OK) {
			CHECK_INT(fcopyd_write(&s, 0, "data", 4), HV_S_OK, "%s: %s: write",
				  walk ? "walk" : "openat2", start_cases[i].what);
			CHECK_INT(fcopyd_complete(&s), HV_S_OK, "%s: %s: complete",
				  walk ? "walk" : "openat2", start_cases[i].what);
			CHECK(exists(start_cases[i].created), "%s: %s: file in place",
			      walk ? "walk" : "openat2", start_cases[i].what);
		}
		fcopyd_abort(&s);
	}
	CHECK(!exists("out/victim") && !exists("out/g") && !exists("real/sub/d") &&
		      !exists("out/d") && !exists("in2"),
	      "%s: nothing written outside the allowed folder", walk ? "walk" : "openat2");
	CHECK_INT(tmp_files("in"), 0, "%s: no temporary files left", walk ? "walk" : "openat2");
	fcopyd_policy_release(&pol);
}

static void test_session(void)
{
	struct fcopyd_policy pol;
	struct fcopyd_session s;
	char path[PATH_MAX + 8], file[PATH_MAX + 16];
	struct stat st;

	fcopyd_policy_init(&pol);
	pol.max_size = 100;
	pol.mode = 0640;
	fcopyd_session_init(&s);
	snprintf(path, sizeof(path), "%s/in", root);
	CHECK_INT(fcopyd_write(&s, 0, "x", 1), HV_E_FAIL, "write without START");
	CHECK_INT(fcopyd_complete(&s), HV_E_FAIL, "complete without START");
	CHECK_INT(fcopyd_start(&s, &pol, path, "big", 0, 101), HV_ERROR_DISK_FULL,
		  "announced size above max-size");
	CHECK_INT(fcopyd_start(&s, &pol, path, "huge", 0, ~0ULL >> 1), HV_ERROR_DISK_FULL,
		  "size beyond the free space");

	CHECK_INT(fcopyd_start(&s, &pol, path, "past", 0, 10), HV_S_OK, "start 10 bytes");
	CHECK_INT(tmp_files("in"), 1, "a temporary file exists during the copy");
	CHECK(!exists("in/past"), "the target is not visible during the copy");
	CHECK_INT(fcopyd_write(&s, 8, "abc", 3), HV_INVALIDARG, "write past the announced size");
	CHECK(!s.active && tmp_files("in") == 0, "that abandoned the copy, temp file removed");

	CHECK_INT(fcopyd_start(&s, &pol, path, "over", 0, 10), HV_S_OK, "start again");
	CHECK_INT(fcopyd_write(&s, ~0ULL - 1, "abc", 3), HV_INVALIDARG, "offset overflow");
	CHECK_INT(fcopyd_start(&s, &pol, path, "short", 0, 10), HV_S_OK, "start again");
	CHECK_INT(fcopyd_write(&s, 0, "abc", 3), HV_S_OK, "3 of 10 bytes");
	CHECK_INT(fcopyd_complete(&s), HV_E_FAIL, "complete before all bytes came is refused");
	CHECK(!exists("in/short") && tmp_files("in") == 0, "and leaves nothing");

	CHECK_INT(fcopyd_start(&s, &pol, path, "zero", 0, 10), HV_S_OK, "start again");
	CHECK_INT(fcopyd_write(&s, 10, "", 0), HV_S_OK, "a 0-byte write at the announced size");
	CHECK_INT(fcopyd_complete(&s), HV_E_FAIL, "does not count as the last byte: refused");
	CHECK(!exists("in/zero") && tmp_files("in") == 0, "and no short file is left");

	CHECK_INT(fcopyd_start(&s, &pol, path, "cancelled", 0, 10), HV_S_OK, "start again");
	CHECK_INT(fcopyd_write(&s, 0, "abcde", 5), HV_S_OK, "half written");
	CHECK_INT(fcopyd_cancel(&s), HV_S_OK, "cancel");
	CHECK(!exists("in/cancelled") && tmp_files("in") == 0, "cancel leaves nothing");
	CHECK_INT(fcopyd_cancel(&s), HV_S_OK, "cancel with nothing open is harmless");

	CHECK_INT(fcopyd_start(&s, &pol, path, "ooo", 0, 6), HV_S_OK, "start 6 bytes");
	CHECK_INT(fcopyd_write(&s, 3, "def", 3), HV_S_OK, "second half first");
	CHECK_INT(fcopyd_write(&s, 0, "abc", 3), HV_S_OK, "then the first half");
	CHECK_INT(fcopyd_complete(&s), HV_S_OK, "out-of-order writes complete");
	snprintf(file, sizeof(file), "%s/ooo", path);
	memset(&st, 0, sizeof(st));
	CHECK_INT(stat(file, &st), 0, "out-of-order file in place");
	CHECK(st.st_mode % 010000 == 0640 && st.st_size == 6, "mode from the policy (0%o) and size",
	      st.st_mode % 010000);

	CHECK_INT(fcopyd_start(&s, &pol, path, "empty", 0, 0), HV_S_OK, "start 0 bytes");
	CHECK_INT(fcopyd_complete(&s), HV_S_OK, "complete 0 bytes");
	CHECK(exists("in/empty"), "empty file in place");

	CHECK_INT(fcopyd_start(&s, &pol, path, "first", 0, 1), HV_S_OK, "start");
	CHECK_INT(fcopyd_start(&s, &pol, path, "second", 0, 0), HV_S_OK,
		  "a second START abandons the first");
	CHECK_INT(tmp_files("in"), 1, "only one temporary file");
	fcopyd_abort(&s);
	CHECK_INT(tmp_files("in"), 0, "abort removes it");
	fcopyd_policy_release(&pol);
}

/* One write of a gather case: 'len' bytes at 'off', of the pattern with seed 'seed'. */
struct gw {
	uint64_t off;
	size_t len;
	uint8_t seed;
};

#define GB FCOPYD_WBUF_SIZE
/* clang-format off */
static const struct {
	const char *name;
	size_t size;
	size_t chunk; /* > 0: the whole file in order, in chunks of this size, seed 1 */
	struct gw w[6];
} gather_cases[] = {
	{ "in order, 6144-byte chunks, buffer filled twice", 2 * GB + 5000, 6144, { { 0 } } },
	{ "in order, chunks that divide the buffer",          GB * 2,         4096, { { 0 } } },
	{ "one write larger than the buffer",                 GB + 300,       0,
	  { { 0, 100, 1 }, { 100, GB + 200, 2 } } },
	{ "backwards",                                        18000,          0,
	  { { 12000, 6000, 1 }, { 6000, 6000, 2 }, { 0, 6000, 3 } } },
	{ "a later write over an earlier one wins",           20000,          0,
	  { { 0, 10000, 1 }, { 10000, 10000, 2 }, { 5000, 2000, 3 }, { 19000, 1000, 4 } } },
	{ "a rewrite of gathered bytes then a jump back",     GB + 10,        0,
	  { { 0, GB - 10, 1 }, { 10, 10, 2 }, { GB - 10, 20, 3 }, { 0, 5, 4 } } },
};
/* clang-format on */

static uint8_t pattern(uint8_t seed, uint64_t pos)
{
	return (uint8_t)(pos * 131 + seed * 7 + (pos >> 9));
}

static void put_write(struct fcopyd_session *s, uint8_t *want, uint8_t *tmp, const struct gw *w,
		      const char *name)
{
	for (size_t i = 0; i < w->len; i++)
		tmp[i] = pattern(w->seed, w->off + i);
	memcpy(want + w->off, tmp, w->len);
	CHECK_INT(fcopyd_write(s, w->off, tmp, w->len), HV_S_OK, "%s: write %zu at %llu", name,
		  w->len, (unsigned long long)w->off);
}

static void test_gather(void)
{
	struct fcopyd_policy pol;
	struct fcopyd_session s;
	char path[PATH_MAX + 8], file[PATH_MAX + 16];

	fcopyd_policy_init(&pol);
	fcopyd_session_init(&s);
	snprintf(path, sizeof(path), "%s/in", root);
	for (size_t c = 0; c < ARRAY_SIZE(gather_cases); c++) {
		const char *name = gather_cases[c].name;
		size_t size = gather_cases[c].size, got_len = 0;
		uint8_t *want = calloc(1, size), *tmp = malloc(size);
		char *got = NULL;

		if (!want || !tmp)
			abort();
		CHECK_INT(fcopyd_start(&s, &pol, path, "gather", FCOPYD_OVER_WRITE, size), HV_S_OK,
			  "%s: start", name);
		if (gather_cases[c].chunk > 0) {
			for (uint64_t o = 0; o < size; o += gather_cases[c].chunk) {
				struct gw w = { o, MIN(gather_cases[c].chunk, (size_t)(size - o)),
						1 };

				put_write(&s, want, tmp, &w, name);
			}
		} else {
			for (size_t i = 0; i < ARRAY_SIZE(gather_cases[c].w); i++)
				if (gather_cases[c].w[i].len > 0)
					put_write(&s, want, tmp, &gather_cases[c].w[i], name);
		}
		CHECK_INT(fcopyd_complete(&s), HV_S_OK, "%s: complete", name);
		snprintf(file, sizeof(file), "%s/gather", path);
		CHECK_INT(fs_read_file_at(AT_FDCWD, file, size + 1, &got, &got_len), 0,
			  "%s: read back", name);
		CHECK(got && got_len == size && memcmp(got, want, size) == 0,
		      "%s: the file holds every write in order (%zu of %zu bytes)", name, got_len,
		      size);
		free(got);
		free(want);
		free(tmp);
	}
	CHECK_INT(tmp_files("in"), 0, "gather: no temporary files left");
	fcopyd_policy_release(&pol);
}

/*
 * Early write-back across FCOPYD_SYNC_STEP boundaries: every few MiB the copy starts writing
 * the newest step, waits for the one before and drops it from the page cache.  Each case
 * writes 'steps' steps in order in 6144-byte chunks, then rewrites 'rewrite' bytes at
 * 'rw_off' (inside a dropped step, or straddling a boundary), then finishes, cancels or fails
 * with a write past the size.  Checked: the file is byte-identical to the writes applied in
 * memory, nothing is left behind on cancel and failure, and (on a filesystem with write-back)
 * the dropped steps are no longer in the page cache while the copy goes on.
 */
#define SS           FCOPYD_SYNC_STEP
#define RW_FIRST_END UINT64_MAX /* 3000 bytes before the end of the first step, wherever */
enum wb_end {
	WB_COMPLETE,
	WB_CANCEL,
	WB_PAST_SIZE
};
/* clang-format off */
static const struct {
	const char *name;
	uint64_t size;
	uint64_t written; /* in order before the rewrite */
	uint64_t rw_off;
	size_t rewrite;
	enum wb_end end;
} wb_cases[] = {
	{ "4 steps, a rewrite inside the first dropped step", 4 * SS + SS / 2 + 777, 4 * SS + 100,
	  4096, 10000, WB_COMPLETE },
	{ "5 steps, a rewrite across the end of the first step", 5 * SS + 5, 5 * SS + 5,
	  RW_FIRST_END, 6144, WB_COMPLETE },
	{ "cancel after 3.5 steps of write-back",            8 * SS,                3 * SS + SS / 2,
	  0, 0, WB_CANCEL },
	{ "a write past the size after 3.5 steps",           3 * SS + SS / 2,       3 * SS + SS / 2,
	  0, 0, WB_PAST_SIZE },
};
/* clang-format on */

/*
 * Pages of bytes [off, off + len) of 'path' that are in the page cache, or -1.  The count
 * starts at 1 MiB: valgrind reads the start of every file mapped (looking for ELF headers),
 * which brings its first pages back into the cache.
 */
#define RESIDENT_FROM (1u << 20)
static long resident(const char *path, size_t off, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	size_t pages = (len + (size_t)page - 1) / (size_t)page;
	unsigned char *vec = malloc(pages);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *m = MAP_FAILED;

	if (vec && fd >= 0)
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (m == MAP_FAILED || mincore(m, len, vec) < 0) {
		n = -1;
	} else {
		for (size_t i = 0; i < pages; i++)
			n += vec[i] & 1;
	}
	if (m != MAP_FAILED)
		munmap(m, len);
	if (fd >= 0)
		close(fd);
	free(vec);
	return n;
}

static void test_writeback(void)
{
	struct fcopyd_policy pol;
	struct fcopyd_session s;
	char path[PATH_MAX + 8], file[PATH_MAX + 16], tmpfile[PATH_MAX + 80];
	struct statfs sf;
	bool cache_checks;
	uint8_t chunk[6144];

	fcopyd_policy_init(&pol);
	fcopyd_session_init(&s);
	snprintf(path, sizeof(path), "%s/in", root);
	snprintf(file, sizeof(file), "%s/wb", path);
	/* tmpfs and ramfs have no write-back: the data is right there, the cache checks skip */
	cache_checks = statfs(path, &sf) == 0 && sf.f_type != 0x01021994 && sf.f_type != 0x858458f6;
	for (size_t c = 0; c < ARRAY_SIZE(wb_cases); c++) {
		const char *name = wb_cases[c].name;
		uint64_t size = wb_cases[c].size;
		uint8_t *want = calloc(1, (size_t)size);
		char *got = NULL;
		size_t got_len = 0;
		uint32_t st = HV_S_OK;
		uint64_t o, first_end = 0, rw_off = wb_cases[c].rw_off;

		if (!want)
			abort();
		(void)unlink(file);
		CHECK_INT(fcopyd_start(&s, &pol, path, "wb", 0, size), HV_S_OK, "%s: start", name);
		snprintf(tmpfile, sizeof(tmpfile), "%s/%s", path, s.tmpname);
		for (o = 0; o < wb_cases[c].written && st == HV_S_OK; o += sizeof(chunk)) {
			size_t n = (size_t)MIN((uint64_t)sizeof(chunk), wb_cases[c].written - o);

			for (size_t i = 0; i < n; i++)
				chunk[i] = pattern(1, o + i);
			memcpy(want + o, chunk, n);
			st = fcopyd_write(&s, o, chunk, n);
			if (first_end == 0)
				first_end = s.synced;
		}
		CHECK_INT(st, HV_S_OK, "%s: %llu bytes written in order", name,
			  (unsigned long long)wb_cases[c].written);
		CHECK(s.settled >= SS && s.settled % 6144 == 0 && s.settled <= s.lag &&
			      s.lag <= s.synced && s.synced <= wb_cases[c].written,
		      "%s: write-back started and the oldest steps dropped (settled %llu, lag "
		      "%llu, "
		      "synced %llu)",
		      name, (unsigned long long)s.settled, (unsigned long long)s.lag,
		      (unsigned long long)s.synced);
		if (cache_checks)
			CHECK_INT(
				resident(tmpfile, RESIDENT_FROM, (size_t)s.settled - RESIDENT_FROM),
				0, "%s: no page of the dropped steps is in the page cache", name);
		else
			SKIP("%s: page cache check (no write-back on tmpfs)", name);
		if (rw_off == RW_FIRST_END) {
			rw_off = first_end - 3000;
			CHECK(first_end < s.settled, "%s: the first two steps are dropped", name);
		}
		if (wb_cases[c].rewrite > 0) {
			for (size_t i = 0; i < wb_cases[c].rewrite; i++)
				want[rw_off + i] = pattern(9, rw_off + i);
			CHECK_INT(fcopyd_write(&s, rw_off, want + rw_off, wb_cases[c].rewrite),
				  HV_S_OK, "%s: rewrite %zu bytes at %llu", name,
				  wb_cases[c].rewrite, (unsigned long long)rw_off);
		}
		switch (wb_cases[c].end) {
		case WB_COMPLETE:
			for (st = HV_S_OK; o < size && st == HV_S_OK; o += sizeof(chunk)) {
				size_t n = (size_t)MIN((uint64_t)sizeof(chunk), size - o);

				for (size_t i = 0; i < n; i++)
					chunk[i] = pattern(1, o + i);
				memcpy(want + o, chunk, n);
				st = fcopyd_write(&s, o, chunk, n);
			}
			CHECK_INT(st, HV_S_OK, "%s: the rest written", name);
			CHECK_INT(fcopyd_complete(&s), HV_S_OK, "%s: complete", name);
			CHECK_INT(fs_read_file_at(AT_FDCWD, file, (size_t)size + 1, &got, &got_len),
				  0, "%s: read back", name);
			CHECK(got && got_len == size && memcmp(got, want, (size_t)size) == 0,
			      "%s: the file is byte-identical to the writes (%zu of %llu bytes)",
			      name, got_len, (unsigned long long)size);
			break;
		case WB_CANCEL:
			CHECK_INT(fcopyd_cancel(&s), HV_S_OK, "%s: cancel", name);
			CHECK(!s.active && !exists("in/wb"), "%s: no target", name);
			break;
		case WB_PAST_SIZE:
			CHECK_INT(fcopyd_write(&s, size - 10, chunk, 100), HV_INVALIDARG,
				  "%s: refused", name);
			CHECK(!s.active && !exists("in/wb"), "%s: copy abandoned, no target", name);
			break;
		}
		CHECK_INT(tmp_files("in"), 0, "%s: no temporary file left", name);
		free(got);
		free(want);
	}
	(void)unlink(file);
	fcopyd_policy_release(&pol);
}

/* Messages of every wrong size are refused by the one validator. */
static void test_wire(void)
{
	static uint8_t buf[FCOPYD_WRITE_SIZE + 16];
	struct fcopyd_msg m;
	const char *why;
	uint32_t v;

	memset(buf, 0, sizeof(buf));
	CHECK_INT(fcopyd_parse(buf, 3, FCOPYD_NAMES_UTF8, &m, &why), -EBADMSG, "3 bytes");
	CHECK_INT(fcopyd_parse(buf, FCOPYD_START_SIZE - 1, FCOPYD_NAMES_UTF8, &m, &why), -EBADMSG,
		  "START one byte short");
	memcpy(buf + 36, "name", 4);
	memcpy(buf + 556, "/p", 2);
	CHECK_INT(fcopyd_parse(buf, FCOPYD_START_SIZE, FCOPYD_NAMES_UTF8, &m, &why), 0,
		  "START of 1088 bytes");
	CHECK_STR(m.name, "name", "name decoded");
	memset(buf + 36, 'a', 520);
	CHECK_INT(fcopyd_parse(buf, FCOPYD_START_SIZE, FCOPYD_NAMES_UTF8, &m, &why), -ENAMETOOLONG,
		  "name field with no NUL");
	memset(buf + 36, 0, 520);
	memcpy(buf + 36, "\xc3\x28", 2);
	CHECK_INT(fcopyd_parse(buf, FCOPYD_START_SIZE, FCOPYD_NAMES_UTF8, &m, &why), -EILSEQ,
		  "invalid UTF-8 name from the kernel");
	memset(buf + 36, 0, 520);
	memcpy(buf + 36, "\x3d\xd8", 2);
	CHECK_INT(fcopyd_parse(buf, FCOPYD_START_SIZE, FCOPYD_NAMES_UTF16LE, &m, &why), -EILSEQ,
		  "lone surrogate name from the host");
	v = FCOPYD_OP_WRITE;
	memcpy(buf, &v, 4);
	v = 6144;
	memcpy(buf + 48, &v, 4);
	CHECK_INT(fcopyd_parse(buf, FCOPYD_WRITE_SIZE, FCOPYD_NAMES_UTF8, &m, &why), 0,
		  "WRITE of 6144 bytes");
	CHECK_INT(fcopyd_parse(buf, FCOPYD_WRITE_SIZE - 1, FCOPYD_NAMES_UTF8, &m, &why), -EBADMSG,
		  "WRITE whose size runs past the message");
	CHECK_INT(fcopyd_parse(buf, 51, FCOPYD_NAMES_UTF8, &m, &why), -EBADMSG,
		  "WRITE shorter than its header");
	v = 6145;
	memcpy(buf + 48, &v, 4);
	CHECK_INT(fcopyd_parse(buf, sizeof(buf), FCOPYD_NAMES_UTF8, &m, &why), -EBADMSG,
		  "WRITE size 6145");
	v = 9;
	memcpy(buf, &v, 4);
	CHECK_INT(fcopyd_parse(buf, 36, FCOPYD_NAMES_UTF8, &m, &why), -EOPNOTSUPP,
		  "unknown operation");
	v = FCOPYD_OP_CANCEL;
	memcpy(buf, &v, 4);
	CHECK_INT(fcopyd_parse(buf, 4, FCOPYD_NAMES_UTF8, &m, &why), 0, "CANCEL of 4 bytes");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/fcopyd-copy.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return 1;
	setup_tree();
	run_start_cases(false);
	/* The walk repeats the same cases on a fresh tree. */
	{
		char *rm[] = { (char *)"rm", (char *)"-rf", root, NULL };
		pid_t p = fork();

		if (p == 0) {
			execvp("rm", rm);
			_exit(127);
		}
		waitpid(p, NULL, 0);
		if (mkdir(root, 0700) < 0)
			abort();
	}
	setup_tree();
	run_start_cases(true);
	test_session();
	test_gather();
	test_writeback();
	test_wire();
	{
		char *rm[] = { (char *)"rm", (char *)"-rf", root, NULL };
		pid_t p = fork();

		if (p == 0) {
			execvp("rm", rm);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	return tap_done();
}
