/* SPDX-License-Identifier: MIT */
/*
 * kvpool.c - the KVP pool files: an in-memory image of each file with a hash index on the
 * key, change detection by stat and journal generation, and in-place record writes under
 * flock plus an fcntl lock, protected by a one-entry journal per pool.  See kvpool.h for the
 * contract and docs/pool-format.md for the format and the crash analysis.
 */
#include "kvpool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

#define JOURNAL_MAGIC     "KVPJRNL1"
#define JOURNAL_IDLE      0u
#define JOURNAL_PENDING   1u
#define JOURNAL_OP_WRITE  1u /* write 'record' at 'offset' */
#define JOURNAL_OP_DELETE 2u /* write 'record' at 'offset' unless it is past the end, truncate */
#define LOCK_TRIES        16

/* The journal header, followed by one record.  Host byte order: the file never travels. */
struct journal_hdr {
	char magic[8];
	uint64_t gen;   /* bumped by every change any user of this library makes */
	uint32_t state; /* JOURNAL_IDLE or JOURNAL_PENDING; not covered by crc */
	uint32_t op;
	uint64_t offset;
	uint64_t old_size; /* pool file size before the change */
	uint64_t new_size; /* and after it */
	uint32_t crc;      /* crc32 of this header (state and crc zeroed) and the record */
	uint32_t pad;
};
_Static_assert(sizeof(struct journal_hdr) == 56, "journal header layout");
#define JOURNAL_SIZE (sizeof(struct journal_hdr) + KVPOOL_RECORD_SIZE)

/*
 * One record in memory: each field up to its last non-zero byte, so that a short record
 * takes a few dozen bytes instead of 2,560 and the exact on-disk bytes (damaged records and
 * other writers' stale bytes after a NUL included) can be rebuilt by zero-filling.
 */
struct crec {
	uint16_t klen; /* bytes kept of the key field */
	uint16_t vlen; /* bytes kept of the value field */
	bool readable; /* both fields hold a NUL and the key is not empty */
	char data[];   /* key bytes, NUL, value bytes, NUL */
};

struct slot {
	uint32_t hash;
	uint32_t rec1; /* record index + 1; 0 = empty slot */
};

struct pool {
	unsigned int index;
	char name[32];  /* .kvp_pool_N */
	char jname[32]; /* .kvp_journal_N */
	char tname[40]; /* .kvp_pool_N.new */
	int fd;         /* pool file, -1 when not open */
	int jfd;        /* journal, -1 when absent */
	bool loaded;
	bool dirty;   /* the watch saw a change since the image was last checked (or no watch) */
	bool locked;  /* pool_begin took the locks (pool_end releases them) */
	bool settle;  /* our last write is not in the remembered stat (see pool_settle) */
	int load_err; /* -EFBIG when the file is over a limit */

	/* What the file looked like when the image was last made to match it. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint64_t jgen;

	struct crec **recs; /* nrec records as on disk, trailing zeros left out; NULL past nrec */
	size_t nrec, cap;
	size_t damaged;
	size_t bytes;

	struct slot *tab; /* open addressing, linear probing, power-of-two size */
	size_t tab_size, tab_used;

	struct kvpool_stats stats;
};

struct kvpool {
	char *dir;
	int dirfd;
	int ifd; /* inotify on the directory, -1 when unavailable (then every check is full) */
	unsigned int flags;
	struct pool pools[KVPOOL_COUNT];
};

/* pool_begin() modes */
enum {
	BEGIN_READ,  /* answered from the image; no locks when the watch saw no change */
	BEGIN_WRITE, /* locks always; the stat and journal checks only when something changed */
	BEGIN_CHECK, /* the full check under the locks (kvpool_refresh) */
};

/* -- small helpers ---------------------------------------------------------------------- */

/*
 * CRC-32 (the zlib polynomial), eight bytes per step with eight tables ("slicing by 8"):
 * every journal write and read checks 2,616 bytes, and a byte-at-a-time loop over them was
 * the largest user-space cost of a SET.
 */
static uint32_t crc_table[8][256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = crc_table[0][crc_table[t - 1][i] & 0xff] ^
					  (crc_table[t - 1][i] >> 8);
}

static uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (crc_table[0][1] == 0)
		crc_init();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24);

		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][p[4]] ^ crc_table[2][p[5]] ^ crc_table[1][p[6]] ^
		      crc_table[0][p[7]];
	}
	while (len-- > 0)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t journal_crc(const struct journal_hdr *h, const uint8_t *rec)
{
	struct journal_hdr c = *h;

	c.state = 0;
	c.crc = 0;
	return crc32_update(crc32_update(0, &c, sizeof(c)), rec, KVPOOL_RECORD_SIZE);
}

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* A field without a NUL, or an empty key (a hole of zeros), is not a readable record. */
static bool record_readable(const uint8_t *rec)
{
	return rec[0] != 0 && memchr(rec, 0, KVPOOL_KEY_FIELD) &&
	       memchr(rec + KVPOOL_KEY_FIELD, 0, KVPOOL_VALUE_FIELD);
}

static size_t field_used(const uint8_t *f, size_t len)
{
	while (len > 0 && f[len - 1] == 0)
		len--;
	return len;
}

/* The in-memory form of the 2,560-byte record 'raw' (NULL when out of memory). */
static struct crec *crec_new(const uint8_t *raw)
{
	size_t kl = field_used(raw, KVPOOL_KEY_FIELD);
	size_t vl = field_used(raw + KVPOOL_KEY_FIELD, KVPOOL_VALUE_FIELD);
	struct crec *c = malloc(sizeof(*c) + kl + vl + 2);

	if (!c)
		return NULL;
	c->klen = (uint16_t)kl;
	c->vlen = (uint16_t)vl;
	c->readable = record_readable(raw);
	memcpy(c->data, raw, kl);
	c->data[kl] = '\0';
	memcpy(c->data + kl + 1, raw + KVPOOL_KEY_FIELD, vl);
	c->data[kl + 1 + vl] = '\0';
	return c;
}

/* The exact on-disk bytes of 'c'. */
static void crec_raw(const struct crec *c, uint8_t *raw)
{
	memset(raw, 0, KVPOOL_RECORD_SIZE);
	memcpy(raw, c->data, c->klen);
	memcpy(raw + KVPOOL_KEY_FIELD, c->data + c->klen + 1, c->vlen);
}

static inline const char *rec_key(const struct pool *p, size_t i)
{
	return p->recs[i]->data;
}

static inline const char *rec_value(const struct pool *p, size_t i)
{
	return p->recs[i]->data + p->recs[i]->klen + 1;
}

static inline bool rec_readable(const struct pool *p, size_t i)
{
	return p->recs[i]->readable;
}

/* Key and value text of readable record 'i'. */
static size_t rec_bytes(const struct pool *p, size_t i)
{
	return strlen(rec_key(p, i)) + strlen(rec_value(p, i));
}

/* Replace record 'i' (i <= nrec; nrec is not changed) by 'c'. */
static void rec_set(struct pool *p, size_t i, struct crec *c)
{
	free(p->recs[i]);
	p->recs[i] = c;
}

static void record_build(uint8_t *rec, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);

	memset(rec, 0, KVPOOL_RECORD_SIZE);
	memcpy(rec, key, kl);
	memcpy(rec + KVPOOL_KEY_FIELD, value, vl);
}

static bool timespec_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int write_full_at(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *b = buf;

	while (len > 0) {
		ssize_t n = sys_pwrite(fd, b, len, off);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		b += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int read_full_at(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *b = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, b + got, len - got, off + (off_t)got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (int)got;
}

/* -- the hash index --------------------------------------------------------------------- */

static void index_clear(struct pool *p)
{
	if (p->tab)
		memset(p->tab, 0, p->tab_size * sizeof(*p->tab));
	p->tab_used = 0;
}

static void index_put(struct pool *p, uint32_t h, size_t rec)
{
	size_t mask = p->tab_size - 1, i = h & mask;

	while (p->tab[i].rec1 != 0)
		i = (i + 1) & mask;
	p->tab[i].hash = h;
	p->tab[i].rec1 = (uint32_t)rec + 1;
	p->tab_used++;
}

/* Make room for 'want' entries at a load factor of at most one half. */
static int index_reserve(struct pool *p, size_t want)
{
	size_t size = p->tab_size ? p->tab_size : 64;
	struct slot *old = p->tab, *nt;
	size_t old_size = p->tab_size;

	while (size < want * 2)
		size *= 2;
	if (size == p->tab_size)
		return 0;
	nt = calloc(size, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	p->tab = nt;
	p->tab_size = size;
	p->tab_used = 0;
	for (size_t i = 0; i < old_size; i++)
		if (old[i].rec1 != 0)
			index_put(p, old[i].hash, old[i].rec1 - 1);
	free(old);
	return 0;
}

/* The slot holding record 'rec', or SIZE_MAX. */
static size_t index_slot_of(const struct pool *p, uint32_t h, size_t rec)
{
	size_t mask = p->tab_size - 1;

	for (size_t i = h & mask; p->tab[i].rec1 != 0; i = (i + 1) & mask)
		if (p->tab[i].rec1 == rec + 1)
			return i;
	return SIZE_MAX;
}

/* Remove the entry of record 'rec' (backward-shift deletion keeps probing exact). */
static void index_remove(struct pool *p, uint32_t h, size_t rec)
{
	size_t mask = p->tab_size - 1, i = index_slot_of(p, h, rec), j;

	if (i == SIZE_MAX)
		return;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (p->tab[j].rec1 == 0)
			break;
		home = p->tab[j].hash & mask;
		/* Move entry j into the hole at i if its home is not cyclically in (i, j]. */
		if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
			p->tab[i] = p->tab[j];
			i = j;
		}
	}
	p->tab[i].rec1 = 0;
	p->tab[i].hash = 0;
	p->tab_used--;
}

static size_t index_min_excluding(const struct pool *p, const char *key, size_t ex1, size_t ex2);

/* The first record (lowest index) holding 'key', or SIZE_MAX. */
static size_t index_find(const struct pool *p, const char *key)
{
	if (!p->tab)
		return SIZE_MAX;
	return index_min_excluding(p, key, SIZE_MAX, SIZE_MAX);
}

/* The lowest record holding 'key' other than 'ex1' and 'ex2', or SIZE_MAX. */
static size_t index_min_excluding(const struct pool *p, const char *key, size_t ex1, size_t ex2)
{
	size_t mask = p->tab_size - 1, best = SIZE_MAX;
	uint32_t h = key_hash(key);

	for (size_t i = h & mask; p->tab[i].rec1 != 0; i = (i + 1) & mask) {
		size_t r = p->tab[i].rec1 - 1;

		if (r == ex1 || r == ex2 || p->tab[i].hash != h || !streq(rec_key(p, r), key))
			continue;
		best = MIN(best, r);
	}
	return best;
}

/* -- opening, locking, loading ------------------------------------------------------------ */

static bool readonly(const struct kvpool *kp)
{
	return (kp->flags & KVPOOL_READONLY) != 0;
}

static bool want_sync(const struct kvpool *kp)
{
	return (kp->flags & KVPOOL_NOSYNC) == 0;
}

static void pool_close_files(struct pool *p)
{
	if (p->fd >= 0)
		(void)sys_close(p->fd);
	if (p->jfd >= 0)
		(void)sys_close(p->jfd);
	p->fd = -1;
	p->jfd = -1;
	p->loaded = false;
}

/* Open (creating when writable) the pool file and its journal.  Read-only: may stay -1. */
static int pool_open_files(struct kvpool *kp, struct pool *p)
{
	mode_t jmode = 0600;
	struct stat st;
	int fd;

	pool_close_files(p);
	if (readonly(kp)) {
		fd = sys_openat(kp->dirfd, p->name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
				0);
		if (fd == -ENOENT)
			return 0; /* no file: an empty pool, and no journal needed */
		if (fd < 0)
			return fd;
		p->fd = fd;
		/* Unreadable (another user's 0600 journal): then only stat tells changes. */
		fd = sys_openat(kp->dirfd, p->jname, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
		p->jfd = fd < 0 ? -1 : fd;
		return 0;
	}
	fd = sys_openat(kp->dirfd, p->name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			0644);
	if (fd < 0)
		return fd;
	p->fd = fd;
	/* The journal holds pool data: a new one gets the pool file's permissions. */
	if (fstat(p->fd, &st) == 0)
		jmode = st.st_mode & 0666;
	fd = sys_openat(kp->dirfd, p->jname, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, jmode);
	if (fd < 0) {
		pool_close_files(p);
		return fd;
	}
	p->jfd = fd;
	return 0;
}

static int lock_fd(int fd, bool shared)
{
	struct flock fl = { .l_type = shared ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };

	while (flock(fd, shared ? LOCK_SH : LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	while (fcntl(fd, F_OFD_SETLKW, &fl) < 0) {
		int r = -errno;

		if (r == -EINTR)
			continue;
		(void)flock(fd, LOCK_UN);
		return r;
	}
	return 0;
}

static void unlock_fd(int fd)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	if (fd < 0)
		return;
	(void)fcntl(fd, F_OFD_SETLK, &fl);
	(void)flock(fd, LOCK_UN);
}

/*
 * Lock the pool file, making sure the descriptor is still the file at the path (it may have
 * been deleted or replaced by a rename).  On success *st describes the locked file (zeroed
 * when a read-only handle finds no file).
 */
static int pool_lock(struct kvpool *kp, struct pool *p, struct stat *st)
{
	for (int tries = 0; tries < LOCK_TRIES; tries++) {
		struct stat path_st;
		int r;

		if (p->fd < 0) {
			r = pool_open_files(kp, p);
			if (r < 0)
				return r;
			if (p->fd < 0) { /* read-only, no file: an empty pool */
				memset(st, 0, sizeof(*st));
				return 0;
			}
		}
		r = lock_fd(p->fd, readonly(kp));
		if (r < 0)
			return r;
		if (fstat(p->fd, st) < 0) {
			r = -errno;
			unlock_fd(p->fd);
			return r;
		}
		if (fstatat(kp->dirfd, p->name, &path_st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    path_st.st_ino == st->st_ino && path_st.st_dev == st->st_dev) {
			struct stat jst;

			/* A journal deleted under us is re-created (generation restarts). */
			if (p->jfd >= 0 && fstat(p->jfd, &jst) == 0 && jst.st_nlink == 0) {
				(void)sys_close(p->jfd);
				p->jfd = sys_openat(
					kp->dirfd, p->jname,
					O_CLOEXEC | O_NOFOLLOW |
						(readonly(kp) ? O_RDONLY : O_RDWR | O_CREAT),
					st->st_mode & 0666);
				if (p->jfd < 0)
					p->jfd = -1;
				p->loaded = false;
			}
			return 0;
		}
		/* Deleted or replaced: start over on the file now at the path. */
		unlock_fd(p->fd);
		pool_close_files(p);
	}
	return -EAGAIN;
}

static void pool_unlock(struct pool *p)
{
	unlock_fd(p->fd);
}

static int journal_read(const struct pool *p, struct journal_hdr *h, uint8_t *rec)
{
	int n;

	memset(h, 0, sizeof(*h));
	if (p->jfd < 0)
		return 0;
	n = read_full_at(p->jfd, h, sizeof(*h), 0);
	if (n < 0)
		return n;
	if ((size_t)n < sizeof(*h) || memcmp(h->magic, JOURNAL_MAGIC, 8) != 0) {
		memset(h, 0, sizeof(*h));
		return 0;
	}
	if (h->state == JOURNAL_PENDING && rec) {
		n = read_full_at(p->jfd, rec, KVPOOL_RECORD_SIZE, sizeof(*h));
		if (n < 0)
			return n;
		if (n != KVPOOL_RECORD_SIZE || journal_crc(h, rec) != h->crc)
			h->state = JOURNAL_IDLE; /* torn entry: the change never started */
	}
	return 0;
}

static int journal_mark_idle(struct pool *p)
{
	uint32_t idle = JOURNAL_IDLE;

	return write_full_at(p->jfd, &idle, sizeof(idle), offsetof(struct journal_hdr, state));
}

/* Record a new generation with nothing pending (scrub, rewrite). */
static int journal_bump(struct pool *p)
{
	struct journal_hdr h;
	uint8_t zero[KVPOOL_RECORD_SIZE] = { 0 };
	int r = journal_read(p, &h, NULL);

	if (r < 0)
		return r;
	h = (struct journal_hdr){ .gen = MAX(h.gen, p->jgen) + 1, .state = JOURNAL_IDLE };
	memcpy(h.magic, JOURNAL_MAGIC, 8);
	h.crc = journal_crc(&h, zero);
	return write_full_at(p->jfd, &h, sizeof(h), 0);
}

/*
 * Finish a change a writer left pending (it crashed, or an I/O error stopped it), if the
 * file still looks the way the change left or found it.  Called with the locks held.
 */
/*
 * Whether a pending entry describes a change this library makes, and the pool file of
 * 'size' bytes still looks the way the change left or found it.
 */
static bool journal_plausible(const struct journal_hdr *h, uint64_t size)
{
	if (h->offset % KVPOOL_RECORD_SIZE != 0 || h->offset > h->old_size ||
	    h->old_size > (uint64_t)KVPOOL_RECORDS_MAX * KVPOOL_RECORD_SIZE + KVPOOL_RECORD_SIZE)
		return false;
	if (h->op == JOURNAL_OP_WRITE)
		return h->new_size == MAX(h->old_size, h->offset + KVPOOL_RECORD_SIZE) &&
		       size >= h->old_size && size <= h->new_size;
	if (h->op == JOURNAL_OP_DELETE)
		return h->new_size % KVPOOL_RECORD_SIZE == 0 && h->offset <= h->new_size &&
		       h->old_size >= h->new_size + KVPOOL_RECORD_SIZE &&
		       h->old_size < h->new_size + 2 * KVPOOL_RECORD_SIZE &&
		       (size == h->old_size || size == h->new_size);
	return false;
}

/*
 * Carry out a change the journal describes: the record written at 'offset' (for a DELETE, the
 * last record moved into the hole, unless the hole was the last record), the file cut to
 * 'new_size' when it must shrink, synced, and the journal marked idle.  The same steps serve a
 * live change and the replay of one a crashed writer left half done.
 */
static int apply_change(struct kvpool *kp, struct pool *p, uint32_t op, uint64_t offset,
			uint64_t cur_size, uint64_t new_size, const uint8_t *rec)
{
	int r;

	if (op == JOURNAL_OP_WRITE || offset < new_size) {
		r = write_full_at(p->fd, rec, KVPOOL_RECORD_SIZE, (off_t)offset);
		if (r < 0)
			return r;
	}
	if (op == JOURNAL_OP_DELETE || cur_size > new_size) {
		r = sys_ftruncate(p->fd, (off_t)new_size);
		if (r < 0)
			return r;
	}
	if (want_sync(kp)) {
		r = sys_fdatasync(p->fd);
		if (r < 0)
			return r;
	}
	return journal_mark_idle(p);
}

static int journal_replay(struct kvpool *kp, struct pool *p, const struct journal_hdr *h,
			  const uint8_t *rec, const struct stat *st)
{
	uint64_t size = (uint64_t)st->st_size;
	int r;

	if (!journal_plausible(h, size))
		return journal_mark_idle(p); /* stale: somebody rewrote the file since */

	r = apply_change(kp, p, h->op, h->offset, size, h->new_size, rec);
	if (r < 0)
		return r;
	p->stats.journal_replays++;
	p->loaded = false;
	return 0;
}

static void remember_file(struct pool *p, const struct stat *st)
{
	p->dev = st->st_dev;
	p->ino = st->st_ino;
	p->size = st->st_size;
	p->mtime = st->st_mtim;
	p->ctime = st->st_ctim;
}

static bool file_unchanged(const struct pool *p, const struct stat *st)
{
	return p->dev == st->st_dev && p->ino == st->st_ino && p->size == st->st_size &&
	       timespec_eq(&p->mtime, &st->st_mtim) && timespec_eq(&p->ctime, &st->st_ctim);
}

/* Drop the records from 'n' on. */
static void image_truncate(struct pool *p, size_t n)
{
	for (size_t i = n; i < p->cap && p->recs[i]; i++) {
		free(p->recs[i]);
		p->recs[i] = NULL;
	}
}

static void image_clear(struct pool *p)
{
	image_truncate(p, 0);
	p->nrec = 0;
	p->damaged = 0;
	p->bytes = 0;
	index_clear(p);
}

static int image_reserve(struct pool *p, size_t nrec)
{
	size_t cap = p->cap ? p->cap : 16;
	struct crec **n;

	if (nrec <= p->cap)
		return 0;
	while (cap < nrec)
		cap *= 2;
	n = realloc(p->recs, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + p->cap, 0, (cap - p->cap) * sizeof(*n));
	p->recs = n;
	p->cap = cap;
	return 0;
}

/* Rebuild the counters and the index from the first 'n' records of the image. */
static int image_index(struct pool *p, size_t n)
{
	int r = index_reserve(p, n);

	if (r < 0)
		return r;
	index_clear(p);
	p->damaged = 0;
	p->bytes = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rec_readable(p, i)) {
			p->damaged++;
			continue;
		}
		p->bytes += rec_bytes(p, i);
		index_put(p, key_hash(rec_key(p, i)), i);
	}
	p->nrec = n;
	return p->bytes > KVPOOL_BYTES_MAX ? -EFBIG : 0;
}

/*
 * Read the first *n records of the file into p->recs, LOAD_CHUNK records per read; *n is
 * lowered when the file turns out shorter (a lock-free writer shrank it while we read).
 */
#define LOAD_CHUNK 32
static int load_records(struct pool *p, size_t *n)
{
	uint8_t *buf = NULL;
	size_t done = 0;
	int r = 0;

	if (*n > 0) {
		buf = malloc((size_t)LOAD_CHUNK * KVPOOL_RECORD_SIZE);
		if (!buf)
			return -ENOMEM;
	}
	while (done < *n) {
		size_t want = MIN((size_t)LOAD_CHUNK, *n - done), got;

		r = read_full_at(p->fd, buf, want * KVPOOL_RECORD_SIZE,
				 (off_t)(done * KVPOOL_RECORD_SIZE));
		if (r < 0)
			break;
		got = (size_t)r / KVPOOL_RECORD_SIZE;
		for (size_t i = 0; i < got; i++) {
			struct crec *c = crec_new(buf + i * KVPOOL_RECORD_SIZE);

			if (!c) {
				r = -ENOMEM;
				goto out;
			}
			rec_set(p, done + i, c);
		}
		done += got;
		if (got < want)
			*n = done;
	}
	r = r < 0 ? r : 0;
out:
	if (r < 0)
		image_truncate(p, 0);
	free(buf);
	return r;
}

/* Read the locked file described by 'st' into the image and index it. */
static int pool_load(struct pool *p, const struct stat *st)
{
	size_t n = (size_t)st->st_size / KVPOOL_RECORD_SIZE;
	int r;

	image_clear(p);
	p->loaded = false;
	p->load_err = 0;
	p->stats.loads++;
	if (n > KVPOOL_RECORDS_MAX) {
		r = -EFBIG;
		goto out;
	}
	r = image_reserve(p, n + 1); /* + 1: room for a journaled append (read-only) */
	if (r < 0)
		return r;
	r = load_records(p, &n);
	if (r < 0)
		return r;
	r = image_index(p, n);
	if (r == -ENOMEM)
		return r;
out:
	if (r < 0)
		image_clear(p);
	p->load_err = r;
	p->loaded = true;
	remember_file(p, st);
	return r;
}

/*
 * A read-only handle cannot finish a change a crashed writer left pending, but it can show
 * what the finished change will hold: apply the entry to the image only.
 */
static int journal_apply_in_memory(struct pool *p, const struct journal_hdr *h, const uint8_t *rec,
				   const struct stat *st)
{
	size_t i = (size_t)(h->offset / KVPOOL_RECORD_SIZE);
	size_t n = (size_t)(h->new_size / KVPOOL_RECORD_SIZE);
	int r;

	if (p->load_err < 0 || !journal_plausible(h, (uint64_t)st->st_size) ||
	    n > KVPOOL_RECORDS_MAX || i > p->nrec)
		return 0;
	r = image_reserve(p, MAX(n, i + 1));
	if (r < 0)
		return r;
	if (h->op == JOURNAL_OP_WRITE || i < n) {
		struct crec *c = crec_new(rec);

		if (!c)
			return -ENOMEM;
		rec_set(p, i, c);
	}
	if (h->op != JOURNAL_OP_WRITE)
		image_truncate(p, n);
	r = image_index(p, h->op == JOURNAL_OP_WRITE ? MAX(p->nrec, i + 1) : n);
	if (r < 0) {
		image_clear(p);
		p->load_err = r;
	}
	return r == -ENOMEM ? r : 0;
}

/*
 * The directory watch.  Every change to a pool file or a journal by any process (write,
 * truncate, rename over, delete, create, attribute change) queues an inotify event on the
 * state directory before the system call returns.  So when the queue holds nothing for pool
 * N since its image was last checked under the locks, nothing changed the file or its journal
 * since, and the image still is the file: a read can be answered from it without the locks,
 * the stats and the journal read.  The one change inotify does not report is a store through
 * a shared writable mmap of the file; no known writer does that.  Overflow, the directory
 * going away, or any error mark every pool changed; a lost watch turns the fast path off.
 */
static void watch_mark_all(struct kvpool *kp)
{
	for (unsigned int i = 0; i < KVPOOL_COUNT; i++)
		kp->pools[i].dirty = true;
}

static void watch_stop(struct kvpool *kp)
{
	watch_mark_all(kp);
	if (kp->ifd >= 0)
		(void)close(kp->ifd);
	kp->ifd = -1;
}

static void watch_event(struct kvpool *kp, const struct inotify_event *ev)
{
	const char *n = ev->name;

	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		watch_stop(kp);
		return;
	}
	if ((ev->mask & IN_Q_OVERFLOW) || ev->len == 0) {
		watch_mark_all(kp);
		return;
	}
	/* .kvp_pool_N, .kvp_pool_N.new, .kvp_journal_N: the digit after the prefix */
	if (strncmp(n, ".kvp_pool_", 10) == 0)
		n += 10;
	else if (strncmp(n, ".kvp_journal_", 13) == 0)
		n += 13;
	else
		return;
	if (n[0] >= '0' && n[0] < '0' + KVPOOL_COUNT)
		kp->pools[n[0] - '0'].dirty = true;
}

/* Read every queued event (non-blocking) and mark the pools they name. */
static void watch_poll(struct kvpool *kp)
{
	union {
		struct inotify_event ev;
		char bytes[4096];
	} buf;

	while (kp->ifd >= 0) {
		ssize_t n = read(kp->ifd, buf.bytes, sizeof(buf.bytes));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			watch_stop(kp);
			return;
		}
		for (size_t off = 0; off + sizeof(struct inotify_event) <= (size_t)n;) {
			const struct inotify_event *ev = (const void *)(buf.bytes + off);

			watch_event(kp, ev);
			if (kp->ifd < 0)
				return;
			off += sizeof(*ev) + ev->len;
		}
		/*
		 * The kernel fills the buffer with as many events as fit; room left for one
		 * more of the largest means the queue was empty when it copied them, which is
		 * all a read ending in EAGAIN would tell (and saves that read on every write).
		 */
		if ((size_t)n + sizeof(struct inotify_event) + NAME_MAX + 1 <= sizeof(buf.bytes))
			return;
	}
}

static void watch_start(struct kvpool *kp)
{
	const uint32_t mask = IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
			      IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

	watch_mark_all(kp);
	kp->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (kp->ifd < 0) {
		kp->ifd = -1; /* out of instances: every check is a full one */
		return;
	}
	if (inotify_add_watch(kp->ifd, kp->dir, mask) < 0)
		watch_stop(kp);
}

/* Whether the image of 'p' was checked under the locks and nothing changed since. */
static bool watch_fresh(const struct kvpool *kp, const struct pool *p)
{
	return kp->ifd >= 0 && p->loaded && !p->dirty && p->fd >= 0 && p->load_err == 0;
}

/*
 * Lock pool 'pool' and make its image match the file: finish a pending journal entry,
 * re-read the file if it changed.  On success the caller must call pool_end().
 */
static int pool_begin(struct kvpool *kp, unsigned int pool, int mode, struct pool **ret_p,
		      bool *ret_loaded)
{
	uint8_t jrec[KVPOOL_RECORD_SIZE];
	struct journal_hdr h;
	struct stat st;
	struct pool *p;
	int r;

	if (!kp || pool >= KVPOOL_COUNT)
		return -EINVAL;
	p = &kp->pools[pool];
	if (ret_loaded)
		*ret_loaded = false;
	/* A write polls once it holds the locks, which is the poll that counts. */
	if (mode != BEGIN_WRITE)
		watch_poll(kp);
	if (mode == BEGIN_READ && watch_fresh(kp, p)) {
		p->locked = false;
		*ret_p = p;
		return 0;
	}
	if (mode == BEGIN_WRITE && watch_fresh(kp, p)) {
		r = lock_fd(p->fd, readonly(kp));
		if (r < 0)
			return r;
		watch_poll(kp); /* what happened before we got the locks */
		if (watch_fresh(kp, p)) {
			p->locked = true;
			*ret_p = p;
			return 0;
		}
		unlock_fd(p->fd);
	}
	r = pool_lock(kp, p, &st);
	if (r < 0)
		return r;
	p->locked = true;
	watch_poll(kp);  /* events from before the check below are covered by it */
	if (p->fd < 0) { /* read-only and absent */
		image_clear(p);
		p->loaded = true;
		p->load_err = 0;
		*ret_p = p;
		return 0;
	}
	r = journal_read(p, &h, jrec);
	if (r < 0)
		goto err_unlock;
	if (h.state == JOURNAL_PENDING && !readonly(kp)) {
		r = journal_replay(kp, p, &h, jrec, &st);
		if (r < 0)
			goto err_unlock;
		if (fstat(p->fd, &st) < 0) {
			r = -errno;
			goto err_unlock;
		}
	}
	/* Nothing but our own write since the stat we remember: this stat is what it left. */
	if (p->settle && p->loaded && kp->ifd >= 0 && !p->dirty && h.gen == p->jgen)
		remember_file(p, &st);
	p->settle = false;
	if (!p->loaded || !file_unchanged(p, &st) || h.gen != p->jgen) {
		r = pool_load(p, &st);
		p->jgen = h.gen;
		if (ret_loaded)
			*ret_loaded = true;
		if (r < 0 && r != -EFBIG)
			goto err_unlock;
		if (h.state == JOURNAL_PENDING && readonly(kp)) {
			r = journal_apply_in_memory(p, &h, jrec, &st);
			if (r < 0)
				goto err_unlock;
		}
	}
	/* Checked under the locks: events queued before the check are covered by it. */
	p->dirty = false;
	if (p->load_err < 0) {
		r = p->load_err;
		goto err_unlock;
	}
	*ret_p = p;
	return 0;

err_unlock:
	pool_unlock(p);
	return r;
}

static void pool_end(struct pool *p)
{
	if (p->locked)
		pool_unlock(p);
	p->locked = false;
}

/*
 * After our own write: the file as it is now is what the image holds.  With the watch on,
 * the stat is put off until a check needs it (pool_begin), because a stat between writes
 * costs a synchronous inode write in the next fdatasync on kernels with multigrain
 * timestamps: having been looked at, the next write's ctime is fine-grained, so it always
 * changes, and ext4 without a journal writes the inode out at every fdatasync (a second
 * I/O per sync, about 20 us of CPU on the test VM).  Any change by somebody else meanwhile
 * is an event that marks the pool dirty, and then the check reloads as it must.
 */
static int pool_settle(struct kvpool *kp, struct pool *p, uint64_t new_size)
{
	struct stat st;

	if (kp->ifd >= 0) {
		p->size = (off_t)new_size; /* what apply_change left; the writes go by it */
		p->settle = true;
		return 0;
	}
	if (fstat(p->fd, &st) < 0) {
		p->loaded = false;
		return -errno;
	}
	remember_file(p, &st);
	return 0;
}

/*
 * Undo a journaled change that failed half-way, from the image (which still holds the old
 * state): put back the record at 'offset', the last record a delete moved, and the old size.
 * Returns 0 when the file is the old state again and the journal entry is retired.
 */
static int rollback(struct kvpool *kp, struct pool *p, uint64_t offset)
{
	size_t i = (size_t)(offset / KVPOOL_RECORD_SIZE);
	uint8_t raw[KVPOOL_RECORD_SIZE];
	int r;

	if (i < p->nrec) {
		crec_raw(p->recs[i], raw);
		r = write_full_at(p->fd, raw, KVPOOL_RECORD_SIZE, (off_t)offset);
		if (r < 0)
			return r;
	}
	if (p->nrec > 0 && i != p->nrec - 1) {
		/* a delete may have cut the last record off: write it back */
		crec_raw(p->recs[p->nrec - 1], raw);
		r = write_full_at(p->fd, raw, KVPOOL_RECORD_SIZE,
				  (off_t)(p->nrec - 1) * KVPOOL_RECORD_SIZE);
		if (r < 0)
			return r;
	}
	r = sys_ftruncate(p->fd, p->size);
	if (r < 0)
		return r;
	if (want_sync(kp)) {
		r = sys_fdatasync(p->fd);
		if (r < 0)
			return r;
	}
	return journal_mark_idle(p);
}

/*
 * Write 'rec' at 'offset' (or, for a delete, move it there and truncate to 'new_size')
 * under the journal.  The image is not touched.  When a step fails the change is rolled
 * back; if even that fails, the journal entry stays pending and the next operation (of any
 * process) finishes the change.  Either way the image is marked stale.
 */
static int journaled_change(struct kvpool *kp, struct pool *p, uint32_t op, uint64_t offset,
			    uint64_t new_size, const uint8_t *rec)
{
	struct {
		struct journal_hdr h;
		uint8_t rec[KVPOOL_RECORD_SIZE];
	} * j;
	int r;

	j = malloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	memset(&j->h, 0, sizeof(j->h));
	memcpy(j->h.magic, JOURNAL_MAGIC, 8);
	j->h.gen = p->jgen + 1;
	j->h.state = JOURNAL_PENDING;
	j->h.op = op;
	j->h.offset = offset;
	j->h.old_size = (uint64_t)p->size;
	j->h.new_size = new_size;
	memcpy(j->rec, rec, KVPOOL_RECORD_SIZE);
	j->h.crc = journal_crc(&j->h, j->rec);

	r = write_full_at(p->jfd, j, sizeof(*j), 0);
	if (r < 0)
		goto err; /* a torn entry fails its crc: nothing is pending */
	p->jgen = j->h.gen;
	if (want_sync(kp)) {
		r = sys_fdatasync(p->jfd);
		if (r < 0)
			goto err;
	}
	r = apply_change(kp, p, op, offset, (uint64_t)p->size, new_size, rec);
	if (r < 0)
		goto err;
	p->stats.record_writes++;
	/*
	 * Our own writes queued events; drop them.  We hold the locks, so any other event in
	 * the queue now is of a writer that ignores them, and the stat below records its change
	 * as seen, exactly as it would without the watch.  Events after the read stay queued.
	 */
	watch_poll(kp);
	r = pool_settle(kp, p, new_size);
	if (r == 0)
		p->dirty = false;
	free(j);
	return r;

err:
	(void)rollback(kp, p, offset);
	p->loaded = false;
	free(j);
	return r;
}

/* -- the public API ------------------------------------------------------------------------ */

int kvpool_file_name(unsigned int pool, char *buf, size_t size)
{
	int n;

	if (pool >= KVPOOL_COUNT)
		return -EINVAL;
	n = snprintf(buf, size, ".kvp_pool_%u", pool);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *kvpool_dir(const struct kvpool *kp)
{
	return kp ? kp->dir : NULL;
}

int kvpool_open(const char *state_dir, unsigned int flags, struct kvpool **ret_kp)
{
	struct kvpool *kp;
	bool created = false;
	int r;

	if (!state_dir)
		state_dir = KVPOOL_DEFAULT_DIR;
	kp = calloc(1, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	kp->flags = flags;
	kp->dirfd = -1;
	kp->ifd = -1;
	for (unsigned int i = 0; i < KVPOOL_COUNT; i++) {
		struct pool *p = &kp->pools[i];

		p->index = i;
		p->fd = -1;
		p->jfd = -1;
		(void)snprintf(p->name, sizeof(p->name), ".kvp_pool_%u", i);
		(void)snprintf(p->jname, sizeof(p->jname), ".kvp_journal_%u", i);
		(void)snprintf(p->tname, sizeof(p->tname), ".kvp_pool_%u.new", i);
	}
	kp->dir = strdup(state_dir);
	if (!kp->dir) {
		r = -ENOMEM;
		goto err;
	}
	if (!readonly(kp)) {
		if (mkdir(state_dir, 0755) == 0)
			created = true;
		else if (errno != EEXIST) {
			r = -errno;
			goto err;
		}
	}
	kp->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kp->dirfd < 0) {
		r = -errno;
		goto err;
	}
	watch_start(kp);
	if (readonly(kp))
		goto out;
	for (unsigned int i = 0; i < KVPOOL_COUNT; i++) {
		struct pool *p = &kp->pools[i];

		if (faccessat(kp->dirfd, p->name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			created = true;
		(void)unlinkat(kp->dirfd, p->tname, 0); /* left by a crash mid-rewrite */
		r = pool_open_files(kp, p);
		if (r < 0)
			goto err;
	}
	if (created && want_sync(kp)) {
		r = sys_fsync(kp->dirfd);
		if (r < 0)
			goto err;
	}
out:
	*ret_kp = kp;
	return 0;
err:
	kvpool_close(kp);
	return r;
}

struct kvpool *kvpool_close(struct kvpool *kp)
{
	if (!kp)
		return NULL;
	for (unsigned int i = 0; i < KVPOOL_COUNT; i++) {
		struct pool *p = &kp->pools[i];

		pool_close_files(p);
		image_truncate(p, 0);
		free(p->recs);
		free(p->tab);
	}
	if (kp->dirfd >= 0)
		(void)close(kp->dirfd);
	if (kp->ifd >= 0)
		(void)close(kp->ifd);
	free(kp->dir);
	free(kp);
	return NULL;
}

int kvpool_get(struct kvpool *kp, unsigned int pool, const char *key, const char **ret_value)
{
	struct pool *p;
	size_t i;
	int r;

	if (!key || !ret_value)
		return -EINVAL;
	if (strnlen(key, KVPOOL_KEY_FIELD) > KVPOOL_KEY_MAX)
		return -ENOENT; /* cannot be stored, so it is not there */
	r = pool_begin(kp, pool, BEGIN_READ, &p, NULL);
	if (r < 0)
		return r;
	i = index_find(p, key);
	if (i == SIZE_MAX)
		r = -ENOENT;
	else
		*ret_value = rec_value(p, i);
	pool_end(p);
	return r;
}

static int check_key_value(const char *key, const char *value)
{
	if (!key || !value || key[0] == '\0')
		return -EINVAL;
	if (strnlen(key, KVPOOL_KEY_FIELD) > KVPOOL_KEY_MAX)
		return -ENAMETOOLONG;
	if (strnlen(value, KVPOOL_VALUE_FIELD) > KVPOOL_VALUE_MAX)
		return -EMSGSIZE;
	return 0;
}

int kvpool_set(struct kvpool *kp, unsigned int pool, const char *key, const char *value)
{
	uint8_t rec[KVPOOL_RECORD_SIZE], old_raw[KVPOOL_RECORD_SIZE];
	struct crec *c = NULL;
	struct pool *p;
	size_t i, add;
	int r;

	r = check_key_value(key, value);
	if (r < 0)
		return r;
	if (kp && readonly(kp))
		return -EROFS;
	r = pool_begin(kp, pool, BEGIN_WRITE, &p, NULL);
	if (r < 0)
		return r;
	add = strlen(key) + strlen(value);
	i = index_find(p, key);
	if (i != SIZE_MAX) {
		size_t old = rec_bytes(p, i);

		record_build(rec, key, value);
		crec_raw(p->recs[i], old_raw);
		if (memcmp(rec, old_raw, KVPOOL_RECORD_SIZE) == 0)
			goto out; /* same value, already zero-filled: nothing to write */
		if (p->bytes - old + add > KVPOOL_BYTES_MAX) {
			r = -ENOSPC;
			goto out;
		}
		c = crec_new(rec); /* before the write: no failure after it */
		if (!c) {
			r = -ENOMEM;
			goto out;
		}
		r = journaled_change(kp, p, JOURNAL_OP_WRITE, (uint64_t)i * KVPOOL_RECORD_SIZE,
				     (uint64_t)p->size, rec);
		if (r < 0)
			goto out;
		rec_set(p, i, c);
		c = NULL;
		p->bytes = p->bytes - old + add;
		goto out;
	}
	if (p->nrec + 1 > KVPOOL_RECORDS_MAX || p->bytes + add > KVPOOL_BYTES_MAX) {
		r = -ENOSPC;
		goto out;
	}
	r = image_reserve(p, p->nrec + 1);
	if (r < 0)
		goto out;
	r = index_reserve(p, p->tab_used + 1);
	if (r < 0)
		goto out;
	record_build(rec, key, value);
	c = crec_new(rec);
	if (!c) {
		r = -ENOMEM;
		goto out;
	}
	/* Appending at the last whole record overwrites a partial tail a crash left. */
	r = journaled_change(kp, p, JOURNAL_OP_WRITE, (uint64_t)p->nrec * KVPOOL_RECORD_SIZE,
			     (uint64_t)(p->nrec + 1) * KVPOOL_RECORD_SIZE, rec);
	if (r < 0)
		goto out;
	rec_set(p, p->nrec, c);
	c = NULL;
	index_put(p, key_hash(key), p->nrec);
	p->nrec++;
	p->bytes += add;
out:
	free(c);
	pool_end(p);
	return r;
}

/*
 * Delete by rewriting the whole file without record 'i' (write, fsync, rename, fsync the
 * directory).  Used only when moving the last record into the hole would change which of
 * two duplicate records GET answers.
 */
static int delete_by_rewrite(struct kvpool *kp, struct pool *p, size_t i)
{
	uint8_t *img = malloc((size_t)LOAD_CHUNK * KVPOOL_RECORD_SIZE);
	struct stat st;
	int fd, r;

	if (!img)
		return -ENOMEM;
	if (fstat(p->fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	fd = sys_openat(kp->dirfd, p->tname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			st.st_mode & 07777);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	(void)fchmod(fd, st.st_mode & 07777); /* keep the permissions (umask aside) */
	if (fchown(fd, st.st_uid, st.st_gid) < 0) {
		/* not allowed to give it away (not root): it stays ours */
	}
	/* the records but 'i', LOAD_CHUNK at a time */
	for (size_t from = 0, put = 0; from < p->nrec;) {
		size_t k = 0;

		for (; from < p->nrec && k < LOAD_CHUNK; from++)
			if (from != i)
				crec_raw(p->recs[from], img + k++ * KVPOOL_RECORD_SIZE);
		r = write_full_at(fd, img, k * KVPOOL_RECORD_SIZE,
				  (off_t)(put * KVPOOL_RECORD_SIZE));
		if (r < 0)
			goto err_close;
		put += k;
	}
	r = sys_fsync(fd);
	if (r < 0)
		goto err_close;
	r = sys_close(fd);
	if (r < 0)
		goto err_unlink;
	r = sys_renameat(kp->dirfd, p->tname, kp->dirfd, p->name);
	if (r < 0)
		goto err_unlink;
	/* The new file is in place; the rest makes it durable and tells other users. */
	p->loaded = false;
	(void)journal_bump(p);
	p->stats.rewrites++;
	r = want_sync(kp) ? sys_fsync(kp->dirfd) : 0;
	goto out;

err_close:
	(void)sys_close(fd);
err_unlink:
	(void)unlinkat(kp->dirfd, p->tname, 0);
out:
	free(img);
	return r;
}

int kvpool_delete(struct kvpool *kp, unsigned int pool, const char *key)
{
	uint8_t raw[KVPOOL_RECORD_SIZE];
	struct pool *p;
	size_t i, last;
	int r;

	if (!key)
		return -EINVAL;
	if (strnlen(key, KVPOOL_KEY_FIELD) > KVPOOL_KEY_MAX)
		return -ENOENT;
	if (kp && readonly(kp))
		return -EROFS;
	r = pool_begin(kp, pool, BEGIN_WRITE, &p, NULL);
	if (r < 0)
		return r;
	i = index_find(p, key);
	if (i == SIZE_MAX) {
		r = -ENOENT;
		goto out;
	}
	last = p->nrec - 1;
	if (i != last && rec_readable(p, last)) {
		size_t others = index_min_excluding(p, rec_key(p, last), i, last);

		/*
		 * 'last' is a later duplicate of a key whose GET answer (after this delete) is
		 * another record; moving it in front of that record would change the answer.
		 */
		if (others != SIZE_MAX && others > i) {
			r = delete_by_rewrite(kp, p, i);
			pool_end(p);
			return r;
		}
	}
	crec_raw(p->recs[last], raw);
	r = journaled_change(kp, p, JOURNAL_OP_DELETE, (uint64_t)i * KVPOOL_RECORD_SIZE,
			     (uint64_t)last * KVPOOL_RECORD_SIZE, raw);
	if (r < 0)
		goto out;
	p->bytes -= rec_bytes(p, i);
	index_remove(p, key_hash(key), i);
	if (i != last) {
		if (rec_readable(p, last)) {
			uint32_t h = key_hash(rec_key(p, last));

			index_remove(p, h, last);
			index_put(p, h, i);
		} else {
			/* the damaged record moves; the count of damaged ones stays */
		}
		rec_set(p, i, p->recs[last]);
		p->recs[last] = NULL;
	} else {
		rec_set(p, last, NULL);
	}
	p->nrec--;
out:
	pool_end(p);
	return r;
}

int kvpool_count(struct kvpool *kp, unsigned int pool, size_t *ret_count)
{
	struct pool *p;
	int r = pool_begin(kp, pool, BEGIN_READ, &p, NULL);

	if (r < 0)
		return r;
	*ret_count = p->nrec - p->damaged;
	pool_end(p);
	return 0;
}

int kvpool_record_at(struct kvpool *kp, unsigned int pool, size_t index,
		     struct kvpool_record *ret_record)
{
	struct pool *p;
	size_t at = SIZE_MAX;
	int r = pool_begin(kp, pool, BEGIN_READ, &p, NULL);

	if (r < 0)
		return r;
	if (p->damaged == 0) {
		if (index < p->nrec)
			at = index;
	} else {
		for (size_t i = 0, seen = 0; i < p->nrec; i++) {
			if (!rec_readable(p, i))
				continue;
			if (seen++ == index) {
				at = i;
				break;
			}
		}
	}
	if (at == SIZE_MAX) {
		r = -ENOENT;
	} else {
		ret_record->key = rec_key(p, at);
		ret_record->value = rec_value(p, at);
	}
	pool_end(p);
	return r;
}

int kvpool_enumerate(struct kvpool *kp, unsigned int pool, kvpool_visit_fn *fn, void *userdata)
{
	struct pool *p;
	int r;

	if (!fn)
		return -EINVAL;
	r = pool_begin(kp, pool, BEGIN_READ, &p, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->nrec && r == 0; i++) {
		struct kvpool_record rec;

		if (!rec_readable(p, i))
			continue;
		rec.key = rec_key(p, i);
		rec.value = rec_value(p, i);
		r = fn(&rec, userdata);
	}
	pool_end(p);
	return r;
}

int kvpool_scrub(struct kvpool *kp, unsigned int pool)
{
	struct pool *p;
	struct stat st;
	int r;

	if (kp && readonly(kp))
		return -EROFS;
	if (!kp || pool >= KVPOOL_COUNT)
		return -EINVAL;
	p = &kp->pools[pool];
	/* No pool_begin: a pool over a limit must still be scrubbable. */
	r = pool_lock(kp, p, &st);
	if (r < 0)
		return r;
	r = journal_bump(p); /* also drops anything pending */
	if (r < 0)
		goto out;
	p->loaded = false;
	r = sys_ftruncate(p->fd, 0);
	if (r < 0)
		goto out;
	if (want_sync(kp)) {
		r = sys_fdatasync(p->fd);
		if (r < 0)
			goto out;
		r = sys_fdatasync(p->jfd);
		if (r < 0)
			goto out;
	}
out:
	pool_unlock(p);
	return r;
}

int kvpool_refresh(struct kvpool *kp, unsigned int pool)
{
	struct pool *p;
	bool loaded;
	int r = pool_begin(kp, pool, BEGIN_CHECK, &p, &loaded);

	if (r < 0)
		return r;
	pool_end(p);
	return loaded ? 1 : 0;
}

int kvpool_stats(struct kvpool *kp, unsigned int pool, struct kvpool_stats *ret_stats)
{
	struct pool *p;
	int r = pool_begin(kp, pool, BEGIN_READ, &p, NULL);

	if (r < 0 && r != -EFBIG)
		return r;
	p = &kp->pools[pool];
	*ret_stats = p->stats;
	ret_stats->records = p->nrec;
	ret_stats->damaged = p->damaged;
	ret_stats->bytes = p->bytes;
	if (r == 0)
		pool_end(p);
	return r;
}

int kvpool_get_joined(struct kvpool *kp, unsigned int pool, const char *key, char **ret_value)
{
	char part[KVPOOL_KEY_FIELD + 16];
	const char *v;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!key || !ret_value)
		return -EINVAL;
	r = kvpool_get(kp, pool, key, &v);
	if (r == 0) {
		buf = strdup(v);
		if (!buf)
			return -ENOMEM;
		*ret_value = buf;
		return 0;
	}
	if (r != -ENOENT)
		return r;
	for (unsigned int n = 0; n < KVPOOL_SPLIT_PARTS_MAX; n++) {
		size_t vl;
		char *nb;
		int k = snprintf(part, sizeof(part), "%s.%u", key, n);

		if (k < 0 || (size_t)k > KVPOOL_KEY_MAX)
			break;
		r = kvpool_get(kp, pool, part, &v);
		if (r == -ENOENT)
			break;
		if (r < 0)
			goto err;
		vl = strlen(v);
		nb = realloc(buf, len + vl + 1);
		if (!nb) {
			r = -ENOMEM;
			goto err;
		}
		buf = nb;
		memcpy(buf + len, v, vl + 1);
		len += vl;
	}
	if (!buf)
		return -ENOENT;
	*ret_value = buf;
	return 0;
err:
	free(buf);
	return r;
}

long kvpool_utf16_units(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long units = 0;

	while (*p) {
		uint32_t cp;
		int extra;

		if (*p < 0x80) {
			cp = *p;
			extra = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			extra = 3;
		} else {
			return -EILSEQ;
		}
		p++;
		for (int k = 0; k < extra; k++, p++) {
			if ((*p & 0xc0) != 0x80)
				return -EILSEQ;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -EILSEQ;
		units += cp >= 0x10000 ? 2 : 1;
	}
	return units;
}

int kvpool_host_check(const char *key, const char *value)
{
	long n;

	if (!key)
		return -EINVAL;
	n = kvpool_utf16_units(key);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EINVAL;
	if (n > KVPOOL_HOST_KEY_MAX)
		return -ENAMETOOLONG;
	if (!value)
		return 0;
	n = kvpool_utf16_units(value);
	if (n < 0)
		return (int)n;
	if (n > KVPOOL_HOST_VALUE_MAX)
		return -EMSGSIZE;
	return 0;
}
