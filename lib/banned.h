/* SPDX-License-Identifier: MIT */
/*
 * banned.h - calls hvguest never makes, turned into compile errors.
 *
 * Included into every translation unit by the Makefile (-include).  Each of these either
 * cannot bound its output, silently truncates, parses numbers without reporting errors, or
 * runs a shell.  Use snprintf, strnlen/memcpy, the strto* family with checks, and
 * posix_spawn with an argument vector instead.
 */
#ifndef HVGUEST_BANNED_H
#define HVGUEST_BANNED_H

/* System headers are allowed to declare these; only our own uses are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
#undef mktemp
#define mktemp(x) BANNED(mktemp)
#undef tmpnam
#define tmpnam(x) BANNED(tmpnam)

#endif /* HVGUEST_BANNED_H */
