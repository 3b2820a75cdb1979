/* SPDX-License-Identifier: MIT */
/*
 * test-kvpool-crash.c - crash consistency: a child process runs a burst of SETs and DELETEs
 * and writes the number of each acknowledged operation to a pipe; the parent SIGKILLs it at
 * a random moment, then opens the pools afresh.  Every pool must load with no damaged
 * record, and hold exactly the state after the acknowledged operations, or after those plus
 * the one in flight.  Several iterations, with and without fdatasync, and half of them with
 * writes slowed down by lib/sys so that kills land inside changes (torn records, a moved
 * record not yet truncated), which the journal must repair.  Bounded in time.
 *
 * Then the same with power cuts instead of kills (lib/sys's volatile-cache model, see
 * sys.h): the child's pools are left as a disk could hold them when the power went just
 * before its n-th write, truncate or sync, and every acknowledged change must still be there
 * once the journal is replayed.  Values of up to 1,500 bytes span several sectors, so that a
 * record torn at a sector boundary without a durable journal entry shows as a wrong value.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvpool.h"
#include "sys.h"
#include "tap.h"
#include "test-kvpool-util.h"

#define KEYS         40
#define POOLS        2
#define ITERATIONS   24
#define MAX_OPS      200000
#define POWERCUTS    60
#define POWERCUT_OPS 120

static const unsigned int pool_ids[POOLS] = { 1, 3 }; /* pool 0 holds a foreign record */

struct model {
	bool present[POOLS][KEYS];
	char value[POOLS][KEYS][1700];
};

struct opdesc {
	unsigned int pool, key;
	bool del;
	char value[1700];
};

/* Operation number i, the same in child and parent. */
static void describe(uint32_t i, struct opdesc *o)
{
	uint32_t h = i * 2654435761u;
	size_t pad = (h >> 7) % 1500, l;

	o->pool = i % POOLS; /* model slot; the file is pool_ids[o->pool] */
	o->key = (h >> 3) % KEYS;
	o->del = (h >> 20) % 6 == 0;
	l = (size_t)snprintf(o->value, sizeof(o->value), "v%u-", i);
	memset(o->value + l, 'a' + (int)(i % 26), pad);
	o->value[l + pad] = '\0';
}

static void key_name(unsigned int k, char *buf, size_t size)
{
	(void)snprintf(buf, size, "crash-key-%u", k);
}

static void model_apply(struct model *m, uint32_t i)
{
	struct opdesc o;

	describe(i, &o);
	if (o.del) {
		m->present[o.pool][o.key] = false;
	} else {
		m->present[o.pool][o.key] = true;
		(void)snprintf(m->value[o.pool][o.key], sizeof(m->value[0][0]), "%s", o.value);
	}
}

/*
 * The child: SIGKILLed by the parent (powercut 0), or running until lib/sys cuts the power
 * just before its 'powercut'-th write, truncate or sync (exit SYS_POWERCUT_EXIT), or until
 * 'max_ops' operations are done (exit 0).
 */
static void __attribute__((noreturn))
child(const char *dir, int ack_fd, unsigned int flags, unsigned int slow, unsigned long powercut,
      unsigned int seed, uint32_t max_ops)
{
	struct kvpool *kp = NULL;

	if (slow)
		sys_set_slow_writes(slow);
	if (powercut)
		sys_powercut_arm(powercut, seed);
	if (kvpool_open(dir, flags, &kp) < 0)
		_exit(2);
	for (uint32_t i = 0; i < max_ops; i++) {
		struct opdesc o;
		char key[32];
		int r;

		describe(i, &o);
		key_name(o.key, key, sizeof(key));
		r = o.del ? kvpool_delete(kp, pool_ids[o.pool], key)
			  : kvpool_set(kp, pool_ids[o.pool], key, o.value);
		if (r < 0 && r != -ENOENT)
			_exit(3);
		if (write(ack_fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(4);
	}
	_exit(0);
}

/* Does the pool state equal the model?  Returns the number of differences. */
static unsigned int compare(struct kvpool *kp, const struct model *m)
{
	unsigned int diff = 0;

	for (unsigned int p = 0; p < POOLS; p++) {
		size_t count = 0, want = 0;

		for (unsigned int k = 0; k < KEYS; k++) {
			const char *v;
			char key[32];
			int r;

			key_name(k, key, sizeof(key));
			r = kvpool_get(kp, pool_ids[p], key, &v);
			if (m->present[p][k]) {
				want++;
				diff += r != 0 || !streq(v, m->value[p][k]);
			} else {
				diff += r != -ENOENT;
			}
		}
		if (kvpool_count(kp, pool_ids[p], &count) < 0 || count != want)
			diff++;
	}
	return diff;
}

struct tally {
	unsigned int bad_load, bad_state, damaged, torn, child_failed;
	unsigned long total_acks;
};

/* After the child is gone: open the pools afresh (replaying the journal) and compare. */
static void check_after(const char *dir, uint32_t acked, const char *what, int it, struct tally *t)
{
	static struct model m;
	struct kvpool *kp = NULL;

	memset(&m, 0, sizeof(m));
	for (uint32_t i = 0; i < acked; i++)
		model_apply(&m, i);
	if (kvpool_open(dir, KVPOOL_NOSYNC, &kp) < 0) {
		t->bad_load++;
		return;
	}
	{
		const char *v;
		struct kvpool_stats st;
		unsigned int d = compare(kp, &m);

		if (d != 0) { /* the operation in flight may have landed */
			model_apply(&m, acked);
			d = compare(kp, &m);
		}
		if (d != 0) {
			t->bad_state++;
			tap_diag("%s %d: %u acknowledged, state differs", what, it, acked);
		}
		for (unsigned int p = 0; p < KVPOOL_COUNT; p++) {
			if (kvpool_stats(kp, p, &st) < 0)
				t->bad_load++;
			else
				t->damaged += st.damaged != 0;
		}
		if (kvpool_get(kp, 0, "foreign", &v) != 0 || !streq(v, "kept"))
			t->bad_state++;
		for (unsigned int p = 0; p < KVPOOL_COUNT; p++) {
			size_t len;
			unsigned char *img = tu_slurp(dir, p, &len);

			t->torn += len % KVPOOL_RECORD_SIZE != 0;
			free(img);
		}
	}
	kvpool_close(kp);
}

/* Fork a child on a fresh state directory; returns its pid and the read end of its acks. */
static pid_t spawn(char **ret_dir, int *ret_fd, unsigned int flags, unsigned int slow,
		   unsigned long powercut, unsigned int seed, uint32_t max_ops)
{
	char *dir = tu_tmpdir();
	int fds[2];
	pid_t pid;

	(void)tu_append(dir, 0, "foreign", "kept");
	if (pipe(fds) < 0) {
		tu_rmdir(dir);
		free(dir);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(dir, fds[1], flags, slow, powercut, seed, max_ops);
	}
	close(fds[1]);
	*ret_dir = dir;
	*ret_fd = fds[0];
	return pid;
}

/* The child is gone: count its acknowledgements, check the pools, remove the directory. */
static void finish(char *dir, int fd, const char *what, int it, struct tally *t)
{
	uint32_t ack, acked = 0;

	while (read(fd, &ack, sizeof(ack)) == (ssize_t)sizeof(ack))
		acked = ack + 1;
	close(fd);
	t->total_acks += acked;
	check_after(dir, acked, what, it, t);
	tu_rmdir(dir);
	free(dir);
}

/* SIGKILL at random moments: what the page cache holds must be consistent. */
static void kills(unsigned int *seed)
{
	struct tally t = { 0 };

	for (int it = 0; it < ITERATIONS; it++) {
		unsigned int flags = it % 2 ? KVPOOL_NOSYNC : 0;
		char *dir = NULL;
		int fd, status;
		pid_t pid = spawn(&dir, &fd, flags, it % 4 < 2 ? 200 : 0, 0, 0, MAX_OPS);

		if (pid < 0) {
			CHECK(0, "fork or pipe: %s", strerror(errno));
			break;
		}
		/* Let it run 1-40 ms, then kill it wherever it is. */
		{
			struct timespec ts = { 0, (long)(1 + rand_r(seed) % 40) * 1000000L };

			ts.tv_nsec += rand_r(seed) % 1000000;
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status))
			t.child_failed++;
		finish(dir, fd, "kill", it, &t);
	}
	CHECK(t.total_acks > 0, "the children acknowledged %lu operations in all", t.total_acks);
	CHECK_INT(t.child_failed, 0, "every child ran until it was killed");
	CHECK_INT(t.bad_load, 0, "every pool loads after every kill");
	CHECK_INT(t.damaged, 0, "no damaged record after any kill");
	CHECK_INT(t.torn, 0, "no partial record left after recovery");
	CHECK_INT(t.bad_state, 0, "every acknowledged change survived %d kills", ITERATIONS);
}

/*
 * Power cuts (lib/sys's model of a disk with a volatile write cache: whatever was not synced
 * may be lost, sector by sector): with the default sync, every acknowledged change must be on
 * the disk.  A missing or misplaced fdatasync in the journal protocol fails this; the kills
 * above cannot see it, as the page cache survives them.
 */
static void powercuts(unsigned int *seed)
{
	struct tally t = { 0 };
	unsigned int cut = 0;

	for (int it = 0; it < POWERCUTS; it++) {
		unsigned long n = 1 + (unsigned long)rand_r(seed) % (POWERCUT_OPS * 4);
		char *dir = NULL;
		int fd, status;
		pid_t pid = spawn(&dir, &fd, 0, 0, n, (unsigned int)rand_r(seed), POWERCUT_OPS);

		if (pid < 0) {
			CHECK(0, "fork or pipe: %s", strerror(errno));
			break;
		}
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == SYS_POWERCUT_EXIT)
			cut++;
		else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			t.child_failed++;
		finish(dir, fd, "power cut", it, &t);
	}
	CHECK(cut >= POWERCUTS / 2, "the power went in %u of %d runs", cut, POWERCUTS);
	CHECK_INT(t.child_failed, 0, "every child ran until the power went or it was done");
	CHECK_INT(t.bad_load, 0, "every pool loads after every power cut");
	CHECK_INT(t.damaged, 0, "no damaged record after any power cut");
	CHECK_INT(t.torn, 0, "no partial record left after recovery from a power cut");
	CHECK_INT(t.bad_state, 0, "every acknowledged change survived %d power cuts", POWERCUTS);
}

int main(void)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();

	tap_diag("seed %u", seed);
	kills(&seed);
	powercuts(&seed);
	return tap_done();
}
