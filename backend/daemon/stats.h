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
 * (numbers in decimal, STATE a xenbus state number).  The first word of a
 * line names it; readers skip lines they do not know, so fields and line
 * kinds can be added.
 */
#ifndef ISMD_STATS_H
#define ISMD_STATS_H

#include "ism-backend.h"

#define ISMD_STATS_SOCKET "/run/xen-ismd.sock"

/* Listens on @path (replacing a stale socket); the fd, or -errno. */
int ismd_stats_listen(const char *path);

/*
 * Writes the report for @be to @fd (a connected client) and closes @fd.
 * Returns 0 or -errno.
 */
int ismd_stats_serve(int fd, const struct ism_backend *be);

#endif /* ISMD_STATS_H */
