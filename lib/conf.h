/* SPDX-License-Identifier: MIT */
/*
 * conf.h - the configuration file, /etc/hvguest/hvguest.conf: a small INI dialect.
 *
 *   # comment             ; comment
 *   [kvpd]                section names: kvpd, vssd, fcopyd, ip, check
 *   key = value           blanks around '=' and at both ends are dropped
 *   exclude = /srv        a key may repeat: conf_get_all() returns every value in order
 *
 * Values are not quoted or escaped.  A line that is none of the above is an error that names
 * the file and line.  Every setting also has a command-line option, which wins.
 *
 * Ownership: conf_load() returns a struct that conf_free() releases; the strings returned by
 * the getters live as long as it does.
 */
#ifndef HVGUEST_CONF_H
#define HVGUEST_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define CONF_DEFAULT_PATH "/etc/hvguest/hvguest.conf"
#define CONF_LINE_MAX     4096
#define CONF_ENTRIES_MAX  4096
#define CONF_FILE_MAX     (1u << 20)

struct conf;

/*
 * Parse 'path'.  On a syntax error returns -EINVAL and writes "FILE:LINE: reason" into
 * 'err'.  A missing file gives -ENOENT (callers treat it as empty).
 */
int conf_load(const char *path, struct conf **ret_conf, char *err, size_t err_size) WARN_UNUSED;
/* An empty configuration, for when there is no file. */
struct conf *conf_new_empty(void);
struct conf *conf_free(struct conf *c);

/* The last value of section.key, or NULL. */
const char *conf_get(const struct conf *c, const char *section, const char *key);
/* Up to 'max' values of section.key in file order; returns how many there are in all. */
size_t conf_get_all(const struct conf *c, const char *section, const char *key,
		    const char **ret_values, size_t max);
/* yes/no/true/false/on/off/1/0; -EINVAL for anything else, 'def' when unset. */
int conf_get_bool(const struct conf *c, const char *section, const char *key, bool def,
		  bool *ret) WARN_UNUSED;
/* A whole unsigned number up to 'max'; 'def' when unset. */
int conf_get_uint(const struct conf *c, const char *section, const char *key,
		  unsigned long long def, unsigned long long max,
		  unsigned long long *ret) WARN_UNUSED;
/* Call 'fn' for every key of 'section' (to reject unknown keys). */
typedef int conf_visit_fn(const char *key, const char *value, unsigned int line, void *data);
int conf_foreach(const struct conf *c, const char *section, conf_visit_fn *fn, void *data);

#endif /* HVGUEST_CONF_H */
