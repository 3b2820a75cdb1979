/* SPDX-License-Identifier: MIT */
/*
 * test-kvpool-fault.c - fault injection through lib/sys: for every change the library makes
 * (overwrite, append, delete by moving the last record, delete of the last record, delete by
 * whole-file rewrite, scrub) and every kind of call (open, write, fsync, rename, truncate,
 * close), make call number N fail, for N = 1, 2, ... until the change goes through.  After
 * each failure: the pool file holds exactly the old or the new bytes, no temporary file is
 * left, a new handle loads the old or the new state, and the failed handle keeps working.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kvpool.h"
#include "sys.h"
#include "tap.h"
#include "test-kvpool-util.h"

struct scenario {
	const char *name;
	const char *setup[8][2]; /* records appended first, in order */
	int (*op)(struct kvpool *kp);
	unsigned int must_hit; /* bit mask of the call kinds this change has to make */
};

static int op_overwrite(struct kvpool *kp)
{
	return kvpool_set(kp, 1, "b", "a new value for b");
}

static int op_append(struct kvpool *kp)
{
	return kvpool_set(kp, 1, "new", "appended");
}

static int op_delete_move(struct kvpool *kp)
{
	return kvpool_delete(kp, 1, "a");
}

static int op_delete_last(struct kvpool *kp)
{
	return kvpool_delete(kp, 1, "c");
}

static int op_delete_rewrite(struct kvpool *kp)
{
	return kvpool_delete(kp, 1, "x");
}

static int op_scrub(struct kvpool *kp)
{
	return kvpool_scrub(kp, 1);
}

#define HIT(k) (1u << (k))

/* clang-format off */
static const struct scenario scenarios[] = {
	{ "overwrite",         { { "a", "1" }, { "b", "2" }, { "c", "3" } }, op_overwrite,
	  HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) },
	{ "append",            { { "a", "1" }, { "b", "2" }, { "c", "3" } }, op_append,
	  HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) },
	{ "delete (move)",     { { "a", "1" }, { "b", "2" }, { "c", "3" } }, op_delete_move,
	  HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) | HIT(SYS_CALL_TRUNCATE) },
	{ "delete (last)",     { { "a", "1" }, { "b", "2" }, { "c", "3" } }, op_delete_last,
	  HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) | HIT(SYS_CALL_TRUNCATE) },
	{ "delete (rewrite)",  { { "x", "0" }, { "m", "1" }, { "y", "y" }, { "m", "2" } },
	  op_delete_rewrite,
	  HIT(SYS_CALL_OPEN) | HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) | HIT(SYS_CALL_RENAME) |
	  HIT(SYS_CALL_CLOSE) },
	{ "scrub",             { { "a", "1" }, { "b", "2" } }, op_scrub,
	  HIT(SYS_CALL_WRITE) | HIT(SYS_CALL_FSYNC) | HIT(SYS_CALL_TRUNCATE) },
};
static const char *const kind_names[SYS_CALL_COUNT] = {
	"open", "write", "fsync", "rename", "truncate", "close",
};
/* clang-format on */

static char *prepare(const struct scenario *s, struct kvpool **ret_kp)
{
	char *dir = tu_tmpdir();

	for (size_t i = 0; i < ARRAY_SIZE(s->setup) && s->setup[i][0]; i++)
		if (tu_append(dir, 1, s->setup[i][0], s->setup[i][1]) < 0)
			tap_diag("cannot append to %s", dir);
	if (kvpool_open(dir, 0, ret_kp) < 0)
		*ret_kp = NULL;
	return dir;
}

static bool same(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static bool temp_files_left(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return true;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".new") || strstr(e->d_name, ".tmp"))
			found = true;
	closedir(d);
	return found;
}

static void run_scenario(const struct scenario *s)
{
	unsigned char *old_img, *new_img;
	size_t old_len, new_len;
	struct kvpool *kp;
	char *dir;

	/* The old and new bytes, from a run without faults. */
	dir = prepare(s, &kp);
	old_img = tu_slurp(dir, 1, &old_len);
	CHECK_INT(s->op(kp), 0, "%s: runs without faults", s->name);
	new_img = tu_slurp(dir, 1, &new_len);
	CHECK(!same(old_img, old_len, new_img, new_len), "%s: changes the file", s->name);
	kvpool_close(kp);
	tu_rmdir(dir);
	free(dir);

	for (int kind = 0; kind < SYS_CALL_COUNT; kind++) {
		unsigned int injected = 0, broken = 0, temps = 0, unloadable = 0, dead = 0;

		for (unsigned long n = 1; n < 50; n++) {
			struct kvpool *fresh = NULL;
			unsigned char *img;
			size_t len, count;
			int r, fired;

			dir = prepare(s, &kp);
			sys_fail_reset();
			sys_fail_at((enum sys_call)kind, n, EIO);
			r = s->op(kp);
			fired = sys_fail_fired((enum sys_call)kind);
			sys_fail_at((enum sys_call)kind, 0, 0);
			if (!fired) {
				CHECK_INT(r, 0, "%s: %s: succeeds once call %lu is past the end",
					  s->name, kind_names[kind], n);
				kvpool_close(kp);
				tu_rmdir(dir);
				free(dir);
				break;
			}
			injected++;
			img = tu_slurp(dir, 1, &len);
			if (!same(img, len, old_img, old_len) &&
			    !same(img, len, new_img, new_len)) {
				broken++;
				tap_diag("%s: %s call %lu failed (r=%d): file is neither old nor "
					 "new",
					 s->name, kind_names[kind], n, r);
			}
			free(img);
			temps += temp_files_left(dir);

			/* A new handle (another process) loads old or new, finishing the journal.
			 */
			if (kvpool_open(dir, KVPOOL_NOSYNC, &fresh) < 0 ||
			    kvpool_count(fresh, 1, &count) < 0)
				unloadable++;
			kvpool_close(fresh);
			img = tu_slurp(dir, 1, &len);
			if (!same(img, len, old_img, old_len) && !same(img, len, new_img, new_len))
				broken++;
			free(img);

			/* The handle that saw the failure keeps working. */
			if (kvpool_set(kp, 2, "probe", "1") < 0 || kvpool_count(kp, 1, &count) < 0)
				dead++;
			kvpool_close(kp);
			tu_rmdir(dir);
			free(dir);
		}
		if (s->must_hit & HIT(kind))
			CHECK(injected > 0, "%s: %s failures were injected (%u)", s->name,
			      kind_names[kind], injected);
		CHECK_INT(broken, 0, "%s: %s: after each of %u failures the file is old or new",
			  s->name, kind_names[kind], injected);
		CHECK_INT(temps, 0, "%s: %s: no temporary file left", s->name, kind_names[kind]);
		CHECK_INT(unloadable, 0, "%s: %s: every pool loads", s->name, kind_names[kind]);
		CHECK_INT(dead, 0, "%s: %s: the failed handle keeps working", s->name,
			  kind_names[kind]);
	}
	free(old_img);
	free(new_img);
}

/*
 * When the rollback fails too, the journal entry stays pending: a read-only handle shows the
 * change (applied in memory only), the file is still old, and the next writer finishes it.
 */
static void test_pending(void)
{
	char *dir = tu_tmpdir();
	struct kvpool *kp = NULL, *ro = NULL, *rw = NULL;
	struct kvpool_stats st;
	unsigned char *img;
	const char *v = NULL;
	size_t len;

	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &kp), 0, "open");
	CHECK_INT(kvpool_set(kp, 1, "a", "old"), 0, "set a");
	CHECK_INT(kvpool_set(kp, 1, "b", "2"), 0, "set b");
	sys_fail_reset();
	sys_fail_at(SYS_CALL_WRITE, 2, EIO);    /* the record write into the pool */
	sys_fail_at(SYS_CALL_TRUNCATE, 1, EIO); /* the rollback's truncate */
	CHECK_INT(kvpool_set(kp, 1, "a", "new"), -EIO, "set fails and cannot roll back");
	CHECK(sys_fail_fired(SYS_CALL_TRUNCATE), "the rollback was attempted");
	sys_fail_reset();
	img = tu_slurp(dir, 1, &len);
	CHECK(img && len == 2 * KVPOOL_RECORD_SIZE && streq((char *)img + KVPOOL_KEY_FIELD, "old"),
	      "the file still holds the old value");
	free(img);
	CHECK_INT(kvpool_open(dir, KVPOOL_READONLY, &ro), 0, "read-only open");
	CHECK_INT(kvpool_get(ro, 1, "a", &v), 0, "read-only get");
	CHECK_STR(v, "new", "a read-only handle shows the pending change");
	img = tu_slurp(dir, 1, &len);
	CHECK(img && streq((char *)img + KVPOOL_KEY_FIELD, "old"), "without writing it");
	free(img);
	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &rw), 0, "another writer");
	CHECK_INT(kvpool_get(rw, 1, "a", &v), 0, "its first operation");
	CHECK_STR(v, "new", "finishes the change");
	CHECK_INT(kvpool_stats(rw, 1, &st), 0, "stats");
	CHECK_INT(st.journal_replays, 1, "by replaying the journal once");
	img = tu_slurp(dir, 1, &len);
	CHECK(img && streq((char *)img + KVPOOL_KEY_FIELD, "new"), "the file holds the new value");
	free(img);
	CHECK_INT(kvpool_get(kp, 1, "b", &v), 0, "the failed handle reads again");
	CHECK_INT(kvpool_get(kp, 1, "a", &v), 0, "and sees");
	CHECK_STR(v, "new", "the finished change");
	kvpool_close(ro);
	kvpool_close(rw);
	kvpool_close(kp);
	tu_rmdir(dir);
	free(dir);
}

/* The journal holds pool data, so it gets the pool file's permissions. */
static void test_journal_mode(void)
{
	char *dir = tu_tmpdir(), path[4096];
	struct kvpool *kp = NULL;
	struct stat st;
	int fd;

	tu_pool_path(dir, 2, path, sizeof(path));
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &kp), 0, "open");
	(void)snprintf(path, sizeof(path), "%s/.kvp_journal_2", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "0600 pool, 0600 journal");
	(void)snprintf(path, sizeof(path), "%s/.kvp_journal_1", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0044) == 0044,
	      "a world-readable pool has a world-readable journal");
	kvpool_close(kp);
	tu_rmdir(dir);
	free(dir);
}

int main(void)
{
	umask(022);
	test_pending();
	test_journal_mode();
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		run_scenario(&scenarios[i]);
	sys_fail_reset();
	return tap_done();
}
