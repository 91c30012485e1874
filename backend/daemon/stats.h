/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's stats socket, read by `ismctl list`.  A client connects to
 * the Unix socket and reads, until end of file, lines of text:
 *
 *	xen-ismd 1
 *	total DEVICES CONNECTED REGIONS RELEASED GRANTS QUARANTINED HELD REQUESTS PROTOCOL_ERRORS
 *	device DOMID DEVID STATE SLOTS PEERS GRANTS BYTES
 *	...
 *	end
 *
 * (numbers in decimal, STATE a xenbus state number; fields separated by
 * one space).  The first word of a line names it; readers skip lines they
 * do not know and fields after those they know, so fields (at the end of a
 * line) and line kinds can be added.  The first line's number is the
 * version of the format: a change that readers cannot skip increments it.
 * The reader is ismctl's (backend/ismctl/report.c); its tests read what
 * ismd_stats_serve() writes.
 */
#ifndef ISMD_STATS_H
#define ISMD_STATS_H

#include "ism-backend.h"
#include "options.h" /* ISMD_STATS_SOCKET_DEFAULT */

/* The first line: ISMD_STATS_MAGIC, a space, ISMD_STATS_VERSION. */
#define ISMD_STATS_MAGIC "xen-ismd"
#define ISMD_STATS_VERSION 1

/* Listens on @path (replacing a stale socket); the fd, or -errno. */
int ismd_stats_listen(const char *path);

/*
 * Writes the report for @be to @fd (a connected client) and closes @fd.
 * Returns 0 or -errno.
 */
int ismd_stats_serve(int fd, const struct ism_backend *be);

#endif /* ISMD_STATS_H */
