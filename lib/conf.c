/* SPDX-License-Identifier: MIT */
/*
 * conf.c - parser for the INI dialect described in conf.h.  The whole file is read once;
 * entries keep pointers into that one buffer.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"

struct conf_entry {
	const char *section, *key, *value;
	unsigned int line;
};

struct conf {
	char *text;
	struct conf_entry *e;
	size_t n;
};

struct conf *conf_new_empty(void)
{
	return calloc(1, sizeof(struct conf));
}

struct conf *conf_free(struct conf *c)
{
	if (c) {
		free(c->text);
		free(c->e);
		free(c);
	}
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static int parse(struct conf *c, const char *path, char *err, size_t err_size)
{
	const char *section = "";
	unsigned int lineno = 0;
	char *p = c->text;

	while (*p) {
		char *line = p, *nl = strchr(p, '\n'), *eq;

		lineno++;
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		if (strlen(line) >= CONF_LINE_MAX) {
			(void)snprintf(err, err_size, "%s:%u: line too long", path, lineno);
			return -EINVAL;
		}
		line = trim(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');

			if (!close || trim(close + 1)[0] != '\0') {
				(void)snprintf(err, err_size, "%s:%u: expected '[section]'", path,
					       lineno);
				return -EINVAL;
			}
			*close = '\0';
			section = trim(line + 1);
			if (!valid_name(section)) {
				(void)snprintf(err, err_size, "%s:%u: bad section name", path,
					       lineno);
				return -EINVAL;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			(void)snprintf(err, err_size, "%s:%u: expected 'key = value'", path,
				       lineno);
			return -EINVAL;
		}
		*eq = '\0';
		if (!valid_name(trim(line))) {
			(void)snprintf(err, err_size, "%s:%u: bad key name", path, lineno);
			return -EINVAL;
		}
		if (c->n == CONF_ENTRIES_MAX) {
			(void)snprintf(err, err_size, "%s:%u: more than %u settings", path, lineno,
				       CONF_ENTRIES_MAX);
			return -EINVAL;
		}
		c->e[c->n++] = (struct conf_entry){
			.section = section, .key = trim(line), .value = trim(eq + 1), .line = lineno
		};
	}
	return 0;
}

int conf_load(const char *path, struct conf **ret_conf, char *err, size_t err_size)
{
	struct conf *c;
	size_t len;
	int r;

	if (err_size > 0)
		err[0] = '\0';
	c = conf_new_empty();
	if (!c)
		return -ENOMEM;
	r = fs_read_file_at(AT_FDCWD, path, CONF_FILE_MAX, &c->text, &len);
	if (r < 0) {
		(void)snprintf(err, err_size, "%s: %s", path, strerror(-r));
		conf_free(c);
		return r;
	}
	if (memchr(c->text, '\0', len)) {
		(void)snprintf(err, err_size, "%s: contains a NUL byte", path);
		conf_free(c);
		return -EINVAL;
	}
	c->e = calloc(CONF_ENTRIES_MAX, sizeof(*c->e));
	if (!c->e) {
		conf_free(c);
		return -ENOMEM;
	}
	r = parse(c, path, err, err_size);
	if (r < 0) {
		conf_free(c);
		return r;
	}
	*ret_conf = c;
	return 0;
}

size_t conf_get_all(const struct conf *c, const char *section, const char *key,
		    const char **ret_values, size_t max)
{
	size_t found = 0;

	for (size_t i = 0; c && i < c->n; i++) {
		if (!streq(c->e[i].section, section) || !streq(c->e[i].key, key))
			continue;
		if (found < max)
			ret_values[found] = c->e[i].value;
		found++;
	}
	return found;
}

const char *conf_get(const struct conf *c, const char *section, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; c && i < c->n; i++)
		if (streq(c->e[i].section, section) && streq(c->e[i].key, key))
			v = c->e[i].value;
	return v;
}

int conf_get_bool(const struct conf *c, const char *section, const char *key, bool def, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	const char *v = conf_get(c, section, key);

	if (!v) {
		*ret = def;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int conf_get_uint(const struct conf *c, const char *section, const char *key,
		  unsigned long long def, unsigned long long max, unsigned long long *ret)
{
	const char *v = conf_get(c, section, key);

	if (!v) {
		*ret = def;
		return 0;
	}
	return parse_uint(v, max, ret);
}

int conf_foreach(const struct conf *c, const char *section, conf_visit_fn *fn, void *data)
{
	for (size_t i = 0; c && i < c->n; i++) {
		if (!streq(c->e[i].section, section))
			continue;
		int r = fn(c->e[i].key, c->e[i].value, c->e[i].line, data);
		if (r != 0)
			return r;
	}
	return 0;
}
