/* SPDX-License-Identifier: MIT */
/*
 * mountinfo.c - the /proc/<pid>/mountinfo parser described in mountinfo.h.  The text is
 * copied once and cut into fields in place; nothing here logs.
 */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"

void mountinfo_unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			char c = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));

			/* A NUL would cut the string short; keep the escape as written then. */
			if (c != '\0') {
				*w++ = c;
				r += 3;
				continue;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

int mountinfo_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool esc = c == ' ' || c == '\t' || c == '\n' || c == '\\';
		size_t need = esc ? 4 : 1;

		if (o + need >= size) {
			if (size > 0)
				out[MIN(o, size - 1)] = '\0';
			return -ENAMETOOLONG;
		}
		if (esc) {
			out[o++] = '\\';
			out[o++] = (char)('0' + ((c >> 6) & 7));
			out[o++] = (char)('0' + ((c >> 3) & 7));
			out[o++] = (char)('0' + (c & 7));
		} else {
			out[o++] = (char)c;
		}
	}
	if (size == 0)
		return -ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

bool mountinfo_has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	if (!opts || n == 0)
		return false;
	for (const char *p = opts; p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, opt, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* Cut the next blank-separated field off *pos; NULL at the end of the line. */
static char *next_field(char **pos)
{
	char *p = *pos, *start;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p && *p != ' ')
		p++;
	if (*p)
		*p++ = '\0';
	*pos = p;
	return start;
}

static int parse_uint_field(const char *s, unsigned int *ret)
{
	unsigned long long v;
	int r = parse_uint(s, UINT_MAX, &v);

	if (r < 0)
		return r;
	*ret = (unsigned int)v;
	return 0;
}

static int parse_line(char *line, struct mountinfo_entry *e)
{
	char *pos = line, *f, *colon;
	char *id, *parent, *dev, *root, *mnt, *type, *source;

	id = next_field(&pos);
	parent = next_field(&pos);
	dev = next_field(&pos);
	if (!id || !parent || !dev)
		return -EINVAL;
	if (parse_uint_field(id, &e->id) < 0 || parse_uint_field(parent, &e->parent) < 0)
		return -EINVAL;
	colon = strchr(dev, ':');
	if (!colon || colon == dev)
		return -EINVAL;
	*colon = '\0';
	if (parse_uint_field(dev, &e->major) < 0 || parse_uint_field(colon + 1, &e->minor) < 0)
		return -EINVAL;

	root = next_field(&pos);
	mnt = next_field(&pos);
	e->mount_opts = next_field(&pos);
	if (!root || !mnt || !e->mount_opts)
		return -EINVAL;
	/* Optional fields ("shared:1", "master:2", ...) up to the lone "-". */
	for (;;) {
		f = next_field(&pos);
		if (!f)
			return -EINVAL;
		if (streq(f, "-"))
			break;
	}
	type = next_field(&pos);
	source = next_field(&pos);
	e->super_opts = next_field(&pos);
	if (!type || !source || !e->super_opts)
		return -EINVAL;
	if (next_field(&pos))
		return -EINVAL;
	if (root[0] != '/' || mnt[0] != '/')
		return -EINVAL;
	mountinfo_unescape(root);
	mountinfo_unescape(mnt);
	mountinfo_unescape(source);
	mountinfo_unescape(type);
	e->root = root;
	e->mountpoint = mnt;
	e->source = source;
	e->fstype = type;
	return 0;
}

void mountinfo_free(struct mountinfo *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->text);
	m->e = NULL;
	m->text = NULL;
	m->n = 0;
}

int mountinfo_parse(const char *text, size_t len, struct mountinfo *ret, unsigned int *ret_bad_line)
{
	struct mountinfo m = { 0 };
	size_t cap = 0;
	unsigned int lineno = 0;
	char *p;
	int r;

	*ret = (struct mountinfo){ 0 };
	if (len > MOUNTINFO_FILE_MAX)
		return -E2BIG;
	m.text = malloc(len + 1);
	if (!m.text)
		return -ENOMEM;
	memcpy(m.text, text, len);
	m.text[len] = '\0';
	/* An embedded NUL ends the text: nothing after it could be a valid line. */
	p = m.text;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		char *line = p;

		lineno++;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
		if (line[0] == '\0')
			continue;
		if (m.n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct mountinfo_entry *ne;

			if (cap >= MOUNTINFO_ENTRIES_MAX) {
				r = -E2BIG;
				goto fail;
			}
			ne = reallocarray(m.e, ncap, sizeof(*ne));
			if (!ne) {
				r = -ENOMEM;
				goto fail;
			}
			m.e = ne;
			cap = ncap;
		}
		m.e[m.n] = (struct mountinfo_entry){ .line = lineno };
		r = parse_line(line, &m.e[m.n]);
		if (r < 0) {
			if (ret_bad_line)
				*ret_bad_line = lineno;
			goto fail;
		}
		m.n++;
	}
	*ret = m;
	return 0;
fail:
	mountinfo_free(&m);
	return r;
}

int mountinfo_read(const char *path, struct mountinfo *ret, unsigned int *ret_bad_line)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*ret = (struct mountinfo){ 0 };
	r = fs_read_file_at(AT_FDCWD, path, MOUNTINFO_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = mountinfo_parse(buf, len, ret, ret_bad_line);
	free(buf);
	return r;
}
