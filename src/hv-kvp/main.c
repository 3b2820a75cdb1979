/* SPDX-License-Identifier: MIT */
/*
 * main.c - hv-kvp, the command-line tool for the KVP pool files; everything but exit() is in
 * kvpcli.c.
 */
#include <stdlib.h>

#include "kvpcli.h"

int main(int argc, char *argv[])
{
	exit(kvpcli_main(argc, argv));
}
