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

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		run_scenario(&scenarios[i]);
	sys_fail_reset();
	return tap_done();
}
